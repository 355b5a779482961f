// RUN: diffc-opt %s --diffc-gpu-launch-to-calls -split-input-file -verify-diagnostics

// Test: an asynchronous launch has no place in the runtime's launch ABI.
module attributes {gpu.container_module} {
  gpu.module @m {
    gpu.func @k(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func @f(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    %t = gpu.wait async
    // expected-error @+1 {{asynchronous or clustered gpu.launch_func is not supported}}
    %u = gpu.launch_func async [%t] @m::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}

// -----

// Test: a vector parameter has no slot layout.
module attributes {gpu.container_module} {
  gpu.module @m {
    gpu.func @k(%a: vector<4xf32>) kernel { gpu.return }
  }
  func.func @f(%a: vector<4xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{kernel parameter of type 'vector<4xf32>' is not supported}}
    gpu.launch_func @m::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : vector<4xf32>)
    return
  }
}
