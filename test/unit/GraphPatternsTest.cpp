//===- GraphPatternsTest.cpp - control functions of the graph patterns ----===//
//
// The control functions are C++ API only (the passes accept every
// candidate), so they are tested here: what each one is asked about, and
// that a rejected candidate is left alone and reported once.
//
//===----------------------------------------------------------------------===//

#include "dialect/AttnDialect.h"
#include "transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <catch2/catch.hpp>

using namespace mlir;
using namespace mlir::attn;

namespace {

// K and the result transposed; V from an elementwise producer.
constexpr StringLiteral kProgram = R"mlir(
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @f(%q: tensor<2x8x4xf32>, %kt: tensor<2x4x16xf32>,
             %x: tensor<2x16x6xf32>, %s: f32) -> tensor<8x2x6xf32> {
  %ek = tensor.empty() : tensor<2x16x4xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x16xf32>)
         outs(%ek : tensor<2x16x4xf32>) permutation = [0, 2, 1]
  %ev = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {
         indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>,
                          affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
         iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x16x6xf32>) outs(%ev : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>,
                              tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  %eo = tensor.empty() : tensor<8x2x6xf32>
  %ot = linalg.transpose ins(%r : tensor<2x8x6xf32>)
          outs(%eo : tensor<8x2x6xf32>) permutation = [1, 0, 2]
  return %ot : tensor<8x2x6xf32>
}
)mlir";

// Attention in linalg, for the raise patterns.
constexpr StringLiteral kLinalgAttention = R"mlir(
func.func @f(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>,
             %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>)
          -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                      affine_map<(m, n, k) -> (n, k)>,
                                      affine_map<(m, n, k) -> (m, n)>]
         ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>)
         outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>)
         outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>)
          -> tensor<16x8xf32>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>)
         outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}
)mlir";

// K and V repeated over 4 heads, for the broadcast patterns.
constexpr StringLiteral kBroadcastKV = R"mlir(
#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @f(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>,
             %v: tensor<2x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>)
          outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>)
          outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kb, %vb, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>,
                                tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}
)mlir";

// Two projections of the same activations.
constexpr StringLiteral kProjections = R"mlir(
func.func @f(%x: tensor<8x16xf32>, %wa: tensor<16x4xf32>,
             %wb: tensor<16x4xf32>) -> (tensor<8x4xf32>, tensor<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<8x4xf32>)
         -> tensor<8x4xf32>
  %a = linalg.matmul ins(%x, %wa : tensor<8x16xf32>, tensor<16x4xf32>)
         outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  %b = linalg.matmul ins(%x, %wb : tensor<8x16xf32>, tensor<16x4xf32>)
         outs(%z : tensor<8x4xf32>) -> tensor<8x4xf32>
  return %a, %b : tensor<8x4xf32>, tensor<8x4xf32>
}
)mlir";

struct Fixture {
  explicit Fixture(StringRef program = kProgram) {
    DialectRegistry registry;
    registry.insert<AttnDialect, arith::ArithDialect, func::FuncDialect,
                    linalg::LinalgDialect, tensor::TensorDialect>();
    context.appendDialectRegistry(registry);
    module = parseSourceString<ModuleOp>(program, &context);
    REQUIRE(module);
  }

  int count(StringRef opName) {
    int n = 0;
    module->walk(
        [&](Operation *op) { n += op->getName().getStringRef() == opName; });
    return n;
  }

  /// Runs the patterns as the graph passes do, with remarks on; returns the
  /// remarks.
  std::vector<std::string>
  run(function_ref<void(RewritePatternSet &, DecisionRemarks *)> populate) {
    std::vector<std::string> remarks;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      remarks.push_back(diag.str());
      return success();
    });
    DecisionRemarks decisions("test");
    RewritePatternSet patterns(&context);
    populate(patterns, &decisions);
    REQUIRE(succeeded(applyPatternsGreedily(*module, std::move(patterns),
                                            getGraphRewriteConfig())));
    return remarks;
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

} // namespace

TEST_CASE("fold: the control function sees each transpose-attention use",
          "[graph-patterns]") {
  Fixture f;
  std::vector<unsigned> asked;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateFoldTransposesPatterns(
        patterns,
        [&](OpOperand *use) {
          // K as an attention operand (1), the result as a transpose input.
          asked.push_back(isa<AttentionOp>(use->getOwner())
                              ? use->getOperandNumber()
                              : 100 + use->getOperandNumber());
          return isa<AttentionOp>(use->getOwner()); // only operands
        },
        r);
  });
  // K folded; the output transpose stays.
  CHECK(f.count("linalg.transpose") == 1);
  CHECK(llvm::is_contained(asked, 1u));
  CHECK(llvm::is_contained(asked, 100u));
  // Asked again on each revisit, but reported once.
  CHECK(llvm::count(remarks, "[test] not folding the transpose of the "
                             "result: rejected by the control function") == 1);
  CHECK(llvm::count(remarks, "[test] folded transpose [0, 2, 1] of K into "
                             "its indexing map") == 1);
}

