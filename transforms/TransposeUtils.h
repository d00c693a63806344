//===- TransposeUtils.h - helpers shared by the transpose passes -*- C++
//-*-===//
#ifndef ATTN_TRANSFORMS_TRANSPOSEUTILS_H
#define ATTN_TRANSFORMS_TRANSPOSEUTILS_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Value.h"

#include <optional>

namespace mlir::attn {

/// A tensor permutation: `result` has dim i equal to dim `perm[i]` of
/// `input` (the `linalg.transpose` convention).
struct Permutation {
  Value input;
  Value result;
  SmallVector<int64_t> perm;
};

/// Matches `linalg.transpose` and permutation-only `linalg.generic`s (one
/// input, one init, all loops parallel, full permutation maps, body yields
/// the input unchanged).
std::optional<Permutation> matchPermutation(Operation *op);

/// `m` indexes the permuted tensor (`result`); returns the map indexing the
/// unpermuted `input` instead: result `perm[i]` of the new map is result `i`
/// of `m`.
AffineMap unpermuteResults(AffineMap m, ArrayRef<int64_t> perm);

/// `m` indexes the unpermuted tensor (`input`); returns the map indexing the
/// permuted `result` instead: result `i` of the new map is result `perm[i]`
/// of `m`.
AffineMap permuteResults(AffineMap m, ArrayRef<int64_t> perm);

/// A `tensor.empty` shaped like `source` with its dims permuted by `perm`
/// (dynamic sizes taken from `source`).
Value createPermutedEmpty(OpBuilder &b, Location loc, Value source,
                          ArrayRef<int64_t> perm);

/// Erases those of `roots` that are trivially dead, then whatever fed them
/// that became trivially dead in turn (e.g. the `tensor.empty` init of an
/// erased transpose). Each op is erased once, wherever it is reached from.
void eraseDeadChain(RewriterBase &rewriter, ArrayRef<Operation *> roots);

/// Textual form of a permutation for remarks, e.g. "[0, 1, 3, 2]".
std::string permToString(ArrayRef<int64_t> perm);

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_TRANSPOSEUTILS_H
