//===- HostCpu.h - what attn knows about the host's vector unit -*- C++ -*-===//
//
// The one place for the CPU code generator's knowledge of the host: vector
// register width and count (from LLVM's host feature detection, the same
// the JIT compiles for), the register budget of a microkernel tile, the
// cache line, and the CPU pipeline's default tile sizes.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_HOSTCPU_H
#define ATTN_CODEGEN_HOSTCPU_H

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace mlir::attn {

/// The CPU pipeline's tile sizes when none are given (every tool, option
/// and binding takes its default from here): rows of Q per parallel tile
/// (0: automatic, see attn-tile-attention) and keys per K2 loop iteration.
inline constexpr int64_t kDefaultMTile = 0;
inline constexpr int64_t kDefaultK2Tile = 64;
/// The automatic rows per tile: kLargeMTile or kSmallMTile, whichever
/// needs fewer padding rows to whole tiles (attn-pad-query-rows), 64 on a
/// tie. 64 rows read each K and V block (and convert f16/bf16 ones) half as
/// often as 32 and keep a 64-key score tile in L1 (16 KiB): 3-8% faster on
/// the bench cases (docs/benchmarks.md).
inline constexpr int64_t kLargeMTile = 64, kSmallMTile = 32;
/// Also a candidate where each V block is a strided copy converted to f32
/// (transposed f16 V: 64 rows K2 elements apart per block): 128 rows
/// convert each block half as often as 64. SDXL f16 with transposed V, 2
/// threads: 550-588 -> 536-543 ms, level with standard V at 64 rows
/// (which 128 rows do not speed up; docs/benchmarks.md).
inline constexpr int64_t kStridedValuesMTile = 128;

/// Rows per tile of an innermost M dim of `rows` (dynamic allowed):
/// `requested`, or when it is 0 the automatic choice above (kSmallMTile for
/// a dynamic dim), with kStridedValuesMTile a candidate too when
/// `stridedValueCopies` (convertsStridedValueBlocks).
int64_t chooseRowTile(int64_t rows, int64_t requested,
                      bool stridedValueCopies = false);

/// Whether the CPU microkernel converts each block of `value` (indexed by
/// `valueMap`) to f32 from a strided source: f16 V whose contiguous dim is
/// one of the key loops `keyDims` (transposed V).
bool convertsStridedValueBlocks(Value value, AffineMap valueMap,
                                llvm::ArrayRef<unsigned> keyDims);

/// Bytes per data cache line (x86-64 and most AArch64 cores); software
/// prefetches are issued one per line.
inline constexpr int64_t kCacheLineBytes = 64;

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

/// Whether the host has AVX-512 BF16 (`vdpbf16ps`: per f32 lane, the dot
/// product of a pair of bf16 with a pair of bf16, accumulated): the CPU
/// pipeline then computes the products of bf16 attention on bf16 pairs
/// (attn-decompose-online-attention's `bf16-dot`).
bool hostHasBF16DotProduct();

} // namespace mlir::attn

#endif // ATTN_CODEGEN_HOSTCPU_H
