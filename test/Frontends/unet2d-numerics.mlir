// The zoo's U-Net, compiled by `diffc compile` and run by diffc-run with
// seeded random weights loaded by state-dict name, computes what the PyTorch
// twin computes in float64.

// Test: fmnist_small, batch 2.
// RUN: diffc-zoo unet2d --preset=fmnist_small -o %t.fmnist.mlir
// RUN: diffc compile %t.fmnist.mlir -o %t.fmnist.diffc
// RUN: rm -rf %t.fmnist && %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --write-case %t.fmnist --batch 2 --seed 1
// RUN: diffc-run %t.fmnist.diffc call unet --weights %t.fmnist/weights.safetensors --arg %t.fmnist/sample.npy --arg %t.fmnist/timestep.npy --out %t.fmnist/got.npy
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --compare %t.fmnist/expected.npy %t.fmnist/got.npy | FileCheck %s
// CHECK: ok: max rel error {{.*}} over shape [2, 1, 28, 28]

// Test: class-conditional (labels include the null class), two heads of 32
// channels, attention at 14x14, batch 3.
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --attention-resolutions=14 --attention-head-dim=32 --num-classes=10 -o %t.cond.mlir
// RUN: diffc compile %t.cond.mlir -o %t.cond.diffc
// RUN: rm -rf %t.cond && %python %diffc_src_root/frontends/python/unet2d_torch.py --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --attention-resolutions=14 --attention-head-dim=32 --num-classes=10 --write-case %t.cond --batch 3 --seed 2
// RUN: diffc-run %t.cond.diffc call unet --weights %t.cond/weights.safetensors --arg %t.cond/sample.npy --arg %t.cond/timestep.npy --arg %t.cond/class_labels.npy --out %t.cond/got.npy
// RUN: %python %diffc_src_root/frontends/python/unet2d_torch.py --compare %t.cond/expected.npy %t.cond/got.npy | FileCheck %s --check-prefix=COND
// COND: ok: max rel error {{.*}} over shape [3, 1, 28, 28]
