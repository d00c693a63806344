// RUN: attn-opt %s --split-input-file --attn-cpu-flatten-transfers | FileCheck %s

// A tile of 16 bf16 pairs (attn-cpu-microkernel's bf16-dot operands) in a
// contiguous row: one 32-element load of the collapsed row, not 16 loads
// of 2 elements after VectorToSCF.
// CHECK-LABEL: func.func @pairs_read
// CHECK: %[[ROW:.+]] = memref.collapse_shape %arg0 {{\[\[}}0], [1, 2]] : memref<1x64x2xbf16, strided<[4096, 2, 1], offset: ?>> into memref<1x128xbf16, strided<[4096, 1], offset: ?>>
// CHECK: %[[V:.+]] = vector.transfer_read %[[ROW]][%c0, %c32], %{{.+}} {in_bounds = [true]} : memref<1x128xbf16, strided<[4096, 1], offset: ?>>, vector<32xbf16>
// CHECK: vector.shape_cast %[[V]] : vector<32xbf16> to vector<16x2xbf16>
func.func @pairs_read(%m: memref<1x64x2xbf16, strided<[4096, 2, 1], offset: ?>>) -> vector<16x2xbf16> {
  %c0 = arith.constant 0 : index
  %c16 = arith.constant 16 : index
  %pad = arith.constant 0.0 : bf16
  %v = vector.transfer_read %m[%c0, %c16, %c0], %pad {in_bounds = [true, true]} : memref<1x64x2xbf16, strided<[4096, 2, 1], offset: ?>>, vector<16x2xbf16>
  return %v : vector<16x2xbf16>
}

// -----

// The write of a pair copy, likewise one 1-D store.
// CHECK-LABEL: func.func @pairs_write
// CHECK: memref.collapse_shape %arg1 {{\[\[}}0, 1]]
// CHECK: vector.transfer_write %{{.+}} : vector<32xbf16>, memref<32xbf16
func.func @pairs_write(%v: vector<16x2xbf16>, %m: memref<16x2xbf16, strided<[2, 1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  vector.transfer_write %v, %m[%c0, %c0] {in_bounds = [true, true]} : vector<16x2xbf16>, memref<16x2xbf16, strided<[2, 1], offset: ?>>
  return
}

// -----

// Rows of a register or more (the f32 microkernel's accumulator tiles) are
// left alone, contiguous or not.
// CHECK-LABEL: func.func @wide_rows
// CHECK-NOT: memref.collapse_shape
// CHECK: vector.transfer_read %arg0[%c0, %c0], %{{.+}} : memref<4x16xf32>, vector<4x16xf32>
func.func @wide_rows(%m: memref<4x16xf32>) -> vector<4x16xf32> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %m[%c0, %c0], %pad {in_bounds = [true, true]} : memref<4x16xf32>, vector<4x16xf32>
  return %v : vector<4x16xf32>
}

// -----

// Pairs from rows that are not contiguous (a K block's pairs, one per key
// row) stay per-row transfers.
// CHECK-LABEL: func.func @strided_pairs
// CHECK-NOT: memref.collapse_shape
// CHECK: vector.transfer_read %arg0[%c0, %c0, %c0], %{{.+}} : memref<4x1x2xbf16, strided<[64, 2, 1]>>, vector<4x1x2xbf16>
func.func @strided_pairs(%m: memref<4x1x2xbf16, strided<[64, 2, 1]>>) -> vector<4x1x2xbf16> {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : bf16
  %v = vector.transfer_read %m[%c0, %c0, %c0], %pad {in_bounds = [true, true, true]} : memref<4x1x2xbf16, strided<[64, 2, 1]>>, vector<4x1x2xbf16>
  return %v : vector<4x1x2xbf16>
}
