// Regression (fuzzer): three f32 Q/K/V of one shape. Their f16 conversions
// shared one buffer after bufferization (the kernel's to_buffer ops came
// before later conversions wrote in place) and the GPU kernel computed
// attention(V, V, V).
// RUN: attn-run %s --random-inputs=1 --device=rocm-sim --check | FileCheck %s
// RUN: attn-run %s --random-inputs=1 --device=cpu --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
func.func @main(%q: tensor<64x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<64x16xf32>
  %r = attn.attention {indexing_maps = [affine_map<(m, k1, k2, n) -> (m, k1)>,
                                        affine_map<(m, k1, k2, n) -> (k2, k1)>,
                                        affine_map<(m, k1, k2, n) -> (k2, n)>,
                                        affine_map<(m, k1, k2, n) -> ()>,
                                        affine_map<(m, k1, k2, n) -> (m, n)>]}
         ins(%q, %k, %v, %s : tensor<64x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
         outs(%init : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}
