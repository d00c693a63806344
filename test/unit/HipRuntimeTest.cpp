//===- HipRuntimeTest.cpp - HIP runtime probing without a GPU -------------===//

#include "runtime/HipRuntime.h"

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace attn::runtime;

TEST_CASE("no HIP runtime: a plain message naming what was tried", "[hip]") {
  HipProbe probe = probeHipRuntime(
      {"/nonexistent/a/libamdhip64.so", "/nonexistent/b/libamdhip64.so"});
  CHECK_FALSE(probe.gpuAvailable);
  CHECK(probe.libraryPath.empty());
  CHECK(probe.message == "no HIP runtime found (tried "
                         "/nonexistent/a/libamdhip64.so, "
                         "/nonexistent/b/libamdhip64.so)");
}

TEST_CASE("a library that is not HIP is reported, not called", "[hip]") {
  HipProbe probe = probeHipRuntime({"libm.so.6"});
  CHECK_FALSE(probe.gpuAvailable);
  CHECK(probe.libraryPath == "libm.so.6");
  CHECK(probe.message.find("has no hipGetDeviceCount") != std::string::npos);
}

TEST_CASE("ROCM_PATH takes precedence over /opt/rocm and the system", "[hip]") {
  setenv("ROCM_PATH", "/my/rocm", 1);
  std::vector<std::string> candidates = defaultHipLibraryCandidates();
  unsetenv("ROCM_PATH");
  REQUIRE(candidates.size() == 3);
  CHECK(candidates[0] == "/my/rocm/lib/libamdhip64.so");
  CHECK(candidates[1] == "/opt/rocm/lib/libamdhip64.so");
  CHECK(candidates[2] == "libamdhip64.so");
}

TEST_CASE("the system HIP runtime on a machine without a GPU", "[hip]") {
  // Debian's libamdhip64 (installed by scripts/setup.sh) loads, and with no
  // AMD GPU present reports none; on a machine with a GPU this reports it.
  HipProbe probe = probeHipRuntime({"libamdhip64.so"});
  if (probe.libraryPath.empty())
    SUCCEED("no system HIP runtime: " + probe.message);
  else if (probe.gpuAvailable)
    CHECK(probe.deviceCount > 0);
  else
    CHECK(probe.message.find("found no AMD GPU") != std::string::npos);
}
