// Gradients of elementwise ops, reductions and losses: each function is
// marked diffc.differentiate, so `diffc compile` adds @<name>_grad
// (diffc-autodiff); the harness checks the loss and its gradients in float64
// against central finite differences of the NumPy reference
// (cases_gradients.py, gradcheck.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case grad_add --case grad_sub --case grad_mul --case grad_div --case grad_pow --case grad_maximum --case grad_minimum --case grad_unary --case grad_reduce --case grad_losses --case grad_dynamic_batch --case grad_unused | FileCheck %s
// CHECK-COUNT-36: ok
// CHECK-NOT: FAIL

func.func @add(%a: tensor<2x3x4xf64>, %b: tensor<3x1xf64>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.add %a, %b : (tensor<2x3x4xf64>, tensor<3x1xf64>) -> tensor<2x3x4xf64>
  %1 = diffc.mul %0, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @sub(%a: tensor<4xf64>, %b: tensor<2x3x4xf64>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.sub %a, %b : (tensor<4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %1 = diffc.mul %0, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @mul(%a: tensor<2x3x4xf64>, %b: tensor<1x3x1xf64>, %r: tensor<2x3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.mul %a, %b : (tensor<2x3x4xf64>, tensor<1x3x1xf64>) -> tensor<2x3x4xf64>
  %1 = diffc.mul %0, %r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1, 2>} : (tensor<2x3x4xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @div(%a: tensor<2x3xf64>, %b: tensor<2x3xf64>, %r: tensor<2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.div %a, %b : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %1 = diffc.mul %0, %r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1>} : (tensor<2x3xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @pow(%a: tensor<2x3xf64>, %b: tensor<3xf64>, %r: tensor<2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.pow %a, %b : (tensor<2x3xf64>, tensor<3xf64>) -> tensor<2x3xf64>
  %1 = diffc.mul %0, %r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1>} : (tensor<2x3xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @maximum(%a: tensor<3x4xf64>, %b: tensor<3x4xf64>, %r: tensor<3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.maximum %a, %b : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %1 = diffc.mul %0, %r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1>} : (tensor<3x4xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @minimum(%a: tensor<3x4xf64>, %b: tensor<4xf64>, %r: tensor<3x4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.minimum %a, %b : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %1 = diffc.mul %0, %r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %2 = diffc.reduce sum %1 {dims = array<i64: 0, 1>} : (tensor<3x4xf64>) -> tensor<f64>
  return %2 : tensor<f64>
}

func.func @unary(%x: tensor<4x6xf64>, %r: tensor<12x4x6xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %ax = diffc.abs %x : tensor<4x6xf64>
  %half = arith.constant dense<5.000000e-01> : tensor<f64>
  %p = diffc.add %ax, %half : (tensor<4x6xf64>, tensor<f64>) -> tensor<4x6xf64>
  %acc0 = arith.constant dense<0.000000e+00> : tensor<f64>
  %t0 = diffc.exp %x : tensor<4x6xf64>
  %rs0 = diffc.slice %r {offsets = array<i64: 0, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri0 = diffc.reshape %rs0 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m0 = diffc.mul %t0, %ri0 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s0 = diffc.reduce sum %m0 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc1 = diffc.add %acc0, %s0 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t1 = diffc.log %p : tensor<4x6xf64>
  %rs1 = diffc.slice %r {offsets = array<i64: 1, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri1 = diffc.reshape %rs1 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m1 = diffc.mul %t1, %ri1 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s1 = diffc.reduce sum %m1 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc2 = diffc.add %acc1, %s1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t2 = diffc.sqrt %p : tensor<4x6xf64>
  %rs2 = diffc.slice %r {offsets = array<i64: 2, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri2 = diffc.reshape %rs2 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m2 = diffc.mul %t2, %ri2 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s2 = diffc.reduce sum %m2 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc3 = diffc.add %acc2, %s2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t3 = diffc.rsqrt %p : tensor<4x6xf64>
  %rs3 = diffc.slice %r {offsets = array<i64: 3, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri3 = diffc.reshape %rs3 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m3 = diffc.mul %t3, %ri3 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s3 = diffc.reduce sum %m3 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc4 = diffc.add %acc3, %s3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t4 = diffc.tanh %x : tensor<4x6xf64>
  %rs4 = diffc.slice %r {offsets = array<i64: 4, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri4 = diffc.reshape %rs4 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m4 = diffc.mul %t4, %ri4 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s4 = diffc.reduce sum %m4 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc5 = diffc.add %acc4, %s4 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t5 = diffc.sigmoid %x : tensor<4x6xf64>
  %rs5 = diffc.slice %r {offsets = array<i64: 5, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri5 = diffc.reshape %rs5 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m5 = diffc.mul %t5, %ri5 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s5 = diffc.reduce sum %m5 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc6 = diffc.add %acc5, %s5 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t6 = diffc.silu %x : tensor<4x6xf64>
  %rs6 = diffc.slice %r {offsets = array<i64: 6, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri6 = diffc.reshape %rs6 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m6 = diffc.mul %t6, %ri6 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s6 = diffc.reduce sum %m6 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc7 = diffc.add %acc6, %s6 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t7 = diffc.relu %x : tensor<4x6xf64>
  %rs7 = diffc.slice %r {offsets = array<i64: 7, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri7 = diffc.reshape %rs7 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m7 = diffc.mul %t7, %ri7 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s7 = diffc.reduce sum %m7 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc8 = diffc.add %acc7, %s7 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t8 = diffc.abs %x : tensor<4x6xf64>
  %rs8 = diffc.slice %r {offsets = array<i64: 8, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri8 = diffc.reshape %rs8 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m8 = diffc.mul %t8, %ri8 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s8 = diffc.reduce sum %m8 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc9 = diffc.add %acc8, %s8 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t9 = diffc.neg %x : tensor<4x6xf64>
  %rs9 = diffc.slice %r {offsets = array<i64: 9, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri9 = diffc.reshape %rs9 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m9 = diffc.mul %t9, %ri9 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s9 = diffc.reduce sum %m9 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc10 = diffc.add %acc9, %s9 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t10 = diffc.clamp %x {min = -5.000000e-01 : f64, max = 7.000000e-01 : f64} : tensor<4x6xf64>
  %rs10 = diffc.slice %r {offsets = array<i64: 10, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri10 = diffc.reshape %rs10 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m10 = diffc.mul %t10, %ri10 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s10 = diffc.reduce sum %m10 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc11 = diffc.add %acc10, %s10 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t11 = diffc.gelu tanh %x : tensor<4x6xf64>
  %rs11 = diffc.slice %r {offsets = array<i64: 11, 0, 0>, sizes = array<i64: 1, 4, 6>, strides = array<i64: 1, 1, 1>} : (tensor<12x4x6xf64>) -> tensor<1x4x6xf64>
  %ri11 = diffc.reshape %rs11 : (tensor<1x4x6xf64>) -> tensor<4x6xf64>
  %m11 = diffc.mul %t11, %ri11 : (tensor<4x6xf64>, tensor<4x6xf64>) -> tensor<4x6xf64>
  %s11 = diffc.reduce sum %m11 {dims = array<i64: 0, 1>} : (tensor<4x6xf64>) -> tensor<f64>
  %acc12 = diffc.add %acc11, %s11 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %acc12 : tensor<f64>
}

func.func @reduce(%x: tensor<2x3x5xf64>, %r1: tensor<3xf64>, %r2: tensor<2x1x5xf64>, %r3: tensor<2x3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0>}} {
  %s = diffc.reduce sum %x {dims = array<i64: 0, -1>} : (tensor<2x3x5xf64>) -> tensor<3xf64>
  %m = diffc.reduce mean %x {dims = array<i64: 1>, keep_dims = true} : (tensor<2x3x5xf64>) -> tensor<2x1x5xf64>
  %x2 = diffc.reduce max %x {dims = array<i64: 2>} : (tensor<2x3x5xf64>) -> tensor<2x3xf64>
  %a = diffc.mul %s, %r1 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %b = diffc.mul %m, %r2 : (tensor<2x1x5xf64>, tensor<2x1x5xf64>) -> tensor<2x1x5xf64>
  %c = diffc.mul %x2, %r3 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %sa = diffc.reduce sum %a {dims = array<i64: 0>} : (tensor<3xf64>) -> tensor<f64>
  %sb = diffc.reduce sum %b {dims = array<i64: 0, 1, 2>} : (tensor<2x1x5xf64>) -> tensor<f64>
  %sc = diffc.reduce sum %c {dims = array<i64: 0, 1>} : (tensor<2x3xf64>) -> tensor<f64>
  %0 = diffc.add %sa, %sb : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %1 = diffc.add %0, %sc : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %1 : tensor<f64>
}

func.func @losses(%x: tensor<2x7xf64>, %y: tensor<2x7xf64>, %mu: tensor<2x7xf64>, %lv: tensor<2x7xf64>, %r: tensor<2x7xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1, 2, 3>}} {
  %tenth = arith.constant dense<1.000000e-01> : tensor<f64>
  %mse = diffc.mse_loss mean %x, %y : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<f64>
  %mses = diffc.mse_loss sum %x, %y : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<f64>
  %mses1 = diffc.mul %mses, %tenth : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %msen = diffc.mse_loss none %x, %y : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<2x7xf64>
  %msenr = diffc.mul %msen, %r : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<2x7xf64>
  %msen1 = diffc.reduce sum %msenr {dims = array<i64: 0, 1>} : (tensor<2x7xf64>) -> tensor<f64>
  %kl = diffc.gaussian_kl mean %mu, %lv : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<f64>
  %sy = diffc.sigmoid %y : tensor<2x7xf64>
  %bce = diffc.bce_with_logits_loss sum %x, %sy : (tensor<2x7xf64>, tensor<2x7xf64>) -> tensor<f64>
  %h1 = diffc.hinge_loss real mean %x : (tensor<2x7xf64>) -> tensor<f64>
  %h2 = diffc.hinge_loss fake sum %y : (tensor<2x7xf64>) -> tensor<f64>
  %h3 = diffc.hinge_loss generator mean %mu : (tensor<2x7xf64>) -> tensor<f64>
  %0 = diffc.add %mse, %mses1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %1 = diffc.add %0, %msen1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %2 = diffc.add %1, %kl : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %3 = diffc.add %2, %bce : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %4 = diffc.add %3, %h1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %5 = diffc.add %4, %h2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %6 = diffc.add %5, %h3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %6 : tensor<f64>
}

func.func @dynamic_batch(%x: tensor<?x4xf64>, %w: tensor<4xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %0 = diffc.mul %x, %w : (tensor<?x4xf64>, tensor<4xf64>) -> tensor<?x4xf64>
  %1 = diffc.sigmoid %0 : tensor<?x4xf64>
  %2 = diffc.mul %x, %1 : (tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<?x4xf64>
  %3 = diffc.reduce mean %2 {dims = array<i64: 0, 1>} : (tensor<?x4xf64>) -> tensor<f64>
  %4 = diffc.mse_loss mean %0, %x : (tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<f64>
  %5 = diffc.add %3, %4 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %5 : tensor<f64>
}

func.func @unused(%x: tensor<3xf64>, %y: tensor<3xf64>) -> tensor<f64> attributes {diffc.differentiate = {wrt = array<i64: 0, 1>}} {
  %s = diffc.stop_gradient %y : tensor<3xf64>
  %0 = diffc.mul %x, %s : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %1 = diffc.reduce sum %0 {dims = array<i64: 0>} : (tensor<3xf64>) -> tensor<f64>
  return %1 : tensor<f64>
}
