//===- GpuLauncher.cpp - the thin launcher behind compiled host code ------===//

#include "runtime/GpuLauncher.h"
#include "runtime/Progress.h"

#define __HIP_PLATFORM_AMD__
#include <hip/hip_runtime_api.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>

using namespace attn::runtime;

std::string attn::runtime::emulatedKernelSymbol(const std::string &kernel) {
  return "__attn_emulated_" + kernel;
}

//===----------------------------------------------------------------------===//
// Emulated device
//===----------------------------------------------------------------------===//

namespace {
class EmulatedDevice : public GpuDevice {
public:
  explicit EmulatedDevice(
      std::function<EmulatedKernelFn(const std::string &)> lookup)
      : lookup(std::move(lookup)) {}

  std::string name() const override { return "emulation"; }
  bool loadModule(const std::vector<uint8_t> &, void *&module,
                  std::string &) override {
    module = this; // the code object's metadata is all the emulation uses
    return true;
  }
  void unloadModule(void *) override {}
  bool getFunction(void *, const KernelInfo &kernel, void *&function,
                   std::string &error) override {
    EmulatedKernelFn fn = lookup(kernel.name);
    if (!fn) {
      error = "no emulation of kernel " + kernel.name + " (expected @" +
              emulatedKernelSymbol(kernel.name) + ")";
      return false;
    }
    function = reinterpret_cast<void *>(fn);
    return true;
  }
  bool launch(void *function, const KernelInfo &kernel,
              std::vector<uint8_t> &kernarg, const uint64_t grid[3],
              const uint64_t block[3], uint32_t, void *, double &milliseconds,
              std::string &) override {
    fillHiddenArguments(kernel, grid, block, kernarg);
    // The emulation reads every argument from where the metadata puts it in
    // the kernarg segment, so a wrong packing gives wrong numbers here too.
    std::vector<void *> args;
    for (const KernelArgument *arg : kernel.explicitArgs())
      args.push_back(kernarg.data() + arg->offset);
    int64_t ids[3] = {0, 0, 0};
    for (int64_t &id : ids)
      args.push_back(&id);
    auto fn = reinterpret_cast<EmulatedKernelFn>(function);
    auto start = std::chrono::steady_clock::now();
    int64_t total = int64_t(grid[0] * grid[1] * grid[2]), done = 0;
    ProgressMeter progress("rocm-sim kernel " + kernel.name, "workgroups");
    for (ids[2] = 0; ids[2] < int64_t(grid[2]); ++ids[2])
      for (ids[1] = 0; ids[1] < int64_t(grid[1]); ++ids[1])
        for (ids[0] = 0; ids[0] < int64_t(grid[0]); ++ids[0]) {
          fn(args.data());
          progress.update(++done, total);
        }
    milliseconds = std::chrono::duration<double, std::milli>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    return true;
  }
  bool createStream(void *&stream, std::string &) override {
    stream = this;
    return true;
  }
  bool synchronize(void *, std::string &) override { return true; }
  void destroyStream(void *) override {}
  bool allocate(uint64_t bytes, void *&ptr, std::string &error) override {
    ptr =
        std::aligned_alloc(64, std::max<uint64_t>(64, (bytes + 63) / 64 * 64));
    if (!ptr)
      error = "emulation: out of memory allocating " + std::to_string(bytes) +
              " bytes";
    return ptr != nullptr;
  }
  void deallocate(void *ptr) override { std::free(ptr); }
  bool copy(void *dst, const void *src, uint64_t bytes, void *,
            std::string &) override {
    std::memcpy(dst, src, bytes);
    return true;
  }

private:
  std::function<EmulatedKernelFn(const std::string &)> lookup;
};

//===----------------------------------------------------------------------===//
// HIP device
//===----------------------------------------------------------------------===//

/// The HIP entry points the launcher uses, looked up with dlsym.
struct HipApi {
  void *library = nullptr;
#define ATTN_HIP_FN(fn) decltype(&::fn) fn = nullptr;
#define ATTN_HIP_FUNCTIONS(X)                                                  \
  X(hipGetErrorString)                                                         \
  X(hipSetDevice)                                                              \
  X(hipModuleLoadData)                                                         \
  X(hipModuleUnload)                                                           \
  X(hipModuleGetFunction)                                                      \
  X(hipModuleLaunchKernel)                                                     \
  X(hipFree)                                                                   \
  X(hipMemcpyAsync)                                                            \
  X(hipStreamCreate)                                                           \
  X(hipStreamSynchronize)                                                      \
  X(hipStreamDestroy)                                                          \
  X(hipEventCreate)                                                            \
  X(hipEventRecord)                                                            \
  X(hipEventSynchronize)                                                       \
  X(hipEventElapsedTime)                                                       \
  X(hipEventDestroy)
  ATTN_HIP_FUNCTIONS(ATTN_HIP_FN)
#undef ATTN_HIP_FN
  // Overloaded in C++ (a template wrapper), so spelled out.
  hipError_t (*hipMalloc)(void **, size_t) = nullptr;
};

class HipDevice : public GpuDevice {
public:
  static std::unique_ptr<HipDevice> create(const std::string &libraryPath,
                                           std::string &error) {
    std::unique_ptr<HipDevice> device(new HipDevice());
    HipApi &api = device->api;
    api.library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!api.library) {
      error = "cannot load the HIP runtime " + libraryPath;
      return nullptr;
    }
#define ATTN_HIP_LOOKUP(fn)                                                    \
  api.fn = reinterpret_cast<decltype(api.fn)>(dlsym(api.library, #fn));        \
  if (!api.fn) {                                                               \
    error = "HIP runtime " + libraryPath + " lacks " #fn;                      \
    return nullptr;                                                            \
  }
    ATTN_HIP_FUNCTIONS(ATTN_HIP_LOOKUP)
    ATTN_HIP_LOOKUP(hipMalloc)
#undef ATTN_HIP_LOOKUP
    if (!device->check(api.hipSetDevice(0), "hipSetDevice", error))
      return nullptr;
    return device;
  }
  ~HipDevice() override {
    if (api.library)
      dlclose(api.library);
  }

  std::string name() const override { return "HIP"; }
  bool loadModule(const std::vector<uint8_t> &code, void *&module,
                  std::string &error) override {
    hipModule_t m = nullptr;
    if (!check(api.hipModuleLoadData(&m, code.data()), "hipModuleLoadData",
               error))
      return false;
    module = m;
    return true;
  }
  void unloadModule(void *module) override {
    (void)api.hipModuleUnload(static_cast<hipModule_t>(module));
  }
  bool getFunction(void *module, const KernelInfo &kernel, void *&function,
                   std::string &error) override {
    hipFunction_t f = nullptr;
    if (!check(api.hipModuleGetFunction(&f, static_cast<hipModule_t>(module),
                                        kernel.name.c_str()),
               "hipModuleGetFunction(" + kernel.name + ")", error))
      return false;
    function = f;
    return true;
  }
  bool launch(void *function, const KernelInfo &kernel,
              std::vector<uint8_t> &kernarg, const uint64_t grid[3],
              const uint64_t block[3], uint32_t sharedMemory, void *stream,
              double &milliseconds, std::string &error) override {
    auto s = static_cast<hipStream_t>(stream);
    size_t size = kernarg.size();
    // The packed segment goes as one buffer; the runtime adds the hidden
    // arguments it owns.
    void *extra[] = {HIP_LAUNCH_PARAM_BUFFER_POINTER, kernarg.data(),
                     HIP_LAUNCH_PARAM_BUFFER_SIZE, &size, HIP_LAUNCH_PARAM_END};
    hipEvent_t start = nullptr, stop = nullptr;
    if (!check(api.hipEventCreate(&start), "hipEventCreate", error) ||
        !check(api.hipEventCreate(&stop), "hipEventCreate", error))
      return false;
    bool ok =
        check(api.hipEventRecord(start, s), "hipEventRecord", error) &&
        check(api.hipModuleLaunchKernel(static_cast<hipFunction_t>(function),
                                        grid[0], grid[1], grid[2], block[0],
                                        block[1], block[2], sharedMemory, s,
                                        nullptr, extra),
              "hipModuleLaunchKernel(" + kernel.name + ")", error) &&
        check(api.hipEventRecord(stop, s), "hipEventRecord", error) &&
        check(api.hipEventSynchronize(stop), "kernel " + kernel.name, error);
    float ms = 0;
    if (ok && check(api.hipEventElapsedTime(&ms, start, stop),
                    "hipEventElapsedTime", error))
      milliseconds = ms;
    (void)api.hipEventDestroy(start);
    (void)api.hipEventDestroy(stop);
    return ok;
  }
  bool createStream(void *&stream, std::string &error) override {
    hipStream_t s = nullptr;
    if (!check(api.hipStreamCreate(&s), "hipStreamCreate", error))
      return false;
    stream = s;
    return true;
  }
  bool synchronize(void *stream, std::string &error) override {
    return check(api.hipStreamSynchronize(static_cast<hipStream_t>(stream)),
                 "hipStreamSynchronize", error);
  }
  void destroyStream(void *stream) override {
    (void)api.hipStreamDestroy(static_cast<hipStream_t>(stream));
  }
  bool allocate(uint64_t bytes, void *&ptr, std::string &error) override {
    return check(api.hipMalloc(&ptr, std::max<uint64_t>(bytes, 1)),
                 "hipMalloc(" + std::to_string(bytes) + " bytes)", error);
  }
  void deallocate(void *ptr) override { (void)api.hipFree(ptr); }
  bool copy(void *dst, const void *src, uint64_t bytes, void *stream,
            std::string &error) override {
    return check(api.hipMemcpyAsync(dst, src, bytes, hipMemcpyDefault,
                                    static_cast<hipStream_t>(stream)),
                 "hipMemcpyAsync", error);
  }

private:
  HipDevice() = default;
  bool check(hipError_t status, const std::string &what, std::string &error) {
    if (status == hipSuccess)
      return true;
    error = what + " failed: " + api.hipGetErrorString(status);
    return false;
  }
  HipApi api;
};
} // namespace

//===----------------------------------------------------------------------===//
// GpuLauncher
//===----------------------------------------------------------------------===//

static GpuLauncher *activeLauncher = nullptr;

GpuLauncher::GpuLauncher(std::unique_ptr<GpuDevice> device)
    : device(std::move(device)) {}

GpuLauncher::~GpuLauncher() {
  for (auto &module : modules)
    if (module->handle)
      device->unloadModule(module->handle);
  if (activeLauncher == this)
    activeLauncher = nullptr;
}

std::unique_ptr<GpuLauncher> GpuLauncher::createEmulated(
    std::function<EmulatedKernelFn(const std::string &)> lookup) {
  return std::unique_ptr<GpuLauncher>(
      new GpuLauncher(std::make_unique<EmulatedDevice>(std::move(lookup))));
}

std::unique_ptr<GpuLauncher>
GpuLauncher::createHip(const std::string &libraryPath, std::string &error) {
  auto device = HipDevice::create(libraryPath, error);
  if (!device)
    return nullptr;
  return std::unique_ptr<GpuLauncher>(new GpuLauncher(std::move(device)));
}

void GpuLauncher::activate() { activeLauncher = this; }
GpuLauncher *GpuLauncher::active() { return activeLauncher; }

std::string GpuLauncher::takeError() {
  std::string error = std::move(firstError);
  firstError.clear();
  return error;
}

void GpuLauncher::fail(const std::string &message) {
  if (firstError.empty())
    firstError = message;
}

void *GpuLauncher::loadModule(const void *data, uint64_t size) {
  if (failed())
    return nullptr;
  auto module = std::make_unique<Module>();
  const auto *bytes = static_cast<const uint8_t *>(data);
  module->code.assign(bytes, bytes + size);
  auto kernels = readKernelMetadata(module->code);
  if (!kernels) {
    fail(llvm::toString(kernels.takeError()));
    return nullptr;
  }
  module->kernels = std::move(*kernels);
  std::string error;
  if (!device->loadModule(module->code, module->handle, error)) {
    fail(error);
    return nullptr;
  }
  modules.push_back(std::move(module));
  return modules.back().get();
}

void GpuLauncher::unloadModule(void *module) {
  for (auto &m : modules)
    if (m.get() == module && m->handle) {
      device->unloadModule(m->handle);
      m->handle = nullptr;
    }
}

void *GpuLauncher::getFunction(void *module, const char *name) {
  if (failed())
    return nullptr;
  auto *m = static_cast<Module *>(module);
  if (!m) {
    fail("kernel " + std::string(name) + ": its code object did not load");
    return nullptr;
  }
  // One Function per (module, kernel): host code asks before each launch.
  for (auto &f : functions)
    if (f->module == m && f->kernel->name == name)
      return f.get();
  const KernelInfo *kernel = nullptr;
  for (const KernelInfo &k : m->kernels)
    if (k.name == name)
      kernel = &k;
  if (!kernel) {
    fail("kernel " + std::string(name) +
         " is not in the code object's metadata");
    return nullptr;
  }
  void *handle = nullptr;
  std::string error;
  if (!device->getFunction(m->handle, *kernel, handle, error)) {
    fail(error);
    return nullptr;
  }
  functions.push_back(std::make_unique<Function>(Function{m, kernel, handle}));
  return functions.back().get();
}

void GpuLauncher::launch(void *function, const uint64_t grid[3],
                         const uint64_t block[3], uint32_t sharedMemory,
                         void *stream, void **params, uint64_t paramCount) {
  if (failed())
    return;
  auto *f = static_cast<Function *>(function);
  if (!f) {
    fail("launch of a kernel that was not found");
    return;
  }
  for (int d = 0; d < 3; ++d)
    if (grid[d] == 0 || block[d] == 0) {
      fail("kernel " + f->kernel->name + ": empty grid or workgroup");
      return;
    }
  uint64_t threads = block[0] * block[1] * block[2];
  if (f->kernel->maxFlatWorkgroupSize &&
      threads > f->kernel->maxFlatWorkgroupSize) {
    fail("kernel " + f->kernel->name + ": workgroup of " +
         std::to_string(threads) + " threads exceeds its maximum of " +
         std::to_string(f->kernel->maxFlatWorkgroupSize));
    return;
  }
  auto kernarg = packKernelArguments(
      *f->kernel, llvm::ArrayRef<void *>(params, paramCount));
  if (!kernarg) {
    fail(llvm::toString(kernarg.takeError()));
    return;
  }
  double ms = 0;
  std::string error;
  if (!device->launch(f->handle, *f->kernel, *kernarg, grid, block,
                      sharedMemory, stream, ms, error)) {
    fail(error);
    return;
  }
  for (KernelTiming &t : kernelTimings)
    if (t.name == f->kernel->name) {
      ++t.launches;
      t.milliseconds += ms;
      return;
    }
  kernelTimings.push_back({f->kernel->name, 1, ms});
}

void *GpuLauncher::createStream() {
  void *stream = nullptr;
  std::string error;
  if (!failed() && !device->createStream(stream, error))
    fail(error);
  return stream;
}

void GpuLauncher::synchronize(void *stream) {
  std::string error;
  if (!failed() && stream && !device->synchronize(stream, error))
    fail(error);
}

void GpuLauncher::destroyStream(void *stream) {
  if (stream)
    device->destroyStream(stream);
}

void *GpuLauncher::allocate(uint64_t bytes, void *) {
  void *ptr = nullptr;
  std::string error;
  if (!failed() && !device->allocate(bytes, ptr, error))
    fail(error);
  return ptr;
}

void GpuLauncher::deallocate(void *ptr, void *) {
  if (ptr)
    device->deallocate(ptr);
}

void GpuLauncher::copy(void *dst, const void *src, uint64_t bytes,
                       void *stream) {
  std::string error;
  if (failed() || bytes == 0)
    return;
  if (!dst || !src) {
    fail("copy of " + std::to_string(bytes) + " bytes with a null buffer");
    return;
  }
  if (!device->copy(dst, src, bytes, stream, error))
    fail(error);
}

//===----------------------------------------------------------------------===//
// The mgpu* ABI that upstream gpu-to-llvm host code calls (signatures as
// declared by its lowering of gpu.binary / gpu.launch_func / gpu.alloc /
// gpu.memcpy / gpu.dealloc / gpu.wait).
//===----------------------------------------------------------------------===//

static GpuLauncher *launcherOrFail() {
  GpuLauncher *l = GpuLauncher::active();
  if (!l) {
    // Compiled GPU host code called without a launcher: nothing sane to do.
    std::fprintf(stderr, "attn: GPU host code ran without a launcher\n");
    std::abort();
  }
  return l;
}

extern "C" {
static void *mgpuModuleLoad(void *data, uint64_t size) {
  return launcherOrFail()->loadModule(data, size);
}
static void mgpuModuleUnload(void *module) {
  if (GpuLauncher *l = GpuLauncher::active())
    l->unloadModule(module);
}
static void *mgpuModuleGetFunction(void *module, const char *name) {
  return launcherOrFail()->getFunction(module, name);
}
static void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                             intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                             intptr_t blockZ, int32_t smem, void *stream,
                             void **params, void ** /*extra*/,
                             size_t paramsCount) {
  uint64_t grid[3] = {uint64_t(gridX), uint64_t(gridY), uint64_t(gridZ)};
  uint64_t block[3] = {uint64_t(blockX), uint64_t(blockY), uint64_t(blockZ)};
  launcherOrFail()->launch(function, grid, block, uint32_t(smem), stream,
                           params, paramsCount);
}
static void *mgpuStreamCreate() { return launcherOrFail()->createStream(); }
static void mgpuStreamSynchronize(void *stream) {
  launcherOrFail()->synchronize(stream);
}
static void mgpuStreamDestroy(void *stream) {
  launcherOrFail()->destroyStream(stream);
}
static void *mgpuMemAlloc(uint64_t bytes, void *stream, bool hostShared) {
  GpuLauncher *l = launcherOrFail();
  if (hostShared) {
    l->fail("host-shared GPU allocations are not supported");
    return nullptr;
  }
  return l->allocate(bytes, stream);
}
static void mgpuMemFree(void *ptr, void *stream) {
  launcherOrFail()->deallocate(ptr, stream);
}
static void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  launcherOrFail()->copy(dst, src, bytes, stream);
}
}

std::vector<std::pair<const char *, void *>> GpuLauncher::entryPoints() {
  return {
      {"mgpuModuleLoad", reinterpret_cast<void *>(&mgpuModuleLoad)},
      {"mgpuModuleUnload", reinterpret_cast<void *>(&mgpuModuleUnload)},
      {"mgpuModuleGetFunction",
       reinterpret_cast<void *>(&mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", reinterpret_cast<void *>(&mgpuLaunchKernel)},
      {"mgpuStreamCreate", reinterpret_cast<void *>(&mgpuStreamCreate)},
      {"mgpuStreamSynchronize",
       reinterpret_cast<void *>(&mgpuStreamSynchronize)},
      {"mgpuStreamDestroy", reinterpret_cast<void *>(&mgpuStreamDestroy)},
      {"mgpuMemAlloc", reinterpret_cast<void *>(&mgpuMemAlloc)},
      {"mgpuMemFree", reinterpret_cast<void *>(&mgpuMemFree)},
      {"mgpuMemcpy", reinterpret_cast<void *>(&mgpuMemcpy)},
  };
}
