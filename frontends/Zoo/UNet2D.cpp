//===- UNet2D.cpp - the zoo's DDPM U-Net (diffusers UNet2DModel) ----------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Mirrors diffusers' UNet2DModel.__init__ / forward module by module. Each
// builder method below corresponds to one diffusers module class and takes
// the module's state-dict prefix, so names come out exactly as PyTorch
// prints them. Every op gets a NameLoc of its module path, which is what a
// user sees in a diagnostic from a later pass.
//
//===----------------------------------------------------------------------===//

#include "frontends/Zoo/UNet2D.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::diffc;
using namespace mlir::diffc::zoo;

//===----------------------------------------------------------------------===//
// UNet2DConfig
//===----------------------------------------------------------------------===//

UNet2DConfig UNet2DConfig::fmnistSmall() {
  UNet2DConfig c;
  c.sampleSize = 28;
  c.inChannels = 1;
  c.outChannels = 1;
  c.baseChannels = 64;
  c.channelMult = {1, 2, 2};
  c.layersPerBlock = 2;
  c.attentionResolutions = {7};
  c.timeEmbedDim = 256;
  return c;
}

UNet2DConfig UNet2DConfig::cifar10Ddpm() {
  UNet2DConfig c;
  c.sampleSize = 32;
  c.inChannels = 3;
  c.outChannels = 3;
  c.baseChannels = 128;
  c.channelMult = {1, 2, 2, 2};
  c.layersPerBlock = 2;
  c.attentionResolutions = {16};
  c.timeEmbedDim = 512;
  return c;
}

std::vector<int64_t> UNet2DConfig::blockOutChannels() const {
  std::vector<int64_t> out;
  for (int64_t m : channelMult)
    out.push_back(baseChannels * m);
  return out;
}

int64_t UNet2DConfig::resolvedTimeEmbedDim() const {
  if (timeEmbedDim > 0)
    return timeEmbedDim;
  return 4 * (channelMult.empty() ? baseChannels : blockOutChannels()[0]);
}

/// Feature-map size of level `level` (0 = full resolution).
static int64_t levelResolution(const UNet2DConfig &c, size_t level) {
  return c.sampleSize >> level;
}

static bool hasAttentionAt(const UNet2DConfig &c, int64_t resolution) {
  return llvm::is_contained(c.attentionResolutions, resolution);
}

std::vector<std::string> UNet2DConfig::resolvedDownBlockTypes() const {
  if (!downBlockTypes.empty())
    return downBlockTypes;
  std::vector<std::string> types;
  for (size_t i = 0; i < channelMult.size(); ++i)
    types.push_back(hasAttentionAt(*this, levelResolution(*this, i))
                        ? "AttnDownBlock2D"
                        : "DownBlock2D");
  return types;
}

