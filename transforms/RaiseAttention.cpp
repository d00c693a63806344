//===- RaiseAttention.cpp - linalg attention chains to attn.attention -----===//
//
// Frontends emit attention as linalg: a contraction Q.K^T, a scale, a mask,
// a softmax (linalg.softmax or its decomposition into reductions and
// elementwise ops) and a contraction P.V. This pass recognizes that chain
// from its last contraction backwards and replaces it with one
// attn.attention. Upstream has no such matcher (IREE's lives in its own
// dialect), so it is written here.
//
// How it matches: every value of the chain is tracked as a TensorRef, the
// tensor and an affine map from the *score space* (the dims of P as the
// second contraction reads it) to the tensor's dims. Stepping from an
// elementwise linalg op's result into its body composes the op's maps into a
// Cursor (a scalar of the body and the op's loops over the score space);
// a body operand that is a block argument leads back to the input tensor.
// So transposes, broadcasts, casts and fused elementwise ops cost nothing to
// see through, whatever op (generic or named) spells them. The matched maps
// become the attention's indexing maps directly: score dims first, then the
// K1 dims of the first contraction, then the N dims of the second.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Transforms.h"
#include "transforms/TransposeUtils.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNRAISEATTENTION
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;
using linalg::LinalgOp;

namespace {

/// A tensor and the map from the matching space to its dims.
struct TensorRef {
  Value value;
  AffineMap map;
  bool operator==(const TensorRef &o) const {
    return value == o.value && map == o.map;
  }
};

/// A scalar in the body of `op`, whose loops are `loops` of the space.
struct Cursor {
  Value scalar;
  LinalgOp op;
  AffineMap loops;
};

/// All loops parallel, one result written through a permutation map, the
/// init not read: an op whose body computes each element on its own.
bool isPointwise(LinalgOp op) {
  return op && op.hasPureTensorSemantics() && op.getNumDpsInits() == 1 &&
         op.getNumLoops() == op.getNumParallelLoops() &&
         op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isPermutation() &&
         !op.payloadUsesValueFromOperand(op.getDpsInitOperand(0));
}

/// Skips arith.extf / arith.truncf: attention computes in f32 throughout.
Value stripCasts(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (!isa<arith::ExtFOp, arith::TruncFOp>(def))
      break;
    v = def->getOperand(0);
  }
  return v;
}

/// A float constant: an arith.constant, or the block argument of a constant
/// scalar or splat tensor (any rank, 0-d included) input.
std::optional<double> getConstant(Cursor c, Value v) {
  v = stripCasts(v);
  FloatAttr scalar;
  if (matchPattern(v, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || arg.getOwner() != c.op.getBlock() ||
      arg.getArgNumber() >= c.op.getNumDpsInputs())
    return std::nullopt;
  Value operand = c.op.getDpsInputOperand(arg.getArgNumber())->get();
  if (matchPattern(operand, m_Constant(&scalar)))
    return scalar.getValueAsDouble();
  DenseFPElementsAttr splat;
  if (matchPattern(operand, m_Constant(&splat)) && splat.isSplat()) {
    APFloat value = splat.getSplatValue<APFloat>();
    bool lossy;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lossy);
    return value.convertToDouble();
  }
  return std::nullopt;
}

/// The value a linalg.fill (or a splat constant) puts in `init`.
std::optional<double> getFillValue(Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    FloatAttr attr;
    if (matchPattern(fill.getInputs()[0], m_Constant(&attr)))
      return attr.getValueAsDouble();
    return std::nullopt;
  }
  DenseFPElementsAttr splat;
  if (matchPattern(init, m_Constant(&splat)) && splat.isSplat())
    return splat.getSplatValue<APFloat>().convertToDouble();
  return std::nullopt;
}

/// Whether `v` is an initial value of a max reduction: -inf, or a value at
/// most the lowest finite f16 (frontends use the lowest float).
bool isMaxIdentity(double v) { return v <= -65504.0; }

std::string mapToString(AffineMap map) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << map;
  return s;
}

/// What the matcher found, in the score space (rank `rank`).
struct AttentionMatch {
  unsigned rank = 0;             // score dims: batch, M and K2
  unsigned k2 = 0;               // the softmax dim
  LinalgOp qk, pv;               // the two contractions
  unsigned pIndex = 0;           // P's operand number in pv
  TensorRef x, s;                // softmax input, first contraction's result
  std::optional<TensorRef> mask; // float or i1
  double scale = 1.0;
  bool sawScale = false;             // a scale above what is matched next
  llvm::SetVector<Operation *> ops;  // ops of the chain between qk and pv
  SmallVector<Operation *> scoreOps; // ops computing S (qk included)
};

/// Matches the chain ending in a contraction; declines with a reason.
class ChainMatcher {
public:
  explicit ChainMatcher(AttentionMatch &m) : m(m) {}

  /// True once a softmax was seen: failures after that are reported.
  bool sawSoftmax = false;
  std::string reason;

  LogicalResult fail(const Twine &why) {
    if (reason.empty())
      reason = why.str();
    return failure();
  }

