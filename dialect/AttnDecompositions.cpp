//===- AttnDecompositions.cpp - attention ops as simpler ops
//---------------===//
//
// The decompositions live with the ops (as upstream linalg.softmax's):
// - attn.attention -> materialized softmax in linalg (AggregatedOpInterface;
//   the reference lowering used by --check and by chips without MFMA);
// - attn.attention -> attn.online_attention + normalization (the form the
//   flash-attention tiling works on);
// - attn.online_attention -> one online-softmax step in linalg
//   (AggregatedOpInterface). Upstream has no decomposition for flash
//   attention's online softmax, so these are written here. The codegen
//   passes that use them are thin wrappers.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

//===----------------------------------------------------------------------===//
// Reference lowering
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
AttentionOp::decomposeOperation(OpBuilder &rewriter) {
  AttentionOp op = *this;
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  Type f32 = rewriter.getF32Type();
  // The full score tensor, materialized.
  Scores scores = computeScores(rewriter, op, ScoreLayout::KeysInner);
  const AttentionDims &dims = scores.dims;
  unsigned numLoops = scores.numLoops;
  ArrayRef<OpFoldResult> loopSizes = scores.loopSizes;
  ArrayRef<unsigned> scoreDims = scores.scoreDims, rowDims = scores.rowDims;
  AffineMap scoreMap = scores.scoreMap;
  Value s = scores.value;
  SmallVector<unsigned> outDims = unionOf({dims.batch, dims.m, dims.n});
  AffineMap rowMap = loopTensorMap(rowDims, numLoops, ctx);
  AffineMap outMap = loopTensorMap(outDims, numLoops, ctx);

  Value max = buildGeneric(
      rewriter, loc, scoreDims, numLoops, ValueRange{s}, {scoreMap},
      createLoopTensor(rewriter, loc, rowDims, loopSizes, f32,
                       -std::numeric_limits<double>::infinity()),
      rowMap, [](OpBuilder &b, Location l, ValueRange args) {
        return arith::MaximumFOp::create(b, l, args[0], args[1]).getResult();
      });
  // E = exp(S - max); a row of -inf scores has max = -inf and E = 0.
  Value e =
      buildGeneric(rewriter, loc, scoreDims, numLoops, ValueRange{s, max},
                   {scoreMap, rowMap},
                   createLoopTensor(rewriter, loc, scoreDims, loopSizes, f32),
                   scoreMap, [](OpBuilder &b, Location l, ValueRange args) {
                     return expMinusMax(b, l, args[0], args[1]);
                   });
  Value sum = buildGeneric(
      rewriter, loc, scoreDims, numLoops, ValueRange{e}, {scoreMap},
      createLoopTensor(rewriter, loc, rowDims, loopSizes, f32, 0.0), rowMap,
      [](OpBuilder &b, Location l, ValueRange args) {
        return arith::AddFOp::create(b, l, args[0], args[1]).getResult();
      });
  Value ev = buildGeneric(
      rewriter, loc, unionOf({outDims, dims.k2}), numLoops,
      ValueRange{e, op.getValue()}, {scoreMap, op.getValueMap()},
      createLoopTensor(rewriter, loc, outDims, loopSizes, f32, 0.0), outMap,
      [](OpBuilder &b, Location l, ValueRange args) {
        Value v = convertFloat(b, l, args[1], b.getF32Type());
        Value prod = arith::MulFOp::create(b, l, args[0], v);
        return arith::AddFOp::create(b, l, args[2], prod).getResult();
      });
  Type outElem = getElementTypeOrSelf(op.getInit().getType());
  Value result =
      buildGeneric(rewriter, loc, outDims, numLoops, ValueRange{ev, sum},
                   {outMap, rowMap}, op.getInit(), op.getOutputMap(),
                   [&](OpBuilder &b, Location l, ValueRange args) {
                     return normalizeOutput(b, l, args[0], args[1], outElem);
                   });
  SmallVector<Value> results = {result};
  if (Value lse = op.getLse())
    results.push_back(
        buildGeneric(rewriter, loc, rowDims, numLoops, ValueRange{max, sum},
                     {rowMap, rowMap}, lse, *op.getLseMap(),
                     [](OpBuilder &b, Location l, ValueRange args) {
                       return logSumExp(b, l, args[0], args[1]);
                     }));
  return results;
}

