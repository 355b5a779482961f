// REQUIRES: ptxas
// The --device=cuda path of diffc-run on a machine without a GPU, through
// the mock driver (test/mock-cuda: device memory is host memory, PTX is
// parsed for kernel signatures, launches are logged, kernels do not run).
// What this checks: the GPU host code's launches (kernel, grid, block,
// parameter slots agreeing with the PTX), the code selection for the
// device, and each failure as one line with exit 1.
// RUN: diffc compile %s --target=sm_90,x86_64 -o %t.diffc
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.random.default_rng(1).standard_normal((3, 2, 33)).astype(np.float32))"
// RUN: rm -f %t.log
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_LOG=%t.log diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.y.npy --out %t.s.npy -v 2>&1 | FileCheck %s --check-prefix=CALL
// RUN: FileCheck %s --check-prefix=LOG < %t.log
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_FAIL=cuLaunchKernel not diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=LAUNCH
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_FAIL=cuStreamSynchronize not diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=FAULT
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_MEMORY=600 not diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=OOM
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_CC=7.5 not diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=NOCODE
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_DEVICES=0 not diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=NODEVICE
// RUN: test ! -e %t.bad.npy
// An sm_86 device runs the sm_80 cubin; a CPU-only artifact has no GPU code.
// RUN: diffc compile %s --target=sm_80,x86_64 -o %t.80.diffc
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_CC=8.6 diffc-run %t.80.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.y80.npy --out %t.s80.npy -v 2>&1 | FileCheck %s --check-prefix=SM86
// RUN: diffc compile %s -o %t.cpu.diffc
// RUN: env DIFFC_LIBCUDA=%mock_cuda not diffc-run %t.cpu.diffc call f --device=cuda --arg %t.x.npy --arg f32:0.5 --out %t.bad.npy --out %t.bad2.npy 2>&1 | FileCheck %s --check-prefix=CPUONLY
// auto picks the GPU when the artifact has GPU code and a device is there,
// the CPU otherwise; eval stays on the CPU.
// RUN: env DIFFC_LIBCUDA=%mock_cuda diffc-run %t.diffc call f --arg %t.x.npy --arg f32:0.5 --out %t.auto.npy --out %t.auto2.npy -v 2>&1 | FileCheck %s --check-prefix=CALL
// RUN: env DIFFC_LIBCUDA=%mock_cuda diffc-run %t.cpu.diffc call f --arg %t.x.npy --arg f32:0.5 --out %t.auto.npy --out %t.auto2.npy -v 2>&1 | FileCheck %s --check-prefix=AUTOCPU
// RUN: env DIFFC_LIBCUDA=%mock_cuda not diffc-run %t.diffc eval --device=cuda 2>&1 | FileCheck %s --check-prefix=EVAL
// Training runs its step on the GPU too: the toy model's train_step host
// code and kernels (the mock runs no kernel, so only the steps, the log and
// the checkpoint are checked here; the step's numerics are checked as host
// loops in train-step-host-loops.mlir).
// RUN: rm -rf %t.train && mkdir -p %t.train
// RUN: %python %S/../Tools/Inputs/toy_train.py 1 8 8 --weights %t.train/init.safetensors 0 0 > %t.train/toy.mlir
// RUN: diffc compile %t.train/toy.mlir --weights %t.train/init.safetensors --target=sm_90,x86_64 -o %t.train/toy.diffc
// RUN: env DIFFC_LIBCUDA=%mock_cuda DIFFC_MOCK_CUDA_LOG=%t.train/launches.log diffc-run %t.train/toy.diffc train --device=cuda --data digits --batch 16 --steps 3 --seed 1 --log %t.train/a.csv --checkpoint-dir %t.train/ckpt -v 2>&1 | FileCheck %s --check-prefix=TRAIN
// RUN: %python %S/../Tools/Inputs/train_check.py steps %t.train/a.csv 3
// RUN: grep -c train_step %t.train/launches.log | FileCheck %s --check-prefix=TRAINLAUNCH
// TRAIN: diffc-run: loaded the sm_90 ptx (JIT-compiled) with {{[0-9]+}} kernel(s) on diffc mock GPU (sm_130)
// TRAINLAUNCH: {{[1-9][0-9]*}}

// CALL-NOT: error
// CALL: diffc-run: loaded the sm_90 ptx (JIT-compiled) with 3 kernel(s) on diffc mock GPU (sm_130)
// Kernel 0: x * s + x over 3 * 2 * 33 = 198 elements in one block of 256:
// the element count, x (rank 3: 9 slots), s in a rank-0 buffer the host
// code filled (3 slots), the result (9 slots).
// LOG: launch f_kernel grid=1,1,1 block=256,1,1 smem=0 params=22
// Kernel 1: zeroing the sums (count + rank 2); kernel 2: one thread per
// (i, j) summing over the last dimension (count + rank 2 + rank 3).
// LOG-NEXT: launch f_kernel_0 grid=1,1,1 block=256,1,1 smem=0 params=8
// LOG-NEXT: launch f_kernel_1 grid=1,1,1 block=256,1,1 smem=0 params=17
// LOG-NOT: launch
// LAUNCH: diffc-run: error: {{.*}}.diffc: entry point "f": kernel f_kernel: cuLaunchKernel failed: CUDA_ERROR_LAUNCH_FAILED (unspecified launch failure)
// FAULT: diffc-run: error: {{.*}}.diffc: entry point "f": cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory access was encountered)
// OOM: diffc-run: error: {{.*}}.diffc: entry point "f": out of GPU memory: {{[0-9]+}} bytes requested on diffc mock GPU, {{[0-9]+}} of 600 bytes free
// NOCODE: diffc-run: error: {{.*}}.diffc has no code for diffc mock GPU (sm_75): its GPU targets are sm_90 (cubin), sm_90 (ptx); recompile with --target=sm_75
// NODEVICE: diffc-run: error: --device=cuda: the NVIDIA driver found no CUDA device
// SM86: diffc-run: loaded the sm_80 cubin with 3 kernel(s) on diffc mock GPU (sm_86)
// CPUONLY: diffc-run: error: {{.*}}.cpu.diffc has no code for diffc mock GPU (sm_130): it has no GPU code objects; recompile with --target=sm_130
// AUTOCPU-NOT: loaded the
// AUTOCPU: parameter(s) bound
// EVAL: diffc-run: error: --device=cuda: eval runs on the CPU only for now (docs/gpu.md); use --device=cpu

func.func @f(%x: tensor<?x2x33xf32>, %s: f32) -> (tensor<?x2x33xf32>, tensor<?x2xf32>) {
  %st = tensor.from_elements %s : tensor<f32>
  %0 = diffc.mul %x, %st : (tensor<?x2x33xf32>, tensor<f32>) -> tensor<?x2x33xf32>
  %1 = diffc.add %0, %x : (tensor<?x2x33xf32>, tensor<?x2x33xf32>) -> tensor<?x2x33xf32>
  %2 = diffc.reduce sum %1 {dims = array<i64: 2>} : (tensor<?x2x33xf32>) -> tensor<?x2xf32>
  return %1, %2 : tensor<?x2x33xf32>, tensor<?x2xf32>
}
