// RUN: diffc-opt %s --diffc-gpu-launch-to-loops -split-input-file -verify-diagnostics

// Test: a barrier under control flow has no phase reading: refused.
func.func @nested_barrier(%c: i1) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{a barrier is nested in its body's control flow}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    scf.if %c {
      gpu.barrier
    }
    gpu.terminator
  }
  return
}

// -----

// Test: a thread's own value used after a barrier cannot be kept across the
// phases of host loops.
func.func @crossing(%out: memref<4xindex>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1) {
    %v = arith.addi %tx, %c1 : index
    gpu.barrier
    // expected-error @+1 {{a value crosses a barrier}}
    memref.store %v, %out[%tx] : memref<4xindex>
    gpu.terminator
  }
  return
}
