//===- FuseProjections.cpp - horizontal fusion of Q/K/V projections -------===//
//
// The Q, K and V projections of a transformer block are contractions of the
// same activations with different weights. Fusing them into one
// multi-result linalg.generic reads the activations once; each result keeps
// its own output map, so attn-fuse-transpose-producers can still make V's
// result be written transposed (IREE dropped its V-transpose bubbling
// because it broke this fusion, #19810; here both apply). Upstream has
// vertical elementwise fusion only, so this is written here.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"
#include "transforms/Transforms.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFUSEPROJECTIONS
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;
using linalg::LinalgOp;

namespace {

/// A contraction of two tensors into a third, static shapes.
bool isProjection(LinalgOp op) {
  return op && op.hasPureTensorSemantics() && op.getNumDpsInputs() == 2 &&
         op.getNumDpsInits() == 1 && !op.hasDynamicShape() &&
         linalg::isaContractionOpInterface(op);
}

/// Whether `a` and `b` are the same value: equal, or results of equivalent
/// pure ops without regions (the importers' repeated collapse_shape of the
/// activations).
bool sameValue(Value a, Value b) {
  if (a == b)
    return true;
  Operation *da = a.getDefiningOp(), *db = b.getDefiningOp();
  if (!da || !db || da->getNumRegions() || !isPure(da) ||
      cast<OpResult>(a).getResultNumber() !=
          cast<OpResult>(b).getResultNumber())
    return false;
  return OperationEquivalence::isEquivalentTo(
      da, db, OperationEquivalence::IgnoreLocations);
}

/// Moves the cheap, pure producers of `v` (constants, empties, fills,
/// reshapes) before `point` so that `v` dominates it. False when `v`
/// depends on anything else defined after `point`.
bool hoistBefore(RewriterBase &rewriter, Value v, Operation *point,
                 DominanceInfo &dom) {
  if (dom.properlyDominates(v, point))
    return true;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != point->getBlock() ||
      !isa<arith::ConstantOp, tensor::EmptyOp, linalg::FillOp,
           tensor::ExpandShapeOp, tensor::CollapseShapeOp>(def))
    return false;
  for (Value operand : def->getOperands())
    if (!hoistBefore(rewriter, operand, point, dom))
      return false;
  rewriter.moveOpBefore(def, point);
  return true;
}

/// The key projections must share to be fused: the shared input's map,
/// the iterator types and the loop ranges.
bool sameIterationSpace(LinalgOp a, LinalgOp b) {
  return a.getIteratorTypesArray() == b.getIteratorTypesArray() &&
         a.getStaticLoopRanges() == b.getStaticLoopRanges() &&
         a.getMatchingIndexingMap(a.getDpsInputOperand(0)) ==
             b.getMatchingIndexingMap(b.getDpsInputOperand(0));
}

/// One linalg.generic computing every projection of `group` (same first
/// input, same iteration space), inserted before the first of them.
linalg::GenericOp fuseGroup(RewriterBase &rewriter, ArrayRef<LinalgOp> group) {
  LinalgOp first = group.front();
  SmallVector<Value> inputs = {first.getDpsInputs()[0]};
  SmallVector<Value> inits;
  SmallVector<AffineMap> maps = {
      first.getMatchingIndexingMap(first.getDpsInputOperand(0))};
  SmallVector<AffineMap> outMaps;
  SmallVector<Type> types;
  for (LinalgOp op : group) {
    inputs.push_back(op.getDpsInputs()[1]);
    maps.push_back(op.getMatchingIndexingMap(op.getDpsInputOperand(1)));
    inits.push_back(op.getDpsInits()[0]);
    outMaps.push_back(op.getMatchingIndexingMap(op.getDpsInitOperand(0)));
    types.push_back(op->getResult(0).getType());
  }
  llvm::append_range(maps, outMaps);
  rewriter.setInsertionPoint(first);
  auto fused =
      linalg::GenericOp::create(rewriter, first.getLoc(), types, inputs, inits,
                                maps, first.getIteratorTypesArray());
  // Block arguments: x, w_0..w_n-1, out_0..out_n-1. Each projection's body
  // is cloned with its (x, w, out) mapped to the fused op's.
  unsigned n = group.size();
  SmallVector<Type> argTypes;
  SmallVector<Location> argLocs;
  for (Value v : llvm::concat<Value>(inputs, inits)) {
    argTypes.push_back(getElementTypeOrSelf(v));
    argLocs.push_back(v.getLoc());
  }
  Block *block =
      rewriter.createBlock(&fused.getRegion(), {}, argTypes, argLocs);
  SmallVector<Value> yields;
  for (auto [i, projection] : llvm::enumerate(group)) {
    LinalgOp op = projection;
    Block *body = op.getBlock();
    IRMapping mapping;
    mapping.map(body->getArgument(0), block->getArgument(0));
    mapping.map(body->getArgument(1), block->getArgument(1 + i));
    mapping.map(body->getArgument(2), block->getArgument(1 + n + i));
    for (Operation &inner : body->without_terminator())
      rewriter.clone(inner, mapping);
    yields.push_back(mapping.lookup(body->getTerminator()->getOperand(0)));
  }
  linalg::YieldOp::create(rewriter, first.getLoc(), yields);
  return fused;
}

