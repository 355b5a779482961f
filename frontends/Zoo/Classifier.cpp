//===- Classifier.cpp - the zoo's image classifier (FID features) ---------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// Mirrors classifier_torch.py's Classifier.forward op by op. Every op gets a
// NameLoc of its module path ("convs.1", "fc"), which is what a user sees in
// a diagnostic from a later pass.
//
//===----------------------------------------------------------------------===//

#include "frontends/Zoo/Classifier.h"

#include "dialects/Diffc/IR/DiffcDialect.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::diffc;
using namespace mlir::diffc::zoo;

ClassifierConfig ClassifierConfig::fmnist() { return ClassifierConfig(); }

std::string ClassifierConfig::toJson() const {
  llvm::json::Array stages;
  for (int64_t ch : channels)
    stages.push_back(ch);
  llvm::json::Object object{{"in_channels", inChannels},
                            {"sample_size", sampleSize},
                            {"channels", std::move(stages)},
                            {"feature_dim", featureDim},
                            {"num_classes", numClasses},
                            {"activation", activation}};
  std::string text;
  llvm::raw_string_ostream os(text);
  os << llvm::json::Value(std::move(object));
  return text;
}

LogicalResult mlir::diffc::zoo::verifyClassifierConfig(
    const ClassifierConfig &c,
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
  if (failed(positive(c.inChannels, "in channels")) ||
      failed(positive(c.sampleSize, "sample size")) ||
      failed(positive(c.featureDim, "feature dim")) ||
      failed(positive(c.numClasses, "num classes")))
    return failure();
  if (c.channels.empty())
    return fail("channels must not be empty (one conv stage per entry)");
  for (int64_t ch : c.channels)
    if (failed(positive(ch, "stage channels")))
      return failure();
  if (c.channels.size() > 30 ||
      c.sampleSize % (int64_t(1) << c.channels.size()) != 0)
    return fail("sample size " + llvm::Twine(c.sampleSize) +
                " not divisible by 2^stages = 2^" +
                llvm::Twine(c.channels.size()) +
                " (every stage halves the resolution)");
  if (c.activation != "relu" && c.activation != "silu")
    return fail("unknown activation '" + c.activation +
                "' (expected relu or silu)");
  return success();
}

namespace {

/// Emits the ops of one classifier.
class ClassifierEmitter {
public:
  ClassifierEmitter(OpBuilder &b, Location loc, const ClassifierConfig &c)
      : b(b), baseLoc(loc), c(c), f32(b.getF32Type()) {}

  /// Builds the body of the function whose entry block is current; returns
  /// (logits, features).
  std::pair<Value, Value> emitForward(Value x);

private:
  OpBuilder &b;
  Location baseLoc;
  const ClassifierConfig &c;
  Type f32;
  Location loc = baseLoc;

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
  Value activate(Value x) {
    if (c.activation == "silu")
      return SiluOp::create(b, loc, x.getType(), x);
    return ReluOp::create(b, loc, x.getType(), x);
  }
  /// torch.nn.Conv2d(cin, cout, 3, padding=1) named `prefix`.
  Value conv3x3(Value x, const llvm::Twine &prefix, int64_t cout) {
    ArrayRef<int64_t> s = shapeOf(x);
    Value w = param(prefix + ".weight", {cout, s[1], 3, 3});
    Value bias = param(prefix + ".bias", {cout});
    SmallVector<int64_t, 2> ones = {1, 1};
    return Conv2DOp::create(b, loc, tensor({s[0], cout, s[2], s[3]}), x, w,
                            bias, ArrayRef<int64_t>(ones),
                            ArrayRef<int64_t>(ones), ArrayRef<int64_t>(ones),
                            uint64_t(1));
  }
  /// torch.nn.Linear named `prefix`.
  Value linear(Value x, const llvm::Twine &prefix, int64_t out) {
    ArrayRef<int64_t> s = shapeOf(x);
    Value w = param(prefix + ".weight", {out, s.back()});
    Value bias = param(prefix + ".bias", {out});
    return LinearOp::create(b, loc, tensor({s[0], out}), x, w, bias);
  }
};

} // namespace

std::pair<Value, Value> ClassifierEmitter::emitForward(Value x) {
  for (auto [i, ch] : llvm::enumerate(c.channels)) {
    std::string prefix = "convs." + std::to_string(i);
    enter(prefix);
    x = activate(conv3x3(x, prefix, ch));
    ArrayRef<int64_t> s = shapeOf(x);
    x = AvgPool2DOp::create(b, loc, tensor({s[0], s[1], s[2] / 2, s[3] / 2}),
                            x, ArrayRef<int64_t>{2, 2},
                            ArrayRef<int64_t>{2, 2}, ArrayRef<int64_t>{0, 0});
  }
  enter("flatten");
  ArrayRef<int64_t> s = shapeOf(x);
  x = ReshapeOp::create(b, loc, tensor({s[0], s[1] * s[2] * s[3]}), x);
  enter("fc");
  Value features = activate(linear(x, "fc", c.featureDim));
  enter("head");
  Value logits = linear(features, "head", c.numClasses);
  return {logits, features};
}

FailureOr<func::FuncOp>
mlir::diffc::zoo::buildClassifier(OpBuilder &builder, Location loc,
                                  StringRef name,
                                  const ClassifierConfig &config) {
  if (failed(verifyClassifierConfig(config, [&](const llvm::Twine &message) {
        emitError(loc) << message;
      })))
    return failure();
  MLIRContext *ctx = builder.getContext();
  int64_t dyn = ShapedType::kDynamic;
  Type f32 = builder.getF32Type();
  Type input = RankedTensorType::get(
      {dyn, config.inChannels, config.sampleSize, config.sampleSize}, f32);
  SmallVector<Type> results = {
      RankedTensorType::get({dyn, config.numClasses}, f32),
      RankedTensorType::get({dyn, config.featureDim}, f32)};

  OpBuilder::InsertionGuard guard(builder);
  auto func = func::FuncOp::create(builder, loc, name,
                                   FunctionType::get(ctx, input, results));
  Block *entry = func.addEntryBlock();
  entry->getArgument(0).setLoc(NameLoc::get(builder.getStringAttr("x"), loc));
  builder.setInsertionPointToStart(entry);
  ClassifierEmitter emitter(builder, loc, config);
  auto [logits, features] = emitter.emitForward(entry->getArgument(0));
  func::ReturnOp::create(builder, loc, ValueRange{logits, features});
  return func;
}
