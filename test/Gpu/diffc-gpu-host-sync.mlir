// RUN: diffc-opt %s --diffc-gpu-host-sync | FileCheck %s

// Test: host accesses of buffers the kernels may use wait first (once for
// consecutive accesses); the launch slots (stack) and globals do not; an
// access in a host parallel loop waits before the outermost loop; a
// function without such accesses gets no wait.
// CHECK-LABEL: func.func @f(
// CHECK-SAME:      %[[A:[^:]*]]: memref<8xf32>
// CHECK:         %[[SLOTS:.*]] = memref.alloca() : memref<4xi64>
// CHECK-NEXT:    memref.store %{{.*}}, %[[SLOTS]]
// CHECK-NEXT:    call @diffc_gpu_launch(
// CHECK-NEXT:    %[[G:.*]] = memref.get_global @table
// CHECK-NEXT:    memref.load %[[G]]
// CHECK-NEXT:    call @diffc_gpu_sync() : () -> ()
// CHECK-NEXT:    memref.load %[[A]]
// CHECK-NEXT:    arith.addf
// CHECK-NEXT:    memref.store %{{.*}}, %[[A]]
// CHECK-NEXT:    call @diffc_gpu_launch(
// CHECK-NEXT:    call @diffc_gpu_sync() : () -> ()
// CHECK-NEXT:    scf.parallel
// CHECK-NOT:       call @diffc_gpu_sync
// CHECK:           scf.for
// CHECK-NOT:         call @diffc_gpu_sync
// CHECK:             memref.store
// CHECK:         call @diffc_gpu_sync() : () -> ()
// CHECK-NEXT:    memref.copy
// CHECK-LABEL: func.func @launch_only(
// CHECK-NOT:     diffc_gpu_sync
// CHECK:         return
// Deallocation bookkeeping: buffers that never reach a kernel (their pointer
// is never taken, they only go to a function that launches nothing) and
// that function's arguments need no wait; the buffer a launch takes does.
// CHECK-LABEL: func.func @bookkeeping(
// CHECK:         scf.for
// CHECK-NEXT:      %[[FLAGS:.*]] = memref.alloc() : memref<2xi1>
// CHECK-NEXT:      memref.store %{{.*}}, %[[FLAGS]]
// CHECK-NEXT:      call @helper(
// CHECK-NEXT:      memref.load %[[FLAGS]]
// CHECK-NEXT:      %[[BUF:.*]] = memref.alloc() : memref<8xf32>
// CHECK-NEXT:      memref.extract_aligned_pointer_as_index %[[BUF]]
// CHECK-NEXT:      call @diffc_gpu_launch(
// CHECK-NEXT:      call @diffc_gpu_sync() : () -> ()
// CHECK-NEXT:      memref.load %[[BUF]]
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:     diffc_gpu_sync
// CHECK:         return
// CHECK:       func.func private @diffc_gpu_sync()
module {
  memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
  func.func private @diffc_gpu_launch(i64, i64, i64, i64, i64, i64, i64, i64, i64, i64)
  func.func @f(%a: memref<8xf32>, %b: memref<8xf32>, %n: index, %x: i64) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %slots = memref.alloca() : memref<4xi64>
    memref.store %x, %slots[%c0] : memref<4xi64>
    call @diffc_gpu_launch(%x, %x, %x, %x, %x, %x, %x, %x, %x, %x) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
    %g = memref.get_global @table : memref<4xf32>
    %t = memref.load %g[%c1] : memref<4xf32>
    %v = memref.load %a[%c1] : memref<8xf32>
    %s = arith.addf %t, %v : f32
    memref.store %s, %a[%c0] : memref<8xf32>
    call @diffc_gpu_launch(%x, %x, %x, %x, %x, %x, %x, %x, %x, %x) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      scf.for %j = %c0 to %c8 step %c1 {
        memref.store %s, %b[%j] : memref<8xf32>
      }
      scf.reduce
    }
    call @diffc_gpu_launch(%x, %x, %x, %x, %x, %x, %x, %x, %x, %x) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
    memref.copy %a, %b : memref<8xf32> to memref<8xf32>
    return %s : f32
  }
  func.func @launch_only(%x: i64) {
    call @diffc_gpu_launch(%x, %x, %x, %x, %x, %x, %x, %x, %x, %x) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
    return
  }
  func.func @bookkeeping(%x: i64, %n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    scf.for %i = %c0 to %n step %c1 {
      %flags = memref.alloc() : memref<2xi1>
      memref.store %true, %flags[%c0] : memref<2xi1>
      func.call @helper(%flags) : (memref<2xi1>) -> ()
      %f = memref.load %flags[%c1] : memref<2xi1>
      %buf = memref.alloc() : memref<8xf32>
      %p = memref.extract_aligned_pointer_as_index %buf : memref<8xf32> -> index
      func.call @diffc_gpu_launch(%x, %x, %x, %x, %x, %x, %x, %x, %x, %x) : (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
      %v = memref.load %buf[%c1] : memref<8xf32>
      memref.dealloc %buf : memref<8xf32>
      memref.dealloc %flags : memref<2xi1>
    }
    return
  }
  func.func private @helper(%flags: memref<2xi1>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %v = memref.load %flags[%c0] : memref<2xi1>
    memref.store %v, %flags[%c1] : memref<2xi1>
    return
  }
}
