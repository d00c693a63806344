//===- Passes.h - attn graph-level passes -----------------------*- C++ -*-===//
#ifndef ATTN_TRANSFORMS_PASSES_H
#define ATTN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "transforms/Passes.h.inc"

/// bubble -> fuse into producers -> fold back -> canonicalize, cse.
void buildGraphOptPipeline(OpPassManager &pm);

/// Registers the named pipelines (`attn-graph-opt`, ...).
void registerAttnPipelines();

#define GEN_PASS_REGISTRATION
#include "transforms/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_PASSES_H
