//===- ReferenceTest.cpp - reference attention unit tests -----------------===//

#include "runtime/Reference.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace attn::runtime;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Deterministic values in [-1, 1).
std::vector<double> pseudoRandom(size_t n, uint32_t seed) {
  std::vector<double> out(n);
  for (double &x : out) {
    seed = seed * 1664525u + 1013904223u;
    x = (seed >> 8) / double(1 << 24) * 2.0 - 1.0;
  }
  return out;
}
} // namespace

TEST_CASE("hand-computed single query", "[reference]") {
  // B=1, M=1, K1=1, K2=2, N=1; q = 2, k = (0, ln 3), v = (2, 6), scale 0.5.
  // Scores: 0.5 * 2 * 0 = 0 and 0.5 * 2 * ln 3 = ln 3; softmax: e^0 = 1 and
  // e^ln3 = 3 over 4 -> (1/4, 3/4); output 2/4 + 6 * 3/4 = 0.5 + 4.5 = 5.
  std::vector<double> o = referenceAttention(
      {2.0}, {0.0, std::log(3.0)}, {2.0, 6.0}, 0.5, nullptr, 1, 1, 1, 2, 1);
  REQUIRE(o.size() == 1);
  CHECK(o[0] == Approx(5.0).epsilon(1e-14));
}

TEST_CASE("log-sum-exp by hand, with a fully masked row", "[reference]") {
  // The single-query case above: scores 0 and ln 3, so the LSE is
  // log(e^0 + e^ln3) = log 4. A second row with both keys masked: -inf.
  std::vector<double> mask = {0.0, 0.0, -kInf, -kInf};
  std::vector<double> lse;
  std::vector<double> o =
      referenceAttention({2.0, 2.0}, {0.0, std::log(3.0)}, {2.0, 6.0}, 0.5,
                         &mask, 1, 2, 1, 2, 1, &lse);
  REQUIRE(lse.size() == 2);
  CHECK(lse[0] == Approx(std::log(4.0)).epsilon(1e-14));
  CHECK(lse[1] == -kInf);
  CHECK(o[1] == 0.0);
  // Large scores: the max is factored out, no overflow.
  std::vector<double> big;
  referenceAttention({1000.0}, {1.0, 1.0}, {0.0, 0.0}, 1.0, nullptr, 1, 1, 1, 2,
                     1, &big);
  CHECK(big[0] == Approx(1000.0 + std::log(2.0)).epsilon(1e-14));
}

TEST_CASE("hand-computed 2x2x3x2", "[reference]") {
  // q rows (1,0), (0,1); k rows (1,0), (0,1), (1,1); v rows (1,0), (0,1),
  // (2,2); scale 1.
  // Row 0 scores (1, 0, 1) -> weights (e, 1, e) / (2e + 1):
  //   o0 = (e*(1,0) + (0,1) + e*(2,2)) / (2e+1) = (3e / (2e+1), 1).
  // Row 1 scores (0, 1, 1) -> weights (1, e, e) / (2e + 1):
  //   o1 = ((1,0) + e*(0,1) + e*(2,2)) / (2e+1) = (1, 3e / (2e+1)).
  const double e = std::exp(1.0), r = 3 * e / (2 * e + 1);
  std::vector<double> o =
      referenceAttention({1, 0, 0, 1}, {1, 0, 0, 1, 1, 1}, {1, 0, 0, 1, 2, 2},
                         1.0, nullptr, 1, 2, 2, 3, 2);
  REQUIRE(o.size() == 4);
  CHECK(o[0] == Approx(r).epsilon(1e-14));
  CHECK(o[1] == Approx(1.0).epsilon(1e-14));
  CHECK(o[2] == Approx(1.0).epsilon(1e-14));
  CHECK(o[3] == Approx(r).epsilon(1e-14));
}

TEST_CASE("uniform scores give the mean of V", "[reference]") {
  // q = 0 makes every score 0, so every key gets weight 1/K2.
  const int64_t B = 2, M = 3, K1 = 4, K2 = 5, N = 3;
  std::vector<double> q(B * M * K1, 0.0);
  std::vector<double> k = pseudoRandom(B * K2 * K1, 1);
  std::vector<double> v = pseudoRandom(B * K2 * N, 2);
  std::vector<double> o =
      referenceAttention(q, k, v, 0.125, nullptr, B, M, K1, K2, N);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t n = 0; n < N; ++n) {
      double mean = 0;
      for (int64_t j = 0; j < K2; ++j)
        mean += v[(b * K2 + j) * N + n] / K2;
      for (int64_t m = 0; m < M; ++m)
        CHECK(o[(b * M + m) * N + n] == Approx(mean).epsilon(1e-13));
    }
}

