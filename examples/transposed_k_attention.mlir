// Attention with K given transposed, [b, h, k1, k2] (a "K^T" layout many
// models produce): the K map is (b, h, k1, k2).
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k1, k2)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @main(%q: tensor<2x4x256x64xf32>, %kt: tensor<2x4x64x512xf32>,
                %v: tensor<2x4x512x64xf32>) -> tensor<2x4x256x64xf32> {
  %scale = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<2x4x256x64xf32>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
         ins(%q, %kt, %v, %scale : tensor<2x4x256x64xf32>, tensor<2x4x64x512xf32>, tensor<2x4x512x64xf32>, f32)
         outs(%init : tensor<2x4x256x64xf32>) -> tensor<2x4x256x64xf32>
  return %r : tensor<2x4x256x64xf32>
}
