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
    "::mlir::arith::ArithDialect", "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect", "::mlir::tensor::TensorDialect",
  ];
}

def CpuMicrokernelsPass : Pass<"diffc-cpu-microkernels", "ModuleOp"> {
  let summary = "Call the runtime's SGEMM and convolution kernels for f32 "
                "contractions and convolutions on buffers";
  let description = [{
    Runs after bufferization in the CPU pipeline (DESIGN.md decision 9: GEMM
    and convolution go to tuned kernels where those measure faster than
    generated loops, see docs/cpu-kernels.md). Every f32 linalg op on memrefs
    that is

    - a contraction with one M, one N, one K and at most two batch
      dimensions (`linalg.matmul`, `linalg.batch_matmul`, and generics such
      as attention's per-head products), or
    - `linalg.conv_2d_nchw_fchw`, `linalg.conv_2d_ngchw_gfchw` or
      `linalg.conv_3d_ncdhw_fcdhw`, or
    - the `linalg.generic` of a conv2d gradient as diffc-convert-to-linalg
      makes it (recognized by its window indexing maps)

    becomes a `func.call` to `diffc_ukernel_sgemm`, `diffc_ukernel_conv` or
    `diffc_ukernel_conv_backward_input` / `_weight`,
    declared with `llvm.emit_c_interface`, so the code calls
    `_mlir_ciface_diffc_ukernel_*(StridedMemRef *...)`, which the runtime
    implements (runtime/src/ukernels/mlir_abi.cpp). Operands are passed as
    strided views (memref.transpose, memref.expand_shape, memref.cast), so
    transposed and strided operands cost no copy; two batch dimensions loop
    over the first with scf.for.

    The initialization of the result folds into the call: a zero
    `linalg.fill` just before becomes "overwrite", a bias broadcast
    (`linalg.broadcast`, or the equivalent `linalg.generic`) becomes
    "overwrite and add the bias". A convolution
    whose input is a zero-filled buffer with the real input copied into its
    interior (bufferized `tensor.pad`) reads the real input with the padding
    as a kernel argument instead, and the padded copy disappears; so does
    the strided copy that spreads an output gradient for the input
    gradient (its strides become the kernel's stride).

    Before:
    ```mlir
    linalg.fill ins(%zero : f32) outs(%c : memref<8x16xf32>)
    linalg.matmul ins(%a, %b : memref<8x4xf32>, memref<4x16xf32>)
                  outs(%c : memref<8x16xf32>)
    ```
    After:
    ```mlir
    %a3 = memref.expand_shape %a [[0, 1], [2]] output_shape [1, 8, 4] ...
    ...
    call @diffc_ukernel_sgemm(%a3c, %b3c, %c3c, %nobias, %c0_i32)
        : (memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>>, ...) -> ()
    ```
    Everything else is left for convert-linalg-to-loops.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
  ];
  let options = [
    Option<"gemm", "gemm", "bool", /*default=*/"true",
           "Rewrite contractions into SGEMM calls">,
    Option<"convolution", "convolution", "bool", /*default=*/"true",
           "Rewrite convolutions and their gradients into kernel calls">,
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
