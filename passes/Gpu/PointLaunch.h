//===- PointLaunch.h - one GPU thread per point of a loop space -*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// What diffc-gpu-map-elementwise and diffc-gpu-map-reductions share: a 1-D
// gpu.launch with one guarded thread per point of a row-major linearized
// iteration space, operand indices through indexing maps, the kernel tag the
// artifact's kernel table reads, and the final "nothing left unmapped" check.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_PASSES_GPU_POINTLAUNCH_H
#define DIFFC_PASSES_GPU_POINTLAUNCH_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"

namespace mlir::diffc {

/// A launch over `sizes` points: inside `guard` (only threads whose id is
/// below the point count), `ivs` are the thread's point, innermost fastest.
struct PointLaunch {
  gpu::LaunchOp launch;
  /// Where the thread's work goes (before the guard's terminator).
  OpBuilder::InsertPoint body;
  SmallVector<Value> ivs;
};

/// Builds the launch before `b`'s insertion point: ceil(points / blockSize)
/// blocks of `blockSize` threads along x (at least one block), tagged
/// `diffc.gpu_kernel = {block, elements}` (elements: the static point count,
/// or -1). An empty `sizes` is one point.
PointLaunch createPointLaunch(OpBuilder &b, Location loc, ArrayRef<Value> sizes,
                              int64_t blockSize);

/// The indices of an operand at loop indices `ivs`, through its indexing map.
SmallVector<Value> operandIndices(OpBuilder &b, Location loc, AffineMap map,
                                  ArrayRef<Value> ivs);

/// Emits `op`'s payload at loop indices `ivs` and returns the values it
/// yields. Each operand the payload reads is loaded through its indexing
/// map (non-memref operands are used as they are), except the outputs when
/// `outputValues` gives their current values (a reduction's carried ones).
SmallVector<Value> emitPayload(OpBuilder &b, Location loc, linalg::LinalgOp op,
                               ArrayRef<Value> ivs, ValueRange outputValues);

/// Fails with an error at `root` unless 1 <= blockSize <= 1024.
LogicalResult checkBlockSize(Operation *root, int64_t blockSize);

/// True for linalg ops on buffers whose loop extents follow from the operand
/// shapes (an invertible loops-to-shapes map, as linalg's loop lowering
/// needs), outside any launch.
bool isMappableLinalgOp(linalg::LinalgOp op);

/// Fails at the first linalg op or external call left under `root`, with an
/// error at its location: "'<op>' is not lowered for GPU targets: <why(op)>".
LogicalResult verifyAllMapped(Operation *root,
                              function_ref<std::string(linalg::LinalgOp)> why);

} // namespace mlir::diffc

#endif // DIFFC_PASSES_GPU_POINTLAUNCH_H
