//===- CpuMicrokernel.cpp - register-tiled contractions on the CPU --------===//
//
// The two products of a flash-attention block in the RowsInner form of the
// decomposition (S[k2][m] = K . Qt, acc[m][n] += P^T . V or, transposed V,
// acc[n][m] += V^T . P) are contractions whose output's contiguous dim is
// also contiguous in one input (the vector operand) and absent from the
// other (the broadcast operand). Each becomes register-tiled vector code,
// all with upstream pieces:
//  1. SCF tiling (TilingInterface) to R x V register tiles: V lanes of the
//     contiguous dim (a few host vector registers), R rows of another
//     parallel dim of the broadcast operand, reduction step 1, the
//     reduction loop innermost;
//  2. linalg's vectorizer, then the reduction-to-contract patterns: one
//     vector.contract per reduction step;
//  3. hoistLoopInvariantSubsets: the R x V accumulator is read before the
//     reduction loop, carried in registers through it, written after it;
//  4. the contract lowered to outer products: per row one broadcast of the
//     broadcast operand's element and ceil(V / lanes) FMAs.
// R and V come from the host's vector unit (register width and count).
// Contractions of any other shape (decode's dot products, dynamic tiles)
// are left to LLVM's loop vectorizer, as before this pass.
//
//===----------------------------------------------------------------------===//

#include "codegen/HostCpu.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCPUMICROKERNEL
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
/// How one contraction is register-tiled: loop dims and tile sizes.
struct RegisterTile {
  unsigned vectorDim, reductionDim;
  std::optional<unsigned> rowDim;
  /// The pair dim of a product on bf16 pairs (innermost in both inputs,
  /// size 2; see PairSplit in dialect/AttnBuilders.h): kept whole in each
  /// tile and contracted by x86vector.avx512.dot.
  std::optional<unsigned> pairDim;
  int64_t vectorTile = 1, rowTile = 1;
  /// Whether the vector operand is the first input (toContract makes the
  /// broadcast operand the lhs).
  bool swapInputs = false;
};

struct CpuMicrokernelPass
    : public mlir::attn::impl::AttnCpuMicrokernelBase<CpuMicrokernelPass> {
  using Base::Base;
  void runOnOperation() override;
};
} // namespace

/// The loop dim an operand's contiguous (last) dim is indexed by, if any.
static std::optional<unsigned> innermostDim(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(map.getResult(map.getNumResults() - 1));
  if (!dim)
    return std::nullopt;
  return dim.getPosition();
}

/// The bf16 pair dim of a contraction with `maps` and loop `sizes`: a
/// reduction loop of size 2 innermost in both bf16 inputs.
static std::optional<unsigned> pairDimOf(linalg::GenericOp op,
                                         ArrayRef<AffineMap> maps,
                                         ArrayRef<int64_t> sizes) {
  std::optional<unsigned> pair = innermostDim(maps[0]);
  if (!pair || innermostDim(maps[1]) != pair || sizes[*pair] != 2 ||
      op.getIteratorTypesArray()[*pair] != utils::IteratorType::reduction ||
      !llvm::all_of(op.getDpsInputs(), [](Value input) {
        return getElementTypeOrSelf(input.getType()).isBF16();
      }))
    return std::nullopt;
  return pair;
}

/// The loop dim of an operand's contiguous dim, or of the dim before it
/// when the contiguous one is `pair` (whole pairs are its elements).
static std::optional<unsigned> innermostDim(AffineMap map,
                                            std::optional<unsigned> pair) {
  std::optional<unsigned> inner = innermostDim(map);
  if (!pair || inner != pair)
    return inner;
  if (map.getNumResults() < 2)
    return std::nullopt;
  auto dim = dyn_cast<AffineDimExpr>(map.getResult(map.getNumResults() - 2));
  if (!dim)
    return std::nullopt;
  return dim.getPosition();
}

/// Largest divisor of `size` that is at most `limit` (at least 1).
static int64_t largestDivisorAtMost(int64_t size, int64_t limit) {
  for (int64_t d = std::min(size, limit); d > 1; --d)
    if (size % d == 0)
      return d;
  return 1;
}

