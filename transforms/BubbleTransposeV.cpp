//===- BubbleTransposeV.cpp - expose the transposed-V form ----------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Remarks.h"
#include "transforms/TransposeUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SmallVectorExtras.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNBUBBLETRANSPOSEV
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

static constexpr StringLiteral kPass = "attn-bubble-transpose-v";

static std::optional<unsigned> dimAt(AffineMap map, int64_t pos) {
  if (pos < 0 || pos >= map.getNumResults())
    return std::nullopt;
  return cast<AffineDimExpr>(map.getResult(pos)).getPosition();
}

static void bubbleTransposeV(RewriterBase &rewriter, AttentionOp op,
                             bool remarks) {
  AttentionDims dims = op.getDims();
  if (dims.k2.size() != 1 || dims.n.size() != 1) {
    emitDecision(
        op, kPass,
        "declined: V has " + Twine(dims.k2.size()) + " K2 dim(s) and " +
            Twine(dims.n.size()) +
            " N dim(s); the transposed-V form needs exactly one of each",
        remarks);
    return;
  }
  AffineMap vMap = op.getValueMap();
  int64_t rank = vMap.getNumResults();
  std::optional<unsigned> secondLast = dimAt(vMap, rank - 2),
                          last = dimAt(vMap, rank - 1);
  if (secondLast == dims.n[0] && last == dims.k2[0]) {
    emitDecision(op, kPass,
                 "already in transposed-V form (V map ends in (N, K2))",
                 remarks);
    return;
  }
  if (secondLast != dims.k2[0] || last != dims.n[0]) {
    emitDecision(op, kPass, "declined: V map does not end in (K2, N)", remarks);
    return;
  }
  Value v = op.getValue();
  if (isa<BlockArgument>(v)) {
    emitDecision(op, kPass,
                 "declined: V is a block argument, no producer could absorb a "
                 "transpose",
                 remarks);
    return;
  }

  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  rewriter.setInsertionPoint(op);
  Value init = createPermutedEmpty(rewriter, op.getLoc(), v, perm);
  auto transpose =
      linalg::TransposeOp::create(rewriter, op.getLoc(), v, init, perm);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  maps[2] = permuteResults(vMap, perm);
  rewriter.modifyOpInPlace(op, [&] {
    op.getValueMutable().assign(transpose.getResult()[0]);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  emitDecision(
      op, kPass,
      "exposed transposed V: V map is now " +
          [&] {
            std::string s;
            llvm::raw_string_ostream os(s);
            os << maps[2];
            return s;
          }(),
      remarks);
}

namespace {
struct BubbleTransposeVPass
    : public mlir::attn::impl::AttnBubbleTransposeVBase<BubbleTransposeVPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops)
      bubbleTransposeV(rewriter, op, remarks);
  }
};
} // namespace
