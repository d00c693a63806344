//===- AttnBuilders.h - building blocks of attention lowerings -*- C++ -*-===//
//
// Helpers shared by the online-attention decomposition and the reference
// lowering: linalg.generic construction over a subset of the attention
// loops, and the score computation S = scale * Q.K^T [+ mask].
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_DIALECT_ATTNBUILDERS_H
#define ATTN_DIALECT_ATTNBUILDERS_H

#include "dialect/AttnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {

/// Sorted union of loop-dim lists.
SmallVector<unsigned> unionOf(std::initializer_list<ArrayRef<unsigned>> sets);

/// `outer` followed by `inner` (a loop order with `inner` innermost).
SmallVector<unsigned> concat(ArrayRef<unsigned> outer,
                             ArrayRef<unsigned> inner);

/// A tensor over the loops `dims` (in that order) of element type
/// `elemType`, filled with `fill` when given.
Value createLoopTensor(OpBuilder &b, Location loc, ArrayRef<unsigned> dims,
                       ArrayRef<OpFoldResult> loopSizes, Type elemType,
                       std::optional<double> fill = std::nullopt);

/// Map (over `numLoops` loops) that indexes a tensor created by
/// createLoopTensor over `dims`.
AffineMap loopTensorMap(ArrayRef<unsigned> dims, unsigned numLoops,
                        MLIRContext *ctx);

/// The loop dim indexing the last (contiguous) dim of a projected
/// permutation map with at least one result.
unsigned innermostLoopDim(AffineMap map);

/// Builds a linalg.generic over the loops `space` (in that order, the last
/// innermost) of an op with `numLoops` loops. `inputMaps` and `outputMap` are
/// over all loops and must only use loops of `space`; loops of `space` the
/// output does not use are reductions. `body` gets the block arguments (inputs,
/// then the output) and returns the value to yield.
using GenericBody = function_ref<Value(OpBuilder &, Location, ValueRange)>;
Value buildGeneric(OpBuilder &b, Location loc, ArrayRef<unsigned> space,
                   unsigned numLoops, ValueRange inputs,
                   ArrayRef<AffineMap> inputMaps, Value output,
                   AffineMap outputMap, GenericBody body);

/// buildGeneric with several outputs: `body` returns one value per output.
/// Loops of `space` that no output uses are reductions.
using MultiGenericBody =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;
SmallVector<Value>
buildGeneric(OpBuilder &b, Location loc, ArrayRef<unsigned> space,
             unsigned numLoops, ValueRange inputs,
             ArrayRef<AffineMap> inputMaps, ValueRange outputs,
             ArrayRef<AffineMap> outputMaps, MultiGenericBody body);

/// exp(x - max) for softmax, with a max of -inf (a row whose scores so far
/// are all masked out) taken as 0, so that the result is exp(-inf) = 0
/// rather than NaN. The one -inf guard of both lowerings.
Value expMinusMax(OpBuilder &b, Location loc, Value x, Value max);

/// Replaces `op` by its decomposition (AggregatedOpInterface), built
/// before it.
LogicalResult decomposeAggregate(RewriterBase &rewriter,
                                 linalg::AggregatedOpInterface op);

/// Converts a float scalar to `type` (extf / truncf / no-op).
Value convertFloat(OpBuilder &b, Location loc, Value v, Type type);

/// Operands of an attention-like op needed to compute scores.
struct ScoreOperands {
  Value query, key, scale, mask;
  AffineMap queryMap, keyMap, maskMap;
  /// Causal diagonal (index) or null: keys j > i + diagonal are -inf.
  Value diagonal;
};

/// `value` (indexed by `map`, a projected permutation over `numLoops`
/// loops) converted to f32 in a tensor of the same layout, or `value`
/// itself when it is f32 already. The CPU microkernel's key and value
/// blocks: each element converted once per block with vector instructions,
/// instead of once per use in the register tiles.
std::pair<Value, AffineMap> convertBlockToF32(OpBuilder &b, Location loc,
                                              Value value, AffineMap map,
                                              unsigned numLoops,
                                              ArrayRef<OpFoldResult> loopSizes);

