// RUN: attn-opt %s --attn-raise-attention --attn-remarks -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --attn-raise-attention | attn-opt --attn-raise-attention | FileCheck %s
//
// Each accepted form is also run against its unraised original by
// test/e2e/raise-attention-numerics.mlir (attn-run --check).

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#rowk2 = affine_map<(d0, d1) -> (d0, 0)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tr3 = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rowk4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#mk4 = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#unit4 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#scalar4 = affine_map<(d0, d1, d2, d3) -> ()>
// 4-D contractions over (b, h, m, k2, k1) / (b, h, m, n, k2).
#cq = affine_map<(b, h, m, j, k) -> (b, h, m, k)>
#ck = affine_map<(b, h, m, j, k) -> (b, h, j, k)>
#cs = affine_map<(b, h, m, j, k) -> (b, h, m, j)>
#cp = affine_map<(b, h, m, n, j) -> (b, h, m, j)>
#cv = affine_map<(b, h, m, n, j) -> (b, h, j, n)>
#co = affine_map<(b, h, m, n, j) -> (b, h, m, n)>

// linalg.matmul with K transposed by linalg.transpose, scores scaled by a
// captured constant, linalg.softmax.
// CHECK-LABEL: func.func @matmul_softmax
// CHECK-NOT: linalg.softmax
// CHECK-NOT: linalg.matmul
// CHECK: %[[S:.+]] = arith.constant 1.250000e-01 : f32
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %{{.+}}, %arg2, %[[S]] : tensor<16x8xf32>, tensor<8x12xf32>, tensor<12x8xf32>, f32)
// CHECK-NEXT: return
func.func @matmul_softmax(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant 0.125 : f32
  %te = tensor.empty() : tensor<8x12xf32>
  %kt = linalg.transpose ins(%k : tensor<12x8xf32>) outs(%te : tensor<8x12xf32>) permutation = [1, 0]
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul ins(%q, %kt : tensor<16x8xf32>, tensor<8x12xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%ss : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.matmul -> scale -> softmax -> linalg.matmul (scale 0.125) to attn.attention}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// linalg.batch_matmul, K transposed by a permuting generic, scores divided
// by a constant, the softmax decomposed as frontends emit it (maximumf,
// subtract, exp, sum, divide; rows broadcast through the maps).
// CHECK-LABEL: func.func @batch_matmul_decomposed
// CHECK-NOT: linalg.batch_matmul
// CHECK-NOT: math.exp
// CHECK: %[[S:.+]] = arith.constant 2.500000e-01 : f32
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %{{.+}}, %arg2, %[[S]] :
func.func @batch_matmul_decomposed(%q: tensor<2x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>) -> tensor<2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %c = arith.constant 4.0 : f32
  %te = tensor.empty() : tensor<2x8x12xf32>
  %kt = linalg.generic {indexing_maps = [#tr3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x12x8xf32>) outs(%te : tensor<2x8x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<2x8x12xf32>
  %se = tensor.empty() : tensor<2x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x16x8xf32>, tensor<2x8x12xf32>) outs(%sz : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.divf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %re = tensor.empty() : tensor<2x16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%re : tensor<2x16xf32>) -> tensor<2x16xf32>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ss : tensor<2x16x12xf32>) outs(%mi : tensor<2x16xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.maximumf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<2x16xf32>
  %sub = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<2x16x12xf32>, tensor<2x16xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %y = arith.subf %x, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %si = linalg.fill ins(%zero : f32) outs(%re : tensor<2x16xf32>) -> tensor<2x16xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x16x12xf32>) outs(%si : tensor<2x16xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.addf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<2x16xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x16x12xf32>, tensor<2x16xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %d: f32, %o: f32):
    %y = arith.divf %x, %d : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %oe = tensor.empty() : tensor<2x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.batch_matmul -> scale -> softmax -> linalg.batch_matmul (scale 0.25) to attn.attention}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf32>, tensor<2x12x8xf32>) outs(%oz : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  return %o : tensor<2x16x8xf32>
}

