// RUN: attn-opt %s --attn-pad-query-rows --split-input-file | FileCheck %s
// RUN: attn-opt %s --attn-pad-query-rows="m-tile=64" --split-input-file | FileCheck %s --check-prefix=T64
// RUN: not attn-opt %s --attn-pad-query-rows="m-tile=-1" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: attn-pad-query-rows: m-tile must not be negative

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (b, m)>

// 1000 rows: 64-row tiles need 24 padding rows, 32-row tiles 24 too: 64.
// Q, the mask and both outputs gain 24 zero rows at the end; K and V are
// untouched; the real rows are sliced out of both results.
// CHECK-LABEL: func.func @rows_1000
// CHECK-DAG: %[[Q:.*]] = tensor.pad %arg0 low[0, 0, 0] high[0, 24, 0]
// CHECK-DAG: %[[M:.*]] = tensor.pad %arg4 low[0, 0] high[24, 0]
// CHECK-DAG: %[[O:.*]] = tensor.pad %arg5 low[0, 0, 0] high[0, 24, 0]
// CHECK-DAG: %[[L:.*]] = tensor.pad %arg6 low[0, 0] high[0, 24]
// CHECK: %[[R:.*]], %[[RL:.*]] = attn.attention {{.*}} ins(%[[Q]], %arg1, %arg2, %arg3, %[[M]] : tensor<2x1024x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32, tensor<1024x100xi1>) outs(%[[O]], %[[L]] : tensor<2x1024x8xf32>, tensor<2x1024xf32>)
// CHECK-DAG: tensor.extract_slice %[[R]][0, 0, 0] [2, 1000, 8] [1, 1, 1]
// CHECK-DAG: tensor.extract_slice %[[RL]][0, 0] [2, 1000] [1, 1]
func.func @rows_1000(%q: tensor<2x1000x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                     %m: tensor<1000x100xi1>, %init: tensor<2x1000x8xf32>, %lse: tensor<2x1000xf32>) -> (tensor<2x1000x8xf32>, tensor<2x1000xf32>) {
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #l]}
         ins(%q, %k, %v, %s, %m : tensor<2x1000x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32, tensor<1000x100xi1>)
         outs(%init, %lse : tensor<2x1000x8xf32>, tensor<2x1000xf32>) -> tensor<2x1000x8xf32>, tensor<2x1000xf32>
  return %r#0, %r#1 : tensor<2x1000x8xf32>, tensor<2x1000xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// 77 rows (CLIP's text length): 32-row tiles pad 19 rows, 64-row ones 51.
// causal(bottom_right) sees keys j <= i + K2 - M: the padding goes first,
// so the real rows keep their distance to the last key.
// CHECK-LABEL: func.func @rows_77_bottom_right
// CHECK: %[[Q:.*]] = tensor.pad %arg0 low[0, 19, 0] high[0, 0, 0]
// CHECK: %[[R:.*]] = attn.attention causal(bottom_right) {{.*}} -> tensor<2x96x8xf32>
// CHECK: tensor.extract_slice %[[R]][0, 19, 0] [2, 77, 8] [1, 1, 1]
// A requested tile is kept: 128 rows.
// T64-LABEL: func.func @rows_77_bottom_right
// T64: tensor.pad %arg0 low[0, 51, 0] high[0, 0, 0]
func.func @rows_77_bottom_right(%q: tensor<2x77x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                                %init: tensor<2x77x8xf32>) -> tensor<2x77x8xf32> {
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x77x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x77x8xf32>) -> tensor<2x77x8xf32>
  return %r : tensor<2x77x8xf32>
}

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// Not padded: whole tiles (1024 rows), a dim a tile takes whole (50 rows),
// a dynamic dim.
// CHECK-LABEL: func.func @no_padding
// CHECK-NOT: tensor.pad
// CHECK: return
func.func @no_padding(%q: tensor<2x1024x16xf32>, %q50: tensor<2x50x16xf32>, %qd: tensor<2x?x16xf32>,
                      %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>, %s: f32,
                      %init: tensor<2x1024x8xf32>, %init50: tensor<2x50x8xf32>, %initd: tensor<2x?x8xf32>)
    -> (tensor<2x1024x8xf32>, tensor<2x50x8xf32>, tensor<2x?x8xf32>) {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x1024x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x1024x8xf32>) -> tensor<2x1024x8xf32>
  %r50 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q50, %k, %v, %s : tensor<2x50x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init50 : tensor<2x50x8xf32>) -> tensor<2x50x8xf32>
  %rd = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%qd, %k, %v, %s : tensor<2x?x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%initd : tensor<2x?x8xf32>) -> tensor<2x?x8xf32>
  return %r, %r50, %rd : tensor<2x1024x8xf32>, tensor<2x50x8xf32>, tensor<2x?x8xf32>
}
