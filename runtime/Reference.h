//===- Reference.h - Naive reference attention ------------------*- C++ -*-===//
//
// A deliberately simple attention implementation in double precision, sharing
// no code with the compiler, used to check compiled kernels; plus the error
// metrics used to compare results against it.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_REFERENCE_H
#define ATTN_RUNTIME_REFERENCE_H

#include <cstdint>
#include <vector>

namespace attn::runtime {

/// o[b][m][n] = sum_j softmax_j(scale * sum_k q[b][m][k] * k[b][j][k]
///                              + mask[b][m][j]) * v[b][j][n]
/// with row-major q[B][M][K1], k[B][K2][K1], v[B][K2][N], mask[B][M][K2]
/// (additive, may be null; -inf masks a key out) and result o[B][M][N].
/// The scale multiplies Q.K^T before the mask is added. The softmax subtracts
/// the row maximum, so large scores do not overflow.
///
/// A row whose scores are all -inf (every key masked, or K2 == 0) has no
/// well-defined softmax (it would be 0/0); its output is all zeros, the usual
/// convention of flash-attention kernels. NaNs in the inputs propagate.
///
/// When `lse` is given it receives the natural-log log-sum-exp of each
/// row's scores, lse[B][M] = max_j s_j + log(sum_j exp(s_j - max_j s_j)),
/// computed independently of the output; -inf for a row whose scores are
/// all -inf.
///
/// The input sizes must match the dimensions (asserted).
std::vector<double>
referenceAttention(const std::vector<double> &q, const std::vector<double> &k,
                   const std::vector<double> &v, double scale,
                   const std::vector<double> *mask, int64_t B, int64_t M,
                   int64_t K1, int64_t K2, int64_t N,
                   std::vector<double> *lse = nullptr);

struct ErrorStats {
  /// Largest |got - want|.
  double maxAbs = 0.0;
  /// Largest |got - want| / max(|want|, atol): the relative error, with atol
  /// as a floor on the denominator so near-zero references do not blow up
  /// (with atol = 0, any error against a zero reference is infinite).
  double maxRel = 0.0;
  /// Index of the element with the largest relative error (the first one on
  /// ties), or -1 if every element matches exactly or the arrays are empty.
  int64_t worstIndex = -1;
};

/// Error of `got` against `want`. Equal values (including equal infinities)
/// have zero error; a NaN in either array, or an infinity not matched by an
/// equal one, counts as infinite error (absolute and relative). Arrays of
/// different sizes give infinite errors with worstIndex at the first index only
/// one of them has.
ErrorStats compareArrays(const std::vector<double> &got,
                         const std::vector<double> &want, double atol);

/// numpy.allclose(got, want, rtol, atol) semantics (note the argument order
/// here): every element satisfies |got - want| <= atol + rtol * |want|, where
/// equal infinities count as close and NaN is never close (not even to NaN).
/// Arrays of different sizes are never close.
bool allClose(const std::vector<double> &got, const std::vector<double> &want,
              double atol, double rtol);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_REFERENCE_H
