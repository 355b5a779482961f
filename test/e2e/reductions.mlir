// softmax, reduce and the losses compiled for x86-64 and run through
// diffc-run, against float64 NumPy (harness.py, cases_reductions.py,
// reference.py).
// RUN: diffc compile %s -o %t.diffc
// RUN: %python %S/harness.py --diffc-run diffc-run --artifact %t.diffc --case softmax_last --case softmax_middle_large --case softmax_f16 --case reduce_kinds --case reduce_all --case reduce_f16_mean --case mse_loss_all --case gaussian_kl_all --case bce_with_logits_all --case hinge_real --case hinge_fake --case hinge_generator | FileCheck %s
// CHECK-COUNT-29: ok
// CHECK-NOT: FAIL

func.func @softmax_last(%x: tensor<?x5x7xf32>) -> tensor<?x5x7xf32> {
  %0 = diffc.softmax %x {axis = -1 : i64} : tensor<?x5x7xf32>
  return %0 : tensor<?x5x7xf32>
}

func.func @softmax_middle(%x: tensor<3x9x4xf32>) -> tensor<3x9x4xf32> {
  %0 = diffc.softmax %x {axis = 1 : i64} : tensor<3x9x4xf32>
  return %0 : tensor<3x9x4xf32>
}

func.func @softmax_f16(%x: tensor<?x11xf16>) -> tensor<?x11xf16> {
  %0 = diffc.softmax %x {axis = 1 : i64} : tensor<?x11xf16>
  return %0 : tensor<?x11xf16>
}

func.func @reduce_kinds(%x: tensor<?x6x5x7xf32>) -> (tensor<?x6x1x1xf32>, tensor<?x5x7xf32>, tensor<6x5xf32>, tensor<1x6x1x7xf32>) {
  %0 = diffc.reduce sum %x {dims = array<i64: 2, 3>, keep_dims = true} : (tensor<?x6x5x7xf32>) -> tensor<?x6x1x1xf32>
  %1 = diffc.reduce mean %x {dims = array<i64: 1>} : (tensor<?x6x5x7xf32>) -> tensor<?x5x7xf32>
  %2 = diffc.reduce max %x {dims = array<i64: 0, -1>} : (tensor<?x6x5x7xf32>) -> tensor<6x5xf32>
  %3 = diffc.reduce mean %x {dims = array<i64: 0, 2>, keep_dims = true} : (tensor<?x6x5x7xf32>) -> tensor<1x6x1x7xf32>
  return %0, %1, %2, %3 : tensor<?x6x1x1xf32>, tensor<?x5x7xf32>, tensor<6x5xf32>, tensor<1x6x1x7xf32>
}

func.func @reduce_all(%x: tensor<?x3x5xf32>) -> (tensor<f32>, tensor<1x1x1xf32>, tensor<f32>) {
  %0 = diffc.reduce sum %x {dims = array<i64: 0, 1, 2>} : (tensor<?x3x5xf32>) -> tensor<f32>
  %1 = diffc.reduce mean %x {dims = array<i64: 2, 0, 1>, keep_dims = true} : (tensor<?x3x5xf32>) -> tensor<1x1x1xf32>
  %2 = diffc.reduce max %x {dims = array<i64: 0, 1, 2>} : (tensor<?x3x5xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<f32>, tensor<1x1x1xf32>, tensor<f32>
}

func.func @reduce_f16_mean(%x: tensor<4x129xf16>) -> tensor<4xf16> {
  %0 = diffc.reduce mean %x {dims = array<i64: 1>} : (tensor<4x129xf16>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

func.func @mse_loss_all(%x: tensor<?x1x5x7xf32>, %y: tensor<?x1x5x7xf32>) -> (tensor<?x1x5x7xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.mse_loss none %x, %y : (tensor<?x1x5x7xf32>, tensor<?x1x5x7xf32>) -> tensor<?x1x5x7xf32>
  %1 = diffc.mse_loss mean %x, %y : (tensor<?x1x5x7xf32>, tensor<?x1x5x7xf32>) -> tensor<f32>
  %2 = diffc.mse_loss sum %x, %y : (tensor<?x1x5x7xf32>, tensor<?x1x5x7xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<?x1x5x7xf32>, tensor<f32>, tensor<f32>
}

func.func @gaussian_kl_all(%mu: tensor<3x4x5x5xf32>, %lv: tensor<3x4x5x5xf32>) -> (tensor<3x4x5x5xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.gaussian_kl none %mu, %lv : (tensor<3x4x5x5xf32>, tensor<3x4x5x5xf32>) -> tensor<3x4x5x5xf32>
  %1 = diffc.gaussian_kl mean %mu, %lv : (tensor<3x4x5x5xf32>, tensor<3x4x5x5xf32>) -> tensor<f32>
  %2 = diffc.gaussian_kl sum %mu, %lv : (tensor<3x4x5x5xf32>, tensor<3x4x5x5xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<3x4x5x5xf32>, tensor<f32>, tensor<f32>
}

func.func @bce_with_logits_all(%x: tensor<?x1x6x6xf32>, %y: tensor<?x1x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.bce_with_logits_loss none %x, %y : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<?x1x6x6xf32>
  %1 = diffc.bce_with_logits_loss mean %x, %y : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<f32>
  %2 = diffc.bce_with_logits_loss sum %x, %y : (tensor<?x1x6x6xf32>, tensor<?x1x6x6xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>
}

func.func @hinge_real(%x: tensor<?x1x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.hinge_loss real none %x : (tensor<?x1x6x6xf32>) -> tensor<?x1x6x6xf32>
  %1 = diffc.hinge_loss real mean %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  %2 = diffc.hinge_loss real sum %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>
}

func.func @hinge_fake(%x: tensor<?x1x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.hinge_loss fake none %x : (tensor<?x1x6x6xf32>) -> tensor<?x1x6x6xf32>
  %1 = diffc.hinge_loss fake mean %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  %2 = diffc.hinge_loss fake sum %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>
}

func.func @hinge_generator(%x: tensor<?x1x6x6xf32>) -> (tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>) {
  %0 = diffc.hinge_loss generator none %x : (tensor<?x1x6x6xf32>) -> tensor<?x1x6x6xf32>
  %1 = diffc.hinge_loss generator mean %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  %2 = diffc.hinge_loss generator sum %x : (tensor<?x1x6x6xf32>) -> tensor<f32>
  return %0, %1, %2 : tensor<?x1x6x6xf32>, tensor<f32>, tensor<f32>
}
