// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="remarks=true k2-splits=1 pipeline=1" -verify-diagnostics | FileCheck %s
// (Without a K2 split, see rocm-attention-kernels-split.mlir; pipeline depth
// 1, see rocm-attention-kernels-pipeline.mlir for depths 0 and 2.)

// The kernel: 256 threads (4 waves x 16 query rows), a grid of
// (M / 64) x batch, K and V^T tiles in workgroup memory, a loop over
// 64-key blocks with barriers, 16 MFMAs for S^T = K.Q^T and 16 for
// O^T = V^T.P^T (K1 = N = 64), row statistics by xor shuffles.
#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
// CHECK-LABEL: module attributes {gpu.container_module}
// CHECK: func.func @main
// CHECK-NOT: attn.attention
// CHECK: %[[OUT:.+]] = memref.alloc() : memref<2x10x256x64xf16>
// CHECK: %[[Q:.+]] = bufferization.to_buffer %arg0 read_only
// CHECK: %[[K:.+]] = bufferization.to_buffer %arg1 read_only
// CHECK: %[[V:.+]] = bufferization.to_buffer %arg2 read_only
// CHECK-DAG: %[[C4:.+]] = arith.constant 4 : index
// CHECK-DAG: %[[C20:.+]] = arith.constant 20 : index
// CHECK-DAG: %[[C256:.+]] = arith.constant 256 : index
// CHECK: gpu.launch_func @attn_kernels::@main_attention_0 blocks in (%[[C4]], %[[C20]], %{{.+}}) threads in (%[[C256]], %{{.+}}, %{{.+}}) args(%[[Q]] : memref<2x10x256x64xf16>, %[[K]] : memref<2x10x128x64xf16>, %[[V]] : memref<2x10x128x64xf16>, %[[OUT]] : memref<2x10x256x64xf16>, %{{.+}} : f16)
// CHECK: %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[R]]
// CHECK: gpu.module @attn_kernels {
// CHECK: gpu.func @main_attention_0(%{{.+}}: memref<2x10x256x64xf16>, %{{.+}}: memref<2x10x128x64xf16>, %{{.+}}: memref<2x10x128x64xf16>, %{{.+}}: memref<2x10x256x64xf16>, %{{.+}}: f16)
// CHECK-SAME: workgroup(%{{.+}} : memref<64x64xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<64x64xf16, #gpu.address_space<workgroup>>)
// CHECK-SAME: kernel attributes {attn.k2_splits = 1 : i64, attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=1", attn.key_blocks = array<i64: 2, 2, 8, 8>, attn.useful_fraction = 1.000000e+00 : f64, attn.workgroups = 80 : i64, known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 4, 20, 1>, rocdl.waves_per_eu = 4 : i32}
// The LDS tiles are accessed flat (per-thread base plus constants).
// CHECK: %[[KFLAT:.+]] = memref.collapse_shape %arg5 {{\[\[}}0, 1]] : memref<64x64xf16, #gpu.address_space<workgroup>> into memref<4096xf16, #gpu.address_space<workgroup>>
// CHECK: %[[VFLAT:.+]] = memref.collapse_shape %arg6
// Softmax in base 2: the scale times log2(e) once, before the loop, and
// the bare hardware exp2 in it (no math.exp, whose full-range lowering
// costs ~10 VALU per score).
// CHECK: %[[LOG2E:.+]] = arith.constant 1.44269502 : f32
// CHECK: %[[SCALE2:.+]] = arith.mulf %{{.+}}, %[[LOG2E]] : f32
// Software pipelining: block 0's K and V chunks (2 + 2 per thread) are
// loaded before the loop; each iteration writes the carried chunks to LDS
// (K as vectors, V transposed element by element), waits at the barrier,
// computes S and the row max (shuffles), then issues the loads of the
// next block (clamped to the last one) between scheduling barriers that
// only MFMAs and scalar work may cross, then the softmax and P.V in
// windows between fences (see rocm-attention-schedule.mlir).
// CHECK: %[[K0:.+]] = vector.load %arg1[{{.*}}] : memref<2x10x128x64xf16>, vector<8xf16>
// CHECK: %[[K1:.+]] = vector.load %arg1[{{.*}}] : memref<2x10x128x64xf16>, vector<8xf16>
// CHECK: %[[V0:.+]] = vector.load %arg2[{{.*}}] : memref<2x10x128x64xf16>, vector<8xf16>
// CHECK: %[[V1:.+]] = vector.load %arg2[{{.*}}] : memref<2x10x128x64xf16>, vector<8xf16>
// CHECK: scf.for {{.*}} iter_args({{.*}}, %[[CK0:.+]] = %[[K0]], %[[CK1:.+]] = %[[K1]], %[[CV0:.+]] = %[[V0]], %[[CV1:.+]] = %[[V1]])
// CHECK: vector.store %[[CK0]], %[[KFLAT]]
// CHECK: vector.store %[[CK1]], %[[KFLAT]]
// CHECK: memref.store %{{.+}}, %[[VFLAT]]
// CHECK: gpu.barrier
// CHECK-COUNT-16: amdgpu.mfma 16x16x16
// CHECK: vector.broadcast %[[SCALE2]]
// CHECK: gpu.shuffle  xor
// CHECK: gpu.shuffle  xor
// CHECK: amdgpu.sched_barrier allow = <salu|mfma_wmma>
// CHECK: arith.minsi %{{.+}}, %c64
// CHECK: %[[NK0:.+]] = vector.load %arg1[{{.*}}] : memref<2x10x128x64xf16>, vector<8xf16>
// CHECK: %[[NK1:.+]] = vector.load %arg1
// CHECK: %[[NV0:.+]] = vector.load %arg2
// CHECK: %[[NV1:.+]] = vector.load %arg2
// CHECK: amdgpu.sched_barrier allow = <salu|mfma_wmma>
// Unmasked blocks scale and subtract the max in one FMA; the exponentials
// are the bare exp2. The lane's sum is not reduced across lanes here.
// CHECK-NOT: math.exp
// CHECK-NOT: gpu.shuffle
// CHECK: math.fma %{{.+}}, %{{.+}}, %{{.+}} : vector<4xf32>
// CHECK: rocdl.exp2 %{{.+}} f32 -> f32
// CHECK-NOT: math.exp
// CHECK-NOT: gpu.shuffle
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-4: amdgpu.mfma 16x16x16
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-4: amdgpu.mfma 16x16x16
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-4: amdgpu.mfma 16x16x16
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-4: amdgpu.mfma 16x16x16
// CHECK: gpu.barrier
// CHECK: scf.yield {{.*}}, %[[NK0]], %[[NK1]], %[[NV0]], %[[NV1]] :
// The row sum: the lanes' shares added once, after the loop.
// CHECK: gpu.shuffle  xor
// CHECK: gpu.shuffle  xor
// CHECK: gpu.return
func.func @main(%q: tensor<2x10x256x64xf16>, %k: tensor<2x10x128x64xf16>, %v: tensor<2x10x128x64xf16>) -> tensor<2x10x256x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x256x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x10x256x64xf16>, tensor<2x10x128x64xf16>, tensor<2x10x128x64xf16>, f16)
         outs(%init : tensor<2x10x256x64xf16>) -> tensor<2x10x256x64xf16>
  return %r : tensor<2x10x256x64xf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Sizes off the tiles are padded with zeros (M 40 -> 64, K2 50 -> 64, N 8
// -> 16), keys past 50 are masked in the kernel, the output is copied out
// of the padded buffer into one of its real size (a slice would be a
// strided view, which host copies cannot take).
// CHECK-LABEL: func.func @odd_m
// CHECK: tensor.pad %{{.+}} low[0, 0] high[24, 0]
// CHECK: tensor<40x16xf16> to tensor<64x16xf16>
// CHECK: tensor.pad %{{.+}} low[0, 0] high[14, 0]
// CHECK: tensor<50x16xf16> to tensor<64x16xf16>
// CHECK: tensor.pad %{{.+}} low[0, 0] high[14, 8]
// CHECK: tensor<50x8xf16> to tensor<64x16xf16>
// CHECK: gpu.launch_func @attn_kernels::@odd_m_attention_0 blocks in
// CHECK: %[[VIEW:.+]] = memref.subview %{{.+}}[0, 0] [40, 8] [1, 1] : memref<64x16xf16> to memref<40x8xf16, strided<[16, 1]>>
// CHECK: %[[EXACT:.+]] = memref.alloc() : memref<40x8xf16>
// CHECK: memref.copy %[[VIEW]], %[[EXACT]]
// CHECK: bufferization.to_tensor %[[EXACT]] restrict writable : memref<40x8xf16> to tensor<40x8xf16>
// CHECK: gpu.func @odd_m_attention_0
// CHECK: arith.cmpi ult, %{{.+}}, %[[C50:.+]] : index
func.func @odd_m(%q: tensor<40x16xf16>, %k: tensor<50x16xf16>, %v: tensor<50x8xf16>, %s: f16, %init: tensor<40x8xf16>) -> tensor<40x8xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<40x16xf16>, tensor<50x16xf16>, tensor<50x8xf16>, f16)
         outs(%init : tensor<40x8xf16>) -> tensor<40x8xf16>
  return %r : tensor<40x8xf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#mask = affine_map<(m, k1, k2, n) -> (m, k2)>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// A boolean mask is the kernel's sixth argument, read one byte per key