// linalg.matmul with a transposed-B indexing map (Q.K^T in one op), no
// scale, keepdim reductions ([16x1]) with maxnumf, no separate subtract
// (fused with the exp) and a multiply by the reciprocal of the sum.
// CHECK-LABEL: func.func @matmul_maps_keepdim_reciprocal
// CHECK: %[[S:.+]] = arith.constant 1.000000e+00 : f32
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %[[S]] : tensor<16x8xf32>, tensor<12x8xf32>, tensor<12x8xf32>, f32)
// CHECK-NEXT: return
func.func @matmul_maps_keepdim_reciprocal(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %re = tensor.empty() : tensor<16x1xf32>
  %mi = linalg.fill ins(%lowest : f32) outs(%re : tensor<16x1xf32>) -> tensor<16x1xf32>
  %max = linalg.generic {indexing_maps = [#id2, #rowk2], iterator_types = ["parallel", "reduction"]}
      ins(%s : tensor<16x12xf32>) outs(%mi : tensor<16x1xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.maxnumf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<16x1xf32>
  %exp = linalg.generic {indexing_maps = [#id2, #rowk2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %max : tensor<16x12xf32>, tensor<16x1xf32>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %d = arith.subf %x, %m : f32
    %y = math.exp %d : f32
    linalg.yield %y : f32
  } -> tensor<16x12xf32>
  %si = linalg.fill ins(%zero : f32) outs(%re : tensor<16x1xf32>) -> tensor<16x1xf32>
  %sum = linalg.generic {indexing_maps = [#id2, #rowk2], iterator_types = ["parallel", "reduction"]}
      ins(%exp : tensor<16x12xf32>) outs(%si : tensor<16x1xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.addf %a, %x : f32
    linalg.yield %y : f32
  } -> tensor<16x1xf32>
  %rcp = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<16x1xf32>) outs(%re : tensor<16x1xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.divf %one, %x : f32
    linalg.yield %y : f32
  } -> tensor<16x1xf32>
  %p = linalg.generic {indexing_maps = [#id2, #rowk2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %rcp : tensor<16x12xf32>, tensor<16x1xf32>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %r: f32, %o: f32):
    %y = arith.mulf %x, %r : f32
    linalg.yield %y : f32
  } -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.matmul -> softmax -> linalg.matmul (scale 1) to attn.attention}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// Generic 4-D contractions (batch x heads), Q scaled in an op of its own,
// a float mask over (m, k2) broadcast over batch and heads.
// CHECK-LABEL: func.func @generic_4d_float_mask
// CHECK: %[[S:.+]] = arith.constant 1.250000e-01 : f32
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %[[S]], %arg3 : tensor<2x2x16x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, f32, tensor<16x12xf32>)
func.func @generic_4d_float_mask(%q: tensor<2x2x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %mask: tensor<16x12xf32>) -> tensor<2x2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant 0.125 : f32
  %qe = tensor.empty() : tensor<2x2x16x8xf32>
  %qs = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<2x2x16x8xf32>) outs(%qe : tensor<2x2x16x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %c, %x : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x8xf32>
  %se = tensor.empty() : tensor<2x2x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x2x16x12xf32>) -> tensor<2x2x16x12xf32>
  %s = linalg.generic {indexing_maps = [#cq, #ck, #cs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs, %k : tensor<2x2x16x8xf32>, tensor<2x2x12x8xf32>) outs(%sz : tensor<2x2x16x12xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %y = arith.addf %acc, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %sm = linalg.generic {indexing_maps = [#id4, #mk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<2x2x16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %y = arith.addf %x, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %p = linalg.softmax dimension(3) ins(%sm : tensor<2x2x16x12xf32>) outs(%se : tensor<2x2x16x12xf32>) -> tensor<2x2x16x12xf32>
  %oe = tensor.empty() : tensor<2x2x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.generic -> scale -> mask -> softmax -> linalg.generic (scale 0.125) to attn.attention}}
  %o = linalg.generic {indexing_maps = [#cp, #cv, #co], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x2x16x12xf32>, tensor<2x2x12x8xf32>) outs(%oz : tensor<2x2x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %y = arith.addf %acc, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x8xf32>
  return %o : tensor<2x2x16x8xf32>
}

// linalg.contract for both products, an i1 mask applied with a select to
// -inf after the scale (a 0-d constant tensor), the mask [1, 1, 16, 12]
// indexed with constants along its unit dims.
// CHECK-LABEL: func.func @contract_bool_mask
// CHECK: %[[M:.+]] = tensor.collapse_shape %arg3 {{\[}}[0, 1, 2], [3]] : tensor<1x1x16x12xi1> into tensor<16x12xi1>
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}}, %[[M]] : tensor<2x2x16x8xf32>, tensor<2x2x12x8xf32>, tensor<2x2x12x8xf32>, f32, tensor<16x12xi1>)
func.func @contract_bool_mask(%q: tensor<2x2x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>, %mask: tensor<1x1x16x12xi1>) -> tensor<2x2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %c = arith.constant dense<0.125> : tensor<f32>
  %se = tensor.empty() : tensor<2x2x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x2x16x12xf32>) -> tensor<2x2x16x12xf32>
  %s = linalg.contract indexing_maps = [#cq, #ck, #cs]
      ins(%q, %k : tensor<2x2x16x8xf32>, tensor<2x2x12x8xf32>) outs(%sz : tensor<2x2x16x12xf32>) -> tensor<2x2x16x12xf32>
  %sm = linalg.generic {indexing_maps = [#id4, #scalar4, #unit4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %c, %mask : tensor<2x2x16x12xf32>, tensor<f32>, tensor<1x1x16x12xi1>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %f: f32, %m: i1, %o: f32):
    %y = arith.mulf %x, %f : f32
    %z = arith.select %m, %y, %ninf : f32
    linalg.yield %z : f32
  } -> tensor<2x2x16x12xf32>
  %p = linalg.softmax dimension(3) ins(%sm : tensor<2x2x16x12xf32>) outs(%se : tensor<2x2x16x12xf32>) -> tensor<2x2x16x12xf32>
  %oe = tensor.empty() : tensor<2x2x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.contract -> scale -> i1 mask -> softmax -> linalg.contract (scale 0.125) to attn.attention}}
  %o = linalg.contract indexing_maps = [#cp, #cv, #co]
      ins(%p, %v : tensor<2x2x16x12xf32>, tensor<2x2x12x8xf32>) outs(%oz : tensor<2x2x16x8xf32>) -> tensor<2x2x16x8xf32>
  return %o : tensor<2x2x16x8xf32>
}

// The scores computed transposed (S^T = K.Q^T) and transposed back; the
// softmax without the max subtraction.
// CHECK-LABEL: func.func @transposed_scores_no_max
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<2x16x8xf32>, tensor<2x12x8xf32>, tensor<2x12x8xf32>, f32)
func.func @transposed_scores_no_max(%q: tensor<2x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<2x12x8xf32>) -> tensor<2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %te = tensor.empty() : tensor<2x12x16xf32>
  %tz = linalg.fill ins(%zero : f32) outs(%te : tensor<2x12x16xf32>) -> tensor<2x12x16xf32>
  %st = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%k, %q : tensor<2x12x8xf32>, tensor<2x16x8xf32>) outs(%tz : tensor<2x12x16xf32>) -> tensor<2x12x16xf32>
  %se = tensor.empty() : tensor<2x16x12xf32>
  %s = linalg.transpose ins(%st : tensor<2x12x16xf32>) outs(%se : tensor<2x16x12xf32>) permutation = [0, 2, 1]
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %re = tensor.empty() : tensor<2x16xf32>
  %si = linalg.fill ins(%zero : f32) outs(%re : tensor<2x16xf32>) -> tensor<2x16xf32>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x16x12xf32>) outs(%si : tensor<2x16xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.addf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<2x16xf32>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x16x12xf32>, tensor<2x16xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %d: f32, %o: f32):
    %y = arith.divf %x, %d : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %oe = tensor.empty() : tensor<2x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.batch_matmul -> softmax -> linalg.batch_matmul (scale 1) to attn.attention}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf32>, tensor<2x12x8xf32>) outs(%oz : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  return %o : tensor<2x16x8xf32>
}

