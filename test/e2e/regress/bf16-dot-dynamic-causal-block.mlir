// Fuzzer seed 140018 (cpu and cpu-nograph, compile error): with bf16 pairs
// (attn-decompose-online-attention's bf16-dot, on hosts with avx512_bf16),
// a causal whole-block key tile whose type has a dynamic K2 dim but whose
// size is a known constant was reshaped into pairs of a negative size
// ("unexpected result less than 0"). The tile is now cast to its constant
// size first. On hosts without avx512_bf16 this is a plain bf16 test.
// RUN: attn-run %s --random-inputs=3 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=3 --no-graph-opt --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
#map_q = affine_map<(b0, h, m0, k1_0, k2_0, n0) -> (b0, h, m0, k1_0)>
#map_k = affine_map<(b0, h, m0, k1_0, k2_0, n0) -> (b0, k2_0, k1_0)>
#map_v = affine_map<(b0, h, m0, k1_0, k2_0, n0) -> (b0, k2_0, n0)>
#map_s = affine_map<(b0, h, m0, k1_0, k2_0, n0) -> ()>
#map_o = affine_map<(b0, h, m0, k1_0, k2_0, n0) -> (b0, h, m0, n0)>
func.func @main(%q: tensor<1x1x8x1xbf16>, %k: tensor<1x1x1xbf16>, %v: tensor<1x1x4xbf16>) -> tensor<1x1x8x4xf32> {
  %scale = arith.constant 0.125 : f32
  %empty1 = tensor.empty() : tensor<1x1x8x4xf32>
  %attn = attn.attention causal(top_left) {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
      ins(%q, %k, %v, %scale : tensor<1x1x8x1xbf16>, tensor<1x1x1xbf16>, tensor<1x1x4xbf16>, f32)
      outs(%empty1 : tensor<1x1x8x4xf32>) -> tensor<1x1x8x4xf32>
  return %attn : tensor<1x1x8x4xf32>
}
