// A toy denoiser for the CLI tests: eps = tanh(x * w).
func.func @toy(%x: tensor<?x1x4x4xf32>, %t: tensor<?xi64>) -> tensor<?x1x4x4xf32> {
  %w = diffc.parameter "scale.weight" : tensor<1x1x1xf32>
  %0 = diffc.mul %x, %w : (tensor<?x1x4x4xf32>, tensor<1x1x1xf32>) -> tensor<?x1x4x4xf32>
  %1 = diffc.tanh %0 : tensor<?x1x4x4xf32>
  return %1 : tensor<?x1x4x4xf32>
}
