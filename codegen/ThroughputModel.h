//===- ThroughputModel.h - static throughput of a hot loop ---*- C++ -*-===//
//
// The yardstick for GPU kernel speed without a GPU: the loop of a kernel
// with the most MFMAs is cut out of its assembly and run through LLVM's
// machine code analyzer (llvm-mca, the chip's scheduling model) for one
// wave. What the model ignores is said in docs/gpu.md.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_THROUGHPUTMODEL_H
#define ATTN_CODEGEN_THROUGHPUTMODEL_H

#include "llvm/ADT/StringRef.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::attn {

/// A loop's body: its label and instructions (no labels, directives or
/// comments; branches inside it are kept as straight-line instructions).
struct LoopBody {
  std::string label;
  std::vector<std::string> instructions;
  unsigned mfmas = 0;
  /// Useful FLOPs of one iteration for one wave: 2*M*N*K per MFMA.
  double flops = 0;
};

/// The loop of one kernel's assembly (`lines`) with the most MFMAs (ties:
/// the first), or nullopt when the kernel has no loop with an MFMA. A loop
/// is a label and a later branch back to it.
std::optional<LoopBody> findHottestLoop(const std::vector<std::string> &lines);

/// llvm-mca's view of one iteration of a loop body.
struct LoopThroughput {
  double cyclesPerIteration = 0;
  /// Cycles each unit is busy per iteration: XDL (matrix cores), VALU,
  /// SALU, LGKM (LDS and scalar memory), VMEM, branch.
  std::map<std::string, double> pressure;

  double busy(llvm::StringRef unit) const;
  /// Fraction of the loop's cycles the matrix cores work (one wave).
  double mfmaBusy() const;
  /// VALU cycles per XDL cycle.
  double valuPerXdl() const;
  /// Upper bound of the fraction of MFMA peak a SIMD reaches with
  /// `wavesPerSimd` such waves interleaved: min(1, waves * mfmaBusy).
  double peakFraction(int64_t wavesPerSimd) const;
  /// Like peakFraction, but the SIMD's units are shared too: `waves`
  /// waves (a fraction where the grid leaves SIMDs idle) each running one
  /// iteration need at least the one-wave cycles and `waves` times the
  /// XDL and the VALU busy cycles: waves * XDL / max(cycles, waves * XDL,
  /// waves * VALU).
  double simdBound(double waves) const;
};

/// Runs llvm-mca for `chip` on `body` (100 iterations); on failure (no
/// llvm-mca, an instruction it cannot parse) returns nullopt with `error`.
std::optional<LoopThroughput>
modelLoop(const LoopBody &body, llvm::StringRef chip, std::string &error);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_THROUGHPUTMODEL_H