/// Lanes of the vector dim per register tile: the largest power of two
/// up to `maxLanes` that divides `size` (1, 2 or 4 registers of `lanes`, or
/// one narrower register, e.g. ymm). LLVM lowers the n-D vectors of other
/// widths (head dim 80 as 40 lanes, 96 as 48) to per-element inserts and
/// shuffles: 9 GFLOP/s against 70-80.
static int64_t chooseVectorTile(int64_t size, int64_t maxLanes) {
  int64_t t = llvm::PowerOf2Ceil(maxLanes + 1) / 2;
  while (t > 1 && size % t != 0)
    t /= 2;
  return t;
}

/// The register tiling of `op`, or nullopt when it is not a contraction of
/// the outer-product shape with static sizes.
static std::optional<RegisterTile>
matchRegisterTile(linalg::GenericOp op, const HostVectorUnit &unit) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op) ||
      failed(linalg::vectorizeOpPrecondition(op)))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps,
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  RegisterTile tile;
  tile.pairDim = pairDimOf(op, maps, sizes);
  std::optional<unsigned> v = innermostDim(maps[2]);
  if (!v)
    return std::nullopt;
  tile.vectorDim = *v;
  tile.swapInputs = innermostDim(maps[0], tile.pairDim) == v;
  // The vector operand has the vector dim innermost (or just before the
  // pair); the other operand does not use it.
  unsigned vectorOperand = tile.swapInputs ? 0 : 1;
  AffineMap vecMap = maps[vectorOperand], bcastMap = maps[1 - vectorOperand];
  if (innermostDim(vecMap, tile.pairDim) != v || bcastMap.isFunctionOfDim(*v))
    return std::nullopt;
  // One reduction dim with more than one iteration (besides the pair).
  std::optional<unsigned> r;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray())) {
    if (it != utils::IteratorType::reduction || sizes[d] == 1 ||
        d == tile.pairDim)
      continue;
    if (r)
      return std::nullopt;
    r = d;
  }
  if (!r)
    return std::nullopt;
  tile.reductionDim = *r;
  // Rows: the largest other parallel dim of the output and the broadcast
  // operand that the vector operand does not use.
  for (unsigned d = 0; d < sizes.size(); ++d) {
    if (d == *v || sizes[d] == 1 || !maps[2].isFunctionOfDim(d) ||
        !bcastMap.isFunctionOfDim(d) || vecMap.isFunctionOfDim(d))
      continue;
    if (!tile.rowDim || sizes[d] > sizes[*tile.rowDim])
      tile.rowDim = d;
  }
  int64_t lanes = unit.bits / 32;
  tile.vectorTile = chooseVectorTile(sizes[*v], unit.maxVectorsPerRow * lanes);
  int64_t vectorsPerRow = llvm::divideCeil(tile.vectorTile, lanes);
  if (tile.rowDim)
    tile.rowTile = largestDivisorAtMost(
        sizes[*tile.rowDim], unit.accumulatorRegisters / vectorsPerRow);
  return tile;
}

/// `op` as a linalg.contract (the same product: `op` passed
/// isaContractionOpInterface) with the broadcast operand as lhs and the
/// loops renumbered to `order` (old dims, new loop order).
static linalg::ContractOp toContract(RewriterBase &rewriter,
                                     linalg::GenericOp op,
                                     const RegisterTile &tile,
                                     ArrayRef<unsigned> order) {
  MLIRContext *ctx = op.getContext();
  SmallVector<AffineExpr> renumber(order.size());
  for (auto [pos, d] : llvm::enumerate(order))
    renumber[d] = getAffineDimExpr(pos, ctx);
  SmallVector<AffineMap> maps;
  for (AffineMap map : op.getIndexingMapsArray())
    maps.push_back(map.replaceDimsAndSymbols(renumber, {}, order.size(), 0));
  Value lhs = op.getDpsInputs()[0], rhs = op.getDpsInputs()[1];
  if (tile.swapInputs) {
    std::swap(lhs, rhs);
    std::swap(maps[0], maps[1]);
  }
  rewriter.setInsertionPoint(op);
  auto contract = linalg::ContractOp::create(
      rewriter, op.getLoc(), op.getResultTypes(), ValueRange{lhs, rhs},
      op.getDpsInits(), rewriter.getAffineMapArrayAttr(maps));
  rewriter.replaceOp(op, contract.getResults());
  return contract;
}

