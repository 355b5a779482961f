// RUN: diffc-opt %s --split-input-file --diffc-parallelize-loops | FileCheck %s
// RUN: diffc-opt %s --split-input-file --diffc-parallelize-loops="max-dims=1" | FileCheck %s --check-prefix=DIM1
// RUN: diffc-opt %s --split-input-file --diffc-parallelize-loops="min-work=100000" | FileCheck %s --check-prefix=STRICT
// RUN: diffc-opt %s --split-input-file --diffc-parallelize-loops --convert-scf-to-openmp | FileCheck %s --check-prefix=OMP

// An NCHW elementwise loop (28 x 28 x 32 per sample = 25088 >= 4096): the
// two leading dimensions stay parallel, H and W become an scf.for nest.
// CHECK-LABEL: func.func @nchw
//       CHECK:   scf.parallel (%[[N:.*]], %[[C:.*]]) = (%{{.*}}, %{{.*}}) to (%{{.*}}, %{{.*}})
//       CHECK:     scf.for %[[H:.*]] =
//       CHECK:       scf.for %[[W:.*]] =
//       CHECK:         memref.load %{{.*}}[%[[N]], %[[C]], %[[H]], %[[W]]]
//   CHECK-NOT:   scf.parallel
// With max-dims=1 only N is parallel.
// DIM1-LABEL: func.func @nchw
//       DIM1:   scf.parallel (%{{[a-z0-9]+}}) =
//       DIM1:     scf.for
//       DIM1:       scf.for
//       DIM1:         scf.for
// With min-work=100000 the same loop (25088 static iterations) is too small
// to fork: it becomes serial.
// STRICT-LABEL: func.func @nchw
//   STRICT-NOT:   scf.parallel
//       STRICT:   scf.for
//       STRICT:     scf.for
//       STRICT:       scf.for
//       STRICT:         scf.for
// OMP-LABEL: func.func @nchw
//       OMP:   omp.parallel
//       OMP:     omp.wsloop
//       OMP:       omp.loop_nest (%{{.*}}, %{{.*}}) : index =
//       OMP:         scf.for
//       OMP:           scf.for
func.func @nchw(%x: memref<?x32x28x28xf32>, %y: memref<?x32x28x28xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c28 = arith.constant 28 : index
  %c32 = arith.constant 32 : index
  %n = memref.dim %x, %c0 : memref<?x32x28x28xf32>
  scf.parallel (%i, %j, %k, %l) = (%c0, %c0, %c0, %c0) to (%n, %c32, %c28, %c28) step (%c1, %c1, %c1, %c1) {
    %v = memref.load %x[%i, %j, %k, %l] : memref<?x32x28x28xf32>
    %e = math.exp %v : f32
    memref.store %e, %y[%i, %j, %k, %l] : memref<?x32x28x28xf32>
    scf.reduce
  }
  return
}

// -----

// Small work (a [?, 128] time embedding: 128 per sample) is not worth a fork.
// CHECK-LABEL: func.func @small
//   CHECK-NOT:   scf.parallel
//       CHECK:   scf.for
//       CHECK:     scf.for
// OMP-LABEL: func.func @small
//   OMP-NOT:   omp.parallel
func.func @small(%x: memref<?x128xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %cst = arith.constant 2.0 : f32
  %n = memref.dim %x, %c0 : memref<?x128xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c128) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<?x128xf32>
    %m = arith.mulf %v, %cst : f32
    memref.store %m, %x[%i, %j] : memref<?x128xf32>
    scf.reduce
  }
  return
}

// -----

// A reduction (GroupNorm statistics: 8 groups x 4 x 784) counts its inner
// serial loop towards the work; the parallel loop nested in the outer one
// (a second pass over the group) becomes serial, so only one fork is made.
// CHECK-LABEL: func.func @nested
//       CHECK:   scf.parallel (%{{.*}}, %{{.*}}) =
//       CHECK:     scf.for
//       CHECK:     scf.for
//   CHECK-NOT:     scf.parallel
// OMP-LABEL: func.func @nested
//       OMP:   omp.parallel
//   OMP-NOT:   omp.parallel
func.func @nested(%x: memref<?x8x3136xf32>, %s: memref<?x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c3136 = arith.constant 3136 : index
  %n = memref.dim %x, %c0 : memref<?x8x3136xf32>
  scf.parallel (%i, %g) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) {
    scf.for %r = %c0 to %c3136 step %c1 {
      %v = memref.load %x[%i, %g, %r] : memref<?x8x3136xf32>
      %a = memref.load %s[%i, %g] : memref<?x8xf32>
      %b = arith.addf %a, %v : f32
      memref.store %b, %s[%i, %g] : memref<?x8xf32>
    }
    scf.parallel (%r) = (%c0) to (%c3136) step (%c1) {
      %v = memref.load %x[%i, %g, %r] : memref<?x8x3136xf32>
      %a = memref.load %s[%i, %g] : memref<?x8xf32>
      %b = arith.subf %v, %a : f32
      memref.store %b, %x[%i, %g, %r] : memref<?x8x3136xf32>
      scf.reduce
    }
    scf.reduce
  }
  return
}
