// RUN: diffc-opt %s --diffc-gpu-launch-to-loops -verify-diagnostics

// Test: threads that synchronize cannot run one after another.
func.func @barrier() {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot run a gpu.launch with barriers as host loops}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}
