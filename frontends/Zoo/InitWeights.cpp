//===- InitWeights.cpp - PyTorch-style initial weights --------------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "frontends/Zoo/InitWeights.h"

#include "passes/Diffc/Parameters.h"

#include "diffc/philox.h"
#include "diffc/safetensors.h"
#include "diffc/tensor.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cmath>

using namespace mlir;
using namespace mlir::diffc;

namespace {

/// fan_in of a weight of shape [out, in, k...]: in * prod(k).
int64_t fanIn(ArrayRef<int64_t> shape) {
  int64_t f = 1;
  for (int64_t d : shape.drop_front())
    f *= d;
  return f;
}

} // namespace

bool mlir::diffc::writeInitialWeights(ModuleOp module, uint64_t seed,
                                      const std::string &path,
                                      std::string &error) {
  FailureOr<std::vector<ModuleParameter>> params = collectParameters(module);
  if (failed(params)) {
    error = "the module's parameters are inconsistent";
    return false;
  }
  // Biases take the bound of the weight beside them.
  llvm::StringMap<int64_t> weightFanIn;
  for (const ModuleParameter &p : *params)
    if (StringRef(p.name).ends_with(".weight") && p.type.getRank() >= 2)
      weightFanIn[StringRef(p.name).drop_back(strlen(".weight"))] =
          fanIn(p.type.getShape());

  std::vector<::diffc::Tensor> tensors(params->size());
  std::vector<::diffc::NamedTensor> named;
  for (auto [i, p] : llvm::enumerate(*params)) {
    if (!p.type.getElementType().isF32()) {
      error = "parameter '" + p.name + "' is not f32";
      return false;
    }
    std::vector<int64_t> shape(p.type.getShape().begin(),
                               p.type.getShape().end());
    ::diffc::Tensor &t = tensors[i];
    if (!::diffc::Tensor::allocate(::diffc::ElementType::f32, shape, &t,
                                   &error))
      return false;
    float *data = t.dataAs<float>();
    size_t n = static_cast<size_t>(t.numElements());
    StringRef name(p.name);
    // Disjoint Philox ranges per parameter.
    uint64_t offset = static_cast<uint64_t>(i) << 32;
    bool isNorm = name.contains("norm") && p.type.getRank() == 1;
    if (name.contains("embedding") && !name.starts_with("time_embedding")) {
      ::diffc::fill_normal(seed, offset, data, n);
    } else if (isNorm) {
      std::fill(data, data + n, name.ends_with(".weight") ? 1.0f : 0.0f);
    } else {
      int64_t fan = p.type.getRank() >= 2 ? fanIn(p.type.getShape()) : 0;
      if (name.ends_with(".bias")) {
        auto it = weightFanIn.find(name.drop_back(strlen(".bias")));
        fan = it == weightFanIn.end() ? 0 : it->second;
      }
      if (fan <= 0) {
        std::fill(data, data + n, 0.0f);
      } else {
        float bound = 1.0f / std::sqrt(static_cast<float>(fan));
        for (size_t k = 0; k < n; ++k) {
          uint64_t g = offset + k;
          ::diffc::PhiloxCounter w = ::diffc::philox4x32_10(
              ::diffc::philox_counter_for_block(g / 4),
              ::diffc::philox_key_from_seed(seed));
          float u = ::diffc::uniform_float(w.v[g % 4]); // (0, 1]
          data[k] = (2.0f * u - 1.0f) * bound;
        }
      }
    }
    named.push_back({p.name, &t});
  }
  return ::diffc::writeSafetensors(
      path, named, {{"format", "pt"}, {"diffc.init_seed", std::to_string(seed)}},
      &error);
}
