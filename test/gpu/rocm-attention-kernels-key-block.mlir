// RUN: attn-opt %s --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 key-block=128" | FileCheck %s --check-prefix=KB128
// RUN: attn-opt %s --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 key-block=32" | FileCheck %s --check-prefix=KB32
// RUN: attn-opt %s --attn-rocm-attention-kernels="k2-splits=1 pipeline=1" | FileCheck %s --check-prefix=AUTO
// RUN: not attn-opt %s --attn-rocm-attention-kernels="key-block=48" 2>&1 | FileCheck %s --check-prefix=BAD

// The key block (keys per loop iteration) is a kernel configuration knob:
// the LDS tiles, the loop step, the padding of K2 and the MFMAs per
// iteration follow it. K2 = 200 is padded to the block: 256 for 128 and
// 64 (automatic), 224 for 32.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// KB128: gpu.launch_func @attn_kernels::@main_attention_0 {{.*}} args(%{{.+}} : memref<64x32xf16>, %{{.+}} : memref<256x32xf16>, %{{.+}} : memref<256x16xf16>
// KB128: gpu.func @main_attention_0
// KB128-SAME: workgroup(%{{.+}} : memref<128x32xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x128xf16, #gpu.address_space<workgroup>>)
// KB128: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c128_i32
// KB128-COUNT-16: amdgpu.mfma 16x16x16
// KB128: gpu.shuffle  xor
// KB128-COUNT-8: amdgpu.mfma 16x16x16
// KB128: scf.yield
//
// KB32: gpu.launch_func @attn_kernels::@main_attention_0 {{.*}} args(%{{.+}} : memref<64x32xf16>, %{{.+}} : memref<224x32xf16>, %{{.+}} : memref<224x16xf16>
// KB32: workgroup(%{{.+}} : memref<32x32xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x32xf16, #gpu.address_space<workgroup>>)
// KB32: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c32_i32
// KB32-COUNT-4: amdgpu.mfma 16x16x16
// KB32: gpu.shuffle  xor
// KB32-COUNT-2: amdgpu.mfma 16x16x16
// KB32: scf.yield
//
// AUTO: args(%{{.+}} : memref<64x32xf16>, %{{.+}} : memref<256x32xf16>, %{{.+}} : memref<256x16xf16>
// AUTO: workgroup(%{{.+}} : memref<64x32xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x64xf16, #gpu.address_space<workgroup>>)
//
// BAD: attn-rocm-attention-kernels: key-block must be 32, 64 or 128, got 48
func.func @main(%q: tensor<64x32xf16>, %k: tensor<200x32xf16>, %v: tensor<200x16xf16>, %s: f16, %init: tensor<64x16xf16>) -> tensor<64x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x32xf16>, tensor<200x32xf16>, tensor<200x16xf16>, f16)
         outs(%init : tensor<64x16xf16>) -> tensor<64x16xf16>
  return %r : tensor<64x16xf16>
}