  /// The element at the score point of an elementwise op's result.
  std::optional<Cursor> enter(const TensorRef &t) {
    auto op = t.value.getDefiningOp<LinalgOp>();
    if (!isPointwise(op))
      return std::nullopt;
    unsigned resultNumber = cast<OpResult>(t.value).getResultNumber();
    AffineMap out = op.getIndexingMapMatchingResult(cast<OpResult>(t.value));
    AffineMap loops = inversePermutation(out).compose(t.map);
    m.ops.insert(op);
    auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
    return Cursor{yield.getOperand(resultNumber), op, loops};
  }

  /// The input tensor a body scalar is read from, if it is a block argument
  /// of a tensor input.
  std::optional<TensorRef> asInput(Cursor c) {
    auto arg = dyn_cast<BlockArgument>(c.scalar);
    if (!arg || arg.getOwner() != c.op.getBlock() ||
        arg.getArgNumber() >= c.op.getNumDpsInputs())
      return std::nullopt;
    OpOperand *operand = c.op.getDpsInputOperand(arg.getArgNumber());
    if (!isa<RankedTensorType>(operand->get().getType()))
      return std::nullopt;
    return TensorRef{operand->get(),
                     c.op.getMatchingIndexingMap(operand).compose(c.loops)};
  }

  /// Follows `c` (casts skipped) into the producers of the tensors it reads
  /// until it is computed by an op of a body, or is a tensor no elementwise
  /// op produces.
  Cursor deref(Cursor c) {
    while (true) {
      c.scalar = stripCasts(c.scalar);
      std::optional<TensorRef> input = asInput(c);
      if (!input)
        return c;
      std::optional<Cursor> inner = enter(*input);
      if (!inner)
        return c;
      c = *inner;
    }
  }

  /// Source of a tensor.expand_shape that only inserts unit dims.
  std::optional<TensorRef> throughUnitExpand(const TensorRef &t) {
    auto expand = t.value.getDefiningOp<tensor::ExpandShapeOp>();
    if (!expand)
      return std::nullopt;
    RankedTensorType type = expand.getResultType();
    SmallVector<AffineExpr> exprs;
    for (ReassociationIndices group : expand.getReassociationIndices()) {
      std::optional<int64_t> kept;
      for (int64_t d : group)
        if (type.getDimSize(d) != 1) {
          if (kept)
            return std::nullopt; // splits a dim: not a unit-dim insertion
          kept = d;
        }
      exprs.push_back(t.map.getResult(kept.value_or(group.front())));
    }
    m.ops.insert(expand);
    return TensorRef{
        expand.getSrc(),
        AffineMap::get(t.map.getNumDims(), 0, exprs, t.map.getContext())};
  }

  /// The score dim a row tensor (`row`: every score dim but one) lacks.
  std::optional<unsigned> missingDim(AffineMap row) {
    llvm::SmallBitVector used(m.rank);
    for (AffineExpr e : row.getResults())
      if (auto d = dyn_cast<AffineDimExpr>(e))
        used.set(d.getPosition());
    if (used.count() + 1 != m.rank)
      return std::nullopt;
    return used.find_first_unset();
  }

  /// `row` is a max (`isMax`) or sum reduction over the softmax dim; returns
  /// the reduced tensor.
  FailureOr<TensorRef> matchReduction(const TensorRef &row, bool isMax) {
    StringRef what = isMax ? "row max" : "row sum";
    auto op = row.value.getDefiningOp<LinalgOp>();
    if (!op || !op.hasPureTensorSemantics() || op.getNumDpsInputs() != 1 ||
        op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 1)
      return fail(Twine("the ") + what + " is not a reduction over one dim");
    auto yield = cast<linalg::YieldOp>(op.getBlock()->getTerminator());
    Operation *combiner = yield.getOperand(0).getDefiningOp();
    bool kindOk =
        combiner && (isMax ? isa<arith::MaximumFOp, arith::MaxNumFOp>(combiner)
                           : isa<arith::AddFOp>(combiner));
    Value acc = op.getRegionOutputArgs()[0];
    Value in = op.getRegionInputArgs()[0];
    if (!kindOk || !((combiner->getOperand(0) == acc &&
                      stripCasts(combiner->getOperand(1)) == in) ||
                     (combiner->getOperand(1) == acc &&
                      stripCasts(combiner->getOperand(0)) == in)))
      return fail(Twine("the ") + what + " reduction has an unexpected body");
    std::optional<double> init = getFillValue(op.getDpsInits()[0]);
    if (!init || (isMax ? !isMaxIdentity(*init) : *init != 0.0))
      return fail(Twine("the ") + what +
                  " does not start from its identity (-inf or 0)");
    std::optional<unsigned> k2 = missingDim(row.map);
    if (!k2 || *k2 != m.k2)
      return fail(Twine("the ") + what + " is not over the softmax dim");
    // The reduction loop is the softmax dim; the others come from `row`.
    AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    SmallVector<AffineExpr> loops(op.getNumLoops(),
                                  getAffineDimExpr(m.k2, op.getContext()));
    for (auto [i, e] : llvm::enumerate(out.getResults()))
      if (auto d = dyn_cast<AffineDimExpr>(e))
        loops[d.getPosition()] = row.map.getResult(i);
    AffineMap loopMap = AffineMap::get(m.rank, 0, loops, op.getContext());
    m.ops.insert(op);
    return TensorRef{
        op.getDpsInputs()[0],
        op.getMatchingIndexingMap(op.getDpsInputOperand(0)).compose(loopMap)};
  }

