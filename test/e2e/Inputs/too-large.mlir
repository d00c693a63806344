// Programs whose sizes no machine's memory holds (attn-run-errors.mlir).
func.func @huge_arg(%x: tensor<1000000x1000000xf32>) -> tensor<1000000x1000000xf32> {
  return %x : tensor<1000000x1000000xf32>
}

// A small argument, a 4 TB intermediate inside the compiled code.
func.func @huge_intermediate(%x: tensor<1000000xf32>) -> tensor<1000000xf32> {
  %e = tensor.empty() : tensor<1000000x1000000xf32>
  %b = linalg.generic {indexing_maps = [affine_map<(a, b) -> (b)>, affine_map<(a, b) -> (a, b)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<1000000xf32>) outs(%e : tensor<1000000x1000000xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  } -> tensor<1000000x1000000xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b) -> (a, b)>, affine_map<(a, b) -> (a)>], iterator_types = ["parallel", "reduction"]} ins(%b : tensor<1000000x1000000xf32>) outs(%x : tensor<1000000xf32>) {
  ^bb0(%i: f32, %o: f32):
    %s = arith.addf %i, %o : f32
    linalg.yield %s : f32
  } -> tensor<1000000xf32>
  return %r : tensor<1000000xf32>
}

// Valid attention whose reference check would need O(S^2) memory: the
// tiled program needs O(S), the materialized reference 8 TB.
func.func @long_sequence(%q: tensor<1x1000000x16xf32>, %k: tensor<1x1000000x16xf32>, %v: tensor<1x1000000x16xf32>) -> tensor<1x1000000x16xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<1x1000000x16xf32>
  %r = attn.attention {indexing_maps = [affine_map<(b, m, k1, k2, n) -> (b, m, k1)>, affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>, affine_map<(b, m, k1, k2, n) -> (b, k2, n)>, affine_map<(b, m, k1, k2, n) -> ()>, affine_map<(b, m, k1, k2, n) -> (b, m, n)>]}
         ins(%q, %k, %v, %s : tensor<1x1000000x16xf32>, tensor<1x1000000x16xf32>, tensor<1x1000000x16xf32>, f32)
         outs(%init : tensor<1x1000000x16xf32>) -> tensor<1x1000000x16xf32>
  return %r : tensor<1x1000000x16xf32>
}
