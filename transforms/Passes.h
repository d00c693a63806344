//===- Passes.h - attn graph-level passes -----------------------*- C++ -*-===//
#ifndef ATTN_TRANSFORMS_PASSES_H
#define ATTN_TRANSFORMS_PASSES_H

#include "dialect/AttnDialect.h"
#include "transforms/Remarks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "transforms/Passes.h.inc"

/// Options of the attn-graph-opt pipeline, from C++ and from its textual
/// form (`--attn-graph-opt=remarks=true`).
struct GraphOptPipelineOptions
    : public PassPipelineOptions<GraphOptPipelineOptions> {
  Option<bool> remarks{
      *this, "remarks",
      llvm::cl::desc("Make each graph pass report its decisions as remarks "
                     "(default: --attn-remarks)"),
      llvm::cl::init(remarksEnabled())};
};

/// raise attention -> bubble -> fuse into producers -> fold back ->
/// canonicalize, cse.
void buildGraphOptPipeline(OpPassManager &pm,
                           const GraphOptPipelineOptions &options);

/// The same with default options.
void buildGraphOptPipeline(OpPassManager &pm);

/// Registers the named pipelines (`attn-graph-opt`, ...).
void registerAttnPipelines();

#define GEN_PASS_REGISTRATION
#include "transforms/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_PASSES_H