  /// A row operand of a softmax op (`c`): through broadcasts, casts and
  /// unit-dim expands to the max or sum reduction; returns its input.
  FailureOr<TensorRef> matchRow(Cursor c, bool isMax) {
    c = deref(c);
    std::optional<TensorRef> t = asInput(c);
    if (!t)
      return fail("a softmax row value is computed inline");
    while (std::optional<TensorRef> src = throughUnitExpand(*t))
      t = src;
    if (std::optional<Cursor> inner = enter(*t))
      return matchRow(*inner, isMax);
    return matchReduction(*t, isMax);
  }

  /// The reciprocal of the row sum (`c`), for P = E * (1 / sum).
  FailureOr<TensorRef> matchReciprocal(Cursor c) {
    c = deref(c);
    auto div = c.scalar.getDefiningOp<arith::DivFOp>();
    std::optional<double> one =
        div ? getConstant(c, div.getLhs()) : std::nullopt;
    if (!one || *one != 1.0)
      return fail("not a reciprocal");
    return matchRow(Cursor{div.getRhs(), c.op, c.loops}, /*isMax=*/false);
  }

  /// E = exp(X - rowmax(X)) or exp(X); returns X.
  FailureOr<TensorRef> matchExp(Cursor c) {
    c = deref(c);
    auto exp = c.scalar.getDefiningOp<math::ExpOp>();
    if (!exp)
      return fail("the softmax numerator is not an exp");
    sawSoftmax = true;
    Cursor x = deref(Cursor{exp.getOperand(), c.op, c.loops});
    auto sub = x.scalar.getDefiningOp<arith::SubFOp>();
    if (!sub) {
      std::optional<TensorRef> input = asInput(x);
      if (!input)
        return fail("the exp's operand is computed inline");
      return *input;
    }
    std::optional<TensorRef> input =
        asInput(Cursor{stripCasts(sub.getLhs()), x.op, x.loops});
    if (!input)
      return fail("the softmax input is computed inline");
    FailureOr<TensorRef> maxInput =
        matchRow(Cursor{sub.getRhs(), x.op, x.loops}, /*isMax=*/true);
    if (failed(maxInput))
      return failure();
    if (!(*maxInput == *input))
      return fail("the row max is not taken over the softmax input");
    return *input;
  }

  /// P (operand of the second contraction, identity over the score space)
  /// is a softmax: linalg.softmax or E / rowsum(E), E * (1 / rowsum(E)),
  /// with casts anywhere. Sets m.k2 and m.x.
  LogicalResult matchSoftmax(TensorRef p) {
    // Casts, copies and transposes of the result.
    std::optional<Cursor> c;
    while (true) {
      if (auto softmax = p.value.getDefiningOp<linalg::SoftmaxOp>()) {
        sawSoftmax = true;
        m.ops.insert(softmax);
        auto d =
            dyn_cast<AffineDimExpr>(p.map.getResult(softmax.getDimension()));
        if (!d)
          return fail("linalg.softmax is over a unit dim");
        m.k2 = d.getPosition();
        m.x = TensorRef{softmax.getInput(), p.map};
        return success();
      }
      c = enter(p);
      if (!c)
        return fail("P is not computed by a softmax");
      c->scalar = stripCasts(c->scalar);
      std::optional<TensorRef> input = asInput(*c);
      if (!input)
        break;
      p = *input;
    }
    Operation *def = c->scalar.getDefiningOp();
    if (!def || !isa<arith::DivFOp, arith::MulFOp>(def))
      return fail("P is not computed by a softmax");
    // The softmax dim is the one the normalizing row operand lacks: try
    // each operand as the numerator.
    AttentionMatch saved = m;
    for (unsigned numer : {0u, 1u}) {
      if (isa<arith::DivFOp>(def) && numer == 1)
        break;
      m = saved;
      Cursor rowCursor{def->getOperand(1 - numer), c->op, c->loops};
      std::optional<unsigned> k2 = rowDim(rowCursor);
      if (!k2)
        continue;
      m.k2 = *k2;
      FailureOr<TensorRef> sumInput = isa<arith::DivFOp>(def)
                                          ? matchRow(rowCursor, /*isMax=*/false)
                                          : matchReciprocal(rowCursor);
      if (failed(sumInput))
        continue;
      std::optional<TensorRef> e =
          asInput(Cursor{stripCasts(def->getOperand(numer)), c->op, c->loops});
      if (!e || !(*e == *sumInput))
        return fail("the softmax numerator is not what the row sum adds up");
      std::optional<Cursor> eCursor = enter(*e);
      if (!eCursor)
        return fail("the softmax numerator is not an exp");
      FailureOr<TensorRef> x = matchExp(*eCursor);
      if (failed(x))
        return failure();
      m.x = *x;
      return success();
    }
    return fail("P is not normalized by a row sum");
  }

