//===- KernelConfig.cpp - the attention kernel's configuration ------------===//

#include "codegen/KernelConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir::attn;

static std::string listOf(llvm::ArrayRef<int64_t> values) {
  llvm::SmallVector<std::string> names;
  for (int64_t v : values)
    names.push_back(std::to_string(v));
  std::string last = names.pop_back_val();
  return llvm::join(names, ", ") + " or " + last;
}

std::string AttentionKernelConfig::str() const {
  auto field = [](int64_t v) {
    return v ? std::to_string(v) : std::string("auto");
  };
  return "key-block=" + field(keyBlock) + ",waves=" + field(waves);
}

bool mlir::attn::verifyKernelConfig(const AttentionKernelConfig &config,
                                    std::string &error) {
  if (!isKeyBlock(config.keyBlock)) {
    error = "key-block must be " + listOf(kernelKeyBlocks()) + ", got " +
            std::to_string(config.keyBlock);
    return false;
  }
  if (!isWaveCount(config.waves)) {
    error = "waves must be " + listOf(kernelWaveCounts()) + ", got " +
            std::to_string(config.waves);
    return false;
  }
  return true;
}

std::optional<AttentionKernelConfig>
mlir::attn::parseKernelConfig(llvm::StringRef text, std::string &error) {
  AttentionKernelConfig config;
  text = text.trim();
  if (text.empty() || text == "auto")
    return config;
  llvm::SmallVector<llvm::StringRef> items;
  text.split(items, ',');
  bool seenKeyBlock = false, seenWaves = false;
  for (llvm::StringRef item : items) {
    auto [key, value] = item.split('=');
    key = key.trim(), value = value.trim();
    int64_t *field = key == "key-block" ? &config.keyBlock
                     : key == "waves"   ? &config.waves
                                        : nullptr;
    bool &seen = key == "key-block" ? seenKeyBlock : seenWaves;
    if (!field) {
      error = "unknown setting '" + key.str() + "' in '" + text.str() +
              "' (expected key-block=N,waves=W)";
      return std::nullopt;
    }
    if (seen) {
      error = key.str() + " given twice in '" + text.str() + "'";
      return std::nullopt;
    }
    seen = true;
    if (value == "auto")
      continue;
    if (value.getAsInteger(10, *field) || *field <= 0) {
      error = key.str() + " needs a number or auto, got '" + value.str() + "'";
      return std::nullopt;
    }
  }
  if (!verifyKernelConfig(config, error))
    return std::nullopt;
  return config;
}

/// Keys per iteration: 64. The tuner (docs/gpu.md) finds 128 raises one
/// wave's MFMA busy but needs so many VGPRs that the waves per SIMD halve,
/// and 32 spends more of each iteration on the loop's fixed work.
///
/// Waves per workgroup: 8 (128 query rows) when that pads M no further
/// than 4 waves would and the grid keeps at least 2 workgroups per
/// compute unit (the K2 split's target): the K and V blocks in LDS are
/// then shared by twice the rows, so each thread stages and carries half
/// as much of the next block (fewer VGPRs: 182 -> 128 at head dim 128,
/// twice the waves per SIMD; fewer loads and LDS writes per wave and
/// iteration). Otherwise 4 (64 rows): on decode the tuner finds 2 waves
/// (less padding) lose to 4 because the split grid then leaves SIMDs
/// idle, and 8 pads twice as much.
AttentionKernelConfig
mlir::attn::chooseKernelConfig(const ChipInfo &chip,
                               const AttentionProblem &problem,
                               AttentionKernelConfig requested) {
  AttentionKernelConfig config = requested;
  if (!config.keyBlock)
    config.keyBlock = 64;
  if (!config.waves) {
    auto rows = [](int64_t waves) {
      return waves * AttentionKernelConfig::kRowsPerWave;
    };
    int64_t workgroupsOf8 =
        llvm::divideCeil(problem.m, rows(8)) * problem.batch;
    bool noMorePadding =
        llvm::alignTo(problem.m, rows(8)) == llvm::alignTo(problem.m, rows(4));
    config.waves =
        noMorePadding && workgroupsOf8 >= 2 * int64_t(chip.computeUnits) ? 8
                                                                         : 4;
  }
  return config;
}

std::vector<AttentionKernelConfig>
mlir::attn::candidateKernelConfigs(AttentionKernelConfig requested) {
  std::vector<AttentionKernelConfig> configs;
  for (int64_t keyBlock : kernelKeyBlocks())
    for (int64_t waves : kernelWaveCounts())
      if ((!requested.keyBlock || requested.keyBlock == keyBlock) &&
          (!requested.waves || requested.waves == waves))
        configs.push_back({keyBlock, waves});
  return configs;
}
