//===- KernelReport.h - per-kernel resources and loop model -----*- C++ -*-===//
//
// What attn-kernel-report prints, as data: each kernel's resources from its
// code object's metadata, its instruction mix from the ISA, the occupancy
// model and the static throughput model of its hottest loop. The tuner
// (KernelTuner.h) ranks configurations by these figures.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_KERNELREPORT_H
#define ATTN_CODEGEN_KERNELREPORT_H

#include "codegen/ThroughputModel.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

struct KernelFigures {
  std::string name, module, chip;
  int64_t vgprs = 0, agprs = 0, sgprs = 0, ldsBytes = 0, scratchBytes = 0,
          vgprSpills = 0, sgprSpills = 0, waveSize = 0, workgroupSize = 0;
  /// Occupancy (registers and LDS); nullopt for chips without a model.
  std::optional<int64_t> wavesPerSimd;
  /// Instruction classes of the whole kernel, by mnemonic.
  unsigned mfmas = 0;
  std::map<std::string, unsigned> globalLoads, globalStores, ldsReads,
      ldsWrites, scratch;
  /// Recorded by the attention kernel generator: its configuration
  /// ("key-block=64,waves=4,mfma=16x16x16"), workgroups in the grid, the
  /// K2 split (grid z; its partial states are merged by other kernels), and
  /// key blocks per workgroup [min, max, total, dense] of one batch index
  /// (empty for other kernels).
  std::string config;
  int64_t workgroups = 0;
  int64_t k2Splits = 1;
  /// Real over padded query rows times keys: the share of the MFMA work
  /// that is not padding.
  double usefulFraction = 1;
  std::vector<int64_t> keyBlocks;
  /// Key blocks one iteration of the kernel's loop computes (2 where the
  /// loop alternates two LDS buffers).
  int64_t keyBlocksPerIteration = 1;
  /// The hottest loop and its model (modelError says why there is none).
  std::optional<LoopBody> loop;
  std::optional<LoopThroughput> model;
  std::string modelError;
};

/// Compiles `module` (ROCDL dialect, `target` attached) with the ROCm
/// toolkit at `toolkit` and measures each kernel, sorted by name. On
/// failure emits an error at the module and returns failure.
FailureOr<std::vector<KernelFigures>>
measureKernels(gpu::GPUModuleOp module, ROCDL::ROCDLTargetAttr target,
               llvm::StringRef toolkit);

/// The kernel report's table of one kernel.
void printKernelFigures(llvm::raw_ostream &os, const KernelFigures &kernel);

/// Waves per SIMD on CDNA for a kernel's resources: the chip's registers
/// per lane shared by VGPRs and AGPRs, its LDS by the workgroups of a CU,
/// and whole workgroups per CU. Nullopt for chips without an occupancy
/// model (Target.h).
std::optional<int64_t> wavesPerSimd(llvm::StringRef chip, int64_t vgprs,
                                    int64_t agprs, int64_t ldsBytes,
                                    int64_t workgroupSize);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_KERNELREPORT_H
