// Dynamic sequence lengths, and odd static shapes (3x17x33x40).
// RUN: attn-run %s --function=dynamic --input=2x77x32xf32=random --input=2x45x32xf32=random --input=2x45x16xf32=random --check | FileCheck %s --check-prefix=DYN
// RUN: attn-run %s --function=odd --random-inputs=12 --check | FileCheck %s --check-prefix=ODD
// RUN: rm -rf %t && attn-run %s --function=odd --random-inputs=13 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.158 --out=%t/out.npy | FileCheck %s --check-prefix=REF
// M = 1 and K2 = 1.
// RUN: attn-run %s --function=dynamic --input=2x1x32xf32=random --input=2x1x32xf32=random --input=2x1x16xf32=random --check | FileCheck %s --check-prefix=ONE
// DYN: result[0]: 2x77x16xf32
// DYN: check result[0]: {{.*}}: PASS
// ODD: result[0]: 3x17x40xf32
// ODD: check result[0]: {{.*}}: PASS
// REF: attn-ref: 3x17x40 K2=33 N=40: {{.*}}: PASS
// ONE: result[0]: 2x1x16xf32
// ONE: check result[0]: {{.*}}: PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @dynamic(%q: tensor<2x?x32xf32>, %k: tensor<2x?x32xf32>, %v: tensor<2x?x16xf32>) -> tensor<2x?x16xf32> {
  %s = arith.constant 0.17 : f32
  %c1 = arith.constant 1 : index
  %m = tensor.dim %q, %c1 : tensor<2x?x32xf32>
  %init = tensor.empty(%m) : tensor<2x?x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x?x32xf32>, tensor<2x?x32xf32>, tensor<2x?x16xf32>, f32)
         outs(%init : tensor<2x?x16xf32>) -> tensor<2x?x16xf32>
  return %r : tensor<2x?x16xf32>
}
func.func @odd(%q: tensor<3x17x40xf32>, %k: tensor<3x33x40xf32>, %v: tensor<3x33x40xf32>) -> tensor<3x17x40xf32> {
  %s = arith.constant 0.158 : f32
  %init = tensor.empty() : tensor<3x17x40xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<3x17x40xf32>, tensor<3x33x40xf32>, tensor<3x33x40xf32>, f32)
         outs(%init : tensor<3x17x40xf32>) -> tensor<3x17x40xf32>
  return %r : tensor<3x17x40xf32>
}
