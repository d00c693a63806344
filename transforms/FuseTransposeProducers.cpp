//===- FuseTransposeProducers.cpp - fuse transposes into producers --------===//
//
// Makes the producer of a transposed value write the permuted layout
// directly. Upstream MLIR has transpose propagation patterns for
// elementwise ops (linalg data-layout propagation), but none that folds a
// transpose into a contraction's output map, composes through reshapes
// under a "must fuse further" condition, or explains its decisions; this
// pass is that missing piece, written against the LinalgOp interfaces.
//
//===----------------------------------------------------------------------===//

#include "transforms/Passes.h"
#include "transforms/Transforms.h"
#include "transforms/TransposeUtils.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNFUSETRANSPOSEPRODUCERS
#include "transforms/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Reassociation of a reshape after its expanded-side dims were permuted
/// by `perm`, when the permutation moves whole groups and keeps the order
/// inside each group. Returns the group order (a permutation of the
/// collapsed-side dims) and the new reassociation, or nullopt.
struct GroupPermutation {
  SmallVector<int64_t> groupPerm;
  SmallVector<ReassociationIndices> reassociation;
};

std::optional<GroupPermutation>
permuteGroups(ArrayRef<ReassociationIndices> groups, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> groupOf(perm.size());
  for (auto [g, group] : llvm::enumerate(groups))
    for (int64_t d : group)
      groupOf[d] = g;
  GroupPermutation result;
  for (size_t i = 0; i < perm.size();) {
    int64_t g = groupOf[perm[i]];
    const ReassociationIndices &group = groups[g];
    ReassociationIndices newGroup;
    for (int64_t d : group) {
      if (i >= perm.size() || perm[i] != d)
        return std::nullopt;
      newGroup.push_back(i++);
    }
    result.groupPerm.push_back(g);
    result.reassociation.push_back(newGroup);
  }
  return result;
}

/// Expanded-side permutation for a permutation `groupPerm` of the collapsed
/// dims, and the matching reassociation.
GroupPermutation expandGroupPermutation(ArrayRef<ReassociationIndices> groups,
                                        ArrayRef<int64_t> groupPerm) {
  GroupPermutation result;
  SmallVector<int64_t> perm;
  int64_t next = 0;
  for (int64_t g : groupPerm) {
    ReassociationIndices newGroup;
    for (int64_t d : groups[g]) {
      perm.push_back(d);
      newGroup.push_back(next++);
    }
    result.reassociation.push_back(newGroup);
  }
  result.groupPerm = perm; // here: the expanded-side permutation
  return result;
}

DenseElementsAttr permuteConstant(DenseElementsAttr attr,
                                  ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(attr.getType());
  SmallVector<int64_t> newShape = applyPermutation(type.getShape(), perm);
  auto newType = RankedTensorType::get(newShape, type.getElementType());
  if (attr.isSplat())
    return DenseElementsAttr::get(newType, attr.getSplatValue<Attribute>());
  SmallVector<Attribute> values(attr.getValues<Attribute>());
  SmallVector<int64_t> oldStrides = computeSuffixProduct(type.getShape());
  SmallVector<Attribute> newValues;
  newValues.reserve(values.size());
  for (int64_t linear = 0, e = values.size(); linear < e; ++linear) {
    SmallVector<int64_t> newIndex =
        delinearize(linear, computeSuffixProduct(newShape));
    int64_t oldLinear = 0;
    for (auto [i, p] : llvm::enumerate(perm))
      oldLinear += newIndex[i] * oldStrides[p];
    newValues.push_back(values[oldLinear]);
  }
  return DenseElementsAttr::get(newType, newValues);
}

/// Decides and performs the fusion of "permute `src` by `perm`" into the ops
/// that compute `src`.
class TransposeFuser {
public:
  explicit TransposeFuser(RewriterBase &rewriter) : rewriter(rewriter) {}

  /// Whether `permute(src, perm)` can be computed without a transpose op.
  /// On failure `why` says why not.
  bool canFuse(Value src, ArrayRef<int64_t> perm, std::string &why) const;

  /// Rewrites `permute(src, perm)` into `src`'s producer; requires canFuse.
  Value fuse(Value src, ArrayRef<int64_t> perm);

  /// Producers made dead by `fuse`; erased by the caller.
  llvm::SetVector<Operation *> replaced;

  /// What `fuse` did, step by step, for the remark.
  SmallVector<std::string> steps;

private:
  /// `permute(src, perm)`: fused when possible, else a linalg.transpose.
  Value permute(Value src, ArrayRef<int64_t> perm, Location loc);

  RewriterBase &rewriter;
};

