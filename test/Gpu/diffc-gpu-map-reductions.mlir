// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-reductions="verify=false" | FileCheck %s

// A matrix product: one thread per output (i, j), the K loop carried in
// order from C's initial value, then stored.
// CHECK-LABEL: func.func @matmul
//       CHECK:   gpu.launch
//       CHECK:     %[[ID:.*]] = arith.addi
//       CHECK:     scf.if
//       CHECK:       %[[J:.*]] = arith.remui %[[ID]], %c2
//       CHECK:       %[[I:.*]] = arith.divui %[[ID]], %c2
//       CHECK:       %[[C0:.*]] = memref.load %{{.*}}[%[[I]], %[[J]]] : memref<4x2xf32>
//       CHECK:       %[[S:.*]] = scf.for %[[K:.*]] = %{{.*}} to %c8 step %{{.*}} iter_args(%[[ACC:.*]] = %[[C0]]) -> (f32)
//       CHECK:         memref.load %{{.*}}[%[[I]], %[[K]]] : memref<4x8xf32>
//       CHECK:         memref.load %{{.*}}[%[[K]], %[[J]]] : memref<8x2xf32>
//       CHECK:         arith.mulf
//       CHECK:         %[[N:.*]] = arith.addf %[[ACC]]
//       CHECK:         scf.yield %[[N]]
//       CHECK:       memref.store %[[S]], %{{.*}}[%[[I]], %[[J]]]
//       CHECK:   diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = 8 : i64}
//   CHECK-NOT:   linalg.
func.func @matmul(%a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x2xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>)
  return
}

// -----

// A reduction in the middle ([N, R, C] -> [N, C]) with two outputs and a
// dynamic extent: threads over (n, c), the reduction loop over r; all-
// parallel ops are left for diffc-gpu-map-elementwise.
// CHECK-LABEL: func.func @middle_two_results
//       CHECK:   linalg.fill
//       CHECK:   gpu.launch
//       CHECK:     scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32)
//       CHECK:       arith.maximumf
//       CHECK:       arith.addf
//   CHECK-NOT:   linalg.generic
func.func @middle_two_results(%x: memref<?x5x3xf32>, %m: memref<?x3xf32>, %s: memref<?x3xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<?x3xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d2)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x : memref<?x5x3xf32>) outs(%m, %s : memref<?x3xf32>, memref<?x3xf32>) {
  ^bb0(%a: f32, %mo: f32, %so: f32):
    %mx = arith.maximumf %a, %mo : f32
    %sm = arith.addf %a, %so : f32
    linalg.yield %mx, %sm : f32, f32
  }
  return
}

// -----

// A full reduction to a scalar: one thread.
// CHECK-LABEL: func.func @all
//       CHECK:   gpu.launch
//       CHECK:     scf.for
//       CHECK:       scf.for
//       CHECK:   elements = 1 : i64
func.func @all(%x: memref<4x8xf32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                  iterator_types = ["reduction", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<f32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  }
  return
}
