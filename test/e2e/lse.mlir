// The log-sum-exp result (second result of attn.attention) on the CPU and
// under rocm-sim, against the reference lowering (--check) and the C++
// double-precision reference (attn-ref --lse): odd sizes with causal
// attention, rows with every key masked (LSE -inf on every device), decode
// with K2 split (forced and automatic), GQA with several M dims; code
// objects for gfx942 and gfx90a.
//
// RUN: attn-run %s --function=odd_causal --device=cpu --random-inputs=1 --check | FileCheck %s --check-prefix=ODD
// RUN: attn-run %s --function=odd_causal --device=rocm-sim --random-inputs=1 --check | FileCheck %s --check-prefix=ODD
// RUN: attn-run %s --function=odd_causal --device=rocm-sim --k2-splits=1 --random-inputs=1 --check | FileCheck %s --check-prefix=ODD
// RUN: rm -rf %t && attn-run %s --function=odd_causal --device=cpu --random-inputs=2 --dump-inputs=%t --output=@%t/out.npy --output=@%t/lse.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --causal=bottom_right --out=%t/out.npy --lse=%t/lse.npy | FileCheck %s --check-prefix=ODDREF
// RUN: rm -rf %t && attn-run %s --function=odd_causal --device=rocm-sim --random-inputs=2 --dump-inputs=%t --output=@%t/out.npy --output=@%t/lse.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --causal=bottom_right --out=%t/out.npy --lse=%t/lse.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=ODDREF
// ODD: result[0]: 2x37x24xf32
// ODD: result[1]: 2x37xf32
// ODD: check result[0]: {{.*}}: PASS
// ODD: check result[1]: {{.*}}: PASS
// ODDREF: attn-ref: 2x37x40 K2=77 N=24: {{.*}}: PASS
// ODDREF: attn-ref: lse 2x37: {{.*}}: PASS
//
// RUN: attn-run %s --function=masked_rows --device=cpu --random-inputs=3 --check | FileCheck %s --check-prefix=MASKED
// RUN: attn-run %s --function=masked_rows --device=rocm-sim --random-inputs=3 --check | FileCheck %s --check-prefix=MASKED
// RUN: attn-run %s --function=masked_rows --device=cpu --no-graph-opt --random-inputs=3 --check | FileCheck %s --check-prefix=MASKED
// The LSE is laid out (m, b): elements 4 and 5 are row 2 of both batches.
// MASKED: result[1]: 5x2xf32
// MASKED-NEXT: first values: {{[-0-9.e]+}} {{[-0-9.e]+}} {{[-0-9.e]+}} {{[-0-9.e]+}} -inf -inf {{[-0-9.e]+}} {{[-0-9.e]+}}
// MASKED: check result[0]: {{.*}}: PASS
// MASKED: check result[1]: {{.*}}: PASS
// MASKED-NOT: nan
//
// RUN: attn-run %s --function=decode --device=cpu --random-inputs=4 --k2-splits=3 --k2-tile=16 --check | FileCheck %s --check-prefix=DEC
// RUN: attn-run %s --function=decode --device=cpu --random-inputs=4 --check | FileCheck %s --check-prefix=DEC
// RUN: attn-run %s --function=decode --device=rocm-sim --random-inputs=4 --check | FileCheck %s --check-prefix=DEC
// RUN: attn-run %s --function=decode --device=rocm-sim --random-inputs=4 --k2-splits=5 --check | FileCheck %s --check-prefix=DEC
// RUN: rm -rf %t && attn-run %s --function=decode --device=cpu --random-inputs=5 --k2-splits=5 --k2-tile=8 --dump-inputs=%t --output=@%t/out.npy --output=@%t/lse.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --out=%t/out.npy --lse=%t/lse.npy | FileCheck %s --check-prefix=DECREF
// RUN: rm -rf %t && attn-run %s --function=decode --device=rocm-sim --random-inputs=5 --k2-splits=5 --dump-inputs=%t --output=@%t/out.npy --output=@%t/lse.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.125 --out=%t/out.npy --lse=%t/lse.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=DECREF
// DEC: result[1]: 1x2x1xf32
// DEC: check result[0]: {{.*}}: PASS
// DEC: check result[1]: {{.*}}: PASS
// DECREF: attn-ref: 2x1x64 K2=301 N=32: {{.*}}: PASS
// DECREF: attn-ref: lse 2x1: {{.*}}: PASS
//
// RUN: attn-run %s --function=gqa_decode --device=cpu --random-inputs=6 --k2-splits=3 --k2-tile=32 --check | FileCheck %s --check-prefix=GQA
// RUN: attn-run %s --function=gqa_decode --device=cpu --random-inputs=6 --check | FileCheck %s --check-prefix=GQA
// RUN: attn-run %s --function=gqa_decode --device=rocm-sim --random-inputs=6 --check | FileCheck %s --check-prefix=GQA
// GQA: result[1]: 1x2x4x3xf32
// GQA: check result[0]: {{.*}}: PASS
// GQA: check result[1]: {{.*}}: PASS
//
// An LSE laid out (m, h): on the GPU transposed back from the grouped order.
// RUN: attn-run %s --function=lse_transposed --device=cpu --random-inputs=7 --check | FileCheck %s --check-prefix=LT
// RUN: attn-run %s --function=lse_transposed --device=rocm-sim --random-inputs=7 --check | FileCheck %s --check-prefix=LT
// LT: result[1]: 5x4xf32
// LT: check result[0]: {{.*}}: PASS
// LT: check result[1]: {{.*}}: PASS
//
// Code objects for both MFMA chips, whatever the shape.
// RUN: attn-run %s --function=odd_causal --device=rocm --chip=gfx942 --compile-only --dump-kernel-report | FileCheck %s --check-prefix=CO
// RUN: attn-run %s --function=masked_rows --device=rocm --chip=gfx90a --compile-only --dump-kernel-report | FileCheck %s --check-prefix=CO
// RUN: attn-run %s --function=decode --device=rocm --chip=gfx90a --compile-only --dump-kernel-report | FileCheck %s --check-prefix=CO
// RUN: attn-run %s --function=gqa_decode --device=rocm --chip=gfx942 --compile-only --dump-kernel-report | FileCheck %s --check-prefix=CO
// CO: kernel {{.+}}_attention_0 (attn_kernels, gfx9{{42|0a}})
// CO: spills                 0 VGPR, 0 SGPR

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mk = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
#lt = affine_map<(b, m, k1, k2, n) -> (m, b)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