bool TransposeFuser::canFuse(Value src, ArrayRef<int64_t> perm,
                             std::string &why) const {
  if (isa<BlockArgument>(src)) {
    why = "the transposed value is a block argument";
    return false;
  }
  Operation *def = src.getDefiningOp();
  // Creating a new empty tensor, constant or fill duplicates no computation
  // (a fill shared by several accumulators, e.g. of fused projections, is
  // recreated for the one that is permuted).
  if (isa<tensor::EmptyOp, arith::ConstantOp, linalg::FillOp>(def)) {
    if (isa<arith::ConstantOp>(def) &&
        !isa<DenseElementsAttr>(cast<arith::ConstantOp>(def).getValue())) {
      why = "the producer is a non-dense constant";
      return false;
    }
    return true;
  }
  if (!src.hasOneUse()) {
    why = "the producer '" + def->getName().getStringRef().str() +
          "' has other users; fusing would compute it twice";
    return false;
  }
  if (matchPermutation(def))
    return true;
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
    std::optional<GroupPermutation> groups =
        permuteGroups(expand.getReassociationIndices(), perm);
    if (!groups) {
      why = "the permutation splits a reassociation group of the "
            "tensor.expand_shape";
      return false;
    }
    std::string inner;
    if (!canFuse(expand.getSrc(), groups->groupPerm, inner)) {
      why =
          "moving it across the tensor.expand_shape would not fuse further: " +
          inner;
      return false;
    }
    return true;
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    GroupPermutation expanded =
        expandGroupPermutation(collapse.getReassociationIndices(), perm);
    std::string inner;
    if (!canFuse(collapse.getSrc(), expanded.groupPerm, inner)) {
      why = "moving it across the tensor.collapse_shape would not fuse "
            "further: " +
            inner;
      return false;
    }
    return true;
  }
  // A multi-result generic (fused projections) writes the one result
  // through its own output map; the other results stay as they are.
  auto linalgOp = dyn_cast<linalg::LinalgOp>(def);
  if (linalgOp && linalgOp.hasPureTensorSemantics() &&
      (def->getNumResults() == 1 || isa<linalg::GenericOp>(def)))
    return true;
  why = "the producer '" + def->getName().getStringRef().str() +
        "' is not a kind this pass fuses into";
  return false;
}

Value TransposeFuser::permute(Value src, ArrayRef<int64_t> perm, Location loc) {
  if (isIdentityPermutation(perm))
    return src;
  std::string why;
  if (canFuse(src, perm, why))
    return fuse(src, perm);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPointAfterValue(src);
  Value init = createPermutedEmpty(rewriter, loc, src, perm);
  return linalg::TransposeOp::create(rewriter, loc, src, init, perm)
      .getResult()[0];
}