/// A contraction loop of bf16 operands split into pairs, for products on
/// bf16 pairs (x86 `vdpbf16ps`: per f32 lane, acc += a0 * b0 + a1 * b1).
/// Loop `dim` then counts pairs and the new loop `pair` (the op's loop
/// count: one past its loops) the element within a pair; operands are
/// laid out with `pair` innermost, so a register holds 16 whole pairs and a
/// broadcast pair is one 32-bit element.
struct PairSplit {
  unsigned dim, pair, numLoops;
  /// The op's loop sizes with `dim` halved, then `pair` (2).
  SmallVector<OpFoldResult> loopSizes;
};

/// The split of the contraction loops `contracted` into pairs, when they
/// are one loop of static even size and the product's output has a
/// contiguous loop `lanesDim` of a static size the narrowest dot
/// instruction (4 lanes) divides.
std::optional<PairSplit> splitIntoPairs(OpBuilder &b,
                                        ArrayRef<unsigned> contracted,
                                        unsigned lanesDim,
                                        ArrayRef<OpFoldResult> loopSizes);

/// `value` (indexed by `map`) in `elemType` with `split.dim` split into
/// pairs, the pair innermost and the loops `lastDims` just before it: a
/// reshape of `value` when that is its layout already, otherwise a packed
/// copy. Returns the tensor and its map over split.numLoops loops.
std::pair<Value, AffineMap> pairedOperand(OpBuilder &b, Location loc,
                                          Value value, AffineMap map,
                                          const PairSplit &split,
                                          ArrayRef<unsigned> lastDims,
                                          Type elemType);

/// The body of a product accumulated in f32: args[2] + args[0] * args[1],
/// both converted to f32, with the flags that let LLVM contract and
/// reassociate it.
Value multiplyAccumulate(OpBuilder &b, Location loc, ValueRange args);

/// The layout of the f32 score tensor S.
enum class ScoreLayout {
  /// [batch ∪ M ∪ K2] (sorted loop order): the textbook form; each score is
  /// a dot product over K1.
  KeysInner,
  /// [batch ∪ K2, M]: the M dims innermost, Q first transposed into
  /// Qt [batch ∪ K1, M] with the scale folded in. Both products of a tile
  /// then have a contiguous parallel dim in registers (M for Q.K^T, N or M
  /// for P.V) and no horizontal sums: the form of the CPU microkernel.
  RowsInner,
};

/// The layout worth using for a tile of `dims` with `loopSizes`: RowsInner
/// when the tile has enough query rows to fill vector registers (or an
/// unknown number), KeysInner otherwise (decode: one query row is a
/// matrix-vector product, vectorized over K1).
ScoreLayout chooseScoreLayout(const AttentionDims &dims,
                              ArrayRef<OpFoldResult> loopSizes);

/// The loop dims of S in `layout`, in tensor order.
SmallVector<unsigned> scoreLoopDims(const AttentionDims &dims,
                                    ScoreLayout layout);

/// S = scale * Q.K^T [+ mask] in f32, over the loops batch ∪ M ∪ K2 in
/// `layout`'s order (scoreLoopDims). An i1 mask turns false into -inf, and
/// so does the causal diagonal (innermost M loop i, K2 loop j:
/// j > i + diagonal).
/// With `bf16Dot`, a RowsInner Q.K^T of bf16 operands runs on K1 pairs
/// (PairSplit) and the scale is applied to S.
Value buildScores(OpBuilder &b, Location loc, const AttentionDims &dims,
                  unsigned numLoops, ArrayRef<OpFoldResult> loopSizes,
                  const ScoreOperands &operands, ScoreLayout layout,
                  bool bf16Dot = false);

