#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x32x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x32x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}
