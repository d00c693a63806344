// Groundwork for AMDGPU codegen: attn-opt serializes a GPU module through
// the build's ROCm toolkit folder (Debian's device libraries + ld.lld).
// The kernel is a single 16x16x16 f16 MFMA; it checks the toolchain, the
// code-object v5 ABI and the metadata the kernel report will read.
// RUN: attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx942 abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx942 runtime=HIP}),gpu-module-to-binary{toolkit=%rocm_toolkit})' | FileCheck %s --check-prefix=BIN
// RUN: attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx90a abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx90a runtime=HIP}),gpu-module-to-binary{toolkit=%rocm_toolkit})' | FileCheck %s --check-prefix=BIN90A
// RUN: attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx942 abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx942 runtime=HIP}),gpu-module-to-binary{toolkit=%rocm_toolkit format=isa})' | FileCheck %s --check-prefix=ISA

// BIN: gpu.binary @kernels
// BIN-SAME: #gpu.object<#rocdl.target<chip = "gfx942", abi = "500">, kernels = <[#gpu.kernel_metadata<"mfma_16x16"
// BIN-SAME: metadata = {agpr_count = {{[0-9]+}} : i64, group_segment_fixed_size = 0 : i64
// BIN-SAME: private_segment_fixed_size = 0 : i64
// BIN-SAME: sgpr_count = {{[0-9]+}} : i64
// BIN-SAME: vgpr_count = {{[0-9]+}} : i64
// BIN-SAME: wavefront_size = 64 : i64
// BIN90A: #rocdl.target<chip = "gfx90a", abi = "500">
// ISA: v_mfma_f32_16x16x16{{_?}}f16

module attributes {gpu.container_module} {
  gpu.module @kernels {
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
