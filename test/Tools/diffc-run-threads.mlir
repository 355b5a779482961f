// The zoo U-Net's large loops run on the runtime's thread pool through the
// OpenMP entry points (passes/Diffc/ParallelizeLoops.cpp,
// runtime/src/ukernels/openmp_abi.cpp): the lowered code forks, and since
// every loop iteration is computed whole by one thread, a DDIM sample is
// bitwise the same on 1, 2 and 3 threads.
// RUN: rm -rf %t && mkdir -p %t
// RUN: diffc-zoo unet2d --preset=fmnist_small --base-channels=32 --channel-mult=1,2 --attention-resolutions=14 --norm-groups=8 --init-weights=%t/w.safetensors --seed=3 -o %t/unet.mlir
// RUN: diffc compile %t/unet.mlir --sampler=ddim --emit=mlir --stage=llvm -o - | FileCheck %s
// RUN: diffc compile %t/unet.mlir --sampler=ddim -o %t/unet.diffc
// RUN: env DIFFC_NUM_THREADS=1 diffc-run %t/unet.diffc sample --steps 4 --batch 3 --seed 7 --weights %t/w.safetensors --out %t/one.npy
// RUN: env DIFFC_NUM_THREADS=2 diffc-run %t/unet.diffc sample --steps 4 --batch 3 --seed 7 --weights %t/w.safetensors --out %t/two.npy
// RUN: env DIFFC_NUM_THREADS=3 diffc-run %t/unet.diffc sample --steps 4 --batch 3 --seed 7 --weights %t/w.safetensors --out %t/three.npy
// RUN: cmp %t/one.npy %t/two.npy
// RUN: cmp %t/one.npy %t/three.npy
// RUN: %python -c "import numpy as np; x = np.load('%t/one.npy'); print('finite', bool(np.isfinite(x).all()), 'spread', bool(x.std() > 0.05))" | FileCheck %s --check-prefix=VALUES

// CHECK: llvm.func @unet(
// CHECK: omp.parallel
// CHECK:   omp.wsloop
// VALUES: finite True spread True
