// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=32 k2-tile=64 k2-splits=1" | FileCheck %s
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=16 k2-tile=50 k2-splits=1" | FileCheck %s --check-prefix=SMALL
// RUN: not attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=-1" 2>&1 | FileCheck %s --check-prefix=BADTILE
// RUN: not attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=0" 2>&1 | FileCheck %s --check-prefix=BADTILE
// The automatic m-tile (the default, 0): 64 rows where 64 divides M, else 32.
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-splits=1" | FileCheck %s --check-prefix=AUTO

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// Parallel tiles over (batch, M), a K2 loop inside carrying acc/max/sum,
// the normalization inside the parallel tile; tiles of Q/K/V/mask only.
// CHECK-LABEL: func.func @tiled
// CHECK: scf.forall (%[[B:.+]], %[[M:.+]]) = (0, 0) to (2, 64) step (1, 32) shared_outs(%[[OUT:.+]] = %arg5)
// CHECK: %[[Q:.+]] = tensor.extract_slice %arg0[%[[B]], %[[M]], 0] [1, 32, 16] [1, 1, 1]
// CHECK: scf.for %[[K2:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %{{.+}}, %[[MAX:.+]] = %{{.+}}, %[[SUM:.+]] = %{{.+}}) -> (tensor<1x32x8xf32>, tensor<1x32xf32>, tensor<1x32xf32>)
// CHECK: attn.online_attention
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}}, %arg3, %{{.+}} : tensor<1x32x16xf32>, tensor<1x?x16xf32>, tensor<1x?x8xf32>, f32, tensor<32x?xi1>)
// CHECK-SAME: -> tensor<1x32x8xf32>, tensor<1x32xf32>, tensor<1x32xf32>
// CHECK: scf.yield
// CHECK: linalg.generic
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[OUT]][%[[B]], %[[M]], 0] [1, 32, 8]
// CHECK-NOT: attn.online_attention
// CHECK-NOT: attn.attention

// SMALL: scf.forall ({{.+}}) = (0, 0) to (2, 64) step (1, 16)
// SMALL: scf.for %{{.+}} = %c0 to %c100 step %c50
// SMALL: attn.online_attention
// SMALL-SAME: tensor<1x16x16xf32>, tensor<1x50x16xf32>, tensor<1x50x8xf32>

// BADTILE: error: attn-tile-attention: m-tile must not be negative, k2-tile must be positive

// AUTO-LABEL: func.func @tiled
// AUTO: scf.forall ({{.+}}) = (0, 0) to (2, 64) step (1, 64)
func.func @tiled(%q: tensor<2x64x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                 %m: tensor<64x100xi1>, %init: tensor<2x64x8xf32>) -> tensor<2x64x8xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x64x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32, tensor<64x100xi1>)
         outs(%init : tensor<2x64x8xf32>) -> tensor<2x64x8xf32>
  return %r : tensor<2x64x8xf32>
}

// GQA decode (the query-head group g is an outer M dim, one query row):
// the tile takes all 4 heads of a group, so each K/V block is read once
// for them.
#gq = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, k1)>
#gk = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, k1)>
#gv = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, n)>
#gs = affine_map<(b, h, g, m, k1, k2, n) -> ()>
#go = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, n)>
// CHECK-LABEL: func.func @gqa_decode
// CHECK: scf.forall ({{.+}}) = (0, 0, 0, 0) to (1, 2, 4, 1) step (1, 1, 4, 1)
// CHECK: tensor.extract_slice %arg0[{{.+}}] [1, 1, 4, 1, 16]
func.func @gqa_decode(%q: tensor<1x2x4x1x16xf32>, %k: tensor<1x2x100x16xf32>, %v: tensor<1x2x100x8xf32>, %s: f32,
                      %init: tensor<1x2x4x1x8xf32>) -> tensor<1x2x4x1x8xf32> {
  %r = attn.attention {indexing_maps = [#gq, #gk, #gv, #gs, #go]}
         ins(%q, %k, %v, %s : tensor<1x2x4x1x16xf32>, tensor<1x2x100x16xf32>, tensor<1x2x100x8xf32>, f32)
         outs(%init : tensor<1x2x4x1x8xf32>) -> tensor<1x2x4x1x8xf32>
  return %r : tensor<1x2x4x1x8xf32>
}

// 96 rows: 64 does not divide them (a partial tile of dynamic shape), 32
// does.
// CHECK-LABEL: func.func @rows_96
// AUTO-LABEL: func.func @rows_96
// AUTO: scf.forall ({{.+}}) = (0, 0) to (2, 96) step (1, 32)
func.func @rows_96(%q: tensor<2x96x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                   %init: tensor<2x96x8xf32>) -> tensor<2x96x8xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x96x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x96x8xf32>) -> tensor<2x96x8xf32>
  return %r : tensor<2x96x8xf32>
}

// Transposed f16 V: each V block is a strided copy converted to f32, so
// 128-row tiles (the conversion done half as often) are a candidate too.
// Not for f32 transposed V (used in place) nor f16 standard V (a
// contiguous copy): those keep 64.
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
// CHECK-LABEL: func.func @transposed_f16_v
// AUTO-LABEL: func.func @transposed_f16_v
// AUTO: scf.forall ({{.+}}) = (0, 0) to (2, 256) step (1, 128)
func.func @transposed_f16_v(%q: tensor<2x256x16xf16>, %k: tensor<2x128x16xf16>, %v: tensor<2x8x128xf16>, %s: f16,
                            %init: tensor<2x256x8xf16>) -> tensor<2x256x8xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x256x16xf16>, tensor<2x128x16xf16>, tensor<2x8x128xf16>, f16)
         outs(%init : tensor<2x256x8xf16>) -> tensor<2x256x8xf16>
  return %r : tensor<2x256x8xf16>
}
// CHECK-LABEL: func.func @transposed_f32_v
// AUTO-LABEL: func.func @transposed_f32_v
// AUTO: scf.forall ({{.+}}) = (0, 0) to (2, 256) step (1, 64)
func.func @transposed_f32_v(%q: tensor<2x256x16xf32>, %k: tensor<2x128x16xf32>, %v: tensor<2x8x128xf32>, %s: f32,
                            %init: tensor<2x256x8xf32>) -> tensor<2x256x8xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x256x16xf32>, tensor<2x128x16xf32>, tensor<2x8x128xf32>, f32)
         outs(%init : tensor<2x256x8xf32>) -> tensor<2x256x8xf32>
  return %r : tensor<2x256x8xf32>
}
// CHECK-LABEL: func.func @standard_f16_v
// AUTO-LABEL: func.func @standard_f16_v
// AUTO: scf.forall ({{.+}}) = (0, 0) to (2, 256) step (1, 64)
func.func @standard_f16_v(%q: tensor<2x256x16xf16>, %k: tensor<2x128x16xf16>, %v: tensor<2x128x8xf16>, %s: f16,
                          %init: tensor<2x256x8xf16>) -> tensor<2x256x8xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x256x16xf16>, tensor<2x128x16xf16>, tensor<2x128x8xf16>, f16)
         outs(%init : tensor<2x256x8xf16>) -> tensor<2x256x8xf16>
  return %r : tensor<2x256x8xf16>
}
