//===- GradientBuilder.h - building blocks of gradient rules ----*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Gradient rules are written in diffc ops, so the backward pass goes through
// the same lowering, fusion and memory planning as the forward pass.
// GradientBuilder creates those ops with their result types worked out
// (NumPy broadcasting, reductions, reshapes), so that a rule reads like its
// formula:
//
//   GradientBuilder g(b, op.getLoc());
//   Value s = g.sigmoid(x);
//   dx = g.mul(dy, g.mul(s, g.add(g.scalar(1.0, x), g.mul(x, g.sub(...)))));
//
// Every rule file registers its external models through a register*
// function declared here; registerGradientModels (Registration.cpp) calls
// them all.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_DIALECTS_DIFFC_GRADIENTS_GRADIENTBUILDER_H
#define DIFFC_DIALECTS_DIFFC_GRADIENTS_GRADIENTBUILDER_H

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::diffc {

class GradientBuilder {
public:
  GradientBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }

  /// A rank-0 tensor constant `v` with the element type of `like`.
  Value scalar(double v, Value like);
  /// Zeros of `like`'s type (its dynamic extents at run time).
  Value zerosLike(Value like);

  // Elementwise, NumPy-broadcasting; the element type is the lhs's.
  Value add(Value a, Value c);
  Value sub(Value a, Value c);
  Value mul(Value a, Value c);
  Value div(Value a, Value c);
  Value neg(Value a);
  Value exp(Value a);
  Value log(Value a);
  Value sqrt(Value a);
  Value rsqrt(Value a);
  Value tanh(Value a);
  Value sigmoid(Value a);
  Value heaviside(Value a);
  Value pow(Value a, Value c);

  /// `a` NumPy-broadcast up to `like`'s shape.
  Value broadcastLike(Value a, Value like);
  /// The adjoint of broadcasting: `g` (a gradient of a broadcast result)
  /// summed over the dimensions that broadcasting stretched or prepended,
  /// so that it has exactly `target` (an operand's type).
  Value sumToType(Value g, RankedTensorType target);
  /// sum/mean/max over `dims` (non-negative, ascending).
  Value reduce(ReduceKind kind, Value a, ArrayRef<int64_t> dims,
               bool keepDims);
  Value reshape(Value a, RankedTensorType type);
  Value reshape(Value a, ArrayRef<int64_t> shape);
  Value transpose(Value a, ArrayRef<int64_t> permutation);
  /// diffc.slice; a size of -1 takes the rest of the dimension (stride 1).
  Value slice(Value a, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
              ArrayRef<int64_t> strides);
  /// diffc.concat along `dim` (non-negative).
  Value concat(ArrayRef<Value> parts, int64_t dim);
  /// Batched matrix product [..., M, K] x [..., K, N].
  Value matmul(Value a, Value c);
  /// Swaps the last two dimensions.
  Value transposeLast2(Value a);
  Value softmax(Value a, int64_t axis);
  /// The number of elements of `a` in dimensions `dims`, as a rank-0 tensor
  /// of `a`'s element type: a constant when those extents are static, else
  /// computed from tensor.dim at run time (a dynamic batch).
  Value elementCount(Value a, ArrayRef<int64_t> dims);
  /// `a`'s shape with `dims` set to 1: the keep_dims form of a reduction
  /// result, so that `g` (a reduction's result gradient, with or without
  /// kept dims) can be broadcast back over the input.
  Value keepDimsForm(Value g, Value input, ArrayRef<int64_t> dims);

private:
  template <typename OpTy> Value binary(Value a, Value c);
  template <typename OpTy> Value unary(Value a);

  OpBuilder &b;
  Location loc;
};

/// Attaches the gradient rules of every differentiable diffc op.
void registerGradientModels(DialectRegistry &registry);

// One per rule file; each attaches the models of its ops.
void registerElementwiseGradients(MLIRContext *ctx);
void registerReductionGradients(MLIRContext *ctx);
void registerDataMovementGradients(MLIRContext *ctx);
void registerContractionGradients(MLIRContext *ctx);
void registerNormalizationGradients(MLIRContext *ctx);
void registerAttentionGradients(MLIRContext *ctx);

/// A gradient rule of OpTy: fills `operandGrads` (pre-sized to the operand
/// count, all null) from `resultGrads` (null where no gradient arrives).
template <typename OpTy>
using GradientRule = LogicalResult (*)(OpTy op, GradientBuilder &g,
                                       ArrayRef<Value> resultGrads,
                                       MutableArrayRef<Value> operandGrads);

/// The external model calling a GradientRule.
template <typename OpTy, GradientRule<OpTy> Rule>
struct GradientModel
    : DifferentiableOpInterface::ExternalModel<GradientModel<OpTy, Rule>,
                                               OpTy> {
  LogicalResult buildGradient(Operation *op, OpBuilder &b,
                              ArrayRef<Value> resultGrads,
                              SmallVectorImpl<Value> &operandGrads) const {
    operandGrads.assign(op->getNumOperands(), Value());
    GradientBuilder g(b, op->getLoc());
    return Rule(cast<OpTy>(op), g, resultGrads, operandGrads);
  }
};

template <typename OpTy, GradientRule<OpTy> Rule>
void attachGradient(MLIRContext *ctx) {
  OpTy::template attachInterface<GradientModel<OpTy, Rule>>(*ctx);
}

} // namespace mlir::diffc

#endif // DIFFC_DIALECTS_DIFFC_GRADIENTS_GRADIENTBUILDER_H
