// RUN: attn-opt %s -split-input-file --attn-bubble-transpose-v --attn-remarks -verify-diagnostics | FileCheck %s
// Idempotent: a second run only reports the transposed-V form.
// RUN: attn-opt %s -split-input-file --attn-bubble-transpose-v | attn-opt -split-input-file --attn-bubble-transpose-v | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-LABEL: func.func @bubble
// CHECK: %[[P:.+]] = linalg.generic
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x6x16xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[P]] : tensor<2x16x6xf32>) outs(%[[E]] : tensor<2x6x16xf32>) permutation = [0, 2, 1]
// CHECK: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %[[T]], %arg3 : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x6x16xf32>, f32)
func.func @bubble(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %x: tensor<2x16x6xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x16x6xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] exposed transposed V: V map is now (d0, d1, d2, d3, d4) -> (d0, d4, d3)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// Dynamic K2: the transpose's init takes its size from V.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @bubble_dynamic
// CHECK: %[[V:.+]] = tensor.extract_slice
// CHECK: %[[E:.+]] = tensor.empty(%arg4) : tensor<2x6x?xf32>
// CHECK: %[[T:.+]] = linalg.transpose ins(%[[V]] : tensor<2x?x6xf32>) outs(%[[E]] : tensor<2x6x?xf32>) permutation = [0, 2, 1]
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %[[T]], %arg3 : tensor<2x8x4xf32>, tensor<2x?x4xf32>, tensor<2x6x?xf32>, f32)
func.func @bubble_dynamic(%q: tensor<2x8x4xf32>, %k: tensor<2x?x4xf32>, %x: tensor<2x32x6xf32>, %s: f32, %len: index) -> tensor<2x8x6xf32> {
  %v = tensor.extract_slice %x[0, 0, 0] [2, %len, 6] [1, 1, 1] : tensor<2x32x6xf32> to tensor<2x?x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{exposed transposed V}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x?x4xf32>, tensor<2x?x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// V is a block argument: nothing could absorb the transpose. Declined.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @decline_block_argument
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %arg3 :
func.func @decline_block_argument(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %v: tensor<2x16x6xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] declined: V is a block argument, no producer could absorb a transpose}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// Already in transposed-V form: left alone.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @already_transposed
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %[[V:.+]], %arg3 : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x6x16xf32>, f32)
func.func @already_transposed(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %x: tensor<2x6x32xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %v = tensor.extract_slice %x[0, 0, 0] [2, 6, 16] [1, 1, 1] : tensor<2x6x32xf32> to tensor<2x6x16xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] already in transposed-V form (V map ends in (N, K2))}}
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x6x16xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// Two N dims: declined.
#q = affine_map<(m, k1, k2, n0, n1) -> (m, k1)>
#k = affine_map<(m, k1, k2, n0, n1) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n0, n1) -> (k2, n0, n1)>
#s = affine_map<(m, k1, k2, n0, n1) -> ()>
#o = affine_map<(m, k1, k2, n0, n1) -> (m, n0, n1)>
// CHECK-LABEL: func.func @decline_multi_n
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
func.func @decline_multi_n(%q: tensor<8x4xf32>, %k: tensor<16x4xf32>, %x: tensor<16x2x3xf32>, %s: f32) -> tensor<8x2x3xf32> {
  %v = arith.negf %x : tensor<16x2x3xf32>
  %init = tensor.empty() : tensor<8x2x3xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] declined: V has 1 K2 dim(s) and 2 N dim(s); the transposed-V form needs exactly one of each}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<8x4xf32>, tensor<16x4xf32>, tensor<16x2x3xf32>, f32)
         outs(%init : tensor<8x2x3xf32>) -> tensor<8x2x3xf32>
  return %r : tensor<8x2x3xf32>
}

// -----

// V map (k2, n, b): K2 and N are not the trailing pair. Declined.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (k2, n, b)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// CHECK-LABEL: func.func @decline_not_trailing
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
func.func @decline_not_trailing(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %x: tensor<16x6x2xf32>, %s: f32) -> tensor<2x8x6xf32> {
  %v = arith.negf %x : tensor<16x6x2xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] declined: V map does not end in (K2, N)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<16x6x2xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  return %r : tensor<2x8x6xf32>
}

// -----

// With the log-sum-exp: V is transposed, the LSE init, map and result stay.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-DAG: #[[L:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-LABEL: func.func @bubble_lse
// CHECK: %[[T:.+]] = linalg.transpose
// CHECK: %{{.+}}, %[[RL:.+]] = attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}, #[[L]]]}
// CHECK-SAME: ins(%arg0, %arg1, %[[T]], %arg3 : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x6x16xf32>, f32)
// CHECK-SAME: outs(%{{.+}}, %arg4 : tensor<2x8x6xf32>, tensor<2x8xf32>)
// CHECK: return %[[RL]]
func.func @bubble_lse(%q: tensor<2x8x4xf32>, %k: tensor<2x16x4xf32>, %x: tensor<2x16x6xf32>, %s: f32, %linit: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x16x6xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x16x6xf32>) outs(%e : tensor<2x16x6xf32>) {
  ^bb0(%a: f32, %b: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x16x6xf32>
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+1 {{[attn-bubble-transpose-v] exposed transposed V: V map is now (d0, d1, d2, d3, d4) -> (d0, d4, d3)}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init, %linit : tensor<2x8x6xf32>, tensor<2x8xf32>) -> tensor<2x8x6xf32>, tensor<2x8xf32>
  return %r#1 : tensor<2x8xf32>
}