func.func @odd_causal(%q: tensor<2x37x40xf32>, %k: tensor<2x77x40xf32>, %v: tensor<2x77x24xf32>) -> (tensor<2x37x24xf32>, tensor<2x37xf32>) {
  %s = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<2x37x24xf32>
  %li = tensor.empty() : tensor<2x37xf32>
  %r:2 = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x37x40xf32>, tensor<2x77x40xf32>, tensor<2x77x24xf32>, f32)
         outs(%init, %li : tensor<2x37x24xf32>, tensor<2x37xf32>) -> tensor<2x37x24xf32>, tensor<2x37xf32>
  return %r#0, %r#1 : tensor<2x37x24xf32>, tensor<2x37xf32>
}

// Row 2 of both batches sees no key (LSE -inf, output 0); the other rows
// see the keys with (i + j) % 3 != 0.
func.func @masked_rows(%q: tensor<2x5x16xf32>, %k: tensor<2x9x16xf32>, %v: tensor<2x9x8xf32>) -> (tensor<2x5x8xf32>, tensor<5x2xf32>) {
  %e = tensor.empty() : tensor<2x5x9xi1>
  %m = linalg.generic {indexing_maps = [#id3], iterator_types = ["parallel", "parallel", "parallel"]} outs(%e : tensor<2x5x9xi1>) {
  ^bb0(%out: i1):
    %i = linalg.index 1 : index
    %j = linalg.index 2 : index
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %c3 = arith.constant 3 : index
    %sum = arith.addi %i, %j : index
    %rem = arith.remui %sum, %c3 : index
    %a = arith.cmpi ne, %rem, %c0 : index
    %b = arith.cmpi ne, %i, %c2 : index
    %vis = arith.andi %a, %b : i1
    linalg.yield %vis : i1
  } -> tensor<2x5x9xi1>
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x5x8xf32>
  %li = tensor.empty() : tensor<5x2xf32>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mk, #o, #lt]}
         ins(%q, %k, %v, %s, %m : tensor<2x5x16xf32>, tensor<2x9x16xf32>, tensor<2x9x8xf32>, f32, tensor<2x5x9xi1>)
         outs(%init, %li : tensor<2x5x8xf32>, tensor<5x2xf32>) -> tensor<2x5x8xf32>, tensor<5x2xf32>
  return %r#0, %r#1 : tensor<2x5x8xf32>, tensor<5x2xf32>
}

#dq = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#dk = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#dv = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#ds = affine_map<(b, h, m, k1, k2, n) -> ()>
#do = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#dl = affine_map<(b, h, m, k1, k2, n) -> (b, h, m)>
func.func @decode(%q: tensor<1x2x1x64xf32>, %k: tensor<1x2x301x64xf32>, %v: tensor<1x2x301x32xf32>) -> (tensor<1x2x1x32xf32>, tensor<1x2x1xf32>) {
  %s = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<1x2x1x32xf32>
  %li = tensor.empty() : tensor<1x2x1xf32>
  %r:2 = attn.attention {indexing_maps = [#dq, #dk, #dv, #ds, #do, #dl]}
         ins(%q, %k, %v, %s : tensor<1x2x1x64xf32>, tensor<1x2x301x64xf32>, tensor<1x2x301x32xf32>, f32)
         outs(%init, %li : tensor<1x2x1x32xf32>, tensor<1x2x1xf32>) -> tensor<1x2x1x32xf32>, tensor<1x2x1xf32>
  return %r#0, %r#1 : tensor<1x2x1x32xf32>, tensor<1x2x1xf32>
}

// GQA decode: 2 KV heads, groups of 4 query heads, 3 new tokens against
// 500 keys (bottom-right causal), f16.
#gq = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, k1)>
#gk = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, k1)>
#gv = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, n)>
#gs = affine_map<(b, h, g, m, k1, k2, n) -> ()>
#go = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, n)>
#gl = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m)>
func.func @gqa_decode(%q: tensor<1x2x4x3x32xf16>, %k: tensor<1x2x500x32xf16>, %v: tensor<1x2x500x32xf16>) -> (tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>) {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<1x2x4x3x32xf16>
  %li = tensor.empty() : tensor<1x2x4x3xf32>
  %r:2 = attn.attention causal(bottom_right) {indexing_maps = [#gq, #gk, #gv, #gs, #go, #gl]}
         ins(%q, %k, %v, %s : tensor<1x2x4x3x32xf16>, tensor<1x2x500x32xf16>, tensor<1x2x500x32xf16>, f16)
         outs(%init, %li : tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>) -> tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>
  return %r#0, %r#1 : tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>
}

#tq = affine_map<(h, m, k1, k2, n) -> (h, m, k1)>
#tk = affine_map<(h, m, k1, k2, n) -> (k2, k1)>
#tv = affine_map<(h, m, k1, k2, n) -> (k2, n)>
#ts = affine_map<(h, m, k1, k2, n) -> ()>
#to = affine_map<(h, m, k1, k2, n) -> (h, m, n)>
#tl = affine_map<(h, m, k1, k2, n) -> (m, h)>
func.func @lse_transposed(%q: tensor<4x5x32xf32>, %k: tensor<100x32xf32>, %v: tensor<100x32xf32>) -> (tensor<4x5x32xf32>, tensor<5x4xf32>) {
  %s = arith.constant 0.125 : f32
  %init = tensor.empty() : tensor<4x5x32xf32>
  %li = tensor.empty() : tensor<5x4xf32>
  %r:2 = attn.attention {indexing_maps = [#tq, #tk, #tv, #ts, #to, #tl]}
         ins(%q, %k, %v, %s : tensor<4x5x32xf32>, tensor<100x32xf32>, tensor<100x32xf32>, f32)
         outs(%init, %li : tensor<4x5x32xf32>, tensor<5x4xf32>) -> tensor<4x5x32xf32>, tensor<5x4xf32>
  return %r#0, %r#1 : tensor<4x5x32xf32>, tensor<5x4xf32>
}
