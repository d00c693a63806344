// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels=chip=gfx90a | FileCheck %s --check-prefix=GFX90A
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels=k2-splits=1 | FileCheck %s --check-prefix=NOSPLIT

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
// Decode on gfx942 (304 CUs): 32 workgroups < 2 x 304, so K2 (8192 keys,
// 128 blocks) is split over grid z: ceil(608 / 32) = 19 splits of 7
// blocks. Each workgroup writes its chunk's acc, max and sum; linalg
// reductions over the split dim merge them (max, then exp-weighted sums)
// and a last generic normalizes into the output.
// CHECK-LABEL: func.func @decode
// CHECK: %[[PACC:.+]] = memref.alloc() : memref<19x32x64x128xf32>
// CHECK: %[[PMAX:.+]] = memref.alloc() : memref<19x32x64xf32>
// CHECK: %[[PSUM:.+]] = memref.alloc() : memref<19x32x64xf32>
// CHECK: gpu.launch_func @attn_kernels::@decode_attention_0 blocks in (%{{.+}}, %{{.+}}, %[[C19:.+]]) {{.*}} args({{.*}}, %[[PACC]] : memref<19x32x64x128xf32>, %{{.+}} : f16, %[[PMAX]] : memref<19x32x64xf32>, %[[PSUM]] : memref<19x32x64xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: math.exp
// CHECK: tensor.extract_slice %{{.+}}[0, 0, 0] [32, 1, 128]
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: arith.truncf
// CHECK: gpu.func @decode_attention_0
// CHECK-SAME: known_grid_size = array<i32: 1, 32, 19>
// CHECK: gpu.block_id  z
// CHECK: arith.muli %{{.+}}, %{{.+}} : index
// CHECK: scf.for
// CHECK: vector.store %{{.+}}, %arg3[
// CHECK: scf.if
// The kernel's running max is in base-2 units: natural units (x ln 2) in
// the partial state the merge reads.
// CHECK: %[[NAT:.+]] = arith.mulf %{{.+}}, %cst{{.*}} : f32
// CHECK: memref.store %[[NAT]], %arg5[
// CHECK: memref.store %{{.+}}, %arg6[
func.func @decode(%q: tensor<1x32x1x128xf16>, %k: tensor<1x32x8192x128xf16>, %v: tensor<1x32x8192x128xf16>) -> tensor<1x32x1x128xf16> {
  %s = arith.constant 0.088 : f16
  %init = tensor.empty() : tensor<1x32x1x128xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<1x32x1x128xf16>, tensor<1x32x8192x128xf16>, tensor<1x32x8192x128xf16>, f16)
         outs(%init : tensor<1x32x1x128xf16>) -> tensor<1x32x1x128xf16>
  return %r : tensor<1x32x1x128xf16>
}

// gfx90a has 104 CUs: ceil(208 / 32) = 7 splits.
// GFX90A-LABEL: func.func @decode
// GFX90A: known_grid_size = array<i32: 1, 32, 7>
// NOSPLIT-LABEL: func.func @decode
// NOSPLIT: known_grid_size = array<i32: 1, 32, 1>
// NOSPLIT-NOT: gpu.block_id  z

// -----

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
// Enough workgroups (16 x 40 = 640 >= 608): no split.
// CHECK-LABEL: func.func @prefill
// CHECK: known_grid_size = array<i32: 16, 40, 1>
// CHECK-NOT: gpu.block_id  z
func.func @prefill(%q: tensor<40x1024x64xf16>, %k: tensor<40x1024x64xf16>, %v: tensor<40x1024x64xf16>) -> tensor<40x1024x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<40x1024x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<40x1024x64xf16>, tensor<40x1024x64xf16>, tensor<40x1024x64xf16>, f16)
         outs(%init : tensor<40x1024x64xf16>) -> tensor<40x1024x64xf16>
  return %r : tensor<40x1024x64xf16>
}
