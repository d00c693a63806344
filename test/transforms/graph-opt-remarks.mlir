// The attn-graph-opt pipeline takes a `remarks` option that it hands to
// each of its passes; --attn-remarks sets its default.
// RUN: attn-opt %s --attn-graph-opt=remarks=true -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --attn-remarks --attn-graph-opt -verify-diagnostics | FileCheck %s
// RUN: attn-opt %s --pass-pipeline="builtin.module(attn-graph-opt{remarks=true})" -verify-diagnostics | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// V's producer writes V transposed; K's transpose of an argument folds.
// CHECK-LABEL: func.func @remarks_of_each_pass
// CHECK-NOT: linalg.transpose
// CHECK: attn.attention
// CHECK-SAME: ins(%arg0, %arg1, %{{.+}}, %arg3 :
func.func @remarks_of_each_pass(%q: tensor<2x64x32xf32>, %kt: tensor<2x32x128xf32>,
                                %x: tensor<2x128x16xf32>, %s: f32) -> tensor<2x64x16xf32> {
  %ek = tensor.empty() : tensor<2x128x32xf32>
  // expected-remark @+1 {{[attn-fuse-transpose-producers] declined: the transposed value is a block argument}}
  %k = linalg.transpose ins(%kt : tensor<2x32x128xf32>) outs(%ek : tensor<2x128x32xf32>) permutation = [0, 2, 1]
  %e = tensor.empty() : tensor<2x128x16xf32>
  %v = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
         ins(%x : tensor<2x128x16xf32>) outs(%e : tensor<2x128x16xf32>) {
  ^bb0(%a: f32, %out: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  } -> tensor<2x128x16xf32>
  %init = tensor.empty() : tensor<2x64x16xf32>
  // expected-remark @+3 {{[attn-bubble-transpose-v] exposed transposed V: V map is now (d0, d1, d2, d3, d4) -> (d0, d4, d3)}}
  // expected-remark @+2 {{[attn-fuse-transpose-producers] fused transpose [0, 2, 1]: linalg.generic writes the permuted layout (output map permuted)}}
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [0, 2, 1] of K into its indexing map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x64x32xf32>, tensor<2x128x32xf32>, tensor<2x128x16xf32>, f32)
         outs(%init : tensor<2x64x16xf32>) -> tensor<2x64x16xf32>
  return %r : tensor<2x64x16xf32>
}
