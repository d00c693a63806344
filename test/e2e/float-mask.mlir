// Additive float mask [b, m, k2].
// RUN: attn-run %s --random-inputs=6 --check | FileCheck %s
// RUN: rm -rf %t && attn-run %s --random-inputs=7 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --mask=%t/arg3.npy --scale=0.5 --out=%t/out.npy | FileCheck %s --check-prefix=REF
// CHECK: check result[0]: {{.*}}: PASS
// REF: attn-ref: {{.*}}: PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x40x16xf32>, %k: tensor<2x90x16xf32>, %v: tensor<2x90x8xf32>, %m: tensor<2x40x90xf32>) -> tensor<2x40x8xf32> {
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<2x40x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x40x16xf32>, tensor<2x90x16xf32>, tensor<2x90x8xf32>, f32, tensor<2x40x90xf32>)
         outs(%init : tensor<2x40x8xf32>) -> tensor<2x40x8xf32>
  return %r : tensor<2x40x8xf32>
}
