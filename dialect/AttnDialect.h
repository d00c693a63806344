//===- AttnDialect.h - attn dialect and ops ---------------------*- C++ -*-===//
#ifndef ATTN_DIALECT_ATTNDIALECT_H
#define ATTN_DIALECT_ATTNDIALECT_H

#include "dialect/DimRoles.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include "dialect/AttnDialect.h.inc"

#define GET_OP_CLASSES
#include "dialect/AttnOps.h.inc"

namespace mlir::attn {
/// Returns true if `type` is an element type attention computes in.
bool isSupportedComputeType(Type type);

/// Sizes of every loop of an attention-like op, read off its tensor
/// operands (operand i indexed by maps[i]).
SmallVector<OpFoldResult> getLoopSizes(OpBuilder &b, Location loc,
                                       ArrayRef<AffineMap> maps,
                                       ValueRange operands);
} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTNDIALECT_H
