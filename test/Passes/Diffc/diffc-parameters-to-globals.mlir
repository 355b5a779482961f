// RUN: diffc-opt %s --split-input-file --diffc-parameters-to-globals | FileCheck %s

// One exported global per distinct name, in first-use order; one read-only
// tensor per function even when the name is used twice.
// CHECK:       memref.global @diffc_param_0 : memref<4xf32> = uninitialized {alignment = 64 : i64, diffc.parameter = "layer.weight"}
// CHECK:       memref.global @diffc_param_1 : memref<4xf32> = uninitialized {alignment = 64 : i64, diffc.parameter = "layer.bias"}
// CHECK-LABEL: func.func @affine
// CHECK-DAG:     %[[MW:.*]] = memref.get_global @diffc_param_0 : memref<4xf32>
// CHECK-DAG:     %[[W:.*]] = bufferization.to_tensor %[[MW]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK-DAG:     %[[MB:.*]] = memref.get_global @diffc_param_1 : memref<4xf32>
// CHECK-DAG:     %[[B:.*]] = bufferization.to_tensor %[[MB]] restrict : memref<4xf32> to tensor<4xf32>
// CHECK:         %[[M:.*]] = diffc.mul %{{.*}}, %[[W]]
// CHECK:         %[[A:.*]] = diffc.add %[[M]], %[[B]]
// CHECK:         diffc.mul %[[A]], %[[W]]
// CHECK-NOT:     diffc.parameter
// CHECK-LABEL: func.func @second_user
// CHECK:         memref.get_global @diffc_param_1
func.func @affine(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = diffc.parameter "layer.weight" : tensor<4xf32>
  %b = diffc.parameter "layer.bias" : tensor<4xf32>
  %0 = diffc.mul %x, %w : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %1 = diffc.add %0, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %w2 = diffc.parameter "layer.weight" : tensor<4xf32>
  %2 = diffc.mul %1, %w2 : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %2 : tensor<?x4xf32>
}
func.func @second_user(%x: tensor<4xf32>) -> tensor<4xf32> {
  %b = diffc.parameter "layer.bias" : tensor<4xf32>
  %0 = diffc.add %x, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
