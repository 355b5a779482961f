//===- DiffcAutodiffOps.td - ops that gradient rules emit --*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Small ops the gradient rules (dialects/Diffc/Gradients/) need besides the
// network ops: broadcasting a gradient back up to an operand's shape, and
// the indicator function of piecewise ops (relu, clamp, maximum, abs).
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_AUTODIFF_OPS_TD
#define DIFFC_AUTODIFF_OPS_TD

include "DiffcNetworkOps.td"

def Diffc_BroadcastLikeOp : Diffc_Op<"broadcast_like", [Pure]> {
  let summary = "NumPy-broadcast a tensor to the shape of another";
  let description = [{
    The result has the shape of `like` (its dynamic extents at run time) and
    the element type of `input`; `input` must broadcast to that shape (NumPy
    rules). Only `like`'s shape is read. The gradient of a reduction is its
    result gradient broadcast back to the input.

    ```mlir
    %g = diffc.broadcast_like %s, %x
        : (tensor<?x64x1x1xf32>, tensor<?x64x7x7xf32>) -> tensor<?x64x7x7xf32>
    ```
  }];
  let arguments = (ins Diffc_FloatTensor:$input, Diffc_FloatTensor:$like);
  let results = (outs Diffc_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $like attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Diffc_HeavisideOp : Diffc_UnaryOp<"heaviside", "x > 0 ? 1 : 0">;

#endif // DIFFC_AUTODIFF_OPS_TD
