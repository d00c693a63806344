//===- JitSession.h - run a compiled module on the host ---------*- C++ -*-===//
//
// Takes a module the compile driver (codegen/Compiler.h) lowered to the
// LLVM dialect, JIT-compiles it with MLIR's ExecutionEngine, connects GPU
// host code to the launcher (HIP or the emulation) and calls the entry
// function on host arrays. Execution only: no passes here.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_JITSESSION_H
#define ATTN_RUNTIME_JITSESSION_H

#include "runtime/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace func {
class FuncOp;
}
} // namespace mlir

namespace attn::runtime {

/// One argument or result of the entry function.
struct ValueSpec {
  DType dtype;
  bool isTensor = true;
  std::vector<int64_t> shape; // -1 for a dynamic dim
  std::string typeString;     // as MLIR prints it
  /// Arguments only: the .npy file named by the argument's `attn.npy`
  /// attribute (weights written by attn-import-onnx), relative to the
  /// program's file; empty when there is none.
  std::string npyFile;
};

struct EntrySignature {
  std::vector<ValueSpec> args, results;
};

/// Reads the entry function's signature; fails (with `error`) on types the
/// runner cannot pass (e.g. index scalars, unranked tensors, f64).
bool getEntrySignature(mlir::func::FuncOp func, EntrySignature &sig,
                       std::string &error);

/// What runs the GPU kernels of compiled GPU host code.
enum class GpuExecution { None, Hip, Emulated };

struct JitOptions {
  GpuExecution gpu = GpuExecution::None;
  /// Hip: the HIP runtime library to load.
  std::string hipLibrary;
  /// When set, the JIT-compiled object code is written to this file.
  std::string dumpObjectPath;
};

class GpuLauncher;

class JitSession {
public:
  ~JitSession();

  /// JIT-compiles `module` (in the LLVM dialect, `entry` with a C
  /// interface) and prepares `entry`, whose signature is `sig`, for calls.
  static std::unique_ptr<JitSession> create(mlir::ModuleOp module,
                                            const std::string &entry,
                                            const EntrySignature &sig,
                                            const JitOptions &options,
                                            std::string &error);

  const EntrySignature &signature() const { return sig; }

  /// The GPU launcher of GPU host code (else null): kernel timings of the
  /// runs so far.
  GpuLauncher *gpuLauncher() const { return launcher.get(); }

  /// Calls the entry function. `inputs` must match the signature (checked
  /// by the caller with checkInput).
  bool run(const std::vector<HostArray> &inputs,
           std::vector<HostArray> &outputs, std::string &error);

private:
  JitSession() = default;
  std::string entry;
  EntrySignature sig;
  // Declared before the engine: the engine's destructors unload modules
  // through it.
  std::unique_ptr<GpuLauncher> launcher;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  void (*packed)(void **) = nullptr;
};

/// Checks `array` against argument `spec`; on mismatch a one-line reason.
bool checkInput(const HostArray &array, const ValueSpec &spec,
                std::string &error);

/// Element count of the static dims product; -1 if any dim is dynamic.
int64_t staticNumElements(const ValueSpec &spec);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_JITSESSION_H