std::vector<std::string> UNet2DConfig::resolvedUpBlockTypes() const {
  if (!upBlockTypes.empty())
    return upBlockTypes;
  // Up level i runs at the resolution of down level (levels - 1 - i).
  std::vector<std::string> types;
  size_t levels = channelMult.size();
  for (size_t i = 0; i < levels; ++i)
    types.push_back(
        hasAttentionAt(*this, levelResolution(*this, levels - 1 - i))
            ? "AttnUpBlock2D"
            : "UpBlock2D");
  return types;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

LogicalResult mlir::diffc::zoo::verifyUNet2DConfig(
    const UNet2DConfig &c,
    llvm::function_ref<void(const llvm::Twine &)> emitError) {
  auto fail = [&](const llvm::Twine &message) {
    emitError(message);
    return failure();
  };
  auto positive = [&](int64_t v, StringRef what) -> LogicalResult {
    if (v > 0)
      return success();
    return fail(what + " must be positive, got " + llvm::Twine(v));
  };
  if (failed(positive(c.sampleSize, "sample size")) ||
      failed(positive(c.inChannels, "in channels")) ||
      failed(positive(c.outChannels, "out channels")) ||
      failed(positive(c.baseChannels, "base channels")) ||
      failed(positive(c.layersPerBlock, "layers per block")) ||
      failed(positive(c.normGroups, "norm groups")))
    return failure();
  if (c.channelMult.empty())
    return fail("channel multipliers must not be empty");
  for (int64_t m : c.channelMult)
    if (failed(positive(m, "channel multiplier")))
      return failure();
  if (c.timeEmbedDim < 0)
    return fail("time embedding dim must be positive (or 0 for 4 x the first "
                "level's channels), got " +
                llvm::Twine(c.timeEmbedDim));
  if (c.numClasses < 0)
    return fail("num classes must be non-negative, got " +
                llvm::Twine(c.numClasses));
  if (c.attentionHeadDim < 0)
    return fail("attention head dim must be non-negative, got " +
                llvm::Twine(c.attentionHeadDim));
  if (!(c.normEps > 0))
    return fail("norm epsilon must be positive");

  // Every GroupNorm input is a block's channel count or a sum of them.
  for (int64_t ch : c.blockOutChannels())
    if (ch % c.normGroups != 0)
      return fail("channels " + llvm::Twine(ch) +
                  " (base channels x multiplier) not divisible by norm "
                  "groups " +
                  llvm::Twine(c.normGroups));

  size_t levels = c.channelMult.size();
  if (levels > 30)
    return fail("at most 30 levels (channel multipliers), got " +
                llvm::Twine(levels));
  int64_t factor = int64_t(1) << (levels - 1);
  if (c.sampleSize % factor != 0)
    return fail("sample size " + llvm::Twine(c.sampleSize) +
                " not divisible by 2^(levels - 1) = " + llvm::Twine(factor) +
                " for " + llvm::Twine(levels) + " levels");

  std::string sizes;
  for (size_t i = 0; i < levels; ++i)
    sizes += (i ? ", " : "") + std::to_string(levelResolution(c, i));
  if (c.downBlockTypes.empty() && c.upBlockTypes.empty()) {
    for (int64_t r : c.attentionResolutions)
      if (llvm::none_of(llvm::seq<size_t>(0, levels),
                        [&](size_t i) { return levelResolution(c, i) == r; }))
        return fail("attention resolution " + llvm::Twine(r) +
                    " is not a feature-map size of this U-Net (" + sizes + ")");
  }

  auto checkTypes = [&](const std::vector<std::string> &types, StringRef key,
                        StringRef plain, StringRef attn) -> LogicalResult {
    if (types.size() != levels)
      return fail(key + " has " + llvm::Twine(types.size()) +
                  " entries, expected one per level (" + llvm::Twine(levels) +
                  ")");
    for (const std::string &t : types)
      if (t != plain && t != attn)
        return fail("unsupported " + key + " entry '" + t + "' (expected " +
                    plain + " or " + attn + ")");
    return success();
  };
  if (failed(checkTypes(c.resolvedDownBlockTypes(), "down block types",
                        "DownBlock2D", "AttnDownBlock2D")) ||
      failed(checkTypes(c.resolvedUpBlockTypes(), "up block types", "UpBlock2D",
                        "AttnUpBlock2D")))
    return failure();

  if (c.attentionHeadDim > 0)
    for (int64_t ch : c.blockOutChannels())
      if (ch % c.attentionHeadDim != 0)
        return fail("channels " + llvm::Twine(ch) +
                    " not divisible by attention head dim " +
                    llvm::Twine(c.attentionHeadDim));
  return success();
}

//===----------------------------------------------------------------------===//
// Builder
//===----------------------------------------------------------------------===//

namespace {

/// Emits the ops of one U-Net. Methods take the diffusers module prefix
/// ("down_blocks.0.resnets.1") and return the module's output value.
class UNet2DEmitter {
public:
  UNet2DEmitter(OpBuilder &b, Location loc, const UNet2DConfig &c)
      : b(b), baseLoc(loc), c(c), f32(b.getF32Type()) {}

  /// Builds the body of the function whose entry block is current.
  Value emitForward(Value sample, Value timestep, Value classLabels);

private:
  OpBuilder &b;
  Location baseLoc;
  const UNet2DConfig &c;
  Type f32;
  /// The location of the module being emitted.
  Location loc = baseLoc;

  /// Sets `loc` to the module path for the ops emitted in one module.
  void enter(const llvm::Twine &prefix) {
    loc = NameLoc::get(b.getStringAttr(prefix), baseLoc);
  }

  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  RankedTensorType tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, f32);
  }

  Value param(const llvm::Twine &name, ArrayRef<int64_t> shape) {
    return ParameterOp::create(b, loc, tensor(shape), name.str());
  }

  Value silu(Value x) { return SiluOp::create(b, loc, x.getType(), x); }
  Value add(Value x, Value y) {
    return AddOp::create(b, loc, x.getType(), x, y);
  }

  /// torch.nn.Conv2d(cin, cout, k, stride, padding = k / 2) named `prefix`.
  Value conv(Value x, const llvm::Twine &prefix, int64_t cout, int64_t k,
             int64_t stride = 1) {
    ArrayRef<int64_t> s = shapeOf(x);
    Value w = param(prefix + ".weight", {cout, s[1], k, k});
    Value bias = param(prefix + ".bias", {cout});
    int64_t pad = k / 2;
    auto outDim = [&](int64_t d) { return (d + 2 * pad - k) / stride + 1; };
    SmallVector<int64_t, 2> strides = {stride, stride}, padding = {pad, pad},
                            dilation = {1, 1};
    return Conv2DOp::create(
        b, loc, tensor({s[0], cout, outDim(s[2]), outDim(s[3])}), x, w, bias,
        ArrayRef<int64_t>(strides), ArrayRef<int64_t>(padding),
        ArrayRef<int64_t>(dilation), uint64_t(1));
  }

  /// torch.nn.Linear over the last dimension, named `prefix`.
  Value linear(Value x, const llvm::Twine &prefix, int64_t out) {
    ArrayRef<int64_t> s = shapeOf(x);
    Value w = param(prefix + ".weight", {out, s.back()});
    Value bias = param(prefix + ".bias", {out});
    SmallVector<int64_t> shape(s);
    shape.back() = out;
    return LinearOp::create(b, loc, tensor(shape), x, w, bias);
  }

  /// torch.nn.GroupNorm(normGroups, C, normEps) named `prefix`.
  Value groupNorm(Value x, const llvm::Twine &prefix) {
    int64_t ch = shapeOf(x)[1];
    Value gamma = param(prefix + ".weight", {ch});
    Value beta = param(prefix + ".bias", {ch});
    return GroupNormOp::create(b, loc, x.getType(), x, gamma, beta,
                               uint64_t(c.normGroups),
                               llvm::APFloat(c.normEps));
  }

  Value reshape(Value x, ArrayRef<int64_t> shape) {
    return ReshapeOp::create(b, loc, tensor(shape), x);
  }
  Value swapLastTwo(Value x) {
    ArrayRef<int64_t> s = shapeOf(x);
    return TransposeOp::create(b, loc, tensor({s[0], s[2], s[1]}), x,
                               ArrayRef<int64_t>{0, 2, 1});
  }

  Value resnet(Value x, Value embAct, const llvm::Twine &prefix, int64_t cout);
  Value attention(Value x, const llvm::Twine &prefix);
  Value downsample(Value x, const llvm::Twine &prefix);
  Value upsample(Value x, const llvm::Twine &prefix);
};

} // namespace

