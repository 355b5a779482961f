// The CPU pipeline, stage by stage, on bias + SiLU + exact GELU.
// RUN: diffc-opt %s --diffc-cpu-pipeline="stop-after=linalg" | FileCheck %s --check-prefix=LINALG
// RUN: diffc-opt %s --diffc-cpu-pipeline="stop-after=fused" | FileCheck %s --check-prefix=FUSED
// RUN: diffc-opt %s --diffc-cpu-pipeline="stop-after=bufferized" | FileCheck %s --check-prefix=BUF
// RUN: diffc-opt %s --diffc-cpu-pipeline="stop-after=loops" | FileCheck %s --check-prefix=LOOPS
// RUN: diffc-opt %s --diffc-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// LINALG-COUNT-3: linalg.generic
// LINALG-NOT:     diffc.

// FUSED:          linalg.generic
// FUSED-SAME:       ins(%{{.*}}, %{{.*}} : tensor<?x8xf32>, tensor<8xf32>)
// FUSED:            math.exp
// FUSED:            math.erf
// FUSED-NOT:      linalg.generic

// BUF:            %[[ALLOC:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x8xf32>
// BUF:            linalg.generic
// BUF-SAME:         outs(%[[ALLOC]] : memref<?x8xf32>)
// BUF:            return %[[ALLOC]] : memref<?x8xf32>

// LOOPS:          scf.for
// LOOPS:            scf.for
// LOOPS-NOT:      linalg.

// LLVM:           llvm.func @f(
// Buffers come from the runtime's allocator (runtime/src/ukernels/memory_abi.cpp).
// LLVM:           llvm.call @_mlir_memref_to_llvm_alloc
// LLVM-NOT:       linalg.
// LLVM-NOT:       memref.
func.func @f(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %0 = diffc.add %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = diffc.silu %0 : tensor<?x8xf32>
  %2 = diffc.gelu none %1 : tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}
