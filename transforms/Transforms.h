//===- Transforms.h - attn graph rewrite patterns ---------------*- C++ -*-===//
//
// The rewrites behind the graph passes, as patterns that other passes and
// pipelines can mix into their own pattern sets. Each populate function takes
// a control function deciding per candidate (as upstream
// linalg::populateElementwiseOpsFusionPatterns does with ControlFusionFn)
// and, optionally, a DecisionRemarks (Remarks.h) that reports what the
// patterns did and why they declined.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_TRANSFORMS_H
#define ATTN_TRANSFORMS_TRANSFORMS_H

#include "transforms/Remarks.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <functional>

namespace mlir::attn {

/// Decides whether a transpose is folded into an `attn.attention` indexing
/// map. The operand is the use connecting them: an attention operand (Q, K,
/// V or mask) produced by the transpose, or the transpose's input when it
/// consumes the attention result.
using ControlFoldTransposeFn = std::function<bool(OpOperand *)>;

/// Decides whether an `attn.attention` is rewritten to read V in the
/// transposed-V form. The operand is its V; only called when the rewrite
/// applies.
using ControlBubbleTransposeVFn = std::function<bool(OpOperand *)>;

/// Decides whether a `linalg.transpose` is fused into the producer of its
/// input. The operand is the transpose's input; only called when the
/// producer can absorb the transpose.
using ControlFuseTransposeFn = std::function<bool(OpOperand *)>;

/// Decides whether an attention chain is raised to `attn.attention`. The
/// operation is the chain's second contraction (P.V); only called when the
/// chain matches.
using ControlRaiseAttentionFn = std::function<bool(Operation *)>;

/// Replaces matmul -> [scale] -> [mask] -> softmax -> matmul chains in
/// linalg (named or generic contractions, linalg.softmax or its
/// decomposition, casts, transposes and broadcasts in between) with one
/// `attn.attention` (attn-raise-attention).
void populateRaiseAttentionPatterns(RewritePatternSet &patterns,
                                    const ControlRaiseAttentionFn &controlFn,
                                    DecisionRemarks *remarks = nullptr);

/// Decides whether the broadcast producing an `attn.attention` operand (Q,
/// K, V or mask) is folded into its indexing map.
using ControlFoldBroadcastFn = std::function<bool(OpOperand *)>;

/// Folds broadcasts (`linalg.broadcast`, broadcasting generics, with any
/// permutations in between) producing Q, K, V or mask of an
/// `attn.attention` into its indexing maps, when the maps keep valid roles
/// (attn-fold-broadcasts): repeated K/V heads of GQA are not materialized.
void populateFoldBroadcastsPatterns(RewritePatternSet &patterns,
                                    const ControlFoldBroadcastFn &controlFn,
                                    DecisionRemarks *remarks = nullptr);

/// Replaces a mask of an `attn.attention` over exactly its innermost M dim
/// and K2 dim that is causal -- a constant (i1, or float 0 / -inf) or a
/// generic comparing linalg.index values -- with the `causal` attribute of
/// the matching alignment (attn-fold-causal-mask).
void populateFoldCausalMaskPatterns(RewritePatternSet &patterns,
                                    DecisionRemarks *remarks = nullptr);

/// Decides whether a projection is fused with the later projections of
/// the same input. The operation is the first projection (in block order).
using ControlFuseProjectionsFn = std::function<bool(Operation *)>;

/// Fuses contractions of the same input with the same iteration space
/// (Q/K/V projections) into one multi-result `linalg.generic`, each result
/// with its own output map (attn-fuse-projections).
void populateFuseProjectionsPatterns(RewritePatternSet &patterns,
                                     const ControlFuseProjectionsFn &controlFn,
                                     DecisionRemarks *remarks = nullptr);

/// Folds permutations (`linalg.transpose`, permutation-only
/// `linalg.generic`) producing Q, K, V or mask, or consuming the result, of
/// an `attn.attention` into its indexing maps (attn-fold-transposes).
void populateFoldTransposesPatterns(RewritePatternSet &patterns,
                                    const ControlFoldTransposeFn &controlFn,
                                    DecisionRemarks *remarks = nullptr);

/// Rewrites an `attn.attention` whose V map ends in (K2, N) to read V
/// through an explicit `linalg.transpose` in the transposed-V form
/// (attn-bubble-transpose-v). The fold patterns undo it: do not put both
/// into one pattern set.
void populateBubbleTransposeVPatterns(
    RewritePatternSet &patterns, const ControlBubbleTransposeVFn &controlFn,
    DecisionRemarks *remarks = nullptr);

/// Makes the producer of a `linalg.transpose`'s input write the permuted
/// layout directly (attn-fuse-transpose-producers).
void populateFuseTransposeProducersPatterns(
    RewritePatternSet &patterns, const ControlFuseTransposeFn &controlFn,
    DecisionRemarks *remarks = nullptr);

/// The greedy driver configuration of the graph passes: their patterns are
/// applied to the ops that exist when the rewrite starts, in program order,
/// without folding. Like every greedy rewrite, it also erases trivially dead
/// ops.
GreedyRewriteConfig getGraphRewriteConfig();

/// What a graph pass adds to its pattern set: its populate function with
/// the control function and remarks of the pass.
using PopulateGraphPatternsFn =
    function_ref<void(RewritePatternSet &, DecisionRemarks *)>;

/// The body of a graph pass: the patterns `populate` adds, applied to `op`
/// with getGraphRewriteConfig(), decisions reported as remarks of `pass`
/// when `remarks` is set.
LogicalResult applyGraphPatterns(Operation *op, StringRef pass, bool remarks,
                                 PopulateGraphPatternsFn populate);

/// The control function of the passes: every candidate is taken.
inline bool acceptAllCandidates(OpOperand *) { return true; }

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_TRANSFORMS_H
