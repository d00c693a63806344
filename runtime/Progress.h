//===- Progress.h - progress lines for long runs ----------------*- C++ -*-===//
//
// Long runs (emulated GPU kernels, large reference checks) say what they
// do: a line on stderr at most every few seconds, none for short runs.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_PROGRESS_H
#define ATTN_RUNTIME_PROGRESS_H

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace attn::runtime {

/// Seconds between two progress lines.
constexpr double kProgressIntervalSeconds = 3.0;

/// Prints "<tool>: <label>: <done>/<total> <unit>, <elapsed> s" when at
/// least the interval passed since the start or the last line.
class ProgressMeter {
public:
  ProgressMeter(std::string label, std::string unit,
                double intervalSeconds = kProgressIntervalSeconds);
  void update(int64_t done, int64_t total);

private:
  using Clock = std::chrono::steady_clock;
  std::string label, unit;
  double interval;
  Clock::time_point start, last;
};

/// While alive, prints "<tool>: <label>: running, <elapsed> s" every
/// interval from a background thread (for work that cannot
/// report its own progress, e.g. one call into JIT-compiled code).
class Heartbeat {
public:
  explicit Heartbeat(std::string label,
                     double intervalSeconds = kProgressIntervalSeconds);
  ~Heartbeat();
  Heartbeat(const Heartbeat &) = delete;
  Heartbeat &operator=(const Heartbeat &) = delete;

private:
  std::mutex mutex;
  std::condition_variable stopped;
  bool stop = false;
  std::thread thread;
};

} // namespace attn::runtime

#endif // ATTN_RUNTIME_PROGRESS_H
