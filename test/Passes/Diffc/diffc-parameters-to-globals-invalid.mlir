// RUN: diffc-opt %s --diffc-parameters-to-globals --verify-diagnostics

// Test: a name used with two shapes is an error at the second use.
func.func @conflict() {
  %a = diffc.parameter "w" : tensor<4xf32>
  // expected-error @+1 {{parameter "w" is used as 'tensor<5xf32>' here but as 'tensor<4xf32>' elsewhere}}
  %b = diffc.parameter "w" : tensor<5xf32>
  return
}
