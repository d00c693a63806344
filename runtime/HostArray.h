//===- HostArray.h - host arrays, dtypes and conversions --------*- C++ -*-===//
//
// Dense host arrays of the element types attn-run exchanges with compiled
// code, one table of those types, and exact f16/bf16 conversions. No MLIR
// dependency.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_HOSTARRAY_H
#define ATTN_RUNTIME_HOSTARRAY_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attn::runtime {

enum class DType { F32, F16, BF16, I1, I8, I32 };

/// Bytes per element (i1 uses one byte per element).
size_t dtypeSize(DType dtype);
/// "f32", "f16", "bf16", "i1", "i8" or "i32".
const char *dtypeName(DType dtype);
/// Inverse of dtypeName; nullopt for anything else.
std::optional<DType> dtypeFromName(const std::string &name);
/// numpy's little-endian descr ("<f4"; bf16 is stored as its raw bits,
/// "<u2"), and the dtype of a descr without its byte-order character.
const char *npyDescr(DType dtype);
std::optional<DType> dtypeFromNpyKind(const std::string &kind);

/// A dense host array: raw little-endian, C-order (row-major) element bytes.
/// i1 elements are one byte each, 0 or 1.
struct HostArray {
  DType dtype = DType::F32;
  std::vector<int64_t> shape; // empty: a 0-d scalar with one element
  std::vector<uint8_t> data;

  /// Product of the shape (1 for a 0-d array).
  int64_t numElements() const;
  /// A zero-filled array of the given dtype and shape.
  static HostArray zeros(DType dtype, std::vector<int64_t> shape);
};

/// "2x3x4", or "scalar" for a 0-d shape; used in diagnostics.
std::string formatShape(const std::vector<int64_t> &shape);

/// IEEE binary16 <-> binary32. Narrowing rounds to nearest, ties to even;
/// overflow gives infinity, NaN stays NaN (quiet), subnormals are exact.
float halfToFloat(uint16_t bits);
uint16_t floatToHalf(float value);
/// bfloat16 (upper 16 bits of a binary32) <-> binary32, same rounding rules.
float bf16ToFloat(uint16_t bits);
uint16_t floatToBf16(float value);

/// Element `index` (flat, C order) converted to double.
double getAsDouble(const HostArray &array, int64_t index);
/// Stores `value` into element `index`. Floats round to nearest even (f16 and
/// bf16 round directly from double, without going through f32). i8/i32 round
/// to nearest even and saturate to the type's range, NaN becomes 0; i1 stores
/// `value != 0` (so NaN is 1, as for a C++ bool conversion).
void setFromDouble(HostArray &array, int64_t index, double value);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_HOSTARRAY_H
