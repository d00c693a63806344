//===- HostCpu.h - what attn knows about the host's vector unit -*- C++ -*-===//
//
// The one place for the CPU code generator's knowledge of the host: vector
// register width and count (from LLVM's host feature detection, the same
// the JIT compiles for), and the register budget of a microkernel tile.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_HOSTCPU_H
#define ATTN_CODEGEN_HOSTCPU_H

#include <cstdint>

namespace mlir::attn {

struct HostVectorUnit {
  /// Width of one vector register in bits (512 AVX-512, 256 AVX2, 128
  /// otherwise).
  unsigned bits;
  /// Vector registers a microkernel tile may keep accumulators in (the
  /// rest hold the vector operand's row and a broadcast).
  int64_t accumulatorRegisters;
  /// Most vector registers one accumulator row spans.
  int64_t maxVectorsPerRow;
};

/// The vector unit of the machine attn runs on.
HostVectorUnit hostVectorUnit();

/// The vector unit of an x86 host with `bits`-wide registers (512: 32
/// registers, otherwise 16); for tests and cross-compilation.
HostVectorUnit vectorUnitOfWidth(unsigned bits);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_HOSTCPU_H
