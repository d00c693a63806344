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
/// The f32 variants of the same M x N (CDNA2 and CDNA3 have both).
static constexpr MfmaShape kCdnaF32Mfma[] = {{16, 16, 4}, {32, 32, 2}};

std::string MfmaShape::str() const {
  return std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
}

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
static constexpr int64_t kPipelineDepths[] = {0, 1, 2};

llvm::ArrayRef<int64_t> mlir::attn::kernelKeyBlocks() { return kKeyBlocks; }

llvm::ArrayRef<int64_t> mlir::attn::kernelWaveCounts() { return kWaveCounts; }

llvm::ArrayRef<MfmaShape> mlir::attn::kernelMfmaShapes() { return kCdnaMfma; }

llvm::ArrayRef<int64_t> mlir::attn::kernelPipelineDepths() {
  return kPipelineDepths;
}

bool mlir::attn::isKernelMfmaShape(MfmaShape shape) {
  return shape == MfmaShape() || llvm::is_contained(kCdnaMfma, shape);
}

std::optional<MfmaShape> mlir::attn::parseMfmaShape(llvm::StringRef text) {
  llvm::SmallVector<llvm::StringRef> parts;
  text.trim().split(parts, 'x');
  MfmaShape shape;
  if (parts.size() != 3 || parts[0].getAsInteger(10, shape.m) ||
      parts[1].getAsInteger(10, shape.n) || parts[2].getAsInteger(10, shape.k))
    return std::nullopt;
  return shape;
}

MfmaShape mlir::attn::f32MfmaShape(MfmaShape shape) {
  for (auto [f16, f32] : llvm::zip_equal(kCdnaMfma, kCdnaF32Mfma))
    if (f16 == shape)
      return f32;
  return {};
}

bool mlir::attn::isKeyBlock(int64_t keys) {
  return keys == 0 || llvm::is_contained(kKeyBlocks, keys);
}

bool mlir::attn::isWaveCount(int64_t waves) {
  return waves == 0 || llvm::is_contained(kWaveCounts, waves);
}

bool mlir::attn::isPipelineDepth(int64_t depth) {
  return depth == kAutoPipeline || llvm::is_contained(kPipelineDepths, depth);
}

std::string mlir::attn::chipNames(bool mfmaOnly) {
  llvm::SmallVector<llvm::StringRef> names;
  for (const ChipInfo &chip : kChips)
    if (!mfmaOnly || chip.hasMfma())
      names.push_back(chip.name);
  return llvm::join(names, ", ");
}
