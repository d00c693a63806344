// Fuzzer seed 133050 (cpu-nograph, compile error): padding 65 query rows to
// whole tiles sliced the real rows out of a result with a dynamic N dim
// with a static size list ("expected the number of 'sizes' to match the
// number of dynamic entries"). The slice now takes the padded result's own
// sizes for the other dims.
// RUN: attn-run %s --no-graph-opt --input=65x1xf32=random --input=1x1xf32=random --input=1x3xf32=random --check | FileCheck %s
// RUN: attn-run %s --input=65x8xf32=random --input=40x8xf32=random --input=40x5xf32=random --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
#map_q = affine_map<(m0, k1_0, k2_0, n0) -> (m0, k1_0)>
#map_k = affine_map<(m0, k1_0, k2_0, n0) -> (k2_0, k1_0)>
#map_v = affine_map<(m0, k1_0, k2_0, n0) -> (k2_0, n0)>
#map_s = affine_map<(m0, k1_0, k2_0, n0) -> ()>
#map_o = affine_map<(m0, k1_0, k2_0, n0) -> (m0, n0)>
func.func @main(%q: tensor<65x?xf32>, %k: tensor<?x?xf32>, %v: tensor<?x?xf32>) -> tensor<65x?xf32> {
  %c1 = arith.constant 1 : index
  %size_n0 = tensor.dim %v, %c1 : tensor<?x?xf32>
  %scale = arith.constant 0.125 : f32
  %empty1 = tensor.empty(%size_n0) : tensor<65x?xf32>
  %attn = attn.attention {indexing_maps = [#map_q, #map_k, #map_v, #map_s, #map_o]}
      ins(%q, %k, %v, %scale : tensor<65x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, f32)
      outs(%empty1 : tensor<65x?xf32>) -> tensor<65x?xf32>
  return %attn : tensor<65x?xf32>
}
