//===- CpuStridedCopies.cpp - strided memref.copy as vectorizable loops ---===//
//
// memref.copy lowers to llvm.memcpy when both sides are contiguous and
// otherwise to a call of the runtime's memrefCopy, which walks the elements
// one at a time through their strides. The CPU pipeline makes strided
// copies where a padded attention's real rows are copied out
// (attn-pad-query-rows) and into padded buffers: as linalg.copy they become
// loops whose contiguous innermost rows LLVM vectorizes.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCPUSTRIDEDCOPIES
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Whether memref.copy of `type` would go through the runtime's
/// element-wise copy (FinalizeMemRefToLLVM's rule: both sides must have an
/// identity or contiguous layout for llvm.memcpy).
static bool isStrided(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && !memref.getLayout().isIdentity() &&
         !memref::isStaticShapeAndContiguousRowMajor(memref);
}

struct CpuStridedCopiesPass
    : public attn::impl::AttnCpuStridedCopiesBase<CpuStridedCopiesPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](memref::CopyOp copy) {
      if (copy.getSource() == copy.getTarget() ||
          (!isStrided(copy.getSource().getType()) &&
           !isStrided(copy.getTarget().getType())))
        return;
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(),
                                                  copy.getTarget());
    });
  }
};

} // namespace
