// RUN: diffc-opt %s --diffc-gpu-launch-to-calls | FileCheck %s

// Test: each launch writes its parameters into one stack buffer of 64-bit
// slots per function (sized for the largest launch: 3 + 2 * 2 descriptor
// fields + f32 + index = 9), in the PTX kernel's order, and calls the
// runtime with its kernel-table row, grid, block and the slot count; the
// device code and the container attribute are gone.
// CHECK-LABEL: module {
// CHECK-NOT:     gpu.module
// CHECK-LABEL: func.func @f(
// CHECK-SAME:      %[[A:.*]]: memref<?x8xf32>, %[[S:.*]]: f32, %[[N:.*]]: index, %[[B:.*]]: i1)
// CHECK:         %[[SLOTS:.*]] = memref.alloca() : memref<9xi64>
// Buffer: aligned pointer twice (the kernels never read the allocated one),
// offset, sizes, strides.
// CHECK:         %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[A]]
// CHECK:         %[[P:.*]] = arith.index_castui %[[PTR]] : index to i64
// CHECK:         %{{.*}}, %[[OFF:.*]], %[[SZ:.*]]:2, %[[ST:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK:         %[[OFF64:.*]] = arith.index_castui %[[OFF]]
// CHECK:         %[[SZ0:.*]] = arith.index_castui %[[SZ]]#0
// Scalars: f32 through its bits, zero-extended; index as i64.
// CHECK:         %[[BITS:.*]] = arith.bitcast %[[S]] : f32 to i32
// CHECK:         %[[S64:.*]] = arith.extui %[[BITS]] : i32 to i64
// CHECK:         %[[N64:.*]] = arith.index_castui %[[N]] : index to i64
// CHECK:         memref.store %[[P]], %[[SLOTS]][%{{.*}}]
// CHECK:         memref.store %[[P]], %[[SLOTS]][%{{.*}}]
// CHECK:         memref.store %[[OFF64]], %[[SLOTS]][%{{.*}}]
// CHECK:         memref.store %[[SZ0]], %[[SLOTS]][%{{.*}}]
// CHECK-COUNT-3: memref.store
// CHECK:         memref.store %[[S64]], %[[SLOTS]][%{{.*}}]
// CHECK:         memref.store %[[N64]], %[[SLOTS]][%{{.*}}]
// CHECK:         %[[SMEM:.*]] = arith.constant 0 : i64
// CHECK:         %[[ID0:.*]] = arith.constant 0 : i64
// CHECK:         %[[GX:.*]] = arith.index_castui %[[N]] : index to i64
// CHECK:         %[[SLOTPTR:.*]] = memref.extract_aligned_pointer_as_index %[[SLOTS]]
// CHECK:         %[[SLOTP:.*]] = arith.index_castui %[[SLOTPTR]]
// CHECK:         %[[C9:.*]] = arith.constant 9 : i64
// CHECK:         call @diffc_gpu_launch(%[[ID0]], %[[GX]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[SMEM]], %[[SLOTP]], %[[C9]])
// A view of a global goes to the kernel as the runtime's device copy of
// the whole global (16 bytes) with the view's offset; the host keeps
// reading its own copy.
// CHECK:         %[[G:.*]] = memref.get_global @table
// CHECK:         %[[V:.*]] = memref.subview %[[G]][1] [2] [1]
// CHECK:         %[[GPTR:.*]] = memref.extract_aligned_pointer_as_index %[[G]]
// CHECK:         %[[GP:.*]] = arith.index_castui %[[GPTR]]
// CHECK:         %[[BYTES:.*]] = arith.constant 16 : i64
// CHECK:         %[[DEV:.*]] = call @diffc_gpu_global(%[[GP]], %[[BYTES]])
// CHECK:         memref.extract_strided_metadata %[[V]]
// CHECK:         %[[B64:.*]] = arith.extui %[[B]] : i1 to i64
// CHECK:         memref.store %[[DEV]], %[[SLOTS]]
// CHECK:         memref.store %[[DEV]], %[[SLOTS]]
// CHECK:         memref.store %[[B64]], %[[SLOTS]]
// CHECK:         %[[ID1:.*]] = arith.constant 1 : i64
// CHECK:         %[[C6:.*]] = arith.constant 6 : i64
// CHECK:         call @diffc_gpu_launch(%[[ID1]], {{.*}}, %[[C6]])
// CHECK:         memref.load %[[G]]
// CHECK:       func.func private @diffc_gpu_launch(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
// CHECK:       func.func private @diffc_gpu_global(i64, i64) -> i64
module attributes {gpu.container_module} {
  memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  gpu.module @diffc_kernels {
    gpu.func @k0(%a: memref<?x8xf32>, %s: f32, %n: index) kernel { gpu.return }
    gpu.func @k1(%t: memref<2xf32, strided<[1], offset: 1>>, %b: i1) kernel { gpu.return }
  }
  func.func @f(%a: memref<?x8xf32>, %s: f32, %n: index, %b: i1) -> f32 {
    %c1 = arith.constant 1 : index
    gpu.launch_func @diffc_kernels::@k0 blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?x8xf32>, %s : f32, %n : index)
    %g = memref.get_global @table : memref<4xf32>
    %v = memref.subview %g[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
    gpu.launch_func @diffc_kernels::@k1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%v : memref<2xf32, strided<[1], offset: 1>>, %b : i1)
    %y = memref.load %g[%c1] : memref<4xf32>
    return %y : f32
  }
}
