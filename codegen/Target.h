//===- Target.h - what attn knows about each AMD GPU ------------*- C++ -*-===//
//
// The one place for chip names and per-chip numbers: the supported list,
// the default, wave size, MFMA shapes, LDS and register file sizes. Every
// chip check and every default chip name goes through here.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_TARGET_H
#define ATTN_CODEGEN_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::attn {

/// One MFMA variant: D[m x n] += A[m x k] . B[k x n] per wave.
struct MfmaShape {
  int m = 0, n = 0, k = 0;

  bool operator==(const MfmaShape &o) const {
    return m == o.m && n == o.n && k == o.k;
  }
  bool operator!=(const MfmaShape &o) const { return !(*this == o); }
  /// "32x32x8".
  std::string str() const;
};

struct ChipInfo {
  llvm::StringLiteral name;         // the LLVM processor name
  llvm::StringLiteral architecture; // "CDNA3 (MI300)"
  /// MFMA variants (f16/bf16 inputs, f32 accumulation) the attention
  /// kernel may use; empty: no matrix cores, attention runs as simple
  /// kernels.
  llvm::ArrayRef<MfmaShape> mfmaShapes;
  unsigned waveSize;
  unsigned ldsBytesPerCu;
  unsigned simdsPerCu;
  unsigned computeUnits;
  /// Registers per lane of a SIMD, VGPRs and AGPRs together (CDNA), and
  /// the most waves a SIMD holds; 0 where attn has no occupancy model.
  unsigned registersPerSimdLane;
  unsigned maxWavesPerSimd;
  /// Whether llvm-mca (LLVM 22) can model this chip's MFMA loops: on gfx90a
  /// it runs without end on the attention kernel's loop.
  bool mcaModelsLoops;
  /// The waves per SIMD the attention kernel asks the backend to keep
  /// (`amdgpu-waves-per-eu`, where its LDS allows that many): a register
  /// budget for the scheduler and allocator. 0: no request.
  unsigned attentionWavesPerSimd;

  bool hasMfma() const { return !mfmaShapes.empty(); }
  bool hasOccupancyModel() const { return registersPerSimdLane != 0; }
};

/// The chip used when none is named (the first of supportedChips()).
llvm::StringRef defaultChip();

/// The chip called `name`, or null when attn does not support it.
const ChipInfo *lookupChip(llvm::StringRef name);

/// Every supported chip, default first.
llvm::ArrayRef<ChipInfo> supportedChips();

/// The supported chips' names, comma-separated (or only those with MFMA
/// kernels).
std::string chipNames(bool mfmaOnly = false);

/// The attention kernel's settings a user may choose, each list defined
/// here only: the MFMA inputs of f32 attention (`f32-mfma`: exact, f16,
/// bf16), the keys per loop iteration (`key-block`: 32, 64, 128), the
/// waves per workgroup (`waves`: 2, 4, 8), the MFMA shape (`mfma`:
/// 16x16x16 or 32x32x8, named by their f16/bf16 instruction; a wave serves
/// as many query rows as the shape's M) and the pipeline depth
/// (`pipeline`: 0, 1, 2 key blocks staged ahead of the one computed). The
/// configuration that combines them is codegen/KernelConfig.h.
bool isF32MfmaMode(llvm::StringRef mode);
llvm::ArrayRef<int64_t> kernelKeyBlocks();
llvm::ArrayRef<int64_t> kernelWaveCounts();
llvm::ArrayRef<MfmaShape> kernelMfmaShapes();
llvm::ArrayRef<int64_t> kernelPipelineDepths();
/// Whether `keys` / `waves` / `shape` / `depth` is in the lists above, or
/// 0 / all zero / kAutoPipeline (automatic).
bool isKeyBlock(int64_t keys);
bool isWaveCount(int64_t waves);
bool isKernelMfmaShape(MfmaShape shape);
/// The pipeline depth left to the heuristic (0 is a depth).
constexpr int64_t kAutoPipeline = -1;
bool isPipelineDepth(int64_t depth);
/// "MxNxK" as a shape (not checked against any list), or nullopt.
std::optional<MfmaShape> parseMfmaShape(llvm::StringRef text);
/// The f32 MFMA with the same M x N as the f16/bf16 `shape` (16x16x4 for
/// 16x16x16, 32x32x2 for 32x32x8): one element per lane and operand, so
/// an f16 shape's 4-element fragments are issued as 4 of them.
MfmaShape f32MfmaShape(MfmaShape shape);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_TARGET_H
