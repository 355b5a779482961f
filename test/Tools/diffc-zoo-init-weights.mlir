// diffc-zoo --init-weights writes PyTorch-style initial values for every
// parameter: uniform within +-1/sqrt(fan_in), norms 1 and 0; same seed, same
// file.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --init-weights=%t/a.safetensors --seed=5 -o %t/unet.mlir
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --init-weights=%t/b.safetensors --seed=5 -o %t/unet2.mlir
// RUN: cmp %t/a.safetensors %t/b.safetensors
// RUN: %python %S/Inputs/check_init.py %t/a.safetensors %t/unet.mlir | FileCheck %s
// CHECK: checked {{[1-9][0-9]*}} tensors: all within bounds