TEST_CASE("bubble: rejected by the control function", "[graph-patterns]") {
  Fixture f;
  OpOperand *asked = nullptr;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateBubbleTransposeVPatterns(
        patterns,
        [&](OpOperand *v) {
          asked = v;
          return false;
        },
        r);
  });
  REQUIRE(asked);
  CHECK(isa<AttentionOp>(asked->getOwner()));
  CHECK(asked->getOperandNumber() == 2);
  CHECK(f.count("linalg.transpose") == 2);
  CHECK(remarks == std::vector<std::string>{
                       "[test] declined: rejected by the control function"});
}

TEST_CASE("fuse: the control function sees the producer edge",
          "[graph-patterns]") {
  Fixture f;
  f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateBubbleTransposeVPatterns(
        patterns, [](OpOperand *) { return true; }, r);
  });
  REQUIRE(f.count("linalg.transpose") == 3);
  bool accept = GENERATE(false, true);
  std::vector<std::string> producers;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateFuseTransposeProducersPatterns(
        patterns,
        [&](OpOperand *input) {
          CHECK(isa<linalg::TransposeOp>(input->getOwner()));
          producers.push_back(
              input->get().getDefiningOp()->getName().getStringRef().str());
          return accept;
        },
        r);
  });
  // Only asked about the exposed V transpose: K's reads a block argument,
  // the output's an attention, neither can absorb it.
  CHECK(producers == std::vector<std::string>{"linalg.generic"});
  CHECK(f.count("linalg.transpose") == (accept ? 2 : 3));
  CHECK(llvm::count(remarks,
                    "[test] declined: rejected by the control function") ==
        (accept ? 0 : 1));
}

TEST_CASE("raise: the control function sees the second contraction",
          "[graph-patterns]") {
  Fixture f(kLinalgAttention);
  bool accept = GENERATE(false, true);
  std::vector<std::string> asked;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateRaiseAttentionPatterns(
        patterns,
        [&](Operation *pv) {
          asked.push_back(pv->getName().getStringRef().str());
          return accept;
        },
        r);
  });
  // Asked about the P.V matmul only (Q.K^T has no softmax operand).
  REQUIRE(!asked.empty());
  CHECK(llvm::all_of(
      asked, [](const std::string &name) { return name == "linalg.matmul"; }));
  CHECK(f.count("attn.attention") == (accept ? 1 : 0));
  CHECK(f.count("linalg.softmax") == (accept ? 0 : 1));
  CHECK(llvm::count(remarks,
                    "[test] declined: rejected by the control function") ==
        (accept ? 0 : 1));
}

TEST_CASE("fold broadcasts: the control function sees each operand",
          "[graph-patterns]") {
  Fixture f(kBroadcastKV);
  std::vector<unsigned> asked;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateFoldBroadcastsPatterns(
        patterns,
        [&](OpOperand *use) {
          asked.push_back(use->getOperandNumber());
          return use->getOperandNumber() == 1; // K only: roles break
        },
        r);
  });
  CHECK(llvm::is_contained(asked, 1u));
  CHECK(llvm::is_contained(asked, 2u));
  CHECK(f.count("linalg.broadcast") == 2);
  CHECK(llvm::count(remarks, "[test] not folding the broadcast of K: the "
                             "maps would have no valid roles (dim d1 (used "
                             "by Q V O) matches no role: batch dims are in "
                             "Q, K, V and O; M in Q and O; K1 in Q and K; "
                             "K2 in K and V; N in V and O)") == 1);
}

TEST_CASE("fuse projections: the control function sees the first one",
          "[graph-patterns]") {
  Fixture f(kProjections);
  bool accept = GENERATE(false, true);
  std::vector<Operation *> asked;
  auto remarks = f.run([&](RewritePatternSet &patterns, DecisionRemarks *r) {
    populateFuseProjectionsPatterns(
        patterns,
        [&](Operation *first) {
          asked.push_back(first);
          return accept;
        },
        r);
  });
  REQUIRE(!asked.empty());
  CHECK(f.count("linalg.matmul") == (accept ? 0 : 2));
  CHECK(f.count("linalg.generic") == (accept ? 1 : 0));
  CHECK(llvm::count(remarks, "[test] not fusing the projections of this "
                             "input: rejected by the control function") ==
        (accept ? 0 : 1));
  CHECK(llvm::count(remarks, "[test] fused 2 projections of the same input "
                             "into one linalg.generic with 2 results") ==
        (accept ? 1 : 0));
}