/// The start both lowerings share: roles, loop sizes, and the f32 score
/// tensor S over the loops batch ∪ M ∪ K2 (`scoreDims` in tensor order,
/// indexed by `scoreMap`).
struct Scores {
  AttentionDims dims;
  unsigned numLoops;
  SmallVector<OpFoldResult> loopSizes;
  ScoreLayout layout;
  SmallVector<unsigned> scoreDims, rowDims;
  AffineMap scoreMap;
  Value value;
};

/// Builds S for `op` (attn.attention or attn.online_attention) at the
/// builder's insertion point, in `layout` (chooseScoreLayout when none).
template <typename OpTy>
Scores computeScores(OpBuilder &b, OpTy op,
                     std::optional<ScoreLayout> layout = std::nullopt,
                     bool bf16Dot = false) {
  Scores s;
  Location loc = op.getLoc();
  s.dims = op.getDims();
  s.numLoops = op.getNumLoops();
  s.loopSizes =
      getLoopSizes(b, loc, op.getIndexingMapsArray(), op->getOperands());
  s.layout = layout.value_or(chooseScoreLayout(s.dims, s.loopSizes));
  s.scoreDims = scoreLoopDims(s.dims, s.layout);
  s.rowDims = unionOf({s.dims.batch, s.dims.m});
  s.scoreMap = loopTensorMap(s.scoreDims, s.numLoops, op.getContext());
  Value diagonal;
  if constexpr (std::is_same_v<OpTy, AttentionOp>)
    diagonal = op.buildCausalDiagonal(b, s.loopSizes);
  else
    diagonal = op.getDiagonal();
  ScoreOperands operands{op.getQuery(),
                         op.getKey(),
                         op.getScale(),
                         op.getMask(),
                         op.getQueryMap(),
                         op.getKeyMap(),
                         op.getMaskMap().value_or(AffineMap()),
                         diagonal};
  s.value = buildScores(b, loc, s.dims, s.numLoops, s.loopSizes, operands,
                        s.layout, bf16Dot);
  return s;
}

/// One online-softmax step of `op` in linalg (its AggregatedOpInterface
/// decomposition); with `bf16Dot`, the RowsInner products of bf16 operands
/// run on bf16 pairs (see PairSplit).
FailureOr<SmallVector<Value>>
decomposeOnlineAttention(OpBuilder &b, OnlineAttentionOp op, bool bf16Dot);

/// The exact merge of partial online-softmax states computed over disjoint
/// key ranges (flash-decoding), each with a leading split dim: pAcc
/// [S, acc...], pMax and pSum [S, rows...] (f32); `rowsInAcc` gives, for
/// each row dim, its position among acc's dims. max = max_s max_s,
/// c_s = exp(max_s - max), sum = sum_s c_s sum_s, acc = sum_s c_s acc_s.
/// Returns (acc, max, sum) without the split dim.
SmallVector<Value> mergeSplitStates(OpBuilder &b, Location loc, Value pAcc,
                                    Value pMax, Value pSum,
                                    ArrayRef<unsigned> rowsInAcc);

/// acc / sum converted to `outElem`; 0 when sum is 0 (a row whose scores
/// were all masked out).
Value normalizeOutput(OpBuilder &b, Location loc, Value acc, Value sum,
                      Type outElem);

/// The log-sum-exp of a row from its softmax state: max + log(sum), and
/// -inf when sum is 0 (a row whose scores were all masked out).
Value logSumExp(OpBuilder &b, Location loc, Value max, Value sum);

/// The normalization ending the online form: O = acc / sum into `init`
/// (map `outMap`) and, when `lse` is given, LSE = max + log(sum) into it
/// (map `lseMap`), one linalg.generic over the batch, M and N loops (the
/// LSE written once per N index). Returns O and, if requested, the LSE.
SmallVector<Value>
buildNormalization(OpBuilder &b, Location loc, const AttentionDims &dims,
                   unsigned numLoops, Value acc, AffineMap accMap, Value max,
                   Value sum, AffineMap rowMap, Value init, AffineMap outMap,
                   Value lse, AffineMap lseMap);

} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTNBUILDERS_H
