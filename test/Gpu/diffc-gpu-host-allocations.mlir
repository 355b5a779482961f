// RUN: diffc-opt %s --diffc-gpu-host-allocations -split-input-file -verify-diagnostics | FileCheck %s

// Test: the generic allocation functions and their calls are renamed to the
// runtime's GPU allocator; other calls stay.
// CHECK-LABEL: llvm.func @diffc_gpu_alloc(i64) -> !llvm.ptr
// CHECK:       llvm.func @diffc_gpu_free(!llvm.ptr)
// CHECK:       llvm.func @memrefCopy(
// CHECK-LABEL: llvm.func @f(
// CHECK:         %[[P:.*]] = llvm.call @diffc_gpu_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK:         llvm.call @memrefCopy(
// CHECK:         llvm.call @diffc_gpu_free(%[[P]]) : (!llvm.ptr) -> ()
// CHECK-NOT:   _mlir_memref_to_llvm
module {
  llvm.func @_mlir_memref_to_llvm_alloc(i64) -> !llvm.ptr
  llvm.func @_mlir_memref_to_llvm_free(!llvm.ptr)
  llvm.func @memrefCopy(i64, !llvm.ptr, !llvm.ptr)
  llvm.func @f(%n: i64) {
    %p = llvm.call @_mlir_memref_to_llvm_alloc(%n) : (i64) -> !llvm.ptr
    llvm.call @memrefCopy(%n, %p, %p) : (i64, !llvm.ptr, !llvm.ptr) -> ()
    llvm.call @_mlir_memref_to_llvm_free(%p) : (!llvm.ptr) -> ()
    llvm.return
  }
}

// -----

// Test: a module that defines the allocation function itself is refused.
module {
  // expected-error @+1 {{@_mlir_memref_to_llvm_alloc must be an external llvm.func}}
  llvm.func @_mlir_memref_to_llvm_alloc(%n: i64) -> !llvm.ptr {
    %z = llvm.mlir.zero : !llvm.ptr
    llvm.return %z : !llvm.ptr
  }
}
