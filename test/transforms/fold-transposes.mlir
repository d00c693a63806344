// RUN: attn-opt %s -split-input-file --attn-fold-transposes --attn-remarks -verify-diagnostics | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// CHECK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// CHECK-LABEL: func.func @fold_transposed_k
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #[[KT]], #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3 : tensor<2x8x4xf32>, tensor<2x4x16xf32>, tensor<2x16x6xf32>, f32)
func.func @fold_transposed_k(%q: tensor<2x8x4xf32>, %kt: tensor<2x4x16xf32>, %v: tensor<2x16x6xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %e = tensor.empty() : tensor<2x16x4xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x16xf32>) outs(%e : tensor<2x16x4xf32>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [0, 2, 1] of K into its indexing map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// A permutation-only linalg.generic on V folds like a linalg.transpose.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#in = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @fold_permutation_generic_v
// CHECK-NOT: linalg.generic
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3 :
func.func @fold_permutation_generic_v(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %vt: tensor<2x6x16xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%vt : tensor<2x6x16xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [0, 2, 1] of V into its indexing map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// A generic that computes something is not a permutation: left alone.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#in = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#out = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @no_fold_computing_generic
// CHECK: %[[V:.+]] = linalg.generic
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %[[V]], %arg3 :
func.func @no_fold_computing_generic(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %vt: tensor<2x6x16xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%vt : tensor<2x6x16xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// The transpose has another user: folding would not remove it. Declined.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[KMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @decline_transpose_with_other_user
// CHECK: %[[K:.+]] = linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #[[KMAP]], #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %[[K]], %arg2, %arg3 :
// CHECK: return %{{.+}}, %[[K]]
func.func @decline_transpose_with_other_user(%q: tensor<2x8x4xf32>, %kt: tensor<2x4x16xf32>, %v: tensor<2x16x6xf32>, %s: f32) -> (tensor<2x8x6xf32>, tensor<2x16x4xf32>) {
  %e = tensor.empty() : tensor<2x16x4xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x16xf32>) outs(%e : tensor<2x16x4xf32>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-fold-transposes] not folding the transpose of K: it has other users and would stay alive}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r, %k : tensor<2x8x6xf32>, tensor<2x16x4xf32>
}

// -----

// One transpose feeding both Q and K (self-attention on a transposed input)
// folds into both maps.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// CHECK-DAG: #[[QT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d0)>
// CHECK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-LABEL: func.func @fold_shared_q_k
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#[[QT]], #[[KT]], #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg0, %arg1, %arg2 :
func.func @fold_shared_q_k(%xt: tensor<4x16xf32>, %v: tensor<16x6xf32>, %s: f32) -> tensor<16x6xf32> {
  %e = tensor.empty() : tensor<16x4xf32>
  %x = linalg.transpose ins(%xt : tensor<4x16xf32>) outs(%e : tensor<16x4xf32>) permutation = [1, 0]
  %init = tensor.empty() : tensor<16x6xf32>
  // expected-remark @+2 {{[attn-fold-transposes] folded transpose [1, 0] of Q into its indexing map}}
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [1, 0] of K into its indexing map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%x, %x, %v, %s : tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x6xf32>, f32)
         outs(%init : tensor<16x6xf32>) -> tensor<16x6xf32>
  return %r : tensor<16x6xf32>
}

// -----

// Mask produced by a transpose; and the output consumed by a transpose.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[MT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1)>
// CHECK-DAG: #[[OT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d0, d4)>
// CHECK-LABEL: func.func @fold_mask_and_output
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8x2x6xf32>
// CHECK: %[[R:.+]] = attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[MT]], #[[OT]]]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3, %arg4 : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32, tensor<2x16x8xi1>)
// CHECK-SAME: outs(%[[E]] : tensor<8x2x6xf32>) -> tensor<8x2x6xf32>
// CHECK: return %[[R]]
func.func @fold_mask_and_output(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32,
                                %mt: tensor<2x16x8xi1>) -> tensor<8x2x6xf32> {
  %em = tensor.empty() : tensor<2x8x16xi1>
  %m = linalg.transpose ins(%mt : tensor<2x16x8xi1>) outs(%em : tensor<2x8x16xi1>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+2 {{[attn-fold-transposes] folded transpose [0, 2, 1] of mask into its indexing map}}
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [1, 0, 2] of the result into the output map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32, tensor<2x8x16xi1>)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  %eo = tensor.empty() : tensor<8x2x6xf32>
  %ot = linalg.transpose ins(%r : tensor<2x8x6xf32>) outs(%eo : tensor<8x2x6xf32>) permutation = [1, 0, 2]
  return %ot : tensor<8x2x6xf32>
}

