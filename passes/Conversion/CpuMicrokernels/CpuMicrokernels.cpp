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
//   mode: 0 overwrite, 1 accumulate, 2 overwrite + bias (per column for the
//   SGEMM, per output channel for convolutions).
//
// Views replace copies: operands are transposed into the kernel's dimension
// order with memref.transpose and padded to the kernel's rank with unit
// dimensions by memref.expand_shape; the kernels read any strides.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "diffc-cpu-microkernels"

namespace mlir::diffc {
#define GEN_PASS_DEF_CPUMICROKERNELSPASS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::diffc

using namespace mlir;

namespace {

constexpr StringLiteral kSgemmName = "diffc_ukernel_sgemm";
constexpr StringLiteral kConvName = "diffc_ukernel_conv";
constexpr StringLiteral kNoBiasName = "__diffc_ukernel_no_bias";

/// The kernels' `mode` argument.
enum class Mode : int32_t { Overwrite = 0, Accumulate = 1, AddBias = 2 };

//===----------------------------------------------------------------------===//
// Declarations and small IR helpers
//===----------------------------------------------------------------------===//

/// memref<?x...x?xf32, strided<[?, ..., ?], offset: ?>>: the one type each
/// kernel parameter of that rank has, whatever the caller's layout.
MemRefType dynamicStridedType(MLIRContext *ctx, unsigned rank) {
  SmallVector<int64_t> dynamic(rank, ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(ctx, ShapedType::kDynamic, dynamic);
  return MemRefType::get(dynamic, Float32Type::get(ctx), layout);
}

/// The module-level declarations the rewrites call.
struct KernelDecls {
  ModuleOp module;
  func::FuncOp sgemm, conv;
  memref::GlobalOp noBias;

  explicit KernelDecls(ModuleOp module) : module(module) {}

  func::FuncOp declare(StringRef name, FunctionType type) {
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto fn = func::FuncOp::create(b, module.getLoc(), name, type);
    fn.setPrivate();
    // Calls go through `_mlir_ciface_<name>(StridedMemRef *...)`.
    fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    return fn;
  }

  func::FuncOp getSgemm() {
    if (!sgemm) {
      MLIRContext *ctx = module.getContext();
      Type m3 = dynamicStridedType(ctx, 3), m1 = dynamicStridedType(ctx, 1);
      Type i32 = IntegerType::get(ctx, 32);
      sgemm = declare(kSgemmName,
                      FunctionType::get(ctx, {m3, m3, m3, m1, i32}, {}));
    }
    return sgemm;
  }

  func::FuncOp getConv() {
    if (!conv) {
      MLIRContext *ctx = module.getContext();
      Type m6 = dynamicStridedType(ctx, 6), m1 = dynamicStridedType(ctx, 1);
      Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
      SmallVector<Type> inputs = {m6, m6, m6, m1};
      inputs.append(9, i64);
      inputs.push_back(i32);
      conv = declare(kConvName, FunctionType::get(ctx, inputs, {}));
    }
    return conv;
  }

  /// A one-element constant passed as `bias` when there is none (the
  /// kernels do not read it then); a global, so calls in loops allocate
  /// nothing.
  Value noBiasOperand(OpBuilder &b, Location loc) {
    MLIRContext *ctx = module.getContext();
    auto type = MemRefType::get({1}, Float32Type::get(ctx));
    if (!noBias) {
      noBias = module.lookupSymbol<memref::GlobalOp>(kNoBiasName);
      if (!noBias) {
        OpBuilder mb = OpBuilder::atBlockBegin(module.getBody());
        auto value = DenseElementsAttr::get(
            RankedTensorType::get({1}, Float32Type::get(ctx)), 0.0f);
        noBias = memref::GlobalOp::create(
            mb, module.getLoc(), kNoBiasName, mb.getStringAttr("private"),
            type, value, /*constant=*/true, /*alignment=*/nullptr);
      }
    }
    Value global = memref::GetGlobalOp::create(b, loc, type, kNoBiasName);
    return memref::CastOp::create(b, loc, dynamicStridedType(ctx, 1), global);
  }
};

/// `v` cast to the kernel parameter type of its rank.
Value toKernelType(OpBuilder &b, Location loc, Value v) {
  auto type = cast<MemRefType>(v.getType());
  Type target = dynamicStridedType(b.getContext(), type.getRank());
  if (type == target)
    return v;
  return memref::CastOp::create(b, loc, target, v);
}

/// The buffer `v` is a full view of: follows reshapes and casts, which
/// cover their source exactly.
Value fullViewRoot(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto e = dyn_cast<memref::ExpandShapeOp>(def))
      v = e.getSrc();
    else if (auto c = dyn_cast<memref::CollapseShapeOp>(def))
      v = c.getSrc();
    else if (auto c = dyn_cast<memref::CastOp>(def))
      v = c.getSource();
    else
      break;
  }
  return v;
}

bool isZeroConstant(Value v) {
  return matchPattern(v, m_AnyZeroFloat());
}

/// True for an op that fills all of `buffer` (or a full view of it) with
/// zeros: linalg.fill 0, or a linalg.map without inputs yielding 0 (the
/// bufferized form of tensor.pad's padding value).
bool isZeroFillOf(Operation *op, Value buffer) {
  Value root = fullViewRoot(buffer);
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.hasPureBufferSemantics() &&
           fullViewRoot(fill.getOutputs()[0]) == root &&
           isZeroConstant(fill.getInputs()[0]);
  if (auto map = dyn_cast<linalg::MapOp>(op)) {
    if (!map.hasPureBufferSemantics() || !map.getInputs().empty() ||
        fullViewRoot(map.getInit()) != root)
      return false;
    auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
    return yield.getNumOperands() == 1 && isZeroConstant(yield.getOperand(0));
  }
  return false;
}

/// When `op` writes all of `buffer` with a 1-D `bias` broadcast along
/// dimension `dim` (the accumulator a linear or convolution lowering
/// starts from: a linalg.broadcast, or the equivalent linalg.generic),
/// returns the bias.
Value biasBroadcastInto(Operation *op, Value buffer, unsigned dim) {
  if (auto broadcast = dyn_cast<linalg::BroadcastOp>(op)) {
    Value init = broadcast.getInit(), bias = broadcast.getInput();
    auto biasType = dyn_cast<MemRefType>(bias.getType());
    if (!broadcast.hasPureBufferSemantics() || !biasType ||
        biasType.getRank() != 1 || !biasType.getElementType().isF32() ||
        init != fullViewRoot(init) || init != fullViewRoot(buffer))
      return nullptr;
    unsigned rank = cast<MemRefType>(init.getType()).getRank();
    SmallVector<int64_t> added;
    for (unsigned d = 0; d < rank; ++d)
      if (d != dim)
        added.push_back(d);
    return broadcast.getDimensions() == ArrayRef<int64_t>(added) ? bias
                                                                  : nullptr;
  }
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1)
    return nullptr;
  Value init = generic.getDpsInits()[0];
  if (fullViewRoot(init) != fullViewRoot(buffer) || init != fullViewRoot(init))
    return nullptr;
  Value bias = generic.getDpsInputs()[0];
  auto biasType = dyn_cast<MemRefType>(bias.getType());
  if (!biasType || biasType.getRank() != 1 || !biasType.getElementType().isF32())
    return nullptr;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  unsigned rank = maps[1].getNumDims();
  if (!maps[1].isIdentity() || dim >= rank ||
      maps[0] != AffineMap::get(rank, 0, getAffineDimExpr(dim, op->getContext())) ||
      generic.getNumReductionLoops() != 0)
    return nullptr;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (yield.getNumOperands() != 1 ||
      yield.getOperand(0) != generic.getBody()->getArgument(0))
    return nullptr;
  return bias;
}

