//===- DecomposeOnlineAttention.cpp - online attention -> linalg ----------===//
//
// Upstream has no decomposition for flash attention's online-softmax step
// (linalg.softmax decomposes a whole softmax only), so it is written here as
// a handful of linalg.generic ops over the right loop subsets.
//
//===----------------------------------------------------------------------===//

#include "codegen/AttentionUtils.h"
#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSEONLINEATTENTION
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static void decompose(RewriterBase &rewriter, OnlineAttentionOp op) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Type f32 = rewriter.getF32Type();
  Scores scores = computeScores(rewriter, op);
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

  // sum' = corr * sum + rowsum(P).
  auto scaleBy = [](OpBuilder &b, Location l, ValueRange args) {
    return arith::MulFOp::create(b, l, args[0], args[1]).getResult();
  };
  Value scaledSum = buildGeneric(
      rewriter, loc, rowDims, numLoops, ValueRange{op.getSum(), corr},
      {sumMap, maxMap}, op.getSum(), sumMap, scaleBy);
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
  Value scaledAcc = buildGeneric(
      rewriter, loc, accLayoutDims, numLoops, ValueRange{op.getAcc(), corr},
      {accMap, maxMap}, op.getAcc(), accMap, scaleBy);
  Type accElem = getElementTypeOrSelf(op.getAcc().getType());
  // Innermost loop: V's contiguous dim. Standard V ([.., K2, N]) vectorizes
  // over N; transposed V ([.., N, K2]) is a dot product over K2.
  AffineMap vMap = op.getValueMap();
  unsigned vInner =
      cast<AffineDimExpr>(vMap.getResult(vMap.getNumResults() - 1))
          .getPosition();
  SmallVector<unsigned> pvOrder = unionOf({accDims, dims.k2});
  llvm::erase(pvOrder, vInner);
  pvOrder.push_back(vInner);
  Value newAcc = buildGeneric(
      rewriter, loc, pvOrder, numLoops, ValueRange{p, op.getValue()},
      {scoreMap, vMap}, scaledAcc, accMap,
      [&](OpBuilder &b, Location l, ValueRange args) {
        auto flags =
            arith::FastMathFlags::reassoc | arith::FastMathFlags::contract;
        Value v = convertFloat(b, l, args[1], f32);
        Value prod = arith::MulFOp::create(b, l, args[0], v, flags);
        Value acc = convertFloat(b, l, args[2], f32);
        return convertFloat(b, l, arith::AddFOp::create(b, l, acc, prod, flags),
                            accElem);
      });
  rewriter.replaceOp(op, ValueRange{newAcc, newMax, newSum});
}

namespace {
struct DecomposeOnlineAttentionPass
    : public mlir::attn::impl::AttnDecomposeOnlineAttentionBase<
          DecomposeOnlineAttentionPass> {
  void runOnOperation() override {
    SmallVector<OnlineAttentionOp> ops;
    getOperation()->walk([&](OnlineAttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (OnlineAttentionOp op : ops)
      decompose(rewriter, op);
  }
};
} // namespace
