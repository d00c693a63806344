//===- FoldTransposes.cpp - absorb transposes into attention maps ---------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Remarks.h"
#include "transforms/TransposeUtils.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallVectorExtras.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFOLDTRANSPOSES
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static constexpr StringLiteral kPass = "attn-fold-transposes";

/// Folds permutations producing Q, K, V or mask into their maps. Returns true
/// if anything changed.
static bool foldInputPermutations(AttentionOp op, bool remarks) {
  static constexpr StringLiteral kNames[] = {"Q", "K", "V", "scale", "mask"};
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool changed = false;
  for (unsigned i = 0, e = op.getNumDpsInputs(); i < e; ++i) {
    if (i == 3) // scale is a scalar
      continue;
    OpOperand &operand = op->getOpOperand(i);
    Operation *def = operand.get().getDefiningOp();
    std::optional<Permutation> perm = matchPermutation(def);
    if (!perm)
      continue;
    if (llvm::any_of(def->getUsers(),
                     [&](Operation *user) { return user != op; })) {
      emitDecision(op, kPass,
                   Twine("not folding the transpose of ") + kNames[i] +
                       ": it has other users and would stay alive",
                   remarks);
      continue;
    }
    maps[i] = unpermuteResults(maps[i], perm->perm);
    operand.set(perm->input);
    emitDecision(op, kPass,
                 Twine("folded transpose ") + permToString(perm->perm) +
                     " of " + kNames[i] + " into its indexing map",
                 remarks);
    changed = true;
  }
  if (changed)
    op.setIndexingMapsAttr(
        Builder(op.getContext()).getAffineMapArrayAttr(maps));
  return changed;
}

/// Folds a permutation that is the only user of the result into the output
/// map. Returns the replacement op, or null when nothing was done.
static AttentionOp foldOutputPermutation(RewriterBase &rewriter, AttentionOp op,
                                         bool remarks) {
  if (!op.getResult().hasOneUse())
    return nullptr;
  Operation *user = *op.getResult().getUsers().begin();
  std::optional<Permutation> perm = matchPermutation(user);
  if (!perm || perm->input != op.getResult())
    return nullptr;

  // The attention does not read its init; any value of the permuted type
  // that dominates the op serves. Build a fresh tensor.empty before it.
  rewriter.setInsertionPoint(op);
  Value newInit =
      createPermutedEmpty(rewriter, op.getLoc(), op.getInit(), perm->perm);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps.back() = permuteResults(maps.back(), perm->perm);
  SmallVector<Value> operands(op->getOperands());
  operands.back() = newInit;
  auto newOp = AttentionOp::create(rewriter, op.getLoc(),
                                   TypeRange{perm->result.getType()}, operands,
                                   op->getAttrs());
  newOp.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  emitDecision(newOp, kPass,
               "folded transpose " + permToString(perm->perm) +
                   " of the result into the output map",
               remarks);
  rewriter.replaceAllUsesWith(perm->result, newOp.getResult());
  // Erasing the transpose makes the old attention dead: one call, which
  // erases each op once.
  eraseDeadChain(rewriter, user);
  return newOp;
}

namespace {
struct FoldTransposesPass
    : public mlir::attn::impl::AttnFoldTransposesBase<FoldTransposesPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      llvm::SetVector<Operation *> producers;
      for (Value v : op.getDpsInputs())
        if (Operation *def = v.getDefiningOp())
          producers.insert(def);
      if (foldInputPermutations(op, remarks))
        eraseDeadChain(rewriter,
                       llvm::filter_to_vector(producers, [](Operation *def) {
                         return matchPermutation(def).has_value();
                       }));
      (void)foldOutputPermutation(rewriter, op, remarks);
    }
  }
};
} // namespace
