//===- LowerToReference.cpp - naive attention for numerical checks --------===//
//
// Each attn.attention becomes its reference decomposition: the full score
// tensor and a materialized softmax (the op's AggregatedOpInterface,
// dialect/AttnDecompositions.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNLOWERTOREFERENCE
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct LowerToReferencePass
    : public mlir::attn::impl::AttnLowerToReferenceBase<LowerToReferencePass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops)
      if (failed(decomposeAggregate(rewriter, op)))
        return signalPassFailure();
  }
};
} // namespace
