// 40 heads x 1024 queries and keys, d = 64, f16: 640 workgroups of 4 waves
// (no K2 split on gfx942's 304 CUs), 320 of 8 (a split would follow).
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<40x1024x64xf16>, %k: tensor<40x1024x64xf16>, %v: tensor<40x1024x64xf16>) -> tensor<40x1024x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<40x1024x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<40x1024x64xf16>, tensor<40x1024x64xf16>, tensor<40x1024x64xf16>, f16)
         outs(%init : tensor<40x1024x64xf16>) -> tensor<40x1024x64xf16>
  return %r : tensor<40x1024x64xf16>
}
