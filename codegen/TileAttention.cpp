//===- TileAttention.cpp - flash-attention tiling -------------------------===//
//
// Two applications of upstream SCF tiling: the output normalization is
// tiled with scf.forall over batch x M and the online attention (plus its
// state initialization) fused into it; then the fused online attention is
// tiled along K2 with scf.for, the running state being the loop-carried
// destination.
//
//===----------------------------------------------------------------------===//

#include "codegen/HostCpu.h"
#include "codegen/Passes.h"
#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"
#include "llvm/Support/Threading.h"

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
  int64_t chooseSplits(OnlineAttentionOp op);
  void splitKeys(RewriterBase &rewriter, OnlineAttentionOp op, int64_t splits);
};

/// The parallel tiles of the (batch, M) tiling and the loop sizes.
struct ParallelTiles {
  SmallVector<int64_t> sizes, tiles; // per loop
  SmallVector<unsigned> loops;       // batch and M loops, in loop order
  int64_t count = 1;
};
} // namespace

/// The fraction of worker slots (threads x waves of parallel tiles) that
/// must hold a tile before the key loop is split only to fill the last
/// wave (chooseSplits).
constexpr double kMinWaveBalance = 0.9;

/// Rows per tile of the innermost M dim (chooseRowTile; after
/// attn-pad-query-rows they divide a static dim).
static int64_t resolveMTile(OnlineAttentionOp op, int64_t requested) {
  SmallVector<int64_t> sizes =
      getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
  return chooseRowTile(sizes[op.getDims().m.back()], requested,
                       convertsStridedValueBlocks(
                           op.getValue(), op.getValueMap(), op.getDims().k2));
}

/// Tile size of each loop in the parallel tiling: batch dims 1, the
/// innermost M dim `mTile` rows; when that dim has fewer rows than a tile
/// (decode; GQA with the query-head group as an outer M dim), outer M dims
/// fill the tile with whole dims, so one tile reads each K/V block once for
/// all of them. Other loops 0 (not tiled).
static SmallVector<int64_t> parallelTileSizes(OnlineAttentionOp op,
                                              int64_t mTile) {
  AttentionDims dims = op.getDims();
  SmallVector<int64_t> sizes =
      getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
  mTile = resolveMTile(op, mTile);
  SmallVector<int64_t> tiles(sizes.size(), 0);
  for (unsigned d : dims.batch)
    tiles[d] = 1;
  int64_t inner = sizes[dims.m.back()];
  // A dim smaller than a tile is taken whole: static tile shapes.
  tiles[dims.m.back()] =
      !ShapedType::isDynamic(inner) && inner < mTile ? inner : mTile;
  int64_t budget =
      ShapedType::isDynamic(inner) || inner >= mTile ? 1 : mTile / inner;
  for (unsigned d : llvm::reverse(ArrayRef<unsigned>(dims.m).drop_back())) {
    bool whole = !ShapedType::isDynamic(sizes[d]) && sizes[d] <= budget;
    tiles[d] = whole ? sizes[d] : 1;
    budget = whole ? budget / sizes[d] : 1;
  }
  return tiles;
}

static std::optional<ParallelTiles> getParallelTiles(OnlineAttentionOp op,
                                                     int64_t mTile) {
  ParallelTiles t;
  t.sizes = getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
  if (llvm::any_of(t.sizes, ShapedType::isDynamic))
    return std::nullopt;
  AttentionDims dims = op.getDims();
  t.tiles = parallelTileSizes(op, mTile);
  t.loops = unionOf({dims.batch, dims.m});
  for (unsigned d : t.loops)
    t.count *= llvm::divideCeil(t.sizes[d], t.tiles[d]);
  return t;
}

/// Causal tiles differ in work (the last query rows see the most keys).
/// The parallel loop is split into contiguous chunks, one per thread, so
/// the M tiles are visited in the order 0, T-1, 1, T-2, ...: every pair of
/// neighbouring iterations does about the same work as any other.
static void interleaveCausalTiles(RewriterBase &rewriter, scf::ForallOp loop,
                                  unsigned mLoop, int64_t mTile) {
  Value iv = loop.getInductionVar(mLoop);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointToStart(loop.getBody());
  Location loc = loop.getLoc();
  AffineExpr offset, rows;
  bindSymbols(rewriter.getContext(), offset, rows);
  OpFoldResult numTiles = loop.getMixedUpperBound()[mLoop];
  Value tiles = affine::makeComposedAffineApply(
      rewriter, loc, offset.ceilDiv(mTile), {numTiles});
  Value t = affine::makeComposedAffineApply(rewriter, loc,
                                            offset.floorDiv(mTile), {iv});
  // t even: t / 2; t odd: T - 1 - t / 2.
  Value half =
      affine::makeComposedAffineApply(rewriter, loc, offset.floorDiv(2), {t});
  Value mirrored = affine::makeComposedAffineApply(
      rewriter, loc, rows - offset - 1, {half, tiles});
  Value parity =
      affine::makeComposedAffineApply(rewriter, loc, offset % 2, {t});
  Value odd =
      arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::ne, parity,
                            arith::ConstantIndexOp::create(rewriter, loc, 0));
  Value tile = arith::SelectOp::create(rewriter, loc, odd, mirrored, half);
  Value permuted =
      affine::makeComposedAffineApply(rewriter, loc, offset * mTile, {tile});
  // Every other use of the offset (slices, sizes) takes the permuted one.
  llvm::SmallPtrSet<Operation *, 8> prologue;
  for (Operation &op : *loop.getBody()) {
    prologue.insert(&op);
    if (&op == permuted.getDefiningOp())
      break;
  }
  rewriter.replaceUsesWithIf(iv, permuted, [&](OpOperand &use) {
    return !prologue.contains(use.getOwner());
  });
}

