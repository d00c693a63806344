//===- Compiler.h - the one compile driver ----------------------*- C++ -*-===//
//
// A module goes in, the LLVM dialect (with the GPU code object embedded for
// GPU targets) comes out, plus the artifacts asked for: code object, ISA,
// kernel report, IR after each pass. attn-run, the tests and any API call
// this; runtime/ then runs the result (runtime/JitSession.h).
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_COMPILER_H
#define ATTN_CODEGEN_COMPILER_H

#include "codegen/HostCpu.h"
#include "codegen/KernelConfig.h"
#include "codegen/KernelReport.h"
#include "codegen/Target.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::attn {

/// Cpu: graph passes + tiled CPU code. Reference: the naive lowering used
/// by --check. Rocm: AMDGPU kernels and host code calling the launcher.
/// RocmSim: the same, plus host functions emulating each kernel.
enum class CompileTarget { Cpu, Reference, Rocm, RocmSim };

struct CompileOptions {
  CompileTarget target = CompileTarget::Cpu;
  /// GPU targets: the chip (see Target.h).
  std::string chip = std::string(defaultChip());
  bool graphOpt = true;
  /// Cpu: rows of Q per parallel tile, keys per K2 loop iteration.
  int64_t mTile = kDefaultMTile, k2Tile = kDefaultK2Tile;
  /// Split K2 across parallel workers: 0 automatic, 1 never, N splits.
  int64_t k2Splits = 0;
  /// Cpu: products of bf16 inputs on bf16 pairs where the host has
  /// avx512_bf16 (P rounded to bf16 for P.V).
  bool bf16Dot = true;
  /// GPU targets: MFMA inputs of f32 attention, "exact" (f32 MFMAs), "f16"
  /// or "bf16" (rounded to that type; an explicit speed-for-precision
  /// trade, never the default).
  std::string f32Mfma = "exact";
  /// GPU targets: the attention kernel's configuration (fields left 0 are
  /// chosen per chip and shape, see KernelConfig.h).
  AttentionKernelConfig kernelConfig;
  /// Print the IR after every pass (module scope) to stderr.
  bool printIRAfterAll = false;
  /// GPU targets: print each kernel's resources and instruction mix.
  bool kernelReport = false;
  /// GPU targets: write the code object to this file / each GPU module's
  /// assembly to DIR/<module>.s (when non-empty).
  std::string codeObjectPath, isaDir;
  /// GPU targets: stop after the code object (no host lowering, no JIT).
  bool deviceOnly = false;
  /// Testing only (GPU targets): a deliberately wrong attention kernel.
  std::string breakKernel;
  /// GPU targets: when set, receives each kernel's figures (the kernel
  /// report's resources and loop model, KernelReport.h).
  std::vector<KernelFigures> *kernelFigures = nullptr;

  bool isGpu() const {
    return target == CompileTarget::Rocm || target == CompileTarget::RocmSim;
  }
};

/// Makes `context` ready for the driver's inputs and pipelines: every
/// upstream dialect and extension, the attn dialect, the LLVM IR
/// translations, all loaded; one-line diagnostics (no dumps of whole,
/// possibly huge, lowered ops). attn-run and the Python package use it.
void setUpCompilerContext(MLIRContext &context);

/// Erases the functions `entry` does not reach (other entry points of the
/// same file), so each compile handles only what it calls.
void pruneToEntry(ModuleOp module, StringRef entry);

/// A file the compile wrote (code object, ISA) and its size.
struct WrittenFile {
  std::string path;
  size_t bytes;
};

/// Compiles `module` in place: keeps `entry` and what it calls, runs the
/// target's pipeline down to the LLVM dialect (entry with a C interface
/// for the JIT) and writes the artifacts `options` asks for (listed in
/// `written` when given). Compiler diagnostics go to the context's
/// handler; on failure `error` says which step failed.
LogicalResult compileModule(ModuleOp module, StringRef entry,
                            const CompileOptions &options, std::string &error,
                            std::vector<WrittenFile> *written = nullptr);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_COMPILER_H
