//===- AttnDialect.cpp - attn dialect, parsing, printing, verifiers -------===//

#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::attn;

#include "dialect/AttnDialect.cpp.inc"
#include "dialect/AttnEnums.cpp.inc"

void AttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/AttnOps.cpp.inc"
      >();
}

bool mlir::attn::isSupportedComputeType(Type type) {
  return type.isF32() || type.isF16() || type.isBF16();
}

//===----------------------------------------------------------------------===//
// Custom assembly shared by attention and online_attention:
//   attn.X {attrs} ins(%q, %k, %v, %s [, %mask] : types) outs(%o.. : types)
//       -> types
//===----------------------------------------------------------------------===//

/// `online`: attn.online_attention (3 inits, optional diagonal input);
/// else attn.attention (the output and optionally the lse as inits).
static ParseResult parseAttentionLike(OpAsmParser &parser,
                                      OperationState &result, bool online) {
  SmallVector<OpAsmParser::UnresolvedOperand> ins, outs;
  SmallVector<Type> inTypes, outTypes, resultTypes;
  if (!online && succeeded(parser.parseOptionalKeyword("causal"))) {
    StringRef alignment;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseLParen() || parser.parseKeyword(&alignment) ||
        parser.parseRParen())
      return failure();
    std::optional<CausalAlignment> value = symbolizeCausalAlignment(alignment);
    if (!value)
      return parser.emitError(loc, "expected causal alignment 'top_left' or "
                                   "'bottom_right', got '")
             << alignment << "'";
    result.addAttribute("causal",
                        CausalAlignmentAttr::get(parser.getContext(), *value));
  }
  if (parser.parseOptionalAttrDict(result.attributes))
    return failure();
  SMLoc insLoc = parser.getCurrentLocation();
  if (parser.parseKeyword("ins") || parser.parseLParen() ||
      parser.parseOperandList(ins) || parser.parseColonTypeList(inTypes) ||
      parser.parseRParen())
    return failure();
  SMLoc outsLoc = parser.getCurrentLocation();
  if (parser.parseKeyword("outs") || parser.parseLParen() ||
      parser.parseOperandList(outs) || parser.parseColonTypeList(outTypes) ||
      parser.parseRParen() || parser.parseArrow() ||
      parser.parseTypeList(resultTypes))
    return failure();
  // Optional inputs after (Q, K, V, scale): the mask (a tensor) and, on
  // online_attention, the causal diagonal (an index).
  bool hasDiagonal =
      online && !inTypes.empty() && inTypes.back().isIndex() && ins.size() > 4;
  unsigned numMasks = ins.size() - 4 - (hasDiagonal ? 1 : 0);
  if (ins.size() < 4 || numMasks > 1 || ins.size() != inTypes.size())
    return parser.emitError(insLoc, "expected 4 inputs (Q, K, V, scale) or 5 "
                                    "(Q, K, V, scale, mask)")
           << (online ? ", then optionally the causal diagonal" : "")
           << ", got " << ins.size();
  if (online && outs.size() != 3)
    return parser.emitError(outsLoc, "expected 3 outs operand(s) (acc, max, "
                                     "sum), got ")
           << outs.size();
  if (!online && outs.size() != 1 && outs.size() != 2)
    return parser.emitError(outsLoc, "expected 1 outs operand (the output) "
                                     "or 2 (the output, then the lse), got ")
           << outs.size();
  if (parser.resolveOperands(ins, inTypes, insLoc, result.operands) ||
      parser.resolveOperands(outs, outTypes, outsLoc, result.operands))
    return failure();
  SmallVector<int32_t> segments = {1, 1, 1, 1, int32_t(numMasks)};
  if (online)
    llvm::append_range(segments,
                       ArrayRef<int32_t>{hasDiagonal ? 1 : 0, 1, 1, 1});
  else
    llvm::append_range(segments,
                       ArrayRef<int32_t>{1, int32_t(outs.size()) - 1});
  result.addAttribute("operandSegmentSizes",
                      parser.getBuilder().getDenseI32ArrayAttr(segments));
  result.addTypes(resultTypes);
  return success();
}

