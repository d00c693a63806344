//===- FoldCausalMask.cpp - triangular masks as the causal attribute ------===//
//
// Frontends hand attention a causal mask as data: a constant (PyTorch
// buffers such as `full(-inf).triu(1)` or `tril(ones)`, exported as
// initializers) or a linalg.generic comparing linalg.index values. As data
// it costs B x H x S x S of memory traffic and hides the structure; as the
// `causal` attribute the lowerings skip the blocks above the diagonal. This
// pass recognizes such masks over exactly the innermost M dim and the K2
// dim and replaces them with the attribute.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFOLDCAUSALMASK
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The mask as a function visible(row, key), read from a constant or by
/// evaluating a generic whose body only compares linalg.index values.
using VisibleFn = std::function<std::optional<bool>(int64_t, int64_t)>;

/// A constant mask: i1 (true = visible) or float (0 = visible, -inf =
/// masked); any other value is not a causal mask.
std::optional<VisibleFn> constantMask(Value mask, bool keyFirst) {
  DenseElementsAttr values;
  if (!matchPattern(mask, m_Constant(&values)) ||
      values.getType().getRank() != 2)
    return std::nullopt;
  int64_t cols = values.getType().getDimSize(1);
  bool isBool = values.getElementType().isInteger(1);
  return VisibleFn([values, cols, keyFirst,
                    isBool](int64_t row, int64_t key) -> std::optional<bool> {
    int64_t index = keyFirst ? key * cols + row : row * cols + key;
    if (isBool)
      return values.getValues<bool>()[index];
    APFloat v = values.getValues<APFloat>()[index];
    if (v.isZero())
      return true;
    if (v.isInfinity() && v.isNegative())
      return false;
    return std::nullopt;
  });
}

/// An index value of the generic's body: linalg.index d plus a constant.
struct IndexTerm {
  unsigned dim;
  int64_t offset;
};

std::optional<IndexTerm> indexTerm(Value v) {
  if (auto index = v.getDefiningOp<linalg::IndexOp>())
    return IndexTerm{unsigned(index.getDim()), 0};
  auto add = v.getDefiningOp<arith::AddIOp>();
  if (!add)
    return std::nullopt;
  for (auto [a, b] : {std::pair(add.getLhs(), add.getRhs()),
                      std::pair(add.getRhs(), add.getLhs())}) {
    std::optional<IndexTerm> term = indexTerm(a);
    llvm::APInt c;
    if (term && matchPattern(b, m_ConstantInt(&c)))
      return IndexTerm{term->dim, term->offset + c.getSExtValue()};
  }
  return std::nullopt;
}

/// A generic with no inputs whose body yields cmpi(index terms), or
/// select(cmpi, 0, -inf) / select(cmpi, -inf, 0) for a float mask.
std::optional<VisibleFn> generatedMask(Value mask, bool keyFirst) {
  auto generic = mask.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumResults() != 1 ||
      !generic.getIndexingMapsArray()[0].isIdentity())
    return std::nullopt;
  Value yielded = generic.getBody()->getTerminator()->getOperand(0);
  bool negate = false;
  if (auto select = yielded.getDefiningOp<arith::SelectOp>()) {
    FloatAttr t, f;
    if (!matchPattern(select.getTrueValue(), m_Constant(&t)) ||
        !matchPattern(select.getFalseValue(), m_Constant(&f)))
      return std::nullopt;
    bool tZero = t.getValue().isZero(), fZero = f.getValue().isZero();
    bool tInf = t.getValue().isInfinity() && t.getValue().isNegative();
    bool fInf = f.getValue().isInfinity() && f.getValue().isNegative();
    if (!(tZero && fInf) && !(tInf && fZero))
      return std::nullopt;
    negate = tInf;
    yielded = select.getCondition();
  }
  auto cmp = yielded.getDefiningOp<arith::CmpIOp>();
  if (!cmp)
    return std::nullopt;
  std::optional<IndexTerm> lhs = indexTerm(cmp.getLhs()),
                           rhs = indexTerm(cmp.getRhs());
  if (!lhs || !rhs || lhs->dim == rhs->dim)
    return std::nullopt;
  arith::CmpIPredicate pred = cmp.getPredicate();
  return VisibleFn([=](int64_t row, int64_t key) -> std::optional<bool> {
    int64_t at[2] = {keyFirst ? key : row, keyFirst ? row : key};
    llvm::APInt a(64, at[lhs->dim] + lhs->offset, /*isSigned=*/true);
    llvm::APInt b(64, at[rhs->dim] + rhs->offset, /*isSigned=*/true);
    return arith::applyCmpPredicate(pred, a, b) != negate;
  });
}