/// diffusers ResnetBlock2D (time_embedding_norm "default", output scale 1):
///   h = conv1(silu(norm1(x))) + time_emb_proj(silu(emb))[:, :, None, None]
///   h = conv2(silu(norm2(h)))
///   out = (conv_shortcut(x) if channels change else x) + h
/// `embAct` is silu(emb), computed once for all blocks.
Value UNet2DEmitter::resnet(Value x, Value embAct, const llvm::Twine &prefix,
                            int64_t cout) {
  std::string p = prefix.str();
  enter(p);
  int64_t cin = shapeOf(x)[1];
  Value h = conv(silu(groupNorm(x, p + ".norm1")), p + ".conv1", cout, 3);
  Value t = linear(embAct, p + ".time_emb_proj", cout);
  t = reshape(t, {shapeOf(t)[0], cout, 1, 1});
  h = add(h, t);
  h = conv(silu(groupNorm(h, p + ".norm2")), p + ".conv2", cout, 3);
  Value skip = cin == cout ? x : conv(x, p + ".conv_shortcut", cout, 1);
  return add(skip, h);
}

/// diffusers Attention as UNet2DModel builds it (residual_connection, a
/// group norm, bias on every projection, rescale_output_factor 1):
///   seq = group_norm(x) as [N, HW, C]
///   out = x + to_out.0(attention(to_q(seq), to_k(seq), to_v(seq))) as NCHW
/// The projections are Linear layers over the sequence, exactly diffusers'
/// state dict; a 1x1 conv over NCHW would have the same parameter count.
Value UNet2DEmitter::attention(Value x, const llvm::Twine &prefix) {
  std::string p = prefix.str();
  enter(p);
  ArrayRef<int64_t> s = shapeOf(x);
  int64_t n = s[0], ch = s[1], h = s[2], w = s[3];
  Value seq =
      swapLastTwo(reshape(groupNorm(x, p + ".group_norm"), {n, ch, h * w}));
  Value q = linear(seq, p + ".to_q", ch);
  Value k = linear(seq, p + ".to_k", ch);
  Value v = linear(seq, p + ".to_v", ch);
  int64_t heads = c.attentionHeadDim > 0 ? ch / c.attentionHeadDim : 1;
  // The op's default scale, 1 / sqrt(C / heads), is diffusers' dim_head^-0.5.
  Value o = AttentionOp::create(b, loc, q.getType(), q, k, v, /*mask=*/Value(),
                                uint64_t(heads), /*scale=*/FloatAttr());
  o = linear(o, p + ".to_out.0", ch);
  o = reshape(swapLastTwo(o), {n, ch, h, w});
  return add(x, o);
}

