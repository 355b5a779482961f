// The CPU pipeline computes f32 exp with MLIR's polynomial approximation
// (diffc-approximate-math), not glibc's expf: within 5e-7 relative error of
// float64 exp wherever the result is a normal float32, and exact at the
// special values (0, +-inf, NaN, overflow to inf, underflow to 0).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/Inputs/exp_accuracy.py make %t.x.npy
// RUN: diffc-run %t.diffc call exp --arg %t.x.npy --out %t.y.npy
// RUN: %python %S/Inputs/exp_accuracy.py check %t.x.npy %t.y.npy | FileCheck %s
// CHECK: normal range: {{[0-9]+}} inputs, max relative error
// CHECK-NEXT: normal range ok
// CHECK-NEXT: specials ok
func.func @exp(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = diffc.exp %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}
