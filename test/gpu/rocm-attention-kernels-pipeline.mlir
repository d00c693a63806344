// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=2" | FileCheck %s --check-prefix=D2
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=0" | FileCheck %s --check-prefix=D0
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1" | FileCheck %s --check-prefix=AUTO
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=2 remarks=true" 2>&1 | FileCheck %s --check-prefix=NOFIT
// RUN: not attn-opt %s -split-input-file --attn-rocm-attention-kernels="pipeline=3" 2>&1 | FileCheck %s --check-prefix=BAD

// The pipeline depth: key blocks staged ahead of the one being computed.
//
// Depth 2: two LDS buffers of each tile (K [2 x 64][16], V^T [2 x 16][64]).
// Before the loop, after a barrier (a previous loop's waves may still read
// the buffers), block 0 is written to buffer 0 and block 1's loads are
// issued. The loop computes two blocks per iteration, one per buffer, with
// one barrier each: the first step reads buffer 0 and writes the next
// block to buffer 1 (1024 elements on), the second the other way round.
// K2 = 192 is three blocks: the loop covers the first two and the third is
// one more step after it.
// D2-LABEL: gpu.func @three_blocks_attention_0
// D2-SAME: workgroup(%{{.+}} : memref<128x16xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<32x64xf16, #gpu.address_space<workgroup>>)
// D2-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=2"
// D2-SAME: attn.key_blocks_per_iteration = 2 : i64
// D2: %[[K:.+]] = memref.collapse_shape %arg5
// D2: gpu.barrier
// D2: vector.load %arg1
// D2: vector.store %{{.+}}, %[[K]][%{{.+}}] : memref<2048xf16
// D2: %[[NEXT:.+]] = scf.if %{{.+}} -> (vector<8xf16>) {
// D2: vector.load %arg1
// D2: scf.for %{{.+}} = %c0_i32 to %c128_i32 step %c128_i32{{.*}} iter_args({{.*}}, %[[CK:.+]] = %[[NEXT]], %{{.+}} = %{{.+}}) -> (f32, f32, vector<4xf32>, vector<8xf16>, vector<8xf16>)
// D2-NEXT: arith.index_cast
// D2-NEXT: gpu.barrier
// D2: amdgpu.mfma 16x16x16
// D2: %[[B1:.+]] = arith.addi %{{.+}}, %c1024{{.*}} overflow<nsw, nuw> : index
// D2-NEXT: vector.store %[[CK]], %[[K]][%[[B1]]]
// D2: vector.load %arg1
// D2: gpu.barrier
// D2-NOT: gpu.barrier
// D2: vector.store %{{.+}}, %[[K]][%{{.+}}] : memref<2048xf16
// D2-NOT: gpu.barrier
// D2: scf.yield {{.+}} : f32, f32, vector<4xf32>, vector<8xf16>, vector<8xf16>
// D2-NEXT: }
// D2-NEXT: gpu.barrier
// D2: amdgpu.mfma 16x16x16
// D2: gpu.return

// Depth 0: nothing is carried across iterations but the softmax state;
// each iteration loads its block, writes it to LDS, waits at a barrier,
// computes, and waits again before the next one overwrites the tiles.
// D0-LABEL: gpu.func @three_blocks_attention_0
// D0-SAME: workgroup(%{{.+}} : memref<64x16xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x64xf16, #gpu.address_space<workgroup>>)
// D0-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=0"
// D0-NOT: attn.key_blocks_per_iteration
// D0-NOT: vector.load %arg1
// D0: scf.for %{{.+}} = %c0_i32 to %c192_i32 step %c64_i32{{.*}} -> (f32, f32, vector<4xf32>)
// D0: vector.load %arg1
// D0: vector.load %arg2
// D0: vector.store
// D0: gpu.barrier
// D0: amdgpu.mfma 16x16x16
// D0-NOT: vector.load %arg1
// D0: gpu.barrier
// D0-NEXT: scf.yield

