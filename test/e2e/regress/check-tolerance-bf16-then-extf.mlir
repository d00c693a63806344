// Regression (fuzzer): the attention computes in bf16 and a consumer extends
// the result to f32. --check took f32 tolerances from the result type and
// failed on one-ulp bf16 differences; tolerances follow the least precise
// float type in the function.
// RUN: attn-run %s --random-inputs=1 --check | FileCheck %s
// RUN: attn-run %s --random-inputs=4 --check | FileCheck %s
// CHECK: check result[0]: {{.*}} (atol 0.016, rtol 0.016): PASS
func.func @main(%q: tensor<1x128x32xbf16>, %k: tensor<1x96x32xbf16>, %v: tensor<1x96x64xbf16>) -> tensor<1x128x64xf32> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<1x128x64xbf16>
  %r = attn.attention {indexing_maps = [affine_map<(b, m, k1, k2, n) -> (b, m, k1)>,
                                        affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>,
                                        affine_map<(b, m, k1, k2, n) -> (b, k2, n)>,
                                        affine_map<(b, m, k1, k2, n) -> ()>,
                                        affine_map<(b, m, k1, k2, n) -> (b, m, n)>]}
         ins(%q, %k, %v, %s : tensor<1x128x32xbf16>, tensor<1x96x32xbf16>, tensor<1x96x64xbf16>, bf16)
         outs(%init : tensor<1x128x64xbf16>) -> tensor<1x128x64xbf16>
  %e = tensor.empty() : tensor<1x128x64xf32>
  %x = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%r : tensor<1x128x64xbf16>) outs(%e : tensor<1x128x64xf32>) {
  ^bb0(%in: bf16, %out: f32):
    %f = arith.extf %in : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<1x128x64xf32>
  return %x : tensor<1x128x64xf32>
}