/// Tiles `op` by `tileSizes` (scf.for loops), vectorizes the tile (a
/// linalg.contract as vector.contract) and hoists its accumulator out of
/// the innermost tile loop when that loop is a reduction.
static LogicalResult tileAndVectorize(RewriterBase &rewriter,
                                      TilingInterface op,
                                      ArrayRef<OpFoldResult> tileSizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(tileSizes).setLoopType(
      scf::SCFTilingOptions::LoopType::ForOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  Operation *tiledOp = tiled->tiledOps.front();
  rewriter.setInsertionPoint(tiledOp);
  FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
      rewriter, tiledOp, /*inputVectorSizes=*/{}, /*inputScalableVecDims=*/{},
      /*vectorizeNDExtract=*/false, /*flatten1DDepthwiseConv=*/false,
      /*assumeDynamicDimsMatchVecSizes=*/false,
      /*createNamedContraction=*/true);
  if (failed(vectorized))
    return failure();
  rewriter.replaceOp(tiledOp, vectorized->replacements);
  // The tile's slice of the accumulator, then its vector read/write (once
  // its padding constant is out of the loop), out of every loop it does not
  // depend on, innermost first: the reduction loop carries it in registers.
  for (LoopLikeOpInterface loop : llvm::reverse(tiled->loops)) {
    moveLoopInvariantCode(loop);
    for (int i = 0; i < 2; ++i)
      loop = hoistLoopInvariantSubsets(rewriter, loop);
  }
  return success();
}

/// Whether `op` contracts bf16 pairs: both operands bf16, f32 accumulator,
/// the last loop (the pair) innermost in both operands.
static bool isPairContraction(vector::ContractionOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned pair = maps[0].getNumDims() - 1;
  return getElementTypeOrSelf(op.getLhsType()).isBF16() &&
         getElementTypeOrSelf(op.getRhsType()).isBF16() &&
         getElementTypeOrSelf(op.getAccType()).isF32() &&
         innermostDim(maps[0]) == pair && innermostDim(maps[1]) == pair &&
         isa<VectorType>(op.getAccType());
}

/// Lanes of each x86vector.avx512.dot of the pair contraction `op` on
/// `bits`-wide registers: a register, or an xmm/ymm for a narrower vector
/// tile, dividing its vector dim; nullopt when none does (head dim 6: a
/// 2-lane tile), and the contract is computed in f32 like the others.
static std::optional<int64_t> dotLanes(vector::ContractionOp op,
                                       unsigned bits) {
  if (!isPairContraction(op))
    return std::nullopt;
  int64_t size = cast<VectorType>(op.getAccType()).getShape().back();
  int64_t lanes = std::min<int64_t>(bits / 32, size);
  if (!llvm::is_contained({4, 8, 16}, lanes) || size % lanes != 0)
    return std::nullopt;
  return lanes;
}

/// linalg's vectorizer turns a linalg.contract of f16 and f32 inputs into a
/// vector.contract of the same mixed operands, which vector.contract does
/// not allow (lhs and rhs must have one element type): the narrower operand
/// is extended to the accumulator's type, in registers. So are bf16 pairs
/// that no dot instruction takes.
static void extendMixedOperands(RewriterBase &rewriter, Operation *root,
                                unsigned bits) {
  root->walk([&](vector::ContractionOp op) {
    auto accType = dyn_cast<VectorType>(op.getAccType());
    if (!accType)
      return;
    Type accElem = accType.getElementType();
    // bf16 pairs stay bf16 where x86vector.avx512.dot takes them.
    if (dotLanes(op, bits))
      return;
    rewriter.setInsertionPoint(op);
    for (OpOperand *operand : {&op.getLhsMutable(), &op.getRhsMutable()}) {
      auto type = cast<VectorType>(operand->get().getType());
      if (type.getElementType() == accElem)
        continue;
      Value extended = arith::ExtFOp::create(
          rewriter, op.getLoc(), type.clone(accElem), operand->get());
      rewriter.modifyOpInPlace(op, [&] { operand->set(extended); });
    }
  });
}

