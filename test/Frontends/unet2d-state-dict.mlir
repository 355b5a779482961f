// The PyTorch twin (frontends/python/unet2d_torch.py) and diffc-zoo agree on
// every state-dict name and shape, so one checkpoint serves both; the twin
// also reproduces BENCH.md's parameter count and FLOPs.

// Test: fmnist_small.
// RUN: diffc-zoo unet2d --preset=fmnist_small > %t.fmnist.mlir
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --print-state-dict > %t.fmnist.txt
// RUN: %python %diffc_src_root/frontends/python/check_parameters.py %t.fmnist.mlir %t.fmnist.txt | FileCheck %s --check-prefix=FMNIST
// FMNIST: parameters match: 268 tensors, 6,469,889 elements

// Test: cifar10_ddpm.
// RUN: diffc-zoo unet2d --preset=cifar10_ddpm > %t.cifar.mlir
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=cifar10_ddpm --print-state-dict > %t.cifar.txt
// RUN: %python %diffc_src_root/frontends/python/check_parameters.py %t.cifar.mlir %t.cifar.txt | FileCheck %s --check-prefix=CIFAR
// CIFAR: parameters match: 328 tensors, 35,746,307 elements

// Test: a class-conditional, two-level variant with overridden options.
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=8 --num-classes=10 > %t.small.mlir
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --layers-per-block=1 --attention-resolutions=14 --norm-groups=8 --num-classes=10 --print-state-dict > %t.small.txt
// RUN: %python %diffc_src_root/frontends/python/check_parameters.py %t.small.mlir %t.small.txt | FileCheck %s --check-prefix=SMALL
// SMALL: parameters match: 145 tensors, 702,753 elements

// Test: the twin's own summary matches BENCH.md.
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --summary | FileCheck %s --check-prefix=TWIN-FMNIST
// TWIN-FMNIST:      parameters 6,469,889
// TWIN-FMNIST-NEXT: GFLOP/sample 2.208
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=cifar10_ddpm --summary | FileCheck %s --check-prefix=TWIN-CIFAR
// TWIN-CIFAR:      parameters 35,746,307
// TWIN-CIFAR-NEXT: GFLOP/sample 12.444

// Test: the checker reports a mismatch by name and shape.
// RUN: not %python %diffc_src_root/frontends/python/check_parameters.py %t.fmnist.mlir %t.cifar.txt | FileCheck %s --check-prefix=MISMATCH
// MISMATCH: only in IR: conv_in.weight 64x1x3x3
// MISMATCH: only in state dict: conv_in.weight 128x3x3x3
