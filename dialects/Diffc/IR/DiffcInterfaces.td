//===- DiffcInterfaces.td - diffc op interfaces ------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The gradient rule of an op, used by the reverse-mode autodiff pass
// (passes/Diffc/Autodiff.cpp). The rules themselves are external models in
// dialects/Diffc/Gradients/, attached by registerGradientModels().
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_INTERFACES_TD
#define DIFFC_INTERFACES_TD

include "mlir/IR/OpBase.td"

def Diffc_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::mlir::diffc";
  let description = [{
    An op that knows its vector-Jacobian product. Given the gradient of the
    loss with respect to each result, `buildGradient` emits ops at the
    builder's insertion point computing the gradient with respect to each
    operand, with the operand's exact type.

    A null value in `resultGrads` means no gradient reaches that result (it
    is zero); at least one entry is non-null. A null value in `operandGrads`
    means the operand receives no gradient (it is not differentiable, such as
    an integer timestep, or the gradient is zero). The rule may recompute
    forward values from the op's operands, which stay available (the forward
    computation precedes the backward one in the same block).
  }];
  let methods = [
    InterfaceMethod<
      /*desc=*/"Emits the vector-Jacobian product: one gradient per operand.",
      /*retTy=*/"::llvm::LogicalResult",
      /*methodName=*/"buildGradient",
      /*args=*/(ins "::mlir::OpBuilder &":$builder,
                    "::llvm::ArrayRef<::mlir::Value>":$resultGrads,
                    "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

#endif // DIFFC_INTERFACES_TD
