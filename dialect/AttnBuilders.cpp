//===- AttnBuilders.cpp - building blocks of the attention lowerings ----===//

#include "dialect/AttnBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <limits>

using namespace mlir;
using namespace mlir::attn;

SmallVector<unsigned> mlir::attn::concat(ArrayRef<unsigned> outer,
                                         ArrayRef<unsigned> inner) {
  SmallVector<unsigned> result(outer);
  llvm::append_range(result, inner);
  return result;
}

SmallVector<unsigned>
mlir::attn::unionOf(std::initializer_list<ArrayRef<unsigned>> sets) {
  SmallVector<unsigned> result;
  for (ArrayRef<unsigned> set : sets)
    llvm::append_range(result, set);
  llvm::sort(result);
  return result;
}

Value mlir::attn::createLoopTensor(OpBuilder &b, Location loc,
                                   ArrayRef<unsigned> dims,
                                   ArrayRef<OpFoldResult> loopSizes,
                                   Type elemType, std::optional<double> fill) {
  SmallVector<OpFoldResult> sizes;
  for (unsigned d : dims)
    sizes.push_back(loopSizes[d]);
  Value empty = tensor::EmptyOp::create(b, loc, sizes, elemType);
  if (!fill)
    return empty;
  Value value =
      arith::ConstantOp::create(b, loc, b.getFloatAttr(elemType, *fill));
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

AffineMap mlir::attn::loopTensorMap(ArrayRef<unsigned> dims, unsigned numLoops,
                                    MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

unsigned mlir::attn::innermostLoopDim(AffineMap map) {
  return cast<AffineDimExpr>(map.getResult(map.getNumResults() - 1))
      .getPosition();
}

Value mlir::attn::buildGeneric(OpBuilder &b, Location loc,
                               ArrayRef<unsigned> space, unsigned numLoops,
                               ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                               Value output, AffineMap outputMap,
                               GenericBody body) {
  return buildGeneric(b, loc, space, numLoops, inputs, inputMaps,
                      ValueRange{output}, {outputMap},
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return SmallVector<Value>{body(nb, nl, args)};
                      })
      .front();
}

SmallVector<Value> mlir::attn::buildGeneric(
    OpBuilder &b, Location loc, ArrayRef<unsigned> space, unsigned numLoops,
    ValueRange inputs, ArrayRef<AffineMap> inputMaps, ValueRange outputs,
    ArrayRef<AffineMap> outputMaps, MultiGenericBody body) {
  // Loop i of the generic is attention loop space[i].
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> renumber(numLoops, getAffineConstantExpr(0, ctx));
  for (auto [i, d] : llvm::enumerate(space))
    renumber[d] = getAffineDimExpr(i, ctx);
  auto toSpace = [&](AffineMap map) {
    return map.replaceDimsAndSymbols(renumber, {}, space.size(), 0);
  };
  SmallVector<AffineMap> maps;
  for (AffineMap map : inputMaps)
    maps.push_back(toSpace(map));
  for (AffineMap map : outputMaps)
    maps.push_back(toSpace(map));
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d : space)
    iterators.push_back(
        llvm::any_of(outputMaps,
                     [&](AffineMap map) { return map.isFunctionOfDim(d); })
            ? utils::IteratorType::parallel
            : utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, outputs.getTypes(), inputs, outputs, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc,
                                body(nested, nestedLoc, args));
      });
  return SmallVector<Value>(generic.getResults());
}

Value mlir::attn::expMinusMax(OpBuilder &b, Location loc, Value x, Value max) {
  Value minusInf = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value isInf =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, max, minusInf);
  Value base = arith::SelectOp::create(b, loc, isInf, zero, max);
  return math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, x, base));
}

LogicalResult mlir::attn::decomposeAggregate(RewriterBase &rewriter,
                                             linalg::AggregatedOpInterface op) {
  rewriter.setInsertionPoint(op);
  FailureOr<SmallVector<Value>> values = op.decomposeOperation(rewriter);
  if (failed(values))
    return failure();
  rewriter.replaceOp(op, *values);
  return success();
}

Value mlir::attn::convertFloat(OpBuilder &b, Location loc, Value v, Type type) {
  Type from = v.getType();
  if (from == type)
    return v;
  if (from.getIntOrFloatBitWidth() < type.getIntOrFloatBitWidth())
    return arith::ExtFOp::create(b, loc, type, v);
  return arith::TruncFOp::create(b, loc, type, v);
}

