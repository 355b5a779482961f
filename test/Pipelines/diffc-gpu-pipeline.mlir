// The GPU pipeline as registered for diffc-opt (what diffc compile runs for
// --target=sm_XX before ptxas): every kernel outlined into one gpu.module,
// renamed after its (unique) outlined module, PTX for each target.
// REQUIRES: ptxas
// RUN: diffc-opt %s --diffc-gpu-pipeline="targets=sm_80,sm_120" | FileCheck %s
// RUN: diffc-opt %s --diffc-gpu-pipeline | FileCheck %s --check-prefix=MAPPED

// CHECK-LABEL: func.func @two_kernels
// CHECK:         gpu.launch_func @diffc_kernels::@two_kernels_kernel blocks in
// CHECK:         gpu.launch_func @diffc_kernels::@two_kernels_kernel_0 blocks in
// CHECK:       gpu.binary @diffc_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx70">, {{.*}}assembly = "{{.*}}.version 7.0\0A.target sm_80{{.*}}.visible .entry two_kernels_kernel({{.*}}.visible .entry two_kernels_kernel_0({{.*}}">, #gpu.object<#nvvm.target<O = 3, chip = "sm_120", features = "+ptx87">, {{.*}}.version 8.7\0A.target sm_120

// MAPPED-LABEL: func.func @two_kernels
// MAPPED-COUNT-2: gpu.launch blocks
// MAPPED-NOT:   linalg.

// exp is also a result, so it is not fused into the add: two kernels.
func.func @two_kernels(%x: tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %e = diffc.exp %x : tensor<?x16xf32>
  %s = diffc.add %e, %x : (tensor<?x16xf32>, tensor<?x16xf32>) -> tensor<?x16xf32>
  return %e, %s : tensor<?x16xf32>, tensor<?x16xf32>
}
