//===- ApproximateMath.cpp - exp as inline polynomials on the CPU ---------===//
//
// The CPU path's math.exp would become calls to libm's scalar expf, one per
// score, which also keep LLVM from vectorizing the loops around them.
// Upstream's polynomial approximations (Cephes-style range reduction and a
// polynomial, about 1 ulp on f32) replace them with plain arithmetic that
// the loop vectorizer turns into host vector code. Upstream has the
// patterns but no pass that applies them, hence this one.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNAPPROXIMATEMATH
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {
struct ApproximateMathPass
    : public mlir::attn::impl::AttnApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return name == "math.exp"; });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
