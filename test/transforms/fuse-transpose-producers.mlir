// RUN: attn-opt %s -split-input-file --attn-fuse-transpose-producers --attn-remarks -verify-diagnostics | FileCheck %s

#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bcast = affine_map<(d0, d1, d2) -> (d2)>
// Elementwise + broadcast generic: the output map is permuted, the init
// recreated in the permuted shape.
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[P:.+]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-LABEL: func.func @elementwise_broadcast
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x6x16xf32>
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[B]], #[[P]]]
// CHECK-SAME: outs(%[[E]] : tensor<2x6x16xf32>)
// CHECK: arith.addf
// CHECK-NOT: linalg.transpose
// CHECK: return %[[G]]
func.func @elementwise_broadcast(%x: tensor<2x16x6xf32>, %b: tensor<6xf32>) -> tensor<2x6x16xf32> {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %y = linalg.generic {indexing_maps = [#id, #bcast, #id], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x, %b : tensor<2x16x6xf32>, tensor<6xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %s = arith.addf %a, %c : f32
    linalg.yield %s : f32
  } -> tensor<2x16x6xf32>
  %et = tensor.empty() : tensor<2x6x16xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] fused transpose [0, 2, 1]: linalg.generic writes the permuted layout (output map permuted)}}
  %t = linalg.transpose ins(%y : tensor<2x16x6xf32>) outs(%et : tensor<2x6x16xf32>) permutation = [0, 2, 1]
  return %t : tensor<2x6x16xf32>
}

// -----

// Named matmul: generalized, then written transposed; the zero-filled
// accumulator is recreated in the permuted shape.
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-LABEL: func.func @matmul
// CHECK: %[[E:.+]] = tensor.empty() : tensor<32x16xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<32x16xf32>)
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<16x8xf32>, tensor<8x32xf32>) outs(%[[F]] : tensor<32x16xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.transpose
// CHECK: return %[[G]]
func.func @matmul(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>) -> tensor<32x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<16x32xf32>) -> tensor<16x32xf32>
  %c = linalg.matmul ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  %et = tensor.empty() : tensor<32x16xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] fused transpose [1, 0]: linalg.matmul (generalized) writes the permuted layout (output map permuted); recreated the linalg.fill in the permuted shape}}
  %t = linalg.transpose ins(%c : tensor<16x32xf32>) outs(%et : tensor<32x16xf32>) permutation = [1, 0]
  return %t : tensor<32x16xf32>
}

// -----

// A contraction accumulating into a function argument: the accumulator
// cannot be fused, so it gets its own transpose (correct, and no worse).
// CHECK-LABEL: func.func @matmul_accumulate_into_argument
// CHECK: %[[E:.+]] = tensor.empty() : tensor<32x16xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%arg2 : tensor<16x32xf32>) outs(%[[E]] : tensor<32x16xf32>) permutation = [1, 0]
// CHECK: %[[G:.+]] = linalg.generic
// CHECK-SAME: outs(%[[T]] : tensor<32x16xf32>)
// CHECK: return %[[G]]
func.func @matmul_accumulate_into_argument(%a: tensor<16x8xf32>, %b: tensor<8x32xf32>, %acc: tensor<16x32xf32>) -> tensor<32x16xf32> {
  %c = linalg.matmul ins(%a, %b : tensor<16x8xf32>, tensor<8x32xf32>) outs(%acc : tensor<16x32xf32>) -> tensor<16x32xf32>
  %et = tensor.empty() : tensor<32x16xf32>
  // expected-remark @+1 {{fused transpose [1, 0]: linalg.matmul (generalized) writes the permuted layout}}
  %t = linalg.transpose ins(%c : tensor<16x32xf32>) outs(%et : tensor<32x16xf32>) permutation = [1, 0]
  return %t : tensor<32x16xf32>
}

// -----

