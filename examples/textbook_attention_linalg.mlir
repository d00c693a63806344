// Textbook attention as frontends emit it, in plain linalg: K transposed
// with linalg.transpose, S = linalg.batch_matmul(Q, K^T), S / sqrt(64), a
// softmax decomposed into a max reduction, subtract, exp, sum reduction and
// divide, then linalg.batch_matmul(P, V). Batch and heads are merged
// (8 = 2 x 4). attn-graph-opt raises the chain to one attn.attention
// (attn-raise-attention) and folds K's transpose into its map:
//   attn-opt --attn-graph-opt --attn-remarks examples/textbook_attention_linalg.mlir
//   attn-run examples/textbook_attention_linalg.mlir --random-inputs --check
// (--check compares with the reference lowering of this unraised program.)
#id = affine_map<(b, m, n) -> (b, m, n)>
#row = affine_map<(b, m, n) -> (b, m)>
func.func @main(%q: tensor<8x256x64xf32>, %k: tensor<8x512x64xf32>,
                %v: tensor<8x512x64xf32>) -> tensor<8x256x64xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %sqrt_d = arith.constant 8.0 : f32
  %kt_init = tensor.empty() : tensor<8x64x512xf32>
  %kt = linalg.transpose ins(%k : tensor<8x512x64xf32>)
          outs(%kt_init : tensor<8x64x512xf32>) permutation = [0, 2, 1]
  %s_init = tensor.empty() : tensor<8x256x512xf32>
  %s_zero = linalg.fill ins(%zero : f32) outs(%s_init : tensor<8x256x512xf32>) -> tensor<8x256x512xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<8x256x64xf32>, tensor<8x64x512xf32>)
         outs(%s_zero : tensor<8x256x512xf32>) -> tensor<8x256x512xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<8x256x512xf32>) outs(%s_init : tensor<8x256x512xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.divf %x, %sqrt_d : f32
    linalg.yield %y : f32
  } -> tensor<8x256x512xf32>
  %row_init = tensor.empty() : tensor<8x256xf32>
  %max_init = linalg.fill ins(%ninf : f32) outs(%row_init : tensor<8x256xf32>) -> tensor<8x256xf32>
  %max = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%scaled : tensor<8x256x512xf32>) outs(%max_init : tensor<8x256xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.maximumf %x, %acc : f32
    linalg.yield %y : f32
  } -> tensor<8x256xf32>
  %exp = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scaled, %max : tensor<8x256x512xf32>, tensor<8x256xf32>) outs(%s_init : tensor<8x256x512xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %d = arith.subf %x, %m : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<8x256x512xf32>
  %sum_init = linalg.fill ins(%zero : f32) outs(%row_init : tensor<8x256xf32>) -> tensor<8x256xf32>
  %sum = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp : tensor<8x256x512xf32>) outs(%sum_init : tensor<8x256xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %y = arith.addf %x, %acc : f32
    linalg.yield %y : f32
  } -> tensor<8x256xf32>
  %p = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<8x256x512xf32>, tensor<8x256xf32>) outs(%s_init : tensor<8x256x512xf32>) {
  ^bb0(%x: f32, %d: f32, %o: f32):
    %y = arith.divf %x, %d : f32
    linalg.yield %y : f32
  } -> tensor<8x256x512xf32>
  %o_init = tensor.empty() : tensor<8x256x64xf32>
  %o_zero = linalg.fill ins(%zero : f32) outs(%o_init : tensor<8x256x64xf32>) -> tensor<8x256x64xf32>
  %o = linalg.batch_matmul ins(%p, %v : tensor<8x256x512xf32>, tensor<8x512x64xf32>)
         outs(%o_zero : tensor<8x256x64xf32>) -> tensor<8x256x64xf32>
  return %o : tensor<8x256x64xf32>
}
