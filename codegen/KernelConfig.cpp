//===- KernelConfig.cpp - the attention kernel's configuration ------------===//

#include "codegen/KernelConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVectorExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir::attn;

static std::string listOf(llvm::SmallVector<std::string> names) {
  std::string last = names.pop_back_val();
  return llvm::join(names, ", ") + " or " + last;
}

static std::string listOf(llvm::ArrayRef<int64_t> values) {
  return listOf(
      llvm::map_to_vector(values, [](int64_t v) { return std::to_string(v); }));
}

static std::string listOf(llvm::ArrayRef<MfmaShape> shapes) {
  return listOf(
      llvm::map_to_vector(shapes, [](MfmaShape s) { return s.str(); }));
}

std::string AttentionKernelConfig::str() const {
  auto field = [](int64_t v) {
    return v ? std::to_string(v) : std::string("auto");
  };
  return "key-block=" + field(keyBlock) + ",waves=" + field(waves) +
         ",mfma=" + (mfma == MfmaShape() ? std::string("auto") : mfma.str()) +
         ",pipeline=" +
         (pipeline == kAutoPipeline ? std::string("auto")
                                    : std::to_string(pipeline));
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
  if (!isKernelMfmaShape(config.mfma)) {
    error = "mfma must be " + listOf(kernelMfmaShapes()) + ", got " +
            config.mfma.str();
    return false;
  }
  if (!isPipelineDepth(config.pipeline)) {
    error = "pipeline must be " + listOf(kernelPipelineDepths()) + ", got " +
            std::to_string(config.pipeline);
    return false;
  }
  return true;
}

/// Sets `key` of `config` from `value` ("auto" leaves it unset); false and
/// a one-line `error` for an unknown key or a malformed value.
static bool setField(AttentionKernelConfig &config, llvm::StringRef key,
                     llvm::StringRef value, std::string &error) {
  if (value == "auto")
    return true;
  if (key == "mfma") {
    std::optional<MfmaShape> shape = parseMfmaShape(value);
    if (!shape) {
      error = "mfma must be " + listOf(kernelMfmaShapes()) + ", got '" +
              value.str() + "'";
      return false;
    }
    config.mfma = *shape;
    return true;
  }
  int64_t &field = key == "key-block" ? config.keyBlock
                   : key == "waves"   ? config.waves
                                      : config.pipeline;
  int64_t least = key == "pipeline" ? 0 : 1;
  if (value.getAsInteger(10, field) || field < least) {
    error = key.str() + " needs a number or auto, got '" + value.str() + "'";
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
  llvm::SmallVector<llvm::StringRef> seen;
  for (llvm::StringRef item : items) {
    auto [key, value] = item.split('=');
    key = key.trim(), value = value.trim();
    if (key != "key-block" && key != "waves" && key != "mfma" &&
        key != "pipeline") {
      error = "unknown setting '" + key.str() + "' in '" + text.str() +
              "' (expected key-block=N,waves=W,mfma=MxNxK,pipeline=D)";
      return std::nullopt;
    }
    if (llvm::is_contained(seen, key)) {
      error = key.str() + " given twice in '" + text.str() + "'";
      return std::nullopt;
    }
    seen.push_back(key);
    if (!setField(config, key, value, error))
      return std::nullopt;
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
/// Pipeline depth: 2 where the second LDS buffer still lets whole
/// workgroups fill the chip's attentionWavesPerSimd, else 1. The model
/// (docs/gpu.md) finds depth 2 a little faster at that occupancy (SDXL,
/// 64-key blocks, 8 waves: 270 against 280 cycles per block, one barrier
/// fewer per block), and slower where the doubled LDS halves the waves per
/// SIMD (head dim 128). Depth 0 exposes the global loads' latency and loses
/// to depth 1 in every configuration the heuristic picks.
static int64_t choosePipelineDepth(const ChipInfo &chip,
                                   const AttentionProblem &problem,
                                   const AttentionKernelConfig &config) {
  if (!chip.attentionWavesPerSimd)
    return 1;
  int64_t k1 = llvm::alignTo(problem.k1, 16);
  int64_t n = llvm::alignTo(problem.n, config.mfma.n);
  int64_t doubledLds =
      stagedLdsBytes(config.keyBlock, k1, n, problem.inputBits, /*pipeline=*/2);
  int64_t workgroups = int64_t(chip.ldsBytesPerCu) / doubledLds;
  int64_t waves = workgroups * config.waves / int64_t(chip.simdsPerCu);
  return waves >= int64_t(chip.attentionWavesPerSimd) ? 2 : 1;
}

AttentionKernelConfig
mlir::attn::chooseKernelConfig(const ChipInfo &chip,
                               const AttentionProblem &problem,
                               AttentionKernelConfig requested) {
  AttentionKernelConfig config = requested;
  if (config.mfma == MfmaShape())
    config.mfma = kernelMfmaShapes().front();
  if (!config.keyBlock)
    config.keyBlock = 64;
  if (!config.waves) {
    auto rows = [&](int64_t waves) { return waves * config.rowsPerWave(); };
    int64_t workgroupsOf8 =
        llvm::divideCeil(problem.m, rows(8)) * problem.batch;
    bool noMorePadding =
        llvm::alignTo(problem.m, rows(8)) == llvm::alignTo(problem.m, rows(4));
    config.waves =
        noMorePadding && workgroupsOf8 >= 2 * int64_t(chip.computeUnits) ? 8
                                                                         : 4;
  }
  if (config.pipeline == kAutoPipeline)
    config.pipeline = choosePipelineDepth(chip, problem, config);
  return config;
}

std::vector<AttentionKernelConfig>
mlir::attn::candidateKernelConfigs(AttentionKernelConfig requested) {
  std::vector<AttentionKernelConfig> configs;
  auto keeps = [](int64_t requested, int64_t value, int64_t automatic) {
    return requested == automatic || requested == value;
  };
  for (MfmaShape mfma : kernelMfmaShapes())
    for (int64_t keyBlock : kernelKeyBlocks())
      for (int64_t waves : kernelWaveCounts())
        for (int64_t pipeline : kernelPipelineDepths())
          if (keeps(requested.keyBlock, keyBlock, 0) &&
              keeps(requested.waves, waves, 0) &&
              keeps(requested.pipeline, pipeline, kAutoPipeline) &&
              (requested.mfma == MfmaShape() || requested.mfma == mfma))
            configs.push_back({keyBlock, waves, mfma, pipeline});
  return configs;
}
