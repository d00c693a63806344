// f16 and bf16 inputs accumulate in f32; results are compared with the
// dtype's default tolerance (f16 2e-3, bf16 1.6e-2: about two units in the
// last place for outputs of magnitude <= 1).
// RUN: attn-run %s --function=f16 --random-inputs=9 --check | FileCheck %s --check-prefix=F16
// RUN: attn-run %s --function=bf16 --random-inputs=10 --check | FileCheck %s --check-prefix=BF16
// RUN: rm -rf %t && attn-run %s --function=f16 --random-inputs=11 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --out=%t/out.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=REF
// F16: result[0]: 2x4x64x32xf16
// F16: check result[0]: {{.*}} (atol 0.002, rtol 0.002): PASS
// BF16: result[0]: 2x4x64x32xbf16
// BF16: check result[0]: {{.*}} (atol 0.016, rtol 0.016): PASS
// REF: attn-ref: {{.*}}: PASS
#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @f16(%q: tensor<2x4x64x32xf16>, %k: tensor<2x4x80x32xf16>, %v: tensor<2x4x80x32xf16>) -> tensor<2x4x64x32xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x4x64x32xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x4x64x32xf16>, tensor<2x4x80x32xf16>, tensor<2x4x80x32xf16>, f16)
         outs(%init : tensor<2x4x64x32xf16>) -> tensor<2x4x64x32xf16>
  return %r : tensor<2x4x64x32xf16>
}
func.func @bf16(%q: tensor<2x4x64x32xbf16>, %k: tensor<2x4x80x32xbf16>, %v: tensor<2x4x80x32xbf16>) -> tensor<2x4x64x32xbf16> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<2x4x64x32xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x4x64x32xbf16>, tensor<2x4x80x32xbf16>, tensor<2x4x80x32xbf16>, bf16)
         outs(%init : tensor<2x4x64x32xbf16>) -> tensor<2x4x64x32xbf16>
  return %r : tensor<2x4x64x32xbf16>
}
