//===- CpuPrefetch.cpp - prefetch the next strided block of a loop --------===//
//
// A loop that reads one block of a larger array per iteration (the key
// loop of flash attention reads a K block and a V block) streams through
// memory. A contiguous block is a single stream the hardware prefetchers
// follow; a strided one is not: a transposed V block (V^T [N][K2]) is N
// rows of a few cache lines each, N pages apart, more streams than an L2
// prefetcher tracks, so each iteration starts with N cache misses. This pass
// issues, at the start of each iteration, one software prefetch
// (memref.prefetch) per cache line of the next iteration's block.
//
// It fires on a memref.subview directly inside an scf.for when
//  - the subview's source is loop-invariant and is (a view of) a function
//    argument: data in memory, not a buffer the function allocated;
//  - one of its offsets is the loop's induction variable, the other dynamic
//    offsets are defined outside the loop, its sizes are static;
//  - the block is not contiguous, and its innermost dim (unit stride) spans
//    at least a cache line: whole rows, not a column read element-wise;
//  - the block is only read;
//  - no enclosing loop already prefetches the block it is a view of.
// Upstream has memref.prefetch but no pass that places it (affine's
// data-copy and pipelining passes target explicitly managed memories).
//
//===----------------------------------------------------------------------===//

#include "codegen/HostCpu.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCPUPREFETCH
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Whether `view` is (a chain of subviews/casts of) a function argument.
static bool viewsFunctionArgument(Value view) {
  while (Operation *def = view.getDefiningOp()) {
    auto viewLike = dyn_cast<ViewLikeOpInterface>(def);
    if (!viewLike)
      return false;
    view = viewLike.getViewSource();
  }
  return isa<func::FuncOp>(view.getParentRegion()->getParentOp());
}

/// Whether every use of `view` (through further views) only reads it.
static bool isOnlyRead(Value view) {
  for (Operation *user : view.getUsers()) {
    if (auto viewLike = dyn_cast<ViewLikeOpInterface>(user)) {
      if (viewLike.getViewSource() == view &&
          isOnlyRead(viewLike->getResult(0)))
        continue;
      return false;
    }
    if (isa<vector::TransferReadOp, vector::LoadOp, memref::LoadOp>(user))
      continue;
    if (auto copy = dyn_cast<memref::CopyOp>(user);
        copy && copy.getSource() == view && copy.getTarget() != view)
      continue;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
        linalgOp && llvm::none_of(linalgOp.getDpsInits(),
                                  [&](Value init) { return init == view; }))
      continue;
    return false;
  }
  return true;
}

/// The subview of `loop`'s body worth prefetching (see the file comment),
/// ignoring the enclosing-loop condition.
static bool isStridedBlockRead(memref::SubViewOp view, scf::ForOp loop) {
  Value iv = loop.getInductionVar();
  auto type = view.getType();
  if (!loop.isDefinedOutsideOfLoop(view.getSource()) ||
      !viewsFunctionArgument(view.getSource()) || !type.hasStaticShape() ||
      type.getRank() == 0 || memref::isStaticShapeAndContiguousRowMajor(type))
    return false;
  if (!llvm::is_contained(view.getOffsets(), iv) ||
      llvm::any_of(view.getOffsets(), [&](Value offset) {
        return offset != iv && !loop.isDefinedOutsideOfLoop(offset);
      }))
    return false;
  auto [strides, offset] = type.getStridesAndOffset();
  int64_t rowBytes = type.getShape().back() * type.getElementTypeBitWidth() / 8;
  return strides.back() == 1 && rowBytes >= kCacheLineBytes &&
         isOnlyRead(view.getResult());
}

/// At the start of `loop`'s body: if the next iteration exists, one
/// prefetch per cache line of its `view` block.
static void prefetchNextBlock(memref::SubViewOp view, scf::ForOp loop) {
  ImplicitLocOpBuilder b(view.getLoc(), loop.getBody(),
                         loop.getBody()->begin());
  Value iv = loop.getInductionVar();
  Value next = arith::AddIOp::create(b, iv, loop.getStep());
  Value exists = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, next,
                                       loop.getUpperBound());
  auto guard = scf::IfOp::create(b, exists, /*withElseRegion=*/false);
  b.setInsertionPointToStart(guard.thenBlock());
  SmallVector<OpFoldResult> offsets = view.getMixedOffsets();
  for (OpFoldResult &offset : offsets)
    if (offset == OpFoldResult(iv))
      offset = next;
  auto nextView =
      memref::SubViewOp::create(b, view.getSource(), offsets,
                                view.getMixedSizes(), view.getMixedStrides());
  // One loop per outer dim (but unit ones), then the cache lines of a row
  // (unrolled).
  MemRefType type = nextView.getType();
  int64_t lineElems = kCacheLineBytes * 8 / type.getElementTypeBitWidth();
  SmallVector<Value> columns;
  for (int64_t col = 0; col < type.getShape().back(); col += lineElems)
    columns.push_back(arith::ConstantIndexOp::create(b, col));
  Value zero = columns.front();
  Value one = arith::ConstantIndexOp::create(b, 1);
  SmallVector<Value> indices;
  for (int64_t size : type.getShape().drop_back()) {
    if (size == 1) {
      indices.push_back(zero);
      continue;
    }
    Value bound = arith::ConstantIndexOp::create(b, size);
    auto rows = scf::ForOp::create(b, zero, bound, one);
    indices.push_back(rows.getInductionVar());
    b.setInsertionPoint(rows.getBody()->getTerminator());
  }
  for (Value col : columns) {
    SmallVector<Value> at = indices;
    at.push_back(col);
    memref::PrefetchOp::create(b, nextView, at, /*isWrite=*/false,
                               /*localityHint=*/3, /*isDataCache=*/true);
  }
}

struct CpuPrefetchPass
    : public attn::impl::AttnCpuPrefetchBase<CpuPrefetchPass> {
  void runOnOperation() override {
    // Outer loops first, so a block an enclosing loop prefetches is known
    // when its views in inner loops are visited.
    SmallVector<scf::ForOp> loops;
    getOperation()->walk<WalkOrder::PreOrder>(
        [&](scf::ForOp loop) { loops.push_back(loop); });
    llvm::SmallPtrSet<Value, 8> prefetched;
    auto coveredByOuterLoop = [&](Value view) {
      for (Operation *def = view.getDefiningOp(); def;
           def = def->getOperand(0).getDefiningOp()) {
        if (prefetched.contains(def->getResult(0)))
          return true;
        if (!isa<ViewLikeOpInterface>(def))
          return false;
      }
      return false;
    };
    for (scf::ForOp loop : loops) {
      auto views = llvm::to_vector(loop.getBody()->getOps<memref::SubViewOp>());
      for (memref::SubViewOp view : views) {
        if (!isStridedBlockRead(view, loop) ||
            coveredByOuterLoop(view.getSource()))
          continue;
        prefetched.insert(view.getResult());
        prefetchNextBlock(view, loop);
      }
    }
  }
};

} // namespace