/// Causal flash attention visits only the key blocks some row of the tile
/// sees: with D the tile's diagonal and R its rows, keys [0, end) where
/// end = clamp(D + R, 0, K2). Blocks that every row sees entirely,
/// [0, full) with full = floor(clamp(D + 1, 0, end) / block) * block, run
/// in a loop without any causal masking; the diagonal blocks [full, end)
/// follow in the original loop. Upstream has no loop splitting at a
/// computed bound, so it is written here.
/// For a key loop whose iterations are all whole blocks (it starts at a
/// multiple of its step and ends at one no larger than the key count): the
/// block sizes tiling made for a partial last block, min(step, keys - iv),
/// are the step. Replacing them gives the blocks static shapes (the CPU
/// microkernel's condition), as peeling does for the non-causal loop.
static void makeBlocksWhole(RewriterBase &rewriter, scf::ForOp loop) {
  std::optional<int64_t> step = getConstantIntValue(loop.getStep());
  if (!step)
    return;
  AffineExpr whole = rewriter.getAffineConstantExpr(*step);
  loop.walk([&](affine::AffineMinOp min) {
    if (min.getOperands() != ValueRange{loop.getInductionVar()} ||
        !llvm::is_contained(min.getMap().getResults(), whole))
      return;
    rewriter.setInsertionPoint(min);
    rewriter.replaceOpWithNewOp<arith::ConstantIndexOp>(min, *step);
  });
}

static void splitCausalKeyLoop(RewriterBase &rewriter, scf::ForOp loop,
                               Value diagonal, OpFoldResult rows) {
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(loop);
  Location loc = loop.getLoc();
  AffineExpr d, r, k;
  bindSymbols(rewriter.getContext(), d, r, k);
  Value keys = loop.getUpperBound(), block = loop.getStep();
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value reach =
      affine::makeComposedAffineApply(rewriter, loc, d + r, {diagonal, rows});
  Value end = arith::MaxSIOp::create(
      rewriter, loc, arith::MinSIOp::create(rewriter, loc, reach, keys), zero);
  Value below =
      affine::makeComposedAffineApply(rewriter, loc, d + 1, {diagonal});
  Value clamped = arith::MaxSIOp::create(
      rewriter, loc, arith::MinSIOp::create(rewriter, loc, below, end), zero);
  Value full = arith::MulIOp::create(
      rewriter, loc, arith::DivUIOp::create(rewriter, loc, clamped, block),
      block);

  auto head = cast<scf::ForOp>(rewriter.clone(*loop));
  rewriter.modifyOpInPlace(head, [&] { head.setUpperBound(full); });
  head.walk([&](OnlineAttentionOp step) {
    rewriter.setInsertionPoint(step);
    rewriter.replaceOp(step, step.dropDiagonal(rewriter));
  });
  // The head ends at a multiple of the block no larger than the keys.
  makeBlocksWhole(rewriter, head);
  rewriter.modifyOpInPlace(loop, [&] {
    loop.setLowerBound(full);
    loop.setUpperBound(end);
    loop.getInitArgsMutable().assign(head.getResults());
  });
  // Only a last diagonal block that ends at the last key can be partial:
  // peeled into a loop of its own, the others are whole.
  scf::ForOp partial;
  if (succeeded(scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial)))
    makeBlocksWhole(rewriter, loop);
}

