//===- AttnTiling.cpp - TilingInterface for attn.online_attention ---------===//
//
// Tiling of the online-softmax step. Every operand is sliced through its
// indexing map; the running state (acc, max, sum) is the destination, so
// upstream SCF tiling of the K2 loop carries it across key/value blocks.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"

using namespace mlir;
using namespace mlir::attn;

SmallVector<utils::IteratorType> OnlineAttentionOp::getLoopIteratorTypes() {
  AttentionDims dims = getDims();
  SmallVector<utils::IteratorType> types(getNumLoops(),
                                         utils::IteratorType::parallel);
  for (unsigned d : dims.k1)
    types[d] = utils::IteratorType::reduction;
  for (unsigned d : dims.k2)
    types[d] = utils::IteratorType::reduction;
  return types;
}

SmallVector<int64_t> mlir::attn::getStaticLoopSizes(ArrayRef<AffineMap> maps,
                                                    ValueRange operands) {
  SmallVector<int64_t> sizes(maps.front().getNumDims(), ShapedType::kDynamic);
  for (auto [map, operand] : llvm::zip(maps, operands)) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      continue;
    for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      if (ShapedType::isDynamic(sizes[d]))
        sizes[d] = type.getDimSize(pos);
    }
  }
  return sizes;
}

SmallVector<OpFoldResult> mlir::attn::getLoopSizes(OpBuilder &b, Location loc,
                                                   ArrayRef<AffineMap> maps,
                                                   ValueRange operands) {
  SmallVector<int64_t> known = getStaticLoopSizes(maps, operands);
  SmallVector<OpFoldResult> sizes(known.size());
  for (auto [d, size] : llvm::enumerate(known))
    if (!ShapedType::isDynamic(size))
      sizes[d] = b.getIndexAttr(size);
  for (auto [map, operand] : llvm::zip(maps, operands)) {
    if (!isa<RankedTensorType>(operand.getType()))
      continue;
    for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      if (!sizes[d])
        sizes[d] = tensor::getMixedSize(b, loc, operand, pos);
    }
  }
  return sizes;
}

SmallVector<Range> OnlineAttentionOp::getIterationDomain(OpBuilder &b) {
  SmallVector<Range> domain;
  for (OpFoldResult size : getLoopSizes(b, getLoc(), getIndexingMapsArray(),
                                        getOperation()->getOperands()))
    domain.push_back(Range{b.getIndexAttr(0), size, b.getIndexAttr(1)});
  return domain;
}

/// Slice of `operand` (indexed by `map`) covering the iteration tile.
static Value sliceOperand(OpBuilder &b, Location loc, Value operand,
                          AffineMap map, ArrayRef<OpFoldResult> offsets,
                          ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> sliceOffsets, sliceSizes;
  for (AffineExpr expr : map.getResults()) {
    unsigned d = cast<AffineDimExpr>(expr).getPosition();
    sliceOffsets.push_back(offsets[d]);
    sliceSizes.push_back(sizes[d]);
  }
  SmallVector<OpFoldResult> strides(map.getNumResults(), b.getIndexAttr(1));
  return tensor::ExtractSliceOp::create(b, loc, operand, sliceOffsets,
                                        sliceSizes, strides);
}

/// The causal diagonal of a tile at `offsets`: shifted by the tile's
/// offset along the innermost M loop minus its offset along K2.
static Value shiftDiagonal(OpBuilder &b, Location loc, Value diagonal,
                           const AttentionDims &dims,
                           ArrayRef<OpFoldResult> offsets) {
  auto shift = [&](Value v, OpFoldResult offset, bool add) -> Value {
    if (isConstantIntValue(offset, 0))
      return v;
    Value o = getValueOrCreateConstantIndexOp(b, loc, offset);
    return add ? arith::AddIOp::create(b, loc, v, o).getResult()
               : arith::SubIOp::create(b, loc, v, o).getResult();
  };
  Value shifted = shift(diagonal, offsets[dims.m.back()], /*add=*/true);
  return shift(shifted, offsets[dims.k2.front()], /*add=*/false);
}

