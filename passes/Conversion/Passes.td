//===- Passes.td - diffc conversion passes -----------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_CONVERSION_PASSES_TD
#define DIFFC_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertDiffcToLinalgPass : Pass<"diffc-convert-to-linalg"> {
  let summary = "Lower diffc network and sampler ops to linalg, tensor, arith and math";
  let description = [{
    Rewrites diffc ops on tensors into `linalg` structured ops (mostly
    `linalg.generic`) over destination tensors made by `tensor.empty`, with
    the scalar math in `arith` / `math`. Dynamic extents (the batch) are read
    with `tensor.dim` from the operand they come from. Broadcasting operands
    get indexing maps with constant-0 results for their size-1 dimensions, so
    no broadcast is materialized.

    Before:
    ```mlir
    %y = diffc.add %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
    ```
    After:
    ```mlir
    %e = tensor.empty(%n) : tensor<?x8xf32>
    %y = linalg.generic {indexing_maps = [(d0, d1) -> (d0, d1), (d0, d1) -> (d1),
                                          (d0, d1) -> (d0, d1)], ...}
        ins(%a, %b : tensor<?x8xf32>, tensor<8xf32>) outs(%e : tensor<?x8xf32>) {...}
    ```
    Ops without a lowering yet are left alone; the compile pipeline's
    legality check reports them with their locations.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def VerifyLoweredPass : Pass<"diffc-verify-lowered"> {
  let summary = "Fail with a located error on every diffc op left after lowering";
  let description = [{
    Runs after `diffc-convert-to-linalg` in the compile pipeline. Each diffc
    op that is still present has no lowering for the target yet; each gets
    an error at its own location, so a user sees every unsupported op of the
    program at once:

    ```
    model.mlir:7:10: error: 'diffc.conv3d' has no lowering for x86_64 yet
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"x86_64\"",
           "Target named in the error messages">,
  ];
}

#endif // DIFFC_PASSES_CONVERSION_PASSES_TD
