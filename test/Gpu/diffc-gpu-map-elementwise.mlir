// RUN: diffc-opt %s --split-input-file --diffc-gpu-map-elementwise | FileCheck %s

// Test: a dynamic 2-D elementwise kernel becomes one 1-D launch of 256-thread
// blocks over the linearized space, with a bound check and row-major
// delinearization; the broadcast operand is read through its indexing map.
// CHECK-LABEL: func.func @bias_exp
// CHECK:         %[[N:.*]] = arith.muli %{{.*}}, %c33 : index
// CHECK:         %[[G:.*]] = arith.ceildivui %[[N]], %[[C256:.*]] : index
// CHECK:         %[[GRID:.*]] = arith.maxui %[[G]], %[[C1:.*]] : index
// CHECK:         gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[GRID]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK:           %[[ID:.*]] = arith.addi
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[N]]
// CHECK:           scf.if %[[IN]]
// CHECK:             %[[J:.*]] = arith.remui %[[ID]]
// CHECK:             %[[I:.*]] = arith.divui %[[ID]]
// CHECK:             memref.load %{{.*}}[%[[I]], %[[J]]] : memref<?x33xf32>
// CHECK:             memref.load %{{.*}}[%[[J]]] : memref<33xf32>
// CHECK:             math.exp
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]] : memref<?x33xf32>
// CHECK:           gpu.terminator
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = -1 : i64}}
// CHECK-NOT:     linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
func.func @bias_exp(%x: memref<?x33xf32>, %b: memref<33xf32>, %out: memref<?x33xf32>) {
  linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : memref<?x33xf32>, memref<33xf32>) outs(%out : memref<?x33xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %e = math.exp %s : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// Test: a static fill is a kernel too, with its element count recorded.
// CHECK-LABEL: func.func @fill
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<1000xf32>
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = 1000 : i64}}
func.func @fill(%out: memref<1000xf32>) {
  %c = arith.constant 0.5 : f32
  linalg.fill ins(%c : f32) outs(%out : memref<1000xf32>)
  return
}

// -----

// Test: linalg.index reads the thread's delinearized indices.
// CHECK-LABEL: func.func @iota
// CHECK:         gpu.launch
// CHECK:           %[[ID:.*]] = arith.addi
// CHECK:           arith.index_cast %[[ID]] : index to i32
// CHECK-NOT:       linalg.index
func.func @iota(%out: memref<?xi32>) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%out : memref<?xi32>) {
  ^bb0(%o: i32):
    %i = linalg.index 0 : index
    %v = arith.index_cast %i : index to i32
    linalg.yield %v : i32
  }
  return
}

// -----

// Test: a rank-0 op (no loops) is one thread of one block.
// CHECK-LABEL: func.func @scalar
// CHECK:         gpu.launch
// CHECK:           memref.load %{{.*}}[] : memref<f32>
// CHECK:           memref.store %{{.*}}, %{{.*}}[] : memref<f32>
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = 1 : i64}}
func.func @scalar(%x: memref<f32>, %out: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<() -> ()>, affine_map<() -> ()>], iterator_types = []}
      ins(%x : memref<f32>) outs(%out : memref<f32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.mulf %a, %a : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Test: a memref.copy into a strided view (a padding interior) is a kernel
// too, reading and writing through both layouts; the host copy is gone.
// CHECK-LABEL: func.func @pad_interior
// CHECK:         gpu.launch
// CHECK:           %[[V:.*]] = memref.load %{{.*}} : memref<?x4x4xf32>
// CHECK:           memref.store %[[V]], %{{.*}} : memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>
// CHECK:         } {diffc.gpu_kernel = {block = array<i64: 256, 1, 1>, elements = -1 : i64}}
// CHECK-NOT:     memref.copy
func.func @pad_interior(%x: memref<?x4x4xf32>, %padded: memref<?x6x6xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4x4xf32>
  %v = memref.subview %padded[0, 1, 1] [%n, 4, 4] [1, 1, 1] : memref<?x6x6xf32> to memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>
  memref.copy %x, %v : memref<?x4x4xf32> to memref<?x4x4xf32, strided<[36, 6, 1], offset: 7>>
  return
}
