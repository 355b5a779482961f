//===- Sample.cpp - diffc-run's sample command ----------------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// The sampler entries are built by `diffc compile --sampler=...`:
//   sample_ddim(x_T, steps: i64, eta: f32, seed: i64) -> x_0
//   sample_ddpm(x_T, steps: i64, seed: i64) -> x_0
// x_T is drawn here from the same Philox stream (offset 0) the compiled
// steps continue from, so a seed fixes the whole trajectory.
//
//===----------------------------------------------------------------------===//

#include "Sample.h"

#include "diffc/image.h"
#include "diffc/philox.h"
#include "diffc/scheduler_config.h"

#include <cstdio>

using namespace diffc;

static bool endsWith(const std::string &s, const char *suffix) {
  std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

bool diffc::drawSamples(const Session &session, const SampleOptions &o,
                        Tensor *x0, std::string *error) {
  auto fail = [&](const std::string &m) {
    *error = m;
    return false;
  };
  if (o.sampler != "ddim" && o.sampler != "ddpm")
    return fail("unknown --sampler '" + o.sampler + "' (expected ddim or ddpm)");
  std::string entryName = "sample_" + o.sampler;
  const EntryPointSignature *entry =
      session.artifact().findEntryPoint(entryName);
  if (!entry)
    return fail(session.artifact().name() + " has no " + o.sampler +
                " sampler (entry '" + entryName +
                "'): compile it with diffc compile --sampler=" + o.sampler);
  if (o.sampler == "ddpm" && o.etaGiven)
    return fail("--eta applies to the ddim sampler only");
  if (!checkSamplingSteps(session.artifact(), o.steps, error))
    return false;
  if (entry->inputs.empty() || entry->inputs[0].kind != ValueKind::tensor ||
      entry->inputs[0].shape.size() < 2)
    return fail(session.artifact().name() + ": entry '" + entryName +
                "' does not take a sample tensor first");
  const std::vector<int64_t> &sig = entry->inputs[0].shape;

  Tensor xT;
  if (!o.init.empty()) {
    if (!readNpy(o.init, &xT, error))
      return false;
  } else {
    if (o.batch < 1)
      return fail("--batch must be at least 1, got " +
                  std::to_string(o.batch));
    std::vector<int64_t> shape = {o.batch};
    for (size_t d = 1; d < sig.size(); ++d) {
      if (sig[d] == kDynamicExtent)
        return fail("the sample shape of '" + entryName +
                    "' is not static past the batch; pass --init x_T.npy");
      shape.push_back(sig[d]);
    }
    if (!Tensor::allocate(ElementType::f32, shape, &xT, error))
      return false;
    fill_normal(o.seed, 0, xT.dataAs<float>(),
                static_cast<size_t>(xT.numElements()));
  }

  std::vector<Arg> inputs = {Arg::ofTensor(std::move(xT)),
                             Arg::ofI64(o.steps)};
  if (o.sampler == "ddim")
    inputs.push_back(Arg::ofF32(o.eta));
  inputs.push_back(Arg::ofI64(static_cast<int64_t>(o.seed)));
  std::vector<Arg> outputs;
  if (!session.call(entryName, inputs, &outputs, error))
    return false;
  *x0 = std::move(outputs.at(0).tensor);
  return true;
}

bool diffc::runSampler(const Session &session, const SampleOptions &o,
                       std::string *error) {
  for (const std::string &out : o.outs)
    if (!endsWith(out, ".png") && !endsWith(out, ".npy")) {
      *error = "--out " + out + ": expected a .npy or .png file name";
      return false;
    }
  Tensor x0;
  if (!drawSamples(session, o, &x0, error))
    return false;
  const std::string entryName = "sample_" + o.sampler;

  // Each writer is atomic: a file is either complete or not there.
  for (const std::string &out : o.outs) {
    if (endsWith(out, ".png")) {
      GridOptions grid;
      int64_t side = x0.shape().back();
      grid.upscale = o.upscale > 0 ? o.upscale : (side < 64 ? 3 : 1);
      if (!writeImageGrid(out, x0, grid, error))
        return false;
    } else if (!writeNpy(out, x0, error)) {
      return false;
    }
  }
  if (o.outs.empty())
    std::printf("%s: %s from %lld %s steps; pass --out FILE.png or .npy to "
                "keep it\n",
                entryName.c_str(), x0.typeString().c_str(),
                static_cast<long long>(o.steps), o.sampler.c_str());
  return true;
}
