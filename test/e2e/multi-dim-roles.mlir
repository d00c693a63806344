// Several dims per role: two M dims, two K2 dims, two N dims, and a K
// layout with K1 first. Tiling takes the innermost M and K2 dims; the rest
// are tiled by 1.
// RUN: attn-run %s --random-inputs=30 --m-tile=4 --k2-tile=8 --check | FileCheck %s
// CHECK: result[0]: 2x3x5x2x4xf32
// CHECK: check result[0]: {{.*}}: PASS
#q = affine_map<(b, m0, m1, k1, k20, k21, n0, n1) -> (b, m0, m1, k1)>
#k = affine_map<(b, m0, m1, k1, k20, k21, n0, n1) -> (b, k1, k20, k21)>
#v = affine_map<(b, m0, m1, k1, k20, k21, n0, n1) -> (b, k20, k21, n0, n1)>
#s = affine_map<(b, m0, m1, k1, k20, k21, n0, n1) -> ()>
#o = affine_map<(b, m0, m1, k1, k20, k21, n0, n1) -> (b, m0, m1, n0, n1)>
func.func @main(%q: tensor<2x3x5x16xf32>, %k: tensor<2x16x3x11xf32>, %v: tensor<2x3x11x2x4xf32>) -> tensor<2x3x5x2x4xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x3x5x2x4xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x3x5x16xf32>, tensor<2x16x3x11xf32>, tensor<2x3x11x2x4xf32>, f32)
         outs(%init : tensor<2x3x5x2x4xf32>) -> tensor<2x3x5x2x4xf32>
  return %r : tensor<2x3x5x2x4xf32>
}
