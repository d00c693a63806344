// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 k2-splits=4" | FileCheck %s
// Automatic: 2 tiles (batch 2 x one M tile) < 2 x 4 workers -> 4 splits.
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 workers=4" | FileCheck %s
// Automatic with one worker: 2 tiles >= 2 x 1, no split; 1 never splits.
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 workers=1" | FileCheck %s --check-prefix=NOSPLIT
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 k2-splits=1 workers=64" | FileCheck %s --check-prefix=NOSPLIT
// Enough tiles, but a last wave with idle workers: split until >= 90% of
// the worker slots are busy.
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 workers=4" | FileCheck %s --check-prefix=WAVE
// RUN: attn-opt %s --attn-convert-to-online-attention --attn-tile-attention="k2-tile=64 workers=2" | FileCheck %s --check-prefix=WAVE2

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// Decode: K2 = 1000 in 4 chunks of 256 keys (whole 64-key blocks; the last
// one 232), run in one parallel loop with the batch and M tiles, each from
// a fresh state into a partial state with a leading split dim; then the
// exact merge: the max over splits, sum and acc weighted by
// exp(max_s - max), and the normalization.
// CHECK-LABEL: func.func @decode
// CHECK: scf.forall (%[[S:.+]], %[[B:.+]], %[[M:.+]]) in (4, 2, 1) shared_outs(%[[PACC:.+]] = %{{.+}}, %[[PMAX:.+]] = %{{.+}}, %[[PSUM:.+]] = %{{.+}}) -> (tensor<4x2x1x32xf32>, tensor<4x2x1xf32>, tensor<4x2x1xf32>)
// CHECK: %[[K0:.+]] = affine.apply #{{.+}}()[%[[S]]]
// CHECK: %[[KN:.+]] = affine.min #{{.+}}()[%[[S]]]
// CHECK: tensor.extract_slice %arg1[%[[B]], %[[K0]], 0] [1, %[[KN]], 64]
// CHECK: scf.for
// CHECK: attn.online_attention
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %{{.+}} into %[[PACC]][%[[S]], %[[B]], %{{.+}}, 0] [1, 1, 1, 32]
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: math.exp
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[ACC]], %[[SUM]] :
// CHECK: arith.divf
// CHECK-NOT: attn.online_attention

// NOSPLIT-LABEL: func.func @decode
// NOSPLIT: scf.forall (%{{.+}}, %{{.+}}) in (2, 1)
// NOSPLIT-NOT: in (4
func.func @decode(%q: tensor<2x1x64xf32>, %k: tensor<2x1000x64xf32>, %v: tensor<2x1000x32xf32>, %s: f32,
                  %init: tensor<2x1x32xf32>) -> tensor<2x1x32xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x1x64xf32>, tensor<2x1000x64xf32>, tensor<2x1000x32xf32>, f32)
         outs(%init : tensor<2x1x32xf32>) -> tensor<2x1x32xf32>
  return %r : tensor<2x1x32xf32>
}

// 5 tiles (batch 5 x one 64-row M tile) on 4 workers fill 5 of 8 slots; 2
// splits 10 of 12; 3 splits 15 of 16. On 2 workers 5 of 6, 2 splits 10 of
// 10. On one worker (NOSPLIT): every slot busy, no split.
// CHECK-LABEL: func.func @last_wave
// WAVE-LABEL: func.func @last_wave
// WAVE: scf.forall ({{.+}}) in (3, 5, 1)
// WAVE2-LABEL: func.func @last_wave
// WAVE2: scf.forall ({{.+}}) in (2, 5, 1)
// NOSPLIT-LABEL: func.func @last_wave
// NOSPLIT: scf.forall ({{.+}}) = (0, 0) to (5, 64) step (1, 64)
func.func @last_wave(%q: tensor<5x64x32xf32>, %k: tensor<5x512x32xf32>, %v: tensor<5x512x32xf32>, %s: f32,
                     %init: tensor<5x64x32xf32>) -> tensor<5x64x32xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<5x64x32xf32>, tensor<5x512x32xf32>, tensor<5x512x32xf32>, f32)
         outs(%init : tensor<5x64x32xf32>) -> tensor<5x64x32xf32>
  return %r : tensor<5x64x32xf32>
}

// Causal tiles are balanced by their visiting order, not by splits (once
// every worker has two tiles).
// WAVE2-LABEL: func.func @last_wave_causal
// WAVE2: scf.forall ({{.+}}) = (0, 0) to (5, 64) step (1, 64)
func.func @last_wave_causal(%q: tensor<5x64x32xf32>, %k: tensor<5x512x32xf32>, %v: tensor<5x512x32xf32>, %s: f32,
                            %init: tensor<5x64x32xf32>) -> tensor<5x64x32xf32> {
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<5x64x32xf32>, tensor<5x512x32xf32>, tensor<5x512x32xf32>, f32)
         outs(%init : tensor<5x64x32xf32>) -> tensor<5x64x32xf32>
  return %r : tensor<5x64x32xf32>
}
