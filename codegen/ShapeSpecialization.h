//===- ShapeSpecialization.h - entry functions at their shapes -*- C++ -*-===//
//
// The GPU kernels are generated for static shapes (tiles, grid, padding).
// A program with dynamic dims is compiled for the GPU once its inputs'
// shapes are known: the entry function is specialized to them first.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_SHAPESPECIALIZATION_H
#define ATTN_CODEGEN_SHAPESPECIALIZATION_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::attn {

/// Whether any argument or result of `func` has a dynamic dim.
bool hasDynamicShapes(func::FuncOp func);

/// Gives the dynamic dims of `func`'s tensor arguments the sizes in
/// `shapes` (one per argument, in order; non-tensor arguments' entries are
/// ignored): each such argument gets the static type, its uses see a
/// tensor.cast back to the old type, and canonicalization carries the
/// static sizes through the body. Result types are kept. On a rank or size
/// mismatch, returns failure with `error` set.
LogicalResult
specializeArgumentShapes(func::FuncOp func,
                         const std::vector<std::vector<int64_t>> &shapes,
                         std::string &error);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_SHAPESPECIALIZATION_H