// (i1 vectors would be bit-packed) and applied as a select to -inf; rows
// that have seen only masked keys subtract 0, not -inf, and a fully masked
// row divides by +inf (giving 0).
// CHECK-LABEL: func.func @masked
// CHECK: gpu.launch_func @attn_kernels::@masked_attention_0 {{.*}} %{{.+}} : memref<64x64xi1>)
// CHECK: gpu.func @masked_attention_0({{.*}}, %[[MASK:.+]]: memref<64x64xi1>)
// CHECK: memref.load %[[MASK]]
// CHECK: arith.select %{{.+}}, %{{.+}}, %{{.+}} : vector<4xi1>, vector<4xf32>
// CHECK: arith.cmpf oeq
// CHECK: arith.select {{.*}} : f32
// Masked scores are not rescaled from the raw product (no FMA form).
// CHECK-NOT: math.fma
// CHECK: gpu.return
func.func @masked(%q: tensor<64x16xf16>, %k: tensor<64x16xf16>, %v: tensor<64x16xf16>, %s: f16, %m: tensor<64x64xi1>, %init: tensor<64x16xf16>) -> tensor<64x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<64x16xf16>, tensor<64x16xf16>, tensor<64x16xf16>, f16, tensor<64x64xi1>)
         outs(%init : tensor<64x16xf16>) -> tensor<64x16xf16>
  return %r : tensor<64x16xf16>
}

