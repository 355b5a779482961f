// RUN: diffc-opt %s --split-input-file --verify-diagnostics --diffc-parallelize-loops
// RUN: not diffc-opt %s --diffc-parallelize-loops="max-dims=0" 2>&1 | FileCheck %s --check-prefix=DIMS

// DIMS: error: diffc-parallelize-loops: max-dims must be at least 1

func.func @reduction(%x: memref<4096xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %zero = arith.constant 0.0 : f32
  // expected-error @+1 {{diffc-parallelize-loops: parallel loop with reductions; the CPU pipeline expects reductions in inner scf.for loops}}
  %sum = scf.parallel (%i) = (%c0) to (%c4096) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<4096xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return %sum : f32
}
