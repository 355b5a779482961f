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

// -----

// Test: top-level barriers split the body into phases, each its own thread
// loops inside the block loops; workgroup memory becomes one host buffer
// shared by the threads of a block, freed after the loops.
// CHECK-LABEL: func.func @two_phases
// CHECK:         %[[SHM:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         scf.for
// CHECK-NEXT:      scf.for
// CHECK-NEXT:        scf.for %[[BX:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT:          scf.for
// CHECK-NEXT:            scf.for
// CHECK-NEXT:              scf.for %[[TX:.*]] = %{{.*}} to %{{.*}} step
// CHECK:                     memref.store %{{.*}}, %[[SHM]][%[[TX]]] : memref<4xf32>
// CHECK:                 }
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:        scf.for
// CHECK-NEXT:          scf.for
// CHECK-NEXT:            scf.for %[[TX2:.*]] = %{{.*}} to %{{.*}} step
// CHECK-NEXT:              %[[R:.*]] = arith.subi %{{.*}}, %[[TX2]]
// CHECK-NEXT:              memref.load %[[SHM]][%[[R]]] : memref<4xf32>
// CHECK-NOT:     gpu.barrier
// CHECK:         memref.dealloc %[[SHM]] : memref<4xf32>
func.func @two_phases(%x: memref<8xf32>, %y: memref<8xf32>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c2, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c4, %sy = %c1, %sz = %c1)
             workgroup(%shm : memref<4xf32, #gpu.address_space<workgroup>>) {
    %i = arith.muli %bx, %c4 : index
    %j = arith.addi %i, %tx : index
    %v = memref.load %x[%j] : memref<8xf32>
    memref.store %v, %shm[%tx] : memref<4xf32, #gpu.address_space<workgroup>>
    gpu.barrier
    %r = arith.subi %c3, %tx : index
    %w = memref.load %shm[%r] : memref<4xf32, #gpu.address_space<workgroup>>
    %i2 = arith.muli %bx, %c4 : index
    %j2 = arith.addi %i2, %tx : index
    memref.store %w, %y[%j2] : memref<8xf32>
    gpu.terminator
  }
  return
}
