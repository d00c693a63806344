// The CPU microkernel's shapes against the reference lowering: f16 inputs
// converted per key block, transposed V (acc [N, M], P.V vectorized over
// query rows, 10 value rows x 32 query rows per register tile), a peeled
// last key block (200 = 3 x 64 + 8) and a head dim (40) that is not a
// multiple of the vector width; then 16-row tiles and 48-key blocks.
// RUN: attn-run %s --random-inputs=4 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=5 --m-tile=16 --k2-tile=48 --check | FileCheck %s
// Head dims 96 and 100: vector tiles of 32 and 4 lanes (powers of two).
// RUN: attn-run %s --function=head_96 --random-inputs=6 --check | FileCheck %s --check-prefix=HEAD
// RUN: attn-run %s --function=head_100 --random-inputs=7 --check | FileCheck %s --check-prefix=HEAD
// HEAD: check result[0]: {{.*}}: PASS
// The pass fires on this program (register-tiled contractions).
// RUN: attn-opt %s --attn-cpu-pipeline="lower-to-llvm=false" | FileCheck %s --check-prefix=IR
// The transposed V block (40 rows of 64 keys) is prefetched a block ahead.
// RUN: attn-opt %s --attn-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// CHECK: result[0]: 2x96x40xf16
// CHECK: check result[0]: {{.*}}: PASS
// IR: vector.fma
// LLVM: llvm.intr.prefetch
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x96x40xf16>, %k: tensor<2x200x40xf16>, %v: tensor<2x40x200xf16>) -> tensor<2x96x40xf16> {
  %s = arith.constant 0.158 : f16
  %init = tensor.empty() : tensor<2x96x40xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x96x40xf16>, tensor<2x200x40xf16>, tensor<2x40x200xf16>, f16)
         outs(%init : tensor<2x96x40xf16>) -> tensor<2x96x40xf16>
  return %r : tensor<2x96x40xf16>
}
#q2 = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k2 = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v2 = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
func.func @head_96(%q: tensor<2x64x96xf32>, %k: tensor<2x128x96xf32>, %v: tensor<2x128x96xf32>) -> tensor<2x64x96xf32> {
  %s = arith.constant 0.102 : f32
  %init = tensor.empty() : tensor<2x64x96xf32>
  %r = attn.attention {indexing_maps = [#q2, #k2, #v2, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x96xf32>, tensor<2x128x96xf32>, tensor<2x128x96xf32>, f32)
         outs(%init : tensor<2x64x96xf32>) -> tensor<2x64x96xf32>
  return %r : tensor<2x64x96xf32>
}
func.func @head_100(%q: tensor<2x64x100xf16>, %k: tensor<2x128x100xf16>, %v: tensor<2x100x128xf16>) -> tensor<2x64x100xf16> {
  %s = arith.constant 0.1 : f16
  %init = tensor.empty() : tensor<2x64x100xf16>
  %r = attn.attention {indexing_maps = [#q2, #k2, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x100xf16>, tensor<2x128x100xf16>, tensor<2x100x128xf16>, f16)
         outs(%init : tensor<2x64x100xf16>) -> tensor<2x64x100xf16>
  return %r : tensor<2x64x100xf16>
}
