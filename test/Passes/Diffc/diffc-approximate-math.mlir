// RUN: diffc-opt %s --split-input-file --diffc-approximate-math | FileCheck %s
// RUN: diffc-opt %s --split-input-file --diffc-approximate-math="ops=tanh" | FileCheck %s --check-prefix=TANH

// f32 exp becomes arith ops (range reduction, polynomial, exponent bits);
// f64 exp is left to libm; tanh is left alone unless asked for.
// CHECK-LABEL: func.func @silu
//   CHECK-NOT:   math.exp
//       CHECK:   arith.bitcast
//       CHECK:   math.tanh
// TANH-LABEL: func.func @silu
//       TANH:   math.exp
//   TANH-NOT:   math.tanh
func.func @silu(%x: f32) -> (f32, f32) {
  %one = arith.constant 1.0 : f32
  %n = arith.negf %x : f32
  %e = math.exp %n : f32
  %d = arith.addf %one, %e : f32
  %s = arith.divf %x, %d : f32
  %t = math.tanh %x : f32
  return %s, %t : f32, f32
}

// -----

// CHECK-LABEL: func.func @double
//       CHECK:   math.exp %{{.*}} : f64
func.func @double(%x: f64) -> f64 {
  %e = math.exp %x : f64
  return %e : f64
}
