//===- CpuMicrokernels.cpp - the diffc-cpu-microkernels pass --------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Rewrites f32 contractions and convolutions on memrefs into calls of the
// runtime's kernels (runtime/src/ukernels). The calling convention is the
// one of runtime/src/ukernels/mlir_abi.cpp:
//
//   diffc_ukernel_sgemm(A: memref<?x?x?xf32, strided<[?,?,?], offset: ?>>,
//                       B, C (same type), bias: memref<?xf32, strided<[?],
//                       offset: ?>>, mode: i32)
//     C[b] (op)= A[b] B[b]; A [batch|1, M, K], B [batch|1, K, N].
//   diffc_ukernel_conv(X, W, Y: 6-D dynamic strided memrefs, bias,
//                      stride x3, low padding x3, dilation x3: i64,
//                      mode: i32)
//     X [N, G, C, D, H, W], W [G, O, C, kD, kH, kW], Y [N, G, O, oD, oH, oW].
//   diffc_ukernel_conv_backward_input(dY, W, dX, stride x3, padding x3,
//                                     dilation x3, mode)
//   diffc_ukernel_conv_backward_weight(X, dY, dW, stride x3, padding x3,
//                                      dilation x3, mode)
//     the gradients of that convolution, on the same views.
//   mode: 0 overwrite, 1 accumulate, 2 overwrite + bias (per column for the
//   SGEMM, per output channel for convolutions).
//
// Views replace copies: operands are transposed into the kernel's dimension
// order with memref.transpose and padded to the kernel's rank with unit
// dimensions by memref.expand_shape; the kernels read any strides.
//
// This file is just the pass; the rewrites live in Gemm.cpp, Convolution.cpp
// and ConvBackward.cpp, their shared pieces in KernelCalls.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"
#include "passes/Conversion/CpuMicrokernels/KernelCalls.h"

namespace mlir::diffc {
#define GEN_PASS_DEF_CPUMICROKERNELSPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;
using namespace mlir::diffc::kernel_calls;

namespace {

struct CpuMicrokernelsPass
    : public diffc::impl::CpuMicrokernelsPassBase<CpuMicrokernelsPass> {
  using CpuMicrokernelsPassBase::CpuMicrokernelsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    KernelDecls decls(module);
    SmallVector<linalg::LinalgOp> candidates;
    module.walk([&](linalg::LinalgOp op) { candidates.push_back(op); });
    // Initializers and padded copies folded into a call are erased; they
    // may be candidates themselves.
    struct ErasureListener : RewriterBase::Listener {
      DenseSet<Operation *> erased;
      void notifyOperationErased(Operation *op) override { erased.insert(op); }
    } listener;
    IRRewriter rewriter(&getContext(), &listener);
    for (linalg::LinalgOp op : candidates) {
      if (listener.erased.contains(op))
        continue;
      if (isNamedConvolution(op)) {
        if (convolution)
          (void)rewriteConvolution(rewriter, op, decls);
        continue;
      }
      // A convolution gradient's generic is no contraction for the SGEMM
      // (its window maps are not projected permutations); try it first.
      if (convolution && succeeded(rewriteConvGradient(rewriter, op, decls)))
        continue;
      if (gemm)
        (void)rewriteContraction(rewriter, op, decls);
    }
  }
};

} // namespace