// -----

// Several dims of one role, each a contiguous run in the same order
// (GQA's query heads next to M; a split K2 and N), are collapsed to one
// dim per role around the kernel.
// CHECK-LABEL: func.func @multi_dim_roles
// CHECK-DAG: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3]] : tensor<2x4x12x16xf16> into tensor<2x48x16xf16>
// CHECK-DAG: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3]] : tensor<2x3x10x16xf16> into tensor<2x30x16xf16>
// CHECK-DAG: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2], [3, 4]] : tensor<2x3x10x2x8xf16> into tensor<2x30x16xf16>
// CHECK: gpu.launch_func @attn_kernels::@multi_dim_roles_attention_0
// CHECK: tensor.expand_shape %{{.+}} {{\[}}[0], [1, 2], [3, 4]] output_shape [2, 4, 12, 2, 8] : tensor<2x48x16xf16> into tensor<2x4x12x2x8xf16>
#mq = affine_map<(b, g, m, k1, k20, k21, n0, n1) -> (b, g, m, k1)>
#mk = affine_map<(b, g, m, k1, k20, k21, n0, n1) -> (b, k20, k21, k1)>
#mv = affine_map<(b, g, m, k1, k20, k21, n0, n1) -> (b, k20, k21, n0, n1)>
#ms = affine_map<(b, g, m, k1, k20, k21, n0, n1) -> ()>
#mo = affine_map<(b, g, m, k1, k20, k21, n0, n1) -> (b, g, m, n0, n1)>
func.func @multi_dim_roles(%q: tensor<2x4x12x16xf16>, %k: tensor<2x3x10x16xf16>, %v: tensor<2x3x10x2x8xf16>) -> tensor<2x4x12x2x8xf16> {
  %s = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<2x4x12x2x8xf16>
  %r = attn.attention {indexing_maps = [#mq, #mk, #mv, #ms, #mo]}
         ins(%q, %k, %v, %s : tensor<2x4x12x16xf16>, tensor<2x3x10x16xf16>, tensor<2x3x10x2x8xf16>, f16)
         outs(%init : tensor<2x4x12x2x8xf16>) -> tensor<2x4x12x2x8xf16>
  return %r : tensor<2x4x12x2x8xf16>
}

// -----

// M dims in a different order in Q and O: the output is computed in Q's
// order (a fresh [m0, m1, n] tensor), collapsed, and transposed back into
// the destination; reported with --attn-remarks.
// CHECK-LABEL: func.func @interleaved_m
// CHECK-SAME: %[[INIT:[a-z0-9]+]]: tensor<8x4x16xf16>)
// CHECK-NOT: linalg.transpose
// CHECK: gpu.launch_func
// CHECK: %[[R:.+]] = tensor.expand_shape %{{.+}} {{\[}}[0, 1], [2]] output_shape [4, 8, 16]
// CHECK: linalg.transpose ins(%[[R]] : tensor<4x8x16xf16>) outs(%[[INIT]] : tensor<8x4x16xf16>) permutation = [1, 0, 2]
#nq = affine_map<(m0, m1, k1, k2, n) -> (m0, m1, k1)>
#nk = affine_map<(m0, m1, k1, k2, n) -> (k2, k1)>
#nv = affine_map<(m0, m1, k1, k2, n) -> (k2, n)>
#ns = affine_map<(m0, m1, k1, k2, n) -> ()>
#no = affine_map<(m0, m1, k1, k2, n) -> (m1, m0, n)>
func.func @interleaved_m(%q: tensor<4x8x16xf16>, %k: tensor<64x16xf16>, %v: tensor<64x16xf16>, %s: f16, %init: tensor<8x4x16xf16>) -> tensor<8x4x16xf16> {
  // expected-remark @+1 {{[attn-rocm-attention-kernels] transposed O so that each role's dims are one contiguous run for the GPU kernel}}
  %r = attn.attention {indexing_maps = [#nq, #nk, #nv, #ns, #no]}
         ins(%q, %k, %v, %s : tensor<4x8x16xf16>, tensor<64x16xf16>, tensor<64x16xf16>, f16)
         outs(%init : tensor<8x4x16xf16>) -> tensor<8x4x16xf16>
  return %r : tensor<8x4x16xf16>
}

// -----

// N split in two dims with K2 between them in V, and a mask that has only
// one of the two K2 dims: V is transposed (to the transposed-V form [N,
// K2], as N comes first), the mask broadcast over the missing K2 dim in
// K's order, and then every role collapses to one dim.
// CHECK-LABEL: func.func @interleaved_k2_n_mask
// CHECK-DAG: linalg.transpose ins(%arg2 : tensor<4x2x8x16xf16>) outs(%{{.+}} : tensor<4x16x2x8xf16>) permutation = [0, 3, 1, 2]
// CHECK-DAG: linalg.generic {{.*}} ins(%arg4 : tensor<32x8xi1>) outs(%{{.+}} : tensor<32x2x8xi1>)
// CHECK: tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2]] : tensor<32x2x8xi1> into tensor<32x16xi1>
// CHECK: gpu.launch_func @attn_kernels::@interleaved_k2_n_mask_attention_0
#iq = affine_map<(m, k1, ka, kb, n0, n1) -> (m, k1)>
#ik = affine_map<(m, k1, ka, kb, n0, n1) -> (ka, kb, k1)>
#iv = affine_map<(m, k1, ka, kb, n0, n1) -> (n0, ka, kb, n1)>
#is = affine_map<(m, k1, ka, kb, n0, n1) -> ()>
#imask = affine_map<(m, k1, ka, kb, n0, n1) -> (m, kb)>
#io = affine_map<(m, k1, ka, kb, n0, n1) -> (m, n0, n1)>
func.func @interleaved_k2_n_mask(%q: tensor<32x16xf16>, %k: tensor<2x8x16xf16>, %v: tensor<4x2x8x16xf16>, %s: f16, %m: tensor<32x8xi1>, %init: tensor<32x4x16xf16>) -> tensor<32x4x16xf16> {
  // expected-remark @+1 {{[attn-rocm-attention-kernels] broadcast the mask, transposed V so that each role's dims are one contiguous run for the GPU kernel}}
  %r = attn.attention {indexing_maps = [#iq, #ik, #iv, #is, #imask, #io]}
         ins(%q, %k, %v, %s, %m : tensor<32x16xf16>, tensor<2x8x16xf16>, tensor<4x2x8x16xf16>, f16, tensor<32x8xi1>)
         outs(%init : tensor<32x4x16xf16>) -> tensor<32x4x16xf16>
  return %r : tensor<32x4x16xf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Padded keys (K2 = 100 -> 128) are masked only in the last block: the
// first loop (keys 0-63) has no select, the edge loop (64-127) does.
// CHECK-LABEL: gpu.func @padded_keys_edge_only_attention_0
// CHECK: scf.for %{{.+}} = %c0_i32{{(_[0-9]+)?}} to %c64_i32{{(_[0-9]+)?}} step
// CHECK-NOT: arith.select
// CHECK: math.fma
// CHECK-NOT: arith.select
// CHECK: scf.yield
// CHECK: scf.for %{{.+}} = %c64_i32{{(_[0-9]+)?}} to %c128_i32{{(_[0-9]+)?}} step
// CHECK: arith.cmpi ult
// CHECK: arith.select
// CHECK-NOT: math.fma
// CHECK: scf.yield
func.func @padded_keys_edge_only(%q: tensor<64x16xf16>, %k: tensor<100x16xf16>, %v: tensor<100x16xf16>, %s: f16, %init: tensor<64x16xf16>) -> tensor<64x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x16xf16>, tensor<100x16xf16>, tensor<100x16xf16>, f16)
         outs(%init : tensor<64x16xf16>) -> tensor<64x16xf16>
  return %r : tensor<64x16xf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Causal (bottom_right, D = 320 - 256 = 64): the last query tiles start
// first (tile = 3 - block id); each workgroup visits keys up to its last
// row's diagonal, the blocks every row sees in full without selects and
// the diagonal blocks with the comparison key <= row + 64; rows that have
// seen only masked keys subtract 0.
// CHECK-LABEL: gpu.func @causal_attention_0
// CHECK: %[[BID:.+]] = gpu.block_id  x
// CHECK: %[[TILE:.+]] = arith.subi %{{.+}}, %[[BID]] : index
// CHECK: arith.muli %[[TILE]], %{{.+}} : index
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: %[[STEADY:.+]] = arith.muli
// CHECK: %[[STEADY32:.+]] = arith.index_cast %[[STEADY]] : index to i32
// CHECK: scf.for %{{.+}} = %{{.+}} to %[[STEADY32]] step
// CHECK-NOT: arith.select
// CHECK: scf.yield
// CHECK: %[[LB2:.+]] = arith.index_cast %[[STEADY]] : index to i32
// CHECK: scf.for %{{.+}} = %[[LB2]] to %{{.+}} step
// CHECK: arith.cmpi sle
// CHECK: arith.select %{{.+}} : vector<4xi1>, vector<4xf32>
// CHECK: arith.cmpf oeq
// CHECK: scf.yield
func.func @causal(%q: tensor<256x16xf16>, %k: tensor<320x16xf16>, %v: tensor<320x16xf16>, %s: f16, %init: tensor<256x16xf16>) -> tensor<256x16xf16> {
  %r = attn.attention causal(bottom_right) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x16xf16>, tensor<320x16xf16>, tensor<320x16xf16>, f16)
         outs(%init : tensor<256x16xf16>) -> tensor<256x16xf16>
  return %r : tensor<256x16xf16>
}

// -----

// No attention: no GPU module is created.
// CHECK-LABEL: func.func @nothing
// CHECK-NOT: gpu.module
func.func @nothing(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