/// Register-tiles the contraction `op` as described by `tile`.
static LogicalResult tileContraction(RewriterBase &rewriter,
                                     linalg::GenericOp op,
                                     const RegisterTile &tile) {
  // Loops reordered to (other dims, rows, vector dim, reduction): the
  // order of the tile loops and the (m, n, k) form the outer-product
  // lowering of vector.contract expects.
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    if (d != tile.vectorDim && d != tile.rowDim && d != tile.reductionDim &&
        d != tile.pairDim)
      order.push_back(d);
  if (tile.rowDim)
    order.push_back(*tile.rowDim);
  order.push_back(tile.vectorDim);
  order.push_back(tile.reductionDim);
  if (tile.pairDim)
    order.push_back(*tile.pairDim);
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  SmallVector<OpFoldResult> tileSizes;
  for (unsigned d : order) {
    int64_t size = sizes[d] == 1 || d == tile.pairDim ? 0 : 1;
    if (d == tile.vectorDim)
      size = tile.vectorTile;
    else if (d == tile.rowDim)
      size = tile.rowTile;
    tileSizes.push_back(rewriter.getIndexAttr(size));
  }
  linalg::ContractOp contract = toContract(rewriter, op, tile, order);
  return tileAndVectorize(
      rewriter, cast<TilingInterface>(contract.getOperation()), tileSizes);
}

/// Whether an operand of `op` has elements narrower than a byte (i1 masks):
/// a vector of them is stored as packed bits, where memrefs hold one per
/// byte.
static bool hasSubByteElements(linalg::GenericOp op) {
  return llvm::any_of(op->getOperandTypes(), [](Type type) {
    Type elem = getElementTypeOrSelf(type);
    return elem.isIntOrFloat() && elem.getIntOrFloatBitWidth() < 8;
  });
}

