//===- Eval.h - diffc-run's eval command ------------------------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// `diffc-run CLASSIFIER.diffc eval`: sample quality in the feature space of
// a classifier compiled by diffc (the zoo's, trained by diffc-run train;
// docs/evaluation.md). For a set of samples in [-1, 1] (a .npy, or drawn
// here from a sampler artifact with --generate) it reports
//
//   - the FID between the classifier's penultimate features of the samples
//     and of a reference set (the Fashion-MNIST test set by default), whose
//     statistics are cached in a file next to the weights, keyed by a hash
//     of the weights, the classifier's configuration and the reference data;
//   - the share of samples whose largest softmax probability exceeds the
//     --confidence threshold (0.9), and how many fall in each class;
//
// and with --accuracy the classifier's accuracy on the reference set.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_EVAL_H
#define DIFFC_TOOLS_DIFFC_RUN_EVAL_H

#include <map>
#include <string>
#include <vector>

namespace diffc {

/// The eval command's options as given ("--samples" -> "x.npy"); the
/// boolean ones (--accuracy, --json) as "1".
struct EvalFlags {
  std::map<std::string, std::string> values;
  /// --weights files of the classifier.
  std::vector<std::string> weights;
  bool verbose = false;
};

/// The options of `eval` that take a value, and its boolean flags.
const std::vector<std::string> &evalValueFlags();
const std::vector<std::string> &evalBooleanFlags();

/// Runs `diffc-run model eval ...`. Returns the exit status: 0 done, 1 error
/// (*error holds the line), 2 usage error.
int runEvaluation(const std::string &model, const EvalFlags &flags,
                  std::string *error);

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_EVAL_H