  /// The score dim missing from the row value `c` reads (through
  /// broadcasts, casts, reciprocals), if it is a row value.
  std::optional<unsigned> rowDim(Cursor c) {
    c = deref(c);
    if (auto div = c.scalar.getDefiningOp<arith::DivFOp>())
      return rowDim(Cursor{div.getRhs(), c.op, c.loops});
    std::optional<TensorRef> t = asInput(c);
    if (!t)
      return std::nullopt;
    while (std::optional<TensorRef> src = throughUnitExpand(*t))
      t = src;
    return missingDim(t->map);
  }

  /// X = [mask +] scale * S with casts, elementwise ops and permutations in
  /// between: finds the first contraction's result S, the scale and mask.
  LogicalResult matchScores(TensorRef x) {
    auto op = x.value.getDefiningOp<LinalgOp>();
    if (op && op.hasPureTensorSemantics() && op.getNumDpsInputs() == 2 &&
        linalg::isaContractionOpInterface(op)) {
      m.qk = op;
      m.s = x;
      return success();
    }
    std::optional<Cursor> c = enter(x);
    if (!c)
      return fail("the softmax input is not computed from a contraction by "
                  "scaling and masking");
    m.scoreOps.push_back(c->op);
    return matchScoreExpr(*c);
  }

  LogicalResult matchScoreExpr(Cursor c) {
    c.scalar = stripCasts(c.scalar);
    if (std::optional<TensorRef> input = asInput(c))
      return matchScores(*input);
    Operation *def = c.scalar.getDefiningOp();
    if (!def || def->getBlock() != c.op.getBlock())
      return fail("the scores are computed by an op that is not a scale or "
                  "a mask");
    auto at = [&](Value v) { return Cursor{v, c.op, c.loops}; };
    if (auto mul = dyn_cast<arith::MulFOp>(def)) {
      for (unsigned i : {0u, 1u})
        if (std::optional<double> f = getConstant(c, mul->getOperand(1 - i)))
          return scaleBy(*f, at(mul->getOperand(i)));
      return fail("the scores are multiplied by a value that is not a "
                  "constant");
    }
    if (auto div = dyn_cast<arith::DivFOp>(def)) {
      std::optional<double> f = getConstant(c, div.getRhs());
      if (!f || *f == 0.0)
        return fail("the scores are divided by a value that is not a "
                    "non-zero constant");
      return scaleBy(1.0 / *f, at(div.getLhs()));
    }
    if (auto add = dyn_cast<arith::AddFOp>(def))
      return matchAddMask(c, add);
    if (auto select = dyn_cast<arith::SelectOp>(def))
      return matchSelectMask(c, select);
    return fail(Twine("the scores are computed by ") +
                def->getName().getStringRef() +
                ", not a scale, a mask or a cast");
  }

  LogicalResult scaleBy(double f, Cursor rest) {
    m.scale *= f;
    m.sawScale = true;
    return matchScoreExpr(rest);
  }

  LogicalResult setMask(TensorRef mask) {
    if (m.mask)
      return fail("the scores have two masks");
    for (AffineExpr e : mask.map.getResults())
      if (!isa<AffineDimExpr>(e) &&
          !(isa<AffineConstantExpr>(e) &&
            cast<AffineConstantExpr>(e).getValue() == 0))
        return fail("the mask is indexed by " + mapToString(mask.map));
    m.mask = mask;
    return success();
  }

  /// S + mask (either order): the mask is the operand read from a tensor
  /// that the scores do not come from.
  LogicalResult matchAddMask(Cursor c, arith::AddFOp add) {
    if (m.sawScale)
      return fail("the float mask is added before the scale");
    for (unsigned i : {0u, 1u}) {
      Cursor maskCursor{stripCasts(add->getOperand(1 - i)), c.op, c.loops};
      std::optional<TensorRef> mask = asInput(maskCursor);
      if (!mask)
        continue;
      AttentionMatch saved = m;
      std::string savedReason = reason;
      if (succeeded(setMask(*mask)) &&
          succeeded(matchScoreExpr(Cursor{add->getOperand(i), c.op, c.loops})))
        return success();
      m = saved;
      if (i == 0)
        reason = savedReason;
    }
    return fail("the scores are added to something that is not a mask");
  }

  /// select(mask, S, -inf): false masks out, as in attn.attention.
  LogicalResult matchSelectMask(Cursor c, arith::SelectOp select) {
    std::optional<double> onFalse = getConstant(c, select.getFalseValue());
    std::optional<double> onTrue = getConstant(c, select.getTrueValue());
    if (onTrue && std::isinf(*onTrue) && *onTrue < 0)
      return fail("the i1 mask selects -inf where it is true (attn.attention "
                  "masks out where false)");
    if (!onFalse || !std::isinf(*onFalse) || *onFalse > 0)
      return fail("the scores are selected against a value other than -inf");
    std::optional<TensorRef> mask =
        asInput(Cursor{select.getCondition(), c.op, c.loops});
    if (!mask)
      return fail("the i1 mask is computed inline");
    if (failed(setMask(*mask)))
      return failure();
    return matchScoreExpr(Cursor{select.getTrueValue(), c.op, c.loops});
  }

private:
  AttentionMatch &m;
};

