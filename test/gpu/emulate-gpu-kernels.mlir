// RUN: attn-opt %s --attn-rocm-attention-kernels --attn-emulate-gpu-kernels | FileCheck %s
// Without generated kernels the pass does nothing.
// RUN: attn-opt %s --attn-emulate-gpu-kernels | FileCheck %s --check-prefix=NOOP

// The attention becomes an emulated launch: a loop over the grid, one
// OpenMP thread per GPU thread, barriers as omp.barrier, MFMA and shuffles
// through shared buffers; the GPU module is gone.
// CHECK-LABEL: func.func @main
// CHECK-NOT: attn.attention
// CHECK: bufferization.to_buffer %arg0 read_only
// CHECK: scf.for
// CHECK: scf.for
// CHECK: omp.parallel num_threads(%{{.+}} : i32)
// CHECK: call @omp_get_thread_num()
// CHECK: omp.barrier
// CHECK-NOT: gpu.
// CHECK-NOT: amdgpu.
// CHECK: omp.terminator
// CHECK: memref.dealloc
// CHECK: bufferization.to_tensor {{.*}} restrict writable
// CHECK-NOT: gpu.module
// NOOP: attn.attention
// NOOP-NOT: omp.parallel
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<1x64x16xf16>, %k: tensor<1x64x16xf16>, %v: tensor<1x64x16xf16>) -> tensor<1x64x16xf16> {
  %s = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<1x64x16xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<1x64x16xf16>, tensor<1x64x16xf16>, tensor<1x64x16xf16>, f16)
         outs(%init : tensor<1x64x16xf16>) -> tensor<1x64x16xf16>
  return %r : tensor<1x64x16xf16>
}
