//===- TileAttention.cpp - flash-attention tiling -------------------------===//
//
// Two applications of upstream SCF tiling: the output normalization is
// tiled with scf.forall over batch x M and the online attention (plus its
// state initialization) fused into it; then the fused online attention is
// tiled along K2 with scf.for, the running state being the loop-carried
// destination.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNTILEATTENTION
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct TileAttentionPass
    : public mlir::attn::impl::AttnTileAttentionBase<TileAttentionPass> {
  using Base::Base;

  void runOnOperation() override;

  LogicalResult tileParallel(RewriterBase &rewriter, OnlineAttentionOp op);
  LogicalResult tileK2(RewriterBase &rewriter, OnlineAttentionOp op);
};
} // namespace

/// The op normalizing `op`'s output: the linalg.generic using acc and sum.
static linalg::GenericOp getNormalization(OnlineAttentionOp op) {
  if (!op.getResultAcc().hasOneUse())
    return nullptr;
  auto generic =
      dyn_cast<linalg::GenericOp>(*op.getResultAcc().getUsers().begin());
  if (!generic || generic.getNumDpsInits() != 1)
    return nullptr;
  return generic;
}

LogicalResult TileAttentionPass::tileParallel(RewriterBase &rewriter,
                                              OnlineAttentionOp op) {
  linalg::GenericOp consumer = getNormalization(op);
  if (!consumer)
    return op.emitError("attn-tile-attention: expected the online attention "
                        "to feed one normalization (run "
                        "attn-convert-to-online-attention first)");
  // The consumer's loops are the sorted batch/M/N dims of the attention.
  AttentionDims dims = op.getDims();
  SmallVector<unsigned> loops(dims.batch);
  llvm::append_range(loops, dims.m);
  llvm::append_range(loops, dims.n);
  llvm::sort(loops);
  SmallVector<OpFoldResult> tileSizes;
  for (unsigned d : loops) {
    int64_t size = 0;
    if (llvm::is_contained(dims.batch, d))
      size = 1;
    else if (llvm::is_contained(dims.m, d))
      size = d == dims.m.back() ? mTile : 1;
    tileSizes.push_back(rewriter.getIndexAttr(size));
  }
  scf::SCFTilingOptions tilingOptions;
  tilingOptions.setTileSizes(tileSizes).setLoopType(
      scf::SCFTilingOptions::LoopType::ForallOp);
  scf::SCFTileAndFuseOptions options;
  options.setTilingOptions(tilingOptions);
  // Fuse the attention and the state initialization, never other producers
  // (a dequantize of V fused here would be recomputed for every M tile).
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (isa<OnlineAttentionOp, linalg::FillOp, tensor::EmptyOp>(
                producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  FailureOr<scf::SCFTileAndFuseResult> result =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(consumer.getOperation()), options);
  if (failed(result))
    return consumer.emitError("attn-tile-attention: tiling over batch and M "
                              "failed");
  for (auto [original, replacement] : result->replacements)
    rewriter.replaceAllUsesWith(original, replacement);
  return success();
}

LogicalResult TileAttentionPass::tileK2(RewriterBase &rewriter,
                                        OnlineAttentionOp op) {
  AttentionDims dims = op.getDims();
  SmallVector<OpFoldResult> tileSizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
  for (unsigned d : dims.k2)
    tileSizes[d] = rewriter.getIndexAttr(d == dims.k2.back() ? k2Tile : 1);
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes).setLoopType(
      scf::SCFTilingOptions::LoopType::ForOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitError("attn-tile-attention: tiling K2 failed");
  rewriter.replaceOp(op, result->replacements);
  return success();
}

void TileAttentionPass::runOnOperation() {
  if (mTile <= 0 || k2Tile <= 0) {
    getOperation().emitError("attn-tile-attention: m-tile and k2-tile must "
                             "be positive");
    return signalPassFailure();
  }
  IRRewriter rewriter(&getContext());
  SmallVector<OnlineAttentionOp> ops;
  getOperation().walk([&](OnlineAttentionOp op) { ops.push_back(op); });
  for (OnlineAttentionOp op : ops) {
    if (op->getParentOfType<scf::ForallOp>())
      continue; // already tiled
    rewriter.setInsertionPoint(op);
    if (failed(tileParallel(rewriter, op)))
      return signalPassFailure();
  }
  // Fusion slices the attention once per fused result (acc, sum); the
  // copies are identical and CSE merges them. Then drop what tiling left
  // dead.
  DominanceInfo domInfo;
  eliminateCommonSubExpressions(rewriter, domInfo, getOperation());
  for (OnlineAttentionOp op : ops)
    if (op->use_empty())
      rewriter.eraseOp(op);

  ops.clear();
  getOperation().walk([&](OnlineAttentionOp op) { ops.push_back(op); });
  for (OnlineAttentionOp op : ops)
    if (failed(tileK2(rewriter, op)))
      return signalPassFailure();
}
