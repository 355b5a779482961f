// RUN: diffc-opt %s --split-input-file --diffc-gpu-launch-to-loops | FileCheck %s

// Test: the launch becomes six loops (block z, y, x, thread z, y, x) around
// its body, ids replaced by the induction variables.
// CHECK-LABEL: func.func @scale
// CHECK-NOT:     gpu.launch
// CHECK:         scf.for %[[BZ:.*]] = %{{.*}} to %{{.*}} step
// CHECK:           scf.for %[[BY:.*]] = %{{.*}} to %{{.*}} step
// CHECK:             scf.for %[[BX:.*]] = %{{.*}} to %[[G:.*]] step
// CHECK:               scf.for %[[TZ:.*]] = %{{.*}} to %{{.*}} step
// CHECK:                 scf.for %[[TY:.*]] = %{{.*}} to %{{.*}} step
// CHECK:                   scf.for %[[TX:.*]] = %{{.*}} to %{{.*}} step
// CHECK:                     %[[M:.*]] = arith.muli %[[BX]], %{{.*}}
// CHECK:                     arith.addi %[[M]], %[[TX]]
// CHECK-NOT:     gpu.terminator
func.func @scale(%x: memref<?xf32>, %n: index, %g: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %g, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %m = arith.muli %bx, %sx : index
    %i = arith.addi %m, %tx : index
    %in = arith.cmpi ult, %i, %n : index
    scf.if %in {
      %v = memref.load %x[%i] : memref<?xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %x[%i] : memref<?xf32>
    }
    gpu.terminator
  }
  return
}
