//===- Train.h - diffc-run's train command ----------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_TRAIN_H
#define DIFFC_TOOLS_DIFFC_RUN_TRAIN_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace diffc {

/// The train command's flags as given ("--lr" -> "1e-4"); defaults and the
/// values saved in a --resume checkpoint are filled in by runTraining().
struct TrainFlags {
  std::map<std::string, std::string> values;
  /// --weights files with the initial parameters.
  std::vector<std::string> weights;
  bool verbose = false;
  /// --device: auto, cpu or cuda (Devices.h).
  std::string device = "auto";
};

/// The options of `train` that take a value (all but --flip).
std::vector<std::string> trainValueFlags();

/// Trains the artifact at `model` (diffc-run MODEL train ...). Returns the
/// exit status: 0 done, 1 error or non-finite loss (*error holds the line),
/// 2 usage error.
int runTraining(const std::string &model, const TrainFlags &flags,
                std::string *error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_TRAIN_H