//===----------------------------------------------------------------------===//
// Online form
//===----------------------------------------------------------------------===//

SmallVector<Value> AttentionOp::convertToOnlineAttention(OpBuilder &rewriter) {
  AttentionOp op = *this;
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  AttentionDims dims = op.getDims();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<OpFoldResult> loopSizes =
      getLoopSizes(rewriter, loc, maps, op->getOperands());
  Type f32 = rewriter.getF32Type();

  // Running state: acc in the output's layout, max/sum over batch x M.
  // With transposed V and a RowsInner score layout, acc has the innermost
  // M dim last instead, so that P.V accumulates over P's contiguous rows
  // (read once at the end by the normalization).
  SmallVector<unsigned> rowDims = unionOf({dims.batch, dims.m});
  AffineMap rowMap = loopTensorMap(rowDims, numLoops, ctx);
  AffineMap outMap = op.getOutputMap();
  SmallVector<unsigned> outDims;
  for (AffineExpr e : outMap.getResults())
    outDims.push_back(cast<AffineDimExpr>(e).getPosition());
  if (llvm::is_contained(dims.k2, innermostLoopDim(op.getValueMap())) &&
      chooseScoreLayout(dims, loopSizes) == ScoreLayout::RowsInner) {
    llvm::erase(outDims, dims.m.back());
    outDims.push_back(dims.m.back());
  }
  AffineMap accMap = loopTensorMap(outDims, numLoops, ctx);
  Value acc = createLoopTensor(rewriter, loc, outDims, loopSizes, f32, 0.0);
  Value max = createLoopTensor(rewriter, loc, rowDims, loopSizes, f32,
                               -std::numeric_limits<double>::infinity());
  Value sum = createLoopTensor(rewriter, loc, rowDims, loopSizes, f32, 0.0);

  SmallVector<AffineMap> onlineMaps(maps.begin(),
                                    maps.begin() + op.getNumDpsInputs());
  Value diagonal = op.buildCausalDiagonal(rewriter, loopSizes);
  if (diagonal) // a scalar, like the scale
    onlineMaps.push_back(AffineMap::get(numLoops, 0, ctx));
  llvm::append_range(onlineMaps, ArrayRef<AffineMap>{accMap, rowMap, rowMap});
  auto online = OnlineAttentionOp::create(
      rewriter, loc, TypeRange{acc.getType(), max.getType(), sum.getType()},
      op.getQuery(), op.getKey(), op.getValue(), op.getScale(), op.getMask(),
      diagonal, acc, max, sum, rewriter.getAffineMapArrayAttr(onlineMaps));

  // O = acc / sum, 0 where the whole row was masked out (sum == 0); the
  // LSE in the same op, so that tiling the normalization fuses one online
  // attention that serves both.
  return buildNormalization(
      rewriter, loc, dims, numLoops, online.getResultAcc(), accMap,
      online.getResultMax(), online.getResultSum(), rowMap, op.getInit(),
      outMap, op.getLse(), op.getLseMap().value_or(AffineMap()));
}

Value AttentionOp::buildCausalDiagonal(OpBuilder &b,
                                       ArrayRef<OpFoldResult> loopSizes) {
  std::optional<CausalAlignment> causal = getCausal();
  if (!causal)
    return Value();
  Location loc = getLoc();
  if (*causal == CausalAlignment::TopLeft)
    return arith::ConstantIndexOp::create(b, loc, 0);
  // bottom_right: D = K2 - M.
  AttentionDims dims = getDims();
  OpFoldResult keys = loopSizes[dims.k2.front()];
  OpFoldResult rows = loopSizes[dims.m.back()];
  std::optional<int64_t> k = getConstantIntValue(keys),
                         m = getConstantIntValue(rows);
  if (k && m)
    return arith::ConstantIndexOp::create(b, loc, *k - *m);
  return arith::SubIOp::create(b, loc,
                               getValueOrCreateConstantIndexOp(b, loc, keys),
                               getValueOrCreateConstantIndexOp(b, loc, rows));
}

OnlineAttentionOp OnlineAttentionOp::dropDiagonal(OpBuilder &b) {
  SmallVector<AffineMap> maps = getIndexingMapsArray();
  if (getDiagonal())
    maps.erase(maps.begin() + getDiagonalMutable()[0].getOperandNumber());
  return OnlineAttentionOp::create(b, getLoc(), getResultTypes(), getQuery(),
                                   getKey(), getValue(), getScale(), getMask(),
                                   /*diagonal=*/Value(), getAcc(), getMax(),
                                   getSum(), b.getAffineMapArrayAttr(maps));
}

