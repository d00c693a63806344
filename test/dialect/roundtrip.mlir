// RUN: attn-opt %s | FileCheck %s
// RUN: attn-opt %s | attn-opt | FileCheck %s
// RUN: attn-opt %s --mlir-print-op-generic | attn-opt | FileCheck %s

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#kt = affine_map<(b, m, k1, k2, n) -> (b, k1, k2)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#vt = affine_map<(b, m, k1, k2, n) -> (b, n, k2)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#mask_bcast = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#row = affine_map<(b, m, k1, k2, n) -> (b, m)>

// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2)>
// CHECK-DAG: #[[V:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4)>
// CHECK-DAG: #[[S:.+]] = affine_map<(d0, d1, d2, d3, d4) -> ()>
// CHECK-DAG: #[[O:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
// CHECK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// CHECK-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-DAG: #[[MASK:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3)>
// CHECK-DAG: #[[MASKB:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1)>
// CHECK-DAG: #[[ROWT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d0)>

// CHECK-LABEL: func.func @standard
// CHECK: attn.attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[O]]]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16)
// CHECK-SAME: outs(%{{.*}} : tensor<2x128x32xf16>) -> tensor<2x128x32xf16>
func.func @standard(%q: tensor<2x128x64xf16>, %k: tensor<2x256x64xf16>,
                    %v: tensor<2x256x32xf16>, %s: f16,
                    %init: tensor<2x128x32xf16>) -> tensor<2x128x32xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16)
         outs(%init : tensor<2x128x32xf16>) -> tensor<2x128x32xf16>
  return %r : tensor<2x128x32xf16>
}

// CHECK-LABEL: func.func @transposed_k_and_v
// CHECK: attn.attention {indexing_maps = [#[[Q]], #[[KT]], #[[VT]], #[[S]], #[[O]]]}
func.func @transposed_k_and_v(%q: tensor<2x128x64xf32>, %k: tensor<2x64x256xf32>,
                              %v: tensor<2x32x256xf32>, %s: f32,
                              %init: tensor<2x128x32xf32>) -> tensor<2x128x32xf32> {
  %r = attn.attention {indexing_maps = [#q, #kt, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x128x64xf32>, tensor<2x64x256xf32>, tensor<2x32x256xf32>, f32)
         outs(%init : tensor<2x128x32xf32>) -> tensor<2x128x32xf32>
  return %r : tensor<2x128x32xf32>
}

// CHECK-LABEL: func.func @bool_mask
// CHECK: attn.attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASK]], #[[O]]]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x128x64xbf16>, tensor<2x256x64xbf16>, tensor<2x256x32xbf16>, bf16, tensor<2x128x256xi1>)
func.func @bool_mask(%q: tensor<2x128x64xbf16>, %k: tensor<2x256x64xbf16>,
                     %v: tensor<2x256x32xbf16>, %s: bf16, %m: tensor<2x128x256xi1>,
                     %init: tensor<2x128x32xbf16>) -> tensor<2x128x32xbf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x128x64xbf16>, tensor<2x256x64xbf16>, tensor<2x256x32xbf16>, bf16, tensor<2x128x256xi1>)
         outs(%init : tensor<2x128x32xbf16>) -> tensor<2x128x32xbf16>
  return %r : tensor<2x128x32xbf16>
}

// A float mask broadcast over the batch, f32 output from f16 inputs.
// CHECK-LABEL: func.func @float_mask_broadcast
// CHECK: attn.attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASKB]], #[[O]]]}
// CHECK-SAME: tensor<128x256xf32>)
// CHECK-SAME: -> tensor<2x128x32xf32>
func.func @float_mask_broadcast(%q: tensor<2x128x64xf16>, %k: tensor<2x256x64xf16>,
                                %v: tensor<2x256x32xf16>, %s: f32, %m: tensor<128x256xf32>,
                                %init: tensor<2x128x32xf32>) -> tensor<2x128x32xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask_bcast, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f32, tensor<128x256xf32>)
         outs(%init : tensor<2x128x32xf32>) -> tensor<2x128x32xf32>
  return %r : tensor<2x128x32xf32>
}

// Dynamic sequence lengths.
// CHECK-LABEL: func.func @dynamic
// CHECK: attn.attention
// CHECK-SAME: tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, f32)
func.func @dynamic(%q: tensor<2x?x64xf32>, %k: tensor<2x?x64xf32>,
                   %v: tensor<2x?x64xf32>, %s: f32,
                   %init: tensor<2x?x64xf32>) -> tensor<2x?x64xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x?x64xf32>, tensor<2x?x64xf32>, tensor<2x?x64xf32>, f32)
         outs(%init : tensor<2x?x64xf32>) -> tensor<2x?x64xf32>
  return %r : tensor<2x?x64xf32>
}

