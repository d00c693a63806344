// SDXL-shaped self-attention: batch 2, 10 heads, 4096 tokens, head dim 64,
// f16. Standard layouts: Q [b, h, m, k1], K [b, h, k2, k1], V [b, h, k2, n].
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @main(%q: tensor<2x10x4096x64xf16>, %k: tensor<2x10x4096x64xf16>,
                %v: tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16> {
  %scale = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x4096x64xf16>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
         ins(%q, %k, %v, %scale : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
         outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
  return %r : tensor<2x10x4096x64xf16>
}