//===----------------------------------------------------------------------===//
// One online-softmax step
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>>
OnlineAttentionOp::decomposeOperation(OpBuilder &rewriter) {
  return decomposeOnlineAttention(rewriter, *this, /*bf16Dot=*/false);
}

/// acc' = scaledAcc + P . V on K2 pairs of bf16 (PairSplit): P rounded to
/// bf16 and packed as [batch ∪ K2/2, M, 2], V packed as [.., K2/2, N, 2]
/// (transposed V: reshaped to [.., N, K2/2, 2] in place), the loops in
/// `order` with the pair innermost.
static Value buildPairedValues(OpBuilder &b, Location loc, const Scores &scores,
                               const PairSplit &split, Value p, Value value,
                               AffineMap vMap, Value scaledAcc,
                               AffineMap accMap, ArrayRef<unsigned> order) {
  const AttentionDims &dims = scores.dims;
  Type bf16 = b.getBF16Type();
  AffineMap scoreMap =
      loopTensorMap(scores.scoreDims, scores.numLoops, b.getContext());
  auto [pairedP, pMap] =
      pairedOperand(b, loc, p, scoreMap, split, dims.m, bf16);
  bool transposed = llvm::is_contained(dims.k2, innermostLoopDim(vMap));
  auto [pairedV, pairedVMap] = pairedOperand(
      b, loc, value, vMap, split,
      transposed ? ArrayRef<unsigned>() : ArrayRef<unsigned>(dims.n), bf16);
  AffineMap accPairMap =
      AffineMap::get(split.numLoops, 0, accMap.getResults(), b.getContext());
  return buildGeneric(b, loc, concat(order, {split.pair}), split.numLoops,
                      ValueRange{pairedP, pairedV}, {pMap, pairedVMap},
                      scaledAcc, accPairMap, multiplyAccumulate);
}