// Named ops throughout: linalg.reduce, linalg.broadcast, linalg.sub,
// linalg.exp, linalg.div.
// CHECK-LABEL: func.func @named_elementwise_softmax
// CHECK-NOT: linalg.reduce
// CHECK: attn.attention
func.func @named_elementwise_softmax(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %re = tensor.empty() : tensor<16xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%re : tensor<16xf32>) -> tensor<16xf32>
  %max = linalg.reduce ins(%s : tensor<16x12xf32>) outs(%mi : tensor<16xf32>) dimensions = [1]
    (%x: f32, %a: f32) {
      %y = arith.maximumf %x, %a : f32
      linalg.yield %y : f32
    }
  %maxb = linalg.broadcast ins(%max : tensor<16xf32>) outs(%se : tensor<16x12xf32>) dimensions = [1]
  %sub = linalg.sub ins(%s, %maxb : tensor<16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %exp = linalg.exp ins(%sub : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %si = linalg.fill ins(%zero : f32) outs(%re : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.reduce ins(%exp : tensor<16x12xf32>) outs(%si : tensor<16xf32>) dimensions = [1]
    (%x: f32, %a: f32) {
      %y = arith.addf %x, %a : f32
      linalg.yield %y : f32
    }
  %sumb = linalg.broadcast ins(%sum : tensor<16xf32>) outs(%se : tensor<16x12xf32>) dimensions = [1]
  %p = linalg.div ins(%exp, %sumb : tensor<16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.matmul -> softmax -> linalg.matmul (scale 1) to attn.attention}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// f16 inputs, scores accumulated in f32, softmax in f32, P truncated to
// f16 for the second product.
// CHECK-LABEL: func.func @f16_truncf
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %{{.+}}, %arg2, %{{.+}} : tensor<2x16x8xf16>, tensor<2x8x12xf16>, tensor<2x12x8xf16>, f32)
// CHECK-SAME: -> tensor<2x16x8xf16>
func.func @f16_truncf(%q: tensor<2x16x8xf16>, %k: tensor<2x12x8xf16>, %v: tensor<2x12x8xf16>) -> tensor<2x16x8xf16> {
  %zero = arith.constant 0.0 : f32
  %zh = arith.constant 0.0 : f16
  %c = arith.constant 0.353553385 : f32
  %te = tensor.empty() : tensor<2x8x12xf16>
  %kt = linalg.transpose ins(%k : tensor<2x12x8xf16>) outs(%te : tensor<2x8x12xf16>) permutation = [0, 2, 1]
  %se = tensor.empty() : tensor<2x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x16x8xf16>, tensor<2x8x12xf16>) outs(%sz : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.mulf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x16x12xf32>
  %p32 = linalg.softmax dimension(2) ins(%ss : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %he = tensor.empty() : tensor<2x16x12xf16>
  %p = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p32 : tensor<2x16x12xf32>) outs(%he : tensor<2x16x12xf16>) {
  ^bb0(%x: f32, %o: f16):
    %y = arith.truncf %x : f32 to f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %oe = tensor.empty() : tensor<2x16x8xf16>
  %oz = linalg.fill ins(%zh : f16) outs(%oe : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.batch_matmul -> scale -> softmax -> linalg.batch_matmul (scale 0.353553) to attn.attention}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf16>, tensor<2x12x8xf16>) outs(%oz : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  return %o : tensor<2x16x8xf16>
}

// f16 end to end as frontends emit it: f16 scores, extf to f32 for the
// softmax (a 0-d f16 scale tensor), truncf back.
// CHECK-LABEL: func.func @f16_extf_softmax
// CHECK: attn.attention
// CHECK-SAME: -> tensor<2x16x8xf16>
func.func @f16_extf_softmax(%q: tensor<2x16x8xf16>, %k: tensor<2x8x12xf16>, %v: tensor<2x12x8xf16>) -> tensor<2x16x8xf16> {
  %zh = arith.constant 0.0 : f16
  %c = arith.constant dense<0.25> : tensor<f16>
  %se = tensor.empty() : tensor<2x16x12xf16>
  %sz = linalg.fill ins(%zh : f16) outs(%se : tensor<2x16x12xf16>) -> tensor<2x16x12xf16>
  %s = linalg.batch_matmul ins(%q, %k : tensor<2x16x8xf16>, tensor<2x8x12xf16>) outs(%sz : tensor<2x16x12xf16>) -> tensor<2x16x12xf16>
  %fe = tensor.empty() : tensor<2x16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id3, affine_map<(d0, d1, d2) -> ()>, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s, %c : tensor<2x16x12xf16>, tensor<f16>) outs(%fe : tensor<2x16x12xf32>) {
  ^bb0(%x: f16, %f: f16, %o: f32):
    %y = arith.mulf %x, %f : f16
    %z = arith.extf %y : f16 to f32
    linalg.yield %z : f32
  } -> tensor<2x16x12xf32>
  %p32 = linalg.softmax dimension(2) ins(%ss : tensor<2x16x12xf32>) outs(%fe : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %p = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p32 : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f32, %o: f16):
    %y = arith.truncf %x : f32 to f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %oe = tensor.empty() : tensor<2x16x8xf16>
  %oz = linalg.fill ins(%zh : f16) outs(%oe : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.batch_matmul -> scale -> softmax -> linalg.batch_matmul (scale 0.25) to attn.attention}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf16>, tensor<2x12x8xf16>) outs(%oz : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  return %o : tensor<2x16x8xf16>
}

// bf16 with the scale on K.
// CHECK-LABEL: func.func @bf16_scaled_k
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<16x8xbf16>, tensor<12x8xbf16>, tensor<12x8xbf16>, f32)
func.func @bf16_scaled_k(%q: tensor<16x8xbf16>, %k: tensor<12x8xbf16>, %v: tensor<12x8xbf16>) -> tensor<16x8xbf16> {
  %zero = arith.constant 0.0 : f32
  %zb = arith.constant 0.0 : bf16
  %c = arith.constant 2.0 : bf16
  %ke = tensor.empty() : tensor<12x8xbf16>
  %ks = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%k : tensor<12x8xbf16>) outs(%ke : tensor<12x8xbf16>) {
  ^bb0(%x: bf16, %o: bf16):
    %y = arith.divf %x, %c : bf16
    linalg.yield %y : bf16
  } -> tensor<12x8xbf16>
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %ks : tensor<16x8xbf16>, tensor<12x8xbf16>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p32 = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %be = tensor.empty() : tensor<16x12xbf16>
  %p = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%p32 : tensor<16x12xf32>) outs(%be : tensor<16x12xbf16>) {
  ^bb0(%x: f32, %o: bf16):
    %y = arith.truncf %x : f32 to bf16
    linalg.yield %y : bf16
  } -> tensor<16x12xbf16>
  %oe = tensor.empty() : tensor<16x8xbf16>
  %oz = linalg.fill ins(%zb : bf16) outs(%oe : tensor<16x8xbf16>) -> tensor<16x8xbf16>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.matmul -> scale -> softmax -> linalg.matmul (scale 0.5) to attn.attention}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xbf16>, tensor<12x8xbf16>) outs(%oz : tensor<16x8xbf16>) -> tensor<16x8xbf16>
  return %o : tensor<16x8xbf16>
}

