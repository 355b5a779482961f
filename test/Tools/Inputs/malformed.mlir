func.func @f() {
  %0 = diffc.silu : tensor<4xf32>
}
