//===- TransposeUtils.cpp - helpers shared by the transpose passes --------===//

#include "transforms/TransposeUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace mlir::attn;

std::optional<Permutation> mlir::attn::matchPermutation(Operation *op) {
  if (auto transpose = dyn_cast_or_null<linalg::TransposeOp>(op))
    return Permutation{transpose.getInput(), transpose.getResult()[0],
                       llvm::to_vector(transpose.getPermutation())};
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0)
    return std::nullopt;
  AffineMap inMap = generic.getIndexingMapsArray()[0];
  AffineMap outMap = generic.getIndexingMapsArray()[1];
  if (!inMap.isPermutation() || !outMap.isPermutation())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (body.getOperations().size() != 1 ||
      yield.getValues()[0] != body.getArgument(0))
    return std::nullopt;
  // Result dim i iterates loop outMap(i); the input dim on that loop is
  // perm[i].
  SmallVector<int64_t> perm;
  for (AffineExpr expr : outMap.getResults())
    perm.push_back(*inMap.getResultPosition(expr));
  return Permutation{generic.getDpsInputs()[0], generic.getResult(0), perm};
}

AffineMap mlir::attn::unpermuteResults(AffineMap m, ArrayRef<int64_t> perm) {
  // result[i] = input[perm[i]], and `m` reads result; so input dim perm[i]
  // is indexed by m's result i.
  SmallVector<AffineExpr> exprs(m.getNumResults());
  for (auto [i, p] : llvm::enumerate(perm))
    exprs[p] = m.getResult(i);
  return AffineMap::get(m.getNumDims(), m.getNumSymbols(), exprs,
                        m.getContext());
}

AffineMap mlir::attn::permuteResults(AffineMap m, ArrayRef<int64_t> perm) {
  // `m` writes the input; result dim i is input dim perm[i].
  SmallVector<AffineExpr> exprs;
  for (int64_t p : perm)
    exprs.push_back(m.getResult(p));
  return AffineMap::get(m.getNumDims(), m.getNumSymbols(), exprs,
                        m.getContext());
}

Value mlir::attn::createPermutedEmpty(OpBuilder &b, Location loc, Value source,
                                      ArrayRef<int64_t> perm) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, source);
  applyPermutationToVector(sizes, perm);
  return tensor::EmptyOp::create(b, loc, sizes,
                                 getElementTypeOrSelf(source.getType()));
}

void mlir::attn::eraseDeadChain(RewriterBase &rewriter,
                                ArrayRef<Operation *> roots) {
  // A set: an op reached along two paths (e.g. one transpose feeding Q and
  // K) must not be visited again once erased.
  llvm::SetVector<Operation *> worklist(llvm::from_range, roots);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!isOpTriviallyDead(op))
      continue;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        worklist.insert(def);
    rewriter.eraseOp(op);
  }
}

std::string mlir::attn::permToString(ArrayRef<int64_t> perm) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(perm, os);
  os << "]";
  return s;
}
