// The GPU kernel takes every layout the CPU path takes (fuzzer: 8 of 25
// random GPU programs were rejected): operands whose role dims are not one
// contiguous run are transposed first, a mask missing some of a role's dims
// is broadcast, a permuted output is transposed back.
// RUN: attn-run %s --device=rocm-sim --random-inputs=1 --check | FileCheck %s
// RUN: attn-run %s --function=interleaved_m --device=rocm-sim --random-inputs=2 --check | FileCheck %s
// RUN: attn-run %s --device=cpu --random-inputs=1 --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
#iq = affine_map<(m, k1, ka, kb, n0, n1) -> (m, k1)>
#ik = affine_map<(m, k1, ka, kb, n0, n1) -> (ka, kb, k1)>
#iv = affine_map<(m, k1, ka, kb, n0, n1) -> (n0, ka, kb, n1)>
#is = affine_map<(m, k1, ka, kb, n0, n1) -> ()>
#imask = affine_map<(m, k1, ka, kb, n0, n1) -> (m, kb)>
#io = affine_map<(m, k1, ka, kb, n0, n1) -> (n1, m, n0)>
func.func @main(%q: tensor<32x16xf16>, %k: tensor<2x8x16xf16>, %v: tensor<4x2x8x16xf16>, %m: tensor<32x8xi1>) -> tensor<16x32x4xf16> {
  %s = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<16x32x4xf16>
  %r = attn.attention {indexing_maps = [#iq, #ik, #iv, #is, #imask, #io]}
         ins(%q, %k, %v, %s, %m : tensor<32x16xf16>, tensor<2x8x16xf16>, tensor<4x2x8x16xf16>, f16, tensor<32x8xi1>)
         outs(%init : tensor<16x32x4xf16>) -> tensor<16x32x4xf16>
  return %r : tensor<16x32x4xf16>
}

#nq = affine_map<(m0, m1, k1, k2, n) -> (m0, m1, k1)>
#nk = affine_map<(m0, m1, k1, k2, n) -> (k2, k1)>
#nv = affine_map<(m0, m1, k1, k2, n) -> (k2, n)>
#ns = affine_map<(m0, m1, k1, k2, n) -> ()>
#no = affine_map<(m0, m1, k1, k2, n) -> (m1, m0, n)>
func.func @interleaved_m(%q: tensor<3x24x16xf32>, %k: tensor<70x16xf32>, %v: tensor<70x16xf32>) -> tensor<24x3x16xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<24x3x16xf32>
  %r = attn.attention {indexing_maps = [#nq, #nk, #nv, #ns, #no]}
         ins(%q, %k, %v, %s : tensor<3x24x16xf32>, tensor<70x16xf32>, tensor<70x16xf32>, f32)
         outs(%init : tensor<24x3x16xf32>) -> tensor<24x3x16xf32>
  return %r : tensor<24x3x16xf32>
}
