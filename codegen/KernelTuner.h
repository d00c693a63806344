//===- KernelTuner.h - choose the attention kernel's configuration -*- C++
//-*-===//
//
// `attn-run --tune`: compiles a program once per candidate configuration of
// its attention kernels (KernelConfig.h) and ranks the configurations by
// the static model of each kernel's hottest loop (KernelReport.h), with
// the occupancy and the grid of each. No GPU is needed.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_KERNELTUNER_H
#define ATTN_CODEGEN_KERNELTUNER_H

#include "codegen/Compiler.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// One candidate: its attention kernels' figures and the model's verdict.
struct TunedConfig {
  AttentionKernelConfig config;
  std::vector<KernelFigures> kernels;
  /// Per kernel: waves per SIMD the grid provides (its waves over the
  /// chip's SIMDs), and what the occupancy and the grid allow together
  /// (a fraction when the grid leaves SIMDs idle).
  std::vector<double> gridWaves, effectiveWaves;
  /// Means over the kernels: the SIMD bound (LoopThroughput::simdBound at
  /// the effective waves) times the useful (not padding) share of the
  /// MFMA work, the score; and the headroom (effective waves x
  /// one wave's MFMA busy: latency the other waves can hide, the tie
  /// breaker). Valid when `modeled`.
  double score = 0, headroom = 0;
  bool modeled = false;
  /// Some kernel spills registers to scratch: never the best.
  bool spills = false;
};

struct TuneResult {
  std::string chip;
  /// What the heuristic chose (chooseKernelConfig) for the options given.
  AttentionKernelConfig heuristic;
  std::vector<TunedConfig> candidates;
  /// Index of the best candidate; nullopt when the model ran on none
  /// (a chip llvm-mca cannot model, a program without attention kernels).
  std::optional<size_t> best;
  /// Why there is no best.
  std::string note;
};

/// Compiles `module`'s `entry` (cloned; `module` is left as it is) for
/// `options`' GPU target with every candidate configuration
/// (candidateKernelConfigs of options.kernelConfig: set fields stay fixed)
/// and measures each. Fails with `error` when a compile fails.
std::optional<TuneResult> tuneKernelConfig(ModuleOp module, StringRef entry,
                                           const CompileOptions &options,
                                           std::string &error);

/// The table: one row per candidate and attention kernel, then the
/// heuristic's and the best configuration.
void printTuneTable(llvm::raw_ostream &os, const TuneResult &result);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_KERNELTUNER_H
