//===- BubbleTransposeV.cpp - expose the transposed-V form ----------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Transforms.h"
#include "transforms/TransposeUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVectorExtras.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNBUBBLETRANSPOSEV
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static std::optional<unsigned> dimAt(AffineMap map, int64_t pos) {
  if (pos < 0 || pos >= map.getNumResults())
    return std::nullopt;
  return cast<AffineDimExpr>(map.getResult(pos)).getPosition();
}

static std::string mapToString(AffineMap map) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << map;
  return s;
}

namespace {

/// Reads V through a `linalg.transpose` swapping its trailing (K2, N) dims,
/// with the matching (.., N, K2) V map.
struct BubbleTransposeV : public OpRewritePattern<AttentionOp> {
  BubbleTransposeV(MLIRContext *context, ControlBubbleTransposeVFn controlFn,
                   DecisionRemarks *remarks)
      : OpRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(checkBubbleable(op, rewriter)))
      return failure();
    if (!controlFn(&op.getValueMutable()))
      return declineMatch(rewriter, op, remarks,
                          "declined: rejected by the control function");

    Value v = op.getValue();
    AffineMap vMap = op.getValueMap();
    int64_t rank = vMap.getNumResults();
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 2], perm[rank - 1]);
    Value init = createPermutedEmpty(rewriter, op.getLoc(), v, perm);
    auto transpose =
        linalg::TransposeOp::create(rewriter, op.getLoc(), v, init, perm);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    unsigned vIndex = op.getValueMutable().getOperandNumber();
    maps[vIndex] = permuteResults(vMap, perm);
    // A new op rather than an in-place update: the driver does not revisit
    // ops created during the run (getGraphRewriteConfig), so the result is not
    // reconsidered and reported as "already in transposed-V form".
    SmallVector<Value> operands(op->getOperands());
    operands[vIndex] = transpose.getResult()[0];
    ArrayRef<Value> all(operands);
    unsigned numInputs = op.getNumDpsInputs();
    auto newOp = op.cloneWith(rewriter, all.take_front(numInputs),
                              all.drop_front(numInputs), maps);
    rewriter.replaceOp(op, newOp);
    reportDecision(remarks, newOp,
                   "exposed transposed V: V map is now " +
                       mapToString(maps[vIndex]));
    return success();
  }

private:
  /// Succeeds when `op` has the one K2 and N dim, trailing in V's map, and a
  /// V produced by an op; else declines saying why.
  LogicalResult checkBubbleable(AttentionOp op,
                                PatternRewriter &rewriter) const {
    AttentionDims dims = op.getDims();
    if (dims.k2.size() != 1 || dims.n.size() != 1)
      return declineMatch(
          rewriter, op, remarks,
          "declined: V has " + Twine(dims.k2.size()) + " K2 dim(s) and " +
              Twine(dims.n.size()) +
              " N dim(s); the transposed-V form needs exactly one of each");
    AffineMap vMap = op.getValueMap();
    int64_t rank = vMap.getNumResults();
    std::optional<unsigned> secondLast = dimAt(vMap, rank - 2),
                            last = dimAt(vMap, rank - 1);
    if (secondLast == dims.n[0] && last == dims.k2[0])
      return declineMatch(
          rewriter, op, remarks,
          "already in transposed-V form (V map ends in (N, K2))");
    if (secondLast != dims.k2[0] || last != dims.n[0])
      return declineMatch(rewriter, op, remarks,
                          "declined: V map does not end in (K2, N)");
    if (isa<BlockArgument>(op.getValue()))
      return declineMatch(rewriter, op, remarks,
                          "declined: V is a block argument, no producer "
                          "could absorb a transpose");
    return success();
  }

  ControlBubbleTransposeVFn controlFn;
  DecisionRemarks *remarks;
};

struct BubbleTransposeVPass
    : public mlir::attn::impl::AttnBubbleTransposeVBase<BubbleTransposeVPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateBubbleTransposeVPatterns(patterns, acceptAllCandidates, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateBubbleTransposeVPatterns(
    RewritePatternSet &patterns, const ControlBubbleTransposeVFn &controlFn,
    DecisionRemarks *remarks) {
  patterns.add<BubbleTransposeV>(patterns.getContext(), controlFn, remarks);
}