static void printAttentionLike(OpAsmPrinter &p, Operation *op,
                               unsigned numInputs) {
  if (auto causal = op->getAttrOfType<CausalAlignmentAttr>("causal"))
    p << " causal(" << stringifyCausalAlignment(causal.getValue()) << ")";
  p.printOptionalAttrDict(op->getAttrs(),
                          /*elidedAttrs=*/{"causal", "operandSegmentSizes"});
  auto operands = op->getOperands();
  p << " ins(" << operands.take_front(numInputs) << " : "
    << operands.take_front(numInputs).getTypes() << ") outs("
    << operands.drop_front(numInputs) << " : "
    << operands.drop_front(numInputs).getTypes() << ") -> "
    << op->getResultTypes();
}

//===----------------------------------------------------------------------===//
// Verification shared by attention and online_attention.
//===----------------------------------------------------------------------===//

/// Verifies maps, roles, shapes and element types. `names` names every
/// operand in order (mask only when present); the first `numInputs` are
/// inputs, the rest inits. On success fills `dims`.
static LogicalResult verifyAttentionLike(Operation *op,
                                         ArrayRef<AffineMap> maps,
                                         ArrayRef<StringRef> names,
                                         unsigned numInputs, bool hasMask,
                                         AttentionDims &dims) {
  ValueRange operands = op->getOperands();
  if (maps.size() != operands.size()) {
    std::string expected = llvm::join(names, ", ");
    return op->emitOpError("expects ")
           << operands.size() << " indexing maps (one per operand: " << expected
           << "), got " << maps.size();
  }
  unsigned numDims = maps[0].getNumDims();
  for (auto [map, name, operand] : llvm::zip(maps, names, operands)) {
    if (map.getNumSymbols() != 0)
      return op->emitOpError("indexing map of '")
             << name << "' must not use symbols";
    if (map.getNumDims() != numDims)
      return op->emitOpError("indexing map of '")
             << name << "' ranges over " << map.getNumDims()
             << " dims but the map of '" << names[0] << "' over " << numDims;
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return op->emitOpError("indexing map of '")
             << name << "' must be a projected permutation (distinct dims, "
             << "no expressions), got " << AffineMapAttr::get(map);
    int64_t rank = 0;
    if (auto shaped = dyn_cast<ShapedType>(operand.getType()))
      rank = shaped.getRank();
    if (map.getNumResults() != rank)
      return op->emitOpError("indexing map of '")
             << name << "' has " << map.getNumResults()
             << " results but the operand has rank " << rank;
  }

  unsigned outIdx = numInputs;
  std::string error;
  std::optional<AttentionDims> inferred =
      AttentionDims::infer(maps[0], maps[1], maps[2], maps[outIdx], &error);
  if (!inferred)
    return op->emitOpError("indexing maps have no valid dimension roles: ")
           << error;
  dims = *inferred;

  if (hasMask) {
    for (AffineExpr expr : maps[4].getResults()) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      DimRole role = dims.roleOf(d);
      if (role != DimRole::Batch && role != DimRole::M && role != DimRole::K2)
        return op->emitOpError("indexing map of 'mask' may only use batch, M "
                               "and K2 dims; d")
               << d << " is a " << stringifyDimRole(role) << " dim";
    }
  }

  // Static extents must agree along every shared dim.
  SmallVector<int64_t> extent(numDims, ShapedType::kDynamic);
  SmallVector<StringRef> extentFrom(numDims);
  for (auto [map, name, operand] : llvm::zip(maps, names, operands)) {
    auto shaped = dyn_cast<ShapedType>(operand.getType());
    if (!shaped)
      continue;
    for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(expr).getPosition();
      int64_t size = shaped.getDimSize(pos);
      if (ShapedType::isDynamic(size))
        continue;
      if (ShapedType::isDynamic(extent[d])) {
        extent[d] = size;
        extentFrom[d] = name;
      } else if (extent[d] != size) {
        return op->emitOpError("'")
               << name << "' has size " << size << " along d" << d << " ("
               << stringifyDimRole(dims.roleOf(d)) << " dim, operand dim "
               << pos << ") but '" << extentFrom[d] << "' has size "
               << extent[d];
      }
    }
  }

  // Element types.
  auto elemType = [&](unsigned i) { return getElementTypeOrSelf(operands[i]); };
  for (unsigned i : {0u, 1u, 2u, 3u, outIdx})
    if (!isSupportedComputeType(elemType(i)))
      return op->emitOpError("'")
             << names[i] << "' has unsupported element type " << elemType(i)
             << " (supported: f32, f16, bf16)";
  for (unsigned i : {1u, 2u})
    if (elemType(i) != elemType(0))
      return op->emitOpError("'")
             << names[i] << "' element type " << elemType(i)
             << " differs from 'query' element type " << elemType(0);
  if (hasMask) {
    Type maskType = elemType(4);
    if (!maskType.isInteger(1) && !isSupportedComputeType(maskType))
      return op->emitOpError("'mask' has unsupported element type ")
             << maskType << " (supported: i1, f32, f16, bf16)";
  }

  // Results are the inits.
  unsigned numInits = operands.size() - numInputs;
  if (op->getNumResults() != numInits)
    return op->emitOpError("expects ")
           << numInits << " result(s), one per init, got "
           << op->getNumResults();
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    Type initType = operands[numInputs + i].getType();
    if (result.getType() != initType)
      return op->emitOpError("result #")
             << i << " type " << result.getType() << " must match '"
             << names[numInputs + i] << "' type " << initType;
  }
  return success();
}