/// The last op before `op` in its block that may write memory; allocations,
/// side-effect-free ops (views, constants, dims) and `ignored` are skipped.
Operation *previousWriter(Operation *op, ArrayRef<Operation *> ignored) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (isMemoryEffectFree(prev) ||
        isa<memref::AllocOp, memref::AllocaOp>(prev) ||
        llvm::is_contained(ignored, prev))
      continue;
    return prev;
  }
  return nullptr;
}

/// How the kernel treats its output, from the op that initialized it: a
/// zero fill or bias broadcast right before `op` (not counting `ignored`,
/// ops that write other buffers) is absorbed (returned in `init` for
/// erasure), anything else means accumulating.
Mode outputMode(Operation *op, Value output, unsigned biasDim, Value &bias,
                Operation *&init, ArrayRef<Operation *> ignored = {}) {
  bias = nullptr;
  init = previousWriter(op, ignored);
  if (init && isZeroFillOf(init, output))
    return Mode::Overwrite;
  if (init && biasDim != ~0u && (bias = biasBroadcastInto(init, output, biasDim)))
    return Mode::AddBias;
  init = nullptr;
  return Mode::Accumulate;
}

/// `v` expanded by `reassociation`, in which every group's last dimension is
/// `v`'s and the others are new unit dimensions (so a unit lands in front of
/// the dimension whose group it is in).
Value expandWithUnits(OpBuilder &b, Location loc, Value v,
                      ArrayRef<ReassociationIndices> reassociation) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, v);
  SmallVector<OpFoldResult> outSizes;
  SmallVector<int64_t> outShape;
  for (auto [i, group] : llvm::enumerate(reassociation)) {
    for (size_t u = 0; u + 1 < group.size(); ++u) {
      outSizes.push_back(b.getIndexAttr(1));
      outShape.push_back(1);
    }
    outSizes.push_back(sizes[i]);
    outShape.push_back(type.getDimSize(i));
  }
  if (outShape.size() == (size_t)type.getRank())
    return v;
  FailureOr<MemRefType> outType =
      memref::ExpandShapeOp::computeExpandedType(type, outShape, reassociation);
  assert(succeeded(outType) && "unit dimensions always expand");
  return memref::ExpandShapeOp::create(b, loc, *outType, v, reassociation,
                                       outSizes);
}

