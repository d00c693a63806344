//===- GpuLauncher.h - the thin launcher behind compiled host code -*- C++
//-*-===//
//
// Host code made by upstream `gpu-to-llvm` calls the `mgpu*` runtime ABI
// (mgpuModuleLoad, mgpuLaunchKernel, mgpuMemAlloc, ...). Debian ships no
// MLIR ROCm runtime library, so attn provides those entry points itself and
// forwards them to the active GpuLauncher, which has two devices:
//
// - HIP: the user's libamdhip64.so, loaded with dlopen; code objects go to
//   hipModuleLoadData, launches to hipModuleLaunchKernel with a kernarg
//   buffer packed from the code object's metadata, timed with HIP events.
// - Emulated: the same code object's metadata and the same packing, but
//   each kernel runs as a host function made by attn-emulate-gpu-kernels,
//   which reads its arguments out of the packed kernarg buffer.
//
// Errors inside the compiled code cannot unwind through it: the first one
// is latched, later calls do nothing, and the caller asks takeError().
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_GPULAUNCHER_H
#define ATTN_RUNTIME_GPULAUNCHER_H

#include "runtime/KernelMetadata.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace attn::runtime {

/// A packed host wrapper of an emulated kernel: args[i] points to LLVM-level
/// argument i; the kernel's arguments come first, then the block ids x, y, z
/// (64-bit).
using EmulatedKernelFn = void (*)(void **);

/// Name of the host function that emulates kernel `kernel`.
std::string emulatedKernelSymbol(const std::string &kernel);

/// Time spent in one kernel over all its launches.
struct KernelTiming {
  std::string name;
  int launches = 0;
  double milliseconds = 0;
};

class GpuDevice;

class GpuLauncher {
public:
  ~GpuLauncher();

  /// Kernels run on the CPU; `lookup` finds a kernel's emulation function.
  static std::unique_ptr<GpuLauncher>
  createEmulated(std::function<EmulatedKernelFn(const std::string &)> lookup);

  /// Kernels run on the first AMD GPU of the HIP runtime in `libraryPath`.
  static std::unique_ptr<GpuLauncher> createHip(const std::string &libraryPath,
                                                std::string &error);

  /// Routes the mgpu* entry points to this launcher until another one is
  /// activated or this one is destroyed.
  void activate();
  static GpuLauncher *active();

  /// The mgpu* entry points, for ExecutionEngine::registerSymbols.
  static std::vector<std::pair<const char *, void *>> entryPoints();

  bool failed() const { return !firstError.empty(); }
  /// The first error since the last call, then clears it.
  std::string takeError();
  const std::vector<KernelTiming> &timings() const { return kernelTimings; }
  void clearTimings() { kernelTimings.clear(); }

  // The operations behind the entry points.
  void *loadModule(const void *data, uint64_t size);
  void unloadModule(void *module);
  void *getFunction(void *module, const char *name);
  void launch(void *function, const uint64_t grid[3], const uint64_t block[3],
              uint32_t sharedMemory, void *stream, void **params,
              uint64_t paramCount);
  void *createStream();
  void synchronize(void *stream);
  void destroyStream(void *stream);
  void *allocate(uint64_t bytes, void *stream);
  void deallocate(void *ptr, void *stream);
  void copy(void *dst, const void *src, uint64_t bytes, void *stream);

  /// Latches `message` unless an error is already latched.
  void fail(const std::string &message);

private:
  explicit GpuLauncher(std::unique_ptr<GpuDevice> device);

  struct Module {
    std::vector<uint8_t> code;
    std::vector<KernelInfo> kernels;
    void *handle = nullptr;
  };
  struct Function {
    Module *module;
    const KernelInfo *kernel;
    void *handle;
  };

  std::unique_ptr<GpuDevice> device;
  std::vector<std::unique_ptr<Module>> modules;
  std::vector<std::unique_ptr<Function>> functions;
  std::vector<KernelTiming> kernelTimings;
  std::string firstError;
};

/// What a device must do; implemented for HIP and for the emulation.
class GpuDevice {
public:
  virtual ~GpuDevice() = default;
  virtual std::string name() const = 0;
  /// Each returns false and sets `error` on failure.
  virtual bool loadModule(const std::vector<uint8_t> &code, void *&module,
                          std::string &error) = 0;
  virtual void unloadModule(void *module) = 0;
  virtual bool getFunction(void *module, const KernelInfo &kernel,
                           void *&function, std::string &error) = 0;
  /// Launches with the packed kernarg segment; returns the kernel time.
  virtual bool launch(void *function, const KernelInfo &kernel,
                      std::vector<uint8_t> &kernarg, const uint64_t grid[3],
                      const uint64_t block[3], uint32_t sharedMemory,
                      void *stream, double &milliseconds,
                      std::string &error) = 0;
  virtual bool createStream(void *&stream, std::string &error) = 0;
  virtual bool synchronize(void *stream, std::string &error) = 0;
  virtual void destroyStream(void *stream) = 0;
  virtual bool allocate(uint64_t bytes, void *&ptr, std::string &error) = 0;
  virtual void deallocate(void *ptr) = 0;
  virtual bool copy(void *dst, const void *src, uint64_t bytes, void *stream,
                    std::string &error) = 0;
};

} // namespace attn::runtime

#endif // ATTN_RUNTIME_GPULAUNCHER_H
