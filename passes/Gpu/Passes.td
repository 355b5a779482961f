//===- Passes.td - diffc GPU passes ------------------------*- tablegen -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_GPU_PASSES_TD
#define DIFFC_PASSES_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def GpuLaunchToLoopsPass : Pass<"diffc-gpu-launch-to-loops", "func::FuncOp"> {
  let summary = "Run gpu.launch bodies as host loops over block and thread ids";
  let description = [{
    The "GPU logic on CPU" check (docs/gpu.md): every `gpu.launch` becomes
    six nested `scf.for` loops (block z, y, x, then thread z, y, x) around
    its body, with the launch's block and thread ids, grid and block sizes
    replaced by the loop variables and bounds. The kernels that
    `diffc-gpu-map-elementwise` makes have no barriers and no shared memory,
    so running their threads one after another computes what the GPU
    computes; the rest of the CPU pipeline then compiles them to x86-64 and
    the end-to-end tests compare them with the float64 references.

    ```mlir
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %g, ...) threads(%tx, ...) in
        (%sx = %c256, ...) { ... gpu.terminator }
    // becomes
    scf.for %bz = %c0 to %c1 step %c1 { ... scf.for %tx = %c0 to %c256 ... }
    ```

    A launch whose body has a `gpu.barrier`, more than one block, or
    workgroup memory is refused with an error at the launch.
  }];
  let dependentDialects = ["scf::SCFDialect", "arith::ArithDialect"];
}

def GpuMergeModulesPass : Pass<"diffc-gpu-merge-modules", "ModuleOp"> {
  let summary = "Gather every gpu.module's kernels into one gpu.module";
  let description = [{
    After `gpu-kernel-outlining`, each kernel has a gpu.module of its own.
    The artifact holds one code object per GPU target, so this pass moves
    every kernel into one gpu.module (`module-name`) and points each
    `gpu.launch_func` at it. Kernel names are unique already (outlining
    uniques the module names and each kernel is named after its module).
  }];
  let dependentDialects = ["gpu::GPUDialect"];
  let options = [
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"diffc_kernels\"", "Name of the merged gpu.module">,
  ];
}

def GpuMapElementwisePass : Pass<"diffc-gpu-map-elementwise", "func::FuncOp"> {
  let summary = "Map all-parallel linalg ops on buffers to 1-D gpu.launch kernels";
  let description = [{
    Runs on bufferized IR. Every linalg op with only parallel loops (fused
    elementwise `linalg.generic`, `linalg.fill`, copies, transposes,
    broadcasts) becomes one `gpu.launch` with one thread per point of its
    iteration space: the space is linearized row-major, blocks have
    `block-size` threads along x, the grid is ceil(points / block-size)
    blocks (at least one), and consecutive threads handle consecutive
    innermost indices, so loads and stores of row-major operands are
    coalesced. Inside, each thread delinearizes its id, loads what the
    payload reads through the op's indexing maps, runs the payload and
    stores the results.

    ```mlir
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%a : memref<?xf32>) outs(%b : memref<?xf32>) { ... math.exp ... }
    // becomes
    gpu.launch blocks(...) in (%grid, %c1, %c1) threads(...) in (%c256, ...) {
      %id = bx * 256 + tx ; scf.if %id < %n { load, exp, store }
    }
    ```

    `memref.copy` ops (padding interiors, loop-carried values) become
    `linalg.copy` first and are mapped the same way, so no copy runs on the
    host over memory the kernels use.
    Each launch gets `diffc.gpu_kernel = {block = [256, 1, 1], elements =
    N or -1}` for the artifact's kernel table. Ops with reduction loops are
    left to `diffc-gpu-map-reductions`; with `verify` (the default) any
    linalg op left afterwards is an error at its location.
  }];
  let dependentDialects = ["gpu::GPUDialect", "scf::SCFDialect", "linalg::LinalgDialect",
                           "arith::ArithDialect", "affine::AffineDialect",
                           "memref::MemRefDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"verify", "verify", "bool", /*default=*/"true",
           "Fail at any linalg op that cannot be mapped">,
  ];
}