/// Whether `op`'s body computes in bf16 rather than only converting from or
/// to it: LLVM's x86 backend cannot legalize vector bf16 arithmetic
/// (fuzzer seed 136008: a bf16 dequantize multiply as vector<17xbf16>).
static bool computesInBF16(linalg::GenericOp op) {
  return op.getBody()
      ->walk([](Operation *inner) {
        if (isa<arith::ExtFOp, arith::TruncFOp, linalg::YieldOp>(inner))
          return WalkResult::advance();
        return llvm::any_of(inner->getResultTypes(),
                            [](Type t) { return t.isBF16(); })
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Tile sizes that vectorize `op` (elementwise or reducing over outer
/// loops) one row at a time: its innermost loop, parallel and contiguous in
/// the output, in up to four registers; every other loop one iteration at
/// a time. Nullopt for other ops.
static std::optional<SmallVector<int64_t>>
matchRowTile(linalg::GenericOp op, const HostVectorUnit &unit) {
  if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
      hasSubByteElements(op) || computesInBF16(op) ||
      failed(linalg::vectorizeOpPrecondition(op)))
    return std::nullopt;
  SmallVector<int64_t> sizes = op.getStaticLoopRanges();
  if (llvm::any_of(sizes, ShapedType::isDynamic))
    return std::nullopt;
  unsigned inner = op.getNumLoops() - 1;
  if (op.getIteratorTypesArray()[inner] != utils::IteratorType::parallel ||
      llvm::any_of(op.getDpsInitsMutable(), [&](OpOperand &init) {
        return innermostDim(op.getMatchingIndexingMap(&init)) != inner;
      }))
    return std::nullopt;
  SmallVector<int64_t> tiles;
  for (int64_t size : sizes)
    tiles.push_back(size == 1 ? 0 : 1);
  int64_t lanes = unit.bits / 32;
  // A copy into bf16 pairs (innermost loop of size 2, see PairSplit): whole
  // pairs of one register's worth of the loop before it.
  if (sizes[inner] == 2 && inner > 0 &&
      op.getIteratorTypesArray()[inner - 1] == utils::IteratorType::parallel) {
    tiles[inner] = 0;
    int64_t rows = largestDivisorAtMost(sizes[inner - 1], lanes);
    tiles[inner - 1] = rows == sizes[inner - 1] ? 0 : rows;
    return tiles;
  }
  int64_t vector =
      largestDivisorAtMost(sizes[inner], unit.maxVectorsPerRow * lanes);
  tiles[inner] = vector == sizes[inner] ? 0 : vector;
  return tiles;
}

/// The vectorized tiles simplified: unit dims dropped, transfers with
/// permutations made minor-identity reads and broadcasts. (Not the
/// reduction-to-contract patterns: the contracts come from the vectorizer,
/// and those patterns fold an f16 -> f32 extension of one operand into a
/// contract whose other operand is f32, which does not verify.)
static LogicalResult formContractions(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
  vector::populateSinkVectorOpsPatterns(patterns);
  vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
  vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
  vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
  return applyPatternsGreedily(root, std::move(patterns));
}

namespace {
/// One register of a bf16 pair product (unrolled: the pair, `lanes` of the
/// vector dim, every other dim 1) as x86vector.avx512.dot (vdpbf16ps), the
/// broadcast operand's pair as one i32. Upstream's packed-type dot-product
/// pattern does the same for the (m, k, vnni) x (k, n, vnni) order only;
/// the P operand of standard V comes as (k, m, vnni).
struct PairContractionToDot : OpRewritePattern<vector::ContractionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ContractionOp op,
                                PatternRewriter &rewriter) const override {
    if (!isPairContraction(op))
      return failure();
    auto accType = cast<VectorType>(op.getAccType());
    int64_t lanes = accType.getNumElements();
    if (op.getLhsType().getNumElements() != 2 ||
        op.getRhsType().getNumElements() != 2 * lanes ||
        !llvm::is_contained({4, 8, 16}, lanes))
      return failure();
    Location loc = op.getLoc();
    auto flat = [&](Value v, Type elem, int64_t n) {
      return vector::ShapeCastOp::create(rewriter, loc,
                                         VectorType::get({n}, elem), v)
          .getResult();
    };
    Type bf16 = rewriter.getBF16Type(), i32 = rewriter.getI32Type();
    Value pair = vector::BitCastOp::create(
        rewriter, loc, VectorType::get({1}, i32), flat(op.getLhs(), bf16, 2));
    Value pairs = vector::BroadcastOp::create(
        rewriter, loc, VectorType::get({lanes}, i32),
        vector::ExtractOp::create(rewriter, loc, pair, 0));
    Value lhs = vector::BitCastOp::create(
        rewriter, loc, VectorType::get({2 * lanes}, bf16), pairs);
    Value dot = x86vector::DotBF16Op::create(
        rewriter, loc, VectorType::get({lanes}, rewriter.getF32Type()),
        flat(op.getAcc(), rewriter.getF32Type(), lanes), lhs,
        flat(op.getRhs(), bf16, 2 * lanes));
    rewriter.replaceOpWithNewOp<vector::ShapeCastOp>(op, accType, dot);
    return success();
  }
};
} // namespace

/// The bf16 pair contractions as x86vector.avx512.dot: unrolled to one
/// register of lanes (every other dim 1), then PairContractionToDot.
static LogicalResult lowerPairContractions(Operation *root, unsigned bits) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  int64_t lanes = bits / 32;
  auto nativeShape = [=](Operation *op) -> std::optional<SmallVector<int64_t>> {
    // Reads of pairs: one register's worth of whole pairs each, which
    // attn-cpu-flatten-transfers makes one 1-D load after bufferization.
    if (auto read = dyn_cast<vector::TransferReadOp>(op)) {
      VectorType type = read.getVectorType();
      if (!type.getElementType().isBF16() || type.getRank() < 2 ||
          type.getShape().back() != 2)
        return std::nullopt;
      SmallVector<int64_t> shape(type.getRank(), 1);
      shape.back() = 2;
      shape[type.getRank() - 2] =
          chooseVectorTile(type.getShape()[type.getRank() - 2], lanes);
      return shape;
    }
    auto contract = dyn_cast<vector::ContractionOp>(op);
    std::optional<int64_t> dot =
        contract ? dotLanes(contract, bits) : std::nullopt;
    if (!dot)
      return std::nullopt;
    SmallVector<AffineMap> maps = contract.getIndexingMapsArray();
    SmallVector<int64_t> shape(maps[0].getNumDims(), 1);
    shape.back() = 2;
    shape[*innermostDim(maps[2])] = *dot;
    return shape;
  };
  vector::populateVectorUnrollPatterns(
      patterns, vector::UnrollVectorOptions().setNativeShapeFn(nativeShape));
  patterns.add<PairContractionToDot>(ctx);
  return applyPatternsGreedily(root, std::move(patterns));
}

