// RUN: attn-opt %s -split-input-file --attn-convert-to-online-attention | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-DAG: #[[ACCT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1)>
// Transposed V and enough query rows for RowsInner tiles: acc is [B, N, M]
// (M innermost, P's contiguous dim), the normalization transposes it once.
// CHECK-LABEL: func.func @f16_transposed_v
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x8x64xf32>)
// CHECK: %[[NEGINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: %[[MAX:.+]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.+}} : tensor<2x64xf32>)
// CHECK: %[[ZERO2:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[SUM:.+]] = linalg.fill ins(%[[ZERO2]] : f32) outs(%{{.+}} : tensor<2x64xf32>)
// CHECK: %[[ACC_R:.+]], %{{.+}}, %[[SUM_R:.+]] = attn.online_attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[ACCT]], #[[ROW]], #[[ROW]]]}
// CHECK-SAME: outs(%[[ACC]], %[[MAX]], %[[SUM]] :
// CHECK: %[[N:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC_R]], %[[SUM_R]] : tensor<2x8x64xf32>, tensor<2x64xf32>) outs(%arg4 : tensor<2x64x8xf16>)
// CHECK: arith.divf
// CHECK: arith.select
// CHECK: arith.truncf {{.*}} f32 to f16
// CHECK: return %[[N]]
func.func @f16_transposed_v(%q: tensor<2x64x16xf16>, %k: tensor<2x100x16xf16>, %v: tensor<2x8x100xf16>, %s: f16,
                            %init: tensor<2x64x8xf16>) -> tensor<2x64x8xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x16xf16>, tensor<2x100x16xf16>, tensor<2x8x100xf16>, f16)
         outs(%init : tensor<2x64x8xf16>) -> tensor<2x64x8xf16>
  return %r : tensor<2x64x8xf16>
}

// -----

// Standard V, and transposed V with one query row (decode: KeysInner
// tiles): acc keeps the output's layout.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
// CHECK-LABEL: func.func @acc_in_output_layout
// CHECK: attn.online_attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[O]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: tensor<2x64x8xf32>
// CHECK: attn.online_attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #[[O]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: tensor<2x1x8xf32>
func.func @acc_in_output_layout(%q: tensor<2x64x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>,
                                %q1: tensor<2x1x16xf32>, %vt: tensor<2x8x100xf32>, %s: f32,
                                %init: tensor<2x64x8xf32>, %init1: tensor<2x1x8xf32>)
    -> (tensor<2x64x8xf32>, tensor<2x1x8xf32>) {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x64x8xf32>) -> tensor<2x64x8xf32>
  %d = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q1, %k, %vt, %s : tensor<2x1x16xf32>, tensor<2x100x16xf32>, tensor<2x8x100xf32>, f32)
         outs(%init1 : tensor<2x1x8xf32>) -> tensor<2x1x8xf32>
  return %r, %d : tensor<2x64x8xf32>, tensor<2x1x8xf32>
}

// -----

// No attention: nothing to do.
// CHECK-LABEL: func.func @no_attention
// CHECK-NEXT: return %arg0
func.func @no_attention(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// causal becomes the online step's diagonal: 0 for top_left, K2 - M for
// bottom_right (here 48 - 80 = -32).
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @causal
// CHECK: %[[TL:.+]] = arith.constant 0 : index
// CHECK: attn.online_attention
// CHECK-SAME: %[[TL]] : {{.*}}, f32, index)
// CHECK: %[[BR:.+]] = arith.constant -32 : index
// CHECK: attn.online_attention
// CHECK-SAME: %[[BR]] : {{.*}}, f32, index)
// CHECK-NOT: causal
func.func @causal(%q: tensor<2x80x16xf32>, %k: tensor<2x48x16xf32>, %v: tensor<2x48x8xf32>, %s: f32,
                  %init: tensor<2x80x8xf32>) -> (tensor<2x80x8xf32>, tensor<2x80x8xf32>) {
  %r0 = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x80x16xf32>, tensor<2x48x16xf32>, tensor<2x48x8xf32>, f32)
         outs(%init : tensor<2x80x8xf32>) -> tensor<2x80x8xf32>
  %r1 = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x80x16xf32>, tensor<2x48x16xf32>, tensor<2x48x8xf32>, f32)
         outs(%init : tensor<2x80x8xf32>) -> tensor<2x80x8xf32>
  return %r0, %r1 : tensor<2x80x8xf32>, tensor<2x80x8xf32>
}

// -----

// Dynamic sizes: the bottom-right diagonal is computed at run time.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @causal_dynamic
// CHECK-DAG: %[[M:.+]] = tensor.dim %arg0, %c1
// CHECK-DAG: %[[K2:.+]] = tensor.dim %arg1, %c1
// CHECK: %[[D:.+]] = arith.subi %[[K2]], %[[M]] : index
// CHECK: attn.online_attention
// CHECK-SAME: %[[D]] : {{.*}}, f32, index)
func.func @causal_dynamic(%q: tensor<2x?x16xf32>, %k: tensor<2x?x16xf32>, %v: tensor<2x?x8xf32>, %s: f32,
                          %init: tensor<2x?x8xf32>) -> tensor<2x?x8xf32> {
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<2x?x8xf32>, f32)
         outs(%init : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  return %r : tensor<2x?x8xf32>
}
