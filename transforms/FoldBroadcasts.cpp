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
    if (!AttentionDims::infer(maps[0], maps[1], maps[2], maps.back(), &error))
      return declineMatch(rewriter, op, remarks,
                          "not folding the broadcast of " + names +
                              ": the maps would have no valid roles (" + error +
                              ")");
    auto newOp = AttentionOp::create(
        rewriter, op.getLoc(), op->getResultTypes(), operands, op->getAttrs());
    newOp.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    reportDecision(remarks, newOp,
                   "folded the broadcast of " + names +
                       " into the indexing maps (not materialized)");
    SmallVector<Operation *> producers;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        producers.push_back(def);
    rewriter.replaceOp(op, newOp.getResult());
    // The folded copies and their inits.
    eraseDeadChain(rewriter, producers);
    return success();
  }

private:
  ControlFoldBroadcastFn controlFn;
  DecisionRemarks *remarks;
};

struct FoldBroadcastsPass
    : public mlir::attn::impl::AttnFoldBroadcastsBase<FoldBroadcastsPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFoldBroadcastsPatterns(patterns, acceptAllCandidates, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
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
