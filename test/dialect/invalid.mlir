// RUN: attn-opt %s -split-input-file -verify-diagnostics

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @wrong_map_count(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'attn.attention' op expects 5 indexing maps (one per operand: query, key, value, scale, init), got 4}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @different_dim_counts(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing map of 'key' ranges over 4 dims but the map of 'query' over 5}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2 + 1, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @not_projected_permutation(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing map of 'key' must be a projected permutation}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @rank_mismatch(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6x1xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing map of 'value' has 3 results but the operand has rank 4}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6x1xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @k2_mismatch_key_value(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x32x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'value' has size 32 along d3 (K2 dim, operand dim 1) but 'key' has size 16}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x32x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @batch_mismatch(%q: tensor<2x8x4xf32>, %k: tensor<3x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'key' has size 3 along d0 (batch dim, operand dim 0) but 'query' has size 2}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<3x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k2, n) -> (b, m)>
#k = affine_map<(b, m, k2, n) -> (b, k2)>
#v = affine_map<(b, m, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k2, n) -> ()>
#o = affine_map<(b, m, k2, n) -> (b, m, n)>
func.func @empty_k1_role(%q: tensor<2x8xf32>, %k: tensor<2x16xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing maps have no valid dimension roles: no K1 dim}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8xf32>, tensor<2x16xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1, n)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @dim_without_role(%q: tensor<2x8x4x6xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{dim d4 (used by Q V O) matches no role}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4x6xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @result_init_mismatch(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf16> {
  // expected-error @+1 {{result #0 type 'tensor<2x8x6xf16>' must match 'init' type 'tensor<2x8x6xf32>'}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf16>
  return %r : tensor<2x8x6xf16>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @non_scalar_scale(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: tensor<1xf32>, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{operand #3 must be floating-point, but got 'tensor<1xf32>'}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, tensor<1xf32>)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @f64_scale(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f64, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'scale' has unsupported element type 'f64' (supported: f32, f16, bf16)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f64)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @int_query(%q: tensor<2x8x4xi8>, %k: tensor<2x16x4xi8>, %v: tensor<2x16x6xi8>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'query' has unsupported element type 'i8' (supported: f32, f16, bf16)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xi8>, tensor<2x16x4xi8>, tensor<2x16x6xi8>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @mixed_input_types(%q: tensor<2x8x4xf16>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf16>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'key' element type 'f32' differs from 'query' element type 'f16'}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf16>, tensor<2x16x4xf32>, tensor<2x16x6xf16>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @mask_i8(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %m: tensor<2x8x16xi8>, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'mask' has unsupported element type 'i8' (supported: i1, f32, f16, bf16)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32, tensor<2x8x16xi8>)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @mask_over_n(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %m: tensor<2x8x6xi1>, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing map of 'mask' may only use batch, M and K2 dims; d4 is a N dim}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32, tensor<2x8x6xi1>)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

func.func @too_few_inputs(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+2 {{expected 4 inputs (Q, K, V, scale) or 5 (Q, K, V, scale, mask), got 2}}
  %r = attn.attention {indexing_maps = []}
         ins(%q, %k : tensor<2x8x4xf32>, tensor<2x16x4xf32>)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#row = affine_map<(b, m, k1, k2, n) -> (b, m)>
#bad_row = affine_map<(b, m, k1, k2, n) -> (b)>
func.func @online_bad_max_map(%q: tensor<2x8x4xf16>, %k: tensor<2x16x4xf16>, %v: tensor<2x16x6xf16>, %s: f16,
                              %acc: tensor<2x8x6xf32>, %max: tensor<2xf32>, %sum: tensor<2x8xf32>) {
  // expected-error @+1 {{indexing map of 'max' must use exactly the batch and M dims}}
  %r:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #bad_row, #row]}
           ins(%q, %k, %v, %s : tensor<2x8x4xf16>, tensor<2x16x4xf16>, tensor<2x16x6xf16>, f16)
           outs(%acc, %max, %sum : tensor<2x8x6xf32>, tensor<2xf32>, tensor<2x8xf32>)
           -> tensor<2x8x6xf32>, tensor<2xf32>, tensor<2x8xf32>
  return
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#row = affine_map<(b, m, k1, k2, n) -> (b, m)>
func.func @online_f16_sum(%q: tensor<2x8x4xf16>, %k: tensor<2x16x4xf16>, %v: tensor<2x16x6xf16>, %s: f16,
                          %acc: tensor<2x8x6xf32>, %max: tensor<2x8xf32>, %sum: tensor<2x8xf16>) {
  // expected-error @+1 {{'sum' must have element type f32, got 'f16'}}
  %r:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #row, #row]}
           ins(%q, %k, %v, %s : tensor<2x8x4xf16>, tensor<2x16x4xf16>, tensor<2x16x6xf16>, f16)
           outs(%acc, %max, %sum : tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x8xf16>)
           -> tensor<2x8x6xf32>, tensor<2x8xf32>, tensor<2x8xf16>
  return
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @online_wrong_outs(%q: tensor<2x8x4xf16>, %k: tensor<2x16x4xf16>, %v: tensor<2x16x6xf16>, %s: f16,
                             %acc: tensor<2x8x6xf32>) {
  // expected-error @+3 {{expected 3 outs operand(s) (acc, max, sum), got 1}}
  %r = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o]}
           ins(%q, %k, %v, %s : tensor<2x8x4xf16>, tensor<2x16x4xf16>, tensor<2x16x6xf16>, f16)
           outs(%acc : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return
}

// -----

#q = affine_map<(b, m, k1, k20, k21, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k20, k21, n) -> (b, k20, k21, k1)>
#v = affine_map<(b, m, k1, k20, k21, n) -> (b, k20, k21, n)>
#s = affine_map<(b, m, k1, k20, k21, n) -> ()>
#o = affine_map<(b, m, k1, k20, k21, n) -> (b, m, n)>
func.func @causal_two_k2_dims(%q: tensor<2x8x4xf32>, %k: tensor<2x4x4x4xf32>, %v: tensor<2x4x4x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'attn.attention' op causal needs exactly one K2 dim (the key position), got 2}}
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x4x4x4xf32>, tensor<2x4x4x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @causal_bad_alignment(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{expected causal alignment 'top_left' or 'bottom_right', got 'upper'}}
  %r = attn.attention causal(upper) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @lse_with_n(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>, %l: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{indexing map of 'lse' must use exactly the batch and M dims}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o, %l : tensor<2x8x6xf32>, tensor<2x8x6xf32>) -> tensor<2x8x6xf32>, tensor<2x8x6xf32>
  return %r#0 : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
func.func @lse_f16(%q: tensor<2x8x4xf16>, %k: tensor<2x16x4xf16>, %v: tensor<2x16x6xf16>, %s: f16, %o: tensor<2x8x6xf16>, %l: tensor<2x8xf16>) -> tensor<2x8xf16> {
  // expected-error @+1 {{'lse' must have element type f32, got 'f16'}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf16>, tensor<2x16x4xf16>, tensor<2x16x6xf16>, f16)
         outs(%o, %l : tensor<2x8x6xf16>, tensor<2x8xf16>) -> tensor<2x8x6xf16>, tensor<2x8xf16>
  return %r#1 : tensor<2x8xf16>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
func.func @lse_size(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>, %l: tensor<2x7xf32>) -> tensor<2x7xf32> {
  // expected-error @+1 {{'lse' has size 7 along d1 (M dim, operand dim 1) but 'query' has size 8}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o, %l : tensor<2x8x6xf32>, tensor<2x7xf32>) -> tensor<2x8x6xf32>, tensor<2x7xf32>
  return %r#1 : tensor<2x7xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
func.func @lse_missing_result(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>, %l: tensor<2x8xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'attn.attention' op expects 2 result(s), one per init, got 1}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o, %l : tensor<2x8x6xf32>, tensor<2x8xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @lse_map_missing(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>, %l: tensor<2x8xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+1 {{'attn.attention' op expects 6 indexing maps (one per operand: query, key, value, scale, init, lse), got 5}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o, %l : tensor<2x8x6xf32>, tensor<2x8xf32>) -> tensor<2x8x6xf32>, tensor<2x8xf32>
  return %r#0 : tensor<2x8x6xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @three_outs(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32, %o: tensor<2x8x6xf32>) -> tensor<2x8x6xf32> {
  // expected-error @+3 {{expected 1 outs operand (the output) or 2 (the output, then the lse), got 3}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%o, %o, %o : tensor<2x8x6xf32>, tensor<2x8x6xf32>, tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}
