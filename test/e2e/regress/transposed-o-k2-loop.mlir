// Regression (fuzzer): output map not in loop order with a K2 loop of
// several iterations failed to bufferize (the acc rescale read and wrote
// acc through a permuted map, so it could not update it in place).
// RUN: attn-run %s --random-inputs=1 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=2 --m-tile=4 --k2-tile=24 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=3 --device=rocm-sim --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
func.func @main(%q: tensor<8x16xf32>, %k: tensor<128x16xf32>, %v: tensor<128x16xf32>) -> tensor<16x8xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<16x8xf32>
  %r = attn.attention {indexing_maps = [affine_map<(m, k1, k2, n) -> (m, k1)>,
                                        affine_map<(m, k1, k2, n) -> (k2, k1)>,
                                        affine_map<(m, k1, k2, n) -> (k2, n)>,
                                        affine_map<(m, k1, k2, n) -> ()>,
                                        affine_map<(m, k1, k2, n) -> (n, m)>]}
         ins(%q, %k, %v, %s : tensor<8x16xf32>, tensor<128x16xf32>, tensor<128x16xf32>, f32)
         outs(%init : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %r : tensor<16x8xf32>
}
