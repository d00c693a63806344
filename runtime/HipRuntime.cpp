//===- HipRuntime.cpp - find the HIP runtime and an AMD GPU at run time ---===//

#include "runtime/HipRuntime.h"

#include <cstdlib>
#include <dlfcn.h>

using namespace attn::runtime;

std::vector<std::string> attn::runtime::defaultHipLibraryCandidates() {
  std::vector<std::string> candidates;
  if (const char *rocm = std::getenv("ROCM_PATH"); rocm && *rocm)
    candidates.push_back(std::string(rocm) + "/lib/libamdhip64.so");
  candidates.push_back("/opt/rocm/lib/libamdhip64.so");
  candidates.push_back("libamdhip64.so");
  return candidates;
}

HipProbe
attn::runtime::probeHipRuntime(const std::vector<std::string> &candidates) {
  HipProbe probe;
  void *handle = nullptr;
  for (const std::string &candidate : candidates) {
    handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      probe.libraryPath = candidate;
      break;
    }
  }
  if (!handle) {
    std::string tried;
    for (const std::string &candidate : candidates)
      tried += (tried.empty() ? "" : ", ") + candidate;
    probe.message = "no HIP runtime found (tried " + tried + ")";
    return probe;
  }
  // hipError_t hipGetDeviceCount(int *); const char *hipGetErrorName(int).
  using GetCountFn = int (*)(int *);
  using ErrorNameFn = const char *(*)(int);
  auto getCount =
      reinterpret_cast<GetCountFn>(dlsym(handle, "hipGetDeviceCount"));
  auto errorName =
      reinterpret_cast<ErrorNameFn>(dlsym(handle, "hipGetErrorName"));
  if (!getCount) {
    probe.message = "HIP runtime " + probe.libraryPath +
                    " has no hipGetDeviceCount; is it a HIP runtime?";
    return probe;
  }
  int count = 0;
  int status = getCount(&count);
  if (status != 0 || count <= 0) {
    std::string reason =
        status != 0 && errorName ? std::string(errorName(status)) : "0 devices";
    probe.message = "HIP runtime " + probe.libraryPath + " found no AMD GPU (" +
                    reason + ")";
    return probe;
  }
  probe.gpuAvailable = true;
  probe.deviceCount = count;
  probe.message = "HIP runtime " + probe.libraryPath + " found " +
                  std::to_string(count) + " AMD GPU(s)";
  return probe;
}
