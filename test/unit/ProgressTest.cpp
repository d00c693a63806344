//===- ProgressTest.cpp - progress lines of long runs ---------------------===//

#include "runtime/Progress.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace attn::runtime;

namespace {
/// Captures what is written to stderr (fd 2) while alive.
class StderrCapture {
public:
  StderrCapture() : file(std::tmpfile()) {
    std::fflush(stderr);
    saved = dup(2);
    dup2(fileno(file), 2);
  }
  std::string finish() {
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::rewind(file);
    std::string text;
    char buffer[256];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, file))
      text.append(buffer, n);
    std::fclose(file);
    return text;
  }

private:
  std::FILE *file;
  int saved;
};

int countLines(const std::string &text, const std::string &needle) {
  int n = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    n += line.find(needle) != std::string::npos;
  return n;
}
} // namespace

TEST_CASE("a progress meter prints at most once per interval", "[progress]") {
  StderrCapture capture;
  {
    ProgressMeter meter("rocm-sim kernel k", "workgroups", 0.05);
    meter.update(1, 4); // before the first interval: silent
    usleep(80 * 1000);
    meter.update(2, 4); // one line
    meter.update(3, 4); // too soon: silent
  }
  std::string text = capture.finish();
  CHECK(countLines(text, "rocm-sim kernel k: ") == 1);
  CHECK(text.find("rocm-sim kernel k: 2/4 workgroups, 0 s") !=
        std::string::npos);
}

TEST_CASE("a heartbeat prints while alive and stops with it", "[progress]") {
  StderrCapture capture;
  {
    Heartbeat heartbeat("running @main on cpu", 0.05);
    usleep(180 * 1000);
  }
  usleep(120 * 1000); // no line after destruction
  std::string text = capture.finish();
  int lines = countLines(text, "running @main on cpu: running, ");
  CHECK(lines >= 2);
  CHECK(lines <= 4);
}

TEST_CASE("a short run prints nothing", "[progress]") {
  StderrCapture capture;
  {
    Heartbeat heartbeat("quick", 1.0);
  }
  CHECK(capture.finish().empty());
}
