//===- LowerToReference.cpp - naive attention for numerical checks --------===//

#include "codegen/AttentionUtils.h"
#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNLOWERTOREFERENCE
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static void lowerToReference(RewriterBase &rewriter, AttentionOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  Type f32 = rewriter.getF32Type();
  // The full score tensor, materialized.
  Scores scores = computeScores(rewriter, op);
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
  rewriter.replaceOp(op, result);
}

namespace {
struct LowerToReferencePass
    : public mlir::attn::impl::AttnLowerToReferenceBase<LowerToReferencePass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops)
      lowerToReference(rewriter, op);
  }
};
} // namespace
