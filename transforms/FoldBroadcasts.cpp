//===- FoldBroadcasts.cpp - absorb broadcasts into attention maps ---------===//
//
// GQA and MQA models repeat K and V across query heads before attention
// (linalg.broadcast, or a broadcasting linalg.generic, possibly with a
// transpose). attn.attention expresses that for free: K and V maps that do
// not use the heads dim. This pass folds such broadcasts into the maps so
// the repeated K and V are never materialized.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Transforms.h"
#include "transforms/TransposeUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFOLDBROADCASTS
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// A linalg op that only copies its one input: all loops parallel, the
/// input read through a projected permutation, the result written through
/// a permutation, the body yielding the input (linalg.broadcast,
/// linalg.transpose and the generics that spell them).
bool isCopy(linalg::LinalgOp op) {
  if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() != op.getNumParallelLoops())
    return false;
  OpOperand *in = op.getDpsInputOperand(0);
  if (!isa<RankedTensorType>(in->get().getType()) ||
      !op.getMatchingIndexingMap(in).isProjectedPermutation() ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isPermutation())
    return false;
  auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
  return yield.getOperand(0) == op.getBlock()->getArgument(0);
}

/// Whether the copy's input lacks a loop of its result: a broadcast.
bool dropsDims(linalg::LinalgOp copy) {
  return copy.getMatchingIndexingMap(copy.getDpsInputOperand(0))
             .getNumResults() < copy.getNumLoops();
}

/// The operand `value` (indexed by `map` over the attention loops) read
/// from before the copies that produce it: their input and composed map.
/// Sets `broadcast` when one of them broadcasts.
std::pair<Value, AffineMap> throughCopies(Value value, AffineMap map,
                                          bool &broadcast) {
  while (auto copy = value.getDefiningOp<linalg::LinalgOp>()) {
    if (!isCopy(copy) || !value.hasOneUse())
      break;
    AffineMap out = copy.getIndexingMapMatchingResult(cast<OpResult>(value));
    OpOperand *in = copy.getDpsInputOperand(0);
    map = copy.getMatchingIndexingMap(in)
              .compose(inversePermutation(out))
              .compose(map);
    broadcast |= dropsDims(copy);
    value = in->get();
  }
  return {value, map};
}

struct FoldBroadcastsIntoAttention : public OpRewritePattern<AttentionOp> {
  FoldBroadcastsIntoAttention(MLIRContext *context,
                              ControlFoldBroadcastFn controlFn,
                              DecisionRemarks *remarks)
      : OpRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    static constexpr StringLiteral kNames[] = {"Q", "K", "V", "scale", "mask"};
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> operands(op->getOperands());
    SmallVector<std::string> folded;
    for (unsigned i = 0, e = op.getNumDpsInputs(); i < e; ++i) {
      if (i == 3) // scale is a scalar
        continue;
      bool broadcast = false;
      auto [value, map] = throughCopies(operands[i], maps[i], broadcast);
      if (!broadcast) {
        auto copy = operands[i].getDefiningOp<linalg::LinalgOp>();
        if (isCopy(copy) && dropsDims(copy))
          reportDecision(remarks, op,
                         "not folding the broadcast of " + kNames[i] +
                             ": it has other users and would stay alive");
        continue;
      }
      if (!controlFn(&op->getOpOperand(i)))
        continue;
      operands[i] = value;
      maps[i] = map;
      folded.push_back(kNames[i].str());
    }
    if (folded.empty())
      return rewriter.notifyMatchFailure(op, "no broadcast to fold");
    std::string names = llvm::join(folded, ", ");
    // K and V must drop the same dims: a heads dim used by V but not K (or
    // the reverse) has no role.
    std::string error;
    unsigned numInputs = op.getNumDpsInputs();
    if (!AttentionDims::infer(maps[0], maps[1], maps[2], maps[numInputs],
                              &error))
      return declineMatch(rewriter, op, remarks,
                          "not folding the broadcast of " + names +
                              ": the maps would have no valid roles (" + error +
                              ")");
    ArrayRef<Value> all(operands);
    auto newOp = op.cloneWith(rewriter, all.take_front(numInputs),
                              all.drop_front(numInputs), maps);
    reportDecision(remarks, newOp,
                   "folded the broadcast of " + names +
                       " into the indexing maps (not materialized)");
    SmallVector<Operation *> producers;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        producers.push_back(def);
    rewriter.replaceOp(op, newOp);
    // The folded copies and their inits.
    eraseDeadChain(rewriter, producers);
    return success();
  }

private:
  ControlFoldBroadcastFn controlFn;
  DecisionRemarks *remarks;
};

