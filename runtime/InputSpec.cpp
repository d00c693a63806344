//===- InputSpec.cpp - attn-run's input values ----------------------------===//

#include "runtime/InputSpec.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FormatVariadic.h"

#include <unistd.h>

using namespace attn::runtime;

double attn::runtime::physicalMemoryBytes() {
  return double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
}

std::string attn::runtime::formatGiB(double bytes) {
  return llvm::formatv("{0:f1} GiB", bytes / (1024.0 * 1024 * 1024)).str();
}

bool attn::runtime::fitsInMemory(const std::vector<int64_t> &shape, DType dtype,
                                 std::string &error, double limitBytes) {
  double bytes = dtypeSize(dtype);
  for (int64_t d : shape)
    bytes *= double(d);
  if (bytes <= limitBytes)
    return true;
  error = llvm::formatv("{0}x{1} needs {2}, more than {3}{4}",
                        formatShape(shape), dtypeName(dtype), formatGiB(bytes),
                        limitBytes == physicalMemoryBytes() ? "this machine's "
                                                            : "the limit of ",
                        formatGiB(limitBytes))
              .str();
  return false;
}

std::optional<HostArray> attn::runtime::parseLiteralInput(llvm::StringRef spec,
                                                          std::mt19937_64 &rng,
                                                          std::string &error,
                                                          double limitBytes) {
  auto [typePart, valuePart] = spec.split('=');
  llvm::SmallVector<llvm::StringRef> pieces;
  typePart.split(pieces, 'x');
  std::optional<DType> dtype = dtypeFromName(pieces.back().str());
  if (!dtype) {
    error = "unknown element type '" + pieces.back().str() + "'";
    return std::nullopt;
  }
  std::vector<int64_t> shape;
  for (llvm::StringRef dim : llvm::ArrayRef(pieces).drop_back()) {
    int64_t d;
    if (dim.getAsInteger(10, d) || d < 0) {
      error = "bad dimension '" + dim.str() + "'";
      return std::nullopt;
    }
    shape.push_back(d);
  }
  if (!fitsInMemory(shape, *dtype, error, limitBytes))
    return std::nullopt;
  if (valuePart == "random") {
    ValueSpec random;
    random.dtype = *dtype;
    random.isTensor = !shape.empty();
    random.shape = shape;
    return randomInput(random, rng);
  }
  double value;
  if (valuePart.trim().getAsDouble(value)) {
    if (valuePart == "true")
      value = 1;
    else if (valuePart == "false")
      value = 0;
    else {
      error = "bad value '" + valuePart.str() + "'";
      return std::nullopt;
    }
  }
  HostArray array = HostArray::zeros(*dtype, shape);
  for (int64_t i = 0, e = array.numElements(); i < e; ++i)
    setFromDouble(array, i, value);
  return array;
}

HostArray attn::runtime::randomInput(const ValueSpec &spec,
                                     std::mt19937_64 &rng) {
  std::vector<int64_t> shape =
      spec.isTensor ? spec.shape : std::vector<int64_t>{};
  HostArray array = HostArray::zeros(spec.dtype, shape);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(-8, 8);
  std::bernoulli_distribution keep(0.8);
  for (int64_t i = 0, e = array.numElements(); i < e; ++i) {
    double v;
    switch (spec.dtype) {
    case DType::I1:
      v = keep(rng);
      break;
    case DType::I8:
    case DType::I32:
      v = small(rng);
      break;
    default:
      v = real(rng);
    }
    setFromDouble(array, i, v);
  }
  return array;
}
