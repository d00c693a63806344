// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels -verify-diagnostics | FileCheck %s

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
// CHECK: gpu.module @attn_kernels [#rocdl.target<O = 3, chip = "gfx942", abi = "500">]
// CHECK: gpu.func @main_attention_0(%{{.+}}: memref<2x10x256x64xf16>, %{{.+}}: memref<2x10x128x64xf16>, %{{.+}}: memref<2x10x128x64xf16>, %{{.+}}: memref<2x10x256x64xf16>, %{{.+}}: f16)
// CHECK-SAME: workgroup(%{{.+}} : memref<64x64xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<64x64xf16, #gpu.address_space<workgroup>>)
// CHECK-SAME: kernel attributes {known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 4, 20, 1>}
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK-COUNT-16: amdgpu.mfma 16x16x16
// CHECK: gpu.shuffle  xor
// CHECK: math.exp
// CHECK-COUNT-16: amdgpu.mfma 16x16x16
// CHECK: gpu.barrier
// CHECK: scf.yield
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
// f32 Q/K/V are converted to f16 (the MFMA input) by an elementwise op
// before the launch; the output stays f32.
// CHECK-LABEL: func.func @f32_inputs
// CHECK-COUNT-3: arith.truncf %{{.+}} : f32 to f16
// CHECK: gpu.launch_func @attn_kernels::@f32_inputs_attention_0 {{.*}} args(%{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf16>, %{{.+}} : memref<64x16xf32>, %{{.+}} : f32)
// CHECK: gpu.func @f32_inputs_attention_0(%{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf16>, %{{.+}}: memref<64x16xf32>, %{{.+}}: f32)
// CHECK: amdgpu.mfma 16x16x16 {{.*}} : vector<4xf16>, vector<4xf16>, vector<4xf32>
func.func @f32_inputs(%q: tensor<64x16xf32>, %k: tensor<64x16xf32>, %v: tensor<64x16xf32>, %s: f32, %init: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x16xf32>, tensor<64x16xf32>, tensor<64x16xf32>, f32)
         outs(%init : tensor<64x16xf32>) -> tensor<64x16xf32>
  return %r : tensor<64x16xf32>
}

// -----

#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @odd_m(%q: tensor<40x16xf16>, %k: tensor<64x16xf16>, %v: tensor<64x16xf16>, %s: f16, %init: tensor<40x16xf16>) -> tensor<40x16xf16> {
  // expected-error @+1 {{attn-rocm-attention-kernels: the GPU kernel needs M and K2 multiples of 64, K1 and N multiples of 16}}
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<40x16xf16>, tensor<64x16xf16>, tensor<64x16xf16>, f16)
         outs(%init : tensor<40x16xf16>) -> tensor<40x16xf16>
  return %r : tensor<40x16xf16>
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
func.func @masked(%q: tensor<64x16xf16>, %k: tensor<64x16xf16>, %v: tensor<64x16xf16>, %s: f16, %m: tensor<64x64xi1>, %init: tensor<64x16xf16>) -> tensor<64x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<64x16xf16>, tensor<64x16xf16>, tensor<64x16xf16>, f16, tensor<64x64xi1>)
         outs(%init : tensor<64x16xf16>) -> tensor<64x16xf16>
  return %r : tensor<64x16xf16>
}

// -----

// No attention: no GPU module is created.
// CHECK-LABEL: func.func @nothing
// CHECK-NOT: gpu.module
func.func @nothing(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