// Transpose of transpose: composed into one.
// CHECK-LABEL: func.func @transpose_of_transpose
// CHECK: %[[T:.+]] = linalg.transpose ins(%arg0 : tensor<2x3x4xf32>) outs(%{{.+}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[T]]
func.func @transpose_of_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %e1 = tensor.empty() : tensor<3x2x4xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: the transposed value is a block argument}}
  %t1 = linalg.transpose ins(%x : tensor<2x3x4xf32>) outs(%e1 : tensor<3x2x4xf32>) permutation = [1, 0, 2]
  %e2 = tensor.empty() : tensor<4x2x3xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] fused transpose [2, 1, 0]: composed with the producing transpose into [2, 0, 1]}}
  %t2 = linalg.transpose ins(%t1 : tensor<3x2x4xf32>) outs(%e2 : tensor<4x2x3xf32>) permutation = [2, 1, 0]
  return %t2 : tensor<4x2x3xf32>
}

// -----

// Fill and constants.
// CHECK-LABEL: func.func @fill_and_constants
// CHECK-DAG: %[[SPLAT:.+]] = arith.constant dense<1.000000e+00> : tensor<3x2xf32>
// CHECK-DAG: %[[CST:.+]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[E:.+]] = tensor.empty() : tensor<3x2xf32>
// CHECK-DAG: %[[F:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[E]] : tensor<3x2xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[F]], %[[SPLAT]], %[[CST]]
func.func @fill_and_constants(%v: f32) -> (tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %f = linalg.fill ins(%v : f32) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %e1 = tensor.empty() : tensor<3x2xf32>
  // expected-remark @+1 {{fused transpose [1, 0]: recreated the linalg.fill in the permuted shape}}
  %t1 = linalg.transpose ins(%f : tensor<2x3xf32>) outs(%e1 : tensor<3x2xf32>) permutation = [1, 0]
  %splat = arith.constant dense<1.0> : tensor<2x3xf32>
  // expected-remark @+1 {{fused transpose [1, 0]: folded the transpose into the constant}}
  %t2 = linalg.transpose ins(%splat : tensor<2x3xf32>) outs(%e1 : tensor<3x2xf32>) permutation = [1, 0]
  %cst = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  // expected-remark @+1 {{fused transpose [1, 0]: folded the transpose into the constant}}
  %t3 = linalg.transpose ins(%cst : tensor<2x3xf32>) outs(%e1 : tensor<3x2xf32>) permutation = [1, 0]
  return %t1, %t2, %t3 : tensor<3x2xf32>, tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// Across tensor.collapse_shape: the transpose moves up (group-wise) and
// fuses into the elementwise producer.
// CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[P4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-LABEL: func.func @across_collapse_shape
// CHECK: %[[G:.+]] = linalg.generic {indexing_maps = [#[[ID4]], #[[P4]]]
// CHECK: } -> tensor<2x5x3x4xf32>
// CHECK: %[[C:.+]] = tensor.collapse_shape %[[G]] {{\[}}[0], [1], [2, 3]] : tensor<2x5x3x4xf32> into tensor<2x5x12xf32>
// CHECK-NOT: linalg.transpose
// CHECK: return %[[C]]
func.func @across_collapse_shape(%x: tensor<2x3x4x5xf32>) -> tensor<2x5x12xf32> {
  %e = tensor.empty() : tensor<2x3x4x5xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x3x4x5xf32>) outs(%e : tensor<2x3x4x5xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x3x4x5xf32>
  %c = tensor.collapse_shape %y [[0], [1, 2], [3]] : tensor<2x3x4x5xf32> into tensor<2x12x5xf32>
  %et = tensor.empty() : tensor<2x5x12xf32>
  // expected-remark @+1 {{fused transpose [0, 2, 1]: moved across the tensor.collapse_shape; linalg.generic writes the permuted layout (output map permuted)}}
  %t = linalg.transpose ins(%c : tensor<2x12x5xf32>) outs(%et : tensor<2x5x12xf32>) permutation = [0, 2, 1]
  return %t : tensor<2x5x12xf32>
}

// -----

// Across tensor.expand_shape into a block argument: moving the transpose
// would not fuse further, so it stays where fold can still absorb it.
// CHECK-LABEL: func.func @expand_shape_without_fusable_producer
// CHECK: %[[X:.+]] = tensor.expand_shape %arg0
// CHECK: linalg.transpose ins(%[[X]]
func.func @expand_shape_without_fusable_producer(%x: tensor<6x8xf32>) -> tensor<8x2x3xf32> {
  %y = tensor.expand_shape %x [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
  %et = tensor.empty() : tensor<8x2x3xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: moving it across the tensor.expand_shape would not fuse further: the transposed value is a block argument}}
  %t = linalg.transpose ins(%y : tensor<2x3x8xf32>) outs(%et : tensor<8x2x3xf32>) permutation = [2, 0, 1]
  return %t : tensor<8x2x3xf32>
}

