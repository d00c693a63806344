// A bare online_attention (not made by attn-convert-to-online-attention)
// has no normalization to tile around: a clean error, not a crash.
// RUN: not attn-opt %s --attn-tile-attention 2>&1 | FileCheck %s
// CHECK: error: attn-tile-attention: expected the online attention to feed one normalization (run attn-convert-to-online-attention first)
// RUN: not attn-opt %s --attn-tile-attention=k2-splits=-1 2>&1 | FileCheck %s --check-prefix=SPLITS
// SPLITS: error: attn-tile-attention: k2-splits and workers must not be negative

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
#r = affine_map<(m, k1, k2, n) -> (m)>
func.func @bare(%q: tensor<8x4xf32>, %k: tensor<16x4xf32>, %v: tensor<16x6xf32>, %s: f32,
                %acc: tensor<8x6xf32>, %max: tensor<8xf32>, %sum: tensor<8xf32>) -> tensor<8x6xf32> {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<8x4xf32>, tensor<16x4xf32>, tensor<16x6xf32>, f32)
         outs(%acc, %max, %sum : tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>
  return %a : tensor<8x6xf32>
}
