//===- KernelMetadata.h - AMDGPU code-object kernel metadata ----*- C++ -*-===//
//
// The kernel descriptors a launcher needs from an AMDGPU code object: the
// amdhsa.kernels table of the NT_AMDGPU_METADATA note (code object v4+),
// with every argument's offset, size and kind, and the packing of kernel
// arguments into a kernarg segment exactly as that table says.
//
// Upstream's ROCDL::getAMDHSAKernelsELFMetadata keeps only the scalar
// entries (no `.args`), so the note is read here with LLVM's ELF and
// MessagePack readers.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_RUNTIME_KERNELMETADATA_H
#define ATTN_RUNTIME_KERNELMETADATA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn::runtime {

/// One entry of a kernel's `.args`.
struct KernelArgument {
  std::string name;      // `.name`, often empty for compiler-made kernels
  std::string valueKind; // `.value_kind`: by_value, global_buffer, hidden_*
  uint64_t offset = 0;   // `.offset` in the kernarg segment
  uint64_t size = 0;     // `.size` in bytes
  /// Hidden arguments are filled by the runtime, not passed by the host.
  bool isHidden() const {
    return llvm::StringRef(valueKind).starts_with("hidden_");
  }
};

struct KernelInfo {
  std::string name;   // `.name`
  std::string symbol; // `.symbol` (the kernel descriptor, `name.kd`)
  uint64_t kernargSegmentSize = 0;
  uint64_t kernargSegmentAlign = 0;
  uint64_t groupSegmentFixedSize = 0;   // LDS bytes
  uint64_t privateSegmentFixedSize = 0; // scratch bytes per work-item
  uint64_t wavefrontSize = 0;
  uint64_t maxFlatWorkgroupSize = 0;
  std::vector<KernelArgument> args;

  /// The arguments the host passes, in order (everything not hidden).
  std::vector<const KernelArgument *> explicitArgs() const;
};

/// Reads every kernel's metadata from an AMDGPU code object (an ELF).
llvm::Expected<std::vector<KernelInfo>>
readKernelMetadata(llvm::ArrayRef<uint8_t> codeObject);

/// Packs the host's explicit arguments into a kernarg segment of
/// `kernargSegmentSize` bytes: argument i (params[i] points to its value)
/// is copied, `.size` bytes, to its `.offset`. Fails on a count mismatch or
/// a table that does not fit the segment. Hidden arguments are left zero.
llvm::Expected<std::vector<uint8_t>>
packKernelArguments(const KernelInfo &kernel, llvm::ArrayRef<void *> params);

/// Writes the hidden arguments a HIP runtime would (block counts, group
/// sizes, remainders, global offsets) for a launch of grid x block; used
/// where no HIP runtime fills them (the emulation).
void fillHiddenArguments(const KernelInfo &kernel, const uint64_t grid[3],
                         const uint64_t block[3],
                         std::vector<uint8_t> &kernarg);

} // namespace attn::runtime

#endif // ATTN_RUNTIME_KERNELMETADATA_H
