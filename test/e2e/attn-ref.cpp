//===- attn-ref.cpp - compare an attn-run output with the C++ reference ---===//
//
// Test helper: reads Q [..,M,K1], K [..,K2,K1], V [..,K2,N] (optionally a
// float mask [..,M,K2]) and an output [B,M,N] from .npy files, computes the
// double-precision reference attention (runtime/Reference.h, which shares no
// code with the compiler) and compares. Transposed layouts are given with
// --k-transposed ([B,K1,K2]) / --v-transposed ([B,N,K2]). --causal=top_left
// or bottom_right adds the causal structure (key j visible to row i iff
// j <= i + D, D = 0 or K2 - M) on top of any mask. --lse=lse.npy also
// compares the log-sum-exp per row ([B,M], leading dims flattened like the
// output's; f32).
//
//===----------------------------------------------------------------------===//

#include "runtime/Npy.h"
#include "runtime/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace attn::runtime;

static std::vector<double> load(const std::string &path, HostArray &array) {
  std::string error;
  std::optional<HostArray> a = readNpy(path, error);
  if (!a) {
    std::fprintf(stderr, "attn-ref: %s\n", error.c_str());
    std::exit(2);
  }
  array = *a;
  std::vector<double> v(array.numElements());
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = getAsDouble(array, i);
  return v;
}

/// [B, X, Y] -> [B, Y, X].
static std::vector<double> swapLast(const std::vector<double> &in, int64_t b,
                                    int64_t x, int64_t y) {
  std::vector<double> out(in.size());
  for (int64_t i = 0; i < b; ++i)
    for (int64_t j = 0; j < x; ++j)
      for (int64_t k = 0; k < y; ++k)
        out[(i * y + k) * x + j] = in[(i * x + j) * y + k];
  return out;
}

int main(int argc, char **argv) {
  std::string q, k, v, mask, out, causal, lse;
  double scale = 1, atol = 1e-5, rtol = 1e-4;
  bool kT = false, vT = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char *p) {
      return a.rfind(p, 0) == 0 ? a.substr(std::strlen(p)) : std::string();
    };
    if (!val("--q=").empty())
      q = val("--q=");
    else if (!val("--k=").empty())
      k = val("--k=");
    else if (!val("--v=").empty())
      v = val("--v=");
    else if (!val("--mask=").empty())
      mask = val("--mask=");
    else if (!val("--causal=").empty())
      causal = val("--causal=");
    else if (!val("--lse=").empty())
      lse = val("--lse=");
    else if (!val("--out=").empty())
      out = val("--out=");
    else if (!val("--scale=").empty())
      scale = std::atof(val("--scale=").c_str());
    else if (!val("--atol=").empty())
      atol = std::atof(val("--atol=").c_str());
    else if (!val("--rtol=").empty())
      rtol = std::atof(val("--rtol=").c_str());
    else if (a == "--k-transposed")
      kT = true;
    else if (a == "--v-transposed")
      vT = true;
    else {
      std::fprintf(stderr, "attn-ref: unknown argument '%s'\n", a.c_str());
      return 2;
    }
  }
  HostArray qa, ka, va, ma, oa;
  std::vector<double> qd = load(q, qa), kd = load(k, ka), vd = load(v, va),
                      od = load(out, oa);
  // Leading dims (batch, heads, ...) are flattened into one batch dim.
  auto dim = [](const HostArray &a, int fromEnd) {
    return a.shape[a.shape.size() - fromEnd];
  };
  int64_t M = dim(qa, 2), K1 = dim(qa, 1);
  int64_t B = qa.numElements() / (M * K1);
  int64_t K2 = kT ? dim(ka, 1) : dim(ka, 2);
  int64_t N = vT ? dim(va, 2) : dim(va, 1);
  if (kT)
    kd = swapLast(kd, B, K1, K2);
  if (vT)
    vd = swapLast(vd, B, N, K2);
  std::vector<double> md;
  if (!mask.empty())
    md = load(mask, ma);
  if (!causal.empty()) {
    if (causal != "top_left" && causal != "bottom_right") {
      std::fprintf(stderr, "attn-ref: --causal must be top_left or "
                           "bottom_right\n");
      return 2;
    }
    int64_t diag = causal == "top_left" ? 0 : K2 - M;
    if (md.empty())
      md.assign(B * M * K2, 0.0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = std::max<int64_t>(0, i + diag + 1); j < K2; ++j)
          md[(b * M + i) * K2 + j] = -INFINITY;
  }
  std::vector<double> wantLse;
  std::vector<double> want =
      referenceAttention(qd, kd, vd, scale, md.empty() ? nullptr : &md, B, M,
                         K1, K2, N, lse.empty() ? nullptr : &wantLse);
  ErrorStats stats = compareArrays(od, want, atol);
  bool ok = allClose(od, want, atol, rtol);
  std::printf("attn-ref: %lldx%lldx%lld K2=%lld N=%lld: max abs err %.3g, "
              "max rel err %.3g: %s\n",
              (long long)B, (long long)M, (long long)K1, (long long)K2,
              (long long)N, stats.maxAbs, stats.maxRel, ok ? "PASS" : "FAIL");
  if (!lse.empty()) {
    HostArray la;
    std::vector<double> ld = load(lse, la);
    ErrorStats lseStats = compareArrays(ld, wantLse, atol);
    bool lseOk = allClose(ld, wantLse, atol, rtol);
    std::printf("attn-ref: lse %lldx%lld: max abs err %.3g, max rel err "
                "%.3g: %s\n",
                (long long)B, (long long)M, lseStats.maxAbs, lseStats.maxRel,
                lseOk ? "PASS" : "FAIL");
    ok &= lseOk;
  }
  return ok ? 0 : 1;
}