/// The op normalizing `op`'s output: the linalg.generic using acc and sum
/// (and max, when it also writes the LSE as a second result).
static linalg::GenericOp getNormalization(OnlineAttentionOp op) {
  if (!op.getResultAcc().hasOneUse())
    return nullptr;
  auto generic =
      dyn_cast<linalg::GenericOp>(*op.getResultAcc().getUsers().begin());
  if (!generic || generic.getNumDpsInits() > 2)
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
  SmallVector<int64_t> tiles = parallelTileSizes(op, mTile);
  SmallVector<OpFoldResult> tileSizes;
  for (unsigned d : loops)
    tileSizes.push_back(rewriter.getIndexAttr(tiles[d]));
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
  if (op.getDiagonal()) {
    // The forall's loops are the tiled ones (tile size != 0), in order.
    unsigned mLoop = 0;
    for (auto [d, size] : llvm::zip(loops, tileSizes)) {
      if (d == dims.m.back())
        break;
      if (!isConstantIntValue(size, 0))
        ++mLoop;
    }
    interleaveCausalTiles(
        rewriter, cast<scf::ForallOp>(result->loops.front().getOperation()),
        mLoop, resolveMTile(op, mTile));
  }
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
  Value diagonal = op.getDiagonal();
  OpFoldResult rows =
      getLoopSizes(rewriter, op.getLoc(), op.getIndexingMapsArray(),
                   op->getOperands())[dims.m.back()];
  FailureOr<scf::SCFTilingResult> result = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(result))
    return op.emitError("attn-tile-attention: tiling K2 failed");
  rewriter.replaceOp(op, result->replacements);
  auto loop = cast<scf::ForOp>(result->loops.front().getOperation());
  if (diagonal) {
    splitCausalKeyLoop(rewriter, loop, diagonal, rows);
    return success();
  }
  // A last, partial key block in a loop of its own: the main loop's blocks
  // then have static shapes, which the CPU microkernel needs.
  scf::ForOp partial;
  (void)scf::peelForLoopAndSimplifyBounds(rewriter, loop, partial);
  return success();
}

/// The exact merge of `op`'s partial states (leading split dim); see
/// mergeSplitStates.
static SmallVector<Value> mergePartials(OpBuilder &b, OnlineAttentionOp op,
                                        ValueRange partials) {
  SmallVector<unsigned> rowsInAcc;
  for (AffineExpr e : op.getMaxMap().getResults())
    rowsInAcc.push_back(*op.getOutputMap().getResultPosition(e));
  return mergeSplitStates(b, op.getLoc(), partials[0], partials[1], partials[2],
                          rowsInAcc);
}

/// Offsets and sizes (over all loops) of the split's tile: ivs are the
/// split index then the parallel tile indices (ParallelTiles::loops).
static void splitTile(OpBuilder &b, Location loc, OnlineAttentionOp op,
                      const ParallelTiles &tiles, ValueRange ivs, int64_t chunk,
                      SmallVector<OpFoldResult> &offsets,
                      SmallVector<OpFoldResult> &sizes) {
  AttentionDims dims = op.getDims();
  offsets.assign(tiles.sizes.size(), b.getIndexAttr(0));
  sizes.clear();
  for (int64_t size : tiles.sizes)
    sizes.push_back(b.getIndexAttr(size));
  AffineExpr iv, rest;
  bindSymbols(b.getContext(), iv, rest);
  auto tileAt = [&](unsigned d, Value index, int64_t tile) {
    offsets[d] = affine::makeComposedFoldedAffineApply(b, loc, iv * tile,
                                                       {OpFoldResult(index)});
    if (tiles.sizes[d] % tile == 0 || tiles.sizes[d] < tile) {
      sizes[d] = b.getIndexAttr(std::min(tile, tiles.sizes[d]));
      return;
    }
    AffineMap bounds = AffineMap::get(
        0, 1, {b.getAffineConstantExpr(tile), tiles.sizes[d] - iv * tile},
        b.getContext());
    sizes[d] = affine::makeComposedFoldedAffineMin(b, loc, bounds,
                                                   {OpFoldResult(index)});
  };
  tileAt(dims.k2.back(), ivs[0], chunk);
  for (auto [d, index] : llvm::zip(tiles.loops, ivs.drop_front()))
    tileAt(d, index, tiles.tiles[d]);
}

