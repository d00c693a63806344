// attn-kernel-report reads resources from the code object and counts
// instructions in its disassembly; the IR is left unchanged.
// RUN: attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx942 abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx942 runtime=HIP}),attn-kernel-report{toolkit=%rocm_toolkit})' -o /dev/null | FileCheck %s
// A missing toolkit is a clean error.
// RUN: not attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx942 abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx942 runtime=HIP}),attn-kernel-report{toolkit=/nonexistent})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTOOLKIT

// A kernel staging a 64x64 f16 tile in LDS, then reading it back two ways:
// 4 contiguous halves per lane (one 64-bit LDS read) and one half along a
// column (16-bit reads) -- the access patterns of transposed and standard V.
// CHECK-LABEL: kernel lds_reads (kernels, gfx942)
// CHECK-NEXT: VGPRs {{[0-9]+}}
// CHECK-NEXT: AGPRs 0
// CHECK-NEXT: SGPRs {{[0-9]+}}
// CHECK-NEXT: LDS bytes 8192
// CHECK-NEXT: scratch bytes 0
// CHECK-NEXT: spills 0 VGPR, 0 SGPR
// CHECK-NEXT: wavefront size 64
// CHECK-NEXT: workgroup size 64
// 64 KiB / 8 KiB = 8 workgroups of 1 wave per CU = 2 waves per SIMD.
// CHECK-NEXT: waves per SIMD 2
// CHECK-NEXT: MFMA instructions 0
// CHECK-NEXT: global loads global_load_dwordx4 x1
// CHECK-NEXT: global stores {{.*}}
// CHECK-NEXT: LDS reads ds_read_b64 x1, ds_read_u16 x1
// CHECK-NEXT: LDS writes ds_write_b128 x1
// CHECK-NEXT: scratch accesses none

// CHECK-LABEL: kernel mfma_16x16 (kernels, gfx942)
// CHECK: LDS bytes 0
// CHECK: waves per SIMD 8
// CHECK-NEXT: MFMA instructions 1
// CHECK-NEXT: global loads global_load_dwordx2 x2
// CHECK-NEXT: global stores global_store_dwordx4 x1

// NOTOOLKIT: error: attn-kernel-report: ROCm toolkit folder '/nonexistent' has no llvm/bin/ld.lld

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @lds_reads(%in: memref<64x64xf16>, %out: memref<64x8xf16>)
        workgroup(%tile : memref<64x64xf16, #gpu.address_space<workgroup>>)
        kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %t = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %c4 = arith.constant 4 : index
      %row = vector.load %in[%t, %c0] : memref<64x64xf16>, vector<8xf16>
      vector.store %row, %tile[%t, %c0] : memref<64x64xf16, #gpu.address_space<workgroup>>, vector<8xf16>
      gpu.barrier
      %wide = vector.load %tile[%t, %c4] : memref<64x64xf16, #gpu.address_space<workgroup>>, vector<4xf16>
      %narrow = memref.load %tile[%c4, %t] : memref<64x64xf16, #gpu.address_space<workgroup>>
      vector.store %wide, %out[%t, %c0] : memref<64x8xf16>, vector<4xf16>
      memref.store %narrow, %out[%t, %c4] : memref<64x8xf16>
      gpu.return
    }
    gpu.func @mfma_16x16(%a: memref<64x4xf16>, %b: memref<64x4xf16>, %c: memref<64x4xf32>) kernel {
      %lane = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %va = vector.load %a[%lane, %c0] : memref<64x4xf16>, vector<4xf16>
      %vb = vector.load %b[%lane, %c0] : memref<64x4xf16>, vector<4xf16>
      %zero = arith.constant dense<0.0> : vector<4xf32>
      %d = amdgpu.mfma 16x16x16 %va * %vb + %zero blgp = none : vector<4xf16>, vector<4xf16>, vector<4xf32>
      vector.store %d, %c[%lane, %c0] : memref<64x4xf32>, vector<4xf32>
      gpu.return
    }
  }
}
