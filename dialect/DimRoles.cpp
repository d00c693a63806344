//===- DimRoles.cpp - Dimension roles of attention maps -------------------===//

#include "dialect/DimRoles.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::attn;

StringRef mlir::attn::stringifyDimRole(DimRole role) {
  switch (role) {
  case DimRole::Batch:
    return "batch";
  case DimRole::M:
    return "M";
  case DimRole::K1:
    return "K1";
  case DimRole::K2:
    return "K2";
  case DimRole::N:
    return "N";
  }
  llvm_unreachable("unknown role");
}

ArrayRef<unsigned> AttentionDims::get(DimRole role) const {
  switch (role) {
  case DimRole::Batch:
    return batch;
  case DimRole::M:
    return m;
  case DimRole::K1:
    return k1;
  case DimRole::K2:
    return k2;
  case DimRole::N:
    return n;
  }
  llvm_unreachable("unknown role");
}

DimRole AttentionDims::roleOf(unsigned dim) const {
  for (DimRole role :
       {DimRole::Batch, DimRole::M, DimRole::K1, DimRole::K2, DimRole::N})
    if (llvm::is_contained(get(role), dim))
      return role;
  llvm_unreachable("dim has no role; only call on inferred dims");
}

std::optional<AttentionDims> AttentionDims::infer(AffineMap q, AffineMap k,
                                                  AffineMap v, AffineMap o,
                                                  std::string *error) {
  auto fail = [&](const Twine &msg) -> std::optional<AttentionDims> {
    if (error)
      *error = msg.str();
    return std::nullopt;
  };
  unsigned numDims = q.getNumDims();
  if (k.getNumDims() != numDims || v.getNumDims() != numDims ||
      o.getNumDims() != numDims)
    return fail("Q, K, V and O maps must range over the same dims");

  AttentionDims dims;
  for (unsigned d = 0; d < numDims; ++d) {
    bool inQ = q.isFunctionOfDim(d), inK = k.isFunctionOfDim(d),
         inV = v.isFunctionOfDim(d), inO = o.isFunctionOfDim(d);
    if (inQ && inK && inV && inO)
      dims.batch.push_back(d);
    else if (inQ && inO && !inK && !inV)
      dims.m.push_back(d);
    else if (inQ && inK && !inV && !inO)
      dims.k1.push_back(d);
    else if (inK && inV && !inQ && !inO)
      dims.k2.push_back(d);
    else if (inV && inO && !inQ && !inK)
      dims.n.push_back(d);
    else
      return fail(llvm::formatv(
          "dim d{0} (used by{1}{2}{3}{4}) matches no role: batch dims are in "
          "Q, K, V and O; M in Q and O; K1 in Q and K; K2 in K and V; N in V "
          "and O",
          d, inQ ? " Q" : "", inK ? " K" : "", inV ? " V" : "",
          inO ? " O" : ""));
  }
  for (DimRole role : {DimRole::M, DimRole::K1, DimRole::K2, DimRole::N})
    if (dims.get(role).empty())
      return fail(llvm::formatv("no {0} dim: attention needs at least one "
                                "dim in each of M, K1, K2 and N",
                                stringifyDimRole(role)));
  return dims;
}

SmallVector<unsigned> mlir::attn::getResultPositions(AffineMap map,
                                                     ArrayRef<unsigned> dims) {
  SmallVector<unsigned> positions;
  for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
    auto dimExpr = dyn_cast<AffineDimExpr>(expr);
    if (dimExpr && llvm::is_contained(dims, dimExpr.getPosition()))
      positions.push_back(pos);
  }
  return positions;
}
