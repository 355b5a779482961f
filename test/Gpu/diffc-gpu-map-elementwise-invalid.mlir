// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-elementwise -verify-diagnostics

// Test: a matrix product has a reduction loop: not this pass's work; alone
// (with verify) it is an error at its location.
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x2xf32>) {
  // expected-error @+1 {{'linalg.matmul' is not lowered for GPU targets: this pass maps all-parallel ops only; ops with reductions are diffc-gpu-map-reductions'}}
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>)
  return
}

// -----

// Test: a sum over the last dimension (a reduction generic) likewise.
func.func @row_sum(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  // expected-error @+1 {{'linalg.generic' is not lowered for GPU targets: this pass maps all-parallel ops only}}
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Test: calls of CPU kernels have no GPU counterpart.
func.func private @ukernel(memref<4xf32>)
func.func @calls(%x: memref<4xf32>) {
  // expected-error @+1 {{call of @ukernel is not yet lowered for GPU targets}}
  func.call @ukernel(%x) : (memref<4xf32>) -> ()
  return
}
