// REQUIRES: avx512bf16
// On a host with avx512_bf16, bf16 attention's products are vdpbf16ps
// (--bf16-dot, the default); --bf16-dot=false keeps them f32 FMAs.
// RUN: rm -f %t.o && attn-run %s --random-inputs --compile-only --dump-object=%t.o && llvm-objdump -d --no-show-raw-insn %t.o | FileCheck %s
// RUN: rm -f %t.o && attn-run %s --random-inputs --compile-only --bf16-dot=false --dump-object=%t.o && llvm-objdump -d --no-show-raw-insn %t.o | FileCheck %s --check-prefix=OFF
// The pairs of each register load as one 64-byte load
// (attn-cpu-flatten-transfers), not assembled from pieces (without it:
// 38 vinserti32x4 and 28 vpermt2w in this object).
// CHECK-NOT: {{vinserti32x4|vpermt2w}}
// CHECK: vdpbf16ps %zmm
// CHECK-NOT: {{vinserti32x4|vpermt2w}}
// OFF-NOT: vdpbf16ps
// OFF: vfmadd
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x128x64xbf16>, %k: tensor<2x128x64xbf16>, %v: tensor<2x128x64xbf16>) -> tensor<2x128x64xbf16> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<2x128x64xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x128x64xbf16>, tensor<2x128x64xbf16>, tensor<2x128x64xbf16>, bf16)
         outs(%init : tensor<2x128x64xbf16>) -> tensor<2x128x64xbf16>
  return %r : tensor<2x128x64xbf16>
}