std::pair<Value, AffineMap>
mlir::attn::convertBlockToF32(OpBuilder &b, Location loc, Value value,
                              AffineMap map, unsigned numLoops,
                              ArrayRef<OpFoldResult> loopSizes) {
  Type f32 = b.getF32Type();
  if (getElementTypeOrSelf(value.getType()) == f32)
    return {value, map};
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  AffineMap blockMap = loopTensorMap(dims, numLoops, b.getContext());
  Value block =
      buildGeneric(b, loc, dims, numLoops, ValueRange{value}, {map},
                   createLoopTensor(b, loc, dims, loopSizes, f32), blockMap,
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return convertFloat(nb, nl, args[0], f32);
                   });
  return {block, blockMap};
}

std::optional<PairSplit>
mlir::attn::splitIntoPairs(OpBuilder &b, ArrayRef<unsigned> contracted,
                           unsigned lanesDim,
                           ArrayRef<OpFoldResult> loopSizes) {
  constexpr int64_t kMinDotLanes = 4;
  std::optional<int64_t> lanes = getConstantIntValue(loopSizes[lanesDim]);
  if (contracted.size() != 1 || !lanes || *lanes % kMinDotLanes != 0)
    return std::nullopt;
  unsigned dim = contracted.front();
  std::optional<int64_t> size = getConstantIntValue(loopSizes[dim]);
  if (!size || *size % 2 != 0)
    return std::nullopt;
  PairSplit split{dim, unsigned(loopSizes.size()),
                  unsigned(loopSizes.size()) + 1,
                  SmallVector<OpFoldResult>(loopSizes)};
  split.loopSizes[dim] = b.getIndexAttr(*size / 2);
  split.loopSizes.push_back(b.getIndexAttr(2));
  return split;
}

std::pair<Value, AffineMap>
mlir::attn::pairedOperand(OpBuilder &b, Location loc, Value value,
                          AffineMap map, const PairSplit &split,
                          ArrayRef<unsigned> lastDims, Type elemType) {
  MLIRContext *ctx = b.getContext();
  // `value` viewed with the split dim as (pairs, 2). A tile whose type
  // has that dim dynamic though its size is a known constant (a whole
  // causal block) is cast to it first.
  auto type = cast<RankedTensorType>(value.getType());
  unsigned pos = *map.getResultPosition(getAffineDimExpr(split.dim, ctx));
  SmallVector<int64_t> shape(type.getShape());
  if (type.isDynamicDim(pos)) {
    shape[pos] = 2 * *getConstantIntValue(split.loopSizes[split.dim]);
    type = type.clone(shape);
    value = tensor::CastOp::create(b, loc, type, value);
  }
  shape[pos] /= 2;
  shape.insert(shape.begin() + pos + 1, 2);
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i < type.getRank(); ++i)
    groups.push_back(i == pos ? ReassociationIndices{i, i + 1}
                              : ReassociationIndices{i + (i > pos)});
  Value view =
      tensor::ExpandShapeOp::create(b, loc, type.clone(shape), value, groups);
  SmallVector<AffineExpr> exprs(map.getResults());
  exprs.insert(exprs.begin() + pos + 1, getAffineDimExpr(split.pair, ctx));
  AffineMap viewMap = AffineMap::get(split.numLoops, 0, exprs, ctx);

  SmallVector<unsigned> order;
  for (AffineExpr e : map.getResults())
    if (!llvm::is_contained(lastDims, cast<AffineDimExpr>(e).getPosition()))
      order.push_back(cast<AffineDimExpr>(e).getPosition());
  llvm::append_range(order, lastDims);
  order.push_back(split.pair);
  AffineMap packedMap = loopTensorMap(order, split.numLoops, ctx);
  if (packedMap == viewMap && type.getElementType() == elemType)
    return {view, viewMap};
  Value packed =
      buildGeneric(b, loc, order, split.numLoops, ValueRange{view}, {viewMap},
                   createLoopTensor(b, loc, order, split.loopSizes, elemType),
                   packedMap, [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return convertFloat(nb, nl, args[0], elemType);
                   });
  return {packed, packedMap};
}

Value mlir::attn::multiplyAccumulate(OpBuilder &b, Location loc,
                                     ValueRange args) {
  Type f32 = b.getF32Type();
  Value lhs = convertFloat(b, loc, args[0], f32);
  Value rhs = convertFloat(b, loc, args[1], f32);
  auto flags = arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
  Value prod = arith::MulFOp::create(b, loc, lhs, rhs, flags);
  return arith::AddFOp::create(b, loc, args[2], prod, flags);
}

