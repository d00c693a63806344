// Causal attention (the `causal` attribute): both alignments, M != K2, odd
// sizes, an extra mask, GQA (two M dims), f16; on the CPU (small tiles, so
// the key loop is split into unmasked and diagonal blocks) and under
// rocm-sim. --check compares with the reference lowering; attn-ref with the
// C++ double-precision reference, which shares no code with the compiler.
//
// RUN: attn-run %s --function=bottom_right --device=cpu --random-inputs=1 --m-tile=16 --k2-tile=32 --check | FileCheck %s --check-prefix=BR
// RUN: attn-run %s --function=bottom_right --device=rocm-sim --random-inputs=1 --check | FileCheck %s --check-prefix=BR
// RUN: rm -rf %t && attn-run %s --function=bottom_right --device=cpu --random-inputs=2 --m-tile=16 --k2-tile=32 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.25 --causal=bottom_right --out=%t/out.npy | FileCheck %s --check-prefix=REF-BR
// RUN: rm -rf %t && attn-run %s --function=bottom_right --device=rocm-sim --random-inputs=2 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.25 --causal=bottom_right --out=%t/out.npy --atol=2e-3 --rtol=2e-3 | FileCheck %s --check-prefix=REF-BR
// BR: result[0]: 2x131x24xf32
// BR-NEXT: first values: 0 0 0 0
// BR: check result[0]: {{.*}}: PASS
// BR-NOT: nan
// REF-BR: attn-ref: 2x131x16 K2=77 N=24: {{.*}}: PASS
//
// RUN: attn-run %s --function=top_left --device=cpu --random-inputs=3 --m-tile=16 --k2-tile=32 --check | FileCheck %s --check-prefix=TL
// RUN: attn-run %s --function=top_left --device=rocm-sim --random-inputs=3 --check | FileCheck %s --check-prefix=TL
// RUN: rm -rf %t && attn-run %s --function=top_left --device=cpu --random-inputs=4 --dump-inputs=%t --output=@%t/out.npy > /dev/null
// RUN: attn-ref --q=%t/arg0.npy --k=%t/arg1.npy --v=%t/arg2.npy --scale=0.25 --causal=top_left --out=%t/out.npy | FileCheck %s --check-prefix=REF-TL
// The kernel report shows the blocks skipped: 45 rows see at most keys
// 0-44, one of the 4 key blocks (and K2 is split in two over grid z).
// RUN: attn-run %s --function=top_left --device=rocm --compile-only --dump-kernel-report | FileCheck %s --check-prefix=REPORT
// REPORT: kernel top_left_attention_0
// REPORT: key blocks/workgroup min 0, max 1, total 1 per batch index (25% of dense 4)
// TL: result[0]: 2x45x16xf32
// TL: check result[0]: {{.*}}: PASS
// REF-TL: attn-ref: 2x45x16 K2=200 N=16: {{.*}}: PASS
//
// RUN: attn-run %s --function=with_mask --device=cpu --random-inputs=5 --m-tile=8 --k2-tile=16 --check | FileCheck %s --check-prefix=MASK
// RUN: attn-run %s --function=with_mask --device=rocm-sim --random-inputs=5 --check | FileCheck %s --check-prefix=MASK
// MASK: result[0]: 1x70x16xf32
// MASK-NEXT: first values: 0 0 0 0
// MASK: check result[0]: {{.*}}: PASS
// MASK-NOT: nan
//
// RUN: attn-run %s --function=gqa_f16 --device=cpu --random-inputs=6 --m-tile=16 --k2-tile=16 --check | FileCheck %s --check-prefix=GQA
// RUN: attn-run %s --function=gqa_f16 --device=rocm-sim --random-inputs=6 --check | FileCheck %s --check-prefix=GQA
// GQA: result[0]: 1x2x4x33x32xf16
// GQA: check result[0]: {{.*}}: PASS

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>

// M > K2: the first 131 - 77 = 54 rows see no key (output 0).
func.func @bottom_right(%q: tensor<2x131x16xf32>, %k: tensor<2x77x16xf32>, %v: tensor<2x77x24xf32>) -> tensor<2x131x24xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x131x24xf32>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x131x16xf32>, tensor<2x77x16xf32>, tensor<2x77x24xf32>, f32)
         outs(%init : tensor<2x131x24xf32>) -> tensor<2x131x24xf32>
  return %r : tensor<2x131x24xf32>
}

// M < K2, top-left: the keys past row i are never visited.
func.func @top_left(%q: tensor<2x45x16xf32>, %k: tensor<2x200x16xf32>, %v: tensor<2x200x16xf32>) -> tensor<2x45x16xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x45x16xf32>
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x45x16xf32>, tensor<2x200x16xf32>, tensor<2x200x16xf32>, f32)
         outs(%init : tensor<2x45x16xf32>) -> tensor<2x45x16xf32>
  return %r : tensor<2x45x16xf32>
}

// Causal and an i1 mask that hides key 0: row 0 sees nothing.
func.func @with_mask(%q: tensor<1x70x16xf32>, %k: tensor<1x70x16xf32>, %v: tensor<1x70x16xf32>) -> tensor<1x70x16xf32> {
  %e = tensor.empty() : tensor<70x70xi1>
  %mask = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<70x70xi1>) {
  ^bb0(%out: i1):
    %j = linalg.index 1 : index
    %c0 = arith.constant 0 : index
    %keep = arith.cmpi ne, %j, %c0 : index
    linalg.yield %keep : i1
  } -> tensor<70x70xi1>
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<1x70x16xf32>
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %mask : tensor<1x70x16xf32>, tensor<1x70x16xf32>, tensor<1x70x16xf32>, f32, tensor<70x70xi1>)
         outs(%init : tensor<1x70x16xf32>) -> tensor<1x70x16xf32>
  return %r : tensor<1x70x16xf32>
}

// Grouped-query attention, 2 K/V heads with 4 query heads each (g is a second M dim); the causal
// position is the innermost M dim (m).
#gq = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, k1)>
#gk = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, k1)>
#gv = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, n)>
#gs = affine_map<(b, h, g, m, k1, k2, n) -> ()>
#go = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, n)>
func.func @gqa_f16(%q: tensor<1x2x4x33x32xf16>, %k: tensor<1x2x47x32xf16>, %v: tensor<1x2x47x32xf16>) -> tensor<1x2x4x33x32xf16> {
  %s = arith.constant 0.176 : f16
  %init = tensor.empty() : tensor<1x2x4x33x32xf16>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#gq, #gk, #gv, #gs, #go]}
         ins(%q, %k, %v, %s : tensor<1x2x4x33x32xf16>, tensor<1x2x47x32xf16>, tensor<1x2x47x32xf16>, f16)
         outs(%init : tensor<1x2x4x33x32xf16>) -> tensor<1x2x4x33x32xf16>
  return %r : tensor<1x2x4x33x32xf16>
}
