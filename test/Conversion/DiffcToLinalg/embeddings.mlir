// RUN: diffc-opt %s --split-input-file --diffc-convert-to-linalg | FileCheck %s

// One generic over [N, dim]: column j uses frequency exp(-ln(10000) / (3 - 1)
// * (j mod 3)); cos first (flip_sin_to_cos), and the odd column 6 is zero.
// The phase is evaluated in f64 and rounded once.
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @timestep_embedding
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0.000000e+00 : f64
//   CHECK-DAG:   %[[C6:.*]] = arith.constant 6 : index
//   CHECK-DAG:   %[[EXP:.*]] = arith.constant -4.6051701859880918 : f64
//   CHECK-DAG:   %[[C3:.*]] = arith.constant 3 : index
//       CHECK:   linalg.generic {indexing_maps = [#[[T]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%{{.*}} : tensor<?xi64>) outs(%{{.*}} : tensor<?x7xf32>)
//       CHECK:   ^bb0(%[[TV:.*]]: i64, %{{.*}}: f32):
//       CHECK:     %[[TF:.*]] = arith.sitofp %[[TV]] : i64 to f64
//       CHECK:     %[[J:.*]] = linalg.index 1 : index
//       CHECK:     %[[FIRST:.*]] = arith.cmpi ult, %[[J]], %[[C3]] : index
//       CHECK:     %[[JH:.*]] = arith.subi %[[J]], %[[C3]]
//       CHECK:     %[[K:.*]] = arith.select %[[FIRST]], %[[J]], %[[JH]] : index
//       CHECK:     %[[KF:.*]] = arith.sitofp %{{.*}} : i64 to f64
//       CHECK:     %[[E:.*]] = arith.mulf %[[KF]], %[[EXP]] : f64
//       CHECK:     %[[F:.*]] = math.exp %[[E]] : f64
//       CHECK:     %[[PH:.*]] = arith.mulf %[[TF]], %[[F]] : f64
//       CHECK:     %[[SIN:.*]] = math.sin %[[PH]] : f64
//       CHECK:     %[[COS:.*]] = math.cos %[[PH]] : f64
//       CHECK:     %[[V:.*]] = arith.select %[[FIRST]], %[[COS]], %[[SIN]] : f64
//       CHECK:     %[[IN:.*]] = arith.cmpi ult, %[[J]], %[[C6]] : index
//       CHECK:     %[[P:.*]] = arith.select %[[IN]], %[[V]], %[[ZERO]] : f64
//       CHECK:     %[[R:.*]] = arith.truncf %[[P]] : f64 to f32
//       CHECK:     linalg.yield %[[R]] : f32
func.func @timestep_embedding(%t: tensor<?xi64>) -> tensor<?x7xf32> {
  %0 = diffc.timestep_embedding %t {dim = 7 : i64, flip_sin_to_cos = true} : (tensor<?xi64>) -> tensor<?x7xf32>
  return %0 : tensor<?x7xf32>
}

// -----

