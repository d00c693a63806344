// RUN: attn-opt %s --attn-cpu-strided-copies | FileCheck %s

// The real rows of a padded result copied out: a strided source.
// CHECK-LABEL: func.func @strided_source
// CHECK: linalg.copy ins(%{{.*}} : memref<2x1000x8xf32, strided<[8192, 8, 1]>>) outs(%arg1 : memref<2x1000x8xf32>)
// CHECK-NOT: memref.copy
func.func @strided_source(%padded: memref<2x1024x8xf32>, %out: memref<2x1000x8xf32>) {
  %rows = memref.subview %padded[0, 0, 0] [2, 1000, 8] [1, 1, 1] : memref<2x1024x8xf32> to memref<2x1000x8xf32, strided<[8192, 8, 1]>>
  memref.copy %rows, %out : memref<2x1000x8xf32, strided<[8192, 8, 1]>> to memref<2x1000x8xf32>
  return
}

// Query rows copied into a padded buffer: a strided target.
// CHECK-LABEL: func.func @strided_target
// CHECK: linalg.copy
// CHECK-NOT: memref.copy
func.func @strided_target(%q: memref<2x1000x8xf32>, %padded: memref<2x1024x8xf32>) {
  %rows = memref.subview %padded[0, 24, 0] [2, 1000, 8] [1, 1, 1] : memref<2x1024x8xf32> to memref<2x1000x8xf32, strided<[8192, 8, 1], offset: 192>>
  memref.copy %q, %rows : memref<2x1000x8xf32> to memref<2x1000x8xf32, strided<[8192, 8, 1], offset: 192>>
  return
}

// Contiguous copies (llvm.memcpy) and copies onto themselves are left alone.
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: linalg.copy
// CHECK: memref.copy %arg0, %arg1
// CHECK: memref.copy %[[ROW:.*]], %[[ROW]]
// CHECK-NOT: linalg.copy
func.func @left_alone(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<4x16xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  %row = memref.subview %c[0, 0] [4, 8] [1, 1] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 1]>>
  memref.copy %row, %row : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32, strided<[16, 1]>>
  return
}
