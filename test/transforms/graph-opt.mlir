// RUN: attn-opt %s -split-input-file --attn-graph-opt | FileCheck %s
// The pipeline is idempotent: a second run changes nothing.
// RUN: attn-opt %s -split-input-file --attn-graph-opt | attn-opt -split-input-file --attn-graph-opt | FileCheck %s

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#hn = affine_map<(d0, d1, d2, d3) -> (d1, d3)>

// Dequantize-V: the dequantize writes V transposed, no transpose remains,
// and the attention reads V as (b, h, n, k2).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HN:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[SWAP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3, d2)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
// CHECK-LABEL: func.func @dequant_v
// CHECK-NOT: linalg.transpose
// CHECK: %[[DQ:.+]] = linalg.generic {indexing_maps = [#[[ID]], #[[HN]], #[[HN]], #[[SWAP]]]
// CHECK: arith.subi
// CHECK: arith.sitofp
// CHECK: arith.mulf
// CHECK: } -> tensor<2x10x64x4096xf16>
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[DQ]], %{{.+}} : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x64x4096xf16>, f16)
// CHECK-NOT: linalg.transpose
func.func @dequant_v(%q: tensor<2x10x4096x64xf16>, %k: tensor<2x10x4096x64xf16>,
                     %vq: tensor<2x10x4096x64xi32>, %off: tensor<10x64xi32>,
                     %sc: tensor<10x64xf16>) -> tensor<2x10x4096x64xf16> {
  %e = tensor.empty() : tensor<2x10x4096x64xf16>
  %v = linalg.generic {indexing_maps = [#id, #hn, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%vq, %off, %sc : tensor<2x10x4096x64xi32>, tensor<10x64xi32>, tensor<10x64xf16>)
         outs(%e : tensor<2x10x4096x64xf16>) {
  ^bb0(%x: i32, %o: i32, %s: f16, %out: f16):
    %d = arith.subi %x, %o : i32
    %f = arith.sitofp %d : i32 to f16
    %r = arith.mulf %f, %s : f16
    linalg.yield %r : f16
  } -> tensor<2x10x4096x64xf16>
  %scale = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x4096x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %scale : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
         outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
  return %r : tensor<2x10x4096x64xf16>
}

// -----

// V straight from a function argument: unchanged.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-LABEL: func.func @v_from_argument
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[V]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %arg2, %{{.+}} :
func.func @v_from_argument(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                           %v: tensor<2x128x16xf32>, %s: f32) -> tensor<2x64x16xf32> {
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}

// -----

// V's producer has a second user: not fused (that would compute it twice);
// the transpose folds back and the attention ends in standard form.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-LABEL: func.func @producer_with_second_user
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[ID3]], #[[ID3]]]
// CHECK: } -> tensor<2x128x16xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[R:.+]] = attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[V]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[P]], %{{.+}} :
// CHECK: return %[[R]], %[[P]]
func.func @producer_with_second_user(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                                     %x: tensor<2x128x16xf32>, %s: f32)
    -> (tensor<2x64x16xf32>, tensor<2x128x16xf32>) {
  %e = tensor.empty() : tensor<2x128x16xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x128x16xf32>) outs(%e : tensor<2x128x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x128x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r, %v : tensor<2x64x16xf32>, tensor<2x128x16xf32>
}

// -----

// V from a projection (batch_matmul): the contraction writes V transposed.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUTT:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @v_from_projection
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x16x128xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x16x128xf32>)
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUTT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[F]] : tensor<2x16x128xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[P]], %{{.+}} :
func.func @v_from_projection(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                             %x: tensor<2x128x48xf32>, %w: tensor<2x48x16xf32>, %s: f32)
    -> tensor<2x64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x128x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<2x128x16xf32>) -> tensor<2x128x16xf32>
  %v = linalg.batch_matmul ins(%x, %w : tensor<2x128x48xf32>, tensor<2x48x16xf32>)
         outs(%acc : tensor<2x128x16xf32>) -> tensor<2x128x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}