/// GQA as frontends write it (`repeat_kv`): K and V broadcast over a group
/// dim, then that dim merged with the KV-heads dim by a
/// tensor.collapse_shape into the query-heads dim. No map can read through
/// the collapse, so this splits the attention's heads loop into the
/// collapsed dims: K and V read the collapse's source, Q, the mask and the
/// result are reshaped (tensor.expand_shape / collapse_shape, free for
/// contiguous tensors). The broadcast then folds like any other.
struct SplitMergedHeads : public OpRewritePattern<AttentionOp> {
  SplitMergedHeads(MLIRContext *context, DecisionRemarks *remarks)
      : OpRewritePattern(context), remarks(remarks) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    auto kc = op.getKey().getDefiningOp<tensor::CollapseShapeOp>();
    auto vc = op.getValue().getDefiningOp<tensor::CollapseShapeOp>();
    if (!kc || !vc || !isBroadcast(kc.getSrc()) || !isBroadcast(vc.getSrc()))
      return rewriter.notifyMatchFailure(op, "no broadcast merged into heads");
    // The attention dims K's and V's collapses merge, with their sizes.
    std::optional<llvm::MapVector<unsigned, SmallVector<int64_t>>>
        kSplit = splitDims(kc, op.getKeyMap()),
        vSplit = splitDims(vc, op.getValueMap());
    if (!kSplit || !vSplit || kSplit->empty() || !llvm::equal(*kSplit, *vSplit))
      return declineMatch(rewriter, op, remarks,
                          "not splitting the merged heads: K and V merge "
                          "different dims");
    // Old dim d -> its new dims, numbered in order (a split dim's parts are
    // consecutive, so each role's dims keep their relative order).
    unsigned numLoops = 0;
    llvm::DenseMap<unsigned, SmallVector<AffineExpr>> parts;
    MLIRContext *ctx = op.getContext();
    for (unsigned d = 0, e = op.getNumLoops(); d < e; ++d) {
      size_t count = kSplit->count(d) ? (*kSplit)[d].size() : 1;
      for (size_t i = 0; i < count; ++i)
        parts[d].push_back(getAffineDimExpr(numLoops++, ctx));
    }
    auto split = [&](AffineMap map,
                     SmallVectorImpl<ReassociationIndices> *groups) {
      SmallVector<AffineExpr> exprs;
      for (AffineExpr e : map.getResults()) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        ReassociationIndices group;
        for (AffineExpr part : parts[d]) {
          group.push_back(exprs.size());
          exprs.push_back(part);
        }
        if (groups)
          groups->push_back(group);
      }
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    Location loc = op.getLoc();
    SmallVector<Value> operands(op->getOperands());
    SmallVector<AffineMap> maps;
    for (auto [i, map] : llvm::enumerate(op.getIndexingMapsArray())) {
      SmallVector<ReassociationIndices> groups;
      AffineMap newMap = split(map, &groups);
      maps.push_back(newMap);
      if (i == 1 || i == 2) { // K, V: the collapses' sources
        operands[i] = i == 1 ? kc.getSrc() : vc.getSrc();
        continue;
      }
      if (newMap.getNumResults() == map.getNumResults())
        continue;
      auto type = cast<RankedTensorType>(operands[i].getType());
      if (!type.hasStaticShape())
        return declineMatch(rewriter, op, remarks,
                            "not splitting the merged heads: dynamic shapes");
      SmallVector<int64_t> shape;
      for (auto [pos, e] : llvm::enumerate(map.getResults())) {
        unsigned d = cast<AffineDimExpr>(e).getPosition();
        if (kSplit->count(d))
          llvm::append_range(shape, (*kSplit)[d]);
        else
          shape.push_back(type.getDimSize(pos));
      }
      auto expanded = RankedTensorType::get(shape, type.getElementType());
      operands[i] = tensor::ExpandShapeOp::create(rewriter, loc, expanded,
                                                  operands[i], groups);
    }
    ArrayRef<Value> all(operands);
    unsigned numInputs = op.getNumDpsInputs();
    auto newOp = op.cloneWith(rewriter, all.take_front(numInputs),
                              all.drop_front(numInputs), maps);
    reportDecision(remarks, newOp,
                   "split the heads dim that K's and V's broadcast is merged "
                   "into (tensor.collapse_shape) into its parts");
    // The results (O and the lse, if any) back to the merged heads.
    SmallVector<Value> results;
    SmallVector<AffineMap> oldMaps = op.getIndexingMapsArray();
    for (auto [oldResult, newResult, map] :
         llvm::zip(op->getResults(), newOp->getResults(),
                   ArrayRef<AffineMap>(oldMaps).drop_front(numInputs))) {
      SmallVector<ReassociationIndices> groups;
      split(map, &groups);
      results.push_back(tensor::CollapseShapeOp::create(
          rewriter, loc, oldResult.getType(), newResult, groups));
    }
    rewriter.replaceOp(op, results);
    return success();
  }

private:
  static bool isBroadcast(Value v) {
    auto copy = v.getDefiningOp<linalg::LinalgOp>();
    return isCopy(copy) && dropsDims(copy) && v.hasOneUse();
  }

  /// For each group of `collapse` merging several static dims, the
  /// attention dim `map` reads it with, and the merged sizes.
  static std::optional<llvm::MapVector<unsigned, SmallVector<int64_t>>>
  splitDims(tensor::CollapseShapeOp collapse, AffineMap map) {
    llvm::MapVector<unsigned, SmallVector<int64_t>> result;
    RankedTensorType src = collapse.getSrcType();
    if (!collapse->hasOneUse() || !src.hasStaticShape())
      return std::nullopt;
    for (auto [j, group] :
         llvm::enumerate(collapse.getReassociationIndices())) {
      if (group.size() < 2)
        continue;
      SmallVector<int64_t> sizes;
      for (int64_t d : group)
        sizes.push_back(src.getDimSize(d));
      result[cast<AffineDimExpr>(map.getResult(j)).getPosition()] = sizes;
    }
    return result;
  }

  DecisionRemarks *remarks;
};

struct FoldBroadcastsPass
    : public mlir::attn::impl::AttnFoldBroadcastsBase<FoldBroadcastsPass> {
  using Base::Base;

  void runOnOperation() override {
    // First split heads merged after a broadcast (a new attention, which
    // the fold's run then sees), then fold.
    auto split = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      patterns.add<SplitMergedHeads>(patterns.getContext(), d);
    };
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFoldBroadcastsPatterns(patterns, acceptAllCandidates, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  split)) ||
        failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateFoldBroadcastsPatterns(
    RewritePatternSet &patterns, const ControlFoldBroadcastFn &controlFn,
    DecisionRemarks *remarks) {
  patterns.add<FoldBroadcastsIntoAttention>(patterns.getContext(), controlFn,
                                            remarks);
}
