//===- GpuLauncherTest.cpp - the launcher without a GPU -------------------===//

#include "runtime/GpuLauncher.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>

using namespace attn::runtime;

std::vector<uint8_t> readCodeObject();

namespace {
/// What a fake emulated kernel saw.
struct Seen {
  int calls = 0;
  std::vector<int64_t> blockIds;
  uint64_t firstArg = 0;
  uint16_t scale = 0;
} seen;

constexpr size_t kAttentionArgs = 4 * 11 + 1;

void fakeAttention(void **args) {
  ++seen.calls;
  std::memcpy(&seen.firstArg, args[0], 8);
  std::memcpy(&seen.scale, args[kAttentionArgs - 1], 2);
  for (int d = 0; d < 3; ++d)
    seen.blockIds.push_back(*static_cast<int64_t *>(args[kAttentionArgs + d]));
}
} // namespace

TEST_CASE("HIP launcher without a HIP runtime or GPU says so", "[launcher]") {
  std::string error;
  CHECK(GpuLauncher::createHip("/nonexistent/libamdhip64.so", error) ==
        nullptr);
  CHECK(error == "cannot load the HIP runtime /nonexistent/libamdhip64.so");
  error.clear();
  CHECK(GpuLauncher::createHip("libm.so.6", error) == nullptr);
  CHECK(error == "HIP runtime libm.so.6 lacks hipGetErrorString");
}

TEST_CASE("the emulated launcher packs, then runs every workgroup",
          "[launcher]") {
  seen = Seen();
  auto launcher = GpuLauncher::createEmulated(
      [](const std::string &name) -> EmulatedKernelFn {
        return name == "main_attention_0" ? &fakeAttention : nullptr;
      });
  launcher->activate();
  std::vector<uint8_t> code = readCodeObject();
  void *module = launcher->loadModule(code.data(), code.size());
  REQUIRE(module);
  void *fn = launcher->getFunction(module, "main_attention_0");
  REQUIRE(fn);
  CHECK(launcher->getFunction(module, "main_attention_0") == fn);

  std::vector<uint64_t> values(kAttentionArgs, 0);
  std::vector<void *> params;
  for (size_t i = 0; i < kAttentionArgs; ++i) {
    values[i] = 100 + i;
    params.push_back(&values[i]);
  }
  uint16_t scale = 0x3000;
  params.back() = &scale;
  uint64_t grid[3] = {2, 3, 1}, block[3] = {256, 1, 1};
  launcher->launch(fn, grid, block, 0, nullptr, params.data(), params.size());
  REQUIRE_FALSE(launcher->failed());
  CHECK(seen.calls == 6);
  CHECK(seen.firstArg == 100);
  CHECK(seen.scale == 0x3000);
  // x fastest, then y.
  CHECK(seen.blockIds == std::vector<int64_t>{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1,
                                              0, 0, 2, 0, 1, 2, 0});
  REQUIRE(launcher->timings().size() == 1);
  CHECK(launcher->timings()[0].name == "main_attention_0");
  CHECK(launcher->timings()[0].launches == 1);

  SECTION("a workgroup larger than the kernel allows") {
    uint64_t big[3] = {1024, 1, 1};
    launcher->launch(fn, grid, big, 0, nullptr, params.data(), params.size());
    CHECK(launcher->takeError() ==
          "kernel main_attention_0: workgroup of 1024 threads exceeds its "
          "maximum of 512");
  }
  SECTION("a wrong argument count") {
    launcher->launch(fn, grid, block, 0, nullptr, params.data(),
                     params.size() - 1);
    CHECK(launcher->takeError() == "kernel main_attention_0 takes 45 "
                                   "arguments by its metadata, the launch "
                                   "passes 44");
  }
  SECTION("a kernel without an emulation") {
    CHECK(launcher->getFunction(module, "main_generic_0") == nullptr);
    CHECK(launcher->takeError() ==
          "no emulation of kernel main_generic_0 (expected "
          "@__attn_emulated_main_generic_0)");
  }
  SECTION("a kernel the code object does not have") {
    CHECK(launcher->getFunction(module, "nope") == nullptr);
    CHECK(launcher->takeError() ==
          "kernel nope is not in the code object's metadata");
  }
}

TEST_CASE("the first error sticks until taken; later calls do nothing",
          "[launcher]") {
  auto launcher = GpuLauncher::createEmulated(
      [](const std::string &) -> EmulatedKernelFn { return nullptr; });
  const char garbage[] = "not an ELF at all";
  CHECK(launcher->loadModule(garbage, sizeof(garbage)) == nullptr);
  REQUIRE(launcher->failed());
  CHECK(launcher->allocate(64, nullptr) == nullptr); // skipped
  std::string error = launcher->takeError();
  CHECK(error.rfind("not an AMDGPU code object", 0) == 0);
  CHECK_FALSE(launcher->failed());
  void *buffer = launcher->allocate(64, nullptr);
  CHECK(buffer != nullptr);
  launcher->copy(buffer, nullptr, 8, nullptr);
  CHECK(launcher->takeError() == "copy of 8 bytes with a null buffer");
  launcher->deallocate(buffer, nullptr);
}

TEST_CASE("the mgpu entry points compiled host code calls", "[launcher]") {
  std::vector<std::string> names;
  for (auto [name, address] : GpuLauncher::entryPoints()) {
    names.push_back(name);
    CHECK(address != nullptr);
  }
  for (const char *expected :
       {"mgpuModuleLoad", "mgpuModuleUnload", "mgpuModuleGetFunction",
        "mgpuLaunchKernel", "mgpuStreamCreate", "mgpuStreamSynchronize",
        "mgpuStreamDestroy", "mgpuMemAlloc", "mgpuMemFree", "mgpuMemcpy"})
    CHECK(std::find(names.begin(), names.end(), expected) != names.end());
}
