// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 waves=8" | FileCheck %s
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 waves=8 key-block=128" | FileCheck %s --check-prefix=KB128
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 waves=8 key-block=32" | FileCheck %s --check-prefix=KB32

// The key loop's instruction schedule (d = 128, bf16; docs/gpu.md "The
// attention kernel"). Q.K^T runs over K1 chunks outside the 16-key blocks,
// so consecutive MFMAs accumulate into different blocks; the loop body is
// cut by fences (amdgpu.sched_barrier allow = <none>) into windows, each
// holding one step's MFMAs and the next step's LDS reads, whose order the
// scheduling-group barriers ask for: MFMA (mask 8), LDS read (256), vector
// and scalar work (1030 = VALU | SALU | transcendental).
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// CHECK-LABEL: gpu.func @d128_attention_0
// The occupancy the kernel's 32 KiB of LDS allows, asked of the backend.
// CHECK-SAME: rocdl.waves_per_eu = 4 : i32
// The LDS tiles are indexed flat (constant offsets from a per-thread base).
// CHECK: %[[KT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1]] : memref<64x128xbf16, #gpu.address_space<workgroup>> into memref<8192xbf16, #gpu.address_space<workgroup>>
// CHECK: %[[VT:.+]] = memref.collapse_shape %{{.+}} {{\[\[}}0, 1]] : memref<128x64xbf16, #gpu.address_space<workgroup>> into memref<8192xbf16, #gpu.address_space<workgroup>>
// The key loop counts in i32 (scalar compare and increment).
// CHECK: scf.for
// CHECK-SAME: : i32 {
// CHECK: gpu.barrier
// Q.K^T, first window: chunk 0 and 1 of every 16-key block; the first four
// MFMAs start four independent accumulators from zero with the same Q
// fragment.
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-NEXT: %[[S0:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[Q0:.+]] + %[[ZERO:[a-z_0-9]+]]
// CHECK-NEXT: %[[S1:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[Q0]] + %[[ZERO]]
// CHECK-NEXT: %[[S2:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[Q0]] + %[[ZERO]]
// CHECK-NEXT: %[[S3:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[Q0]] + %[[ZERO]]
// CHECK-NEXT: amdgpu.mfma 16x16x16 %{{.+}} * %[[Q1:.+]] + %[[S0]]
// CHECK-NEXT: amdgpu.mfma 16x16x16 %{{.+}} * %[[Q1]] + %[[S1]]
// The next window's K fragments are read in this one, after its last four
// MFMAs (once the registers they replace are free).
// CHECK: vector.load %[[KT]]
// CHECK: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 256, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 256, 1, 0
// CHECK: amdgpu.sched_barrier allow = <none>
// Row max, then the next block's global loads between scheduling barriers.
// CHECK: gpu.shuffle xor
// CHECK: gpu.shuffle xor
// CHECK: amdgpu.sched_barrier allow = <salu|mfma_wmma>
// CHECK: vector.load %arg1
// CHECK: amdgpu.sched_barrier allow = <salu|mfma_wmma>
// P of the first three 16-key slices right after the loads (vector work
// that waits on no LDS access), then the V^T fragments of slice 0.
// CHECK-COUNT-12: rocdl.exp2
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-8: vector.load %[[VT]]
// CHECK-NEXT: amdgpu.sched_barrier allow = <none>
// P.V over key slices outside the 8 output tiles: each MFMA of slice 0 is
// followed by the read of its tile's slice-1 fragment (double-buffered
// registers), and the window asks for two vector or scalar instructions
// after each MFMA.
// CHECK-NEXT: %[[O0:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[P0:.+]] + %{{.+}}
// CHECK: vector.load %[[VT]]
// CHECK-NEXT: %[[O1:.+]] = amdgpu.mfma 16x16x16 %{{.+}} * %[[P0]] + %{{.+}}
// CHECK: rocdl.sched.group.barrier 8, 1, 0
// CHECK-NEXT: rocdl.sched.group.barrier 1030, 2, 0
// CHECK: rocdl.sched.group.barrier 256, 1, 0
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-NEXT: amdgpu.mfma 16x16x16 %{{.+}} * %[[P1:.+]] + %[[O0]]
// CHECK: gpu.barrier
// CHECK: scf.yield
func.func @d128(%q: tensor<256x128xbf16>, %k: tensor<256x128xbf16>, %v: tensor<256x128xbf16>, %s: bf16, %init: tensor<256x128xbf16>) -> tensor<256x128xbf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x128xbf16>, tensor<256x128xbf16>, tensor<256x128xbf16>, bf16)
         outs(%init : tensor<256x128xbf16>) -> tensor<256x128xbf16>
  return %r : tensor<256x128xbf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// d = 64 (the SDXL head size): Q.K^T is one window whose K reads all come