TEST_CASE("scale applies to Q.K^T, not to the mask", "[reference]") {
  // Scores: 2 * 1 * 0 + 0 = 0 and 2 * 1 * 1 + (-2) = 0 -> mean of v.
  std::vector<double> mask = {0.0, -2.0};
  std::vector<double> o = referenceAttention({1.0}, {0.0, 1.0}, {4.0, 8.0}, 2.0,
                                             &mask, 1, 1, 1, 2, 1);
  CHECK(o[0] == Approx(6.0).epsilon(1e-14));
}

TEST_CASE("masking", "[reference]") {
  // M=2, K1=1, K2=3, N=2, q = 0 so unmasked keys share the weight equally.
  std::vector<double> q = {0.0, 0.0};
  std::vector<double> k = {5.0, -3.0, 100.0};
  std::vector<double> v = {1, 10, 1000, 1000, 3, 20};

  SECTION("a masked-out key is ignored") {
    std::vector<double> mask = {0, -kInf, 0, -kInf, 0, -kInf};
    std::vector<double> o =
        referenceAttention(q, k, v, 1.0, &mask, 1, 2, 1, 3, 2);
    CHECK(o[0] == Approx(2.0).epsilon(1e-14)); // mean of rows 0 and 2
    CHECK(o[1] == Approx(15.0).epsilon(1e-14));
    CHECK(o[2] == 1000.0); // only row 1
    CHECK(o[3] == 1000.0);
  }
  SECTION("a fully masked row gives zeros") {
    std::vector<double> mask = {-kInf, -kInf, -kInf, 0, 0, 0};
    std::vector<double> o =
        referenceAttention(q, k, v, 1.0, &mask, 1, 2, 1, 3, 2);
    CHECK(o[0] == 0.0);
    CHECK(o[1] == 0.0);
    CHECK(o[2] == Approx(1004.0 / 3).epsilon(1e-14));
    CHECK(o[3] == Approx(1030.0 / 3).epsilon(1e-14));
  }
  SECTION("NaN in the mask propagates") {
    std::vector<double> mask = {0, kNaN, 0, -kInf, -kInf, -kInf};
    std::vector<double> o =
        referenceAttention(q, k, v, 1.0, &mask, 1, 2, 1, 3, 2);
    CHECK(std::isnan(o[0]));
    CHECK(o[2] == 0.0);
  }
}

TEST_CASE("single key returns its V row", "[reference]") {
  // M=1, K2=1: the softmax over one key is 1 whatever the score.
  std::vector<double> mask = {-7.5};
  std::vector<double> o =
      referenceAttention({0.3, -2.0, 9.0}, {4.0, 1.5, -0.25}, {1.5, -2.5}, 0.7,
                         &mask, 1, 1, 3, 1, 2);
  CHECK(o == std::vector<double>{1.5, -2.5});
}

TEST_CASE("large scores do not overflow", "[reference]") {
  // Scores 1000 and 1001: exp would overflow without subtracting the max.
  std::vector<double> o = referenceAttention({1000.0}, {1.0, 1.001}, {0.0, 1.0},
                                             1.0, nullptr, 1, 1, 1, 2, 1);
  const double e = std::exp(1.0);
  CHECK(o[0] == Approx(e / (1 + e)).epsilon(1e-12));
}

TEST_CASE("odd shape against an independent recomputation", "[reference]") {
  const int64_t B = 3, M = 17, K1 = 40, K2 = 33, N = 40;
  const double scale = 1.0 / std::sqrt(double(K1));
  std::vector<double> q = pseudoRandom(B * M * K1, 11);
  std::vector<double> k = pseudoRandom(B * K2 * K1, 12);
  std::vector<double> v = pseudoRandom(B * K2 * N, 13);
  // Mask about a quarter of the keys, never key 0, plus small biases.
  std::vector<double> mask = pseudoRandom(B * M * K2, 14);
  for (size_t i = 0; i < mask.size(); ++i)
    if (i % K2 != 0 && mask[i] < -0.5)
      mask[i] = -kInf;

  for (bool masked : {false, true}) {
    INFO("masked " << masked);
    const std::vector<double> *maskPtr = masked ? &mask : nullptr;
    std::vector<double> o =
        referenceAttention(q, k, v, scale, maskPtr, B, M, K1, K2, N);
    REQUIRE(o.size() == size_t(B * M * N));

    // Direct formula in long double, without the max subtraction (scores are
    // small here), weights skipped for masked keys.
    auto expected = [&](int64_t b, int64_t m, int64_t n) {
      long double num = 0, den = 0;
      for (int64_t j = 0; j < K2; ++j) {
        double bias = masked ? mask[(b * M + m) * K2 + j] : 0.0;
        if (bias == -kInf)
          continue;
        long double s = 0;
        for (int64_t x = 0; x < K1; ++x)
          s += (long double)q[(b * M + m) * K1 + x] * k[(b * K2 + j) * K1 + x];
        long double w = std::exp(s * scale + bias);
        num += w * v[(b * K2 + j) * N + n];
        den += w;
      }
      return double(num / den);
    };
    const int64_t probes[][3] = {{0, 0, 0},  {0, 16, 39}, {1, 8, 20},
                                 {2, 0, 39}, {2, 16, 0},  {1, 3, 7}};
    for (const auto &p : probes) {
      INFO("b=" << p[0] << " m=" << p[1] << " n=" << p[2]);
      CHECK(o[(p[0] * M + p[1]) * N + p[2]] ==
            Approx(expected(p[0], p[1], p[2])).epsilon(1e-12).margin(1e-14));
    }

    // Every output is a convex combination of V's column.
    int64_t outside = 0;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t n = 0; n < N; ++n) {
        double lo = kInf, hi = -kInf;
        for (int64_t j = 0; j < K2; ++j) {
          lo = std::min(lo, v[(b * K2 + j) * N + n]);
          hi = std::max(hi, v[(b * K2 + j) * N + n]);
        }
        for (int64_t m = 0; m < M; ++m) {
          double x = o[(b * M + m) * N + n];
          outside += x < lo - 1e-12 || x > hi + 1e-12;
        }
      }
    CHECK(outside == 0);
  }
}

