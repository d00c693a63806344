//===- Progress.cpp - progress lines for long runs ------------------------===//

#include "runtime/Progress.h"

#include <cerrno>
#include <cstdio>

using namespace attn::runtime;

static void printLine(const std::string &label, const std::string &detail,
                      double seconds) {
  std::fprintf(stderr, "%s: %s: %s%.0f s\n", program_invocation_short_name,
               label.c_str(), detail.c_str(), seconds);
  std::fflush(stderr);
}

ProgressMeter::ProgressMeter(std::string label, std::string unit,
                             double intervalSeconds)
    : label(std::move(label)), unit(std::move(unit)), interval(intervalSeconds),
      start(Clock::now()), last(start) {}

void ProgressMeter::update(int64_t done, int64_t total) {
  Clock::time_point now = Clock::now();
  if (std::chrono::duration<double>(now - last).count() < interval)
    return;
  last = now;
  printLine(label,
            std::to_string(done) + "/" + std::to_string(total) + " " + unit +
                ", ",
            std::chrono::duration<double>(now - start).count());
}

Heartbeat::Heartbeat(std::string label, double intervalSeconds) {
  thread = std::thread([this, label = std::move(label), intervalSeconds] {
    auto start = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopped.wait_for(lock,
                             std::chrono::duration<double>(intervalSeconds),
                             [this] { return stop; }))
      printLine(label, "running, ",
                std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                              start)
                    .count());
  });
}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
  }
  stopped.notify_all();
  thread.join();
}
