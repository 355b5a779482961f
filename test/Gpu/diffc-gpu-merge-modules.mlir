// RUN: diffc-opt %s --diffc-gpu-merge-modules | FileCheck %s

// Test: two outlined modules whose kernels share a name become one module;
// each kernel takes its (unique) module's name and the launches follow.
// CHECK-LABEL: func.func @f
// CHECK:         gpu.launch_func @diffc_kernels::@f_kernel blocks
// CHECK:         gpu.launch_func @diffc_kernels::@f_kernel_0 blocks
// CHECK:       gpu.module @diffc_kernels {
// CHECK:         gpu.func @f_kernel(%{{.*}}: memref<4xf32>) kernel
// CHECK:         gpu.func @f_kernel_0(%{{.*}}: memref<4xf32>) kernel
// CHECK-NOT:   gpu.module
module attributes {gpu.container_module} {
  func.func @f(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @f_kernel::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    gpu.launch_func @f_kernel_0::@f_kernel blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @f_kernel {
    gpu.func @f_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
  gpu.module @f_kernel_0 {
    gpu.func @f_kernel(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
