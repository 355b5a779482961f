//===- NetworkOps.cpp - verifiers of diffc network ops --------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Shape and element-type rules of the network ops. Each rule mirrors the
// PyTorch function the op documents, so a shape error here is the error
// PyTorch would raise at run time, found at compile time instead.
//
//===----------------------------------------------------------------------===//

#include "dialects/Diffc/IR/DiffcDialect.h"
#include "dialects/Diffc/IR/DiffcShapes.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace mlir::diffc;

static ShapedType shapedOf(Value v) { return cast<ShapedType>(v.getType()); }

/// Checks a rank against what the op needs: "expects <what> of rank <n>".
static LogicalResult verifyRank(Operation *op, ShapedType type, int64_t rank,
                                StringRef what) {
  int64_t got = type.getRank();
  if (got == rank)
    return success();
  return op->emitOpError("expects ")
         << what << " of rank " << rank << ", got " << got;
}

static LogicalResult verifyRank(Operation *op, Value v, int64_t rank,
                                StringRef what) {
  return verifyRank(op, shapedOf(v), rank, what);
}

static LogicalResult verifyMinRank(Operation *op, Value v, int64_t rank,
                                   StringRef what) {
  int64_t got = shapedOf(v).getRank();
  if (got >= rank)
    return success();
  return op->emitOpError("expects ")
         << what << " of rank at least " << rank << ", got " << got;
}

/// Checks that a per-channel vector (bias, gamma, beta) is `[n]`.
static LogicalResult verifyChannelVector(Operation *op, Value v, int64_t n,
                                         StringRef what) {
  if (!v)
    return success();
  ArrayRef<int64_t> s = shapedOf(v).getShape();
  if (s.size() == 1 && dimsCompatible(s[0], n))
    return success();
  return op->emitOpError("expects ")
         << what << " of shape " << formatShape({n}) << ", got "
         << formatShape(s);
}

//===----------------------------------------------------------------------===//
// ParameterOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  if (getName().empty())
    return emitOpError("expects a non-empty state-dict name");
  if (!getType().hasStaticShape())
    return emitOpError("expects a static shape, got ")
           << formatShape(getType().getShape());
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

namespace {
/// The three tensors a convolution relates and what diagnostics call them.
/// The forward ops verify their operands and result; the backward ops
/// verify the same relation with their result in the role of the input
/// (conv2d_backward_input) or of the weight (conv2d_backward_weight), and
/// the output gradient in the role of the output.
struct ConvolutionRoles {
  ShapedType input, weight, output;
  StringRef inputName = "input", weightName = "weight", outputName = "result";
};
} // namespace

/// The rules of torch.nn.functional.conv{2,3}d with `spatial` window dims.
static LogicalResult verifyConvolution(Operation *op,
                                       const ConvolutionRoles &roles,
                                       Value bias, ArrayRef<int64_t> stride,
                                       ArrayRef<int64_t> padding,
                                       ArrayRef<int64_t> dilation,
                                       int64_t groups, unsigned spatial) {
  int64_t rank = spatial + 2;
  // A forward op's result rank is part of its result shape check below.
  bool outputIsResult = roles.outputName == "result";
  SmallVector<Value> values(op->getOperands());
  values.push_back(op->getResult(0));
  if (failed(verifyRank(op, roles.input, rank, roles.inputName)) ||
      failed(verifyRank(op, roles.weight, rank, roles.weightName)) ||
      (!outputIsResult &&
       failed(verifyRank(op, roles.output, rank, roles.outputName))) ||
      failed(verifyEntryCount(op, stride, spatial, "stride")) ||
      failed(verifyEntryCount(op, padding, spatial, "padding")) ||
      failed(verifyEntryCount(op, dilation, spatial, "dilation")) ||
      failed(verifyAllPositive(op, stride, "stride")) ||
      failed(verifyAllPositive(op, dilation, "dilation")) ||
      failed(verifySameElementType(op, values)))
    return failure();
  if (llvm::any_of(padding, [](int64_t p) { return p < 0; }))
    return op->emitOpError("expects non-negative padding, got ")
           << formatShape(padding);
  if (groups <= 0)
    return op->emitOpError("expects positive groups, got ") << groups;

  ArrayRef<int64_t> in = roles.input.getShape();
  ArrayRef<int64_t> w = roles.weight.getShape();
  int64_t outChannels = w[0];
  if (!ShapedType::isDynamic(outChannels) && outChannels % groups != 0)
    return op->emitOpError("output channels ")
           << outChannels << " not divisible by groups " << groups;
  if (!ShapedType::isDynamic(in[1]) && !ShapedType::isDynamic(w[1]) &&
      in[1] != w[1] * groups)
    return op->emitOpError(roles.inputName)
           << " channels " << in[1] << " vs weight input channels " << w[1]
           << " x groups " << groups;
  if (failed(verifyChannelVector(op, bias, outChannels, "bias")))
    return failure();

  SmallVector<int64_t> expected = {in[0], outChannels};
  for (unsigned i = 0; i < spatial; ++i) {
    int64_t d = windowOutputDim(in[2 + i], w[2 + i], stride[i], padding[i],
                                dilation[i]);
    if (!ShapedType::isDynamic(d) && d <= 0)
      return op->emitOpError("kernel window larger than padded input in "
                             "spatial dimension ")
             << i;
    expected.push_back(d);
  }
  if (outputIsResult)
    return verifyResultShape(op, roles.output, expected);
  ArrayRef<int64_t> got = roles.output.getShape();
  if (llvm::all_of(llvm::zip(got, expected), [](auto pair) {
        return dimsCompatible(std::get<0>(pair), std::get<1>(pair));
      }))
    return success();
  return op->emitOpError(roles.outputName)
         << " shape " << formatShape(got) << " vs expected from the "
         << roles.inputName << " and the " << roles.weightName << " "
         << formatShape(expected);
}