//===----------------------------------------------------------------------===//
// Contractions -> diffc_ukernel_sgemm
//===----------------------------------------------------------------------===//

/// `v`, indexed by `map`, transposed so that its dimensions follow the loop
/// dimensions `order`.
Value permuteTo(OpBuilder &b, Location loc, Value v, AffineMap map,
                ArrayRef<unsigned> order) {
  SmallVector<unsigned> permutation;
  for (unsigned d : order)
    permutation.push_back(
        *map.getResultPosition(getAffineDimExpr(d, b.getContext())));
  bool identity = llvm::all_of(llvm::enumerate(permutation), [](auto p) {
    return p.index() == p.value();
  });
  if (identity)
    return v;
  AffineMap perm = AffineMap::getPermutationMap(permutation, b.getContext());
  return memref::TransposeOp::create(b, loc, v, AffineMapAttr::get(perm));
}

/// A rank-(r-1) view of `v` at index `i` of dimension 0.
Value dropLeading(OpBuilder &b, Location loc, Value v, Value i) {
  auto type = cast<MemRefType>(v.getType());
  unsigned rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[0] = i;
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, v);
  sizes[0] = b.getIndexAttr(1);
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  auto resultType = memref::SubViewOp::inferRankReducedResultType(
      type.getShape().drop_front(), type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, resultType, v, offsets, sizes,
                                   strides);
}

