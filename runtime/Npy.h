//===- Npy.h - .npy reader and writer ---------------------------*- C++ -*-===//
//
// NumPy .npy I/O of host arrays (runtime/HostArray.h), with no MLIR
// dependency. Reads format versions 1.0, 2.0 (and 3.0, which only differs in
// the header text encoding); writes 1.0 (2.0 only if the header would not fit
// a 16-bit length). Only little-endian, C-order arrays of the dtypes below are
// supported. bf16 has no NumPy dtype: it is stored as '<u2' (the raw bits),
// and reading '<u2' yields BF16.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_NPY_H
#define ATTN_RUNTIME_NPY_H

#include "runtime/HostArray.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attn::runtime {

/// Reads a .npy file. On failure returns nullopt and sets `error` to a single
/// line starting with "<path>: ".
std::optional<HostArray> readNpy(const std::string &path, std::string &error);

/// Writes `array` as a .npy file. The file is written under a temporary name
/// next to `path` and renamed into place, so on failure (returns false, sets
/// a one-line `error`) no partial file is left at `path` nor next to it.
bool writeNpy(const std::string &path, const HostArray &array,
              std::string &error);

/// Writes the concatenated `chunks` to `path` the same way: a temporary next
/// to it, renamed into place; on failure nothing is left behind.
bool writeFileAtomically(const std::string &path,
                         const std::vector<std::string_view> &chunks,
                         std::string &error);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_NPY_H
