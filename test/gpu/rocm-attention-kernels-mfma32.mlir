// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 mfma=32x32x8" | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1" | FileCheck %s --check-prefix=AUTO
// RUN: not attn-opt %s -split-input-file --attn-rocm-attention-kernels="mfma=8x8x4" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not attn-opt %s -split-input-file --attn-rocm-attention-kernels="mfma=32x32" 2>&1 | FileCheck %s --check-prefix=BAD2

// The MFMA shape is a configuration field: with mfma=32x32x8 each wave
// serves 32 query rows (4 waves: 128 rows per workgroup, M = 256 in 2
// workgroups), both products run on amdgpu.mfma 32x32x8 with 16 f32 per
// lane in an accumulator tile, the scores' quads (vector.shuffle of 4
// elements) feed P.V's B operand over 8 keys each, and a row's lanes are
// l and l ^ 32 (one xor shuffle per reduction). The default keeps
// 16x16x16 (docs/gpu.md: 32x32 does not model faster on SDXL or d=128).
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// CHECK-LABEL: func.func @f16_rows
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch_func @attn_kernels::@f16_rows_attention_0 blocks in (%[[C2]], %{{.+}}, %{{.+}}) threads in (%[[C256]], %{{.+}}, %{{.+}})
// CHECK: gpu.func @f16_rows_attention_0
// CHECK-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=32x32x8,pipeline=1"
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 2, 1, 1>
// Lane coordinates: the row within the wave's 32 (lane % 32), the wave's
// first row (wave x 32), the workgroup's (block id x 128).
// CHECK: arith.remui %{{.+}}, %c32{{(_[0-9]+)?}} : index
// CHECK: arith.muli %{{.+}}, %c32{{(_[0-9]+)?}} : index
// CHECK: scf.for
// CHECK: gpu.barrier
// S^T = K.Q^T: 64 keys = 2 tiles of 32, K1 = 64 = 8 chunks of 8.
// CHECK-COUNT-16: amdgpu.mfma 32x32x8 {{.*}} : vector<4xf16>, vector<4xf16>, vector<16xf32>
// CHECK-NOT: amdgpu.mfma
// CHECK: vector.shuffle %[[T0:.+]], %[[T0]] [0, 1, 2, 3] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle %[[T0]], %[[T0]] [4, 5, 6, 7] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle %[[T0]], %[[T0]] [8, 9, 10, 11] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle %[[T0]], %[[T0]] [12, 13, 14, 15] : vector<16xf32>, vector<16xf32>
// CHECK: vector.shuffle %[[T1:.+]], %[[T1]] [0, 1, 2, 3]
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.shuffle  xor %{{.+}}, %c32_i32{{(_[0-9]+)?}}, %c64_i32{{(_[0-9]+)?}} : f32
// CHECK-NOT: gpu.shuffle
// CHECK: rocdl.exp2
// O^T = V^T.P^T: 8 slices of 8 keys x 2 output tiles of 32 columns, one
// slice per window between fences.
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-2: amdgpu.mfma 32x32x8 {{.*}} : vector<4xf16>, vector<4xf16>, vector<16xf32>
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-2: amdgpu.mfma 32x32x8
// CHECK: scf.yield
// After the loop: the row's sum over its 2 lanes, then the output, 4
// quads per tile: columns nb * 32 + q * 8 + 4 * (lane / 32) + 0..3.
// CHECK: gpu.shuffle  xor %{{.+}}, %c32_i32{{(_[0-9]+)?}}, %c64_i32{{(_[0-9]+)?}} : f32
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-8: vector.store %{{.+}}, %arg3[%{{.+}}, %{{.+}}] : memref<256x64xf16>, vector<4xf16>
// CHECK-NOT: vector.store
// CHECK: gpu.return
//
// AUTO-LABEL: func.func @f16_rows
// AUTO: attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=1"
// AUTO-NOT: amdgpu.mfma 32x32x8
// AUTO: amdgpu.mfma 16x16x16
//
// BAD: attn-rocm-attention-kernels: mfma must be 16x16x16 or 32x32x8, got 8x8x4
// BAD2: attn-rocm-attention-kernels: mfma must be 16x16x16 or 32x32x8, got '32x32'
func.func @f16_rows(%q: tensor<256x64xf16>, %k: tensor<128x64xf16>, %v: tensor<128x64xf16>, %s: f16, %init: tensor<256x64xf16>) -> tensor<256x64xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x64xf16>, tensor<128x64xf16>, tensor<128x64xf16>, f16)
         outs(%init : tensor<256x64xf16>) -> tensor<256x64xf16>
  return %r : tensor<256x64xf16>
}

// -----

// bf16 with V transposed ([N, K2]) and N = 40: N pads to a multiple of the
// 32-column output tile (64), M = 100 to the workgroup's 128 rows.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#vt = affine_map<(m, k1, k2, n) -> (n, k2)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// CHECK-LABEL: func.func @bf16_transposed_v_n40
// CHECK: gpu.launch_func @attn_kernels::@bf16_transposed_v_n40_attention_0 {{.*}} args(%{{.+}} : memref<128x32xbf16>, %{{.+}} : memref<64x32xbf16>, %{{.+}} : memref<64x64xbf16>, %{{.+}} : memref<128x64xf32>
// CHECK: gpu.func @bf16_transposed_v_n40_attention_0
// CHECK-SAME: workgroup(%{{.+}} : memref<64x32xbf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<64x64xbf16, #gpu.address_space<workgroup>>)
// CHECK-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=32x32x8,pipeline=1"
// CHECK: amdgpu.mfma 32x32x8 {{.*}} : vector<4xbf16>, vector<4xbf16>, vector<16xf32>
// CHECK-NOT: amdgpu.mfma 16x16x16
// CHECK: gpu.return
//
// AUTO-LABEL: func.func @bf16_transposed_v_n40
// AUTO: args(%{{.+}} : memref<128x32xbf16>, %{{.+}} : memref<64x32xbf16>, %{{.+}} : memref<48x64xbf16>
func.func @bf16_transposed_v_n40(%q: tensor<100x32xbf16>, %k: tensor<64x32xbf16>, %v: tensor<40x64xbf16>, %s: bf16, %init: tensor<100x40xf32>) -> tensor<100x40xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<100x32xbf16>, tensor<64x32xbf16>, tensor<40x64xbf16>, bf16)
         outs(%init : tensor<100x40xf32>) -> tensor<100x40xf32>
  return %r : tensor<100x40xf32>
}

// -----

// f32 stays exact: each 32x32x8 fragment product is four f32 MFMAs
// 32x32x2 on one element per lane.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// CHECK-LABEL: func.func @f32_exact
// CHECK-NOT: arith.truncf
// CHECK: gpu.func @f32_exact_attention_0
// CHECK-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=32x32x8,pipeline=1"
// CHECK-NOT: amdgpu.mfma 32x32x8
// CHECK-NOT: arith.truncf
// CHECK-COUNT-4: amdgpu.mfma 32x32x2 {{.*}} : f32, f32, vector<16xf32>
// CHECK-NOT: amdgpu.mfma 32x32x8
// CHECK-NOT: arith.truncf
// CHECK: gpu.return
func.func @f32_exact(%q: tensor<128x32xf32>, %k: tensor<64x32xf32>, %v: tensor<64x32xf32>, %s: f32, %init: tensor<128x32xf32>) -> tensor<128x32xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<128x32xf32>, tensor<64x32xf32>, tensor<64x32xf32>, f32)
         outs(%init : tensor<128x32xf32>) -> tensor<128x32xf32>
  return %r : tensor<128x32xf32>
}