// A gather in the body. An index outside [0, 11) reads row 0 (the read
// stays in bounds) and yields NaN.
// CHECK-LABEL: func.func @embedding
//  CHECK-SAME:   (%[[TABLE:.*]]: tensor<11x8xf32>, %[[IDX:.*]]: tensor<?xi32>)
//   CHECK-DAG:   %[[NAN:.*]] = arith.constant 0x7FC00000 : f32
//   CHECK-DAG:   %[[ZERO:.*]] = arith.constant 0 : i32
//   CHECK-DAG:   %[[ROWS:.*]] = arith.constant 11 : i32
//       CHECK:   linalg.generic {{.*}} ins(%[[IDX]] : tensor<?xi32>) outs(%{{.*}} : tensor<?x8xf32>)
//       CHECK:   ^bb0(%[[I:.*]]: i32, %{{.*}}: f32):
//   CHECK-DAG:     %[[LT:.*]] = arith.cmpi slt, %[[I]], %[[ROWS]] : i32
//   CHECK-DAG:     %[[GE:.*]] = arith.cmpi sge, %[[I]], %[[ZERO]] : i32
//       CHECK:     %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
//       CHECK:     %[[SAFE:.*]] = arith.select %[[OK]], %[[I]], %[[ZERO]] : i32
//       CHECK:     %[[ROW:.*]] = arith.index_cast %[[SAFE]] : i32 to index
//       CHECK:     %[[COL:.*]] = linalg.index 1 : index
//       CHECK:     %[[V:.*]] = tensor.extract %[[TABLE]][%[[ROW]], %[[COL]]] : tensor<11x8xf32>
//       CHECK:     %[[Y:.*]] = arith.select %[[OK]], %[[V]], %[[NAN]] : f32
//       CHECK:     linalg.yield %[[Y]] : f32
func.func @embedding(%table: tensor<11x8xf32>, %labels: tensor<?xi32>) -> tensor<?x8xf32> {
  %0 = diffc.embedding %table, %labels : (tensor<11x8xf32>, tensor<?xi32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// Squared distances [N, 5, 16] (reduction over the 4-vector), an argmin
// over the 16 codes that keeps the lower index on ties, and a gather of the
// chosen rows back into the input's layout.
// CHECK-DAG: #[[ZREAD:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1)>
// CHECK-DAG: #[[CREAD:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[DIST:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[POS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[GATHER:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @vector_quantize
//  CHECK-SAME:   (%[[Z:.*]]: tensor<?x4x5xf32>, %[[CB:.*]]: tensor<16x4xf32>)
//   CHECK-DAG:   %[[INF:.*]] = arith.constant 0x7F800000 : f32
//       CHECK:   %[[D:.*]] = linalg.generic {indexing_maps = [#[[ZREAD]], #[[CREAD]], #[[DIST]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[Z]], %[[CB]] : tensor<?x4x5xf32>, tensor<16x4xf32>) outs(%{{.*}} : tensor<?x5x16xf32>)
//       CHECK:     %[[DIFF:.*]] = arith.subf
//       CHECK:     arith.mulf %[[DIFF]], %[[DIFF]]
//       CHECK:   %[[BEST:.*]] = linalg.fill ins(%[[INF]] : f32) outs(%{{.*}} : tensor<?x5xf32>)
//       CHECK:   %[[ARG:.*]]:2 = linalg.generic {indexing_maps = [#{{.*}}, #[[POS]], #[[POS]]], iterator_types = ["parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[D]] : tensor<?x5x16xf32>) outs(%[[BEST]], %{{.*}} : tensor<?x5xf32>, tensor<?x5xi64>)
//       CHECK:   ^bb0(%[[DV:.*]]: f32, %[[BV:.*]]: f32, %[[BI:.*]]: i64):
//       CHECK:     %[[K:.*]] = arith.index_cast %{{.*}} : index to i64
//   CHECK-DAG:     %[[LESS:.*]] = arith.cmpf olt, %[[DV]], %[[BV]] : f32
//   CHECK-DAG:     %[[LOWER:.*]] = arith.cmpi slt, %[[K]], %[[BI]] : i64
//   CHECK-DAG:     %[[EQ:.*]] = arith.cmpf oeq, %[[DV]], %[[BV]] : f32
//       CHECK:     %[[TIE:.*]] = arith.andi %[[EQ]], %[[LOWER]] : i1
//       CHECK:     %[[TAKE:.*]] = arith.ori %[[LESS]], %[[TIE]] : i1
//       CHECK:     arith.select %[[TAKE]], %[[DV]], %[[BV]] : f32
//       CHECK:     arith.select %[[TAKE]], %[[K]], %[[BI]] : i64
//       CHECK:   %[[Q:.*]] = linalg.generic {indexing_maps = [#[[GATHER]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[ARG]]#1 : tensor<?x5xi64>) outs(%{{.*}} : tensor<?x4x5xf32>)
//       CHECK:     %[[ROW:.*]] = arith.index_cast %{{.*}} : i64 to index
//       CHECK:     %[[COL:.*]] = linalg.index 1 : index
//       CHECK:     tensor.extract %[[CB]][%[[ROW]], %[[COL]]] : tensor<16x4xf32>
//       CHECK:   return %[[Q]], %[[ARG]]#1
func.func @vector_quantize(%z: tensor<?x4x5xf32>, %cb: tensor<16x4xf32>) -> (tensor<?x4x5xf32>, tensor<?x5xi64>) {
  %q, %i = diffc.vector_quantize %z, %cb {axis = 1 : i64} : (tensor<?x4x5xf32>, tensor<16x4xf32>) -> (tensor<?x4x5xf32>, tensor<?x5xi64>)
  return %q, %i : tensor<?x4x5xf32>, tensor<?x5xi64>
}