// -----

// V from a transpose of an argument (the model already transposed it): the
// transposes compose to the identity and the attention reads the argument
// directly, in transposed-V form.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @v_from_transposed_argument
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %arg2, %{{.+}} : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x16x128xf32>, f32)
func.func @v_from_transposed_argument(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                                      %vt: tensor<2x16x128xf32>, %s: f32) -> tensor<2x64x16xf32> {
  %e = tensor.empty() : tensor<2x128x16xf32>
  %v = linalg.transpose ins(%vt : tensor<2x16x128xf32>) outs(%e : tensor<2x128x16xf32>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}

// -----

// V through tensor.expand_shape: heads split from a 2-D projection
// [k2, h*n], then the model's own head transpose to [h, k2, n]. The exposed
// transpose composes with it, crosses the reshape (it moves whole groups)
// and fuses into the matmul, which writes [h*n, k2].
#q = affine_map<(h, m, k1, k2, n) -> (h, m, k1)>
#k = affine_map<(h, m, k1, k2, n) -> (h, k2, k1)>
#v = affine_map<(h, m, k1, k2, n) -> (h, k2, n)>
#s = affine_map<(h, m, k1, k2, n) -> ()>
#o = affine_map<(h, m, k1, k2, n) -> (h, m, n)>
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[OUTT:.+]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @v_through_expand_shape
// CHECK: %[[P:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUTT]]]
// CHECK: } -> tensor<256x128xf32>
// CHECK: %[[X:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [4, 64, 128] : tensor<256x128xf32> into tensor<4x64x128xf32>
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[X]], %{{.+}} : tensor<4x32x16xf32>, tensor<4x128x16xf32>, tensor<4x64x128xf32>, f32)
func.func @v_through_expand_shape(%q: tensor<4x32x16xf32>, %k: tensor<4x128x16xf32>,
                                  %x: tensor<128x96xf32>, %w: tensor<96x256xf32>, %s: f32)
    -> tensor<4x32x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<128x256xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<128x256xf32>) -> tensor<128x256xf32>
  %p = linalg.matmul ins(%x, %w : tensor<128x96xf32>, tensor<96x256xf32>)
         outs(%acc : tensor<128x256xf32>) -> tensor<128x256xf32>
  %split = tensor.expand_shape %p [[0], [1, 2]] output_shape [128, 4, 64]
         : tensor<128x256xf32> into tensor<128x4x64xf32>
  %te = tensor.empty() : tensor<4x128x64xf32>
  %v = linalg.transpose ins(%split : tensor<128x4x64xf32>) outs(%te : tensor<4x128x64xf32>) permutation = [1, 0, 2]
  %init = tensor.empty() : tensor<4x32x64xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<4x32x16xf32>, tensor<4x128x16xf32>, tensor<4x128x64xf32>, f32)
         outs(%init : tensor<4x32x64xf32>) -> tensor<4x32x64xf32>
  return %r : tensor<4x32x64xf32>
}

// -----

// Already in transposed-V form: nothing changes.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @already_transposed_v
// CHECK: %[[P:.+]] = linalg.generic
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[P]], %{{.+}} : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x16x128xf32>, f32)
func.func @already_transposed_v(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                                %x: tensor<2x16x128xf32>, %s: f32) -> tensor<2x64x16xf32> {
  %e = tensor.empty() : tensor<2x16x128xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x16x128xf32>) outs(%e : tensor<2x16x128xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x128xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x16x128xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}

// -----

// Masked attention: the mask operand and its map are untouched while V is
// fused.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[MASK:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @masked
// CHECK: %[[P:.+]] = linalg.generic
// CHECK: } -> tensor<2x16x128xf32>
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #[[MASK]], #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[P]], %{{.+}}, %arg4 : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x16x128xf32>, f32, tensor<2x64x128xi1>)
func.func @masked(%q: tensor<2x64x32xf32>, %k: tensor<2x128x32xf32>,
                  %x: tensor<2x128x16xf32>, %s: f32, %m: tensor<2x64x128xi1>) -> tensor<2x64x16xf32> {
  %e = tensor.empty() : tensor<2x128x16xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x128x16xf32>) outs(%e : tensor<2x128x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x128x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32, tensor<2x64x128xi1>)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}