def GpuMapBlockReductionsPass
    : Pass<"diffc-gpu-map-block-reductions", "func::FuncOp"> {
  let summary = "Map few, long reductions to one block of threads per output";
  let description = [{
    Runs on bufferized IR, before `diffc-gpu-map-reductions`, and takes the
    linalg ops with reduction loops that have few output points (the
    static part of the parallel loops' extent at most `max-points`: a
    dynamic batch does not count) and many terms (the reduction loops'
    extent at least `min-terms`, or dynamic), and whose every output folds
    its terms with one associative, commutative operation
    (`out = addf/mulf/maximumf/maxnumf/minimumf/minnumf/addi(out, term)`,
    the term not reading any output): GroupNorm statistics, losses, full
    sums. Plain reductions of one tensor (exactly one input reads the
    reduction loops: softmax's row maximum and sum) with many outputs and
    at least `warp-terms` terms get `warp-size` threads per output instead,
    so the threads of a row read it coalesced rather than one thread per
    row striding through memory; contractions stay with
    `diffc-gpu-map-reductions`. Each becomes a `gpu.launch` with one block
    of threads per output point: thread t folds terms t, t + block-size, ...
    from the operation's identity, the partials meet in workgroup memory in
    a tree (log2(block-size) steps, a `gpu.barrier` after each), and thread
    0 folds the total into the output's initial value. The order of the
    additions differs from linalg's (CPU results differ by rounding). The
    phases share only workgroup memory and are separated by top-level
    barriers, so `diffc-gpu-launch-to-loops` runs them as host loops.
  }];
  let dependentDialects = ["gpu::GPUDialect", "scf::SCFDialect",
                           "arith::ArithDialect", "memref::MemRefDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (a power of two)">,
    Option<"minTerms", "min-terms", "int64_t", /*default=*/"1024",
           "Fewest terms per output for a block">,
    Option<"maxPoints", "max-points", "int64_t", /*default=*/"4096",
           "Most output points (static part) for a block each">,
    Option<"warpSize", "warp-size", "int64_t", /*default=*/"32",
           "Threads per output for plain reductions with many outputs">,
    Option<"warpTerms", "warp-terms", "int64_t", /*default=*/"64",
           "Fewest terms per output for a warp">,
  ];
}

def GpuMapReductionsPass : Pass<"diffc-gpu-map-reductions", "func::FuncOp"> {
  let summary = "Map linalg ops with reduction loops to gpu.launch kernels";
  let description = [{
    Runs on bufferized IR, after `diffc-gpu-map-elementwise`. Every linalg op
    with reduction loops (sums and maxima, GroupNorm and LayerNorm
    statistics, softmax, matrix products, convolutions, their backward
    forms) becomes one `gpu.launch` with one thread per point of its
    parallel loops (linearized row-major as in diffc-gpu-map-elementwise,
    so consecutive threads write consecutive innermost outputs); each thread
    loads its outputs' initial values, runs the reduction loops as an
    `scf.for` nest carrying them, applying the payload in linalg's order,
    and stores them. This is the correct baseline for every reduction, not
    yet the fast kernel (docs/gpu.md).

    ```mlir
    linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x32xf32>)
                  outs(%c : memref<?x32xf32>)
    // becomes
    gpu.launch ... {            // one thread per (i, j)
      %c0 = memref.load %c[%i, %j]
      %s = scf.for %k = %0 to %c64 step %1 iter_args(%acc = %c0) { ... }
      memref.store %s, %c[%i, %j]
    }
    ```

    With `coarsen` = F > 1, contractions (two or more inputs read the
    reduction loops: matrix products, convolutions) give each thread F
    consecutive points of one parallel loop that is not the innermost, has
    a static extent divisible by F and is not read by the largest input,
    whose loads the F points then share; each point keeps its own
    accumulators and linalg's order, so results are bitwise the same.
    Whether it pays is for the GPU benchmark to decide (docs/gpu.md).
    With `verify` (the default) any linalg op or external call left is an
    error at its location.
  }];
  let dependentDialects = ["gpu::GPUDialect", "scf::SCFDialect",
                           "arith::ArithDialect", "affine::AffineDialect",
                           "memref::MemRefDialect"];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"coarsen", "coarsen", "int64_t", /*default=*/"1",
           "Points per thread of a contraction's coarsened parallel loop">,
    Option<"verify", "verify", "bool", /*default=*/"true",
           "Fail at any linalg op or external call left unmapped">,
  ];
}

