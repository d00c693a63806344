//===- PadQueryRows.cpp - pad the query rows to whole CPU row tiles -------===//
//
// attn-tile-attention cuts the innermost M dim into tiles of T rows. When T
// does not divide the dim, upstream SCF tiling gives every tile a dynamic
// row count (min(T, M - offset)), and the CPU microkernel only handles
// static tiles: M = 1000 ran 4x slower than M = 1024. This pass pads that
// dim to a multiple of T instead (zero query rows, zero mask rows, padded
// outputs), runs the attention on whole tiles and slices the real rows back
// out: at most T - 1 extra rows of work. The extra rows' results are
// discarded, whatever they are (a zero query row sees uniform weights).
//
// Rows are padded at the end, except with causal(bottom_right): its
// diagonal is K2 - M, so the padding goes before the real rows, which then
// keep their distance to the last key.
//
//===----------------------------------------------------------------------===//

#include "codegen/HostCpu.h"
#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNPADQUERYROWS
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Rows added before (`low`) and after (`high`) the real ones.
struct RowPadding {
  unsigned dim;
  int64_t low = 0, high = 0;
};

/// `value` padded with zeros along the operand dim that `map` gives loop
/// dim `padding.dim`; unchanged when `map` does not use that dim.
static Value padRows(RewriterBase &rewriter, Location loc, Value value,
                     AffineMap map, const RowPadding &padding) {
  std::optional<unsigned> pos =
      map.getResultPosition(rewriter.getAffineDimExpr(padding.dim));
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!pos || !type)
    return value;
  SmallVector<OpFoldResult> low(type.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> high = low;
  low[*pos] = rewriter.getIndexAttr(padding.low);
  high[*pos] = rewriter.getIndexAttr(padding.high);
  SmallVector<int64_t> shape(type.getShape());
  shape[*pos] += padding.low + padding.high;
  Value zero = arith::ConstantOp::create(
      rewriter, loc, rewriter.getZeroAttr(type.getElementType()));
  return tensor::PadOp::create(rewriter, loc, type.clone(shape), value, low,
                               high, zero);
}

/// The real rows of a padded result (of the original `type`).
static Value sliceRows(RewriterBase &rewriter, Location loc, Value padded,
                       RankedTensorType type, AffineMap map,
                       const RowPadding &padding) {
  std::optional<unsigned> pos =
      map.getResultPosition(rewriter.getAffineDimExpr(padding.dim));
  if (!pos)
    return padded;
  SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
  offsets[*pos] = rewriter.getIndexAttr(padding.low);
  SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
  // Other dims (dynamic ones included) as the padded result has them.
  SmallVector<OpFoldResult> sizes =
      tensor::getMixedSizes(rewriter, loc, padded);
  sizes[*pos] = rewriter.getIndexAttr(type.getDimSize(*pos));
  return tensor::ExtractSliceOp::create(rewriter, loc, type, padded, offsets,
                                        sizes, strides);
}

/// How `op`'s innermost M dim is padded for row tiles of `requested` rows
/// (0: automatic), or nullopt when it needs no padding.
static std::optional<RowPadding> rowPadding(AttentionOp op, int64_t requested) {
  unsigned dim = op.getDims().m.back();
  std::optional<int64_t> rows;
  for (auto [value, map] :
       llvm::zip(op->getOperands(), op.getIndexingMapsArray())) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    std::optional<unsigned> pos =
        map.getResultPosition(getAffineDimExpr(dim, op.getContext()));
    if (type && pos && !type.isDynamicDim(*pos))
      rows = type.getDimSize(*pos);
  }
  if (!rows)
    return std::nullopt;
  int64_t tile =
      chooseRowTile(*rows, requested,
                    convertsStridedValueBlocks(op.getValue(), op.getValueMap(),
                                               op.getDims().k2));
  if (*rows <= tile || *rows % tile == 0)
    return std::nullopt;
  RowPadding padding{dim};
  int64_t extra = llvm::alignTo(*rows, tile) - *rows;
  bool bottomRight = op.getCausal() == CausalAlignment::BottomRight;
  (bottomRight ? padding.low : padding.high) = extra;
  return padding;
}

static void padAttention(RewriterBase &rewriter, AttentionOp op,
                         const RowPadding &padding) {
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<Value> inputs, inits;
  for (OpOperand &operand : op->getOpOperands()) {
    Value padded = padRows(rewriter, loc, operand.get(),
                           maps[operand.getOperandNumber()], padding);
    (op.isDpsInit(&operand) ? inits : inputs).push_back(padded);
  }
  AttentionOp padded = op.cloneWith(rewriter, inputs, inits, maps);
  SmallVector<Value> results;
  for (auto [result, paddedResult, init] : llvm::zip(
           op->getResults(), padded->getResults(), op.getDpsInitsMutable())) {
    AffineMap map = maps[init.getOperandNumber()];
    results.push_back(sliceRows(rewriter, loc, paddedResult,
                                cast<RankedTensorType>(result.getType()), map,
                                padding));
  }
  rewriter.replaceOp(op, results);
}

struct PadQueryRowsPass
    : public attn::impl::AttnPadQueryRowsBase<PadQueryRowsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (mTile < 0) {
      getOperation().emitError("attn-pad-query-rows: m-tile must not be "
                               "negative");
      return signalPassFailure();
    }
    IRRewriter rewriter(&getContext());
    SmallVector<AttentionOp> ops;
    getOperation().walk([&](AttentionOp op) { ops.push_back(op); });
    for (AttentionOp op : ops)
      if (std::optional<RowPadding> padding = rowPadding(op, mTile))
        padAttention(rewriter, op, *padding);
  }
};

} // namespace
