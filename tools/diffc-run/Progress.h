//===- Progress.h - diffc-run's training progress display -------*- C++ -*-===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//
//
// One status line on stderr: step/total, the running mean of the loss,
// images per second and the time left. On a terminal it is redrawn in place
// (at most ten times a second); otherwise (a log file, CI) it is printed as
// a line of its own every `interval` steps and at the last step.
//
//===----------------------------------------------------------------------===//

#ifndef DIFFC_TOOLS_DIFFC_RUN_PROGRESS_H
#define DIFFC_TOOLS_DIFFC_RUN_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>

namespace diffc {

class TrainingProgress {
public:
  /// Steps firstStep .. lastStep (1-based, inclusive) of `imagesPerStep`
  /// images each. `terminal` chooses in-place redraws.
  TrainingProgress(std::FILE *out, bool terminal, int64_t firstStep,
                   int64_t lastStep, int64_t imagesPerStep);

  /// Records the loss of `step` and redraws or prints when due.
  void update(int64_t step, double loss);

  /// Ends an in-place line with a newline (before other output).
  void finish();

  /// Steps between printed lines when not on a terminal.
  int64_t interval() const { return interval_; }

private:
  void draw(int64_t step, bool ownLine);

  using Clock = std::chrono::steady_clock;
  std::FILE *out_;
  bool terminal_;
  int64_t first_, last_, imagesPerStep_, interval_;
  Clock::time_point start_, lastDraw_;
  std::deque<double> window_;
  double windowSum_ = 0;
  bool drawn_ = false;
};

} // namespace diffc

#endif // DIFFC_TOOLS_DIFFC_RUN_PROGRESS_H
