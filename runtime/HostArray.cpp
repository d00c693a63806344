//===- HostArray.cpp - host arrays, dtypes and conversions ----------------===//

#include "runtime/HostArray.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

using namespace attn::runtime;

//===----------------------------------------------------------------------===//
// The dtype table
//===----------------------------------------------------------------------===//

namespace {
struct DTypeInfo {
  DType dtype;
  const char *name;  // attn-run's name, as in MLIR types
  size_t size;       // bytes per element
  const char *descr; // numpy's little-endian descr (bf16: its raw bits)
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "f32", 4, "<f4"},   {DType::F16, "f16", 2, "<f2"},
    {DType::BF16, "bf16", 2, "<u2"}, {DType::I1, "i1", 1, "|b1"},
    {DType::I8, "i8", 1, "|i1"},     {DType::I32, "i32", 4, "<i4"},
};

const DTypeInfo &info(DType dtype) {
  for (const DTypeInfo &entry : kDTypes)
    if (entry.dtype == dtype)
      return entry;
  assert(false && "every DType is in the table");
  return kDTypes[0];
}
} // namespace

size_t attn::runtime::dtypeSize(DType dtype) { return info(dtype).size; }

const char *attn::runtime::dtypeName(DType dtype) { return info(dtype).name; }

const char *attn::runtime::npyDescr(DType dtype) { return info(dtype).descr; }

std::optional<DType> attn::runtime::dtypeFromName(const std::string &name) {
  for (const DTypeInfo &entry : kDTypes)
    if (name == entry.name)
      return entry.dtype;
  return std::nullopt;
}