LogicalResult rewriteContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                                 KernelDecls &decls) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return failure();
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(v.getType());
    if (!type || !type.getElementType().isF32())
      return failure();
  }
  if (!linalg::isaContractionOpInterface(op))
    return failure();
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.size() != 1 || dims->batch.size() > 2)
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return failure();
  // Every operand has every batch dimension (a broadcast operand would have
  // made its dimension an M or N one above, which fails the counts).
  unsigned nb = dims->batch.size();
  for (AffineMap m : maps)
    if (m.getNumResults() != nb + 2)
      return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value a = op.getDpsInputs()[0], b = op.getDpsInputs()[1];
  Value c = op.getDpsInits()[0];

  // A linear layer's bias is the init of a 2-D C whose dimension 1 is N.
  unsigned biasDim = ~0u;
  if (nb == 0 && c == fullViewRoot(c) && maps[2].getDimPosition(1) == dims->n[0])
    biasDim = 1;
  Value bias;
  Operation *init;
  Mode mode = outputMode(op, c, biasDim, bias, init);

  SmallVector<unsigned> order(dims->batch.begin(), dims->batch.end());
  // With two batch dimensions the first is looped over and the second is
  // the kernel's batch, which it spreads over threads: loop over the one
  // known to be smaller (attention: heads, not the dynamic batch).
  if (nb == 2) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    int64_t first = ranges[order[0]], second = ranges[order[1]];
    if (!ShapedType::isDynamic(second) &&
        (ShapedType::isDynamic(first) || first > second))
      std::swap(order[0], order[1]);
  }
  auto orderFor = [&](unsigned row, unsigned col) {
    SmallVector<unsigned> o = order;
    o.append({row, col});
    return o;
  };
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  Value av = permuteTo(rewriter, loc, a, maps[0], orderFor(m, k));
  Value bv = permuteTo(rewriter, loc, b, maps[1], orderFor(k, n));
  Value cv = permuteTo(rewriter, loc, c, maps[2], orderFor(m, n));
  if (nb == 0) {
    SmallVector<ReassociationIndices> lead = {{0, 1}, {2}};
    av = expandWithUnits(rewriter, loc, av, lead);
    bv = expandWithUnits(rewriter, loc, bv, lead);
    cv = expandWithUnits(rewriter, loc, cv, lead);
  }
  Value biasArg = bias ? toKernelType(rewriter, loc, bias)
                       : decls.noBiasOperand(rewriter, loc);
  Value modeArg = arith::ConstantIntOp::create(rewriter, loc, rewriter.getI32Type(),
                                               static_cast<int32_t>(mode));
  func::FuncOp sgemm = decls.getSgemm();
  auto call = [&](OpBuilder &bld, Value a3, Value b3, Value c3) {
    func::CallOp::create(bld, loc, sgemm,
                         ValueRange{toKernelType(bld, loc, a3),
                                    toKernelType(bld, loc, b3),
                                    toKernelType(bld, loc, c3), biasArg,
                                    modeArg});
  };
  if (nb == 2) {
    // Two batch dimensions (attention's batch and heads): one call per
    // index of the first.
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    Value count = memref::DimOp::create(rewriter, loc, cv, 0);
    scf::ForOp::create(rewriter, loc, zero, count, one, ValueRange{},
                       [&](OpBuilder &bld, Location l, Value i, ValueRange) {
                         Value ai = dropLeading(bld, l, av, i);
                         Value bi = dropLeading(bld, l, bv, i);
                         Value ci = dropLeading(bld, l, cv, i);
                         call(bld, ai, bi, ci);
                         scf::YieldOp::create(bld, l);
                       });
  } else {
    call(rewriter, av, bv, cv);
  }
  LLVM_DEBUG(llvm::dbgs() << "sgemm call for " << *op << "\n");
  rewriter.eraseOp(op);
  if (init)
    rewriter.eraseOp(init);
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions -> diffc_ukernel_conv
//===----------------------------------------------------------------------===//

/// The input of a convolution read from a zero-padded copy: the buffer the
/// copy came from, the low padding per dimension, and the ops that made the
/// copy (erased once the kernel reads the source directly).
struct PaddedCopy {
  Value source;
  SmallVector<int64_t> lowPadding;
  SmallVector<Operation *> ops; // users first, the allocation last
};