/// Drops constant-0 results of `map` (unit dims) and reports the
/// reassociation collapsing those dims of a tensor of rank
/// map.getNumResults(); nullopt when nothing is dropped.
std::optional<SmallVector<ReassociationIndices>>
unitDimCollapse(AffineMap &map) {
  SmallVector<ReassociationIndices> groups;
  SmallVector<AffineExpr> kept;
  ReassociationIndices pending;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    pending.push_back(i);
    if (isa<AffineDimExpr>(e)) {
      kept.push_back(e);
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (kept.size() == map.getNumResults())
    return std::nullopt;
  if (!groups.empty())
    llvm::append_range(groups.back(), pending);
  map = AffineMap::get(map.getNumDims(), 0, kept, map.getContext());
  return groups;
}

/// `map` over the score space as a map over all `numLoops` attention loops
/// (the score dims come first).
AffineMap widen(AffineMap map, unsigned numLoops) {
  return AffineMap::get(numLoops, 0, map.getResults(), map.getContext());
}

/// The loops of `op` over the attention space: those in `known`'s map
/// (`known` is the op's operand `knownOperand` as a TensorRef over the
/// space) from it, the others numbered from `next` on.
AffineMap loopsOver(LinalgOp op, OpOperand *knownOperand,
                    const TensorRef &known, unsigned numLoops, unsigned &next) {
  MLIRContext *ctx = op.getContext();
  AffineMap opMap = op.getMatchingIndexingMap(knownOperand);
  SmallVector<AffineExpr> loops(op.getNumLoops());
  for (auto [i, e] : llvm::enumerate(opMap.getResults()))
    loops[cast<AffineDimExpr>(e).getPosition()] =
        widen(known.map, numLoops).getResult(i);
  for (AffineExpr &e : loops)
    if (!e)
      e = getAffineDimExpr(next++, ctx);
  return AffineMap::get(numLoops, 0, loops, ctx);
}

/// Q or K scaled by a constant in an elementwise op of its own: the input,
/// with the factor multiplied into `scale`.
TensorRef stripOperandScale(TensorRef t, double &scale,
                            SmallVectorImpl<Operation *> &stripped) {
  while (true) {
    auto op = t.value.getDefiningOp<LinalgOp>();
    if (!isPointwise(op) || !t.value.hasOneUse())
      return t;
    AffineMap out = op.getIndexingMapMatchingResult(cast<OpResult>(t.value));
    Cursor c{
        cast<linalg::YieldOp>(op.getBlock()->getTerminator()).getOperand(0), op,
        inversePermutation(out).compose(t.map)};
    Operation *def = c.scalar.getDefiningOp();
    std::optional<double> factor;
    Value rest;
    if (auto mul = dyn_cast_or_null<arith::MulFOp>(def)) {
      for (unsigned i : {0u, 1u})
        if (!factor)
          if ((factor = getConstant(c, mul->getOperand(1 - i))))
            rest = mul->getOperand(i);
    } else if (auto div = dyn_cast_or_null<arith::DivFOp>(def)) {
      if ((factor = getConstant(c, div.getRhs())) && *factor != 0.0) {
        factor = 1.0 / *factor;
        rest = div.getLhs();
      } else {
        factor.reset();
      }
    }
    if (!factor)
      return t;
    auto arg = dyn_cast<BlockArgument>(rest);
    if (!arg || arg.getOwner() != op.getBlock() ||
        arg.getArgNumber() >= op.getNumDpsInputs())
      return t;
    OpOperand *input = op.getDpsInputOperand(arg.getArgNumber());
    if (getElementTypeOrSelf(input->get()) != getElementTypeOrSelf(t.value))
      return t;
    scale *= *factor;
    stripped.push_back(op);
    t = TensorRef{input->get(),
                  op.getMatchingIndexingMap(input).compose(c.loops)};
  }
}

/// A tensor.empty shaped like `init` (the attention does not read its
/// init): the one the zero fill of `init` writes into, if any.
Value emptyLike(OpBuilder &b, Location loc, Value init) {
  if (auto fill = init.getDefiningOp<linalg::FillOp>())
    if (Value dest = fill.getOutputs()[0];
        dest.getDefiningOp<tensor::EmptyOp>())
      return dest;
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, init),
                                 getElementTypeOrSelf(init));
}

