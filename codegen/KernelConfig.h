//===- KernelConfig.h - the attention kernel's configuration ----*- C++ -*-===//
//
// The flash-attention kernel's tile configuration (keys per loop iteration,
// waves per workgroup, MFMA shape, pipeline depth), the one heuristic that
// chooses it per chip and shape, its text form for the command line, and the
// candidates the tuner (attn-run --tune) compiles. The lists of allowed values
// are in Target.h.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_KERNELCONFIG_H
#define ATTN_CODEGEN_KERNELCONFIG_H

#include "codegen/Target.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

struct AttentionKernelConfig {
  /// Keys per iteration of the kernel's loop (kernelKeyBlocks()); 0: chosen
  /// by chooseKernelConfig.
  int64_t keyBlock = 0;
  /// Waves per workgroup (kernelWaveCounts()), rowsPerWave() query rows
  /// each, sharing the K and V blocks staged in LDS; 0: chosen.
  int64_t waves = 0;
  /// The MFMA shape of both products (kernelMfmaShapes(), named by the
  /// f16/bf16 instruction; f32 inputs use f32MfmaShape of it); all zero:
  /// chosen.
  MfmaShape mfma;
  /// Key blocks staged ahead of the one being computed
  /// (kernelPipelineDepths()): 0 loads each block at the top of its own
  /// iteration; 1 issues the next block's global loads during this block's
  /// math and carries them in registers; 2 also writes that block to a
  /// second LDS buffer during this block's math, the loads having been
  /// issued one iteration earlier (one barrier per iteration instead of
  /// two, twice the LDS). kAutoPipeline: chosen.
  int64_t pipeline = kAutoPipeline;

  /// Query rows per wave: one MFMA tile of M rows (0 while unchosen).
  int64_t rowsPerWave() const { return mfma.m; }
  int64_t rowsPerWorkgroup() const { return rowsPerWave() * waves; }
  int64_t threads(unsigned waveSize) const { return waves * waveSize; }
  /// Whether every field is set (no automatic choice left).
  bool isComplete() const {
    return keyBlock != 0 && waves != 0 && mfma != MfmaShape() &&
           pipeline != kAutoPipeline;
  }
  /// "key-block=64,waves=4,mfma=16x16x16,pipeline=1" (an unset field:
  /// "auto"), the syntax parseKernelConfig reads.
  std::string str() const;

  bool operator==(const AttentionKernelConfig &o) const {
    return keyBlock == o.keyBlock && waves == o.waves && mfma == o.mfma &&
           pipeline == o.pipeline;
  }
};

/// LDS buffers of each staged tile at pipeline depth `pipeline`: 2 at
/// depth 2, else 1.
inline int64_t ldsBuffers(int64_t pipeline) { return pipeline == 2 ? 2 : 1; }

/// Bytes of workgroup memory the kernel stages key blocks in: K
/// [keyBlock][k1] and V^T [n][keyBlock] of `inputBits`-bit elements (k1 and
/// n as the kernel pads them), once per LDS buffer.
inline int64_t stagedLdsBytes(int64_t keyBlock, int64_t k1, int64_t n,
                              int64_t inputBits, int64_t pipeline) {
  return ldsBuffers(pipeline) * keyBlock * (k1 + n) * inputBits / 8;
}

/// Parses `key-block=N,waves=W,mfma=MxNxK,pipeline=D` (any subset, any order;
/// "" or "auto": all automatic). On a bad key or value returns nullopt and a
/// one-line `error`.
std::optional<AttentionKernelConfig> parseKernelConfig(llvm::StringRef text,
                                                       std::string &error);

/// Checks a configuration's fields against Target.h's lists (0 allowed:
/// automatic); `error` names the bad field.
bool verifyKernelConfig(const AttentionKernelConfig &config,
                        std::string &error);

/// The sizes the heuristic looks at: one attention with its roles
/// collapsed (M rows per batch index, batch = the product of batch dims),
/// before padding.
struct AttentionProblem {
  int64_t m = 0, k1 = 0, k2 = 0, n = 0, batch = 1;
  /// Bits of the MFMA input type (16 or 32).
  unsigned inputBits = 16;
};

/// The heuristic: `requested` with each field left 0 chosen for `chip` and
/// `problem` (see KernelConfig.cpp for the reasons, docs/gpu.md for the
/// tuner's figures behind them).
AttentionKernelConfig chooseKernelConfig(const ChipInfo &chip,
                                         const AttentionProblem &problem,
                                         AttentionKernelConfig requested = {});

/// Every configuration the kernel supports (MFMA shapes x key blocks x
/// waves x pipeline depths), in the order the tuner lists them; `requested`'s
/// set fields are kept fixed.
std::vector<AttentionKernelConfig>
candidateKernelConfigs(AttentionKernelConfig requested = {});

} // namespace mlir::attn

#endif // ATTN_CODEGEN_KERNELCONFIG_H