/// The backward convolutions are compiled with only the batch dynamic:
/// their lowerings place the output gradient by static offsets and strides.
static LogicalResult verifyStaticExceptBatch(Operation *op, ShapedType type,
                                             StringRef what, bool hasBatch) {
  ArrayRef<int64_t> shape = type.getShape();
  if (!ShapedType::isDynamicShape(shape.drop_front(hasBatch ? 1 : 0)))
    return success();
  return op->emitOpError("expects static extents except the batch, got ")
         << what << " " << formatShape(shape);
}

LogicalResult Conv2DOp::verify() {
  ConvolutionRoles roles{shapedOf(getInput()), shapedOf(getWeight()),
                         shapedOf(getResult())};
  return verifyConvolution(*this, roles, getBias(), getStride(), getPadding(),
                           getDilation(), getGroups(), 2);
}

LogicalResult Conv2DBackwardInputOp::verify() {
  ConvolutionRoles roles{shapedOf(getResult()), shapedOf(getWeight()),
                         shapedOf(getOutputGrad()), "result", "weight",
                         "output gradient"};
  return failure(
      failed(verifyConvolution(*this, roles, Value(), getStride(),
                               getPadding(), getDilation(), getGroups(), 2)) ||
      failed(verifyStaticExceptBatch(*this, roles.input, "result", true)) ||
      failed(verifyStaticExceptBatch(*this, roles.weight, "weight", false)) ||
      failed(verifyStaticExceptBatch(*this, roles.output, "output gradient",
                                     true)));
}

LogicalResult Conv2DBackwardWeightOp::verify() {
  ConvolutionRoles roles{shapedOf(getInput()), shapedOf(getResult()),
                         shapedOf(getOutputGrad()), "input", "result",
                         "output gradient"};
  return failure(
      failed(verifyConvolution(*this, roles, Value(), getStride(),
                               getPadding(), getDilation(), getGroups(), 2)) ||
      failed(verifyStaticExceptBatch(*this, roles.input, "input", true)) ||
      failed(verifyStaticExceptBatch(*this, roles.weight, "result", false)) ||
      failed(verifyStaticExceptBatch(*this, roles.output, "output gradient",
                                     true)));
}