std::string locString(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  op->getLoc().print(os);
  return s;
}

/// Fuses a projection with the later projections of the same input in its
/// block (the candidate group's first op is the root).
struct FuseProjectionsWithSiblings
    : public OpInterfaceRewritePattern<LinalgOp> {
  FuseProjectionsWithSiblings(MLIRContext *context,
                              ControlFuseProjectionsFn controlFn,
                              DecisionRemarks *remarks)
      : OpInterfaceRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(LinalgOp first,
                                PatternRewriter &rewriter) const override {
    if (!isProjection(first))
      return rewriter.notifyMatchFailure(first, "not a projection");
    SmallVector<LinalgOp> group = siblings(first);
    if (group.size() < 2)
      return rewriter.notifyMatchFailure(first, "no sibling projection");
    if (!controlFn(first))
      return declineMatch(rewriter, first, remarks,
                          "not fusing the projections of this input: "
                          "rejected by the control function");
    // The later projections' operands must be available at the first.
    DominanceInfo dom(first->getParentOp());
    SmallVector<LinalgOp> fusable = {first};
    for (LinalgOp op : ArrayRef(group).drop_front()) {
      if (llvm::all_of(op->getOperands(), [&](Value v) {
            return hoistBefore(rewriter, v, first, dom);
          }))
        fusable.push_back(op);
      else
        reportDecision(remarks, op,
                       "not fused with the projection at " + locString(first) +
                           ": an operand is computed after that one");
    }
    if (fusable.size() < 2)
      return failure();
    linalg::GenericOp fused = fuseGroup(rewriter, fusable);
    for (auto [i, op] : llvm::enumerate(fusable))
      rewriter.replaceOp(op, fused.getResult(i));
    reportDecision(remarks, fused,
                   "fused " + Twine(fusable.size()) +
                       " projections of the same input into one "
                       "linalg.generic with " +
                       Twine(fusable.size()) + " results");
    return success();
  }

private:
  /// `first` and the later projections in its block with the same first
  /// input and iteration space.
  static SmallVector<LinalgOp> siblings(LinalgOp first) {
    SmallVector<LinalgOp> group = {first};
    for (Operation *op = first->getNextNode(); op; op = op->getNextNode()) {
      auto other = dyn_cast<LinalgOp>(op);
      if (isProjection(other) &&
          sameValue(first.getDpsInputs()[0], other.getDpsInputs()[0]) &&
          sameIterationSpace(first, other))
        group.push_back(other);
    }
    return group;
  }

  ControlFuseProjectionsFn controlFn;
  DecisionRemarks *remarks;
};

struct FuseProjectionsPass
    : public mlir::attn::impl::AttnFuseProjectionsBase<FuseProjectionsPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFuseProjectionsPatterns(
          patterns, [](Operation *) { return true; }, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateFuseProjectionsPatterns(
    RewritePatternSet &patterns, const ControlFuseProjectionsFn &controlFn,
    DecisionRemarks *remarks) {
  patterns.add<FuseProjectionsWithSiblings>(patterns.getContext(), controlFn,
                                            remarks);
}
