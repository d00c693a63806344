// RUN: attn-run %s --random-inputs=1 --check | FileCheck %s
// RUN: rm -rf %t && attn-run %s --random-inputs=2 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.25 --out=%t/out.npy | FileCheck %s --check-prefix=REF
// Small tiles so that several M tiles and a partial last K2 tile run.
// RUN: attn-run %s --random-inputs=3 --m-tile=8 --k2-tile=24 --check | FileCheck %s

// CHECK: result[0]: 2x64x16xf32
// CHECK: check result[0]: {{.*}}: PASS
// REF: attn-ref: 2x64x32 K2=100 N=16: {{.*}}: PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x64x32xf32>, %k: tensor<2x100x32xf32>, %v: tensor<2x100x16xf32>) -> tensor<2x64x16xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x100x32xf32>, tensor<2x100x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}