LogicalResult Conv3DOp::verify() {
  ConvolutionRoles roles{shapedOf(getInput()), shapedOf(getWeight()),
                         shapedOf(getResult())};
  return verifyConvolution(*this, roles, getBias(), getStride(), getPadding(),
                           getDilation(), getGroups(), 3);
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyMinRank(*this, getInput(), 1, "input")) ||
      failed(verifyRank(*this, getWeight(), 2, "weight")) ||
      failed(verifySameElementType(
          *this, {getInput(), getWeight(), getBias(), getResult()})))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> w = getWeight().getType().getShape();
  if (!dimsCompatible(in.back(), w[1]))
    return emitOpError("input features ")
           << in.back() << " vs weight input features " << w[1];
  if (failed(verifyChannelVector(*this, getBias(), w[0], "bias")))
    return failure();
  SmallVector<int64_t> expected(in.drop_back());
  expected.push_back(w[0]);
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyMinRank(*this, getLhs(), 2, "lhs")) ||
      failed(verifyMinRank(*this, getRhs(), 2, "rhs")) ||
      failed(verifySameElementType(*this, {getLhs(), getRhs(), getResult()})))
    return failure();
  ArrayRef<int64_t> a = getLhs().getType().getShape();
  ArrayRef<int64_t> b = getRhs().getType().getShape();
  if (!dimsCompatible(a.back(), b[b.size() - 2]))
    return emitOpError("contraction extents differ: ")
           << a.back() << " vs " << b[b.size() - 2];
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (failed(batch))
    return emitOpError("batch dimensions do not broadcast: ")
           << formatShape(a.drop_back(2)) << " vs "
           << formatShape(b.drop_back(2));
  SmallVector<int64_t> expected = *batch;
  expected.push_back(a[a.size() - 2]);
  expected.push_back(b.back());
  return verifyResultShape(*this, getType(), expected);
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

static LogicalResult verifyEpsilon(Operation *op, double epsilon) {
  if (epsilon > 0.0)
    return success();
  return op->emitOpError("expects positive epsilon, got ") << epsilon;
}

LogicalResult GroupNormOp::verify() {
  if (failed(verifyMinRank(*this, getInput(), 2, "input")) ||
      failed(verifySameElementType(
          *this, {getInput(), getGamma(), getBeta(), getResult()})) ||
      failed(verifyEpsilon(*this, getEpsilon().convertToDouble())))
    return failure();
  int64_t channels = getInput().getType().getDimSize(1);
  int64_t groups = getNumGroups();
  if (groups <= 0)
    return emitOpError("expects positive num_groups, got ") << groups;
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return emitOpError("channels ")
           << channels << " not divisible by num_groups " << groups;
  if (failed(verifyChannelVector(*this, getGamma(), channels, "gamma")) ||
      failed(verifyChannelVector(*this, getBeta(), channels, "beta")))
    return failure();
  return verifyResultShape(*this, getType(), getInput().getType().getShape());
}