ScoreLayout mlir::attn::chooseScoreLayout(const AttentionDims &dims,
                                          ArrayRef<OpFoldResult> loopSizes) {
  // Rows that fill at least half a 512-bit register of f32.
  constexpr int64_t kMinRows = 8;
  int64_t rows = 1;
  for (unsigned d : dims.m) {
    std::optional<int64_t> size = getConstantIntValue(loopSizes[d]);
    if (!size)
      return ScoreLayout::RowsInner;
    rows *= *size;
  }
  return rows >= kMinRows ? ScoreLayout::RowsInner : ScoreLayout::KeysInner;
}

SmallVector<unsigned> mlir::attn::scoreLoopDims(const AttentionDims &dims,
                                                ScoreLayout layout) {
  if (layout == ScoreLayout::KeysInner)
    return unionOf({dims.batch, dims.m, dims.k2});
  return concat(unionOf({dims.batch, dims.k2}), dims.m);
}

/// RowsInner S = Q.K^T (unscaled) on K1 pairs of bf16: Q packed as
/// [batch ∪ K1/2, M, 2] per tile, K reshaped to [.., K1/2, 2].
static Value buildPairedScores(OpBuilder &b, Location loc,
                               const AttentionDims &dims,
                               const PairSplit &split, const ScoreOperands &ops,
                               ArrayRef<unsigned> scoreDims) {
  Type bf16 = b.getBF16Type();
  auto [query, queryMap] =
      pairedOperand(b, loc, ops.query, ops.queryMap, split, dims.m, bf16);
  auto [key, keyMap] =
      pairedOperand(b, loc, ops.key, ops.keyMap, split, {}, bf16);
  SmallVector<unsigned> space =
      concat(concat(concat(unionOf({dims.batch, dims.k2}), dims.k1), dims.m),
             {split.pair});
  AffineMap scoreMap = loopTensorMap(scoreDims, split.numLoops, b.getContext());
  Value zeros =
      createLoopTensor(b, loc, scoreDims, split.loopSizes, b.getF32Type(), 0.0);
  return buildGeneric(b, loc, space, split.numLoops, ValueRange{query, key},
                      {queryMap, keyMap}, zeros, scoreMap, multiplyAccumulate);
}

/// S = Q . K^T in f32, contracting K1: innermost loop K1 (KeysInner:
/// contiguous in Q and standard K) or M (RowsInner: contiguous in Qt and S,
/// Qt = scale * Q in f32, [batch ∪ K1, M], loop invariant in a K2 loop, so
/// hoisted out of it).
static Value buildFloatScores(OpBuilder &b, Location loc,
                              const AttentionDims &dims, unsigned numLoops,
                              ArrayRef<OpFoldResult> loopSizes,
                              const ScoreOperands &ops, ScoreLayout layout,
                              Value scale) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  SmallVector<unsigned> scoreDims = scoreLoopDims(dims, layout);
  bool rowsInner = layout == ScoreLayout::RowsInner;
  Value query = ops.query;
  AffineMap queryMap = ops.queryMap;
  if (rowsInner) {
    SmallVector<unsigned> qtDims =
        concat(unionOf({dims.batch, dims.k1}), dims.m);
    queryMap = loopTensorMap(qtDims, numLoops, ctx);
    query = buildGeneric(
        b, loc, qtDims, numLoops, ValueRange{ops.query}, {ops.queryMap},
        createLoopTensor(b, loc, qtDims, loopSizes, f32), queryMap,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::MulFOp::create(
                     nb, nl, convertFloat(nb, nl, args[0], f32), scale)
              .getResult();
        });
  }
  SmallVector<unsigned> space =
      rowsInner
          ? concat(concat(unionOf({dims.batch, dims.k2}), dims.k1), dims.m)
          : concat(scoreDims, dims.k1);
  auto [key, keyMap] =
      rowsInner
          ? convertBlockToF32(b, loc, ops.key, ops.keyMap, numLoops, loopSizes)
          : std::pair<Value, AffineMap>{ops.key, ops.keyMap};
  Value zeros = createLoopTensor(b, loc, scoreDims, loopSizes, f32, 0.0);
  return buildGeneric(
      b, loc, space, numLoops, ValueRange{query, key}, {queryMap, keyMap},
      zeros, loopTensorMap(scoreDims, numLoops, ctx), multiplyAccumulate);
}

