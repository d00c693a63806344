//===- DecomposeOnlineAttention.cpp - online attention -> linalg ----------===//
//
// Each attn.online_attention becomes its decomposition into linalg (the
// op's AggregatedOpInterface, dialect/AttnDecompositions.cpp), optionally
// with bf16 pair products.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNDECOMPOSEONLINEATTENTION
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct DecomposeOnlineAttentionPass
    : public mlir::attn::impl::AttnDecomposeOnlineAttentionBase<
          DecomposeOnlineAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<OnlineAttentionOp> ops;
    getOperation()->walk([&](OnlineAttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (OnlineAttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> values =
          decomposeOnlineAttention(rewriter, op, bf16Dot);
      if (failed(values))
        return signalPassFailure();
      rewriter.replaceOp(op, *values);
    }
  }
};
} // namespace
