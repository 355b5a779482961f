// On a machine with an NVIDIA driver and GPU (scripts/gpu-check.sh): diffc-run
// devices lists it, and --device=cuda runs the entry point's kernel on it,
// agreeing with the CPU code and float64. Elsewhere lit reports this test
// UNSUPPORTED (test/Gpu/diffc-run-cuda-mock.mlir covers the path on the mock
// driver).
// REQUIRES: cuda-driver, ptxas
// RUN: diffc compile %s --target=sm_80,sm_86,sm_89,sm_90,sm_100,sm_120,x86_64 -o %t.diffc
// RUN: diffc-run devices | FileCheck %s --check-prefix=DEVICES
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.random.default_rng(0).standard_normal((1000, 8)).astype(np.float32))"
// RUN: diffc-run %t.diffc call f --device=cuda --arg %t.x.npy --out %t.gpu.npy -v 2>&1 | FileCheck %s
// RUN: diffc-run %t.diffc call f --device=cpu --arg %t.x.npy --out %t.cpu.npy
// RUN: %python -c "import numpy as np; x = np.load('%t.x.npy').astype(np.float64); g = np.load('%t.gpu.npy'); c = np.load('%t.cpu.npy'); ref = x / (1 + np.exp(-x)); print('gpu-f64', np.abs(g - ref).max() < 1e-6, 'gpu-cpu', np.abs(g - c).max() < 1e-6)" | FileCheck %s --check-prefix=AGREE

// DEVICES: cuda:0: {{.*}}, compute capability {{[0-9]+}}.{{[0-9]}} (sm_{{[0-9]+}})
// CHECK: diffc-run: loaded the sm_{{[0-9]+}} {{cubin|ptx}}{{.*}} with 1 kernel(s) on
// AGREE: gpu-f64 True gpu-cpu True

func.func @f(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = diffc.silu %x : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
