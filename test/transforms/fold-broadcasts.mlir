// RUN: attn-opt %s --attn-fold-broadcasts --attn-remarks -verify-diagnostics | FileCheck %s

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#mask = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k2)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#kvt = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>

// MQA: one K/V head repeated over 4 query heads with linalg.broadcast. The
// heads dim becomes an M dim that K and V do not use.
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d3)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d4, d5)>
// CHECK-DAG: #[[GQ:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d4)>
// CHECK-DAG: #[[GK:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d4)>
// CHECK-DAG: #[[GV:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-DAG: #[[GO:.+]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3, d6)>
// CHECK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d4)>
// CHECK-DAG: #[[MASK:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d2, d4)>
// CHECK-LABEL: func.func @mqa_linalg_broadcast
// CHECK-NOT: linalg.broadcast
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #[[K]], #[[V]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3 : tensor<2x4x16x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>, f32)
func.func @mqa_linalg_broadcast(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  // expected-remark @+1 {{[attn-fold-broadcasts] folded the broadcast of K, V into the indexing maps (not materialized)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kb, %vb, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// A broadcasting generic that also transposes K, and a K/V broadcast that
// is transposed afterwards; a broadcast mask.
// CHECK-LABEL: func.func @generic_broadcast_transposed
// CHECK-NOT: linalg.generic
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #[[KT]], #[[V]], #{{.+}}, #[[MASK]], #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3, %arg4 : tensor<2x4x16x8xf32>, tensor<2x8x12xf32>, tensor<2x12x8xf32>, f32, tensor<16x12xf32>)
func.func @generic_broadcast_transposed(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x8x12xf32>, %v: tensor<2x12x8xf32>, %s: f32, %m: tensor<16x12xf32>) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.generic {indexing_maps = [#kvt, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%kt : tensor<2x8x12xf32>) outs(%e : tensor<2x4x12x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<2x4x12x8xf32>
  %et = tensor.empty() : tensor<2x4x8x12xf32>
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %vbt = linalg.transpose ins(%vb : tensor<2x4x12x8xf32>) outs(%et : tensor<2x4x8x12xf32>) permutation = [0, 1, 3, 2]
  %me = tensor.empty() : tensor<2x4x16x12xf32>
  %mb = linalg.broadcast ins(%m : tensor<16x12xf32>) outs(%me : tensor<2x4x16x12xf32>) dimensions = [0, 1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  // expected-remark @+1 {{[attn-fold-broadcasts] folded the broadcast of K, V, mask into the indexing maps (not materialized)}}
  %r = attn.attention {indexing_maps = [#q, #k, affine_map<(b, h, m, k1, k2, n) -> (b, h, n, k2)>, #s, #mask, #o]}
         ins(%q, %kb, %vbt, %s, %mb : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x8x12xf32>, f32, tensor<2x4x16x12xf32>)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// Only K is broadcast: V would use the heads dim that K does not, which no
// role allows.
// CHECK-LABEL: func.func @declined_k_only
// CHECK: linalg.broadcast
// CHECK: attn.attention
func.func @declined_k_only(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x4x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  // expected-remark @+1 {{[attn-fold-broadcasts] not folding the broadcast of K: the maps would have no valid roles}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kb, %v, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// The repeated K is returned too: folding would not remove it.
// CHECK-LABEL: func.func @declined_other_user
// CHECK: linalg.broadcast
// CHECK: linalg.broadcast
func.func @declined_other_user(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>, %s: f32) -> (tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>) {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  // expected-remark @+2 {{[attn-fold-broadcasts] not folding the broadcast of K: it has other users and would stay alive}}
  // expected-remark @+1 {{[attn-fold-broadcasts] not folding the broadcast of V: the maps would have no valid roles}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kb, %vb, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r, %kb : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>
}

// Not a broadcast: a transpose alone is attn-fold-transposes' to fold.
// CHECK-LABEL: func.func @no_broadcast
// CHECK: linalg.transpose
func.func @no_broadcast(%q: tensor<2x4x16x8xf32>, %kt: tensor<2x4x8x12xf32>, %v: tensor<2x4x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x8x12xf32>) outs(%e : tensor<2x4x12x8xf32>) permutation = [0, 1, 3, 2]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// GQA as repeat_kv writes it: 2 KV heads broadcast over a group of 2, the
// group merged into 4 query heads by tensor.collapse_shape. The heads loop
// is split into (KV head, group), numbered consecutively so the query row
// stays the innermost M dim -- Q and the result reshaped, which is free --
// and the broadcast folds: K and V are read unrepeated.
// CHECK-LABEL: func.func @gqa_repeat_kv
// CHECK-NOT: linalg.broadcast
// CHECK: %[[Q:.+]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 16, 8]
// CHECK: %[[R:.+]] = attn.attention {indexing_maps = [#[[GQ]], #[[GK]], #[[GV]], #{{.+}}, #[[GO]]]} ins(%[[Q]], %arg1, %arg2, %arg3 : tensor<2x2x2x16x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, f32)
// CHECK: tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x2x16x8xf32> into tensor<2x4x16x8xf32>
func.func @gqa_repeat_kv(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %e = tensor.empty() : tensor<2x2x2x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x2x12x8xf32>) outs(%e : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%v : tensor<2x2x12x8xf32>) outs(%e : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  // expected-remark @+2 {{[attn-fold-broadcasts] split the heads dim that K's and V's broadcast is merged into (tensor.collapse_shape) into its parts}}
  // expected-remark @+1 {{[attn-fold-broadcasts] folded the broadcast of K, V into the indexing maps (not materialized)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kr, %vr, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// Heads merged by a collapse without a broadcast: nothing to fold, the
// heads loop is not split.
// CHECK-LABEL: func.func @merged_heads_no_broadcast
// CHECK-NOT: tensor.expand_shape
// CHECK: attn.attention
func.func @merged_heads_no_broadcast(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x2x12x8xf32>, %v: tensor<2x2x2x12x8xf32>, %s: f32) -> tensor<2x4x16x8xf32> {
  %kr = tensor.collapse_shape %k [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %vr = tensor.collapse_shape %v [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %kr, %vr, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init : tensor<2x4x16x8xf32>) -> tensor<2x4x16x8xf32>
  return %r : tensor<2x4x16x8xf32>
}

// GQA with the log-sum-exp: the LSE init is split like the output, the
// LSE result collapsed back to the query heads.
#lse = affine_map<(b, h, m, k1, k2, n) -> (b, h, m)>
// CHECK-LABEL: func.func @gqa_repeat_kv_lse
// CHECK-NOT: linalg.broadcast
// CHECK-DAG: %[[Q:.+]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 16, 8]
// CHECK-DAG: %[[L:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3]] output_shape [2, 2, 2, 16] : tensor<2x4x16xf32> into tensor<2x2x2x16xf32>
// CHECK: %[[R:.+]], %[[RL:.+]] = attn.attention {indexing_maps = [#[[GQ]], #[[GK]], #[[GV]], #{{.+}}, #[[GO]], #{{.+}}]} ins(%[[Q]], %arg1, %arg2, %arg3 : {{.*}}) outs(%{{.+}}, %[[L]] : tensor<2x2x2x16x8xf32>, tensor<2x2x2x16xf32>)
// CHECK-DAG: %[[O:.+]] = tensor.collapse_shape %[[R]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x2x16x8xf32> into tensor<2x4x16x8xf32>
// CHECK-DAG: %[[LSE:.+]] = tensor.collapse_shape %[[RL]] {{\[}}[0], [1, 2], [3]] : tensor<2x2x2x16xf32> into tensor<2x4x16xf32>
// CHECK: return %[[O]], %[[LSE]]
func.func @gqa_repeat_kv_lse(%q: tensor<2x4x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %s: f32) -> (tensor<2x4x16x8xf32>, tensor<2x4x16xf32>) {
  %e = tensor.empty() : tensor<2x2x2x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x2x12x8xf32>) outs(%e : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %vb = linalg.broadcast ins(%v : tensor<2x2x12x8xf32>) outs(%e : tensor<2x2x2x12x8xf32>) dimensions = [2]
  %kr = tensor.collapse_shape %kb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %vr = tensor.collapse_shape %vb [[0], [1, 2], [3], [4]] : tensor<2x2x2x12x8xf32> into tensor<2x4x12x8xf32>
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  %linit = tensor.empty() : tensor<2x4x16xf32>
  // expected-remark @+2 {{[attn-fold-broadcasts] split the heads dim that K's and V's broadcast is merged into (tensor.collapse_shape) into its parts}}
  // expected-remark @+1 {{[attn-fold-broadcasts] folded the broadcast of K, V into the indexing maps (not materialized)}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #lse]}
         ins(%q, %kr, %vr, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init, %linit : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  return %r#0, %r#1 : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
}

// MQA with the log-sum-exp: the broadcast folds, the LSE is unchanged.
// CHECK-LABEL: func.func @mqa_lse
// CHECK-NOT: linalg.broadcast
// CHECK: %{{.+}}, %[[RL:.+]] = attn.attention {indexing_maps = [#{{.+}}, #[[K]], #[[V]], #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>)
// CHECK: return %[[RL]]
func.func @mqa_lse(%q: tensor<2x4x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>, %s: f32) -> tensor<2x4x16xf32> {
  %e = tensor.empty() : tensor<2x4x12x8xf32>
  %kb = linalg.broadcast ins(%k : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %vb = linalg.broadcast ins(%v : tensor<2x12x8xf32>) outs(%e : tensor<2x4x12x8xf32>) dimensions = [1]
  %init = tensor.empty() : tensor<2x4x16x8xf32>
  %linit = tensor.empty() : tensor<2x4x16xf32>
  // expected-remark @+1 {{[attn-fold-broadcasts] folded the broadcast of K, V into the indexing maps (not materialized)}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #lse]}
         ins(%q, %kb, %vb, %s : tensor<2x4x16x8xf32>, tensor<2x4x12x8xf32>, tensor<2x4x12x8xf32>, f32)
         outs(%init, %linit : tensor<2x4x16x8xf32>, tensor<2x4x16xf32>) -> tensor<2x4x16x8xf32>, tensor<2x4x16xf32>
  return %r#1 : tensor<2x4x16xf32>
}
