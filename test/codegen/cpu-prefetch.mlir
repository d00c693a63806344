// RUN: attn-opt %s --attn-cpu-prefetch --split-input-file | FileCheck %s

// A transposed V block (64 rows of 64 keys, rows 1024 keys apart) read per
// iteration of the key loop: each iteration first prefetches the next
// iteration's block, one prefetch per 64-byte line (16 f32) of each row,
// unless it is the last iteration.
// CHECK-LABEL: func.func @strided_block
// CHECK: scf.for %[[IV:.*]] = %{{.*}} to %[[UB:.*]] step %[[STEP:[^ ]*]]
// CHECK-NEXT: %[[NEXT:.*]] = arith.addi %[[IV]], %[[STEP]]
// CHECK-NEXT: %[[EXISTS:.*]] = arith.cmpi slt, %[[NEXT]], %[[UB]]
// CHECK-NEXT: scf.if %[[EXISTS]]
// CHECK-NEXT: %[[VIEW:.*]] = memref.subview %{{.*}}[0, %[[NEXT]]] [64, 64] [1, 1]
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %c64
// CHECK-NEXT: memref.prefetch %[[VIEW]][%[[ROW]], %c0{{.*}}], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[VIEW]][%[[ROW]], %c16], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[VIEW]][%[[ROW]], %c32], read, locality<3>, data
// CHECK-NEXT: memref.prefetch %[[VIEW]][%[[ROW]], %c48], read, locality<3>, data
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: memref.subview %{{.*}}[0, %[[IV]]] [64, 64] [1, 1]
// The block's own views in the inner loop are covered by the outer
// prefetch.
// CHECK-NOT: memref.prefetch
func.func @strided_block(%vt: memref<64x1024xf32>, %out: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c1024 step %c64 {
    %blk = memref.subview %vt[0, %k] [64, 64] [1, 1] : memref<64x1024xf32> to memref<64x64xf32, strided<[1024, 1], offset: ?>>
    scf.for %r = %c0 to %c64 step %c1 {
      %row = memref.subview %blk[%r, 0] [1, 64] [1, 1] : memref<64x64xf32, strided<[1024, 1], offset: ?>> to memref<1x64xf32, strided<[1024, 1], offset: ?>>
      %x = vector.transfer_read %row[%c0, %c0], %f0 {in_bounds = [true]} : memref<1x64xf32, strided<[1024, 1], offset: ?>>, vector<64xf32>
      vector.transfer_write %x, %out[%r, %c0] {in_bounds = [true]} : vector<64xf32>, memref<64x64xf32>
    }
  }
  return
}

// -----

// A standard V block (64 whole rows) is contiguous: one stream the hardware
// prefetchers follow.
// CHECK-LABEL: func.func @contiguous_block
// CHECK-NOT: memref.prefetch
func.func @contiguous_block(%v: memref<1024x64xf16>, %out: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  scf.for %k = %c0 to %c1024 step %c64 {
    %blk = memref.subview %v[%k, 0] [64, 64] [1, 1] : memref<1024x64xf16> to memref<64x64xf16, strided<[64, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
        ins(%blk : memref<64x64xf16, strided<[64, 1], offset: ?>>) outs(%out : memref<64x64xf32>) {
    ^bb0(%a: f16, %b: f32):
      %e = arith.extf %a : f16 to f32
      linalg.yield %e : f32
    }
  }
  return
}

// -----

// A buffer the function allocated is not streamed from memory.
// CHECK-LABEL: func.func @local_buffer
// CHECK-NOT: memref.prefetch
func.func @local_buffer(%out: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %buf = memref.alloc() : memref<64x1024xf32>
  scf.for %k = %c0 to %c1024 step %c64 {
    %blk = memref.subview %buf[0, %k] [64, 64] [1, 1] : memref<64x1024xf32> to memref<64x64xf32, strided<[1024, 1], offset: ?>>
    memref.copy %blk, %out : memref<64x64xf32, strided<[1024, 1], offset: ?>> to memref<64x64xf32>
  }
  memref.dealloc %buf : memref<64x1024xf32>
  return
}

// -----

// A block the loop writes is not prefetched for reading.
// CHECK-LABEL: func.func @written_block
// CHECK-NOT: memref.prefetch
func.func @written_block(%vt: memref<64x1024xf32>, %in: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  scf.for %k = %c0 to %c1024 step %c64 {
    %blk = memref.subview %vt[0, %k] [64, 64] [1, 1] : memref<64x1024xf32> to memref<64x64xf32, strided<[1024, 1], offset: ?>>
    memref.copy %in, %blk : memref<64x64xf32> to memref<64x64xf32, strided<[1024, 1], offset: ?>>
  }
  return
}

// -----

// Rows narrower than a cache line (a column read element by element: the
// microkernel's broadcast operand) are not blocks worth prefetching.
// CHECK-LABEL: func.func @narrow_rows
// CHECK-NOT: memref.prefetch
func.func @narrow_rows(%vt: memref<64x1024xf32>, %out: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c1024 = arith.constant 1024 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c1024 step %c4 {
    %blk = memref.subview %vt[0, %k] [8, 4] [1, 1] : memref<64x1024xf32> to memref<8x4xf32, strided<[1024, 1], offset: ?>>
    memref.copy %blk, %out : memref<8x4xf32, strided<[1024, 1], offset: ?>> to memref<8x4xf32>
  }
  return
}

// -----

// An offset computed inside the loop (not the induction variable) has no
// known next value.
// CHECK-LABEL: func.func @offset_not_iv
// CHECK-NOT: memref.prefetch
func.func @offset_not_iv(%vt: memref<64x1024xf32>, %out: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c64 = arith.constant 64 : index
  %c960 = arith.constant 960 : index
  scf.for %k = %c0 to %c960 step %c64 {
    %j = arith.subi %c960, %k : index
    %blk = memref.subview %vt[0, %j] [64, 64] [1, 1] : memref<64x1024xf32> to memref<64x64xf32, strided<[1024, 1], offset: ?>>
    memref.copy %blk, %out : memref<64x64xf32, strided<[1024, 1], offset: ?>> to memref<64x64xf32>
  }
  return
}
