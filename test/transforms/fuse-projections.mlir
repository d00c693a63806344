// RUN: attn-opt %s --attn-fuse-projections --attn-remarks -verify-diagnostics | FileCheck %s

#x = affine_map<(b, l, o, i) -> (b, l, i)>
#w = affine_map<(b, l, o, i) -> (i, o)>
#y = affine_map<(b, l, o, i) -> (b, l, o)>

// Q, K and V projections of the same activations: one generic, three
// results, each with its own output map.
// CHECK-LABEL: func.func @qkv
// CHECK: %[[F:.+]]:3 = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3 : tensor<2x16x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x32xf32>)
// CHECK-COUNT-3: arith.mulf
// CHECK: linalg.yield
// CHECK-NOT: linalg.contract
// CHECK: return %[[F]]#0, %[[F]]#1, %[[F]]#2
func.func @qkv(%x: tensor<2x16x32xf32>, %wq: tensor<32x32xf32>, %wk: tensor<32x32xf32>, %wv: tensor<32x32xf32>)
    -> (tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x16x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  // expected-remark @+1 {{[attn-fuse-projections] fused 3 projections of the same input into one linalg.generic with 3 results}}
  %q = linalg.contract indexing_maps = [#x, #w, #y] ins(%x, %wq : tensor<2x16x32xf32>, tensor<32x32xf32>) outs(%z : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %k = linalg.contract indexing_maps = [#x, #w, #y] ins(%x, %wk : tensor<2x16x32xf32>, tensor<32x32xf32>) outs(%z : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %v = linalg.contract indexing_maps = [#x, #w, #y] ins(%x, %wv : tensor<2x16x32xf32>, tensor<32x32xf32>) outs(%z : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %q, %k, %v : tensor<2x16x32xf32>, tensor<2x16x32xf32>, tensor<2x16x32xf32>
}

// As ONNX importers emit it: each linalg.matmul collapses the activations
// again and has its weight constant and zero fill right before it. The
// collapses are equivalent; the constants and fills move up.
// CHECK-LABEL: func.func @importer_matmuls
// CHECK-COUNT-2: arith.constant dense
// CHECK: %[[F:.+]]:2 = linalg.generic
// CHECK-NOT: linalg.matmul
func.func @importer_matmuls(%h: tensor<2x16x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %x1 = tensor.collapse_shape %h [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %c1 = arith.constant 0.0 : f32
  %e1 = tensor.empty() : tensor<32x32xf32>
  %f1 = linalg.fill ins(%c1 : f32) outs(%e1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %w1 = arith.constant dense<0.5> : tensor<32x32xf32>
  // expected-remark @+1 {{[attn-fuse-projections] fused 2 projections of the same input into one linalg.generic with 2 results}}
  %q = linalg.matmul ins(%x1, %w1 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%f1 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %x2 = tensor.collapse_shape %h [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %c2 = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<32x32xf32>
  %f2 = linalg.fill ins(%c2 : f32) outs(%e2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  %w2 = arith.constant dense<0.25> : tensor<32x32xf32>
  %k = linalg.matmul ins(%x2, %w2 : tensor<32x32xf32>, tensor<32x32xf32>) outs(%f2 : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %q, %k : tensor<32x32xf32>, tensor<32x32xf32>
}

// K's weight is computed (a transpose) after Q's projection: it cannot move
// before it, so K is not fused.
// CHECK-LABEL: func.func @declined_weight_computed_later
// CHECK-COUNT-2: linalg.matmul
func.func @declined_weight_computed_later(%x: tensor<32x32xf32>, %wq: tensor<32x32xf32>, %wkt: tensor<32x32xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %q = linalg.matmul ins(%x, %wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %wk = linalg.transpose ins(%wkt : tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) permutation = [1, 0]
  // expected-remark @+1 {{[attn-fuse-projections] not fused with the projection at}}
  %k = linalg.matmul ins(%x, %wk : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  return %q, %k : tensor<32x32xf32>, tensor<32x32xf32>
}

// Not fused: different inputs, or different output sizes (GQA's smaller
// K/V projections iterate over a different space).
// CHECK-LABEL: func.func @not_fused
// CHECK-COUNT-3: linalg.matmul
func.func @not_fused(%x: tensor<32x32xf32>, %y: tensor<32x32xf32>, %wq: tensor<32x32xf32>, %wk: tensor<32x16xf32>) -> (tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<32x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<32x32xf32>) -> tensor<32x32xf32>
  %e16 = tensor.empty() : tensor<32x16xf32>
  %z16 = linalg.fill ins(%zero : f32) outs(%e16 : tensor<32x16xf32>) -> tensor<32x16xf32>
  %a = linalg.matmul ins(%x, %wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %b = linalg.matmul ins(%y, %wq : tensor<32x32xf32>, tensor<32x32xf32>) outs(%z : tensor<32x32xf32>) -> tensor<32x32xf32>
  %c = linalg.matmul ins(%x, %wk : tensor<32x32xf32>, tensor<32x16xf32>) outs(%z16 : tensor<32x16xf32>) -> tensor<32x16xf32>
  return %a, %b, %c : tensor<32x32xf32>, tensor<32x32xf32>, tensor<32x16xf32>
}
