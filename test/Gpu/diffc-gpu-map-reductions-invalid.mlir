// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-reductions -verify-diagnostics

// Test: calls of CPU kernels have no GPU counterpart.
func.func private @ukernel(memref<4xf32>)
func.func @calls(%x: memref<4xf32>) {
  // expected-error @+1 {{call of @ukernel is not yet lowered for GPU targets}}
  func.call @ukernel(%x) : (memref<4xf32>) -> ()
  return
}

// -----

// Test: an all-parallel op left for this pass (diffc-gpu-map-elementwise
// did not run): an error that says which pass maps it.
func.func @fill(%x: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{'linalg.fill' is not lowered for GPU targets: all-parallel ops are diffc-gpu-map-elementwise's}}
  linalg.fill ins(%zero : f32) outs(%x : memref<4xf32>)
  return
}
