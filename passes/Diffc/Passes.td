//===- Passes.td - diffc dialect passes --------------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_DIFFC_PASSES_TD
#define DIFFC_PASSES_DIFFC_PASSES_TD

include "mlir/Pass/PassBase.td"

def ModelSummaryPass : Pass<"diffc-model-summary", "ModuleOp"> {
  let summary = "Print parameter counts, FLOPs and op counts of each function";
  let description = [{
    An analysis that changes nothing: for every function it prints the number
    of parameters (`diffc.parameter` elements), the floating-point work of one
    call and a per-op breakdown. FLOPs are 2 x multiply-adds of convolutions,
    linears, matmuls and the two products of attention, the convention of
    the benchmark tables; elementwise work is not counted. Dynamic extents
    (the batch) are taken as `batch`.

    ```
    $ diffc-opt model.mlir --diffc-model-summary -o /dev/null
    diffc model summary: @denoiser (dynamic extents as 1)
      parameters      123,456 in 20 tensors (0.47 MiB)
      ...
    ```
  }];
  let options = [
    Option<"batch", "batch", "int64_t", /*default=*/"1",
           "Extent assumed for dynamic dimensions">,
  ];
}

def FuseElementwisePass : Pass<"diffc-fuse-elementwise"> {
  let summary = "Fuse chains of elementwise linalg.generic ops into one kernel";
  let description = [{
    After `diffc-convert-to-linalg`, every elementwise diffc op is its own
    `linalg.generic`. This pass merges a producer into its consumer when the
    producer's result has that single use and both are all-parallel, so bias
    + activation, GroupNorm's affine + SiLU, residual adds and the
    timestep-embedding broadcast become one loop nest (one kernel) instead of
    several passes over memory. A producer with several uses is not
    duplicated.

    Before: `%1 = generic(add) ins(%a, %b)`, `%2 = generic(silu) ins(%1)`.
    After: `%2 = generic(add + silu) ins(%a, %b)`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def ParametersToGlobalsPass
    : Pass<"diffc-parameters-to-globals", "ModuleOp"> {
  let summary = "Give every diffc.parameter exported storage in the code object";
  let description = [{
    Each distinct parameter name becomes one public, uninitialized
    `memref.global` (`diffc_param_<i>`, first-use order, 64-byte aligned,
    tagged `diffc.parameter = "<name>"`); the runtime copies the weight of
    that name into the symbol's storage after loading the code object. Uses
    read it through `memref.get_global` and a `restrict` (read-only)
    `bufferization.to_tensor`, once per function.

    Before:
    ```mlir
    %w = diffc.parameter "conv_in.weight" : tensor<64x1x3x3xf32>
    ```
    After:
    ```mlir
    memref.global @diffc_param_0 : memref<64x1x3x3xf32> = uninitialized
        {alignment = 64 : i64, diffc.parameter = "conv_in.weight"}
    ...
    %m = memref.get_global @diffc_param_0 : memref<64x1x3x3xf32>
    %w = bufferization.to_tensor %m restrict : memref<64x1x3x3xf32> to tensor<64x1x3x3xf32>
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

def PlanMemoryPass : Pass<"diffc-plan-memory", "func::FuncOp"> {
  let summary = "Place each block's temporaries in one arena, reusing bytes";
  let description = [{
    Runs on bufferized functions, before deallocations are placed. In every
    block, the `memref.alloc`s that do not escape (not returned, yielded,
    deallocated or handed to a call returning memrefs) get live ranges (the
    span of ops in the block that use them or their views) and are placed
    greedily, largest first, at the lowest 64-byte aligned offset that no
    overlapping live buffer uses. Buffers of static size and buffers of size
    k * n for a dynamic extent n (the batch) are planned in one region per
    extent, so the plan holds for every batch size. Each placed alloc
    becomes a `memref.view` into one `memref.alloc` of
    `peak_static + peak_per_batch * n` bytes, tagged `diffc.arena` with the
    planned peak and the no-reuse sum (for `diffc compile --stats`).

    Before:
    ```mlir
    %a = memref.alloc(%n) : memref<?x64xf32>
    %b = memref.alloc(%n) : memref<?x64xf32>
    ```
    After:
    ```mlir
    %arena = memref.alloc(%bytes) {diffc.arena = {...}} : memref<?xi8>
    %a = memref.view %arena[%off_a][%n] : memref<?xi8> to memref<?x64xf32>
    %b = memref.view %arena[%off_b][%n] : memref<?xi8> to memref<?x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AutodiffPass : Pass<"diffc-autodiff", "ModuleOp"> {
  let summary = "Reverse-mode autodiff: add the gradient function of a loss";
  let description = [{
    For the function `function`, whose first result is a scalar loss (a
    rank-0 float tensor), adds `@<function>_grad` taking the same arguments
    and returning the original results followed by the gradient of the loss
    with respect to each argument listed in `wrt` (in that order), then,
    with `parameters`, with respect to each `diffc.parameter` the loss
    depends on, in first-use order (their names are recorded in the
    function's `diffc.gradient_parameters` attribute).

    The backward pass is emitted in diffc ops after the forward ones: each
    op's rule comes from its `DifferentiableOpInterface` (rules in
    dialects/Diffc/Gradients/), adjoints of values used twice are added, and
    only ops on a path from a differentiated input to the loss are
    differentiated. An op on such a path without a rule is an error at the
    op's location. The result is an ordinary function: fusion, memory
    planning and lowering treat it like any other.

    Without `function`, every function carrying a `diffc.differentiate`
    dictionary (`{wrt = array<i64: 0, 1>, parameters = true}`, both
    optional) is differentiated, and the attribute is removed.

    ```
    $ diffc-opt loss.mlir --diffc-autodiff="function=loss wrt=0 parameters=true"
    ```
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"\"",
           "Name of the function to differentiate">,
    ListOption<"wrt", "wrt", "unsigned",
               "Indices of the arguments to differentiate with respect to">,
    Option<"parameters", "parameters", "bool", /*default=*/"false",
           "Also differentiate with respect to every diffc.parameter">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ParallelizeLoopsPass : Pass<"diffc-parallelize-loops", "func::FuncOp"> {
  let summary = "Choose which scf.parallel loops run on the CPU's threads";
  let description = [{
    Runs on the loops `convert-linalg-to-parallel-loops` makes, before
    `convert-scf-to-openmp`. Every outermost `scf.parallel` whose static work
    (the product of the constant trip counts along its deepest loop chain,
    dynamic extents counted as 1) reaches `min-work` stays parallel over at
    most `max-dims` leading dimensions, which OpenMP collapses into one range
    and the runtime splits over its thread pool; its other dimensions and
    every loop nested in it become `scf.for`, so the innermost loop stays a
    plain loop that LLVM vectorizes. Smaller loops become `scf.for` nests
    (a fork costs microseconds). Loops with reductions are not expected here
    (linalg puts reduction dimensions in inner `scf.for` loops) and are an
    error.

    Before:
    ```mlir
    scf.parallel (%n, %c, %h, %w) = (%0, %0, %0, %0) to (%N, %c32, %c28, %c28) ...
    ```
    After:
    ```mlir
    scf.parallel (%n, %c) = (%0, %0) to (%N, %c32) step (%1, %1) {
      scf.for %h = %0 to %c28 step %1 {
        scf.for %w = %0 to %c28 step %1 { ... }
      }
    }
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"4096",
           "Smallest static iteration count that runs in parallel">,
    Option<"maxDims", "max-dims", "unsigned", /*default=*/"2",
           "Leading dimensions kept parallel (collapsed into one range)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def ApproximateMathPass : Pass<"diffc-approximate-math"> {
  let summary = "Replace float32 math functions with inline polynomials";
  let description = [{
    Rewrites the selected `math` ops on f32 (and vectors of f32) into MLIR's
    polynomial approximations (arith ops only), so that the loops holding
    them (SiLU's and softmax's exp) vectorize instead of calling glibc's
    scalar `expf` per element. Other element types are left to libm.
    docs/cpu-parallel-loops.md has the measured accuracy and speed.

    Before: `%e = math.exp %x : f32`
    After: a range reduction, a polynomial and an exponent bit-cast
    (`arith.mulf`, `math.fma`, `arith.bitcast`, ...), no `math.exp`.
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Math ops to approximate, by name (default: exp)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // DIFFC_PASSES_DIFFC_PASSES_TD
