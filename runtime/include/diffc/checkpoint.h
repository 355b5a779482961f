//===- checkpoint.h - Training checkpoints as safetensors -------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// A training checkpoint is one safetensors file (DESIGN.md decision 8) that
// holds everything a run needs to continue exactly where it stopped:
//
//   <name>               the parameters, under their state-dict names, so a
//                        checkpoint is also a weights file for
//                        `diffc-run sample --weights`
//   exp_avg/<name>       Adam's first moment
//   exp_avg_sq/<name>    Adam's second moment
//   ema/<name>           the exponential moving average of the parameters
//
// and, in the header's __metadata__ (all values are strings):
//
//   format               "pt"
//   diffc.checkpoint     "1", the version of this layout
//   diffc.parameters     JSON array of the parameter names, in train_step
//                        order
//   diffc.step           optimizer steps done
//   diffc.samples_seen   position in the seeded data order (batching.h)
//   diffc.dataset_size   images in the dataset
//   diffc.epoch          samples_seen / dataset_size
//   diffc.position       samples_seen % dataset_size
//   train.<option>       the run's options (seed, batch, lr, ...), as given
//
// Writes are atomic (temporary file in the same folder, fsync, rename,
// fsync of the folder): a reader, or a crash at any instant, sees the old
// file or the new one, never a mix and never none. The weights in the file
// are raw float bits, so a resumed run continues bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_CHECKPOINT_H
#define DIFFC_CHECKPOINT_H

#include "diffc/tensor.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace diffc {

/// The state of a training run between two optimizer steps.
struct TrainingState {
  /// The trainable parameters' state-dict names, in train_step order.
  std::vector<std::string> names;
  /// One tensor per name each.
  std::vector<Tensor> params, expAvg, expAvgSq, ema;
  /// Optimizer steps done (the next step is step + 1).
  int64_t step = 0;
  /// Samples consumed from the seeded data order.
  int64_t samplesSeen = 0;
  /// Images in the dataset the run reads.
  int64_t datasetSize = 0;
  /// The run's options, by name without the "train." prefix.
  std::map<std::string, std::string> options;
};

/// Writes `state` to `path` atomically in the layout above. Fails (one line
/// naming `path`) on inconsistent state or an I/O error, leaving any
/// existing file untouched.
bool writeCheckpoint(const std::string &path, const TrainingState &state,
                     std::string *error);

/// Reads a checkpoint written by writeCheckpoint(). Fails with one line
/// naming `path` if it is not a valid safetensors file, lacks a tensor or a
/// metadata entry of the layout, or its tensors disagree (types of a
/// parameter and its moments and average).
bool readCheckpoint(const std::string &path, TrainingState *state,
                    std::string *error);

/// Writes the EMA of the parameters under their plain state-dict names
/// (a weights file for `diffc-run sample --weights`), atomically, with
/// metadata diffc.step.
bool writeEmaWeights(const std::string &path, const TrainingState &state,
                     std::string *error);

} // namespace diffc

#endif // DIFFC_CHECKPOINT_H