static SmallVector<StringRef> operandNames(bool hasMask, bool hasDiagonal,
                                           ArrayRef<StringRef> inits) {
  SmallVector<StringRef> names = {"query", "key", "value", "scale"};
  if (hasMask)
    names.push_back("mask");
  if (hasDiagonal)
    names.push_back("diagonal");
  llvm::append_range(names, inits);
  return names;
}

/// A per-row f32 value (online_attention's max and sum, attention's lse):
/// its map uses exactly the batch and M dims, in any order.
static LogicalResult verifyRowState(Operation *op, const AttentionDims &dims,
                                    StringRef name, AffineMap map,
                                    Value value) {
  SmallVector<unsigned> rowDims = llvm::to_vector(dims.batch);
  llvm::append_range(rowDims, dims.m);
  llvm::sort(rowDims);
  SmallVector<unsigned> used;
  for (AffineExpr expr : map.getResults())
    used.push_back(cast<AffineDimExpr>(expr).getPosition());
  llvm::sort(used);
  if (used != rowDims)
    return op->emitOpError("indexing map of '")
           << name << "' must use exactly the batch and M dims";
  if (!getElementTypeOrSelf(value).isF32())
    return op->emitOpError("'") << name << "' must have element type f32, got "
                                << getElementTypeOrSelf(value);
  return success();
}