/// True if some op strictly between `from` and `to` (same block) may write
/// a buffer other than a fresh allocation made after `from`.
bool mayWriteBetween(Operation *from, Operation *to) {
  for (Operation *op = from->getNextNode(); op && op != to;
       op = op->getNextNode()) {
    if (isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op))
      continue;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalgOp.hasPureBufferSemantics())
      return true;
    for (Value init : linalgOp.getDpsInits()) {
      auto alloc = fullViewRoot(init).getDefiningOp<memref::AllocOp>();
      if (!alloc || alloc->getBlock() != from->getBlock() ||
          alloc->isBeforeInBlock(from))
        return true;
    }
  }
  return false;
}

/// Matches the bufferized tensor.pad in front of `conv`'s input `x`:
///   %p = memref.alloc; <zero fill of %p>; %s = memref.subview %p[offsets];
///   memref.copy %src, %s; ... conv ins(%p ...); memref.dealloc %p
std::optional<PaddedCopy> matchPaddedCopy(Value x, Operation *conv) {
  auto alloc = x.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != conv->getBlock())
    return std::nullopt;
  Operation *fill = nullptr;
  memref::SubViewOp subview;
  SmallVector<Operation *> deallocs;
  for (Operation *user : alloc->getUsers()) {
    if (user == conv)
      continue;
    if (isa<memref::DeallocOp>(user)) {
      deallocs.push_back(user);
    } else if (!fill && isZeroFillOf(user, x)) {
      fill = user;
    } else if (auto s = dyn_cast<memref::SubViewOp>(user); s && !subview) {
      subview = s;
    } else {
      return std::nullopt;
    }
  }
  if (!fill || !subview || !subview.hasUnitStride() || !subview->hasOneUse() ||
      ShapedType::isDynamicShape(subview.getStaticOffsets()))
    return std::nullopt;
  auto copy = dyn_cast<memref::CopyOp>(*subview->user_begin());
  if (!copy || copy.getTarget() != subview.getResult() ||
      copy->getBlock() != conv->getBlock() || fill->getBlock() != conv->getBlock() ||
      !fill->isBeforeInBlock(copy) || !copy->isBeforeInBlock(conv) ||
      mayWriteBetween(copy, conv))
    return std::nullopt;
  PaddedCopy result;
  result.source = copy.getSource();
  result.lowPadding.assign(subview.getStaticOffsets().begin(),
                           subview.getStaticOffsets().end());
  result.ops = {copy, subview, fill};
  result.ops.append(deallocs.begin(), deallocs.end());
  result.ops.push_back(alloc);
  return result;
}

/// What differs between the three convolution ops: how their operands
/// expand to the kernel's 6-D [N, G, C, D, H, W] / [G, O, C, kD, kH, kW]
/// form, and where the spatial dimensions are.
struct ConvolutionForm {
  SmallVector<ReassociationIndices> activation, filter;
  SmallVector<unsigned> spatialDims; // of the activation operand
  /// The bias dimension of the buffer the output is a view of ([N, G*O,
  /// ...] for grouped convolutions, whose bias index is g * O + o).
  unsigned channelDim;
};

std::optional<ConvolutionForm> formOf(Operation *op) {
  if (isa<linalg::Conv2DNchwFchwOp>(op))
    // [N, C, H, W] -> [N, 1, C, 1, H, W]; [O, C, kH, kW] -> [1, O, C, 1, kH, kW]
    return ConvolutionForm{{{0}, {1, 2}, {3, 4}, {5}},
                           {{0, 1}, {2}, {3, 4}, {5}},
                           {2, 3},
                           1};
  if (isa<linalg::Conv2DNgchwGfchwOp>(op))
    // [N, G, C, H, W] -> [N, G, C, 1, H, W]; [G, O, C, kH, kW] likewise
    return ConvolutionForm{{{0}, {1}, {2}, {3, 4}, {5}},
                           {{0}, {1}, {2}, {3, 4}, {5}},
                           {3, 4},
                           1};
  if (isa<linalg::Conv3DNcdhwFcdhwOp>(op))
    // [N, C, D, H, W] -> [N, 1, C, D, H, W]; [O, C, kD, kH, kW] likewise
    return ConvolutionForm{{{0}, {1, 2}, {3}, {4}, {5}},
                           {{0, 1}, {2}, {3}, {4}, {5}},
                           {2, 3, 4},
                           1};
  return std::nullopt;
}

