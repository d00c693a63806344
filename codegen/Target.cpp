//===- Target.cpp - what attn knows about each AMD GPU --------------------===//
//
// Sources: AMD's CDNA2/CDNA3 and RDNA3 ISA guides and the AMD matrix
// instruction calculator (MFMA shapes), the MI210/MI300X data sheets (CU
// counts).
//
//===----------------------------------------------------------------------===//

#include "codegen/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir::attn;

static constexpr MfmaShape kCdnaMfma[] = {{16, 16, 16}, {32, 32, 8}};

static constexpr ChipInfo kChips[] = {
    {"gfx942", "CDNA3 (MI300)", kCdnaMfma, /*waveSize=*/64,
     /*ldsBytesPerCu=*/65536, /*simdsPerCu=*/4, /*computeUnits=*/304,
     /*registersPerSimdLane=*/512, /*maxWavesPerSimd=*/8,
     /*mcaModelsLoops=*/true, /*attentionWavesPerSimd=*/4},
    {"gfx90a", "CDNA2 (MI200)", kCdnaMfma, 64, 65536, 4, 104, 512, 8, false, 4},
    {"gfx1100", "RDNA3 (RX 7900)", {}, 32, 65536, 2, 96, 0, 0, true, 0},
};

const ChipInfo *mlir::attn::lookupChip(llvm::StringRef name) {
  for (const ChipInfo &chip : kChips)
    if (chip.name == name)
      return &chip;
  return nullptr;
}

llvm::ArrayRef<ChipInfo> mlir::attn::supportedChips() { return kChips; }

llvm::StringRef mlir::attn::defaultChip() { return kChips[0].name; }

bool mlir::attn::isF32MfmaMode(llvm::StringRef mode) {
  return mode == "exact" || mode == "f16" || mode == "bf16";
}

static constexpr int64_t kKeyBlocks[] = {32, 64, 128};
static constexpr int64_t kWaveCounts[] = {2, 4, 8};

llvm::ArrayRef<int64_t> mlir::attn::kernelKeyBlocks() { return kKeyBlocks; }

llvm::ArrayRef<int64_t> mlir::attn::kernelWaveCounts() { return kWaveCounts; }

bool mlir::attn::isKeyBlock(int64_t keys) {
  return keys == 0 || llvm::is_contained(kKeyBlocks, keys);
}

bool mlir::attn::isWaveCount(int64_t waves) {
  return waves == 0 || llvm::is_contained(kWaveCounts, waves);
}

std::string mlir::attn::chipNames(bool mfmaOnly) {
  llvm::SmallVector<llvm::StringRef> names;
  for (const ChipInfo &chip : kChips)
    if (!mfmaOnly || chip.hasMfma())
      names.push_back(chip.name);
  return llvm::join(names, ", ");
}
