// RUN: diffc-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(diffc-plan-memory))" | FileCheck %s

// a -> b -> c: a is dead when c is allocated, so c takes a's bytes; the
// returned buffer escapes and keeps its own allocation. Per row of the batch
// each buffer is 16 x 4 = 64 bytes: planned peak 128, no-reuse sum 192.
// CHECK-LABEL: func.func @chain
//       CHECK:   %[[N:.*]] = memref.dim %arg0
//       CHECK:   %[[ARENA:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64, diffc.arena = {buffers = 4 : i64, peak_per_batch = 128 : i64, peak_static = 128 : i64, sum_per_batch = 192 : i64, sum_static = 128 : i64}} : memref<?xi8>
//   CHECK-COUNT-3:   memref.view %[[ARENA]][%{{.*}}][%[[N]]] : memref<?xi8> to memref<?x16xf32>
//       CHECK:   memref.view %[[ARENA]][%{{.*}}][] : memref<?xi8> to memref<32xf32>
//       CHECK:   %[[OUT:.*]] = memref.alloc(%[[N]]) : memref<?x16xf32>
//       CHECK:   return %[[OUT]]
func.func @chain(%arg0: memref<?x16xf32>) -> memref<?x16xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %arg0, %c0 : memref<?x16xf32>
  %a = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%arg0 : memref<?x16xf32>) outs(%a : memref<?x16xf32>)
  %b = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%a : memref<?x16xf32>) outs(%b : memref<?x16xf32>)
  %c = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%b : memref<?x16xf32>) outs(%c : memref<?x16xf32>)
  %s = memref.alloc() : memref<32xf32>
  %out = memref.alloc(%n) : memref<?x16xf32>
  linalg.copy ins(%c : memref<?x16xf32>) outs(%out : memref<?x16xf32>)
  return %out : memref<?x16xf32>
}

// -----

// Extents of different SSA values that resolve to the same input dimension
// (through a collapse_shape) share one region: %b has 2n rows of 8 floats,
// 64 bytes per unit of n like %a; both are live together, so peak = sum.
// CHECK-LABEL: func.func @views
//       CHECK:   memref.alloc(%{{.*}}) {alignment = 64 : i64, diffc.arena = {buffers = 2 : i64, peak_per_batch = 128 : i64, peak_static = 0 : i64, sum_per_batch = 128 : i64, sum_static = 0 : i64}}
func.func @views(%arg0: memref<?x2x8xf32>) {
  %c0 = arith.constant 0 : index
  %collapsed = memref.collapse_shape %arg0 [[0, 1], [2]] : memref<?x2x8xf32> into memref<?x8xf32>
  %m = memref.dim %collapsed, %c0 : memref<?x8xf32>
  %n = memref.dim %arg0, %c0 : memref<?x2x8xf32>
  %a = memref.alloc(%n) : memref<?x16xf32>
  %b = memref.alloc(%m) : memref<?x8xf32>
  linalg.copy ins(%collapsed : memref<?x8xf32>) outs(%b : memref<?x8xf32>)
  %ac = memref.collapse_shape %a [[0, 1]] : memref<?x16xf32> into memref<?xf32>
  %bc = memref.collapse_shape %b [[0, 1]] : memref<?x8xf32> into memref<?xf32>
  return
}

// -----

// A use through memref.transpose (no ViewLikeOpInterface in MLIR 22) keeps
// %a alive until the last copy, so %b cannot take its bytes: peak = sum.
// CHECK-LABEL: func.func @transposed_use
//       CHECK:   diffc.arena = {buffers = 2 : i64, peak_per_batch = 0 : i64, peak_static = 128 : i64, sum_per_batch = 0 : i64, sum_static = 128 : i64}
func.func @transposed_use(%arg0: memref<4x4xf32>, %out: memref<4x4xf32>) {
  %a = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%arg0 : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
  %t = memref.transpose %a (i, j) -> (j, i) : memref<4x4xf32> to memref<4x4xf32, strided<[1, 4]>>
  %b = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%arg0 : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  linalg.copy ins(%t : memref<4x4xf32, strided<[1, 4]>>) outs(%out : memref<4x4xf32>)
  linalg.copy ins(%b : memref<4x4xf32>) outs(%out : memref<4x4xf32>)
  return
}
