// attn-graph-opt on attention written in linalg: raised first, then the
// layout passes apply as to a hand-written attention. Numerics:
// test/e2e/raise-attention-numerics.mlir runs these functions with --check.
// RUN: attn-opt %s --attn-graph-opt | FileCheck %s

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
#cq = affine_map<(b, h, m, j, k) -> (b, h, m, k)>
#ck = affine_map<(b, h, m, j, k) -> (b, h, j, k)>
#cs = affine_map<(b, h, m, j, k) -> (b, h, m, j)>
#cp = affine_map<(b, h, m, n, j) -> (b, h, m, j)>
#cv = affine_map<(b, h, m, n, j) -> (b, h, j, n)>
#co = affine_map<(b, h, m, n, j) -> (b, h, m, n)>

// Multi-query attention: one K/V head repeated over 4 query heads with
// linalg.broadcast before the products. After raising, the broadcasts fold
// into the K and V maps (attn-fold-broadcasts): the repeated K and V are
// never materialized.
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d5)>
// CHECK-LABEL: func.func @mqa_broadcast_kv
// CHECK-NOT: linalg.
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #[[K]], #[[V]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<2x4x16x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>, f32)
// CHECK-NOT: linalg.
func.func @mqa_broadcast_kv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>) -> tensor<2x4x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %be = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>) outs(%be : tensor<2x4x12x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>) outs(%be : tensor<2x4x12x8xf32>) dimensions = [1]
  %se = tensor.empty() : tensor<2x4x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %s = linalg.contract indexing_maps = [#cq, #ck, #cs]
      ins(%q, %kb : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>) outs(%sz : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %p = linalg.softmax dimension(3) ins(%s : tensor<2x4x16x12xf32>) outs(%se : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %oe = tensor.empty() : tensor<2x4x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  %o = linalg.contract indexing_maps = [#cp, #cv, #co]
      ins(%p, %vb : tensor<2x4x16x12xf32>, tensor<2x4x12x8xf32>) outs(%oz : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}

// Grouped-query attention as Llama's repeat_kv writes it: 2 KV heads
// broadcast over groups of 2 and merged into 4 query heads with
// tensor.collapse_shape before the products. Raised, the heads loop split
// into (KV head, group), the broadcasts folded: K and V are read
// unrepeated, Q and the result are reshaped only.
// CHECK-LABEL: func.func @gqa_repeat_kv
// CHECK-NOT: linalg.
// CHECK: tensor.expand_shape %arg0
// CHECK-NOT: linalg.
// CHECK: attn.attention
// CHECK-SAME: ins(%{{.+}}, %arg1, %arg2, %{{.+}} : tensor<2x2x2x16x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, f32)
// CHECK-NOT: linalg.
// CHECK: tensor.collapse_shape
func.func @gqa_repeat_kv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>) -> tensor<2x4x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant 0.353553385 : f32
  %be = tensor.empty() : tensor<2x2x2x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x2x12x8xf32>) outs(%be : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%v : tensor<2x2x12x8xf32>) outs(%be : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %se = tensor.empty() : tensor<2x4x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %s = linalg.contract indexing_maps = [#cq, #ck, #cs]
      ins(%q, %kr : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>) outs(%sz : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x4x16x12xf32>) outs(%se : tensor<2x4x16x12xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.mulf %a, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x4x16x12xf32>
  %p = linalg.softmax dimension(3) ins(%ss : tensor<2x4x16x12xf32>) outs(%se : tensor<2x4x16x12xf32>) -> tensor<2x4x16x12xf32>
  %oe = tensor.empty() : tensor<2x4x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  %o = linalg.contract indexing_maps = [#cp, #cv, #co]
      ins(%p, %vr : tensor<2x4x16x12xf32>, tensor<2x4x12x8xf32>) outs(%oz : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %o : tensor<2x4x16x8xf32>
}
