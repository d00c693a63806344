// V arrives quantized (i32) with a per-(head, n) offset and scale and is
// dequantized to f16 right before an SDXL-shaped attention. attn-graph-opt
// makes the dequantize write V transposed ([b, h, n, k2]) so the attention
// reads the transposed-V form at no extra cost.
#map_q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#map_k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#map_v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#map_s = affine_map<(b, h, m, k1, k2, n) -> ()>
#map_o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#per_head_n = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
func.func @main(%q: tensor<2x10x4096x64xf16>, %k: tensor<2x10x4096x64xf16>,
                %vq: tensor<2x10x4096x64xi32>, %offset: tensor<10x64xi32>,
                %vscale: tensor<10x64xf16>) -> tensor<2x10x4096x64xf16> {
  %empty = tensor.empty() : tensor<2x10x4096x64xf16>
  %v = linalg.generic {indexing_maps = [#id, #per_head_n, #per_head_n, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%vq, %offset, %vscale : tensor<2x10x4096x64xi32>, tensor<10x64xi32>, tensor<10x64xf16>)
         outs(%empty : tensor<2x10x4096x64xf16>) {
  ^bb0(%x: i32, %o: i32, %s: f16, %out: f16):
    %d = arith.subi %x, %o : i32
    %f = arith.sitofp %d : i32 to f16
    %r = arith.mulf %f, %s : f16
    linalg.yield %r : f16
  } -> tensor<2x10x4096x64xf16>
  %scale = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x4096x64xf16>
  %r = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
         ins(%q, %k, %v, %scale : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
         outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
  return %r : tensor<2x10x4096x64xf16>
}
