// Five parallel tiles (batch 5 x one 64-row tile): on a 2-4 core machine
// the key loop is split so the last wave of tiles keeps every core busy
// (test/codegen/tile-attention-split.mlir checks the splits); the merged
// result against the reference, plain and causal.
// RUN: attn-run %s --function=dense --random-inputs=11 --check | FileCheck %s
// RUN: attn-run %s --function=causal --random-inputs=12 --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @dense(%q: tensor<5x64x32xf32>, %k: tensor<5x512x32xf32>, %v: tensor<5x512x32xf32>) -> tensor<5x64x32xf32> {
  %s = arith.constant 0.177 : f32
  %init = tensor.empty() : tensor<5x64x32xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<5x64x32xf32>, tensor<5x512x32xf32>, tensor<5x512x32xf32>, f32)
         outs(%init : tensor<5x64x32xf32>) -> tensor<5x64x32xf32>
  return %r : tensor<5x64x32xf32>
}
func.func @causal(%q: tensor<5x64x32xf16>, %k: tensor<5x512x32xf16>, %v: tensor<5x512x32xf16>) -> tensor<5x64x32xf16> {
  %s = arith.constant 0.177 : f16
  %init = tensor.empty() : tensor<5x64x32xf16>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<5x64x32xf16>, tensor<5x512x32xf16>, tensor<5x512x32xf16>, f16)
         outs(%init : tensor<5x64x32xf16>) -> tensor<5x64x32xf16>
  return %r : tensor<5x64x32xf16>
}
