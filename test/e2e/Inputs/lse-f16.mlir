// An LSE init that is not f32 (attn-run-errors.mlir).
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
#l = affine_map<(m, k1, k2, n) -> (m)>
func.func @main(%q: tensor<4x8xf16>, %k: tensor<6x8xf16>, %v: tensor<6x8xf16>) -> (tensor<4x8xf16>, tensor<4xf16>) {
  %s = arith.constant 0.5 : f16
  %o = tensor.empty() : tensor<4x8xf16>
  %l = tensor.empty() : tensor<4xf16>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<4x8xf16>, tensor<6x8xf16>, tensor<6x8xf16>, f16)
         outs(%o, %l : tensor<4x8xf16>, tensor<4xf16>) -> tensor<4x8xf16>, tensor<4xf16>
  return %r#0, %r#1 : tensor<4x8xf16>, tensor<4xf16>
}