// CHECK-LABEL: func.func @online
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = attn.online_attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[O]], #[[ROW]], #[[ROW]]]}
// CHECK-SAME: outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
// CHECK-SAME: -> tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
func.func @online(%q: tensor<2x128x64xf16>, %k: tensor<2x64x64xf16>,
                  %v: tensor<2x64x32xf16>, %s: f16, %acc: tensor<2x128x32xf32>,
                  %max: tensor<2x128xf32>, %sum: tensor<2x128xf32>)
    -> (tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>) {
  %r:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #o, #row, #row]}
           ins(%q, %k, %v, %s : tensor<2x128x64xf16>, tensor<2x64x64xf16>, tensor<2x64x32xf16>, f16)
           outs(%acc, %max, %sum : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
           -> tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  return %r#0, %r#1, %r#2 : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
}

// CHECK-LABEL: func.func @online_masked
// CHECK: attn.online_attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASK]], #[[O]], #[[ROW]], #[[ROW]]]}
func.func @online_masked(%q: tensor<2x128x64xf16>, %k: tensor<2x64x64xf16>,
                         %v: tensor<2x64x32xf16>, %s: f16, %m: tensor<2x128x64xi1>,
                         %acc: tensor<2x128x32xf32>, %max: tensor<2x128xf32>,
                         %sum: tensor<2x128xf32>)
    -> (tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>) {
  %r:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #row, #row]}
           ins(%q, %k, %v, %s, %m : tensor<2x128x64xf16>, tensor<2x64x64xf16>, tensor<2x64x32xf16>, f16, tensor<2x128x64xi1>)
           outs(%acc, %max, %sum : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
           -> tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  return %r#0, %r#1, %r#2 : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
}

// CHECK-LABEL: func.func @causal
// CHECK: attn.attention causal(top_left) {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[O]]]}
// CHECK: attn.attention causal(bottom_right) {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASK]], #[[O]]]}
func.func @causal(%q: tensor<2x128x64xf16>, %k: tensor<2x256x64xf16>, %v: tensor<2x256x32xf16>,
                  %s: f16, %m: tensor<2x128x256xi1>, %o: tensor<2x128x32xf16>) -> (tensor<2x128x32xf16>, tensor<2x128x32xf16>) {
  %r0 = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16)
         outs(%o : tensor<2x128x32xf16>) -> tensor<2x128x32xf16>
  %r1 = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16, tensor<2x128x256xi1>)
         outs(%o : tensor<2x128x32xf16>) -> tensor<2x128x32xf16>
  return %r0, %r1 : tensor<2x128x32xf16>, tensor<2x128x32xf16>
}

// The causal diagonal of online_attention: an index after the mask.
// CHECK-LABEL: func.func @online_diagonal
// CHECK: attn.online_attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[S]], #[[O]], #[[ROW]], #[[ROW]]]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x128x64xf16>, tensor<2x64x64xf16>, tensor<2x64x32xf16>, f16, index)
// CHECK: attn.online_attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASK]], #[[S]], #[[O]], #[[ROW]], #[[ROW]]]}
// CHECK-SAME: f16, tensor<2x128x64xi1>, index)
func.func @online_diagonal(%q: tensor<2x128x64xf16>, %k: tensor<2x64x64xf16>,
                           %v: tensor<2x64x32xf16>, %s: f16, %d: index, %m: tensor<2x128x64xi1>,
                           %acc: tensor<2x128x32xf32>, %max: tensor<2x128xf32>,
                           %sum: tensor<2x128xf32>)
    -> (tensor<2x128x32xf32>, tensor<2x128x32xf32>) {
  %r:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #s, #o, #row, #row]}
           ins(%q, %k, %v, %s, %d : tensor<2x128x64xf16>, tensor<2x64x64xf16>, tensor<2x64x32xf16>, f16, index)
           outs(%acc, %max, %sum : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
           -> tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  %t:3 = attn.online_attention {indexing_maps = [#q, #k, #v, #s, #mask, #s, #o, #row, #row]}
           ins(%q, %k, %v, %s, %m, %d : tensor<2x128x64xf16>, tensor<2x64x64xf16>, tensor<2x64x32xf16>, f16, tensor<2x128x64xi1>, index)
           outs(%acc, %max, %sum : tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>)
           -> tensor<2x128x32xf32>, tensor<2x128xf32>, tensor<2x128xf32>
  return %r#0, %t#0 : tensor<2x128x32xf32>, tensor<2x128x32xf32>
}

// The log-sum-exp as a second init and result: a map over the batch and M
// dims (the output's order, or another one), with a mask and causal.
#row_t = affine_map<(b, m, k1, k2, n) -> (m, b)>
// CHECK-LABEL: func.func @lse
// CHECK: = attn.attention {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[O]], #[[ROW]]]}
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2x128x32xf16>, tensor<2x128xf32>) -> tensor<2x128x32xf16>, tensor<2x128xf32>
// CHECK: = attn.attention causal(bottom_right) {indexing_maps = [#[[Q]], #[[K]], #[[V]], #[[S]], #[[MASK]], #[[O]], #[[ROWT]]]}
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16, tensor<2x128x256xf32>)
// CHECK-SAME: outs(%{{.*}}, %{{.*}} : tensor<2x128x32xf16>, tensor<128x2xf32>) -> tensor<2x128x32xf16>, tensor<128x2xf32>
func.func @lse(%q: tensor<2x128x64xf16>, %k: tensor<2x256x64xf16>, %v: tensor<2x256x32xf16>,
               %s: f16, %m: tensor<2x128x256xf32>, %o: tensor<2x128x32xf16>,
               %l: tensor<2x128xf32>, %lt: tensor<128x2xf32>)
    -> (tensor<2x128xf32>, tensor<128x2xf32>) {
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #row]}
         ins(%q, %k, %v, %s : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16)
         outs(%o, %l : tensor<2x128x32xf16>, tensor<2x128xf32>) -> tensor<2x128x32xf16>, tensor<2x128xf32>
  %t:2 = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #mask, #o, #row_t]}
         ins(%q, %k, %v, %s, %m : tensor<2x128x64xf16>, tensor<2x256x64xf16>, tensor<2x256x32xf16>, f16, tensor<2x128x256xf32>)
         outs(%o, %lt : tensor<2x128x32xf16>, tensor<128x2xf32>) -> tensor<2x128x32xf16>, tensor<128x2xf32>
  return %r#1, %t#1 : tensor<2x128xf32>, tensor<128x2xf32>
}
