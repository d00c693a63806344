// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="remarks=true k2-splits=1 pipeline=1" -verify-diagnostics | FileCheck %s --check-prefix=EXACT
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 f32-mfma=f16" | FileCheck %s --check-prefix=F16
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 f32-mfma=bf16" | FileCheck %s --check-prefix=BF16
// RUN: not attn-opt %s -split-input-file --attn-rocm-attention-kernels="f32-mfma=tf32" 2>&1 | FileCheck %s --check-prefix=BAD

// f32 attention: exact by default, rounded only when asked (f32-mfma).
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// Exact: f32 operands go to the kernel as they are; every 16x16x16
// fragment product is four f32 MFMAs 16x16x4 on one element per lane,
// and P is not rounded.
// EXACT-LABEL: func.func @f32_inputs
// EXACT-NOT: arith.truncf
// EXACT: gpu.launch_func @attn_kernels::@f32_inputs_attention_0 {{.*}} args(%{{.+}} : memref<64x16xf32>, %{{.+}} : memref<64x16xf32>, %{{.+}} : memref<64x16xf32>, %{{.+}} : memref<64x16xf32>, %{{.+}} : f32)
// EXACT: gpu.func @f32_inputs_attention_0({{.*}}) workgroup(%{{.+}} : memref<64x16xf32, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x64xf32, #gpu.address_space<workgroup>>)
// EXACT-NOT: amdgpu.mfma 16x16x16
// EXACT-NOT: arith.truncf
// EXACT-COUNT-4: amdgpu.mfma 16x16x4 {{.*}} : f32, f32, vector<4xf32>
// EXACT-NOT: amdgpu.mfma 16x16x16
// EXACT-NOT: arith.truncf
// EXACT: gpu.return
//
// f32-mfma=f16: Q/K/V converted by an elementwise op before the launch,
// P rounded in the kernel; the output stays f32. The to_buffer ops come
// after every tensor op, right before the launch (a to_buffer'd tensor
// written in place later was read by the kernel as another operand:
// attention(V, V, V) for three equal f32 inputs).
// F16-LABEL: func.func @f32_inputs
// F16-COUNT-3: arith.truncf %{{.+}} : f32 to f16
// F16-NOT: linalg.generic
// F16: memref.alloc
// F16-NEXT: bufferization.to_buffer
// F16-NEXT: bufferization.to_buffer
// F16-NEXT: bufferization.to_buffer
// F16-NOT: linalg
// F16: gpu.launch_func @attn_kernels::@f32_inputs_attention_0 {{.*}} args(%{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf32>, %{{.+}} : f32)
// F16: gpu.func @f32_inputs_attention_0(%{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf32>, %{{.+}}: f32)
// F16: amdgpu.mfma 16x16x16 {{.*}} : vector<4xf16>, vector<4xf16>, vector<4xf32>
// F16: arith.truncf %{{.+}} : vector<4xf32> to vector<4xf16>
//
// BF16-LABEL: func.func @f32_inputs
// BF16-COUNT-3: arith.truncf %{{.+}} : f32 to bf16
// BF16: amdgpu.mfma 16x16x16 {{.*}} : vector<4xbf16>, vector<4xbf16>, vector<4xf32>
//
// BAD: attn-rocm-attention-kernels: unknown f32-mfma 'tf32' (exact, f16, bf16)
func.func @f32_inputs(%q: tensor<64x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>, %s: f32, %init: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
         outs(%init : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}

// -----

// Must not fall back: f32 K1 = N = 128 stages 64 KiB (K 64x128, V^T
// 128x64), exactly the LDS of gfx942; the kernel is built.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// EXACT-LABEL: func.func @f32_head_dim_128
// EXACT: gpu.launch_func @attn_kernels::@f32_head_dim_128_attention_0
// EXACT: workgroup(%{{.+}} : memref<64x128xf32, #gpu.address_space<workgroup>>, %{{.+}} : memref<128x64xf32, #gpu.address_space<workgroup>>)
func.func @f32_head_dim_128(%q: tensor<64x128xf32>, %k: tensor<64x128xf32>, %v: tensor<64x128xf32>, %s: f32, %init: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x128xf32>, tensor<64x128xf32>, tensor<64x128xf32>, f32)
         outs(%init : tensor<64x128xf32>) -> tensor<64x128xf32>
  return %r : tensor<64x128xf32>
}

// -----

// Falls back: f32 K1 = N = 256 would stage 128 KiB. Exact f32 is kept;
// the attention becomes its unfused linalg form (simple kernels later),
// and a remark says why. With f32-mfma=f16 the blocks (64 KiB) fit.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// EXACT-LABEL: func.func @f32_head_dim_256
// EXACT-NOT: gpu.launch_func
// EXACT: linalg.generic
// EXACT-NOT: gpu.launch_func
// EXACT: return
// F16-LABEL: func.func @f32_head_dim_256
// F16: gpu.launch_func @attn_kernels::@f32_head_dim_256_attention_0
func.func @f32_head_dim_256(%q: tensor<64x256xf32>, %k: tensor<64x256xf32>, %v: tensor<64x256xf32>, %s: f32, %init: tensor<64x256xf32>) -> tensor<64x256xf32> {
  // expected-remark @+1 {{[attn-rocm-attention-kernels] unfused kernels: the flash kernel's K and V blocks need 131072 bytes of LDS, gfx942 has 65536}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x256xf32>, tensor<64x256xf32>, tensor<64x256xf32>, f32)
         outs(%init : tensor<64x256xf32>) -> tensor<64x256xf32>
  return %r : tensor<64x256xf32>
}