static bool isBF16(Value value) {
  return getElementTypeOrSelf(value.getType()).isBF16();
}

Value mlir::attn::buildScores(OpBuilder &b, Location loc,
                              const AttentionDims &dims, unsigned numLoops,
                              ArrayRef<OpFoldResult> loopSizes,
                              const ScoreOperands &ops, ScoreLayout layout,
                              bool bf16Dot) {
  MLIRContext *ctx = b.getContext();
  Type f32 = b.getF32Type();
  SmallVector<unsigned> scoreDims = scoreLoopDims(dims, layout);
  AffineMap scoreMap = loopTensorMap(scoreDims, numLoops, ctx);
  Value scale = convertFloat(b, loc, ops.scale, f32);
  bool rowsInner = layout == ScoreLayout::RowsInner;
  std::optional<PairSplit> pairs;
  if (bf16Dot && rowsInner && isBF16(ops.query) && isBF16(ops.key))
    pairs = splitIntoPairs(b, dims.k1, dims.m.back(), loopSizes);
  // Whether S comes scaled (RowsInner folds the scale into Qt).
  bool scaledAlready = rowsInner && !pairs;

  Value s;
  if (pairs)
    s = buildPairedScores(b, loc, dims, *pairs, ops, scoreDims);
  else
    s = buildFloatScores(b, loc, dims, numLoops, loopSizes, ops, layout, scale);
  if (scaledAlready && !ops.mask && !ops.diagonal)
    return s;

  // S = scale * S [+ mask] (unless scaled already).
  SmallVector<Value> inputs = {s};
  SmallVector<AffineMap> inputMaps = {scoreMap};
  if (ops.mask) {
    inputs.push_back(ops.mask);
    inputMaps.push_back(ops.maskMap);
  }
  Value init = createLoopTensor(b, loc, scoreDims, loopSizes, f32);
  auto positionOf = [&](unsigned dim) {
    return unsigned(llvm::find(scoreDims, dim) - scoreDims.begin());
  };
  unsigned rowLoop = positionOf(dims.m.back());
  unsigned keyLoop = dims.k2.empty() ? 0 : positionOf(dims.k2.front());
  return buildGeneric(
      b, loc, scoreDims, numLoops, inputs, inputMaps, init, scoreMap,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value scaled =
            scaledAlready
                ? args[0]
                : arith::MulFOp::create(nb, nl, args[0], scale).getResult();
        Value minusInf = arith::ConstantOp::create(
            nb, nl,
            nb.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
        if (ops.mask) {
          Value mask = args[1];
          scaled = mask.getType().isInteger(1)
                       ? arith::SelectOp::create(nb, nl, mask, scaled, minusInf)
                             .getResult()
                       : arith::AddFOp::create(nb, nl, scaled,
                                               convertFloat(nb, nl, mask, f32))
                             .getResult();
        }
        if (!ops.diagonal)
          return scaled;
        // Visible iff j <= i + diagonal.
        Value i = linalg::IndexOp::create(nb, nl, rowLoop);
        Value j = linalg::IndexOp::create(nb, nl, keyLoop);
        Value last = arith::AddIOp::create(nb, nl, i, ops.diagonal);
        Value visible =
            arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sle, j, last);
        return arith::SelectOp::create(nb, nl, visible, scaled, minusInf)
            .getResult();
      });
}

Value mlir::attn::normalizeOutput(OpBuilder &b, Location loc, Value acc,
                                  Value sum, Type outElem) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value isEmpty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum, zero);
  Value div = arith::DivFOp::create(b, loc, acc, sum);
  Value o = arith::SelectOp::create(b, loc, isEmpty, zero, div);
  return convertFloat(b, loc, o, outElem);
}

Value mlir::attn::logSumExp(OpBuilder &b, Location loc, Value max, Value sum) {
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  Value minusInf = arith::ConstantOp::create(
      b, loc, b.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  Value isEmpty =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, sum, zero);
  Value lse =
      arith::AddFOp::create(b, loc, max, math::LogOp::create(b, loc, sum));
  return arith::SelectOp::create(b, loc, isEmpty, minusInf, lse);
}

