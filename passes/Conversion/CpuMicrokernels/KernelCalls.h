//===- KernelCalls.h - calls of the runtime's CPU kernels -------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// What the rewrites of diffc-cpu-microkernels share: the kernel
// declarations (the contract with runtime/src/ukernels/mlir_abi.cpp), the
// recognition of the ops that initialize a kernel's output or pad its
// input, and the views that put operands into the kernels' layouts. One
// file per kind of kernel call holds its rewrite (Gemm.cpp, Convolution.cpp,
// ConvBackward.cpp); CpuMicrokernels.cpp is only the pass.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_CPUMICROKERNELS_KERNELCALLS_H
#define DIFFC_PASSES_CONVERSION_CPUMICROKERNELS_KERNELCALLS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir::diffc::kernel_calls {

/// The kernels' `mode` argument.
enum class Mode : int32_t { Overwrite = 0, Accumulate = 1, AddBias = 2 };

/// memref<?x...x?xf32, strided<[?, ..., ?], offset: ?>>: the one type each
/// kernel parameter of that rank has, whatever the caller's layout.
MemRefType dynamicStridedType(MLIRContext *ctx, unsigned rank);

/// The module-level declarations the rewrites call, made on first use.
class KernelDecls {
public:
  explicit KernelDecls(ModuleOp module) : module_(module) {}

  /// diffc_ukernel_sgemm(A, B, C: 3-D, bias: 1-D, mode: i32).
  func::FuncOp getSgemm();
  /// diffc_ukernel_conv(X, W, Y: 6-D, bias: 1-D, stride x3, padding x3,
  /// dilation x3: i64, mode: i32).
  func::FuncOp getConv();
  /// diffc_ukernel_conv_backward_input(dY, W, dX: 6-D, stride x3, padding
  /// x3, dilation x3: i64, mode: i32).
  func::FuncOp getConvBackwardInput();
  /// diffc_ukernel_conv_backward_weight(X, dY, dW: 6-D, stride x3, padding
  /// x3, dilation x3: i64, mode: i32).
  func::FuncOp getConvBackwardWeight();

  /// A one-element constant passed as `bias` when there is none (the
  /// kernels do not read it then); a global, so calls in loops allocate
  /// nothing.
  Value noBiasOperand(OpBuilder &b, Location loc);

private:
  func::FuncOp declare(StringRef name, FunctionType type);
  /// The three 6-D views, nine i64 window attributes and the mode of the
  /// convolution gradients.
  FunctionType convGradientType();

  ModuleOp module_;
  func::FuncOp sgemm_, conv_, convBackwardInput_, convBackwardWeight_;
  memref::GlobalOp noBias_;
};

/// `v` cast to the kernel parameter type of its rank.
Value toKernelType(OpBuilder &b, Location loc, Value v);

/// The buffer `v` is a full view of: follows reshapes and casts, which
/// cover their source exactly.
Value fullViewRoot(Value v);

/// True for an op that fills all of `buffer` (or a full view of it) with
/// zeros: linalg.fill 0, or a linalg.map without inputs yielding 0 (the
/// bufferized form of tensor.pad's padding value).
bool isZeroFillOf(Operation *op, Value buffer);

/// How the kernel treats its output, from the op that initialized it: a
/// zero fill or (with `biasDim` != ~0u) a bias broadcast along `biasDim`
/// right before `op` (not counting `ignored`, ops that write other buffers)
/// is absorbed (returned in `init` for erasure), anything else means
/// accumulating.
Mode outputMode(Operation *op, Value output, unsigned biasDim, Value &bias,
                Operation *&init, ArrayRef<Operation *> ignored = {});

/// `v` expanded by `reassociation`, in which every group's last dimension is
/// `v`'s and the others are new unit dimensions (so a unit lands in front of
/// the dimension whose group it is in).
Value expandWithUnits(OpBuilder &b, Location loc, Value v,
                      ArrayRef<ReassociationIndices> reassociation);

/// A kernel operand read from a zero-filled buffer with the real operand
/// copied into it: the buffer the copy came from, where it landed (offsets
/// and strides per dimension) and the ops that made the copy (erased once
/// the kernel reads the source directly).
struct PaddedCopy {
  Value source;
  SmallVector<int64_t> lowPadding, strides;
  SmallVector<Operation *> ops; // users first, the allocation last
};

/// Matches the bufferized tensor.pad (or tensor.insert_slice into zeros) in
/// front of `consumer`'s operand `x`:
///   %p = memref.alloc; <zero fill of %p>; %s = memref.subview %p[offsets]
///   [sizes][strides]; memref.copy %src, %s; ... consumer ins(%p ...);
///   memref.dealloc %p
/// with unit strides unless `allowStrides`, and nothing that may write
/// %src between the copy and the consumer.
std::optional<PaddedCopy> matchPaddedCopy(Value x, Operation *consumer,
                                          bool allowStrides = false);

/// The trailing scalar arguments of the convolution kernels: stride,
/// padding and dilation as (frames, rows, columns) with the leading entries
/// of a 2-D window filled in, then the mode.
SmallVector<Value> windowArguments(OpBuilder &b, Location loc,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> padding,
                                   ArrayRef<int64_t> dilation, Mode mode);

//===----------------------------------------------------------------------===//
// The rewrites, one per kind of kernel; each leaves `op` alone (failure)
// when it is not of its kind.
//===----------------------------------------------------------------------===//

/// f32 contractions -> diffc_ukernel_sgemm (Gemm.cpp).
LogicalResult rewriteContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                                 KernelDecls &decls);

/// True for the named convolutions rewriteConvolution handles.
bool isNamedConvolution(Operation *op);

/// f32 named convolutions -> diffc_ukernel_conv (Convolution.cpp).
LogicalResult rewriteConvolution(RewriterBase &rewriter, linalg::LinalgOp op,
                                 KernelDecls &decls);

/// The f32 generics of diffc-convert-to-linalg's conv2d_backward_input and
/// conv2d_backward_weight -> diffc_ukernel_conv_backward_input / _weight
/// (ConvBackward.cpp).
LogicalResult rewriteConvGradient(RewriterBase &rewriter, linalg::LinalgOp op,
                                  KernelDecls &decls);

} // namespace mlir::diffc::kernel_calls

#endif // DIFFC_PASSES_CONVERSION_CPUMICROKERNELS_KERNELCALLS_H
