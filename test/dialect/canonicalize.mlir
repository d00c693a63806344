// RUN: attn-opt %s --canonicalize --split-input-file | FileCheck %s

// A tensor.cast that only adds static sizes folds into the attention op,
// which then computes at the static shape; a cast back keeps the result
// type.
// CHECK-LABEL: func.func @fold_static_cast
// CHECK-NOT: tensor.cast {{.*}} to tensor<?x16xf32>
// CHECK: %[[R:.+]] = attn.attention {{.*}} ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<8x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32) outs(%{{.+}} : tensor<8x16xf32>) -> tensor<8x16xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<8x16xf32> to tensor<?x16xf32>
// CHECK: return %[[C]]
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @fold_static_cast(%q: tensor<8x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>) -> tensor<?x16xf32> {
  %s = arith.constant 0.25 : f32
  %c0 = arith.constant 0 : index
  %qd = tensor.cast %q : tensor<8x16xf32> to tensor<?x16xf32>
  %kd = tensor.cast %k : tensor<64x16xf32> to tensor<?x16xf32>
  %vd = tensor.cast %v : tensor<64x16xf32> to tensor<?x16xf32>
  %m = tensor.dim %qd, %c0 : tensor<?x16xf32>
  %init = tensor.empty(%m) : tensor<?x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%qd, %kd, %vd, %s : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>, f32)
         outs(%init : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %r : tensor<?x16xf32>
}

// -----

// A cast that drops static sizes must not fold (the op would lose them).
// CHECK-LABEL: func.func @keep_dynamic_cast
// CHECK: %[[Q:.+]] = tensor.cast %arg0 : tensor<?x16xf32> to tensor<8x16xf32>
// CHECK: attn.attention {{.*}} ins(%[[Q]], %arg1, %arg2, %{{.+}} : tensor<8x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @keep_dynamic_cast(%q: tensor<?x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>) -> tensor<8x16xf32> {
  %s = arith.constant 0.25 : f32
  %qs = tensor.cast %q : tensor<?x16xf32> to tensor<8x16xf32>
  %init = tensor.empty() : tensor<8x16xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%qs, %k, %v, %s : tensor<8x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
         outs(%init : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

// With the log-sum-exp, both results are cast back to their old types.
// CHECK-LABEL: func.func @fold_static_cast_lse
// CHECK: %[[R:.+]], %[[L:.+]] = attn.attention {{.*}} outs(%{{.+}}, %{{.+}} : tensor<8x16xf32>, tensor<8xf32>) -> tensor<8x16xf32>, tensor<8xf32>
// CHECK-DAG: tensor.cast %[[R]] : tensor<8x16xf32> to tensor<?x16xf32>
// CHECK-DAG: tensor.cast %[[L]] : tensor<8xf32> to tensor<?xf32>
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
#l = affine_map<(m, k1, k2, n) -> (m)>
func.func @fold_static_cast_lse(%q: tensor<8x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>) -> (tensor<?x16xf32>, tensor<?xf32>) {
  %s = arith.constant 0.25 : f32
  %c0 = arith.constant 0 : index
  %qd = tensor.cast %q : tensor<8x16xf32> to tensor<?x16xf32>
  %m = tensor.dim %qd, %c0 : tensor<?x16xf32>
  %init = tensor.empty(%m) : tensor<?x16xf32>
  %linit = tensor.empty(%m) : tensor<?xf32>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%qd, %k, %v, %s : tensor<?x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
         outs(%init, %linit : tensor<?x16xf32>, tensor<?xf32>) -> tensor<?x16xf32>, tensor<?xf32>
  return %r#0, %r#1 : tensor<?x16xf32>, tensor<?xf32>
}
