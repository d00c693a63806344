//===- Reference.cpp - Naive reference attention --------------------------===//

#include "runtime/Reference.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

using namespace attn::runtime;

std::vector<double> attn::runtime::referenceAttention(
    const std::vector<double> &q, const std::vector<double> &k,
    const std::vector<double> &v, double scale, const std::vector<double> *mask,
    int64_t B, int64_t M, int64_t K1, int64_t K2, int64_t N,
    std::vector<double> *lse) {
  assert(static_cast<int64_t>(q.size()) == B * M * K1 && "bad q size");
  assert(static_cast<int64_t>(k.size()) == B * K2 * K1 && "bad k size");
  assert(static_cast<int64_t>(v.size()) == B * K2 * N && "bad v size");
  assert((!mask || static_cast<int64_t>(mask->size()) == B * M * K2) &&
         "bad mask size");
  const double negInf = -std::numeric_limits<double>::infinity();
  std::vector<double> out(B * M * N, 0.0);
  std::vector<double> scores(K2);
  if (lse)
    lse->assign(B * M, negInf);
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t m = 0; m < M; ++m) {
      const double *qRow = &q[(b * M + m) * K1];
      double rowMax = negInf;
      bool anyNaN = false;
      for (int64_t j = 0; j < K2; ++j) {
        const double *kRow = &k[(b * K2 + j) * K1];
        double dot = 0.0;
        for (int64_t kk = 0; kk < K1; ++kk)
          dot += qRow[kk] * kRow[kk];
        double s = scale * dot;
        if (mask)
          s += (*mask)[(b * M + m) * K2 + j];
        scores[j] = s;
        if (std::isnan(s))
          anyNaN = true;
        else
          rowMax = std::max(rowMax, s);
      }
      double *oRow = &out[(b * M + m) * N];
      if (lse) {
        // Its own pass over the scores: log(sum exp(s - max)) + max.
        double total = 0.0;
        for (int64_t j = 0; j < K2; ++j)
          total += std::exp(scores[j] - rowMax);
        (*lse)[b * M + m] = anyNaN             ? std::nan("")
                            : rowMax == negInf ? negInf
                                               : rowMax + std::log(total);
      }
      if (rowMax == negInf && !anyNaN)
        continue; // fully masked row: zeros
      double sum = 0.0;
      for (int64_t j = 0; j < K2; ++j) {
        double p = std::exp(scores[j] - rowMax);
        sum += p;
        const double *vRow = &v[(b * K2 + j) * N];
        for (int64_t n = 0; n < N; ++n)
          oRow[n] += p * vRow[n];
      }
      for (int64_t n = 0; n < N; ++n)
        oRow[n] /= sum;
    }
  }
  return out;
}

ErrorStats attn::runtime::compareArrays(const std::vector<double> &got,
                                        const std::vector<double> &want,
                                        double atol) {
  const double inf = std::numeric_limits<double>::infinity();
  ErrorStats stats;
  size_t common = std::min(got.size(), want.size());
  for (size_t i = 0; i < common; ++i) {
    if (got[i] == want[i])
      continue;
    // Unequal values involving NaN or an infinity: infinite error.
    double absErr = inf, relErr = inf;
    if (std::isfinite(got[i]) && std::isfinite(want[i])) {
      absErr = std::fabs(got[i] - want[i]);
      double denom = std::max(std::fabs(want[i]), atol);
      if (denom > 0.0)
        relErr = absErr / denom;
    }
    stats.maxAbs = std::max(stats.maxAbs, absErr);
    if (stats.worstIndex < 0 || relErr > stats.maxRel) {
      stats.maxRel = relErr;
      stats.worstIndex = static_cast<int64_t>(i);
    }
  }
  if (got.size() != want.size()) {
    stats.maxAbs = stats.maxRel = inf;
    stats.worstIndex = static_cast<int64_t>(common);
  }
  return stats;
}

bool attn::runtime::allClose(const std::vector<double> &got,
                             const std::vector<double> &want, double atol,
                             double rtol) {
  if (got.size() != want.size())
    return false;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) // also equal infinities; never NaN
      continue;
    // Like numpy, a non-finite value is only close to an equal value: without
    // this, want = inf would make the bound infinite and accept anything.
    if (!std::isfinite(got[i]) || !std::isfinite(want[i]))
      return false;
    if (!(std::fabs(got[i] - want[i]) <= atol + rtol * std::fabs(want[i])))
      return false;
  }
  return true;
}