// -----

// Transposed K and Q folded into maps; O consumed by a transpose folded
// into the output map.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-DAG: #[[QT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1)>
// CHECK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-DAG: #[[OT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1)>
// CHECK-LABEL: func.func @transposed_q_k_o
// CHECK-NOT: linalg.transpose
// CHECK: %[[R:.+]] = attn.attention {indexing_maps = [#[[QT]], #[[KT]], #[[V]], #{{.+}}, #[[OT]]]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<2x32x64xf32>, tensor<2x32x128xf32>, tensor<2x128x16xf32>, f32)
// CHECK-SAME: -> tensor<2x16x64xf32>
// CHECK: return %[[R]]
func.func @transposed_q_k_o(%qt: tensor<2x32x64xf32>, %kt: tensor<2x32x128xf32>,
                            %v: tensor<2x128x16xf32>, %s: f32) -> tensor<2x16x64xf32> {
  %eq = tensor.empty() : tensor<2x64x32xf32>
  %q = linalg.transpose ins(%qt : tensor<2x32x64xf32>) outs(%eq : tensor<2x64x32xf32>) permutation = [0, 2, 1]
  %ek = tensor.empty() : tensor<2x128x32xf32>
  %k = linalg.transpose ins(%kt : tensor<2x32x128xf32>) outs(%ek : tensor<2x128x32xf32>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  %eo = tensor.empty() : tensor<2x16x64xf32>
  %ot = linalg.transpose ins(%r : tensor<2x64x16xf32>) outs(%eo : tensor<2x16x64xf32>) permutation = [0, 2, 1]
  return %ot : tensor<2x16x64xf32>
}

// -----

// Multi-dim K2: bubble declines; the IR is unchanged.
#q = affine_map<(m, k1, k2a, k2b, n) -> (m, k1)>
#k = affine_map<(m, k1, k2a, k2b, n) -> (k2a, k2b, k1)>
#v = affine_map<(m, k1, k2a, k2b, n) -> (k2a, k2b, n)>
#s = affine_map<(m, k1, k2a, k2b, n) -> ()>
#o = affine_map<(m, k1, k2a, k2b, n) -> (m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d2, d3, d4)>
// CHECK-LABEL: func.func @multi_k2
// CHECK: %[[P:.+]] = linalg.generic
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[V]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %[[P]], %{{.+}} :
func.func @multi_k2(%q: tensor<64x32xf32>, %k: tensor<4x32x32xf32>, %x: tensor<4x32x16xf32>, %s: f32) -> tensor<64x16xf32> {
  %e = tensor.empty() : tensor<4x32x16xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<4x32x16xf32>) outs(%e : tensor<4x32x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<4x32x16xf32>
  %init = tensor.empty() : tensor<64x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x32xf32>, tensor<4x32x32xf32>, tensor<4x32x16xf32>, f32)
         outs(%init : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}

// -----

// The causal attribute survives every graph pass: K's transpose is folded
// into its map, V (made by a dequantize) is produced transposed.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @causal_preserved
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention causal(bottom_right)
func.func @causal_preserved(%q: tensor<2x8x4xf32>, %kt: tensor<2x4x16xf32>, %vq: tensor<2x16x6xi8>, %s: f32) -> tensor<2x8x6xf32> {
  %e = tensor.empty() : tensor<2x16x4xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x16xf32>) outs(%e : tensor<2x16x4xf32>) permutation = [0, 2, 1]
  %ev = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%vq : tensor<2x16x6xi8>) outs(%ev : tensor<2x16x6xf32>) {
  ^bb0(%a: i8, %b: f32):
    %f = arith.sitofp %a : i8 to f32
    linalg.yield %f : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}