FailureOr<SmallVector<Value>>
mlir::attn::decomposeOnlineAttention(OpBuilder &rewriter, OnlineAttentionOp op,
                                     bool bf16Dot) {
  Location loc = op.getLoc();
  Type f32 = rewriter.getF32Type();
  Scores scores = computeScores(rewriter, op, std::nullopt, bf16Dot);
  const AttentionDims &dims = scores.dims;
  unsigned numLoops = scores.numLoops;
  ArrayRef<OpFoldResult> loopSizes = scores.loopSizes;
  ArrayRef<unsigned> scoreDims = scores.scoreDims, rowDims = scores.rowDims;
  AffineMap scoreMap = scores.scoreMap;
  Value s = scores.value;
  AffineMap maxMap = op.getMaxMap(), sumMap = op.getSumMap(),
            accMap = op.getOutputMap();

  // Every read of the old max comes before max' is written over it, so
  // bufferization can update the loop-carried state in place.
  // rowmax(S) into a fresh tensor, then corr = exp(max - max(max, rowmax)).
  auto maximum = [](OpBuilder &b, Location l, ValueRange args) {
    return arith::MaximumFOp::create(b, l, args[0], args[1]).getResult();
  };
  Value rowMax = buildGeneric(
      rewriter, loc, scoreDims, numLoops, ValueRange{s}, {scoreMap},
      createLoopTensor(rewriter, loc, rowDims, loopSizes, f32,
                       -std::numeric_limits<double>::infinity()),
      maxMap, maximum);
  Value corrInit = createLoopTensor(rewriter, loc, rowDims, loopSizes, f32);
  Value corr =
      buildGeneric(rewriter, loc, rowDims, numLoops,
                   ValueRange{op.getMax(), rowMax}, {maxMap, maxMap}, corrInit,
                   maxMap, [](OpBuilder &b, Location l, ValueRange args) {
                     Value newMax =
                         arith::MaximumFOp::create(b, l, args[0], args[1]);
                     return expMinusMax(b, l, args[0], newMax);
                   });
  // max' = max(max, rowmax(S)), in place.
  Value newMax =
      buildGeneric(rewriter, loc, rowDims, numLoops, ValueRange{rowMax},
                   {maxMap}, op.getMax(), maxMap, maximum);

  // P = exp(S - max').
  Value pInit = createLoopTensor(rewriter, loc, scoreDims, loopSizes, f32);
  Value p =
      buildGeneric(rewriter, loc, scoreDims, numLoops, ValueRange{s, newMax},
                   {scoreMap, maxMap}, pInit, scoreMap,
                   [](OpBuilder &b, Location l, ValueRange args) {
                     return expMinusMax(b, l, args[0], args[1]);
                   });

  // sum' = corr * sum + rowsum(P). The rescales read the state only as
  // their output (args[1]): an op reading a tensor it also writes would
  // make its tiles read the pre-loop value and keep it from being updated
  // in place.
  auto scaleBy = [](OpBuilder &b, Location l, ValueRange args) {
    return arith::MulFOp::create(b, l, args[1], args[0]).getResult();
  };
  Value scaledSum =
      buildGeneric(rewriter, loc, rowDims, numLoops, ValueRange{corr}, {maxMap},
                   op.getSum(), sumMap, scaleBy);
  Value newSum = buildGeneric(
      rewriter, loc, scoreDims, numLoops, ValueRange{p}, {scoreMap}, scaledSum,
      sumMap, [](OpBuilder &b, Location l, ValueRange args) {
        return arith::AddFOp::create(b, l, args[0], args[1]).getResult();
      });

  // acc' = corr * acc + P . V. The rescale loops run in acc's layout order
  // so that acc is read and written through identity maps: bufferization
  // updates an operand in place only through elementwise (identity) access,
  // and the loop-carried acc must be updated in place.
  SmallVector<unsigned> accDims = unionOf({dims.batch, dims.m, dims.n});
  SmallVector<unsigned> accLayoutDims;
  for (AffineExpr e : accMap.getResults())
    accLayoutDims.push_back(cast<AffineDimExpr>(e).getPosition());
  Value scaledAcc =
      buildGeneric(rewriter, loc, accLayoutDims, numLoops, ValueRange{corr},
                   {maxMap}, op.getAcc(), accMap, scaleBy);
  Type accElem = getElementTypeOrSelf(op.getAcc().getType());
  // Innermost loop: RowsInner, acc's contiguous dim (N over rows of
  // standard V, or M over P's rows for transposed V, whose acc is
  // [.., N, M]; see convertToOnlineAttention) after K2; KeysInner, V's
  // contiguous dim (transposed V: a dot product over K2).
  AffineMap vMap = op.getValueMap();
  SmallVector<unsigned> pvOrder;
  if (scores.layout == ScoreLayout::RowsInner) {
    pvOrder = concat(ArrayRef<unsigned>(accLayoutDims).drop_back(), dims.k2);
    pvOrder.push_back(accLayoutDims.back());
  } else {
    unsigned vInner = innermostLoopDim(vMap);
    pvOrder = unionOf({accDims, dims.k2});
    llvm::erase(pvOrder, vInner);
    pvOrder.push_back(vInner);
  }
  Value value = op.getValue();
  std::optional<PairSplit> k2Pairs;
  if (bf16Dot && scores.layout == ScoreLayout::RowsInner &&
      getElementTypeOrSelf(value.getType()).isBF16())
    k2Pairs =
        splitIntoPairs(rewriter, dims.k2, accLayoutDims.back(), loopSizes);
  if (k2Pairs)
    return SmallVector<Value>{buildPairedValues(rewriter, loc, scores, *k2Pairs,
                                                p, value, vMap, scaledAcc,
                                                accMap, pvOrder),
                              newMax, newSum};
  if (scores.layout == ScoreLayout::RowsInner)
    std::tie(value, vMap) =
        convertBlockToF32(rewriter, loc, value, vMap, numLoops, loopSizes);
  Value newAcc = buildGeneric(
      rewriter, loc, pvOrder, numLoops, ValueRange{p, value}, {scoreMap, vMap},
      scaledAcc, accMap, [&](OpBuilder &b, Location l, ValueRange args) {
        auto flags =
            arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
        Value v = convertFloat(b, l, args[1], f32);
        Value prod = arith::MulFOp::create(b, l, args[0], v, flags);
        Value acc = convertFloat(b, l, args[2], f32);
        return convertFloat(b, l, arith::AddFOp::create(b, l, acc, prod, flags),
                            accElem);
      });
  return SmallVector<Value>{newAcc, newMax, newSum};
}