LogicalResult LayerNormOp::verify() {
  if (failed(verifyMinRank(*this, getInput(), 1, "input")) ||
      failed(verifySameElementType(
          *this, {getInput(), getGamma(), getBeta(), getResult()})) ||
      failed(verifyEpsilon(*this, getEpsilon().convertToDouble())))
    return failure();
  int64_t features = getInput().getType().getShape().back();
  if (failed(verifyChannelVector(*this, getGamma(), features, "gamma")) ||
      failed(verifyChannelVector(*this, getBeta(), features, "beta")))
    return failure();
  return verifyResultShape(*this, getType(), getInput().getType().getShape());
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::verify() {
  if (getMin().convertToDouble() > getMax().convertToDouble())
    return emitOpError("expects min <= max, got ")
           << getMin().convertToDouble() << " > "
           << getMax().convertToDouble();
  return success();
}

/// NumPy broadcasting of a binary elementwise op.
static LogicalResult verifyBroadcastingBinary(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (failed(verifySameElementType(op, {lhs, rhs, op->getResult(0)})))
    return failure();
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(
      shapedOf(lhs).getShape(), shapedOf(rhs).getShape());
  if (failed(shape))
    return op->emitOpError("operand shapes do not broadcast: ")
           << formatShape(shapedOf(lhs).getShape()) << " vs "
           << formatShape(shapedOf(rhs).getShape());
  return verifyResultShape(op, op->getResult(0).getType(), *shape);
}

LogicalResult AddOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult MaximumOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult MinimumOp::verify() { return verifyBroadcastingBinary(*this); }
LogicalResult PowOp::verify() { return verifyBroadcastingBinary(*this); }

/// Emits "axis <a> out of range for rank <r>" for a bad axis attribute.
static FailureOr<int64_t> verifiedAxis(Operation *op, int64_t axis,
                                       int64_t rank) {
  FailureOr<int64_t> norm = normalizeAxis(axis, rank);
  if (failed(norm))
    op->emitOpError("axis ") << axis << " out of range for rank " << rank;
  return norm;
}

LogicalResult SoftmaxOp::verify() {
  return verifiedAxis(*this, getAxis(), getType().getRank());
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(verifyRank(*this, getQuery(), 3, "query")) ||
      failed(verifyRank(*this, getKey(), 3, "key")) ||
      failed(verifyRank(*this, getValue(), 3, "value")) ||
      failed(verifySameElementType(
          *this, {getQuery(), getKey(), getValue(), getResult()})))
    return failure();
  ArrayRef<int64_t> q = getQuery().getType().getShape();
  ArrayRef<int64_t> k = getKey().getType().getShape();
  ArrayRef<int64_t> v = getValue().getType().getShape();
  if (!dimsCompatible(q[0], k[0]) || !dimsCompatible(q[0], v[0]))
    return emitOpError("batch sizes differ: query ")
           << q[0] << ", key " << k[0] << ", value " << v[0];
  if (!dimsCompatible(q[2], k[2]))
    return emitOpError("query and key feature sizes differ: ")
           << q[2] << " vs " << k[2];
  if (!dimsCompatible(k[1], v[1]))
    return emitOpError("key and value lengths differ: ")
           << k[1] << " vs " << v[1];
  int64_t heads = getNumHeads();
  if (heads <= 0)
    return emitOpError("expects positive num_heads, got ") << heads;
  for (int64_t features : {q[2], v[2]})
    if (!ShapedType::isDynamic(features) && features % heads != 0)
      return emitOpError("feature size ")
             << features << " not divisible by num_heads " << heads;
  if (getScale() && getScale()->convertToDouble() <= 0.0)
    return emitOpError("expects positive scale, got ")
           << getScale()->convertToDouble();
  if (Value mask = getMask()) {
    ArrayRef<int64_t> m = shapedOf(mask).getShape();
    Type mt = shapedOf(mask).getElementType();
    if (!mt.isInteger(1) && mt != getQuery().getType().getElementType())
      return emitOpError("expects an i1 mask or one of the query's element "
                         "type, got ")
             << mt;
    int64_t want[3] = {q[0], q[1], k[1]};
    bool ok = m.size() == 3;
    for (unsigned i = 0; ok && i < 3; ++i)
      ok = m[i] == 1 || dimsCompatible(m[i], want[i]);
    if (!ok)
      return emitOpError("mask shape ")
             << formatShape(m) << " does not broadcast to "
             << formatShape(want);
  }
  return verifyResultShape(*this, getType(), {q[0], q[1], v[2]});
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one input");
  SmallVector<Value> all(getInputs());
  all.push_back(getResult());
  if (failed(verifySameElementType(*this, all)))
    return failure();
  int64_t rank = shapedOf(getInputs()[0]).getRank();
  FailureOr<int64_t> dim = verifiedAxis(*this, getDim(), rank);
  if (failed(dim))
    return failure();
  SmallVector<int64_t> expected(shapedOf(getInputs()[0]).getShape());
  for (auto [i, v] : llvm::enumerate(getInputs().drop_front())) {
    ArrayRef<int64_t> s = shapedOf(v).getShape();
    if ((int64_t)s.size() != rank)
      return emitOpError("input ") << i + 1 << " has rank " << s.size()
                                   << " vs " << rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == *dim) {
        expected[d] = ShapedType::isDynamic(expected[d]) ||
                              ShapedType::isDynamic(s[d])
                          ? kDynamic
                          : expected[d] + s[d];
      } else if (!dimsCompatible(expected[d], s[d])) {
        return emitOpError("input ")
               << i + 1 << " differs in dimension " << d << ": " << s[d]
               << " vs " << expected[d];
      }
    }
  }
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult SliceOp::verify() {
  if (failed(verifySameElementType(*this, {getInput(), getResult()})))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  size_t rank = in.size();
  if (failed(verifyEntryCount(*this, getOffsets(), rank, "offsets")) ||
      failed(verifyEntryCount(*this, getSizes(), rank, "sizes")) ||
      failed(verifyEntryCount(*this, getStrides(), rank, "strides")) ||
      failed(verifyAllPositive(*this, getStrides(), "strides")))
    return failure();
  SmallVector<int64_t> expected;
  for (size_t d = 0; d < rank; ++d) {
    int64_t off = getOffsets()[d], size = getSizes()[d],
            stride = getStrides()[d];
    if (off < 0 || size < -1)
      return emitOpError("expects non-negative offsets and sizes (or -1) in "
                         "dimension ")
             << d;
    if (size == -1) {
      if (stride != 1)
        return emitOpError("size -1 needs stride 1 in dimension ") << d;
      expected.push_back(ShapedType::isDynamic(in[d]) ? kDynamic
                                                      : in[d] - off);
      if (!ShapedType::isDynamic(in[d]) && off >= in[d])
        return emitOpError("slice out of bounds in dimension ")
               << d << ": offset " << off << " of extent " << in[d];
      continue;
    }
    if (!ShapedType::isDynamic(in[d]) && size > 0 &&
        off + (size - 1) * stride >= in[d])
      return emitOpError("slice out of bounds in dimension ")
             << d << ": offset " << off << ", size " << size << ", stride "
             << stride << " of extent " << in[d];
    expected.push_back(size);
  }
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult ReshapeOp::verify() {
  if (failed(verifySameElementType(*this, {getInput(), getResult()})))
    return failure();
  auto countStatic = [](ArrayRef<int64_t> s, int64_t &product) {
    int64_t dynamic = 0;
    product = 1;
    for (int64_t d : s) {
      if (ShapedType::isDynamic(d))
        ++dynamic;
      else
        product *= d;
    }
    return dynamic;
  };
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> out = getType().getShape();
  int64_t inProduct, outProduct;
  int64_t inDynamic = countStatic(in, inProduct);
  int64_t outDynamic = countStatic(out, outProduct);
  if (inDynamic > 1 || outDynamic > 1 || inDynamic != outDynamic)
    return emitOpError("expects the same single dynamic dimension on both "
                       "sides, got ")
           << formatShape(in) << " vs " << formatShape(out);
  if (inProduct != outProduct)
    return emitOpError("element counts differ: ")
           << formatShape(in) << " vs " << formatShape(out);
  return success();
}

LogicalResult TransposeOp::verify() {
  if (failed(verifySameElementType(*this, {getInput(), getResult()})))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  ArrayRef<int64_t> perm = getPermutation();
  if (failed(verifyEntryCount(*this, perm, in.size(), "permutation")))
    return failure();
  llvm::SmallSet<int64_t, 8> seen;
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= (int64_t)in.size() || !seen.insert(p).second)
      return emitOpError("expects a permutation of [0, ")
             << in.size() << "), got " << formatShape(perm);
    expected.push_back(in[p]);
  }
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult UpsampleNearestOp::verify() {
  if (failed(verifyRank(*this, getInput(), 4, "input")) ||
      failed(verifySameElementType(*this, {getInput(), getResult()})) ||
      failed(verifyEntryCount(*this, getScale(), 2, "scale")) ||
      failed(verifyAllPositive(*this, getScale(), "scale")))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  SmallVector<int64_t> expected = {in[0], in[1]};
  for (int i = 0; i < 2; ++i)
    expected.push_back(ShapedType::isDynamic(in[2 + i])
                           ? kDynamic
                           : in[2 + i] * getScale()[i]);
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult AvgPool2DOp::verify() {
  if (failed(verifyRank(*this, getInput(), 4, "input")) ||
      failed(verifySameElementType(*this, {getInput(), getResult()})) ||
      failed(verifyEntryCount(*this, getKernel(), 2, "kernel")) ||
      failed(verifyEntryCount(*this, getStride(), 2, "stride")) ||
      failed(verifyEntryCount(*this, getPadding(), 2, "padding")) ||
      failed(verifyAllPositive(*this, getKernel(), "kernel")) ||
      failed(verifyAllPositive(*this, getStride(), "stride")))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  SmallVector<int64_t> expected = {in[0], in[1]};
  for (int i = 0; i < 2; ++i) {
    int64_t pad = getPadding()[i], k = getKernel()[i];
    // PyTorch: "pad should be at most half of effective kernel size".
    if (pad < 0 || 2 * pad > k)
      return emitOpError("padding ")
             << pad << " must be in [0, kernel / 2] for kernel " << k;
    int64_t d = windowOutputDim(in[2 + i], k, getStride()[i], pad, 1);
    if (!ShapedType::isDynamic(d) && d <= 0)
      return emitOpError("kernel window larger than padded input in "
                         "spatial dimension ")
             << i;
    expected.push_back(d);
  }
  return verifyResultShape(*this, getType(), expected);
}

//===----------------------------------------------------------------------===//
// Embeddings and quantization
//===----------------------------------------------------------------------===//

LogicalResult TimestepEmbeddingOp::verify() {
  if (failed(verifyRank(*this, getTimesteps(), 1, "timesteps")))
    return failure();
  int64_t dim = getDim();
  if (dim < 2)
    return emitOpError("expects dim >= 2, got ") << dim;
  if (getMaxPeriod().convertToDouble() <= 0.0)
    return emitOpError("expects positive max_period");
  double half = dim / 2;
  if (half - getDownscaleFreqShift().convertToDouble() == 0.0)
    return emitOpError("downscale_freq_shift equals dim / 2, dividing by zero");
  return verifyResultShape(
      *this, getType(), {getTimesteps().getType().getDimSize(0), dim});
}

LogicalResult EmbeddingOp::verify() {
  if (failed(verifyRank(*this, getTable(), 2, "table")) ||
      failed(verifySameElementType(*this, {getTable(), getResult()})))
    return failure();
  SmallVector<int64_t> expected(getIndices().getType().getShape());
  expected.push_back(getTable().getType().getDimSize(1));
  return verifyResultShape(*this, getType(), expected);
}

LogicalResult VectorQuantizeOp::verify() {
  if (failed(verifyMinRank(*this, getInput(), 2, "input")) ||
      failed(verifyRank(*this, getCodebook(), 2, "codebook")) ||
      failed(verifySameElementType(
          *this, {getInput(), getCodebook(), getQuantized()})))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  FailureOr<int64_t> axis = verifiedAxis(*this, getAxis(), in.size());
  if (failed(axis))
    return failure();
  int64_t codeDim = getCodebook().getType().getDimSize(1);
  if (!dimsCompatible(in[*axis], codeDim))
    return emitOpError("input vector size ")
           << in[*axis] << " vs codebook vector size " << codeDim;
  if (failed(verifyResultShape(*this, getQuantized().getType(), in)))
    return failure();
  SmallVector<int64_t> indices(in);
  indices.erase(indices.begin() + *axis);
  return verifyResultShape(*this, getIndices().getType(), indices);
}

//===----------------------------------------------------------------------===//
// Reductions and losses
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::verify() {
  if (failed(verifySameElementType(*this, {getInput(), getResult()})))
    return failure();
  ArrayRef<int64_t> in = getInput().getType().getShape();
  SmallVector<bool> reduced(in.size(), false);
  for (int64_t d : getDims()) {
    FailureOr<int64_t> axis = verifiedAxis(*this, d, in.size());
    if (failed(axis))
      return failure();
    if (reduced[*axis])
      return emitOpError("dimension ") << *axis << " reduced twice";
    reduced[*axis] = true;
  }
  if (getDims().empty())
    return emitOpError("expects at least one dimension to reduce");
  SmallVector<int64_t> expected;
  for (size_t d = 0; d < in.size(); ++d) {
    if (!reduced[d])
      expected.push_back(in[d]);
    else if (getKeepDims())
      expected.push_back(1);
  }
  return verifyResultShape(*this, getType(), expected);
}

/// A loss of same-typed inputs: `none` keeps the shape, `mean` and `sum`
/// give a rank-0 tensor.
static LogicalResult verifyLoss(Operation *op, ValueRange inputs,
                                LossReduction reduction) {
  Type first = inputs.front().getType();
  for (Value v : inputs.drop_front())
    if (v.getType() != first)
      return op->emitOpError("expects inputs of one type, got ")
             << first << " vs " << v.getType();
  SmallVector<Value> all(inputs);
  all.push_back(op->getResult(0));
  if (failed(verifySameElementType(op, all)))
    return failure();
  if (reduction == LossReduction::none)
    return verifyResultShape(op, op->getResult(0).getType(),
                             cast<ShapedType>(first).getShape());
  return verifyResultShape(op, op->getResult(0).getType(), {});
}

LogicalResult MseLossOp::verify() {
  return verifyLoss(*this, {getInput(), getTarget()}, getReduction());
}
LogicalResult GaussianKLOp::verify() {
  return verifyLoss(*this, {getMean(), getLogvar()}, getReduction());
}
LogicalResult BceWithLogitsLossOp::verify() {
  return verifyLoss(*this, {getInput(), getTarget()}, getReduction());
}
LogicalResult HingeLossOp::verify() {
  return verifyLoss(*this, getInput(), getReduction());
}
