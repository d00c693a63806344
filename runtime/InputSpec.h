//===- InputSpec.h - attn-run's input values --------------------*- C++ -*-===//
//
// Entry arguments given on the command line (`f16=0.125`, `2x4xf32=1.0`,
// `2x4xf32=random`) or made up (`--random-inputs`), with sizes checked
// against the machine's memory before anything is allocated.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_INPUTSPEC_H
#define ATTN_RUNTIME_INPUTSPEC_H

#include "runtime/JitSession.h"
#include "runtime/Npy.h"

#include "llvm/ADT/StringRef.h"

#include <optional>
#include <random>
#include <string>

namespace attn::runtime {

/// This machine's physical memory in bytes.
double physicalMemoryBytes();

/// "37.3 GiB".
std::string formatGiB(double bytes);

/// Whether an array of `shape` x `dtype` fits in `limitBytes` (by default
/// this machine's memory); if not, `error` names the size.
bool fitsInMemory(const std::vector<int64_t> &shape, DType dtype,
                  std::string &error,
                  double limitBytes = physicalMemoryBytes());

/// Parses "TYPE=VALUE" or "DIMxDIMxTYPE=VALUE"; VALUE "random" fills with
/// random values like --random-inputs. On bad text, returns nullopt with a
/// one-line `error`; so it does for a value larger than `limitBytes`.
std::optional<HostArray>
parseLiteralInput(llvm::StringRef spec, std::mt19937_64 &rng,
                  std::string &error,
                  double limitBytes = physicalMemoryBytes());

/// Reproducible random values of `spec`'s (static) shape: floats in
/// [-1, 1), i1 80% true, integers in [-8, 8].
HostArray randomInput(const ValueSpec &spec, std::mt19937_64 &rng);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_INPUTSPEC_H