struct RaiseAttention : public OpInterfaceRewritePattern<LinalgOp> {
  RaiseAttention(MLIRContext *context, ControlRaiseAttentionFn controlFn,
                 DecisionRemarks *remarks)
      : OpInterfaceRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(LinalgOp pv,
                                PatternRewriter &rewriter) const override {
    if (!pv.hasPureTensorSemantics() || pv.getNumDpsInputs() != 2 ||
        pv.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(pv))
      return rewriter.notifyMatchFailure(pv, "not a contraction");
    std::string reason;
    for (unsigned pIndex : {0u, 1u}) {
      AttentionMatch m;
      ChainMatcher matcher(m);
      if (succeeded(matchChain(pv, pIndex, m, matcher)) &&
          succeeded(checkChain(m, matcher)))
        return raise(pv, m, rewriter);
      if (matcher.sawSoftmax && reason.empty())
        reason = matcher.reason;
    }
    if (reason.empty())
      return rewriter.notifyMatchFailure(pv, "no softmax feeds it");
    return declineMatch(rewriter, pv, remarks, "declined: " + reason);
  }

private:
  LogicalResult matchChain(LinalgOp pv, unsigned pIndex, AttentionMatch &m,
                           ChainMatcher &matcher) const {
    m.pv = pv;
    m.pIndex = pIndex;
    Value p = pv.getDpsInputs()[pIndex];
    m.rank = cast<RankedTensorType>(p.getType()).getRank();
    if (failed(matcher.matchSoftmax(
            {p, AffineMap::getMultiDimIdentityMap(m.rank, pv.getContext())})))
      return failure();
    if (m.x.map.getNumResults() != m.rank || !m.x.map.isPermutation())
      return matcher.fail("the softmax input does not have P's shape");
    if (failed(matcher.matchScores(m.x)))
      return failure();
    m.scoreOps.push_back(m.qk);
    if (!m.s.map.isPermutation())
      return matcher.fail("the first contraction's result does not have P's "
                          "shape");
    return success();
  }

  /// Roles, single uses and inits; every check that needs the whole chain.
  LogicalResult checkChain(AttentionMatch &m, ChainMatcher &matcher) const {
    // The softmax dim must be what the second contraction reduces.
    AffineMap pMap =
        m.pv.getMatchingIndexingMap(m.pv.getDpsInputOperand(m.pIndex));
    SmallVector<utils::IteratorType> iters = m.pv.getIteratorTypesArray();
    for (auto [i, e] : llvm::enumerate(pMap.getResults())) {
      bool reduced = iters[cast<AffineDimExpr>(e).getPosition()] ==
                     utils::IteratorType::reduction;
      if (reduced != (i == m.k2))
        return matcher.fail(
            "the softmax is over a dim that is not the reduction dim of the "
            "P.V contraction");
    }
    for (LinalgOp c : {m.qk, m.pv}) {
      std::optional<double> init = getFillValue(c.getDpsInits()[0]);
      if (!init || *init != 0.0)
        return matcher.fail(Twine(c == m.qk ? "Q.K^T" : "P.V") +
                            " accumulates into an init that is not zero");
    }
    // Every value between the contractions is used only inside the chain.
    llvm::SmallPtrSet<Operation *, 16> chain(m.ops.begin(), m.ops.end());
    chain.insert(m.qk);
    chain.insert(m.pv);
    llvm::SmallPtrSet<Operation *, 8> scoreOps(m.scoreOps.begin(),
                                               m.scoreOps.end());
    for (Operation *op : chain) {
      if (op == m.pv)
        continue;
      for (Operation *user : op->getUsers())
        if (!chain.contains(user))
          return matcher.fail(
              Twine(scoreOps.contains(op) ? "S" : "P") + " has another user (" +
              user->getName().getStringRef() + "), which would still need it");
    }
    return success();
  }

  LogicalResult raise(LinalgOp pv, AttentionMatch &m,
                      PatternRewriter &rewriter) const {
    MLIRContext *ctx = pv.getContext();
    unsigned numK1 = m.qk.getNumReductionLoops();
    unsigned numN = pv.getNumLoops() - m.rank;
    unsigned numLoops = m.rank + numK1 + numN;
    // Q.K^T's loops: its output dims from S, the reduction dims are K1.
    unsigned next = m.rank;
    AffineMap qkLoops =
        loopsOver(m.qk, m.qk.getDpsInitOperand(0), m.s, numLoops, next);
    TensorRef pRef{pv.getDpsInputs()[m.pIndex],
                   AffineMap::getMultiDimIdentityMap(m.rank, ctx)};
    AffineMap pvLoops =
        loopsOver(pv, pv.getDpsInputOperand(m.pIndex), pRef, numLoops, next);
    auto operandRef = [](LinalgOp op, OpOperand *operand, AffineMap loops) {
      return TensorRef{operand->get(),
                       op.getMatchingIndexingMap(operand).compose(loops)};
    };
    TensorRef a = operandRef(m.qk, m.qk.getDpsInputOperand(0), qkLoops);
    TensorRef b = operandRef(m.qk, m.qk.getDpsInputOperand(1), qkLoops);
    // K is the operand indexed by the softmax dim.
    if (!a.map.isFunctionOfDim(m.k2))
      std::swap(a, b);
    double scale = m.scale;
    SmallVector<Operation *> stripped;
    TensorRef q = stripOperandScale(b, scale, stripped);
    TensorRef k = stripOperandScale(a, scale, stripped);
    TensorRef v = operandRef(pv, pv.getDpsInputOperand(1 - m.pIndex), pvLoops);
    AffineMap outMap =
        pv.getMatchingIndexingMap(pv.getDpsInitOperand(0)).compose(pvLoops);
    std::optional<TensorRef> mask;
    if (m.mask)
      mask = TensorRef{m.mask->value, widen(m.mask->map, numLoops)};

    if (failed(checkRaisable(pv, q, k, v, mask, outMap, rewriter)))
      return failure();
    if (!controlFn(pv))
      return declineMatch(rewriter, pv, remarks,
                          "declined: rejected by the control function");

    Location loc = pv.getLoc();
    if (mask)
      mask = collapseUnitDims(rewriter, loc, *mask);
    Value scaleValue = arith::ConstantOp::create(
        rewriter, loc, rewriter.getF32FloatAttr(static_cast<float>(scale)));
    Value init = emptyLike(rewriter, loc, pv.getDpsInits()[0]);
    SmallVector<AffineMap> maps = {q.map, k.map, v.map,
                                   AffineMap::get(numLoops, 0, {}, ctx)};
    if (mask)
      maps.push_back(mask->map);
    maps.push_back(outMap);
    auto attention = AttentionOp::create(
        rewriter, loc, TypeRange{pv->getResult(0).getType()}, q.value, k.value,
        v.value, scaleValue, mask ? mask->value : Value(), init,
        /*lse=*/Value(), rewriter.getAffineMapArrayAttr(maps),
        /*causal=*/nullptr);
    reportDecision(remarks, attention,
                   Twine("raised ") + describe(m, scale, stripped.size()) +
                       " to attn.attention");
    rewriter.replaceOp(pv, attention.getResult());
    // The chain, now unused, and what fed only it (inits, fills).
    SmallVector<Operation *> dead(m.ops.begin(), m.ops.end());
    dead.push_back(m.qk);
    llvm::append_range(dead, stripped);
    eraseDeadChain(rewriter, dead);
    return success();
  }