LogicalResult rewriteConvolution(RewriterBase &rewriter, linalg::LinalgOp op,
                                 KernelDecls &decls) {
  std::optional<ConvolutionForm> form = formOf(op);
  if (!form || !op.hasPureBufferSemantics())
    return failure();
  for (Value v : op->getOperands())
    if (!cast<MemRefType>(v.getType()).getElementType().isF32())
      return failure();
  auto ints = [&](StringRef name) {
    auto attr = op->getAttrOfType<DenseIntElementsAttr>(name);
    return llvm::to_vector(llvm::map_range(
        attr.getValues<int64_t>(), [](int64_t v) { return v; }));
  };
  SmallVector<int64_t> strides = ints("strides"), dilations = ints("dilations");
  unsigned spatial = form->spatialDims.size();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value x = op.getDpsInputs()[0], w = op.getDpsInputs()[1];
  Value y = op.getDpsInits()[0];

  SmallVector<int64_t> padding(spatial, 0);
  std::optional<PaddedCopy> padded = matchPaddedCopy(x, op);
  if (padded) {
    bool onlySpatial = true;
    for (auto [d, p] : llvm::enumerate(padded->lowPadding))
      if (p != 0 && !llvm::is_contained(form->spatialDims, d))
        onlySpatial = false;
    if (!onlySpatial)
      padded.reset();
  }
  // The kernel must not write what it reads: an output in the padded
  // copy's source keeps the copy.
  if (padded && fullViewRoot(padded->source) == fullViewRoot(y))
    padded.reset();
  if (padded) {
    x = padded->source;
    for (unsigned i = 0; i < spatial; ++i)
      padding[i] = padded->lowPadding[form->spatialDims[i]];
  }

  Value bias;
  Operation *init;
  Mode mode = outputMode(op, y, form->channelDim, bias, init,
                         padded ? ArrayRef<Operation *>(padded->ops)
                                : ArrayRef<Operation *>());

  Value x6 = expandWithUnits(rewriter, loc, x, form->activation);
  Value w6 = expandWithUnits(rewriter, loc, w, form->filter);
  Value y6 = expandWithUnits(rewriter, loc, y, form->activation);
  SmallVector<Value> args = {toKernelType(rewriter, loc, x6),
                             toKernelType(rewriter, loc, w6),
                             toKernelType(rewriter, loc, y6),
                             bias ? toKernelType(rewriter, loc, bias)
                                  : decls.noBiasOperand(rewriter, loc)};
  // Stride, padding and dilation as (frames, rows, columns); a 2-D
  // convolution has a unit frame dimension.
  auto push3 = [&](ArrayRef<int64_t> v, int64_t fill) {
    for (unsigned i = 0; i < 3 - spatial; ++i)
      args.push_back(arith::ConstantIntOp::create(rewriter, loc,
                                                  rewriter.getI64Type(), fill));
    for (int64_t e : v)
      args.push_back(
          arith::ConstantIntOp::create(rewriter, loc, rewriter.getI64Type(), e));
  };
  push3(strides, 1);
  push3(padding, 0);
  push3(dilations, 1);
  args.push_back(arith::ConstantIntOp::create(
      rewriter, loc, rewriter.getI32Type(), static_cast<int32_t>(mode)));
  func::CallOp::create(rewriter, loc, decls.getConv(), args);
  LLVM_DEBUG(llvm::dbgs() << "conv call for " << *op << "\n");

  rewriter.eraseOp(op);
  if (init)
    rewriter.eraseOp(init);
  if (padded)
    for (Operation *dead : padded->ops)
      rewriter.eraseOp(dead);
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

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
      if (formOf(op)) {
        if (convolution)
          (void)rewriteConvolution(rewriter, op, decls);
      } else if (gemm) {
        (void)rewriteContraction(rewriter, op, decls);
      }
    }
  }
};

} // namespace