TEST_CASE("allClose follows numpy semantics", "[reference]") {
  CHECK(allClose({}, {}, 0, 0));
  CHECK(allClose({1.0, 2.0}, {1.0, 2.0}, 0, 0));
  CHECK(allClose({1.0 + 1e-9}, {1.0}, 1e-8, 0));
  CHECK_FALSE(allClose({1.0 + 1e-7}, {1.0}, 1e-8, 0));
  CHECK(allClose({101.0}, {100.0}, 0, 0.01));
  CHECK_FALSE(allClose({101.0}, {100.0}, 0, 0.0099));
  CHECK(allClose({101.0}, {100.0}, 0.5, 0.005)); // atol + rtol*|want| = 1
  // The tolerance scales with |want| only, so the test is asymmetric.
  CHECK(allClose({0.0}, {1.0}, 0, 1.0));
  CHECK_FALSE(allClose({1.0}, {0.0}, 0, 1.0));
  // NaN is never close; infinities only to themselves.
  CHECK_FALSE(allClose({kNaN}, {kNaN}, 1, 1));
  CHECK_FALSE(allClose({1.0}, {kNaN}, 1, 1));
  CHECK(allClose({kInf, -kInf}, {kInf, -kInf}, 0, 0));
  CHECK_FALSE(allClose({kInf}, {-kInf}, 1, 1));
  CHECK_FALSE(allClose({1.0}, {kInf}, 1, 1));
  CHECK_FALSE(allClose({kInf}, {1.0}, 1, 1));
  CHECK_FALSE(allClose({1.0}, {1.0, 1.0}, 1, 1));
}

TEST_CASE("compareArrays reports the worst element", "[reference]") {
  SECTION("relative error floors the denominator at atol") {
    // Errors: 0, 0.5 (rel 0.5/2 = 0.25), 0.01 (rel 0.01/max(0, 0.1) = 0.1).
    ErrorStats s = compareArrays({1.0, 2.5, 0.01}, {1.0, 2.0, 0.0}, 0.1);
    CHECK(s.maxAbs == Approx(0.5));
    CHECK(s.maxRel == Approx(0.25));
    CHECK(s.worstIndex == 1);
    // With atol = 0 the error against the zero reference is infinitely bad.
    s = compareArrays({1.0, 2.5, 0.01}, {1.0, 2.0, 0.0}, 0.0);
    CHECK(s.maxAbs == Approx(0.5));
    CHECK(s.maxRel == kInf);
    CHECK(s.worstIndex == 2);
  }
  SECTION("exact match") {
    ErrorStats s = compareArrays({1.0, -kInf, 0.0}, {1.0, -kInf, -0.0}, 0.0);
    CHECK(s.maxAbs == 0.0);
    CHECK(s.maxRel == 0.0);
    CHECK(s.worstIndex == -1);
    CHECK(compareArrays({}, {}, 1e-6).worstIndex == -1);
  }
  SECTION("first worst element wins ties") {
    ErrorStats s = compareArrays({2.0, 3.0, 2.0}, {1.0, 3.0, 1.0}, 0.0);
    CHECK(s.maxRel == 1.0);
    CHECK(s.worstIndex == 0);
  }
  SECTION("NaN and infinities") {
    ErrorStats s = compareArrays({1.0, kNaN, 5.0}, {1.1, 1.0, kNaN}, 0.0);
    CHECK(s.maxAbs == kInf);
    CHECK(s.maxRel == kInf);
    CHECK(s.worstIndex == 1);
    s = compareArrays({1.0, 1.0}, {1.0, kInf}, 1e-3);
    CHECK(s.maxAbs == kInf);
    CHECK(s.worstIndex == 1);
  }
  SECTION("size mismatch") {
    ErrorStats s = compareArrays({1.0, 2.0}, {1.0, 2.0, 3.0}, 0.0);
    CHECK(s.maxAbs == kInf);
    CHECK(s.worstIndex == 2);
  }
}