/// diffusers Downsample2D(use_conv=True, padding=1): conv3x3 stride 2.
Value UNet2DEmitter::downsample(Value x, const llvm::Twine &prefix) {
  std::string p = prefix.str();
  enter(p);
  return conv(x, p + ".conv", shapeOf(x)[1], 3, /*stride=*/2);
}

/// diffusers Upsample2D(use_conv=True): nearest x2, then conv3x3.
Value UNet2DEmitter::upsample(Value x, const llvm::Twine &prefix) {
  std::string p = prefix.str();
  enter(p);
  ArrayRef<int64_t> s = shapeOf(x);
  Value up = UpsampleNearestOp::create(b, loc,
                                       tensor({s[0], s[1], 2 * s[2], 2 * s[3]}),
                                       x, ArrayRef<int64_t>{2, 2});
  return conv(up, p + ".conv", s[1], 3);
}

Value UNet2DEmitter::emitForward(Value sample, Value timestep,
                                 Value classLabels) {
  std::vector<int64_t> chans = c.blockOutChannels();
  std::vector<std::string> downTypes = c.resolvedDownBlockTypes();
  std::vector<std::string> upTypes = c.resolvedUpBlockTypes();
  int64_t temb = c.resolvedTimeEmbedDim();
  int64_t batch = shapeOf(sample)[0];
  size_t levels = chans.size();

  // time_proj (Timesteps) and time_embedding (TimestepEmbedding).
  enter("time_proj");
  Value tProj = TimestepEmbeddingOp::create(
      b, loc, tensor({batch, chans[0]}), timestep, uint64_t(chans[0]),
      c.flipSinToCos, llvm::APFloat(c.freqShift), llvm::APFloat(1.0),
      llvm::APFloat(10000.0));
  enter("time_embedding");
  Value emb = linear(tProj, "time_embedding.linear_1", temb);
  emb = linear(silu(emb), "time_embedding.linear_2", temb);
  if (classLabels) {
    enter("class_embedding");
    Value table = param("class_embedding.weight", {c.numClasses + 1, temb});
    Value cls = EmbeddingOp::create(b, loc, emb.getType(), table, classLabels);
    emb = add(emb, cls);
  }
  // Every ResnetBlock2D applies SiLU to the embedding before its projection;
  // one SiLU serves them all.
  Value embAct = silu(emb);

  enter("conv_in");
  Value x = conv(sample, "conv_in", chans[0], 3);

  // Down path: every ResNet (+ attention) output and every downsample output
  // is a skip, consumed last-in first-out by the up path.
  SmallVector<Value> skips = {x};
  for (size_t i = 0; i < levels; ++i) {
    std::string block = "down_blocks." + std::to_string(i);
    bool attn = downTypes[i] == "AttnDownBlock2D";
    for (int64_t j = 0; j < c.layersPerBlock; ++j) {
      std::string idx = std::to_string(j);
      x = resnet(x, embAct, block + ".resnets." + idx, chans[i]);
      if (attn)
        x = attention(x, block + ".attentions." + idx);
      skips.push_back(x);
    }
    if (i + 1 != levels) {
      x = downsample(x, block + ".downsamplers.0");
      skips.push_back(x);
    }
  }

  // UNetMidBlock2D with add_attention (the default).
  x = resnet(x, embAct, "mid_block.resnets.0", chans.back());
  x = attention(x, "mid_block.attentions.0");
  x = resnet(x, embAct, "mid_block.resnets.1", chans.back());

  // Up path over reversed block_out_channels; each ResNet takes the channel
  // concatenation of the running value and the most recent skip.
  for (size_t i = 0; i < levels; ++i) {
    std::string block = "up_blocks." + std::to_string(i);
    int64_t cout = chans[levels - 1 - i];
    bool attn = upTypes[i] == "AttnUpBlock2D";
    for (int64_t j = 0; j <= c.layersPerBlock; ++j) {
      std::string idx = std::to_string(j);
      Value skip = skips.pop_back_val();
      ArrayRef<int64_t> xs = shapeOf(x);
      enter(block + ".resnets." + idx);
      x = ConcatOp::create(
          b, loc, tensor({xs[0], xs[1] + shapeOf(skip)[1], xs[2], xs[3]}),
          ValueRange{x, skip}, uint64_t(1));
      x = resnet(x, embAct, block + ".resnets." + idx, cout);
      if (attn)
        x = attention(x, block + ".attentions." + idx);
    }
    if (i + 1 != levels)
      x = upsample(x, block + ".upsamplers.0");
  }
  assert(skips.empty() && "every skip is consumed exactly once");

  enter("conv_out");
  x = silu(groupNorm(x, "conv_norm_out"));
  return conv(x, "conv_out", c.outChannels, 3);
}

