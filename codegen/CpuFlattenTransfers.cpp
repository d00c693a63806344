//===- CpuFlattenTransfers.cpp - n-D transfers of narrow rows as 1-D ------===//
//
// VectorToSCF lowers an n-D vector transfer to one 1-D transfer per row of
// its innermost dim. Where that dim is narrower than a 32-bit lane (the
// bf16 pairs of attn-cpu-microkernel: a vector<16x2xbf16> read is one
// 64-byte load), that is one tiny load or store per row. Upstream's
// flattening patterns make a contiguous one a single 1-D transfer of a
// collapsed memref; this pass applies them after bufferization.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNCPUFLATTENTRANSFERS
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Transfers whose innermost dim has fewer bits than this are flattened
/// (upstream's test is strict): rows of at most one 32-bit lane, so no
/// register-wide row is touched.
constexpr unsigned kNarrowRowBits = 64;

struct CpuFlattenTransfersPass
    : public attn::impl::AttnCpuFlattenTransfersBase<CpuFlattenTransfersPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    vector::populateFlattenVectorTransferPatterns(patterns, kNarrowRowBits);
    vector::ShapeCastOp::getCanonicalizationPatterns(patterns, ctx);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