std::optional<DType> attn::runtime::dtypeFromNpyKind(const std::string &kind) {
  for (const DTypeInfo &entry : kDTypes)
    if (kind == entry.descr + 1)
      return entry.dtype;
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// HostArray
//===----------------------------------------------------------------------===//

int64_t HostArray::numElements() const {
  int64_t n = 1;
  for (int64_t dim : shape)
    n *= dim;
  return n;
}

HostArray HostArray::zeros(DType dtype, std::vector<int64_t> shape) {
  HostArray array;
  array.dtype = dtype;
  array.shape = std::move(shape);
  array.data.assign(array.numElements() * dtypeSize(dtype), 0);
  return array;
}

std::string attn::runtime::formatShape(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

//===----------------------------------------------------------------------===//
// Half and bfloat16 conversion
//===----------------------------------------------------------------------===//

/// Rounds a double to a binary format with `expBits` exponent and `mantBits`
/// stored mantissa bits (IEEE layout, bias 2^(expBits-1)-1), returning its bit
/// pattern. Rounds to nearest, ties to even; handles overflow to infinity,
/// subnormal results and NaN (made quiet, top payload bits kept).
static uint32_t roundToSmallFloat(double value, int expBits, int mantBits) {
  uint64_t x;
  std::memcpy(&x, &value, sizeof(x));
  uint32_t sign = static_cast<uint32_t>(x >> 63) << (expBits + mantBits);
  uint64_t absX = x & ~(1ull << 63);
  uint32_t mantMask = (1u << mantBits) - 1;
  uint32_t infBits = ((1u << expBits) - 1) << mantBits;
  const uint64_t doubleInf = 0x7ffull << 52;
  if (absX > doubleInf) // NaN
    return sign | infBits | (1u << (mantBits - 1)) |
           (static_cast<uint32_t>(absX >> (52 - mantBits)) & mantMask);
  if (absX == doubleInf)
    return sign | infBits;
  int biasedExp = static_cast<int>(absX >> 52);
  if (biasedExp == 0) // zero or a double subnormal: far below any target
    return sign;
  uint64_t significand = (absX & ((1ull << 52) - 1)) | (1ull << 52);
  int bias = (1 << (expBits - 1)) - 1;
  int targetExp = biasedExp - 1023 + bias;
  // Number of low significand bits to drop; more for subnormal results.
  int shift = 52 - mantBits + (targetExp >= 1 ? 0 : 1 - targetExp);
  if (shift > 54) // below half the smallest subnormal
    return sign;
  uint64_t rounded = significand >> shift;
  uint64_t rest = significand & ((1ull << shift) - 1);
  uint64_t halfway = 1ull << (shift - 1);
  if (rest > halfway || (rest == halfway && (rounded & 1)))
    ++rounded;
  // For normal results `rounded` still holds the implicit bit, so adding
  // (targetExp - 1) << mantBits yields the exponent field; a rounding carry
  // propagates into the exponent (and from the largest subnormal into the
  // smallest normal) by itself.
  uint64_t bits =
      targetExp >= 1
          ? (static_cast<uint64_t>(targetExp - 1) << mantBits) + rounded
          : rounded;
  if (bits >= infBits)
    return sign | infBits;
  return sign | static_cast<uint32_t>(bits);
}

/// Inverse of roundToSmallFloat for formats no wider than binary32 (exact).
static float smallFloatToFloat(uint32_t bits, int expBits, int mantBits) {
  uint32_t sign = (bits >> (expBits + mantBits)) & 1;
  uint32_t exp = (bits >> mantBits) & ((1u << expBits) - 1);
  uint32_t mant = bits & ((1u << mantBits) - 1);
  int bias = (1 << (expBits - 1)) - 1;
  if (exp == 0) { // zero or subnormal: mant * 2^(1 - bias - mantBits)
    float magnitude = std::ldexp(static_cast<float>(mant), 1 - bias - mantBits);
    return sign ? -magnitude : magnitude;
  }
  uint32_t floatExp = exp == (1u << expBits) - 1 ? 0xff : exp - bias + 127;
  uint32_t out = sign << 31 | floatExp << 23 | mant << (23 - mantBits);
  float result;
  std::memcpy(&result, &out, sizeof(result));
  return result;
}

float attn::runtime::halfToFloat(uint16_t bits) {
  return smallFloatToFloat(bits, 5, 10);
}
uint16_t attn::runtime::floatToHalf(float value) {
  return static_cast<uint16_t>(roundToSmallFloat(value, 5, 10));
}
float attn::runtime::bf16ToFloat(uint16_t bits) {
  return smallFloatToFloat(bits, 8, 7);
}
uint16_t attn::runtime::floatToBf16(float value) {
  return static_cast<uint16_t>(roundToSmallFloat(value, 8, 7));
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

template <typename T> static T load(const HostArray &array, int64_t index) {
  T value;
  std::memcpy(&value, array.data.data() + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T>
static void store(HostArray &array, int64_t index, T value) {
  std::memcpy(array.data.data() + index * sizeof(T), &value, sizeof(T));
}

/// Round to nearest even, saturate, NaN -> 0.
template <typename T> static T toInt(double value) {
  if (std::isnan(value))
    return 0;
  double rounded = std::nearbyint(value);
  if (rounded <= std::numeric_limits<T>::min())
    return std::numeric_limits<T>::min();
  if (rounded >= std::numeric_limits<T>::max())
    return std::numeric_limits<T>::max();
  return static_cast<T>(rounded);
}

double attn::runtime::getAsDouble(const HostArray &array, int64_t index) {
  assert(index >= 0 && index < array.numElements() && "index out of range");
  switch (array.dtype) {
  case DType::F32:
    return load<float>(array, index);
  case DType::F16:
    return halfToFloat(load<uint16_t>(array, index));
  case DType::BF16:
    return bf16ToFloat(load<uint16_t>(array, index));
  case DType::I1:
    return array.data[index] != 0 ? 1.0 : 0.0;
  case DType::I8:
    return load<int8_t>(array, index);
  case DType::I32:
    return load<int32_t>(array, index);
  }
  return 0.0;
}

void attn::runtime::setFromDouble(HostArray &array, int64_t index,
                                  double value) {
  assert(index >= 0 && index < array.numElements() && "index out of range");
  switch (array.dtype) {
  case DType::F32:
    return store<float>(array, index, static_cast<float>(value));
  case DType::F16:
    return store<uint16_t>(array, index, roundToSmallFloat(value, 5, 10));
  case DType::BF16:
    return store<uint16_t>(array, index, roundToSmallFloat(value, 8, 7));
  case DType::I1:
    array.data[index] = value != 0.0;
    return;
  case DType::I8:
    return store<int8_t>(array, index, toInt<int8_t>(value));
  case DType::I32:
    return store<int32_t>(array, index, toInt<int32_t>(value));
  }
}
