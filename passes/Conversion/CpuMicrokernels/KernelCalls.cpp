//===- KernelCalls.cpp - calls of the runtime's CPU kernels ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/CpuMicrokernels/KernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace mlir::diffc::kernel_calls {

constexpr StringLiteral kSgemmName = "diffc_ukernel_sgemm";
constexpr StringLiteral kConvName = "diffc_ukernel_conv";
constexpr StringLiteral kConvBackwardInputName =
    "diffc_ukernel_conv_backward_input";
constexpr StringLiteral kConvBackwardWeightName =
    "diffc_ukernel_conv_backward_weight";
constexpr StringLiteral kNoBiasName = "__diffc_ukernel_no_bias";

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

MemRefType dynamicStridedType(MLIRContext *ctx, unsigned rank) {
  SmallVector<int64_t> dynamic(rank, ShapedType::kDynamic);
  auto layout = StridedLayoutAttr::get(ctx, ShapedType::kDynamic, dynamic);
  return MemRefType::get(dynamic, Float32Type::get(ctx), layout);
}

func::FuncOp KernelDecls::declare(StringRef name, FunctionType type) {
  if (auto existing = module_.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module_.getBody());
  auto fn = func::FuncOp::create(b, module_.getLoc(), name, type);
  fn.setPrivate();
  // Calls go through `_mlir_ciface_<name>(StridedMemRef *...)`.
  fn->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return fn;
}

func::FuncOp KernelDecls::getSgemm() {
  if (!sgemm_) {
    MLIRContext *ctx = module_.getContext();
    Type m3 = dynamicStridedType(ctx, 3), m1 = dynamicStridedType(ctx, 1);
    Type i32 = IntegerType::get(ctx, 32);
    sgemm_ = declare(kSgemmName,
                     FunctionType::get(ctx, {m3, m3, m3, m1, i32}, {}));
  }
  return sgemm_;
}

func::FuncOp KernelDecls::getConv() {
  if (!conv_) {
    MLIRContext *ctx = module_.getContext();
    Type m6 = dynamicStridedType(ctx, 6), m1 = dynamicStridedType(ctx, 1);
    Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
    SmallVector<Type> inputs = {m6, m6, m6, m1};
    inputs.append(9, i64);
    inputs.push_back(i32);
    conv_ = declare(kConvName, FunctionType::get(ctx, inputs, {}));
  }
  return conv_;
}

FunctionType KernelDecls::convGradientType() {
  MLIRContext *ctx = module_.getContext();
  Type m6 = dynamicStridedType(ctx, 6);
  SmallVector<Type> inputs = {m6, m6, m6};
  inputs.append(9, IntegerType::get(ctx, 64));
  inputs.push_back(IntegerType::get(ctx, 32));
  return FunctionType::get(ctx, inputs, {});
}

func::FuncOp KernelDecls::getConvBackwardInput() {
  if (!convBackwardInput_)
    convBackwardInput_ = declare(kConvBackwardInputName, convGradientType());
  return convBackwardInput_;
}

func::FuncOp KernelDecls::getConvBackwardWeight() {
  if (!convBackwardWeight_)
    convBackwardWeight_ = declare(kConvBackwardWeightName, convGradientType());
  return convBackwardWeight_;
}

Value KernelDecls::noBiasOperand(OpBuilder &b, Location loc) {
  MLIRContext *ctx = module_.getContext();
  auto type = MemRefType::get({1}, Float32Type::get(ctx));
  if (!noBias_) {
    noBias_ = module_.lookupSymbol<memref::GlobalOp>(kNoBiasName);
    if (!noBias_) {
      OpBuilder mb = OpBuilder::atBlockBegin(module_.getBody());
      auto value = DenseElementsAttr::get(
          RankedTensorType::get({1}, Float32Type::get(ctx)), 0.0f);
      noBias_ = memref::GlobalOp::create(
          mb, module_.getLoc(), kNoBiasName, mb.getStringAttr("private"),
          type, value, /*constant=*/true, /*alignment=*/nullptr);
    }
  }
  Value global = memref::GetGlobalOp::create(b, loc, type, kNoBiasName);
  return memref::CastOp::create(b, loc, dynamicStridedType(ctx, 1), global);
}

//===----------------------------------------------------------------------===//
// Views, output initialization, padded copies
//===----------------------------------------------------------------------===//

Value toKernelType(OpBuilder &b, Location loc, Value v) {
  auto type = cast<MemRefType>(v.getType());
  Type target = dynamicStridedType(b.getContext(), type.getRank());
  if (type == target)
    return v;
  return memref::CastOp::create(b, loc, target, v);
}

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

static bool isZeroConstant(Value v) {
  return matchPattern(v, m_AnyZeroFloat());
}

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
static Value biasBroadcastInto(Operation *op, Value buffer, unsigned dim) {
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
static Operation *previousWriter(Operation *op,
                                 ArrayRef<Operation *> ignored) {
  for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
    if (isMemoryEffectFree(prev) ||
        isa<memref::AllocOp, memref::AllocaOp>(prev) ||
        llvm::is_contained(ignored, prev))
      continue;
    return prev;
  }
  return nullptr;
}

Mode outputMode(Operation *op, Value output, unsigned biasDim, Value &bias,
                Operation *&init, ArrayRef<Operation *> ignored) {
  bias = nullptr;
  init = previousWriter(op, ignored);
  if (init && isZeroFillOf(init, output))
    return Mode::Overwrite;
  if (init && biasDim != ~0u && (bias = biasBroadcastInto(init, output, biasDim)))
    return Mode::AddBias;
  init = nullptr;
  return Mode::Accumulate;
}

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


/// True if some op strictly between `from` and `to` (same block) may write
/// a buffer other than a fresh allocation made after `from`.
static bool mayWriteBetween(Operation *from, Operation *to) {
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

std::optional<PaddedCopy> matchPaddedCopy(Value x, Operation *conv,
                                          bool allowStrides) {
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
  if (!fill || !subview || !subview->hasOneUse() ||
      (!allowStrides && !subview.hasUnitStride()) ||
      ShapedType::isDynamicShape(subview.getStaticOffsets()) ||
      ShapedType::isDynamicShape(subview.getStaticStrides()))
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
  result.strides.assign(subview.getStaticStrides().begin(),
                        subview.getStaticStrides().end());
  result.ops = {copy, subview, fill};
  result.ops.append(deallocs.begin(), deallocs.end());
  result.ops.push_back(alloc);
  return result;
}

SmallVector<Value> windowArguments(OpBuilder &b, Location loc,
                                   ArrayRef<int64_t> stride,
                                   ArrayRef<int64_t> padding,
                                   ArrayRef<int64_t> dilation, Mode mode) {
  SmallVector<Value> args;
  auto push3 = [&](ArrayRef<int64_t> v, int64_t fill) {
    for (size_t i = v.size(); i < 3; ++i)
      args.push_back(
          arith::ConstantIntOp::create(b, loc, b.getI64Type(), fill));
    for (int64_t e : v)
      args.push_back(arith::ConstantIntOp::create(b, loc, b.getI64Type(), e));
  };
  push3(stride, 1);
  push3(padding, 0);
  push3(dilation, 1);
  args.push_back(arith::ConstantIntOp::create(b, loc, b.getI32Type(),
                                              static_cast<int32_t>(mode)));
  return args;
}

} // namespace mlir::diffc::kernel_calls
