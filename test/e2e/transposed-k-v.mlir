// K given as [b, k1, k2] and V as [b, n, k2].
// RUN: attn-run %s --random-inputs=4 --check | FileCheck %s
// RUN: rm -rf %t && attn-run %s --random-inputs=5 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --k-transposed --v-transposed --scale=0.2 --out=%t/out.npy | FileCheck %s --check-prefix=REF
// CHECK: check result[0]: {{.*}}: PASS
// REF: attn-ref: 2x48x24 K2=70 N=20: {{.*}}: PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k1, k2)>
#v = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x48x24xf32>, %k: tensor<2x24x70xf32>, %v: tensor<2x20x70xf32>) -> tensor<2x48x20xf32> {
  %s = arith.constant 0.2 : f32
  %init = tensor.empty() : tensor<2x48x20xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x48x24xf32>, tensor<2x24x70xf32>, tensor<2x20x70xf32>, f32)
         outs(%init : tensor<2x48x20xf32>) -> tensor<2x48x20xf32>
  return %r : tensor<2x48x20xf32>
}