/// Flash-decoding: one scf.forall over (split, batch and M tiles) computes
/// each split's partial state from a fresh one; mergePartials combines
/// them and takes the place of `op`'s results.
void TileAttentionPass::splitKeys(RewriterBase &rewriter, OnlineAttentionOp op,
                                  int64_t splits) {
  Location loc = op.getLoc();
  ParallelTiles tiles = *getParallelTiles(op, mTile);
  AttentionDims dims = op.getDims();
  int64_t keys = tiles.sizes[dims.k2.back()];
  int64_t chunk = llvm::alignTo(llvm::divideCeil(keys, splits), k2Tile);
  splits = llvm::divideCeil(keys, chunk);
  SmallVector<Value> partials;
  for (Value init : op.getDpsInits()) {
    auto type = cast<RankedTensorType>(init.getType());
    SmallVector<int64_t> shape = {splits};
    llvm::append_range(shape, type.getShape());
    partials.push_back(
        tensor::EmptyOp::create(rewriter, loc, shape, type.getElementType()));
  }
  SmallVector<OpFoldResult> lbs, ubs = {rewriter.getIndexAttr(splits)}, steps;
  for (unsigned d : tiles.loops)
    ubs.push_back(rewriter.getIndexAttr(
        llvm::divideCeil(tiles.sizes[d], tiles.tiles[d])));
  lbs.assign(ubs.size(), rewriter.getIndexAttr(0));
  steps.assign(ubs.size(), rewriter.getIndexAttr(1));
  auto forall = scf::ForallOp::create(rewriter, loc, lbs, ubs, steps, partials,
                                      /*mapping=*/std::nullopt);
  rewriter.setInsertionPoint(forall.getTerminator());
  SmallVector<OpFoldResult> offsets, sizes;
  splitTile(rewriter, loc, op, tiles, forall.getInductionVars(), chunk, offsets,
            sizes);
  FailureOr<TilingResult> tiled =
      op.getTiledImplementation(rewriter, offsets, sizes);
  assert(succeeded(tiled) && "online attention tiling cannot fail");
  rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
  for (auto [i, value] : llvm::enumerate(tiled->tiledValues)) {
    SmallVector<OpFoldResult> at, extent;
    (void)op.getResultTilePosition(rewriter, i, offsets, sizes, at, extent);
    at.insert(at.begin(), forall.getInductionVars()[0]);
    extent.insert(extent.begin(), rewriter.getIndexAttr(1));
    SmallVector<OpFoldResult> strides(at.size(), rewriter.getIndexAttr(1));
    tensor::ParallelInsertSliceOp::create(rewriter, loc, value,
                                          forall.getRegionIterArgs()[i], at,
                                          extent, strides);
  }
  rewriter.setInsertionPointAfter(forall);
  SmallVector<Value> merged = mergePartials(rewriter, op, forall.getResults());
  // The state results; `op` itself is erased with the other dead ones.
  for (auto [result, value] : llvm::zip(op->getResults(), merged))
    rewriter.replaceAllUsesWith(result, value);
}

int64_t TileAttentionPass::chooseSplits(OnlineAttentionOp op) {
  if (k2Splits == 1 || !getNormalization(op))
    return 1;
  std::optional<ParallelTiles> tiles = getParallelTiles(op, mTile);
  if (!tiles)
    return 1;
  int64_t keys = tiles->sizes[op.getDims().k2.back()];
  int64_t maxSplits = std::max<int64_t>(1, llvm::divideCeil(keys, k2Tile));
  if (k2Splits > 1)
    return std::min(k2Splits.getValue(), maxSplits);
  int64_t threads =
      workers > 0 ? workers.getValue()
                  : std::max<int64_t>(
                        1, llvm::hardware_concurrency().compute_thread_count());
  // The fewest splits (each chunk at least two key blocks) that give every
  // worker two tiles and keep kMinWaveBalance of the worker slots busy (5
  // tiles on 4 workers: 2 waves, 3 of 8 slots idle; 3 splits: 15 of 16
  // busy). Causal tiles differ in work: interleaveCausalTiles balances
  // them once each worker has two.
  int64_t mostSplits = std::max<int64_t>(1, maxSplits / 2);
  auto balanced = [&](int64_t s) {
    int64_t work = tiles->count * s;
    return work >= 2 * threads &&
           (op.getDiagonal() ||
            double(work) / double(llvm::alignTo(work, threads)) >=
                kMinWaveBalance);
  };
  for (int64_t s = 1; s <= mostSplits; ++s)
    if (balanced(s))
      return s;
  return mostSplits;
}

void TileAttentionPass::runOnOperation() {
  if (mTile < 0 || k2Tile <= 0) {
    getOperation().emitError("attn-tile-attention: m-tile must not be "
                             "negative, k2-tile must be positive");
    return signalPassFailure();
  }
  if (k2Splits < 0 || workers < 0) {
    getOperation().emitError("attn-tile-attention: k2-splits and workers "
                             "must not be negative");
    return signalPassFailure();
  }
  IRRewriter rewriter(&getContext());
  SmallVector<OnlineAttentionOp> ops;
  getOperation().walk([&](OnlineAttentionOp op) { ops.push_back(op); });
  for (OnlineAttentionOp op : ops) {
    if (op->getParentOfType<scf::ForallOp>())
      continue; // already tiled
    rewriter.setInsertionPoint(op);
    if (int64_t splits = chooseSplits(op); splits > 1) {
      splitKeys(rewriter, op, splits);
      continue;
    }
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