Value TransposeFuser::fuse(Value src, ArrayRef<int64_t> perm) {
  Operation *def = src.getDefiningOp();
  Location loc = def->getLoc();
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(def);
  replaced.insert(def);

  if (auto empty = dyn_cast<tensor::EmptyOp>(def)) {
    steps.push_back("recreated the tensor.empty in the permuted shape");
    return createPermutedEmpty(rewriter, loc, src, perm);
  }
  if (auto cst = dyn_cast<arith::ConstantOp>(def)) {
    steps.push_back("folded the transpose into the constant");
    DenseElementsAttr attr =
        permuteConstant(cast<DenseElementsAttr>(cst.getValue()), perm);
    return arith::ConstantOp::create(rewriter, loc, attr);
  }
  if (std::optional<Permutation> inner = matchPermutation(def)) {
    // T(P(x))[i] = P(x)[perm[i]] = x[inner[perm[i]]].
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner->perm[p]);
    steps.push_back(isIdentityPermutation(composed)
                        ? "composed with the producing transpose into the "
                          "identity"
                        : "composed with the producing transpose into " +
                              permToString(composed));
    return permute(inner->input, composed, loc);
  }
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    steps.push_back("recreated the linalg.fill in the permuted shape");
    // A fill overwrites its init: any tensor of the permuted shape works.
    Value init = createPermutedEmpty(rewriter, loc, src, perm);
    return linalg::FillOp::create(rewriter, loc, fill.getInputs(), init)
        .getResult(0);
  }
  if (auto expand = dyn_cast<tensor::ExpandShapeOp>(def)) {
    GroupPermutation groups =
        *permuteGroups(expand.getReassociationIndices(), perm);
    steps.push_back("moved across the tensor.expand_shape");
    Value inner = fuse(expand.getSrc(), groups.groupPerm);
    SmallVector<OpFoldResult> outputShape = expand.getMixedOutputShape();
    applyPermutationToVector(outputShape, perm);
    auto type = RankedTensorType::get(
        applyPermutation(expand.getResultType().getShape(), perm),
        expand.getResultType().getElementType());
    return tensor::ExpandShapeOp::create(rewriter, loc, type, inner,
                                         groups.reassociation, outputShape);
  }
  if (auto collapse = dyn_cast<tensor::CollapseShapeOp>(def)) {
    GroupPermutation expanded =
        expandGroupPermutation(collapse.getReassociationIndices(), perm);
    steps.push_back("moved across the tensor.collapse_shape");
    Value inner = fuse(collapse.getSrc(), expanded.groupPerm);
    return tensor::CollapseShapeOp::create(rewriter, loc, inner,
                                           expanded.reassociation);
  }

  auto linalgOp = cast<linalg::LinalgOp>(def);
  auto generic = dyn_cast<linalg::GenericOp>(def);
  // Before generalization, which erases `def` (and so `src`).
  unsigned resultNumber = cast<OpResult>(src).getResultNumber();
  std::string step = def->getName().getStringRef().str();
  if (!generic) {
    // Named ops (matmul, batch_matmul, ...) write through a fixed output
    // map; generalize so the map can be permuted. Generalization replaces
    // (and erases) the named op itself.
    replaced.remove(def);
    generic = *linalg::generalizeNamedOp(rewriter, linalgOp);
    replaced.insert(generic);
    rewriter.setInsertionPoint(generic);
    step += " (generalized)";
  }
  if (generic->getNumResults() > 1)
    step += " result #" + std::to_string(resultNumber);
  steps.push_back(step + " writes the permuted layout (output map permuted)");
  OpOperand *initOperand = generic.getDpsInitOperand(resultNumber);
  Value newInit;
  if (generic.payloadUsesValueFromOperand(initOperand)) {
    // The payload reads the init (e.g. an accumulator): permute it too.
    newInit = permute(initOperand->get(), perm, loc);
  } else {
    newInit = createPermutedEmpty(rewriter, loc, initOperand->get(), perm);
  }
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  AffineMap &outMap = maps[initOperand->getOperandNumber()];
  outMap = permuteResults(outMap, perm);
  SmallVector<Value> inits = generic.getDpsInits();
  inits[resultNumber] = newInit;
  auto newGeneric = linalg::GenericOp::create(
      rewriter, loc, ValueRange(inits).getTypes(), generic.getDpsInputs(),
      inits, maps, generic.getIteratorTypesArray());
  rewriter.cloneRegionBefore(generic.getRegion(), newGeneric.getRegion(),
                             newGeneric.getRegion().end());
  // The other results (other projections) are unchanged.
  for (OpResult result : generic->getResults())
    if (result.getResultNumber() != resultNumber)
      rewriter.replaceAllUsesWith(
          result, newGeneric->getResult(result.getResultNumber()));
  return newGeneric.getResult(resultNumber);
}

/// Fuses a `linalg.transpose` into the producer of its input.
struct FuseTransposeIntoProducer
    : public OpRewritePattern<linalg::TransposeOp> {
  FuseTransposeIntoProducer(MLIRContext *context,
                            ControlFuseTransposeFn controlFn,
                            DecisionRemarks *remarks)
      : OpRewritePattern(context), controlFn(std::move(controlFn)),
        remarks(remarks) {}

  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    std::optional<Permutation> perm = matchPermutation(op);
    TransposeFuser fuser(rewriter);
    std::string why;
    if (!fuser.canFuse(perm->input, perm->perm, why))
      return declineMatch(rewriter, op, remarks, "declined: " + why);
    if (!controlFn(&op.getInputMutable()))
      return declineMatch(rewriter, op, remarks,
                          "declined: rejected by the control function");

    Value fused = fuser.fuse(perm->input, perm->perm);
    reportDecision(remarks, op,
                   "fused transpose " + permToString(perm->perm) + ": " +
                       llvm::join(fuser.steps, "; "));
    rewriter.replaceAllUsesWith(perm->result, fused);
    // Erase the transpose and the producers the fusion replaced (they are
    // now unused), with their dead inits.
    SmallVector<Operation *> dead = fuser.replaced.takeVector();
    dead.push_back(op);
    eraseDeadChain(rewriter, dead);
    return success();
  }

private:
  ControlFuseTransposeFn controlFn;
  DecisionRemarks *remarks;
};

struct FuseTransposeProducersPass
    : public mlir::attn::impl::AttnFuseTransposeProducersBase<
          FuseTransposeProducersPass> {
  using Base::Base;

  void runOnOperation() override {
    auto populate = [](RewritePatternSet &patterns, DecisionRemarks *d) {
      populateFuseTransposeProducersPatterns(patterns, acceptAllCandidates, d);
    };
    if (failed(applyGraphPatterns(getOperation(), getArgument(), remarks,
                                  populate)))
      signalPassFailure();
  }
};

} // namespace

void mlir::attn::populateFuseTransposeProducersPatterns(
    RewritePatternSet &patterns, const ControlFuseTransposeFn &controlFn,
    DecisionRemarks *remarks) {
  patterns.add<FuseTransposeIntoProducer>(patterns.getContext(), controlFn,
                                          remarks);
}
