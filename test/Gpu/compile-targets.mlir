// diffc compile for every GPU generation diffc supports plus x86-64: one
// artifact with a cubin (assembled by ptxas; a rejected kernel fails the
// compile) and the PTX per target, the kernel table, and the x86-64 code.
// REQUIRES: ptxas
// RUN: diffc compile %s --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120,x86_64 -o %t.diffc
// RUN: diffc-run %t.diffc inspect | FileCheck %s
// RUN: diffc compile %s --target=sm_80 --emit=ptx | FileCheck %s --check-prefix=PTX80
// RUN: diffc compile %s --target=sm_90 --emit=ptx | FileCheck %s --check-prefix=PTX90
// RUN: diffc compile %s --target=sm_120,sm_80 --emit=ptx | FileCheck %s --check-prefix=PTX120
// RUN: diffc compile %s --target=sm_90 --emit=mlir | FileCheck %s --check-prefix=MLIR
// ptxas's register and shared-memory figures per kernel and target, and the
// occupancy they allow, in --stats and in the artifact (above).
// RUN: diffc compile %s --target=sm_80,sm_120 --stats -o %t.stats.diffc | FileCheck %s --check-prefix=STATS
// STATS: sm_80: 2 kernels, at most {{[1-9][0-9]*}} registers, 0 spilling, occupancy min {{[01]\.[0-9]+}} median {{[01]\.[0-9]+}}
// STATS: sm_120: 2 kernels, at most {{[1-9][0-9]*}} registers, 0 spilling
// The x86-64 code still runs, next to the GPU code.
// RUN: %python %S/../e2e/harness.py --diffc-run diffc-run --artifact %t.diffc --case bias_silu_residual --case ddim_epsilon_eta | FileCheck %s --check-prefix=CPU
// ptxas accepts the kernels of the other GPU-lowered programs for every
// target too: Philox noise, schedules and whole DDIM loops; the compiled
// samplers; Adam/AdamW/EMA and Philox integers.
// RUN: diffc compile %S/../e2e/schedules.mlir --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120 -o %t.sched.diffc
// RUN: diffc compile %S/../e2e/samplers.mlir --sampler=ddim,ddpm --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120 -o %t.samplers.diffc
// RUN: diffc compile %S/../e2e/training.mlir --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120 -o %t.train.diffc
// RUN: diffc-run %t.sched.diffc inspect | FileCheck %s --check-prefix=ONLYGPU
// ONLYGPU:      "code_objects": [
// ONLYGPU-NEXT:   {"target": "x86_64", "format": "cuda_host_shared_object"
// ONLYGPU-NEXT:   {"target": "sm_80", "format": "cubin"
// ONLYGPU:        {"target": "sm_120", "format": "ptx"
// ONLYGPU-NEXT: ],
// RUN: not diffc compile %s --target=sm_70 -o %t.bad 2>&1 | FileCheck %s --check-prefix=BADTARGET
// RUN: not diffc compile %s --target=sm_90,sm_90 -o %t.bad 2>&1 | FileCheck %s --check-prefix=TWICE

// CHECK:      "code_objects": [
// CHECK-NEXT:   {"target": "x86_64", "format": "elf_shared_object"
// CHECK-NEXT:   {"target": "x86_64", "format": "cuda_host_shared_object"
// CHECK-NEXT:   {"target": "sm_80", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_80", "format": "ptx"
// CHECK-NEXT:   {"target": "sm_86", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_86", "format": "ptx"
// CHECK-NEXT:   {"target": "sm_89", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_89", "format": "ptx"
// CHECK-NEXT:   {"target": "sm_90", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_90", "format": "ptx"
// CHECK-NEXT:   {"target": "sm_100", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_100", "format": "ptx"
// CHECK-NEXT:   {"target": "sm_120", "format": "cubin"
// CHECK-NEXT:   {"target": "sm_120", "format": "ptx"
// CHECK-NEXT: ],
// CHECK-NEXT: "gpu_kernels": [
// CHECK-NEXT:   {"name": "bias_silu_residual_kernel", "function": "bias_silu_residual", "grid_rule": "elementwise_1d", "block": [256, 1, 1], "shared_memory_bytes": 0, "static_elements": -1, "params": ["elements:i64", "arg0:buffer<rank 4, f32>", "arg1:buffer<rank 3, f32>", "arg2:buffer<rank 4, f32>", "result0:buffer<rank 4, f32>"], "resources": [{"target": "sm_80", "registers": {{[1-9][0-9]*}}, "shared_memory_bytes": 0, "spill_bytes": 0, "occupancy": {{0\.[0-9]*[1-9][0-9]*|1\.000}}}, {{.*}}{"target": "sm_120", "registers": {{[1-9][0-9]*}}, {{[^}]*}}}]}
// The alphas are read on the host (host values), the tensors are buffers.
// CHECK-NEXT:   {"name": "ddim_epsilon_eta_kernel", "function": "ddim_epsilon_eta", "grid_rule": "elementwise_1d", "block": [256, 1, 1], "shared_memory_bytes": 0, "static_elements": -1, "params": ["elements:i64", "arg1:buffer<rank 4, f32>", "arg0:buffer<rank 4, f32>", "arg6:buffer<rank 4, f32>", {{.*}}"host:f32", {{.*}}"result0:buffer<rank 4, f32>"], "resources": [{{.*}}]}
// CHECK-NEXT: ],

// PTX80: .version 7.0
// PTX80: .target sm_80
// PTX80: .visible .entry bias_silu_residual_kernel(
// PTX80: .visible .entry ddim_epsilon_eta_kernel(
// PTX90: .version 7.8
// PTX90: .target sm_90
// PTX120: .version 8.7
// PTX120: .target sm_120

// MLIR-LABEL: func.func @bias_silu_residual
// MLIR:         gpu.launch
// MLIR-LABEL: func.func @ddim_epsilon_eta
// MLIR:         gpu.launch
// MLIR-NOT:     linalg.generic

// CPU-COUNT-2: ok
// CPU-NOT: FAIL

// BADTARGET: diffc: error: unknown or unsupported target 'sm_70' (supported: x86_64, sm_80, sm_86, sm_89, sm_90, sm_100, sm_120)
// TWICE: diffc: error: target 'sm_90' is listed twice

func.func @bias_silu_residual(%x: tensor<?x4x5x5xf32>, %b: tensor<4x1x1xf32>, %r: tensor<?x4x5x5xf32>) -> tensor<?x4x5x5xf32> {
  %0 = diffc.add %x, %b : (tensor<?x4x5x5xf32>, tensor<4x1x1xf32>) -> tensor<?x4x5x5xf32>
  %1 = diffc.silu %0 : tensor<?x4x5x5xf32>
  %2 = diffc.add %1, %r : (tensor<?x4x5x5xf32>, tensor<?x4x5x5xf32>) -> tensor<?x4x5x5xf32>
  return %2 : tensor<?x4x5x5xf32>
}

!x = tensor<?x1x6x6xf32>
func.func @ddim_epsilon_eta(%eps: !x, %x: !x, %abar: tensor<1000xf32>, %t: i64, %tp: i64, %eta: f32, %z: !x) -> !x {
  %0 = diffc.ddim_step %eps, %x, %abar, %t, %tp, %eta, %z prediction epsilon : (!x, !x, tensor<1000xf32>, i64, i64, f32, !x) -> !x
  return %0 : !x
}
