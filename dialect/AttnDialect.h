//===- AttnDialect.h - attn dialect and ops ---------------------*- C++ -*-===//
#ifndef ATTN_DIALECT_ATTNDIALECT_H
#define ATTN_DIALECT_ATTNDIALECT_H

#include "dialect/DimRoles.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/TilingInterface.h"

#include "dialect/AttnDialect.h.inc"
#include "dialect/AttnEnums.h.inc"

#define GET_OP_CLASSES
#include "dialect/AttnOps.h.inc"

namespace mlir::attn {
/// Returns true if `type` is an element type attention computes in.
bool isSupportedComputeType(Type type);

/// Static size of every loop of an attention-like op (operand i indexed by
/// maps[i]): the size of any tensor operand that has it static, else
/// ShapedType::kDynamic. The one place loop sizes are read off operands.
SmallVector<int64_t> getStaticLoopSizes(ArrayRef<AffineMap> maps,
                                        ValueRange operands);

/// Sizes of every loop as values: the static size where known, else a
/// tensor.dim of the first operand that has the loop.
SmallVector<OpFoldResult> getLoopSizes(OpBuilder &b, Location loc,
                                       ArrayRef<AffineMap> maps,
                                       ValueRange operands);
} // namespace mlir::attn

#endif // ATTN_DIALECT_ATTNDIALECT_H
