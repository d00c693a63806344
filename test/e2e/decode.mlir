// Decode attention (few query rows, a long K/V cache) split across
// parallel workers along K2 (flash-decoding) and merged exactly: forced
// split counts, K2 not a multiple of the split, M = 1 and 4, GQA, causal;
// on the CPU and under rocm-sim (grid z).
// --check compares with the reference lowering; attn-ref with the C++
// double-precision reference.
//
// RUN: attn-run %s --function=decode1 --device=cpu --random-inputs=1 --k2-splits=3 --k2-tile=16 --check | FileCheck %s --check-prefix=D1
// RUN: attn-run %s --function=decode1 --device=cpu --random-inputs=1 --check | FileCheck %s --check-prefix=D1
// RUN: rm -rf %t && attn-run %s --function=decode1 --device=cpu --random-inputs=2 --k2-splits=5 --k2-tile=8 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --out=%t/out.npy | FileCheck %s --check-prefix=REF1
// On the GPU (emulated): the grid of 2 workgroups splits K2 over grid z
// (automatic: 2 splits of 3 blocks; forced: 5 splits of one block).
// RUN: attn-run %s --function=decode1 --device=rocm-sim --random-inputs=1 --check | FileCheck %s --check-prefix=D1
// RUN: rm -rf %t && attn-run %s --function=decode1 --device=rocm-sim --random-inputs=2 --k2-splits=5 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --out=%t/out.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=REF1
// RUN: attn-run %s --function=decode1 --device=rocm --compile-only --dump-kernel-report | FileCheck %s --check-prefix=REPORT
// REPORT: kernel decode1_attention_0
// REPORT: key blocks/workgroup min 2, max 3, total 5 per batch index (100% of dense 5)
// D1: result[0]: 1x2x1x32xf32
// D1: check result[0]: {{.*}}: PASS
// REF1: attn-ref: 2x1x64 K2=301 N=32: {{.*}}: PASS
//
// RUN: attn-run %s --function=decode4_causal --device=cpu --random-inputs=3 --k2-splits=4 --k2-tile=16 --check | FileCheck %s --check-prefix=D4
// RUN: rm -rf %t && attn-run %s --function=decode4_causal --device=cpu --random-inputs=4 --k2-splits=7 --k2-tile=16 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --causal=bottom_right --out=%t/out.npy | FileCheck %s --check-prefix=REF4
// RUN: attn-run %s --function=decode4_causal --device=rocm-sim --random-inputs=3 --k2-splits=4 --check | FileCheck %s --check-prefix=D4
// RUN: rm -rf %t && attn-run %s --function=decode4_causal --device=rocm-sim --random-inputs=4 --k2-splits=3 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --causal=bottom_right --out=%t/out.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=REF4
// D4: result[0]: 1x4x32xf32
// D4: check result[0]: {{.*}}: PASS
// REF4: attn-ref: 1x4x64 K2=200 N=32: {{.*}}: PASS
//
// RUN: attn-run %s --function=gqa_decode --device=cpu --random-inputs=5 --k2-splits=3 --k2-tile=32 --check | FileCheck %s --check-prefix=GQA
// RUN: attn-run %s --function=gqa_decode --device=rocm-sim --random-inputs=5 --check | FileCheck %s --check-prefix=GQA
// GQA: result[0]: 1x2x4x1x16xf16
// GQA: check result[0]: {{.*}}: PASS

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @decode1(%q: tensor<1x2x1x64xf32>, %k: tensor<1x2x301x64xf32>, %v: tensor<1x2x301x32xf32>) -> tensor<1x2x1x32xf32> {
  %s = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<1x2x1x32xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<1x2x1x64xf32>, tensor<1x2x301x64xf32>, tensor<1x2x301x32xf32>, f32)
         outs(%init : tensor<1x2x1x32xf32>) -> tensor<1x2x1x32xf32>
  return %r : tensor<1x2x1x32xf32>
}

#q3 = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k3 = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v3 = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s3 = affine_map<(b, m, k1, k2, n) -> ()>
#o3 = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// Four new tokens against a cache of 200 (bottom-right: the last row sees
// every key); some splits see only masked keys for some rows.
func.func @decode4_causal(%q: tensor<1x4x64xf32>, %k: tensor<1x200x64xf32>, %v: tensor<1x200x32xf32>) -> tensor<1x4x32xf32> {
  %s = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<1x4x32xf32>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q3, #k3, #v3, #s3, #o3]}
         ins(%q, %k, %v, %s : tensor<1x4x64xf32>, tensor<1x200x64xf32>, tensor<1x200x32xf32>, f32)
         outs(%init : tensor<1x4x32xf32>) -> tensor<1x4x32xf32>
  return %r : tensor<1x4x32xf32>
}

// Grouped-query decode: 2 K/V heads, 4 query heads each.
#gq = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, k1)>
#gk = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, k1)>
#gv = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, n)>
#gs = affine_map<(b, h, g, m, k1, k2, n) -> ()>
#go = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, n)>
func.func @gqa_decode(%q: tensor<1x2x4x1x32xf16>, %k: tensor<1x2x250x32xf16>, %v: tensor<1x2x250x16xf16>) -> tensor<1x2x4x1x16xf16> {
  %s = arith.constant 0.176 : f16
  %init = tensor.empty() : tensor<1x2x4x1x16xf16>
  %r = attn.attention {indexing_maps = [#gq, #gk, #gv, #gs, #go]}
         ins(%q, %k, %v, %s : tensor<1x2x4x1x32xf16>, tensor<1x2x250x32xf16>, tensor<1x2x250x16xf16>, f16)
         outs(%init : tensor<1x2x4x1x16xf16>) -> tensor<1x2x4x1x16xf16>
  return %r : tensor<1x2x4x1x16xf16>
}
