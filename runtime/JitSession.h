//===- CpuRunner.h - compile an attn module for the host and run it -*- C++
//-*-===//
//
// Lowers a tensor-level module (graph passes + tiled codegen, or the
// reference lowering) to LLVM, JIT-compiles it with MLIR's ExecutionEngine
// and calls the entry function on host arrays.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_CPURUNNER_H
#define ATTN_RUNTIME_CPURUNNER_H

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
};

struct EntrySignature {
  std::vector<ValueSpec> args, results;
};

/// Reads the entry function's signature; fails (with `error`) on types the
/// runner cannot pass (e.g. index scalars, unranked tensors, f64).
bool getEntrySignature(mlir::func::FuncOp func, EntrySignature &sig,
                       std::string &error);

/// Tiled: graph passes + tiled CPU codegen. Reference: the naive lowering.
/// Rocm: AMDGPU kernels and host code, launched through HIP on a GPU.
/// RocmSim: the same program; the launcher runs each kernel's emulation on
/// the CPU with GPU semantics.
enum class Pipeline { Tiled, Reference, Rocm, RocmSim };

struct CompileOptions {
  Pipeline pipeline = Pipeline::Tiled;
  bool graphOpt = true;
  int64_t mTile = 32;
  int64_t k2Tile = 64;
  bool printIRAfterAll = false;
  /// RocmSim: the chip the kernels are generated for, and (testing only) a
  /// deliberately broken kernel variant.
  std::string chip = "gfx942";
  std::string breakKernel;
  /// Rocm: the HIP runtime library to load.
  std::string hipLibrary;
  /// When set, the JIT-compiled object code is written to this file.
  std::string dumpObjectPath;
};

class GpuLauncher;

class CompiledEntry {
public:
  ~CompiledEntry();

  /// Compiles `module` (consumed) and prepares `entry` for calls. Compiler
  /// diagnostics go to the context's handler; `error` gets a summary.
  static std::unique_ptr<CompiledEntry>
  compile(mlir::OwningOpRef<mlir::ModuleOp> module, const std::string &entry,
          const CompileOptions &options, std::string &error);

  const EntrySignature &signature() const { return sig; }

  /// The GPU launcher of the Rocm and RocmSim pipelines (else null): kernel
  /// timings of the runs so far.
  GpuLauncher *gpuLauncher() const { return launcher.get(); }

  /// Calls the entry function. `inputs` must match the signature (checked
  /// by the caller with checkInput).
  bool run(const std::vector<HostArray> &inputs,
           std::vector<HostArray> &outputs, std::string &error);

private:
  CompiledEntry() = default;
  std::string entry;
  EntrySignature sig;
  // Declared before the engine: the engine's destructors unload modules
  // through it.
  std::unique_ptr<GpuLauncher> launcher;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  void (*packed)(void **) = nullptr;
};

/// Erases the functions `entry` does not reach (other entry points of the
/// same file), so each run compiles only what it calls.
void pruneToEntry(mlir::ModuleOp module, const std::string &entry);

/// Checks `array` against argument `spec`; on mismatch a one-line reason.
bool checkInput(const HostArray &array, const ValueSpec &spec,
                std::string &error);

/// Element count of the static dims product; -1 if any dim is dynamic.
int64_t staticNumElements(const ValueSpec &spec);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_CPURUNNER_H
