// RUN: attn-opt %s --attn-decompose-online-attention | FileCheck %s
// RUN: attn-opt %s --attn-decompose-online-attention=bf16-dot=true | FileCheck %s --check-prefix=PAIRS

// CHECK-DAG: #[[$ID2:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$COL:.+]] = affine_map<(d0, d1) -> (d1)>

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#mask = affine_map<(m, k1, k2, n) -> (m, k2)>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
#r = affine_map<(m, k1, k2, n) -> (m)>
// One online-softmax step as linalg: scores (Q.K^T contracting K1), scale
// and mask, row max, corrections, exp, row sum, P.V accumulation; the
// running state is updated in place (outs of the last generics). With 8
// query rows the scores are RowsInner: [K2, M], from Q transposed once
// into Qt [K1, M] with the scale folded in.
// CHECK-LABEL: func.func @step
// CHECK-NOT: attn.online_attention
// CHECK: %[[QT:.+]] = linalg.generic {{.*}} ins(%arg0 : tensor<8x4xf16>) outs(%{{.+}} : tensor<4x8xf32>)
// CHECK: arith.extf
// CHECK: arith.mulf
// The f16 key block in f32, once per block.
// CHECK: %[[KF:.+]] = linalg.generic {{.*}} ins(%arg1 : tensor<16x4xf16>) outs(%{{.+}} : tensor<16x4xf32>)
// CHECK: arith.extf
// Scores: M innermost (contiguous in Qt and S), K1 the reduction.
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[QT]], %[[KF]] : tensor<4x8xf32>, tensor<16x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: } -> tensor<16x8xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %arg4 : tensor<16x8xf32>, tensor<8x16xi1>)
// CHECK: arith.select
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: %[[MAX:.+]] = linalg.generic {{.*}} outs(%arg6 : tensor<8xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} outs(%arg7 : tensor<8xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]}
// The rescale reads acc only as its output (in place).
// CHECK: linalg.generic {{.*}} ins(%{{.+}} : tensor<8xf32>) outs(%arg5 : tensor<8x6xf32>)
// P.V with standard V (in f32, once per block): N (contiguous in V and
// acc) innermost.
// CHECK: %[[VF:.+]] = linalg.generic {{.*}} ins(%arg2 : tensor<16x6xf16>) outs(%{{.+}} : tensor<16x6xf32>)
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[VF]] : tensor<16x8xf32>, tensor<16x6xf32>)
// CHECK: return %[[ACC]], %[[MAX]], %[[SUM]]
func.func @step(%q: tensor<8x4xf16>, %k: tensor<16x4xf16>, %v: tensor<16x6xf16>, %s: f16, %m: tensor<8x16xi1>,
                %acc: tensor<8x6xf32>, %max: tensor<8xf32>, %sum: tensor<8xf32>)
    -> (tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #r, #r]}
         ins(%q, %k, %v, %s, %m : tensor<8x4xf16>, tensor<16x4xf16>, tensor<16x6xf16>, f16, tensor<8x16xi1>)
         outs(%acc, %max, %sum : tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>
  return %a, %b, %c : tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>
}

// With transposed V, acc is [N, M] (what convertToOnlineAttention makes
// for RowsInner tiles): P.V runs over (N, K2, M), M contiguous in P and acc.
#vt = affine_map<(m, k1, k2, n) -> (n, k2)>
#ovt = affine_map<(m, k1, k2, n) -> (n, m)>
// CHECK-LABEL: func.func @step_transposed_v
// CHECK: %[[VF:.+]] = linalg.generic {{.*}} ins(%arg2 : tensor<6x16xf16>) outs(%{{.+}} : tensor<6x16xf32>)
// CHECK: %[[ACC:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.+}}, %[[VF]] : tensor<16x8xf32>, tensor<6x16xf32>) outs(%{{.+}} : tensor<6x8xf32>)
// CHECK: return %[[ACC]]
func.func @step_transposed_v(%q: tensor<8x4xf16>, %k: tensor<16x4xf16>, %v: tensor<6x16xf16>, %s: f16,
                             %acc: tensor<6x8xf32>, %max: tensor<8xf32>, %sum: tensor<8xf32>)
    -> (tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #vt, #s, #ovt, #r, #r]}
         ins(%q, %k, %v, %s : tensor<8x4xf16>, tensor<16x4xf16>, tensor<6x16xf16>, f16)
         outs(%acc, %max, %sum : tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %a, %b, %c : tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// Fewer than 8 query rows (decode): KeysInner scores [M, K2], each a dot
// product over K1 of Q and K rows; no transposed Q. Transposed V then
// contracts K2 innermost.
// CHECK-LABEL: func.func @step_decode
// CHECK-NOT: tensor<4x2xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<2x4xf16>, tensor<16x4xf16>)
// CHECK: } -> tensor<2x16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%{{.+}}, %arg2 : tensor<2x16xf32>, tensor<6x16xf16>)
func.func @step_decode(%q: tensor<2x4xf16>, %k: tensor<16x4xf16>, %v: tensor<6x16xf16>, %s: f16,
                       %acc: tensor<2x6xf32>, %max: tensor<2xf32>, %sum: tensor<2xf32>)
    -> (tensor<2x6xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #vt, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<2x4xf16>, tensor<16x4xf16>, tensor<6x16xf16>, f16)
         outs(%acc, %max, %sum : tensor<2x6xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x6xf32>, tensor<2xf32>, tensor<2xf32>
  return %a, %b, %c : tensor<2x6xf32>, tensor<2xf32>, tensor<2xf32>
}

// A transposed output: acc is [N, M]. Its rescale runs in acc's layout
// order, so acc is read and written through identity maps and
// bufferization can update the loop-carried acc in place (a permuted map
// on both sides made it copy, and the K2 loop failed to bufferize).
#ot = affine_map<(m, k1, k2, n) -> (n, m)>
// CHECK-LABEL: func.func @step_transposed_o
// CHECK: linalg.generic {indexing_maps = [#[[$COL]], #[[$ID2]]], iterator_types = ["parallel", "parallel"]} ins(%{{.+}} : tensor<8xf32>) outs(%arg4 : tensor<6x8xf32>)
func.func @step_transposed_o(%q: tensor<8x4xf16>, %k: tensor<16x4xf16>, %v: tensor<16x6xf16>, %s: f16,
                             %acc: tensor<6x8xf32>, %max: tensor<8xf32>, %sum: tensor<8xf32>)
    -> (tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #ot, #r, #r]}
         ins(%q, %k, %v, %s : tensor<8x4xf16>, tensor<16x4xf16>, tensor<16x6xf16>, f16)
         outs(%acc, %max, %sum : tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>
  return %a, %b, %c : tensor<6x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// The causal diagonal d: score (i, j) is kept iff j <= i + d, combined with
// the mask (the mask first, then the diagonal). Scores are [K2, M]: j is
// loop 0, i loop 1.
// CHECK-LABEL: func.func @step_diagonal
// CHECK: linalg.generic {{.*}} ins(%{{.+}}, %arg4 : tensor<16x8xf32>, tensor<8x16xi1>)
// CHECK: %[[MASKED:.+]] = arith.select %{{.+}}, %{{.+}}, %[[NEGINF:.+]] : f32
// CHECK: %[[I:.+]] = linalg.index 1 : index
// CHECK: %[[J:.+]] = linalg.index 0 : index
// CHECK: %[[LAST:.+]] = arith.addi %[[I]], %arg8 : index
// CHECK: %[[SEEN:.+]] = arith.cmpi sle, %[[J]], %[[LAST]] : index
// CHECK: arith.select %[[SEEN]], %[[MASKED]], %[[NEGINF]] : f32
func.func @step_diagonal(%q: tensor<8x4xf16>, %k: tensor<16x4xf16>, %v: tensor<16x6xf16>, %s: f16, %m: tensor<8x16xi1>,
                         %acc: tensor<8x6xf32>, %max: tensor<8xf32>, %sum: tensor<8xf32>, %d: index)
    -> (tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #mask, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s, %m, %d : tensor<8x4xf16>, tensor<16x4xf16>, tensor<16x6xf16>, f16, tensor<8x16xi1>, index)
         outs(%acc, %max, %sum : tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>
  return %a, %b, %c : tensor<8x6xf32>, tensor<8xf32>, tensor<8xf32>
}

// bf16-dot: the products of bf16 operands on K1 / K2 pairs, the pair
// innermost in both operands. Q is packed once per tile as [K1/2, M, 2]
// (bf16, unscaled), K is only reshaped; the scale is applied to S in f32;
// P is rounded to bf16 and packed as [K2/2, M, 2]; standard V is packed as
// [K2/2, N, 2].
// PAIRS-LABEL: func.func @pairs
// PAIRS: %[[Q:.+]] = tensor.expand_shape %arg0 {{\[\[}}0], [1, 2]] output_shape [32, 32, 2]
// PAIRS: %[[QP:.+]] = linalg.generic {{.*}} ins(%[[Q]] : tensor<32x32x2xbf16>) outs(%{{.+}} : tensor<32x32x2xbf16>)
// PAIRS: %[[K:.+]] = tensor.expand_shape %arg1 {{\[\[}}0], [1, 2]] output_shape [64, 32, 2]
// PAIRS: %[[S:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel", "reduction"]} ins(%[[QP]], %[[K]] : tensor<32x32x2xbf16>, tensor<64x32x2xbf16>) outs(%{{.+}} : tensor<64x32xf32>)
// PAIRS: linalg.generic {{.*}} ins(%[[S]] : tensor<64x32xf32>)
// PAIRS-NEXT: ^bb0
// PAIRS-NEXT: arith.mulf %{{.+}}, %{{.+}} : f32
// PAIRS: %[[P:.+]] = tensor.expand_shape %{{.+}} {{\[\[}}0, 1], [2]] output_shape [32, 2, 32] : tensor<64x32xf32> into tensor<32x2x32xf32>
// PAIRS: %[[PP:.+]] = linalg.generic {{.*}} ins(%[[P]] : tensor<32x2x32xf32>) outs(%{{.+}} : tensor<32x32x2xbf16>)
// PAIRS: arith.truncf
// PAIRS: %[[V:.+]] = tensor.expand_shape %arg2 {{\[\[}}0, 1], [2]] output_shape [32, 2, 64]
// PAIRS: %[[VP:.+]] = linalg.generic {{.*}} ins(%[[V]] : tensor<32x2x64xbf16>) outs(%{{.+}} : tensor<32x64x2xbf16>)
// PAIRS: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel", "reduction"]} ins(%[[PP]], %[[VP]] : tensor<32x32x2xbf16>, tensor<32x64x2xbf16>) outs(%{{.+}} : tensor<32x64xf32>)
func.func @pairs(%q: tensor<32x64xbf16>, %k: tensor<64x64xbf16>, %v: tensor<64x64xbf16>, %s: bf16,
                 %acc: tensor<32x64xf32>, %max: tensor<32xf32>, %sum: tensor<32xf32>)
    -> (tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<32x64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>, bf16)
         outs(%acc, %max, %sum : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
  return %a, %b, %c : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
}

// Transposed V is pair-contiguous already: reshaped, not copied.
// PAIRS-LABEL: func.func @pairs_transposed_v
// PAIRS: %[[V:.+]] = tensor.expand_shape %arg2 {{\[\[}}0], [1, 2]] output_shape [64, 32, 2]
// PAIRS-NOT: ins(%[[V]] :
// PAIRS: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel", "reduction"]} ins(%{{.+}}, %[[V]] : tensor<32x32x2xbf16>, tensor<64x32x2xbf16>) outs(%{{.+}} : tensor<64x32xf32>)
func.func @pairs_transposed_v(%q: tensor<32x64xbf16>, %k: tensor<64x64xbf16>, %v: tensor<64x64xbf16>, %s: bf16,
                 %acc: tensor<64x32xf32>, %max: tensor<32xf32>, %sum: tensor<32xf32>)
    -> (tensor<64x32xf32>, tensor<32xf32>, tensor<32xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #vt, #s, #ot, #r, #r]}
         ins(%q, %k, %v, %s : tensor<32x64xbf16>, tensor<64x64xbf16>, tensor<64x64xbf16>, bf16)
         outs(%acc, %max, %sum : tensor<64x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<64x32xf32>, tensor<32xf32>, tensor<32xf32>
  return %a, %b, %c : tensor<64x32xf32>, tensor<32xf32>, tensor<32xf32>
}

// An odd number of keys has no K2 pairs: Q.K^T on pairs, P.V in f32 (V
// converted once per block, as without bf16-dot).
// PAIRS-LABEL: func.func @odd_keys
// PAIRS: tensor.expand_shape %arg0
// PAIRS-NOT: tensor.expand_shape %arg2
// PAIRS: linalg.generic {{.*}} ins(%arg2 : tensor<63x64xbf16>) outs(%{{.+}} : tensor<63x64xf32>)
// PAIRS-NOT: arith.truncf
// PAIRS: return
func.func @odd_keys(%q: tensor<32x64xbf16>, %k: tensor<63x64xbf16>, %v: tensor<63x64xbf16>, %s: bf16,
                 %acc: tensor<32x64xf32>, %max: tensor<32xf32>, %sum: tensor<32xf32>)
    -> (tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<32x64xbf16>, tensor<63x64xbf16>, tensor<63x64xbf16>, bf16)
         outs(%acc, %max, %sum : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
  return %a, %b, %c : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
}

// f16 operands (and f32) are never rounded to bf16: no pairs.
// PAIRS-LABEL: func.func @f16_no_pairs
// PAIRS-NOT: tensor.expand_shape
// PAIRS-NOT: bf16
// PAIRS: return
func.func @f16_no_pairs(%q: tensor<32x64xf16>, %k: tensor<64x64xf16>, %v: tensor<64x64xf16>, %s: f16,
                 %acc: tensor<32x64xf32>, %max: tensor<32xf32>, %sum: tensor<32xf32>)
    -> (tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<32x64xf16>, tensor<64x64xf16>, tensor<64x64xf16>, f16)
         outs(%acc, %max, %sum : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
  return %a, %b, %c : tensor<32x64xf32>, tensor<32xf32>, tensor<32xf32>
}

// A head dim no dot instruction divides (6: P.V's lanes): P.V stays f32,
// Q.K^T (64 query rows as lanes) still runs on pairs.
// PAIRS-LABEL: func.func @narrow_head
// PAIRS: tensor.expand_shape %arg0
// PAIRS-NOT: arith.truncf
// PAIRS: linalg.generic {{.*}} ins(%arg2 : tensor<64x6xbf16>) outs(%{{.+}} : tensor<64x6xf32>)
// PAIRS: return
func.func @narrow_head(%q: tensor<64x64xbf16>, %k: tensor<64x64xbf16>, %v: tensor<64x6xbf16>, %s: bf16,
                 %acc: tensor<64x6xf32>, %max: tensor<64xf32>, %sum: tensor<64xf32>)
    -> (tensor<64x6xf32>, tensor<64xf32>, tensor<64xf32>) {
  %a, %b, %c = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #r, #r]}
         ins(%q, %k, %v, %s : tensor<64x64xbf16>, tensor<64x64xbf16>, tensor<64x6xbf16>, bf16)
         outs(%acc, %max, %sum : tensor<64x6xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<64x6xf32>, tensor<64xf32>, tensor<64xf32>
  return %a, %b, %c : tensor<64x6xf32>, tensor<64xf32>, tensor<64xf32>
}
