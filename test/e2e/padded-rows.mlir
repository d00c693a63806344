// Query rows that whole CPU row tiles do not cover are padded
// (attn-pad-query-rows): the real rows against the reference, with a mask
// and the LSE (100 rows: 28 padding rows at the end), causal(bottom_right)
// (77 rows: 19 padding rows before them) and causal(top_left) in f16.
// RUN: attn-run %s --function=mask_lse --random-inputs=21 --check | FileCheck %s --check-prefix=LSE
// RUN: attn-run %s --function=bottom_right --random-inputs=22 --check | FileCheck %s
// RUN: attn-run %s --function=top_left_f16 --random-inputs=23 --check | FileCheck %s
// RUN: rm -rf %t && attn-run %s --function=bottom_right --random-inputs=24 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.15 --causal=bottom_right --out=%t/out.npy | FileCheck %s --check-prefix=REF
// The padding is there, and the microkernel runs on the padded tiles.
// RUN: attn-opt %s --attn-cpu-pipeline="lower-to-llvm=false" | FileCheck %s --check-prefix=IR
// LSE: check result[0]: {{.*}}: PASS
// LSE: check result[1]: {{.*}}: PASS
// CHECK: check result[0]: {{.*}}: PASS
// REF: attn-ref: 2x77x40 K2=128 N=24: {{.*}}: PASS
// IR-LABEL: func.func @mask_lse
// IR: tensor.pad
// IR: vector.fma
// IR-LABEL: func.func @bottom_right
// IR: tensor.pad %{{.*}} low[0, 19, 0] high[0, 0, 0]
// IR: vector.fma
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
func.func @mask_lse(%q: tensor<2x100x32xf32>, %k: tensor<2x90x32xf32>, %v: tensor<2x90x16xf32>, %m: tensor<2x100x90xi1>)
    -> (tensor<2x100x16xf32>, tensor<2x100xf32>) {
  %s = arith.constant 0.177 : f32
  %init = tensor.empty() : tensor<2x100x16xf32>
  %lse = tensor.empty() : tensor<2x100xf32>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #l]}
         ins(%q, %k, %v, %s, %m : tensor<2x100x32xf32>, tensor<2x90x32xf32>, tensor<2x90x16xf32>, f32, tensor<2x100x90xi1>)
         outs(%init, %lse : tensor<2x100x16xf32>, tensor<2x100xf32>) -> tensor<2x100x16xf32>, tensor<2x100xf32>
  return %r#0, %r#1 : tensor<2x100x16xf32>, tensor<2x100xf32>
}
func.func @bottom_right(%q: tensor<2x77x40xf32>, %k: tensor<2x128x40xf32>, %v: tensor<2x128x24xf32>) -> tensor<2x77x24xf32> {
  %s = arith.constant 0.15 : f32
  %init = tensor.empty() : tensor<2x77x24xf32>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x77x40xf32>, tensor<2x128x40xf32>, tensor<2x128x24xf32>, f32)
         outs(%init : tensor<2x77x24xf32>) -> tensor<2x77x24xf32>
  return %r : tensor<2x77x24xf32>
}
func.func @top_left_f16(%q: tensor<3x77x64xf16>, %k: tensor<3x77x64xf16>, %v: tensor<3x77x64xf16>) -> tensor<3x77x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<3x77x64xf16>
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<3x77x64xf16>, tensor<3x77x64xf16>, tensor<3x77x64xf16>, f16)
         outs(%init : tensor<3x77x64xf16>) -> tensor<3x77x64xf16>
  return %r : tensor<3x77x64xf16>
}