FailureOr<TilingResult>
OnlineAttentionOp::getTiledImplementation(OpBuilder &b,
                                          ArrayRef<OpFoldResult> offsets,
                                          ArrayRef<OpFoldResult> sizes) {
  Location loc = getLoc();
  TilingResult result;
  SmallVector<Value> operands;
  for (auto [map, operand] :
       llvm::zip(getIndexingMapsArray(), getOperation()->getOperands())) {
    if (operand == getDiagonal()) {
      operands.push_back(shiftDiagonal(b, loc, operand, getDims(), offsets));
      continue;
    }
    if (!isa<RankedTensorType>(operand.getType())) {
      operands.push_back(operand); // the scalar scale
      continue;
    }
    Value slice = sliceOperand(b, loc, operand, map, offsets, sizes);
    result.generatedSlices.push_back(slice.getDefiningOp());
    operands.push_back(slice);
  }
  TypeRange resultTypes = ValueRange(operands).take_back(3).getTypes();
  Operation *tiled = OnlineAttentionOp::create(b, loc, resultTypes, operands,
                                               getOperation()->getAttrs());
  result.tiledOps.push_back(tiled);
  llvm::append_range(result.tiledValues, tiled->getResults());
  return result;
}

LogicalResult OnlineAttentionOp::getResultTilePosition(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> offsets,
    ArrayRef<OpFoldResult> sizes, SmallVector<OpFoldResult> &resultOffsets,
    SmallVector<OpFoldResult> &resultSizes) {
  AffineMap map = getMap(getNumDpsInputs() + resultNumber);
  resultOffsets.clear();
  resultSizes.clear();
  for (AffineExpr expr : map.getResults()) {
    unsigned d = cast<AffineDimExpr>(expr).getPosition();
    resultOffsets.push_back(offsets[d]);
    resultSizes.push_back(sizes[d]);
  }
  return success();
}

LogicalResult OnlineAttentionOp::getIterationDomainTileFromResultTile(
    OpBuilder &b, unsigned resultNumber, ArrayRef<OpFoldResult> resultOffsets,
    ArrayRef<OpFoldResult> resultSizes,
    SmallVectorImpl<OpFoldResult> &iterDomainOffsets,
    SmallVectorImpl<OpFoldResult> &iterDomainSizes) {
  // Loops the result does not index are taken whole.
  SmallVector<Range> domain = getIterationDomain(b);
  iterDomainOffsets.clear();
  iterDomainSizes.clear();
  for (const Range &range : domain) {
    iterDomainOffsets.push_back(range.offset);
    iterDomainSizes.push_back(range.size);
  }
  AffineMap map = getMap(getNumDpsInputs() + resultNumber);
  for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
    unsigned d = cast<AffineDimExpr>(expr).getPosition();
    iterDomainOffsets[d] = resultOffsets[pos];
    iterDomainSizes[d] = resultSizes[pos];
  }
  return success();
}

FailureOr<TilingResult>
OnlineAttentionOp::generateResultTileValue(OpBuilder &b, unsigned resultNumber,
                                           ArrayRef<OpFoldResult> offsets,
                                           ArrayRef<OpFoldResult> sizes) {
  SmallVector<OpFoldResult> iterOffsets, iterSizes;
  if (failed(getIterationDomainTileFromResultTile(
          b, resultNumber, offsets, sizes, iterOffsets, iterSizes)))
    return failure();
  FailureOr<TilingResult> tiled =
      getTiledImplementation(b, iterOffsets, iterSizes);
  if (failed(tiled))
    return failure();
  // Only the requested result is the replacement value.
  tiled->tiledValues = {tiled->tiledValues[resultNumber]};
  return tiled;
}
