// The attention half of a transformer block as a frontend writes it in
// linalg: Q, K and V projections of the same activations (linalg.contract,
// no bias), heads split with tensor.expand_shape and moved with
// linalg.transpose (K to K^T), scores scaled by 1/sqrt(8), linalg.softmax,
// P.V, heads merged back. attn-graph-opt raises the attention, fuses the
// three projections into one linalg.generic that reads the activations
// once (attn-fuse-projections), and still makes that op write V
// transposed (the transposed-V form), so no transpose is left:
//   attn-opt --attn-graph-opt --attn-remarks examples/transformer_block_qkv.mlir
#x = affine_map<(b, l, o, i) -> (b, l, i)>
#w = affine_map<(b, l, o, i) -> (i, o)>
#y = affine_map<(b, l, o, i) -> (b, l, o)>
#sq = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#sk = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#ss = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
#id = affine_map<(b, h, m, n) -> (b, h, m, n)>
func.func @main(%x: tensor<2x64x32xf32>, %wq: tensor<32x32xf32>,
                %wk: tensor<32x32xf32>, %wv: tensor<32x32xf32>)
    -> tensor<2x64x32xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant 0.353553385 : f32
  %pe = tensor.empty() : tensor<2x64x32xf32>
  %pz = linalg.fill ins(%zero : f32) outs(%pe : tensor<2x64x32xf32>) -> tensor<2x64x32xf32>
  %q = linalg.contract indexing_maps = [#x, #w, #y]
         ins(%x, %wq : tensor<2x64x32xf32>, tensor<32x32xf32>) outs(%pz : tensor<2x64x32xf32>) -> tensor<2x64x32xf32>
  %k = linalg.contract indexing_maps = [#x, #w, #y]
         ins(%x, %wk : tensor<2x64x32xf32>, tensor<32x32xf32>) outs(%pz : tensor<2x64x32xf32>) -> tensor<2x64x32xf32>
  %v = linalg.contract indexing_maps = [#x, #w, #y]
         ins(%x, %wv : tensor<2x64x32xf32>, tensor<32x32xf32>) outs(%pz : tensor<2x64x32xf32>) -> tensor<2x64x32xf32>
  %q4 = tensor.expand_shape %q [[0], [1], [2, 3]] output_shape [2, 64, 4, 8] : tensor<2x64x32xf32> into tensor<2x64x4x8xf32>
  %k4 = tensor.expand_shape %k [[0], [1], [2, 3]] output_shape [2, 64, 4, 8] : tensor<2x64x32xf32> into tensor<2x64x4x8xf32>
  %v4 = tensor.expand_shape %v [[0], [1], [2, 3]] output_shape [2, 64, 4, 8] : tensor<2x64x32xf32> into tensor<2x64x4x8xf32>
  %he = tensor.empty() : tensor<2x4x64x8xf32>
  %qh = linalg.transpose ins(%q4 : tensor<2x64x4x8xf32>) outs(%he : tensor<2x4x64x8xf32>) permutation = [0, 2, 1, 3]
  %vh = linalg.transpose ins(%v4 : tensor<2x64x4x8xf32>) outs(%he : tensor<2x4x64x8xf32>) permutation = [0, 2, 1, 3]
  %kte = tensor.empty() : tensor<2x4x8x64xf32>
  %kt = linalg.transpose ins(%k4 : tensor<2x64x4x8xf32>) outs(%kte : tensor<2x4x8x64xf32>) permutation = [0, 2, 3, 1]
  %se = tensor.empty() : tensor<2x4x64x64xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x4x64x64xf32>) -> tensor<2x4x64x64xf32>
  %s = linalg.contract indexing_maps = [#sq, #sk, #ss]
         ins(%qh, %kt : tensor<2x4x64x8xf32>, tensor<2x4x8x64xf32>) outs(%sz : tensor<2x4x64x64xf32>) -> tensor<2x4x64x64xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x4x64x64xf32>) outs(%se : tensor<2x4x64x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.mulf %a, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x4x64x64xf32>
  %p = linalg.softmax dimension(3) ins(%scaled : tensor<2x4x64x64xf32>) outs(%se : tensor<2x4x64x64xf32>) -> tensor<2x4x64x64xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%he : tensor<2x4x64x8xf32>) -> tensor<2x4x64x8xf32>
  %o = linalg.contract indexing_maps = [#sq, #sk, #ss]
         ins(%p, %vh : tensor<2x4x64x64xf32>, tensor<2x4x64x8xf32>) outs(%oz : tensor<2x4x64x8xf32>) -> tensor<2x4x64x8xf32>
  %me = tensor.empty() : tensor<2x64x4x8xf32>
  %om = linalg.transpose ins(%o : tensor<2x4x64x8xf32>) outs(%me : tensor<2x64x4x8xf32>) permutation = [0, 2, 1, 3]
  %out = tensor.collapse_shape %om [[0], [1], [2, 3]] : tensor<2x64x4x8xf32> into tensor<2x64x32xf32>
  return %out : tensor<2x64x32xf32>
}
