// Fuzzer seed 136008 (cpu and cpu-nograph, crash): a bf16 dequantize of V
// was vectorized a row at a time by attn-cpu-microkernel into vector<17xbf16>
// multiplies, which LLVM's x86 backend cannot legalize ("Do not know how to
// soft promote this operator's operand"). Generics that compute in bf16
// are now left to LLVM's scalar code and loop vectorizer.
// RUN: attn-run %s --random-inputs=3 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=3 --no-graph-opt --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
#map_q = affine_map<(b0, h, m0, k1_0, k1_1, k2_0, k2_1, n0) -> (h, k1_0, m0, k1_1, b0)>
#map_k = affine_map<(b0, h, m0, k1_0, k1_1, k2_0, k2_1, n0) -> (b0, k2_0, k2_1, k1_0, k1_1)>
#map_v = affine_map<(b0, h, m0, k1_0, k1_1, k2_0, k2_1, n0) -> (b0, n0, k2_0, k2_1)>
#map_s = affine_map<(b0, h, m0, k1_0, k1_1, k2_0, k2_1, n0) -> ()>
#map_o = affine_map<(b0, h, m0, k1_0, k1_1, k2_0, k2_1, n0) -> (m0, n0, h, b0)>
func.func @main(%q: tensor<2x1x2x3x3xbf16>, %k: tensor<3x1x17x1x3xbf16>, %v_src: tensor<3x50x1x17xi8>, %v_zp: tensor<3x50x1x17xi8>, %v_scale: tensor<3x50x1x17xbf16>) -> tensor<2x50x2x3xbf16> {
  %empty1 = tensor.empty() : tensor<3x50x1x17xbf16>
  %dequant2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v_src, %v_zp, %v_scale : tensor<3x50x1x17xi8>, tensor<3x50x1x17xi8>, tensor<3x50x1x17xbf16>)
      outs(%empty1 : tensor<3x50x1x17xbf16>) {
    ^bb0(%x: i8, %zp: i8, %s: bf16, %out: bf16):
      %d = arith.subi %x, %zp : i8
      %f = arith.sitofp %d : i8 to bf16
      %y = arith.mulf %f, %s : bf16
      linalg.yield %y : bf16
  } -> tensor<3x50x1x17xbf16>
  %scale = arith.constant 0.375 : bf16
  %empty3 = tensor.empty() : tensor<2x50x2x3xbf16>
  %attn = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
      ins(%q, %k, %dequant2, %scale : tensor<2x1x2x3x3xbf16>, tensor<3x1x17x1x3xbf16>, tensor<3x50x1x17xbf16>, bf16)
      outs(%empty3 : tensor<2x50x2x3xbf16>) -> tensor<2x50x2x3xbf16>
  return %attn : tensor<2x50x2x3xbf16>
}