SmallVector<Value> mlir::attn::buildNormalization(
    OpBuilder &b, Location loc, const AttentionDims &dims, unsigned numLoops,
    Value acc, AffineMap accMap, Value max, Value sum, AffineMap rowMap,
    Value init, AffineMap outMap, Value lse, AffineMap lseMap) {
  Type outElem = getElementTypeOrSelf(init.getType());
  SmallVector<unsigned> space = unionOf({dims.batch, dims.m, dims.n});
  if (!lse)
    return {buildGeneric(
        b, loc, space, numLoops, ValueRange{acc, sum}, {accMap, rowMap}, init,
        outMap, [&](OpBuilder &nb, Location nl, ValueRange args) {
          return normalizeOutput(nb, nl, args[0], args[1], outElem);
        })};
  return buildGeneric(b, loc, space, numLoops, ValueRange{acc, max, sum},
                      {accMap, rowMap, rowMap}, ValueRange{init, lse},
                      {outMap, lseMap},
                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                        return SmallVector<Value>{
                            normalizeOutput(nb, nl, args[0], args[2], outElem),
                            logSumExp(nb, nl, args[1], args[2])};
                      });
}

namespace {
/// An input of reduceSplits: indexed by (split, dims...) or by (dims...),
/// the dims being positions among the output's dims.
struct SplitInput {
  Value value;
  SmallVector<unsigned> dims;
  bool hasSplit;
};
} // namespace

/// A linalg.generic over the dims of `out` (identity map) plus an
/// innermost reduction over the split dim.
static Value reduceSplits(OpBuilder &b, Location loc,
                          ArrayRef<SplitInput> inputs, Value out,
                          GenericBody body) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = cast<RankedTensorType>(out.getType()).getRank();
  SmallVector<AffineMap> maps;
  SmallVector<Value> values;
  for (const SplitInput &in : inputs) {
    SmallVector<AffineExpr> exprs;
    if (in.hasSplit)
      exprs.push_back(getAffineDimExpr(rank, ctx));
    for (unsigned p : in.dims)
      exprs.push_back(getAffineDimExpr(p, ctx));
    maps.push_back(AffineMap::get(rank + 1, 0, exprs, ctx));
    values.push_back(in.value);
  }
  maps.push_back(
      AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank));
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{out.getType()}, values, ValueRange{out}, maps,
             iterators,
             [&](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, args));
             })
      .getResult(0);
}

/// A tensor of `partial`'s shape without its leading split dim, filled.
static Value filledWithoutSplit(OpBuilder &b, Location loc, Value partial,
                                float value) {
  auto type = cast<RankedTensorType>(partial.getType());
  Value empty = tensor::EmptyOp::create(b, loc, type.getShape().drop_front(),
                                        type.getElementType());
  Value v = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  return linalg::FillOp::create(b, loc, v, empty).getResult(0);
}

SmallVector<Value> mlir::attn::mergeSplitStates(OpBuilder &b, Location loc,
                                                Value pAcc, Value pMax,
                                                Value pSum,
                                                ArrayRef<unsigned> rowsInAcc) {
  unsigned rowRank = cast<RankedTensorType>(pMax.getType()).getRank() - 1;
  unsigned accRank = cast<RankedTensorType>(pAcc.getType()).getRank() - 1;
  SmallVector<unsigned> rows = llvm::to_vector(llvm::seq<unsigned>(0, rowRank));
  SmallVector<unsigned> accDims =
      llvm::to_vector(llvm::seq<unsigned>(0, accRank));
  Value max = reduceSplits(
      b, loc, {{pMax, rows, true}},
      filledWithoutSplit(b, loc, pMax, -std::numeric_limits<float>::infinity()),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        return arith::MaximumFOp::create(nb, nl, args[0], args[1]).getResult();
      });
  // args: a partial value, its split's max, the merged max, the sum so far.
  auto weighted = [](OpBuilder &nb, Location nl, ValueRange args) {
    Value c = expMinusMax(nb, nl, args[1], args[2]);
    Value term = arith::MulFOp::create(nb, nl, args[0], c);
    return arith::AddFOp::create(nb, nl, args[3], term).getResult();
  };
  Value sum = reduceSplits(
      b, loc, {{pSum, rows, true}, {pMax, rows, true}, {max, rows, false}},
      filledWithoutSplit(b, loc, pSum, 0.0f), weighted);
  SmallVector<unsigned> rowPositions(rowsInAcc);
  Value acc = reduceSplits(b, loc,
                           {{pAcc, accDims, true},
                            {pMax, rowPositions, true},
                            {max, rowPositions, false}},
                           filledWithoutSplit(b, loc, pAcc, 0.0f), weighted);
  return {acc, max, sum};
}