// first, and P of every slice is computed before the P.V MFMAs, whose V^T
// fragments of slice 0 were read with the last K fragments.
// CHECK-LABEL: gpu.func @d64_attention_0
// CHECK: gpu.barrier
// CHECK-COUNT-16: vector.load
// CHECK-NEXT: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-16: amdgpu.mfma
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-COUNT-16: rocdl.exp2
// CHECK: amdgpu.sched_barrier allow = <none>
// CHECK-NEXT: amdgpu.mfma
func.func @d64(%q: tensor<256x64xf16>, %k: tensor<256x64xf16>, %v: tensor<256x64xf16>, %s: f16, %init: tensor<256x64xf16>) -> tensor<256x64xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x64xf16>, tensor<256x64xf16>, tensor<256x64xf16>, f16)
         outs(%init : tensor<256x64xf16>) -> tensor<256x64xf16>
  return %r : tensor<256x64xf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// With 128-key blocks the kernel asks for no occupancy: their scores alone
// take 32 VGPRs, and a budget of 128 registers would force spills.
// KB128-LABEL: gpu.func @kb128_attention_0
// KB128-SAME: attn.kernel_config = "key-block=128,waves=8,mfma=16x16x16,pipeline=1"
// KB128-NOT: rocdl.waves_per_eu
// KB128: gpu.return
func.func @kb128(%q: tensor<256x128xbf16>, %k: tensor<256x128xbf16>, %v: tensor<256x128xbf16>, %s: bf16, %init: tensor<256x128xbf16>) -> tensor<256x128xbf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x128xbf16>, tensor<256x128xbf16>, tensor<256x128xbf16>, bf16)
         outs(%init : tensor<256x128xbf16>) -> tensor<256x128xbf16>
  return %r : tensor<256x128xbf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Nor where a loop masks (here causal): the masking loop needs more
// registers, and a budget of 128 forced spills at d = 128.
// CHECK-LABEL: gpu.func @causal128_attention_0
// CHECK-NOT: rocdl.waves_per_eu
// CHECK: gpu.return
func.func @causal128(%q: tensor<256x128xbf16>, %k: tensor<256x128xbf16>, %v: tensor<256x128xbf16>, %s: bf16, %init: tensor<256x128xbf16>) -> tensor<256x128xbf16> {
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x128xbf16>, tensor<256x128xbf16>, tensor<256x128xbf16>, bf16)
         outs(%init : tensor<256x128xbf16>) -> tensor<256x128xbf16>
  return %r : tensor<256x128xbf16>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Nor where the kernel's estimated registers exceed the budget: d = 256 at
// key-block=32, waves=8 (whose LDS would allow 4 waves per SIMD) needs
// more than 128 (estimate 176), and the request spilled 51 VGPRs.
// KB32-LABEL: gpu.func @d256_attention_0
// KB32-SAME: attn.kernel_config = "key-block=32,waves=8,mfma=16x16x16,pipeline=1"
// KB32-NOT: rocdl.waves_per_eu
// KB32: gpu.return
func.func @d256(%q: tensor<256x256xbf16>, %k: tensor<256x256xbf16>, %v: tensor<256x256xbf16>, %s: bf16, %init: tensor<256x256xbf16>) -> tensor<256x256xbf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x256xbf16>, tensor<256x256xbf16>, tensor<256x256xbf16>, bf16)
         outs(%init : tensor<256x256xbf16>) -> tensor<256x256xbf16>
  return %r : tensor<256x256xbf16>
}
