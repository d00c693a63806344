// bf16 attention with the products on bf16 pairs (--bf16-dot, the default:
// x86 vdpbf16ps where the host has avx512_bf16, otherwise the f32 path)
// and without, against the reference lowering at bf16's tolerance: standard
// and transposed V, a float mask, causal, and sizes with no pairs (an odd
// number of keys: Q.K^T on pairs, P.V in f32) or a partial last key block.
// 128 keys keep the outputs large enough that a missing scale fails.
// RUN: attn-run %s --function=standard --random-inputs=21 --check | FileCheck %s
// RUN: attn-run %s --function=standard --random-inputs=21 --bf16-dot=false --check | FileCheck %s
// RUN: attn-run %s --function=transposed_v --random-inputs=22 --check | FileCheck %s
// RUN: attn-run %s --function=transposed_v --random-inputs=22 --bf16-dot=false --check | FileCheck %s
// RUN: attn-run %s --function=masked_causal --random-inputs=23 --check | FileCheck %s
// RUN: attn-run %s --function=odd_keys --random-inputs=24 --check | FileCheck %s
// RUN: attn-run %s --function=partial_block --random-inputs=25 --check | FileCheck %s
// RUN: attn-run %s --function=standard --random-inputs=26 --no-graph-opt --m-tile=16 --k2-tile=32 --check | FileCheck %s
// CHECK: check result[0]: {{.*}} (atol 0.016, rtol 0.016): PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

func.func @standard(%q: tensor<3x96x64xbf16>, %k: tensor<3x128x64xbf16>, %v: tensor<3x128x64xbf16>) -> tensor<3x96x64xbf16> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<3x96x64xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<3x96x64xbf16>, tensor<3x128x64xbf16>, tensor<3x128x64xbf16>, bf16)
         outs(%init : tensor<3x96x64xbf16>) -> tensor<3x96x64xbf16>
  return %r : tensor<3x96x64xbf16>
}

func.func @transposed_v(%q: tensor<3x96x64xbf16>, %k: tensor<3x128x64xbf16>, %v: tensor<3x64x128xbf16>) -> tensor<3x96x64xbf16> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<3x96x64xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<3x96x64xbf16>, tensor<3x128x64xbf16>, tensor<3x64x128xbf16>, bf16)
         outs(%init : tensor<3x96x64xbf16>) -> tensor<3x96x64xbf16>
  return %r : tensor<3x96x64xbf16>
}

func.func @masked_causal(%q: tensor<2x128x32xbf16>, %k: tensor<2x128x32xbf16>, %v: tensor<2x128x48xbf16>, %m: tensor<128x128xbf16>) -> tensor<2x128x48xbf16> {
  %s = arith.constant 0.177 : bf16
  %init = tensor.empty() : tensor<2x128x48xbf16>
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x128x32xbf16>, tensor<2x128x32xbf16>, tensor<2x128x48xbf16>, bf16, tensor<128x128xbf16>)
         outs(%init : tensor<2x128x48xbf16>) -> tensor<2x128x48xbf16>
  return %r : tensor<2x128x48xbf16>
}

func.func @odd_keys(%q: tensor<2x64x40xbf16>, %k: tensor<2x63x40xbf16>, %v: tensor<2x63x40xbf16>) -> tensor<2x64x40xbf16> {
  %s = arith.constant 0.158 : bf16
  %init = tensor.empty() : tensor<2x64x40xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x40xbf16>, tensor<2x63x40xbf16>, tensor<2x63x40xbf16>, bf16)
         outs(%init : tensor<2x64x40xbf16>) -> tensor<2x64x40xbf16>
  return %r : tensor<2x64x40xbf16>
}

func.func @partial_block(%q: tensor<2x64x64xbf16>, %k: tensor<2x100x64xbf16>, %v: tensor<2x64x100xbf16>) -> tensor<2x64x64xbf16> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<2x64x64xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x64xbf16>, tensor<2x100x64xbf16>, tensor<2x64x100xbf16>, bf16)
         outs(%init : tensor<2x64x64xbf16>) -> tensor<2x64x64xbf16>
  return %r : tensor<2x64x64xbf16>
}

// Head dims whose vector tiles are narrower than a register: 40 (8-lane
// dots on ymm) and 6 (2 lanes: no dot instruction, the pairs computed in
// f32).
// RUN: attn-run %s --function=head_40 --random-inputs=27 --check | FileCheck %s
// RUN: attn-run %s --function=head_6 --random-inputs=28 --check | FileCheck %s
func.func @head_40(%q: tensor<2x64x40xbf16>, %k: tensor<2x128x40xbf16>, %v: tensor<2x128x40xbf16>) -> tensor<2x64x40xbf16> {
  %s = arith.constant 0.158 : bf16
  %init = tensor.empty() : tensor<2x64x40xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x40xbf16>, tensor<2x128x40xbf16>, tensor<2x128x40xbf16>, bf16)
         outs(%init : tensor<2x64x40xbf16>) -> tensor<2x64x40xbf16>
  return %r : tensor<2x64x40xbf16>
}

func.func @head_6(%q: tensor<2x64x6xbf16>, %k: tensor<2x128x6xbf16>, %v: tensor<2x128x6xbf16>) -> tensor<2x64x6xbf16> {
  %s = arith.constant 0.408 : bf16
  %init = tensor.empty() : tensor<2x64x6xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x6xbf16>, tensor<2x128x6xbf16>, tensor<2x128x6xbf16>, bf16)
         outs(%init : tensor<2x64x6xbf16>) -> tensor<2x64x6xbf16>
  return %r : tensor<2x64x6xbf16>
}
