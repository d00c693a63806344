//===- KernelTuner.cpp - choose the attention kernel's configuration ------===//

#include "codegen/KernelTuner.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::attn;

/// Compiles a clone of `module` with `config` and returns its attention
/// kernels' figures (those that recorded a configuration).
static std::optional<std::vector<KernelFigures>>
measure(ModuleOp module, StringRef entry, CompileOptions options,
        AttentionKernelConfig config, std::string &error) {
  OwningOpRef<ModuleOp> clone = module.clone();
  std::vector<KernelFigures> figures;
  options.kernelConfig = config;
  options.kernelFigures = &figures;
  options.deviceOnly = true;
  options.kernelReport = false;
  options.codeObjectPath.clear();
  options.isaDir.clear();
  options.printIRAfterAll = false;
  if (failed(compileModule(*clone, entry, options, error))) {
    error = "configuration " + config.str() + ": " + error;
    return std::nullopt;
  }
  std::vector<KernelFigures> attention;
  for (KernelFigures &k : figures)
    if (!k.config.empty())
      attention.push_back(std::move(k));
  return attention;
}

/// Scores `candidate` for `chip` (see TunedConfig).
static void score(TunedConfig &candidate, const ChipInfo &chip) {
  candidate.modeled = !candidate.kernels.empty();
  double simds = double(chip.computeUnits) * chip.simdsPerCu;
  for (const KernelFigures &k : candidate.kernels) {
    candidate.spills |=
        k.vgprSpills > 0 || k.sgprSpills > 0 || k.scratchBytes > 0;
    double gridWaves = double(k.workgroups) *
                       double(llvm::divideCeil(k.workgroupSize, k.waveSize)) /
                       simds;
    double waves =
        k.wavesPerSimd ? std::min(double(*k.wavesPerSimd), gridWaves) : 0;
    candidate.gridWaves.push_back(gridWaves);
    candidate.effectiveWaves.push_back(waves);
    if (!k.model || !k.wavesPerSimd) {
      candidate.modeled = false;
      continue;
    }
    candidate.score += k.model->simdBound(waves) * k.usefulFraction;
    candidate.headroom += waves * k.model->mfmaBusy();
  }
  if (candidate.modeled) {
    candidate.score /= double(candidate.kernels.size());
    candidate.headroom /= double(candidate.kernels.size());
  }
}

/// K2 splits summed over `c`'s kernels.
static int64_t splits(const TunedConfig &c) {
  int64_t total = 0;
  for (const KernelFigures &k : c.kernels)
    total += k.k2Splits;
  return total;
}

/// Whether `a` ranks before `b`: a higher score (differences under 1%
/// are below the model's precision), then fewer K2 splits (the merge
/// kernels of a split are not in the model: a configuration whose larger
/// workgroups leave too few for the chip and so split K2 would otherwise
/// win ties on the waves the split adds), then more headroom, then fewer
/// registers.
static bool better(const TunedConfig &a, const TunedConfig &b) {
  if (std::abs(a.score - b.score) > 0.01 * std::max(a.score, b.score))
    return a.score > b.score;
  if (splits(a) != splits(b))
    return splits(a) < splits(b);
  if (std::abs(a.headroom - b.headroom) > 1e-9)
    return a.headroom > b.headroom;
  int64_t va = 0, vb = 0;
  for (const KernelFigures &k : a.kernels)
    va += k.vgprs + k.agprs;
  for (const KernelFigures &k : b.kernels)
    vb += k.vgprs + k.agprs;
  return va < vb;
}

