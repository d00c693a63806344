// Attention whose V arrives in the transposed-V layout [b, h, n, k2]
// (K2 contiguous): the V map is (b, h, n, k2).
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, n, k2)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @main(%q: tensor<2x4x256x64xf32>, %k: tensor<2x4x512x64xf32>,
                %vt: tensor<2x4x64x512xf32>) -> tensor<2x4x256x64xf32> {
  %scale = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<2x4x256x64xf32>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
         ins(%q, %k, %vt, %scale : tensor<2x4x256x64xf32>, tensor<2x4x512x64xf32>, tensor<2x4x64x512xf32>, f32)
         outs(%init : tensor<2x4x256x64xf32>) -> tensor<2x4x256x64xf32>
  return %r : tensor<2x4x256x64xf32>
}
