//===- DimRoles.h - Dimension roles of attention maps -----------*- C++ -*-===//
//
// Infers which iteration dims of an attention op play which role (batch, M,
// K1, K2, N) from the indexing maps alone, so every pass and the codegen can
// reason about layouts without pattern-matching shapes.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_DIALECT_DIMROLES_H
#define ATTN_DIALECT_DIMROLES_H

#include "mlir/IR/AffineMap.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace mlir::attn {

enum class DimRole { Batch, M, K1, K2, N };

/// Name of a role as used in diagnostics and docs ("batch", "M", ...).
StringRef stringifyDimRole(DimRole role);

/// Iteration dims of an attention op grouped by role, each list in
/// increasing dim order.
struct AttentionDims {
  SmallVector<unsigned> batch, m, k1, k2, n;

  ArrayRef<unsigned> get(DimRole role) const;
  /// Role of iteration dim `dim`.
  DimRole roleOf(unsigned dim) const;
  unsigned getNumLoops() const {
    return batch.size() + m.size() + k1.size() + k2.size() + n.size();
  }

  /// Infers roles from the Q, K, V and O maps (all over the same dims; each a
  /// projected permutation). On failure returns std::nullopt and, if `error`
  /// is given, a one-line reason naming the offending dim or role.
  static std::optional<AttentionDims> infer(AffineMap q, AffineMap k,
                                            AffineMap v, AffineMap o,
                                            std::string *error = nullptr);
};

/// Positions, in the results of `map`, of the dims in `dims` (in map order).
/// Dims not used by the map are skipped.
SmallVector<unsigned> getResultPositions(AffineMap map,
                                         ArrayRef<unsigned> dims);

} // namespace mlir::attn

#endif // ATTN_DIALECT_DIMROLES_H