// Heads merged into the batch dim around linalg.batch_matmul (as
// torch-mlir lowers 4-D matmuls): collapse_shape before each product,
// expand_shape after; keepdim reductions ([2x2x16x1]). The products are
// expanded over (batch, heads) first (upstream fusion by expansion), so the
// reshapes leave the chain and the attention reads the 4-D Q, K, V.
// CHECK-LABEL: func.func @heads_merged_batch_matmul
// CHECK-NOT: tensor.collapse_shape
// CHECK-NOT: tensor.expand_shape
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %{{.+}}, %arg2, %{{.+}} : tensor<2x2x16x8xf32>, tensor<2x2x8x12xf32>, tensor<2x2x12x8xf32>, f32)
// CHECK-NEXT: return
func.func @heads_merged_batch_matmul(%q: tensor<2x2x16x8xf32>, %k: tensor<2x2x12x8xf32>, %v: tensor<2x2x12x8xf32>) -> tensor<2x2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %c = arith.constant 2.0 : f32
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x16x8xf32> into tensor<4x16x8xf32>
  %te = tensor.empty() : tensor<2x2x8x12xf32>
  %kt = linalg.transpose ins(%k : tensor<2x2x12x8xf32>) outs(%te : tensor<2x2x8x12xf32>) permutation = [0, 1, 3, 2]
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x12xf32> into tensor<4x8x12xf32>
  %se3 = tensor.empty() : tensor<4x16x12xf32>
  %sz3 = linalg.fill ins(%zero : f32) outs(%se3 : tensor<4x16x12xf32>) -> tensor<4x16x12xf32>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x16x8xf32>, tensor<4x8x12xf32>) outs(%sz3 : tensor<4x16x12xf32>) -> tensor<4x16x12xf32>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [2, 2, 16, 12] : tensor<4x16x12xf32> into tensor<2x2x16x12xf32>
  %se = tensor.empty() : tensor<2x2x16x12xf32>
  %ss = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x2x16x12xf32>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.divf %x, %c : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %re = tensor.empty() : tensor<2x2x16x1xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%re : tensor<2x2x16x1xf32>) -> tensor<2x2x16x1xf32>
  %max = linalg.generic {indexing_maps = [#id4, #rowk4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ss : tensor<2x2x16x12xf32>) outs(%mi : tensor<2x2x16x1xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.maximumf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x1xf32>
  %sub = linalg.generic {indexing_maps = [#id4, #rowk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<2x2x16x12xf32>, tensor<2x2x16x1xf32>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %y = arith.subf %x, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %exp = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub : tensor<2x2x16x12xf32>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = math.exp %x : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %si = linalg.fill ins(%zero : f32) outs(%re : tensor<2x2x16x1xf32>) -> tensor<2x2x16x1xf32>
  %sum = linalg.generic {indexing_maps = [#id4, #rowk4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x2x16x12xf32>) outs(%si : tensor<2x2x16x1xf32>) {
  ^bb0(%x: f32, %a: f32):
    %y = arith.addf %x, %a : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x1xf32>
  %p = linalg.generic {indexing_maps = [#id4, #rowk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x2x16x12xf32>, tensor<2x2x16x1xf32>) outs(%se : tensor<2x2x16x12xf32>) {
  ^bb0(%x: f32, %d: f32, %o: f32):
    %y = arith.divf %x, %d : f32
    linalg.yield %y : f32
  } -> tensor<2x2x16x12xf32>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x16x12xf32> into tensor<4x16x12xf32>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x12x8xf32> into tensor<4x12x8xf32>
  %oe3 = tensor.empty() : tensor<4x16x8xf32>
  %oz3 = linalg.fill ins(%zero : f32) outs(%oe3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.generic -> scale -> softmax -> linalg.generic (scale 0.5) to attn.attention}}
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x16x12xf32>, tensor<4x12x8xf32>) outs(%oz3 : tensor<4x16x8xf32>) -> tensor<4x16x8xf32>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [2, 2, 16, 8] : tensor<4x16x8xf32> into tensor<2x2x16x8xf32>
  return %o : tensor<2x2x16x8xf32>
}

// Dynamic batch and key length.
// CHECK-LABEL: func.func @dynamic_shapes
// CHECK: %[[B:.+]] = tensor.dim %arg0, %c0
// CHECK: %[[E:.+]] = tensor.empty(%[[B]]) : tensor<?x16x8xf32>
// CHECK-NOT: linalg
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<?x16x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, f32) outs(%[[E]] : tensor<?x16x8xf32>)
func.func @dynamic_shapes(%q: tensor<?x16x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>) -> tensor<?x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %q, %c0 : tensor<?x16x8xf32>
  %l = tensor.dim %k, %c1 : tensor<?x?x8xf32>
  %se = tensor.empty(%b, %l) : tensor<?x16x?xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<?x16x?xf32>) -> tensor<?x16x?xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<?x16x8xf32>, tensor<?x?x8xf32>) outs(%sz : tensor<?x16x?xf32>) -> tensor<?x16x?xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x16x?xf32>) outs(%se : tensor<?x16x?xf32>) -> tensor<?x16x?xf32>
  %oe = tensor.empty(%b) : tensor<?x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<?x16x8xf32>) -> tensor<?x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] raised linalg.batch_matmul -> softmax -> linalg.batch_matmul (scale 1) to attn.attention}}
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x16x?xf32>, tensor<?x?x8xf32>) outs(%oz : tensor<?x16x8xf32>) -> tensor<?x16x8xf32>
  return %o : tensor<?x16x8xf32>
}

