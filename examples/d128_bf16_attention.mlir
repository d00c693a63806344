// Self-attention at head dim 128, bf16 (an LLM prefill shape): batch 2,
// 16 heads, 4096 tokens. Standard layouts: Q [b, h, m, k1], K [b, h, k2,
// k1], V [b, h, k2, n]. The scale is 1/sqrt(128) in bf16.
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @main(%q: tensor<2x16x4096x128xbf16>, %k: tensor<2x16x4096x128xbf16>,
                %v: tensor<2x16x4096x128xbf16>) -> tensor<2x16x4096x128xbf16> {
  %scale = arith.constant 0.08837890625 : bf16
  %init = tensor.empty() : tensor<2x16x4096x128xbf16>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
         ins(%q, %k, %v, %scale : tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>, bf16)
         outs(%init : tensor<2x16x4096x128xbf16>) -> tensor<2x16x4096x128xbf16>
  return %r : tensor<2x16x4096x128xbf16>
}
