// The log-sum-exp on the GPU: the kernel writes the partial state (max,
// sum) even when K2 is not split (one split, grid z = 1), and the merge
// after the launch writes the LSE (max + log(sum), -inf for empty rows) in
// its own generic, next to the normalized output.
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels=k2-splits=1 | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="chip=gfx90a k2-splits=1" | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels | FileCheck %s --check-prefix=AUTO
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels=remarks=true 2>&1 >/dev/null | FileCheck %s --check-prefix=REMARK

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#l = affine_map<(b, m, k1, k2, n) -> (m, b)>
// CHECK-LABEL: func.func @prefill_lse
// CHECK: %[[PACC:.+]] = memref.alloc() : memref<1x2x128x64xf32>
// CHECK: %[[PMAX:.+]] = memref.alloc() : memref<1x2x128xf32>
// CHECK: %[[PSUM:.+]] = memref.alloc() : memref<1x2x128xf32>
// CHECK: gpu.launch_func @attn_kernels::@prefill_lse_attention_0 blocks in (%{{.+}}, %{{.+}}, %[[C1:.+]]) {{.*}} args({{.*}}, %[[PACC]] : memref<1x2x128x64xf32>, %{{.+}} : f16, %[[PMAX]] : memref<1x2x128xf32>, %[[PSUM]] : memref<1x2x128xf32>)
// CHECK: arith.maximumf
// CHECK: arith.divf
// CHECK: %[[L:.+]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%{{.+}}, %{{.+}} : tensor<2x100xf32>, tensor<2x100xf32>) outs(%arg3 : tensor<100x2xf32>)
// CHECK: math.log
// CHECK: arith.select
// CHECK: return %{{.+}}, %[[L]]
// CHECK: gpu.func @prefill_lse_attention_0
// CHECK-SAME: known_grid_size = array<i32: 2, 2, 1>
// CHECK: memref.store %{{.+}}, %arg5[
// CHECK: memref.store %{{.+}}, %arg6[
// AUTO-LABEL: func.func @prefill_lse
// AUTO: math.log
func.func @prefill_lse(%q: tensor<2x100x64xf16>, %k: tensor<2x300x64xf16>, %v: tensor<2x300x64xf16>,
                       %linit: tensor<100x2xf32>) -> (tensor<2x100x64xf16>, tensor<100x2xf32>) {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x100x64xf16>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<2x100x64xf16>, tensor<2x300x64xf16>, tensor<2x300x64xf16>, f16)
         outs(%init, %linit : tensor<2x100x64xf16>, tensor<100x2xf32>) -> tensor<2x100x64xf16>, tensor<100x2xf32>
  return %r#0, %r#1 : tensor<2x100x64xf16>, tensor<100x2xf32>
}

// -----

// Several M dims (GQA's query-head group next to the row) and an LSE laid
// out with them: collapsed for the kernel like the output, expanded back.
#q = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, k1)>
#k = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, g, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m, n)>
#l = affine_map<(b, h, g, m, k1, k2, n) -> (b, h, g, m)>
// CHECK-LABEL: func.func @gqa_lse
// CHECK: %[[LC:.+]] = tensor.collapse_shape %arg3 {{\[}}[0], [1], [2, 3]] : tensor<1x2x4x3xf32> into tensor<1x2x12xf32>
// CHECK: gpu.launch_func
// CHECK: %[[L:.+]] = linalg.generic {{.*}} outs(%[[LC]] : tensor<1x2x12xf32>)
// CHECK: math.log
// CHECK: %[[LE:.+]] = tensor.expand_shape %[[L]] {{\[}}[0], [1], [2, 3]] output_shape [1, 2, 4, 3] : tensor<1x2x12xf32> into tensor<1x2x4x3xf32>
// CHECK: return %{{.+}}, %[[LE]]
func.func @gqa_lse(%q: tensor<1x2x4x3x32xf16>, %k: tensor<1x2x500x32xf16>, %v: tensor<1x2x500x32xf16>,
                   %linit: tensor<1x2x4x3xf32>) -> (tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>) {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<1x2x4x3x32xf16>
  %r:2 = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<1x2x4x3x32xf16>, tensor<1x2x500x32xf16>, tensor<1x2x500x32xf16>, f16)
         outs(%init, %linit : tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>) -> tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>
  return %r#0, %r#1 : tensor<1x2x4x3x32xf16>, tensor<1x2x4x3xf32>
}

// -----

// An LSE whose M dims are ordered unlike Q's ((m, h) against (h, m)): it is
// computed in the grouped order and transposed back, like such an output.
#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#l = affine_map<(b, h, m, k1, k2, n) -> (b, m, h)>
// CHECK-LABEL: func.func @lse_transposed
// CHECK: gpu.launch_func
// CHECK: math.log
// CHECK: %[[T:.+]] = linalg.transpose ins(%{{.+}} : tensor<1x4x5xf32>) outs(%arg3 : tensor<1x5x4xf32>) permutation = [0, 2, 1]
// CHECK: return %{{.+}}, %[[T]]
// REMARK: remark: [attn-rocm-attention-kernels] transposed LSE so that each role's dims are one contiguous run for the GPU kernel
func.func @lse_transposed(%q: tensor<1x4x5x32xf16>, %k: tensor<1x100x32xf16>, %v: tensor<1x100x32xf16>,
                          %linit: tensor<1x5x4xf32>) -> (tensor<1x4x5x32xf16>, tensor<1x5x4xf32>) {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<1x4x5x32xf16>
  %r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #o, #l]}
         ins(%q, %k, %v, %s : tensor<1x4x5x32xf16>, tensor<1x100x32xf16>, tensor<1x100x32xf16>, f16)
         outs(%init, %linit : tensor<1x4x5x32xf16>, tensor<1x5x4xf32>) -> tensor<1x4x5x32xf16>, tensor<1x5x4xf32>
  return %r#0, %r#1 : tensor<1x4x5x32xf16>, tensor<1x5x4xf32>
}