std::optional<TuneResult>
mlir::attn::tuneKernelConfig(ModuleOp module, StringRef entry,
                             const CompileOptions &options,
                             std::string &error) {
  const ChipInfo *chip = lookupChip(options.chip);
  if (!chip || !options.isGpu()) {
    error = "needs a GPU target";
    return std::nullopt;
  }
  if (!chip->hasMfma()) {
    error = options.chip + " has no MFMA attention kernel to tune (attention "
                           "runs unfused there)";
    return std::nullopt;
  }
  TuneResult result;
  result.chip = options.chip;
  // The heuristic's choice first: the kernels record what they chose.
  std::optional<std::vector<KernelFigures>> chosen =
      measure(module, entry, options, options.kernelConfig, error);
  if (!chosen)
    return std::nullopt;
  if (chosen->empty()) {
    result.note = "no attention kernel in @" + entry.str();
    return result;
  }
  std::string parseError;
  std::optional<AttentionKernelConfig> heuristic =
      parseKernelConfig(chosen->front().config, parseError);
  if (!heuristic) {
    error = "kernel " + chosen->front().name + " recorded configuration '" +
            chosen->front().config + "': " + parseError;
    return std::nullopt;
  }
  result.heuristic = *heuristic;
  for (AttentionKernelConfig config :
       candidateKernelConfigs(options.kernelConfig)) {
    TunedConfig candidate;
    candidate.config = config;
    if (config == result.heuristic) {
      candidate.kernels = *chosen;
    } else {
      std::optional<std::vector<KernelFigures>> kernels =
          measure(module, entry, options, config, error);
      if (!kernels)
        return std::nullopt;
      candidate.kernels = std::move(*kernels);
    }
    score(candidate, *chip);
    result.candidates.push_back(std::move(candidate));
  }
  for (size_t i = 0; i < result.candidates.size(); ++i)
    if (result.candidates[i].modeled && !result.candidates[i].spills &&
        (!result.best ||
         better(result.candidates[i], result.candidates[*result.best])))
      result.best = i;
  if (!result.best)
    result.note =
        chip->mcaModelsLoops
            ? "no configuration modeled without spills"
            : "llvm-mca 22 does not model " + result.chip + " MFMA loops";
  return result;
}

void mlir::attn::printTuneTable(llvm::raw_ostream &os,
                                const TuneResult &result) {
  os << "tune: " << result.chip << ", " << result.candidates.size()
     << " configurations; static model of each attention kernel's hottest "
        "loop (llvm-mca, one wave; docs/gpu.md)\n";
  const char *header = "  %-46s %-17s %5s %6s %5s %6s %5s %5s %5s %5s %6s "
                       "%5s %9s\n";
  os << llvm::format(header, "config", "kernel", "VGPRs", "LDS", "waves",
                     "cycles", "busy", "VALU/", "peak", "grid", "useful",
                     "score", "FLOP/cyc");
  os << llvm::format(header, "", "", "", "bytes", "/SIMD", "/block", "(1 w)",
                     "XDL", "bound", "waves", "", "", "/SIMD");
  for (auto [i, c] : llvm::enumerate(result.candidates)) {
    const char *mark = result.best && *result.best == i ? "*" : " ";
    if (c.kernels.empty())
      os << llvm::format("  %-46s no flash kernel (its K and V blocks do not "
                         "fit in LDS: unfused kernels)\n",
                         c.config.str().c_str());
    for (auto [k, gridWaves, waves] :
         llvm::zip_equal(c.kernels, c.gridWaves, c.effectiveWaves)) {
      os << llvm::format("%s %-46s %-17s %5lld %6lld ", mark,
                         c.config.str().c_str(), k.name.c_str(),
                         (long long)(k.vgprs + k.agprs), (long long)k.ldsBytes);
      if (k.wavesPerSimd)
        os << llvm::format("%5lld ", (long long)*k.wavesPerSimd);
      else
        os << llvm::format("%5s ", "n/a");
      if (!k.model || !k.wavesPerSimd) {
        os << "model n/a ("
           << (k.model ? std::string("no occupancy model") : k.modelError)
           << ")\n";
        continue;
      }
      const LoopThroughput &m = *k.model;
      double cycles = std::max({m.cyclesPerIteration, waves * m.busy("XDL"),
                                waves * m.busy("VALU")});
      os << llvm::format(
          "%6.0f %5.2f %5.2f %5.2f %5.1f %6.2f %5.3f %9.0f\n",
          m.cyclesPerIteration / double(k.keyBlocksPerIteration), m.mfmaBusy(),
          m.valuPerXdl(), m.peakFraction(*k.wavesPerSimd), gridWaves,
          k.usefulFraction, m.simdBound(waves) * k.usefulFraction,
          k.loop->flops * waves / cycles * k.usefulFraction);
      if (k.vgprSpills > 0 || k.sgprSpills > 0 || k.scratchBytes > 0)
        os << llvm::format("    (spills: %lld VGPR, %lld SGPR)\n",
                           (long long)k.vgprSpills, (long long)k.sgprSpills);
    }
  }
  os << "tune: heuristic " << result.heuristic.str() << "\n";
  if (!result.best) {
    os << "tune: no best configuration: " << result.note << "\n";
    return;
  }
  const TunedConfig &best = result.candidates[*result.best];
  os << "tune: best " << best.config.str()
     << llvm::format(" (SIMD bound %.2f, headroom %.2f)", best.score,
                     best.headroom)
     << (best.config == result.heuristic ? ", the heuristic's choice"
                                         : ", not the heuristic's choice")
     << ": --attn-kernel-config=" << best.config.str() << "\n";
}