// The heuristic takes depth 2 here: two buffers of 4 KiB let 8
// workgroups of 4 waves share a CU, more than the 4 waves per SIMD it asks
// for.
// AUTO-LABEL: gpu.func @three_blocks_attention_0
// AUTO-SAME: attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=2"
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @three_blocks(%q: tensor<64x16xf16>, %k: tensor<192x16xf16>, %v: tensor<192x16xf16>, %s: f16, %init: tensor<64x16xf16>) -> tensor<64x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x16xf16>, tensor<192x16xf16>, tensor<192x16xf16>, f16)
         outs(%init : tensor<64x16xf16>) -> tensor<64x16xf16>
  return %r : tensor<64x16xf16>
}

// -----

// Causal attention: how many blocks a workgroup visits depends on its
// rows, so with two buffers whether a last odd block remains is known only
// at run time: one more step under an scf.if after each loop.
// D2-LABEL: gpu.func @causal_attention_0
// D2: scf.for
// D2: scf.yield
// D2: scf.if %{{.+}} -> (f32, f32, vector<4xf32>, vector<8xf16>, vector<8xf16>) {
// D2: gpu.barrier
// D2: amdgpu.mfma 16x16x16
// D2: } else {
// D2: scf.for
// D2: scf.if %{{.+}} -> (f32, f32, vector<4xf32>, vector<8xf16>, vector<8xf16>) {
// D2: gpu.return
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @causal(%q: tensor<256x16xf16>, %k: tensor<256x16xf16>, %v: tensor<256x16xf16>, %s: f16, %init: tensor<256x16xf16>) -> tensor<256x16xf16> {
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<256x16xf16>, tensor<256x16xf16>, tensor<256x16xf16>, f16)
         outs(%init : tensor<256x16xf16>) -> tensor<256x16xf16>
  return %r : tensor<256x16xf16>
}

// -----

// The heuristic at SDXL's size: 8 waves per workgroup, and two buffers of
// 16 KiB still let 2 workgroups (4 waves per SIMD) share a CU: depth 2.
// At head dim 128 two buffers take 64 KiB: depth 1.
// AUTO-LABEL: gpu.func @sdxl_attention_0
// AUTO-SAME: attn.kernel_config = "key-block=64,waves=8,mfma=16x16x16,pipeline=2"
// AUTO-LABEL: gpu.func @d128_attention_0
// AUTO-SAME: attn.kernel_config = "key-block=64,waves=8,mfma=16x16x16,pipeline=1"
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @sdxl(%q: tensor<20x4096x64xf16>, %k: tensor<20x4096x64xf16>, %v: tensor<20x4096x64xf16>, %s: f16, %init: tensor<20x4096x64xf16>) -> tensor<20x4096x64xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<20x4096x64xf16>, tensor<20x4096x64xf16>, tensor<20x4096x64xf16>, f16)
         outs(%init : tensor<20x4096x64xf16>) -> tensor<20x4096x64xf16>
  return %r : tensor<20x4096x64xf16>
}
func.func @d128(%q: tensor<32x4096x128xbf16>, %k: tensor<32x4096x128xbf16>, %v: tensor<32x4096x128xbf16>, %s: bf16, %init: tensor<32x4096x128xbf16>) -> tensor<32x4096x128xbf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<32x4096x128xbf16>, tensor<32x4096x128xbf16>, tensor<32x4096x128xbf16>, bf16)
         outs(%init : tensor<32x4096x128xbf16>) -> tensor<32x4096x128xbf16>
  return %r : tensor<32x4096x128xbf16>
}

// -----

// Must not build: at head dim 256, one buffer of a 64-key block takes 64
// KiB, two would not fit in gfx942's LDS; asked for depth 2, the attention
// becomes unfused kernels, and a remark says why.
// NOFIT: remark: [attn-rocm-attention-kernels] unfused kernels: the flash kernel's K and V blocks need 131072 bytes of LDS, gfx942 has 65536
// NOFIT-LABEL: func.func @no_fit
// NOFIT-NOT: gpu.launch_func
// NOFIT: return
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @no_fit(%q: tensor<64x256xf16>, %k: tensor<128x256xf16>, %v: tensor<128x256xf16>, %s: f16, %init: tensor<64x256xf16>) -> tensor<64x256xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x256xf16>, tensor<128x256xf16>, tensor<128x256xf16>, f16)
         outs(%init : tensor<64x256xf16>) -> tensor<64x256xf16>
  return %r : tensor<64x256xf16>
}

// BAD: error: attn-rocm-attention-kernels: pipeline must be 0, 1 or 2, got 3
