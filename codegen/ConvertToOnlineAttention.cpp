//===- ConvertToOnlineAttention.cpp - attention -> online form ------------===//
//
// Each attn.attention becomes attn.online_attention plus the normalization
// (AttentionOp::convertToOnlineAttention, dialect/AttnDecompositions.cpp).
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCONVERTTOONLINEATTENTION
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct ConvertToOnlineAttentionPass
    : public mlir::attn::impl::AttnConvertToOnlineAttentionBase<
          ConvertToOnlineAttentionPass> {
  void runOnOperation() override {
    SmallVector<AttentionOp> ops;
    getOperation()->walk([&](AttentionOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (AttentionOp op : ops) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOp(op, op.convertToOnlineAttention(rewriter));
    }
  }
};
} // namespace
