//===- HipRuntime.h - find the HIP runtime and an AMD GPU at run time -*- C++
//-*-===//
//
// The HIP runtime is loaded with dlopen, never linked: Debian's HIP 5.2
// knows no gfx94x, so a user's own ROCm (ROCM_PATH, /opt/rocm) must win,
// and attn-run must start on machines without any ROCm.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_HIPRUNTIME_H
#define ATTN_RUNTIME_HIPRUNTIME_H

#include <string>
#include <vector>

namespace attn::runtime {

struct HipProbe {
  /// True when a HIP runtime loaded and reported at least one GPU.
  bool gpuAvailable = false;
  /// The library that loaded, empty if none did.
  std::string libraryPath;
  int deviceCount = 0;
  /// One line saying what was found, e.g. "no HIP runtime found (tried
  /// ...)" or "HIP runtime libamdhip64.so found no AMD GPU
  /// (hipErrorNoDevice)".
  std::string message;
};

/// Library candidates in precedence order: $ROCM_PATH/lib, /opt/rocm/lib,
/// then the system search path.
std::vector<std::string> defaultHipLibraryCandidates();

/// Tries each candidate in order; the first that loads is queried for
/// devices.
HipProbe probeHipRuntime(const std::vector<std::string> &candidates);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_HIPRUNTIME_H