/// The causal structure relates the innermost M loop to the K2 loop, so
/// there must be exactly one K2 loop.
static LogicalResult verifyCausal(Operation *op, const AttentionDims &dims,
                                  StringRef what) {
  if (dims.k2.size() != 1)
    return op->emitOpError() << what << " needs exactly one K2 dim (the key "
                             << "position), got " << dims.k2.size();
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

ParseResult AttentionOp::parse(OpAsmParser &parser, OperationState &result) {
  return parseAttentionLike(parser, result, /*online=*/false);
}

void AttentionOp::print(OpAsmPrinter &p) {
  printAttentionLike(p, *this, getNumDpsInputs());
}

LogicalResult AttentionOp::verify() {
  AttentionDims dims;
  SmallVector<StringRef> inits = {"init"};
  if (getLse())
    inits.push_back("lse");
  if (failed(verifyAttentionLike(
          *this, getIndexingMapsArray(),
          operandNames(bool(getMask()), /*hasDiagonal=*/false, inits),
          getNumDpsInputs(), bool(getMask()), dims)))
    return failure();
  if (getCausal() && failed(verifyCausal(*this, dims, "causal")))
    return failure();
  if (getLse())
    return verifyRowState(*this, dims, "lse", *getLseMap(), getLse());
  return success();
}

AttentionOp AttentionOp::cloneWith(OpBuilder &b, ValueRange inputs,
                                   ValueRange inits, ArrayRef<AffineMap> maps) {
  assert((inputs.size() == 4 || inputs.size() == 5) &&
         (inits.size() == 1 || inits.size() == 2) && "bad operand counts");
  Value mask = inputs.size() == 5 ? inputs[4] : Value();
  Value lse = inits.size() == 2 ? inits[1] : Value();
  auto op = AttentionOp::create(
      b, getLoc(), inits.getTypes(), inputs[0], inputs[1], inputs[2], inputs[3],
      mask, inits[0], lse, b.getAffineMapArrayAttr(maps), getCausalAttr());
  // Attributes other passes or frontends attached stay, as when the op was
  // copied with all its attributes.
  op->setDiscardableAttrs(getOperation()->getDiscardableAttrDictionary());
  return op;
}

AttentionDims AttentionOp::getDims() {
  std::optional<AttentionDims> dims = AttentionDims::infer(
      getQueryMap(), getKeyMap(), getValueMap(), getOutputMap());
  assert(dims && "getDims() called on an unverified attention op");
  return *dims;
}

//===----------------------------------------------------------------------===//
// OnlineAttentionOp
//===----------------------------------------------------------------------===//

ParseResult OnlineAttentionOp::parse(OpAsmParser &parser,
                                     OperationState &result) {
  return parseAttentionLike(parser, result, /*online=*/true);
}

void OnlineAttentionOp::print(OpAsmPrinter &p) {
  printAttentionLike(p, *this, getNumDpsInputs());
}

LogicalResult OnlineAttentionOp::verify() {
  AttentionDims dims;
  if (failed(
          verifyAttentionLike(*this, getIndexingMapsArray(),
                              operandNames(bool(getMask()), bool(getDiagonal()),
                                           {"acc", "max", "sum"}),
                              getNumDpsInputs(), bool(getMask()), dims)))
    return failure();
  if (getDiagonal() && failed(verifyCausal(*this, dims, "a causal diagonal")))
    return failure();
  if (failed(verifyRowState(*this, dims, "max", getMaxMap(), getMax())))
    return failure();
  return verifyRowState(*this, dims, "sum", getSumMap(), getSum());
}

AttentionDims OnlineAttentionOp::getDims() {
  std::optional<AttentionDims> dims = AttentionDims::infer(
      getQueryMap(), getKeyMap(), getValueMap(), getOutputMap());
  assert(dims && "getDims() called on an unverified online_attention op");
  return *dims;
}

#define GET_OP_CLASSES
#include "dialect/AttnOps.cpp.inc"

namespace {
/// Folds tensor.cast operands that only add static information (as
/// linalg ops do), so shapes made static upstream (e.g. an entry function
/// specialized to its inputs' shapes) reach the attention op; a cast back
/// keeps the result's type.
struct FoldTensorCastIntoAttention : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (!tensor::hasFoldableTensorCastOperand(op))
      return failure();
    SmallVector<Type> resultTypes;
    SmallVector<Value> operands = tensor::getUpdatedOperandsAfterCastOpFolding(
        cast<DestinationStyleOpInterface>(op.getOperation()), resultTypes);
    auto folded = AttentionOp::create(rewriter, op.getLoc(), resultTypes,
                                      operands, op->getAttrs());
    SmallVector<Value> results;
    for (auto [old, value] :
         llvm::zip(op->getResults(), folded->getResults())) {
      Value result = value;
      if (old.getType() != value.getType())
        result =
            tensor::CastOp::create(rewriter, op.getLoc(), old.getType(), value);
      results.push_back(result);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};
} // namespace

void AttentionOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<FoldTensorCastIntoAttention>(context);
}
