// Regression (fuzzer): attn-graph-opt folds the output transpose into the
// O map; that program must compile and pass like the input does.
// RUN: attn-run %s --random-inputs=1 --no-graph-opt --check | FileCheck %s
// RUN: attn-run %s --random-inputs=1 --check | FileCheck %s
// RUN: attn-opt %s --attn-graph-opt | FileCheck %s --check-prefix=IR
// CHECK: check result[0]: {{.*}}: PASS
// IR-NOT: linalg.transpose
// IR: attn.attention
func.func @main(%q: tensor<2x24x16xf32>, %k: tensor<2x128x16xf32>, %v: tensor<2x128x8xf32>) -> tensor<2x8x24xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x24x8xf32>
  %r = attn.attention {indexing_maps = [affine_map<(h, m, k1, k2, n) -> (h, m, k1)>, affine_map<(h, m, k1, k2, n) -> (h, k2, k1)>, affine_map<(h, m, k1, k2, n) -> (h, k2, n)>, affine_map<(h, m, k1, k2, n) -> ()>, affine_map<(h, m, k1, k2, n) -> (h, m, n)>]}
         ins(%q, %k, %v, %s : tensor<2x24x16xf32>, tensor<2x128x16xf32>, tensor<2x128x8xf32>, f32)
         outs(%init : tensor<2x24x8xf32>) -> tensor<2x24x8xf32>
  %eo = tensor.empty() : tensor<2x8x24xf32>
  %ot = linalg.transpose ins(%r : tensor<2x24x8xf32>) outs(%eo : tensor<2x8x24xf32>) permutation = [0, 2, 1]
  return %ot : tensor<2x8x24xf32>
}
