// The log-sum-exp result through the CPU lowerings.
// RUN: attn-opt %s --attn-lower-to-reference | FileCheck %s --check-prefix=REF
// RUN: attn-opt %s --attn-convert-to-online-attention | FileCheck %s --check-prefix=ONLINE
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="m-tile=32 k2-tile=64 k2-splits=1" | FileCheck %s --check-prefix=TILE
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=16 k2-splits=3" | FileCheck %s --check-prefix=SPLIT

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (m, b)>

// Reference: the LSE from the materialized softmax's row max and sum, in
// its own map ((m, b) here); -inf where the sum is 0.
// REF-LABEL: func.func @lse
// REF: %[[MAX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// REF: arith.maximumf
// REF: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// REF: linalg.generic
// REF: arith.divf
// REF: %[[L:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[LT:.+]]], iterator_types = ["parallel", "parallel"]} ins(%[[MAX]], %[[SUM]] : tensor<2x40xf32>, tensor<2x40xf32>) outs(%arg3 : tensor<40x2xf32>)
// REF: %[[Z:.+]] = arith.cmpf oeq, %{{.+}}, %{{.+}} : f32
// REF: math.log
// REF: arith.select %[[Z]], %{{.+}}, %{{.+}} : f32
// REF: return %{{.+}}, %[[L]]

// Online form: one normalization writes O and the LSE from the final
// state (acc, max, sum).
// ONLINE-LABEL: func.func @lse
// ONLINE: %[[ACC:.+]], %[[MAX:.+]], %[[SUM:.+]] = attn.online_attention
// ONLINE: %[[N:.+]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[ACC]], %[[MAX]], %[[SUM]] : tensor<2x40x16xf32>, tensor<2x40xf32>, tensor<2x40xf32>) outs(%{{.+}}, %arg3 : tensor<2x40x16xf32>, tensor<40x2xf32>)
// ONLINE: arith.divf
// ONLINE: math.log
// ONLINE: return %[[N]]#0, %[[N]]#1

// Tiled: the normalization is the forall's consumer, both results are
// its shared outputs, and the one online attention is fused into it (none
// is left outside).
// TILE-LABEL: func.func @lse
// TILE-NOT: attn.online_attention
// TILE: scf.forall {{.*}} shared_outs(%{{.+}} = %{{.+}}, %{{.+}} = %arg3) -> (tensor<2x40x16xf32>, tensor<40x2xf32>)
// TILE: scf.for
// TILE: attn.online_attention
// TILE: linalg.generic
// TILE: math.log
// TILE: tensor.parallel_insert_slice
// TILE: tensor.parallel_insert_slice
// TILE-NOT: attn.online_attention
// TILE: return

// Split K2 (decode): the partial states are merged, then the
// normalization computes O and the LSE from the merged state.
// SPLIT-LABEL: func.func @lse
// SPLIT: %[[P:.+]]:3 = scf.forall
// SPLIT: attn.online_attention
// SPLIT: %[[MAX:.+]] = linalg.generic {{.*}} ins(%[[P]]#1 : tensor<3x2x40xf32>)
// SPLIT: %[[SUM:.+]] = linalg.generic {{.*}} ins(%[[P]]#2, %[[P]]#1, %[[MAX]] :
// SPLIT: %[[ACC:.+]] = linalg.generic {{.*}} ins(%[[P]]#0, %[[P]]#1, %[[MAX]] :
// SPLIT: %[[N:.+]]:2 = linalg.generic {{.*}} ins(%[[ACC]], %[[MAX]], %[[SUM]] :
// SPLIT: math.log
// SPLIT: return %[[N]]#0, %[[N]]#1
func.func @lse(%q: tensor<2x40x8xf32>, %k: tensor<2x100x8xf32>, %v: tensor<2x100x16xf32>,
               %linit: tensor<40x2xf32>) -> (tensor<2x40x16xf32>, tensor<40x2xf32>) {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x40x16xf32>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x40x8xf32>, tensor<2x100x8xf32>, tensor<2x100x16xf32>, f32)
         outs(%init, %linit : tensor<2x40x16xf32>, tensor<40x2xf32>) -> tensor<2x40x16xf32>, tensor<40x2xf32>
  return %r#0, %r#1 : tensor<2x40x16xf32>, tensor<40x2xf32>
}
