// The graph passes and attn-graph-opt take a `remarks` option; the global
// --attn-remarks only sets its default.
// RUN: attn-opt %s --attn-fold-transposes=remarks=true -verify-diagnostics | FileCheck %s --check-prefix=FOLD
// RUN: attn-opt %s --pass-pipeline="builtin.module(attn-fold-transposes{remarks=true})" -verify-diagnostics | FileCheck %s --check-prefix=FOLD
// RUN: attn-opt %s --attn-remarks --attn-fold-transposes=remarks=false 2>&1 | FileCheck %s --check-prefix=QUIET
// RUN: attn-opt %s --attn-remarks --attn-graph-opt=remarks=false 2>&1 | FileCheck %s --check-prefix=QUIET
// QUIET-NOT: remark: [
// RUN: attn-opt %s --attn-bubble-transpose-v=remarks=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUBBLE
// BUBBLE: remark: [attn-bubble-transpose-v] declined: V is a block argument
// RUN: attn-opt %s --attn-fuse-transpose-producers=remarks=true -o /dev/null 2>&1 | FileCheck %s --check-prefix=FUSE
// FUSE: remark: [attn-fuse-transpose-producers] declined: the transposed value is a block argument

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// Q folds, K (with another user) is declined, then the output folds: the
// attention is visited once per rewrite, yet each decision is reported once.
// FOLD-LABEL: func.func @fold_q_decline_k_fold_o
// FOLD: %[[K:.+]] = linalg.transpose
// FOLD: %[[R:.+]] = attn.attention
// FOLD-SAME: ins(%arg0, %[[K]], %arg2, %arg3 :
// FOLD-NOT: linalg.transpose
// FOLD: return %[[R]], %[[K]]
func.func @fold_q_decline_k_fold_o(%qt: tensor<2x4x8xf32>, %kt: tensor<2x4x16xf32>, %v: tensor<2x16x6xf32>, %s: f32)
    -> (tensor<8x2x6xf32>, tensor<2x16x4xf32>) {
  %eq = tensor.empty() : tensor<2x8x4xf32>
  %q = linalg.transpose ins(%qt : tensor<2x4x8xf32>) outs(%eq : tensor<2x8x4xf32>) permutation = [0, 2, 1]
  %ek = tensor.empty() : tensor<2x16x4xf32>
  %k = linalg.transpose ins(%kt : tensor<2x4x16xf32>) outs(%ek : tensor<2x16x4xf32>) permutation = [0, 2, 1]
  %init = tensor.empty() : tensor<2x8x6xf32>
  // expected-remark @+3 {{[attn-fold-transposes] folded transpose [0, 2, 1] of Q into its indexing map}}
  // expected-remark @+2 {{[attn-fold-transposes] not folding the transpose of K: it has other users and would stay alive}}
  // expected-remark @+1 {{[attn-fold-transposes] folded transpose [1, 0, 2] of the result into the output map}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x8x4xf32>, tensor<2x16x4xf32>, tensor<2x16x6xf32>, f32)
         outs(%init : tensor<2x8x6xf32>) -> tensor<2x8x6xf32>
  %eo = tensor.empty() : tensor<8x2x6xf32>
  %ot = linalg.transpose ins(%r : tensor<2x8x6xf32>) outs(%eo : tensor<8x2x6xf32>) permutation = [1, 0, 2]
  return %ot, %k : tensor<8x2x6xf32>, tensor<2x16x4xf32>
}
