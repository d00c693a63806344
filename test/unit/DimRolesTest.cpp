//===- DimRolesTest.cpp - dimension-role inference unit tests -------------===//

#include "dialect/DimRoles.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/MLIRContext.h"

#include <catch2/catch.hpp>

using namespace mlir;
using namespace mlir::attn;

namespace {
AffineMap map(MLIRContext &ctx, StringRef text) {
  Attribute attr = parseAttribute(("affine_map<" + text + ">").str(), &ctx);
  REQUIRE(attr);
  return cast<AffineMapAttr>(attr).getValue();
}

using Dims = SmallVector<unsigned>;

std::optional<AttentionDims> infer(MLIRContext &ctx, StringRef q, StringRef k,
                                   StringRef v, StringRef o,
                                   std::string *error = nullptr) {
  return AttentionDims::infer(map(ctx, q), map(ctx, k), map(ctx, v),
                              map(ctx, o), error);
}
} // namespace

TEST_CASE("standard layout: (b, m, k1, k2, n)", "[dimroles]") {
  MLIRContext ctx;
  auto dims = infer(ctx, "(b, m, k1, k2, n) -> (b, m, k1)",
                    "(b, m, k1, k2, n) -> (b, k2, k1)",
                    "(b, m, k1, k2, n) -> (b, k2, n)",
                    "(b, m, k1, k2, n) -> (b, m, n)");
  REQUIRE(dims);
  CHECK(dims->batch == Dims{0});
  CHECK(dims->m == Dims{1});
  CHECK(dims->k1 == Dims{2});
  CHECK(dims->k2 == Dims{3});
  CHECK(dims->n == Dims{4});
  CHECK(dims->getNumLoops() == 5);
  CHECK(dims->roleOf(3) == DimRole::K2);
}

TEST_CASE("transposed K and transposed V give the same roles", "[dimroles]") {
  MLIRContext ctx;
  auto standard = infer(ctx, "(b, m, k1, k2, n) -> (b, m, k1)",
                        "(b, m, k1, k2, n) -> (b, k2, k1)",
                        "(b, m, k1, k2, n) -> (b, k2, n)",
                        "(b, m, k1, k2, n) -> (b, m, n)");
  auto transposedK = infer(ctx, "(b, m, k1, k2, n) -> (b, m, k1)",
                           "(b, m, k1, k2, n) -> (b, k1, k2)",
                           "(b, m, k1, k2, n) -> (b, k2, n)",
                           "(b, m, k1, k2, n) -> (b, m, n)");
  auto transposedV = infer(ctx, "(b, m, k1, k2, n) -> (b, m, k1)",
                           "(b, m, k1, k2, n) -> (b, k2, k1)",
                           "(b, m, k1, k2, n) -> (b, n, k2)",
                           "(b, m, k1, k2, n) -> (b, m, n)");
  REQUIRE(standard);
  REQUIRE(transposedK);
  REQUIRE(transposedV);
  for (const auto &dims : {*transposedK, *transposedV}) {
    CHECK(dims.batch == standard->batch);
    CHECK(dims.m == standard->m);
    CHECK(dims.k1 == standard->k1);
    CHECK(dims.k2 == standard->k2);
    CHECK(dims.n == standard->n);
  }
}

TEST_CASE("multi-batch: batch x heads, dims in any order", "[dimroles]") {
  MLIRContext ctx;
  // Iteration order deliberately scrambled: (n, k2, b, m, h, k1).
  auto dims = infer(ctx, "(n, k2, b, m, h, k1) -> (b, h, m, k1)",
                    "(n, k2, b, m, h, k1) -> (b, h, k2, k1)",
                    "(n, k2, b, m, h, k1) -> (b, h, k2, n)",
                    "(n, k2, b, m, h, k1) -> (b, h, m, n)");
  REQUIRE(dims);
  CHECK(dims->batch == Dims{2, 4});
  CHECK(dims->m == Dims{3});
  CHECK(dims->k1 == Dims{5});
  CHECK(dims->k2 == Dims{1});
  CHECK(dims->n == Dims{0});
}

TEST_CASE("multi-M and multi-K2 dims", "[dimroles]") {
  MLIRContext ctx;
  auto dims = infer(ctx, "(b, m0, m1, k1, k20, k21, n) -> (b, m0, m1, k1)",
                    "(b, m0, m1, k1, k20, k21, n) -> (b, k20, k21, k1)",
                    "(b, m0, m1, k1, k20, k21, n) -> (b, k20, k21, n)",
                    "(b, m0, m1, k1, k20, k21, n) -> (b, m0, m1, n)");
  REQUIRE(dims);
  CHECK(dims->m == Dims{1, 2});
  CHECK(dims->k2 == Dims{4, 5});
}

TEST_CASE("GQA-like broadcast: K/V shared across query heads", "[dimroles]") {
  MLIRContext ctx;
  // Heads dim h appears in Q and O only: K and V are broadcast over it, so
  // it behaves like an M dim.
  auto dims = infer(ctx, "(b, h, m, k1, k2, n) -> (b, h, m, k1)",
                    "(b, h, m, k1, k2, n) -> (b, k2, k1)",
                    "(b, h, m, k1, k2, n) -> (b, k2, n)",
                    "(b, h, m, k1, k2, n) -> (b, h, m, n)");
  REQUIRE(dims);
  CHECK(dims->batch == Dims{0});
  CHECK(dims->m == Dims{1, 2});
  CHECK(dims->roleOf(1) == DimRole::M);
}

TEST_CASE("no batch dims is valid", "[dimroles]") {
  MLIRContext ctx;
  auto dims =
      infer(ctx, "(m, k1, k2, n) -> (m, k1)", "(m, k1, k2, n) -> (k2, k1)",
            "(m, k1, k2, n) -> (k2, n)", "(m, k1, k2, n) -> (m, n)");
  REQUIRE(dims);
  CHECK(dims->batch.empty());
}

TEST_CASE("invalid role assignments are rejected with a reason", "[dimroles]") {
  MLIRContext ctx;
  std::string error;
  SECTION("empty K1 role") {
    CHECK_FALSE(infer(ctx, "(m, k2, n) -> (m)", "(m, k2, n) -> (k2)",
                      "(m, k2, n) -> (k2, n)", "(m, k2, n) -> (m, n)", &error));
    CHECK(error.find("no K1 dim") != std::string::npos);
  }
  SECTION("dim used by a single operand") {
    CHECK_FALSE(infer(
        ctx, "(m, k1, k2, n, x) -> (m, k1, x)", "(m, k1, k2, n, x) -> (k2, k1)",
        "(m, k1, k2, n, x) -> (k2, n)", "(m, k1, k2, n, x) -> (m, n)", &error));
    CHECK(error.find("dim d4 (used by Q) matches no role") !=
          std::string::npos);
  }
  SECTION("dims count mismatch") {
    CHECK_FALSE(infer(ctx, "(m, k1, k2, n) -> (m, k1)",
                      "(m, k1, k2) -> (k2, k1)", "(m, k1, k2, n) -> (k2, n)",
                      "(m, k1, k2, n) -> (m, n)", &error));
    CHECK(error.find("same dims") != std::string::npos);
  }
}

TEST_CASE("result positions of role dims", "[dimroles]") {
  MLIRContext ctx;
  AffineMap v = map(ctx, "(b, m, k1, k2, n) -> (b, n, k2)");
  CHECK(getResultPositions(v, {3}) == Dims{2});
  CHECK(getResultPositions(v, {4}) == Dims{1});
  CHECK(getResultPositions(v, {1}).empty());
}