/// vector.contract to outer products (one broadcast and FMA per row and
/// register), reductions over outer dims to elementwise ops, the rest
/// simplified for the later lowering to LLVM.
static LogicalResult lowerContractions(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  vector::populateVectorContractLoweringPatterns(
      patterns, vector::VectorContractLowering::OuterProduct);
  // Transposes (the bf16 pair copies' interleave of two rows) as one
  // shuffle of the flattened vector, which LLVM lowers to a permute.
  vector::populateVectorTransposeLoweringPatterns(
      patterns, vector::VectorTransposeLowering::Shuffle1D);
  vector::populateVectorOuterProductLoweringPatterns(patterns);
  vector::populateVectorMultiReductionLoweringPatterns(
      patterns, vector::VectorMultiReductionLowering::InnerParallel);
  vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
  // Shape casts stay for vector-to-llvm: those of bf16 pairs fold away once
  // attn-cpu-flatten-transfers made their loads 1-D.
  return applyPatternsGreedily(root, std::move(patterns));
}

/// Moves loop-invariant computations out of the key loops: the transposed,
/// scaled query tile of the RowsInner scores is computed once per tile, not
/// once per key block. Fills stay: a hoisted fill would be copied into
/// every iteration's buffer instead of being rewritten in place.
static void hoistInvariantTiles(Operation *root) {
  root->walk([](LoopLikeOpInterface loop) {
    moveLoopInvariantCode(
        loop.getLoopRegions(),
        [&](Value value, Region *) {
          return loop.isDefinedOutsideOfLoop(value);
        },
        [](Operation *op, Region *) {
          return !isa<linalg::FillOp>(op) && isMemoryEffectFree(op) &&
                 isSpeculatable(op);
        },
        [&](Operation *op, Region *) { loop.moveOutOfLoop(op); });
  });
}

void CpuMicrokernelPass::runOnOperation() {
  hoistInvariantTiles(getOperation());
  HostVectorUnit unit =
      vectorBits == 0 ? hostVectorUnit() : vectorUnitOfWidth(vectorBits);
  SmallVector<std::pair<linalg::GenericOp, RegisterTile>> contractions;
  SmallVector<std::pair<linalg::GenericOp, SmallVector<int64_t>>> rows;
  getOperation()->walk([&](linalg::GenericOp op) {
    if (std::optional<RegisterTile> tile = matchRegisterTile(op, unit))
      contractions.push_back({op, *tile});
    else if (std::optional<SmallVector<int64_t>> tiles = matchRowTile(op, unit))
      rows.push_back({op, *tiles});
  });
  IRRewriter rewriter(&getContext());
  for (auto [op, tile] : contractions)
    if (failed(tileContraction(rewriter, op, tile))) {
      op.emitError("attn-cpu-microkernel: register tiling failed");
      return signalPassFailure();
    }
  for (auto [op, tiles] : rows)
    if (failed(
            tileAndVectorize(rewriter, cast<TilingInterface>(*op),
                             getAsIndexOpFoldResult(&getContext(), tiles)))) {
      op.emitError("attn-cpu-microkernel: vectorization failed");
      return signalPassFailure();
    }
  extendMixedOperands(rewriter, getOperation(), unit.bits);
  if ((lowerContracts &&
       failed(lowerPairContractions(getOperation(), unit.bits))) ||
      failed(formContractions(getOperation())) ||
      (lowerContracts && failed(lowerContractions(getOperation()))))
    return signalPassFailure();
}