//===----------------------------------------------------------------------===//
// Declined.
//===----------------------------------------------------------------------===//

// S is also returned: raising would have to compute it anyway.
// CHECK-LABEL: func.func @declined_scores_used
// CHECK-NOT: attn.attention
// CHECK: linalg.softmax
func.func @declined_scores_used(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> (tensor<16x8xf32>, tensor<16x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: S has another user (func.return), which would still need it}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o, %s : tensor<16x8xf32>, tensor<16x12xf32>
}

// P is also returned (attention weights as an output).
// CHECK-LABEL: func.func @declined_probabilities_used
// CHECK-NOT: attn.attention
func.func @declined_probabilities_used(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> (tensor<16x8xf32>, tensor<16x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: P has another user (func.return), which would still need it}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o, %p : tensor<16x8xf32>, tensor<16x12xf32>
}

// The softmax normalizes over the query dim (dim 0), which the second
// product does not reduce: not attention.
// CHECK-LABEL: func.func @declined_softmax_wrong_dim
// CHECK-NOT: attn.attention
func.func @declined_softmax_wrong_dim(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(0) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: the softmax is over a dim that is not the reduction dim of the P.V contraction}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// Q and K are batched, V is not: the batch dim would be used by Q, K and O
// only, which no attention role allows.
// CHECK-LABEL: func.func @declined_shapes
// CHECK-NOT: attn.attention
func.func @declined_shapes(%q: tensor<2x16x8xf32>, %k: tensor<2x12x8xf32>, %v: tensor<12x8xf32>) -> tensor<2x16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<2x16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<2x16x8xf32>, tensor<2x12x8xf32>) outs(%sz : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %p = linalg.softmax dimension(2) ins(%s : tensor<2x16x12xf32>) outs(%se : tensor<2x16x12xf32>) -> tensor<2x16x12xf32>
  %oe = tensor.empty() : tensor<2x16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: the shapes do not fit attention: dim d0 (used by Q K O) matches no role}}
  %o = linalg.generic {indexing_maps = [affine_map<(b, m, n, j) -> (b, m, j)>, affine_map<(b, m, n, j) -> (j, n)>, affine_map<(b, m, n, j) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<2x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %y = arith.addf %acc, %m : f32
    linalg.yield %y : f32
  } -> tensor<2x16x8xf32>
  return %o : tensor<2x16x8xf32>
}

