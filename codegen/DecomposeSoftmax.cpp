//===- DecomposeSoftmax.cpp - linalg.softmax -> linalg.generic ------------===//
//
// Each linalg.softmax becomes upstream's decomposition of it (its
// AggregatedOpInterface). Upstream has the decomposition but no pass that
// applies it outside the transform dialect, hence this one.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnBuilders.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSESOFTMAX
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct DecomposeSoftmaxPass
    : public mlir::attn::impl::AttnDecomposeSoftmaxBase<DecomposeSoftmaxPass> {
  void runOnOperation() override {
    SmallVector<linalg::SoftmaxOp> ops;
    getOperation()->walk([&](linalg::SoftmaxOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::SoftmaxOp op : ops)
      if (failed(decomposeAggregate(rewriter, op)))
        return signalPassFailure();
  }
};
} // namespace