  /// The checks on the operands and maps the attention op would have.
  LogicalResult checkRaisable(LinalgOp pv, const TensorRef &q,
                              const TensorRef &k, const TensorRef &v,
                              const std::optional<TensorRef> &mask,
                              AffineMap outMap,
                              PatternRewriter &rewriter) const {
    auto decline = [&](const Twine &why) {
      return declineMatch(rewriter, pv, remarks, "declined: " + why);
    };
    for (AffineMap map : {q.map, k.map, v.map, outMap})
      if (!map.isProjectedPermutation())
        return decline("an operand would be indexed by " + mapToString(map));
    std::string error;
    if (!AttentionDims::infer(q.map, k.map, v.map, outMap, &error))
      return decline("the shapes do not fit attention: " + error);
    Type elem = getElementTypeOrSelf(q.value);
    auto supported = [](Type t) {
      return t.isF32() || t.isF16() || t.isBF16();
    };
    if (!supported(elem) || getElementTypeOrSelf(k.value) != elem ||
        getElementTypeOrSelf(v.value) != elem)
      return decline("Q, K and V need one element type of f32, f16 or bf16");
    if (!supported(getElementTypeOrSelf(pv->getResult(0).getType())))
      return decline("the result's element type is not f32, f16 or bf16");
    if (mask) {
      Type maskElem = getElementTypeOrSelf(mask->value);
      if (!maskElem.isInteger(1) && !supported(maskElem))
        return decline("the mask's element type is not i1, f32, f16 or bf16");
    }
    return success();
  }

  /// The mask without the unit dims its map indexes with a constant 0.
  static TensorRef collapseUnitDims(OpBuilder &b, Location loc, TensorRef t) {
    AffineMap map = t.map;
    std::optional<SmallVector<ReassociationIndices>> groups =
        unitDimCollapse(map);
    if (!groups)
      return t;
    Value collapsed = tensor::CollapseShapeOp::create(b, loc, t.value, *groups);
    return TensorRef{collapsed, map};
  }

  static std::string describe(const AttentionMatch &m, double scale,
                              size_t operandScales) {
    std::string s;
    llvm::raw_string_ostream os(s);
    os << m.qk->getName().getStringRef() << " -> ";
    if (m.sawScale || operandScales)
      os << "scale -> ";
    if (m.mask)
      os << (getElementTypeOrSelf(m.mask->value).isInteger(1) ? "i1 mask -> "
                                                              : "mask -> ");
    os << "softmax -> " << m.pv->getName().getStringRef() << " (scale "
       << llvm::format("%g", scale) << ")";
    return s;
  }

  ControlRaiseAttentionFn controlFn;
  DecisionRemarks *remarks;
};

/// Whether `op` is a softmax: linalg.softmax or a linalg op computing an
/// exp (the decomposed form).
bool isSoftmaxSeed(Operation *op) {
  if (isa<linalg::SoftmaxOp>(op))
    return true;
  auto linalgOp = dyn_cast<LinalgOp>(op);
  return linalgOp && linalgOp.getBlock() &&
         llvm::any_of(linalgOp.getBlock()->getOperations(),
                      [](Operation &inner) { return isa<math::ExpOp>(inner); });
}

bool isContraction(Operation *op) {
  auto linalgOp = dyn_cast<LinalgOp>(op);
  return linalgOp && linalgOp.hasPureTensorSemantics() &&
         linalgOp.getNumDpsInputs() == 2 && linalgOp.getNumDpsInits() == 1 &&
         linalg::isaContractionOpInterface(linalgOp);
}

