// Attention with a boolean mask over (m, k2), broadcast across batch and
// heads (false = masked out), f16 inputs.
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_mask = affine_map<(b, h, m, k1, k2, n) -> (m, k2)>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @main(%q: tensor<2x4x256x64xf16>, %k: tensor<2x4x256x64xf16>,
                %v: tensor<2x4x256x64xf16>, %mask: tensor<256x256xi1>)
    -> tensor<2x4x256x64xf16> {
  %scale = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x4x256x64xf16>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_mask, #map_o]}
         ins(%q, %k, %v, %scale, %mask : tensor<2x4x256x64xf16>, tensor<2x4x256x64xf16>, tensor<2x4x256x64xf16>, f16, tensor<256x256xi1>)
         outs(%init : tensor<2x4x256x64xf16>) -> tensor<2x4x256x64xf16>
  return %r : tensor<2x4x256x64xf16>
}