// -----

// The result has a second user: the output transpose is not folded.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @no_fold_output_with_two_users
// CHECK: %[[R:.+]] = attn.attention
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[R]]
// CHECK: return %[[T]], %[[R]]
func.func @no_fold_output_with_two_users(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32)
    -> (tensor<8x2x6xf32>, tensor<2x8x6xf32>) {
  %init = tensor.empty() : tensor<2x8x6xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  %eo = tensor.empty() : tensor<8x2x6xf32>
  %ot = linalg.transpose ins(%r : tensor<2x8x6xf32>) outs(%eo : tensor<8x2x6xf32>) permutation = [1, 0, 2]
  return %ot, %r : tensor<8x2x6xf32>, tensor<2x8x6xf32>
}

// -----

// With the log-sum-exp: the transposes of the mask and of the output fold,
// the LSE keeps its init and map (the output's map changes alone).
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
// CHECK-DAG: #[[MT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1)>
// CHECK-DAG: #[[OT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d0, d4)>
// CHECK-DAG: #[[L:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-LABEL: func.func @fold_with_lse
// CHECK-NOT: linalg.transpose
// CHECK: %[[E:.+]] = tensor.empty() : tensor<8x2x6xf32>
// CHECK: %[[R:.+]], %[[RL:.+]] = attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[MT]], #[[OT]], #[[L]]]}
// CHECK-SAME: outs(%[[E]], %arg5 : tensor<8x2x6xf32>, tensor<2x8xf32>) -> tensor<8x2x6xf32>, tensor<2x8xf32>
// CHECK: return %[[R]], %[[RL]]
func.func @fold_with_lse(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32,
                         %mt: tensor<2x16x8xi1>, %linit: tensor<2x8xf32>) -> (tensor<8x2x6xf32>, tensor<2x8xf32>) {
  %em = tensor.empty() : tensor<2x8x16xi1>
  %m = linalg.transpose ins(%mt : tensor<2x16x8xi1>) outs(%em : tensor<2x8x16xi1>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+2 {{[attn-fold-transposes] folded transpose [0, 2, 1] of mask into its indexing map}}
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [1, 0, 2] of the result into the output map}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #l]}
         ins(%q, %k, %v, %s, %m : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32, tensor<2x8x16xi1>)
         outs(%init, %linit : tensor<2x8x6xf32>, tensor<2x8xf32>) -> tensor<2x8x6xf32>, tensor<2x8xf32>
  %eo = tensor.empty() : tensor<8x2x6xf32>
  %ot = linalg.transpose ins(%r#0 : tensor<2x8x6xf32>) outs(%eo : tensor<8x2x6xf32>) permutation = [1, 0, 2]
  return %ot, %r#1 : tensor<8x2x6xf32>, tensor<2x8xf32>
}

// -----

// A transpose of the LSE is not an output transpose: it is not folded
// (into any map), and nothing else is to fold.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
// CHECK-LABEL: func.func @no_fold_lse_transpose
// CHECK: %{{.+}}, %[[RL:.+]] = attn.attention
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<2x8x6xf32>, tensor<2x8xf32>)
// CHECK: linalg.transpose ins(%[[RL]] : tensor<2x8xf32>)
func.func @no_fold_lse_transpose(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32,
                                 %linit: tensor<2x8xf32>) -> (tensor<2x8x6xf32>, tensor<8x2xf32>) {
  %init = tensor.empty() : tensor<2x8x6xf32>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init, %linit : tensor<2x8x6xf32>, tensor<2x8xf32>) -> tensor<2x8x6xf32>, tensor<2x8xf32>
  %el = tensor.empty() : tensor<8x2xf32>
  %lt = linalg.transpose ins(%r#1 : tensor<2x8xf32>) outs(%el : tensor<8x2xf32>) permutation = [1, 0]
  return %r#0, %lt : tensor<2x8x6xf32>, tensor<8x2xf32>
}
