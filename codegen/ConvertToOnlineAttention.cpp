//===- ConvertToOnlineAttention.cpp - attention -> online form ------------===//

#include "codegen/AttentionUtils.h"
#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCONVERTTOONLINEATTENTION
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static void convertToOnline(RewriterBase &rewriter, AttentionOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  rewriter.setInsertionPoint(op);
  AttentionDims dims = op.getDims();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<OpFoldResult> loopSizes =
      getLoopSizes(rewriter, loc, maps, op->getOperands());
  Type f32 = rewriter.getF32Type();

  // Running state: acc in the output's layout, max/sum over batch x M.
  SmallVector<unsigned> rowDims = unionOf({dims.batch, dims.m});
  AffineMap rowMap = loopTensorMap(rowDims, numLoops, ctx);
  AffineMap outMap = op.getOutputMap();
  SmallVector<unsigned> outDims;
  for (AffineExpr e : outMap.getResults())
    outDims.push_back(cast<AffineDimExpr>(e).getPosition());
  Value acc = createLoopTensor(rewriter, loc, outDims, loopSizes, f32, 0.0);
  Value max = createLoopTensor(rewriter, loc, rowDims, loopSizes, f32,
                               -std::numeric_limits<double>::infinity());
  Value sum = createLoopTensor(rewriter, loc, rowDims, loopSizes, f32, 0.0);

  SmallVector<Value> operands(op.getDpsInputs());
  llvm::append_range(operands, ValueRange{acc, max, sum});
  SmallVector<AffineMap> onlineMaps(maps.begin(), maps.end() - 1);
  llvm::append_range(onlineMaps, ArrayRef<AffineMap>{outMap, rowMap, rowMap});
  auto online = OnlineAttentionOp::create(
      rewriter, loc, TypeRange{acc.getType(), max.getType(), sum.getType()},
      operands,
      {rewriter.getNamedAttr("indexing_maps",
                             rewriter.getAffineMapArrayAttr(onlineMaps))});

  // O = acc / sum, 0 where the whole row was masked out (sum == 0).
  Type outElem = getElementTypeOrSelf(op.getInit().getType());
  Value result = buildGeneric(
      rewriter, loc, unionOf({dims.batch, dims.m, dims.n}), numLoops,
      ValueRange{online.getResultAcc(), online.getResultSum()},
      {outMap, rowMap}, op.getInit(), outMap,
      [&](OpBuilder &b, Location l, ValueRange args) {
        return normalizeOutput(b, l, args[0], args[1], outElem);
      });
  rewriter.replaceOp(op, result);
}

namespace {
struct ConvertToOnlineAttentionPass
    : public mlir::attn::impl::AttnConvertToOnlineAttentionBase<
          ConvertToOnlineAttentionPass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops)
      convertToOnline(rewriter, op);
  }
};
} // namespace
