// On a machine with an NVIDIA driver and GPU (scripts/gpu-check.sh runs the
// lit suite there too): diffc-run devices lists it, and --device=cuda loads
// the artifact's code for it, then says that GPU execution is next.
// Elsewhere lit reports this test UNSUPPORTED.
// REQUIRES: cuda-driver, ptxas
// RUN: diffc compile %s --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120,x86_64 -o %t.diffc
// RUN: diffc-run devices | FileCheck %s --check-prefix=DEVICES
// RUN: not diffc-run %t.diffc call f --device=cuda 2>&1 | FileCheck %s

// DEVICES: cuda:0: {{.*}}, compute capability {{[0-9]+}}.{{[0-9]}} (sm_{{[0-9]+}})
// CHECK: diffc-run: error: {{.*}}: loaded the sm_{{[0-9]+}} {{cubin|ptx}}{{.*}} with 1 kernel(s) on {{.*}}, but running entry points on a CUDA device is not implemented yet

func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = diffc.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