/// The causal alignment `visible` has over rows x keys, if any.
std::optional<CausalAlignment> alignmentOf(const VisibleFn &visible,
                                           int64_t rows, int64_t keys) {
  auto matches = [&](int64_t diagonal) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < keys; ++j)
        if (visible(i, j) != std::optional<bool>(j <= i + diagonal))
          return false;
    return true;
  };
  if (matches(0))
    return CausalAlignment::TopLeft;
  if (matches(keys - rows))
    return CausalAlignment::BottomRight;
  return std::nullopt;
}

struct FoldCausalMaskIntoAttention : public OpRewritePattern<AttentionOp> {
  FoldCausalMaskIntoAttention(MLIRContext *ctx, DecisionRemarks *remarks)
      : OpRewritePattern(ctx), remarks(remarks) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getMask() || op.getCausal())
      return failure();
    AttentionDims dims = op.getDims();
    AffineMap maskMap = *op.getMaskMap();
    if (dims.k2.size() != 1 || maskMap.getNumResults() != 2)
      return failure();
    unsigned row = dims.m.back(), key = dims.k2.front();
    unsigned d0 = cast<AffineDimExpr>(maskMap.getResult(0)).getPosition();
    unsigned d1 = cast<AffineDimExpr>(maskMap.getResult(1)).getPosition();
    if (!((d0 == row && d1 == key) || (d0 == key && d1 == row)))
      return failure();
    SmallVector<int64_t> sizes =
        getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
    if (ShapedType::isDynamic(sizes[row]) || ShapedType::isDynamic(sizes[key]))
      return failure();
    bool keyFirst = d0 == key;
    std::optional<VisibleFn> visible = constantMask(op.getMask(), keyFirst);
    if (!visible)
      visible = generatedMask(op.getMask(), keyFirst);
    if (!visible)
      return failure();
    std::optional<CausalAlignment> alignment =
        alignmentOf(*visible, sizes[row], sizes[key]);
    if (!alignment)
      return declineMatch(rewriter, op, remarks,
                          "the mask over M and K2 is not causal (neither "
                          "top-left nor bottom-right)");
    SmallVector<Value> operands(op->getOperands());
    operands.erase(operands.begin() + 4);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps.erase(maps.begin() + 4);
    ArrayRef<Value> all(operands);
    auto newOp =
        op.cloneWith(rewriter, all.take_front(4), all.drop_front(4), maps);
    newOp.setCausal(*alignment);
    rewriter.replaceOp(op, newOp);
    reportDecision(remarks, newOp,
                   Twine("replaced the ") +
                       stringifyCausalAlignment(*alignment) +
                       " triangular mask with causal(" +
                       stringifyCausalAlignment(*alignment) + ")");
    return success();
  }

  DecisionRemarks *remarks;
};

struct FoldCausalMaskPass
    : public mlir::attn::impl::AttnFoldCausalMaskBase<FoldCausalMaskPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFoldCausalMaskPatterns(patterns, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateFoldCausalMaskPatterns(RewritePatternSet &patterns,
                                                DecisionRemarks *remarks) {
  patterns.add<FoldCausalMaskIntoAttention>(patterns.getContext(), remarks);
}