/// The contractions reached from a softmax through other linalg ops and
/// reshapes (at most `kMaxSteps` ops away): the candidate Q.K^T and P.V.
llvm::SetVector<Operation *>
findSoftmaxContractions(Operation *root,
                        llvm::SmallPtrSetImpl<Operation *> &region) {
  constexpr unsigned kMaxSteps = 16;
  llvm::SetVector<Operation *> contractions;
  root->walk([&](Operation *seed) {
    if (!isSoftmaxSeed(seed))
      return;
    SmallVector<std::pair<Operation *, unsigned>> worklist = {{seed, 0}};
    llvm::SmallPtrSet<Operation *, 16> seen = {seed};
    while (!worklist.empty()) {
      auto [op, steps] = worklist.pop_back_val();
      region.insert(op);
      if (isContraction(op)) {
        contractions.insert(op);
        continue;
      }
      if (steps == kMaxSteps ||
          !(isa<LinalgOp, linalg::SoftmaxOp>(op) ||
            isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)))
        continue;
      auto visit = [&](Operation *next) {
        if (next && seen.insert(next).second)
          worklist.push_back({next, steps + 1});
      };
      for (Value operand : op->getOperands())
        visit(operand.getDefiningOp());
      for (Operation *user : op->getUsers())
        visit(user);
    }
  });
  return contractions;
}

/// Frontends merge heads into the batch dim around linalg.batch_matmul
/// (collapse_shape before each product, expand_shape after it), which puts
/// reshapes inside the attention chain. Upstream's fusion by expansion
/// moves them out: the products become generics over the unmerged dims.
/// Only the contractions next to a softmax are expanded, so the rest of the
/// program keeps its shape.
LogicalResult expandReshapesAroundSoftmax(Operation *root) {
  llvm::SmallPtrSet<Operation *, 32> region;
  llvm::SetVector<Operation *> contractions =
      findSoftmaxContractions(root, region);
  // Reshapes between a contraction and the softmax, not those of Q, K and V
  // (e.g. GQA's merged heads, which attn-fold-broadcasts handles).
  auto chainCollapse = [&](Value v) -> Operation * {
    auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>();
    Operation *src = collapse ? collapse.getSrc().getDefiningOp() : nullptr;
    return src && region.contains(src) && !isContraction(src) ? collapse
                                                              : nullptr;
  };
  auto chainExpand = [&](Operation *user) {
    return isa<tensor::ExpandShapeOp>(user) &&
           llvm::any_of(user->getUsers(), [&](Operation *next) {
             return region.contains(next) && !isContraction(next);
           });
  };
  llvm::SetVector<Operation *> ops;
  llvm::SmallPtrSet<Operation *, 8> expandable;
  IRRewriter rewriter(root->getContext());
  for (Operation *op : contractions) {
    if (!llvm::any_of(op->getOperands(), chainCollapse) &&
        !llvm::any_of(op->getUsers(), chainExpand))
      continue;
    // The expansion patterns rewrite linalg.generic only.
    if (auto named = dyn_cast<LinalgOp>(op); !isa<linalg::GenericOp>(op)) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, named);
      if (failed(generic))
        continue;
      op = *generic;
    }
    expandable.insert(op);
    for (Value v : op->getOperands())
      if (Operation *collapse = chainCollapse(v))
        expandable.insert(collapse);
    for (Operation *user : op->getUsers())
      if (chainExpand(user))
        expandable.insert(user);
    // Reshapes of the result are canonicalized with what the expansion
    // makes (expand_shape(collapse_shape(x)) -> x), not expanded through.
    ops.insert(op);
    ops.insert_range(op->getUsers());
  }
  if (ops.empty())
    return success();
  ops.insert_range(expandable);
  MLIRContext *ctx = root->getContext();
  RewritePatternSet patterns(ctx);
  linalg::populateFoldReshapeOpsByExpansionPatterns(
      patterns, [&](OpOperand *fused) {
        // Both ends: a chain reshape and its contraction.
        return expandable.contains(fused->getOwner()) &&
               expandable.contains(fused->get().getDefiningOp());
      });
  // expand_shape(collapse_shape(x)) -> x, and reshaped fills and empties.
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, ctx);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, ctx);
  linalg::FillOp::getCanonicalizationPatterns(patterns, ctx);
  GreedyRewriteConfig config;
  config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
  return applyOpPatternsGreedily(ops.takeVector(), std::move(patterns), config);
}

struct RaiseAttentionPass
    : public mlir::attn::impl::AttnRaiseAttentionBase<RaiseAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    if (failed(expandReshapesAroundSoftmax(getOperation())))
      return signalPassFailure();
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateRaiseAttentionPatterns(
          patterns, [](Operation *) { return true; }, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateRaiseAttentionPatterns(
    RewritePatternSet &patterns, const ControlRaiseAttentionFn &controlFn,
    DecisionRemarks *remarks) {
  // The patterns create attn.attention, which a program in linalg alone
  // has not loaded (the pass declares it as a dependent dialect; users of
  // the patterns need not).
  patterns.getContext()->getOrLoadDialect<AttnDialect>();
  patterns.add<RaiseAttention>(patterns.getContext(), controlFn, remarks);
}