FailureOr<func::FuncOp>
mlir::diffc::zoo::buildUNet2D(OpBuilder &builder, Location loc, StringRef name,
                              const UNet2DConfig &config) {
  if (failed(verifyUNet2DConfig(config, [&](const llvm::Twine &message) {
        emitError(loc) << message;
      })))
    return failure();

  MLIRContext *ctx = builder.getContext();
  int64_t dyn = ShapedType::kDynamic;
  Type f32 = builder.getF32Type();
  Type i64s = RankedTensorType::get({dyn}, builder.getI64Type());
  int64_t size = config.sampleSize;
  SmallVector<Type> inputs = {
      RankedTensorType::get({dyn, config.inChannels, size, size}, f32), i64s};
  if (config.numClasses > 0)
    inputs.push_back(i64s);
  Type result =
      RankedTensorType::get({dyn, config.outChannels, size, size}, f32);

  OpBuilder::InsertionGuard guard(builder);
  auto func = func::FuncOp::create(builder, loc, name,
                                   FunctionType::get(ctx, inputs, result));
  Block *entry = func.addEntryBlock();
  // Argument locations carry UNet2DModel.forward's parameter names.
  StringRef argNames[] = {"sample", "timestep", "class_labels"};
  for (unsigned i = 0; i < inputs.size(); ++i)
    entry->getArgument(i).setLoc(
        NameLoc::get(builder.getStringAttr(argNames[i]), loc));
  builder.setInsertionPointToStart(entry);

  UNet2DEmitter emitter(builder, loc, config);
  Value out = emitter.emitForward(entry->getArgument(0), entry->getArgument(1),
                                  config.numClasses > 0 ? entry->getArgument(2)
                                                        : Value());
  func::ReturnOp::create(builder, loc, out);
  return func;
}
