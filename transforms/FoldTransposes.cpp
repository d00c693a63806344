//===- FoldTransposes.cpp - absorb transposes into attention maps ---------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Transforms.h"
#include "transforms/TransposeUtils.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFOLDTRANSPOSES
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Folds the permutations producing Q, K, V or mask into their maps, and a
/// permutation that is the only user of the result into the output map. One
/// rewrite per attention, so that a transpose feeding several operands (Q
/// and K of self-attention) goes away at once.
struct FoldTransposesIntoAttention : public OpRewritePattern<AttentionOp> {
  FoldTransposesIntoAttention(MLIRContext *context,
                              ControlFoldTransposeFn controlFn,
                              DecisionRemarks *remarks)
      : OpRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> operands(op->getOperands());
    bool foldedOperand = foldOperands(op, maps, operands);
    std::optional<Permutation> resultPerm = matchResultPermutation(op);
    if (!foldedOperand && !resultPerm)
      return rewriter.notifyMatchFailure(op, "no transpose to fold");

    unsigned outIndex = op.getNumDpsInputs();
    if (resultPerm) {
      // The attention does not read its init; any value of the permuted
      // type that dominates the op serves. Build a fresh tensor.empty. The
      // lse (if any) keeps its own map.
      operands[outIndex] = createPermutedEmpty(rewriter, op.getLoc(),
                                               op.getInit(), resultPerm->perm);
      maps[outIndex] = permuteResults(maps[outIndex], resultPerm->perm);
    }
    // A new op even when only operands fold: the driver does not revisit
    // ops created during the run (getGraphRewriteConfig), so each attention
    // is folded once per run, as before the patterns (of a transpose of a
    // transpose, the outer one).
    ArrayRef<Value> all(operands);
    auto newOp = op.cloneWith(rewriter, all.take_front(outIndex),
                              all.drop_front(outIndex), maps);
    if (Value lse = op.getResultLse())
      rewriter.replaceAllUsesWith(lse, newOp.getResultLse());
    Value oldResult = op.getResult();
    if (resultPerm) {
      reportDecision(remarks, newOp,
                     "folded transpose " + permToString(resultPerm->perm) +
                         " of the result into the output map");
      oldResult = resultPerm->result;
    }
    rewriter.replaceAllUsesWith(oldResult, newOp.getResult());
    // The old attention, the folded transposes and their inits.
    eraseDeadChain(rewriter, oldResult.getDefiningOp());
    return success();
  }

private:
  /// Replaces in `operands` (and `maps`) the Q, K, V or mask produced by a
  /// permutation with the permutation's input. Returns true if any was.
  bool foldOperands(AttentionOp op, SmallVectorImpl<AffineMap> &maps,
                    SmallVectorImpl<Value> &operands) const {
    static constexpr StringLiteral kNames[] = {"Q", "K", "V", "scale", "mask"};
    bool folded = false;
    for (OpOperand &operand : op->getOpOperands()) {
      unsigned i = operand.getOperandNumber();
      if (i >= op.getNumDpsInputs() || i == 3) // scale is a scalar
        continue;
      Operation *def = operand.get().getDefiningOp();
      std::optional<Permutation> perm = matchPermutation(def);
      if (!perm)
        continue;
      std::string notFolding =
          ("not folding the transpose of " + kNames[i]).str();
      if (llvm::any_of(def->getUsers(),
                       [&](Operation *user) { return user != op; })) {
        reportDecision(remarks, op,
                       notFolding + ": it has other users and would stay "
                                    "alive");
        continue;
      }
      if (!controlFn(&operand)) {
        reportDecision(remarks, op,
                       notFolding + ": rejected by the control function");
        continue;
      }
      maps[i] = unpermuteResults(maps[i], perm->perm);
      operands[i] = perm->input;
      folded = true;
      reportDecision(remarks, op,
                     Twine("folded transpose ") + permToString(perm->perm) +
                         " of " + kNames[i] + " into its indexing map");
    }
    return folded;
  }

  /// The permutation that is the only user of the result, if the control
  /// function accepts folding it.
  std::optional<Permutation> matchResultPermutation(AttentionOp op) const {
    if (!op.getResult().hasOneUse())
      return std::nullopt;
    OpOperand &use = *op.getResult().getUses().begin();
    std::optional<Permutation> perm = matchPermutation(use.getOwner());
    if (!perm || perm->input != op.getResult())
      return std::nullopt;
    if (!controlFn(&use)) {
      reportDecision(remarks, op,
                     "not folding the transpose of the result: rejected by "
                     "the control function");
      return std::nullopt;
    }
    return perm;
  }

  ControlFoldTransposeFn controlFn;
  DecisionRemarks *remarks;
};

struct FoldTransposesPass
    : public mlir::attn::impl::AttnFoldTransposesBase<FoldTransposesPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFoldTransposesPatterns(patterns, acceptAllCandidates, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateFoldTransposesPatterns(
    RewritePatternSet &patterns, const ControlFoldTransposeFn &controlFn,
    DecisionRemarks *remarks) {
  patterns.add<FoldTransposesIntoAttention>(patterns.getContext(), controlFn,
                                            remarks);
}
