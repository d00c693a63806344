// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=16 k2-tile=32 k2-splits=1" | FileCheck %s
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=16 k2-tile=32 k2-splits=1" --canonicalize | FileCheck %s --check-prefix=STATIC

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// Causal: the M tiles are visited interleaved (0, T-1, 1, T-2, ...); the key
// loop of a tile with diagonal D (top_left: D = its M offset) stops at
// clamp(D + 16, 0, K2) and is split at the last block every row sees
// entirely: the first loop has no diagonal (no causal masking), the second
// gets D - k.
// CHECK-LABEL: func.func @causal
// CHECK: scf.forall (%[[B:.+]], %[[MIV:.+]]) = (0, 0) to (2, 64) step (1, 16)
// CHECK: %[[ODD:.+]] = arith.cmpi ne
// CHECK: %[[TILE:.+]] = arith.select %[[ODD]]
// CHECK: %[[M:.+]] = affine.apply #{{.+}}()[%[[TILE]]]
// CHECK: tensor.extract_slice %arg0[%[[B]], %[[M]], 0] [1, 16, 16]
// CHECK: %[[END0:.+]] = arith.minsi
// CHECK: %[[END:.+]] = arith.maxsi %[[END0]]
// CHECK: %[[FULL:.+]] = arith.muli
// CHECK: %[[HEAD:.+]]:3 = scf.for %{{.+}} = %{{.+}} to %[[FULL]] step %{{.+}} iter_args
// CHECK: attn.online_attention
// CHECK-SAME: f32) outs
// CHECK: %[[SPLIT:.+]] = affine.apply
// CHECK: %[[DIAG:.+]]:3 = scf.for %[[K:.+]] = %[[FULL]] to %[[SPLIT]] step %{{.+}} iter_args(%{{.+}} = %[[HEAD]]#0, %{{.+}} = %[[HEAD]]#1, %{{.+}} = %[[HEAD]]#2)
// CHECK: %[[DK:.+]] = arith.subi %{{.+}}, %[[K]] : index
// CHECK: attn.online_attention
// CHECK-SAME: %[[DK]] : {{.*}}, f32, index) outs
// The last diagonal block, partial when it ends at the last key (K2 = 100 =
// 3 x 32 + 4), peeled into a loop of its own.
// CHECK: scf.for %{{.+}} = %[[SPLIT]] to %[[END]] step %{{.+}} iter_args(%{{.+}} = %[[DIAG]]#0, %{{.+}} = %[[DIAG]]#1, %{{.+}} = %[[DIAG]]#2)
// CHECK: attn.online_attention
// CHECK-SAME: f32, index) outs
func.func @causal(%q: tensor<2x64x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                  %init: tensor<2x64x8xf32>) -> tensor<2x64x8xf32> {
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x64x8xf32>) -> tensor<2x64x8xf32>
  return %r : tensor<2x64x8xf32>
}

// Not causal: one key loop over the full blocks of K2, then the last,
// partial block peeled into a loop of its own (static block shapes in
// both); tiles in order.
// CHECK-LABEL: func.func @dense
// CHECK: scf.forall (%[[B:.+]], %[[M:.+]]) = (0, 0) to (2, 64) step (1, 16)
// CHECK-NOT: arith.select
// CHECK: tensor.extract_slice %arg0[%[[B]], %[[M]], 0] [1, 16, 16]
// CHECK: %[[FULL:.+]]:3 = scf.for %{{.+}} = %c0 to %c96 step %c32
// CHECK: scf.for %{{.+}} = %c96 to %c100 step %c32 iter_args(%{{.+}} = %[[FULL]]#0, %{{.+}} = %[[FULL]]#1, %{{.+}} = %[[FULL]]#2)
// CHECK-NOT: scf.for %
// CHECK: tensor.parallel_insert_slice
func.func @dense(%q: tensor<2x64x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                 %init: tensor<2x64x8xf32>) -> tensor<2x64x8xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x64x8xf32>) -> tensor<2x64x8xf32>
  return %r : tensor<2x64x8xf32>
}

// K2 = 100 is not a multiple of the 32-key block: the head loop's blocks
// and the diagonal blocks before the peeled last one are still whole (they
// end at a multiple of 32 that is <= 100), so their block size is the
// constant 32 and their shapes are static (after canonicalization); only
// the peeled loop keeps min(32, 100 - k) for a partial block.
// CHECK-LABEL: func.func @causal_partial_block
// STATIC-LABEL: func.func @causal_partial_block
// STATIC: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %{{.+}} iter_args
// STATIC-NOT: affine.min
// STATIC: attn.online_attention
// STATIC-SAME: tensor<1x16x16xf32>, tensor<1x32x16xf32>, tensor<1x32x8xf32>, f32) outs
// STATIC: scf.for
// STATIC-NOT: affine.min
// STATIC: attn.online_attention
// STATIC-SAME: tensor<1x32x16xf32>, tensor<1x32x8xf32>, f32, index) outs
// STATIC: scf.for
// STATIC: affine.min
// STATIC: attn.online_attention
// STATIC-SAME: tensor<1x?x16xf32>, tensor<1x?x8xf32>, f32, index) outs
func.func @causal_partial_block(%q: tensor<2x64x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                                %init: tensor<2x64x8xf32>) -> tensor<2x64x8xf32> {
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x64x8xf32>) -> tensor<2x64x8xf32>
  return %r : tensor<2x64x8xf32>
}