def GpuLaunchToCallsPass : Pass<"diffc-gpu-launch-to-calls", "ModuleOp"> {
  let summary = "Turn gpu.launch_func into calls of the runtime's launch ABI";
  let description = [{
    The host side of `--device=cuda` (docs/gpu.md, "Host code"). After the
    kernels were outlined and assembled, every `gpu.launch_func` becomes a
    call of the runtime's

    ```c
    void diffc_gpu_launch(int64_t kernel, int64_t gx, int64_t gy, int64_t gz,
                          int64_t bx, int64_t by, int64_t bz, int64_t smem,
                          int64_t params, int64_t count);
    ```

    where `kernel` is the kernel's row in the artifact's kernel table (the
    launches' walk order, which is the table's order) and `params` points
    to `count` 64-bit slots, one per PTX parameter: a buffer of rank r is
    MLIR's expanded descriptor (allocated and aligned pointer, offset, r
    sizes, r strides), scalars are zero-extended into their slot (f32
    through its bits), so the runtime hands the driver a pointer to each
    slot. One `memref.alloca` per function, in its entry block, holds the
    slots of all its launches. A buffer that views a `memref.get_global`
    (weights, noise-schedule tables) is passed as the runtime's device copy
    of the global: `diffc_gpu_global(host_pointer, bytes)` returns it,
    uploading on first use. Afterwards the gpu.module / gpu.binary ops and
    the `gpu.container_module` attribute are removed; asynchronous launches
    and clusters are refused at their location.
  }];
  let dependentDialects = ["func::FuncDialect", "arith::ArithDialect",
                           "memref::MemRefDialect"];
}

def GpuHostSyncPass : Pass<"diffc-gpu-host-sync", "ModuleOp"> {
  let summary = "Wait for the GPU before host code touches device-visible memory";
  let description = [{
    Runs after `diffc-gpu-launch-to-calls`. Launches are asynchronous, so
    before any host operation that reads or writes a buffer the kernels may
    use (`memref.load`, `memref.store`, `memref.copy`, ...), a call of the
    runtime's `diffc_gpu_sync()` is inserted (the runtime returns at once
    when nothing was launched since the last wait). Buffers rooted in a
    `memref.alloca` (host stack: the launch parameter slots), a
    `memref.get_global` (kernels read the device copy, never write the host
    one), or a `memref.alloc` that never reaches a kernel (its pointer is
    never taken, it goes only to functions that launch nothing: the
    deallocation bookkeeping), and such functions' arguments, need no wait,
    so a sampling loop's steps run without one. An access inside a host `scf.parallel` waits once,
    before the outermost parallel loop. Consecutive waits are merged.
  }];
  let dependentDialects = ["func::FuncDialect"];
}

def GpuHostAllocationsPass : Pass<"diffc-gpu-host-allocations", "ModuleOp"> {
  let summary = "Allocate the host code's buffers through the runtime's GPU allocator";
  let description = [{
    Runs on the LLVM dialect, after `finalize-memref-to-llvm{use-generic-functions}`.
    Renames the generic allocation functions the host code calls
    (`_mlir_memref_to_llvm_alloc`, `_mlir_memref_to_llvm_aligned_alloc`,
    `_mlir_memref_to_llvm_free`) to `diffc_gpu_alloc`,
    `diffc_gpu_aligned_alloc` and `diffc_gpu_free`, which the runtime
    implements with memory both the host code and the kernels can address
    (CUDA managed memory, cached per size). The CPU code object keeps the
    originals, so both can live in one process.
  }];
}

#endif // DIFFC_PASSES_GPU_PASSES_TD