// (S + mask) * c is not scale * S + mask.
// CHECK-LABEL: func.func @declined_mask_before_scale
// CHECK-NOT: attn.attention
func.func @declined_mask_before_scale(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>, %mask: tensor<16x12xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c = arith.constant 0.125 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %sm = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %mask : tensor<16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %y = arith.addf %x, %m : f32
    %z = arith.mulf %y, %c : f32
    linalg.yield %z : f32
  } -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%sm : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: the float mask is added before the scale}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// select(mask, -inf, S) masks out where the mask is true.
// CHECK-LABEL: func.func @declined_inverted_bool_mask
// CHECK-NOT: attn.attention
func.func @declined_inverted_bool_mask(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>, %mask: tensor<16x12xi1>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %sm = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %mask : tensor<16x12xf32>, tensor<16x12xi1>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %m: i1, %o: f32):
    %y = arith.select %m, %ninf, %x : f32
    linalg.yield %y : f32
  } -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%sm : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: the i1 mask selects -inf where it is true (attn.attention masks out where false)}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// Scores multiplied by a tensor, not a constant.
// CHECK-LABEL: func.func @declined_scale_not_constant
// CHECK-NOT: attn.attention
func.func @declined_scale_not_constant(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>, %w: tensor<16x12xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %sm = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %w : tensor<16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) {
  ^bb0(%x: f32, %m: f32, %o: f32):
    %y = arith.mulf %x, %m : f32
    linalg.yield %y : f32
  } -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%sm : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: the scores are multiplied by a value that is not a constant}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// The second product accumulates into a bias: O = bias + P.V.
// CHECK-LABEL: func.func @declined_nonzero_init
// CHECK-NOT: attn.attention
func.func @declined_nonzero_init(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>, %bias: tensor<16x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  // expected-remark @+1 {{[attn-raise-attention] declined: P.V accumulates into an init that is not zero}}
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%bias : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// Not attention: exp without normalization between two products, and a
// plain matmul chain. No remark: nothing here looks like a softmax.
// CHECK-LABEL: func.func @not_attention_unnormalized
// CHECK-NOT: attn.attention
// CHECK: linalg.exp
func.func @not_attention_unnormalized(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %e = linalg.exp ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  %o = linalg.matmul ins(%e, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}

// A softmax whose result is biased before the second product is not
// attention either.
// CHECK-LABEL: func.func @not_attention_biased_probabilities
// CHECK-NOT: attn.attention
// CHECK: linalg.softmax
func.func @not_attention_biased_probabilities(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>, %b: tensor<16x12xf32>) -> tensor<16x8xf32> {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %pb = linalg.add ins(%p, %b : tensor<16x12xf32>, tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  %o = linalg.matmul ins(%pb, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o : tensor<16x8xf32>
}
