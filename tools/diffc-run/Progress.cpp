//===- Progress.cpp - diffc-run's training progress display ---------------===//
//
// Part of the diffc project, under the Apache License v2.0.
//
//===----------------------------------------------------------------------===//

#include "Progress.h"

#include <algorithm>
#include <cmath>
#include <string>

using namespace diffc;

namespace {

/// Losses in the running mean.
constexpr size_t kWindow = 100;

std::string clock(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0)
    return "?";
  long long s = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600)
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld:%02lld", s / 3600,
                  s / 60 % 60, s % 60);
  else
    std::snprintf(buffer, sizeof(buffer), "%lld:%02lld", s / 60, s % 60);
  return buffer;
}

} // namespace

TrainingProgress::TrainingProgress(std::FILE *out, bool terminal,
                                   int64_t firstStep, int64_t lastStep,
                                   int64_t imagesPerStep)
    : out_(out), terminal_(terminal), first_(firstStep), last_(lastStep),
      imagesPerStep_(imagesPerStep),
      interval_(std::clamp<int64_t>((lastStep - firstStep + 1) / 10, 1, 1000)),
      start_(Clock::now()), lastDraw_(start_) {}

void TrainingProgress::update(int64_t step, double loss) {
  window_.push_back(loss);
  windowSum_ += loss;
  if (window_.size() > kWindow) {
    windowSum_ -= window_.front();
    window_.pop_front();
  }
  if (terminal_) {
    Clock::time_point now = Clock::now();
    if (step == last_ || now - lastDraw_ >= std::chrono::milliseconds(100)) {
      lastDraw_ = now;
      draw(step, false);
    }
    if (step == last_)
      finish();
    return;
  }
  if (step == last_ || (step - first_ + 1) % interval_ == 0)
    draw(step, true);
}

void TrainingProgress::draw(int64_t step, bool ownLine) {
  double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  int64_t done = step - first_ + 1;
  double perSecond = elapsed > 0 ? done * imagesPerStep_ / elapsed : 0;
  double eta = done > 0 ? elapsed / done * (last_ - step) : NAN;
  double mean = window_.empty() ? NAN : windowSum_ / window_.size();
  int width = static_cast<int>(std::to_string(last_).size());
  std::fprintf(out_, "%sstep %*lld/%lld  loss %.4g  %.0f img/s  ETA %s%s",
               ownLine ? "" : "\r", width, static_cast<long long>(step),
               static_cast<long long>(last_), mean, perSecond,
               clock(eta).c_str(), ownLine ? "\n" : "\033[K");
  std::fflush(out_);
  drawn_ = !ownLine;
}

void TrainingProgress::finish() {
  if (drawn_) {
    std::fputc('\n', out_);
    std::fflush(out_);
    drawn_ = false;
  }
}
