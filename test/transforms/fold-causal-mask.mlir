// RUN: attn-opt %s -split-input-file --attn-fold-causal-mask --attn-remarks -verify-diagnostics | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// PyTorch's full(-inf).triu(1) buffer, exported as a constant.
// CHECK-LABEL: func.func @additive_constant
// CHECK-NOT: arith.constant dense
// CHECK: attn.attention causal(top_left) {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, f32)
func.func @additive_constant(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %m = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<2x3x4xf32>
  // expected-remark @+1 {{[attn-fold-causal-mask] replaced the top_left triangular mask with causal(top_left)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, f32, tensor<3x3xf32>)
         outs(%init : tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// An iota comparison: key <= row + (K2 - M) with M = 2, K2 = 5.
// CHECK-LABEL: func.func @iota_bottom_right
// CHECK-NOT: linalg.generic
// CHECK: attn.attention causal(bottom_right)
func.func @iota_bottom_right(%q: tensor<1x2x4xf32>, %k: tensor<1x5x4xf32>, %v: tensor<1x5x4xf32>) -> tensor<1x2x4xf32> {
  %e = tensor.empty() : tensor<2x5xi1>
  %m = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<2x5xi1>) {
  ^bb0(%out: i1):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c3 = arith.constant 3 : index
    %last = arith.addi %i, %c3 : index
    %c = arith.cmpi ule, %j, %last : index
    linalg.yield %c : i1
  } -> tensor<2x5xi1>
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<1x2x4xf32>
  // expected-remark @+1 {{replaced the bottom_right triangular mask with causal(bottom_right)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<1x2x4xf32>, tensor<1x5x4xf32>, tensor<1x5x4xf32>, f32, tensor<2x5xi1>)
         outs(%init : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  return %r : tensor<1x2x4xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#maskt = affine_map<(b, m, k1, k2, n) -> (k2, m)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
// A float mask laid out [K2][M], select(row < key, -inf, 0).
// CHECK-LABEL: func.func @transposed_select
// CHECK: attn.attention causal(top_left)
func.func @transposed_select(%q: tensor<1x4x4xf32>, %k: tensor<1x4x4xf32>, %v: tensor<1x4x4xf32>) -> tensor<1x4x4xf32> {
  %e = tensor.empty() : tensor<4x4xf32>
  %m = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<4x4xf32>) {
  ^bb0(%out: f32):
    %key = linalg.index 0 : index
    %row = linalg.index 1 : index
    %c = arith.cmpi ult, %row, %key : index
    %ninf = arith.constant 0xFF800000 : f32
    %zero = arith.constant 0.0 : f32
    %r = arith.select %c, %ninf, %zero : f32
    linalg.yield %r : f32
  } -> tensor<4x4xf32>
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<1x4x4xf32>
  // expected-remark @+1 {{causal(top_left)}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #maskt, #o]}
         ins(%q, %k, %v, %s, %m : tensor<1x4x4xf32>, tensor<1x4x4xf32>, tensor<1x4x4xf32>, f32, tensor<4x4xf32>)
         outs(%init : tensor<1x4x4xf32>) -> tensor<1x4x4xf32>
  return %r : tensor<1x4x4xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// Not causal: a finite fill (masked_fill with finfo.min), the strict
// triangle (diagonal hidden), and a mask the op reads per batch.
// CHECK-LABEL: func.func @not_causal
// CHECK-NOT: causal(
func.func @not_causal(%q: tensor<1x2x4xf32>, %k: tensor<1x2x4xf32>, %v: tensor<1x2x4xf32>, %b: tensor<1x2x2xi1>) -> (tensor<1x2x4xf32>, tensor<1x2x4xf32>) {
  %finite = arith.constant dense<[[0.0, -3.4e38], [0.0, 0.0]]> : tensor<2x2xf32>
  %strict = arith.constant dense<[[false, false], [true, false]]> : tensor<2x2xi1>
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<1x2x4xf32>
  // expected-remark @+1 {{not causal}}
  %r0 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %finite : tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, f32, tensor<2x2xf32>)
         outs(%init : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  // expected-remark @+1 {{[attn-fold-causal-mask] the mask over M and K2 is not causal (neither top-left nor bottom-right)}}
  %r1 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %strict : tensor<1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>, f32, tensor<2x2xi1>)
         outs(%init : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  return %r0, %r1 : tensor<1x2x4xf32>, tensor<1x2x4xf32>
}

// -----

// With the log-sum-exp: the mask becomes causal(top_left), the LSE stays.
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>
// CHECK-LABEL: func.func @additive_constant_lse
// CHECK-NOT: arith.constant dense
// CHECK: %{{.+}}, %[[RL:.+]] = attn.attention causal(top_left) {indexing_maps = [#{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}, #{{.+}}]}
// CHECK-SAME: ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, f32)
// CHECK-SAME: outs(%{{.+}}, %arg3 : tensor<2x3x4xf32>, tensor<2x3xf32>)
// CHECK: return %[[RL]]
func.func @additive_constant_lse(%q: tensor<2x3x4xf32>, %k: tensor<2x3x4xf32>, %v: tensor<2x3x4xf32>, %linit: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %m = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0]]> : tensor<3x3xf32>
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<2x3x4xf32>
  // expected-remark @+1 {{[attn-fold-causal-mask] replaced the top_left triangular mask with causal(top_left)}}
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #l]}
         ins(%q, %k, %v, %s, %m : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, f32, tensor<3x3xf32>)
         outs(%init, %linit : tensor<2x3x4xf32>, tensor<2x3xf32>) -> tensor<2x3x4xf32>, tensor<2x3xf32>
  return %r#1 : tensor<2x3xf32>
}