// -----

// The permutation splits an expand_shape group: declined.
// CHECK-LABEL: func.func @expand_shape_split_group
// CHECK: linalg.transpose
func.func @expand_shape_split_group(%x: tensor<6x8xf32>) -> tensor<3x2x8xf32> {
  %n = arith.negf %x : tensor<6x8xf32>
  %y = tensor.expand_shape %n [[0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
  %et = tensor.empty() : tensor<3x2x8xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: the permutation splits a reassociation group of the tensor.expand_shape}}
  %t = linalg.transpose ins(%y : tensor<2x3x8xf32>) outs(%et : tensor<3x2x8xf32>) permutation = [1, 0, 2]
  return %t : tensor<3x2x8xf32>
}

// -----

#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// Producer with another user: fusing would compute it twice. Declined.
// CHECK-LABEL: func.func @producer_with_other_user
// CHECK: %[[G:.+]] = linalg.generic
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[G]]
// CHECK: return %[[T]], %[[G]]
func.func @producer_with_other_user(%x: tensor<2x16x6xf32>) -> (tensor<2x6x16xf32>, tensor<2x16x6xf32>) {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %y = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x16x6xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x6xf32>
  %et = tensor.empty() : tensor<2x6x16xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: the producer 'linalg.generic' has other users; fusing would compute it twice}}
  %t = linalg.transpose ins(%y : tensor<2x16x6xf32>) outs(%et : tensor<2x6x16xf32>) permutation = [0, 2, 1]
  return %t, %y : tensor<2x6x16xf32>, tensor<2x16x6xf32>
}

// -----

// A producer kind the pass does not know (a non-linalg op): declined.
// CHECK-LABEL: func.func @unknown_producer
// CHECK: %[[N:.+]] = arith.negf
// CHECK: linalg.transpose ins(%[[N]]
func.func @unknown_producer(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %n = arith.negf %x : tensor<2x3xf32>
  %et = tensor.empty() : tensor<3x2xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: the producer 'arith.negf' is not a kind this pass fuses into}}
  %t = linalg.transpose ins(%n : tensor<2x3xf32>) outs(%et : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A multi-result generic (fused Q/K/V projections): the transposed result
// gets its own permuted output map and init; the other results are the
// same values as before.
#x = affine_map<(m, n, k) -> (m, k)>
#w = affine_map<(m, n, k) -> (k, n)>
#y = affine_map<(m, n, k) -> (m, n)>
// CHECK-DAG: #[[YT:.+]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-LABEL: func.func @multi_result_generic
// CHECK: %[[F:.+]]:2 = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[YT]]]
// CHECK: -> (tensor<4x8xf32>, tensor<8x4xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[F]]#0, %[[F]]#1
func.func @multi_result_generic(%x: tensor<4x6xf32>, %wa: tensor<6x8xf32>, %wb: tensor<6x8xf32>) -> (tensor<4x8xf32>, tensor<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %r:2 = linalg.generic {indexing_maps = [#x, #w, #w, #y, #y], iterator_types = ["parallel", "parallel", "reduction"]}
         ins(%x, %wa, %wb : tensor<4x6xf32>, tensor<6x8xf32>, tensor<6x8xf32>) outs(%z, %z : tensor<4x8xf32>, tensor<4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o1: f32, %o2: f32):
    %m1 = arith.mulf %a, %b : f32
    %s1 = arith.addf %o1, %m1 : f32
    %m2 = arith.mulf %a, %c : f32
    %s2 = arith.addf %o2, %m2 : f32
    linalg.yield %s1, %s2 : f32, f32
  } -> (tensor<4x8xf32>, tensor<4x8xf32>)
  %et = tensor.empty() : tensor<8x4xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] fused transpose [1, 0]: linalg.generic result #1 writes the permuted layout (output map permuted); recreated the linalg.fill in the permuted shape}}
  %t = linalg.transpose ins(%r#1 : tensor<4x8xf32>) outs(%et : tensor<8x4xf32>) permutation = [1, 0]
  return %r#0, %t : tensor<4x8xf32>, tensor<8x4xf32>
}
