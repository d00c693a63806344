// On RDNA (gfx1100, no MFMA) the report still reads resources and the
// instruction mix; occupancy is only modelled for CDNA chips and says so.
// RUN: attn-opt %s --pass-pipeline='builtin.module(rocdl-attach-target{chip=gfx1100 abi=500},gpu.module(convert-gpu-to-rocdl{chipset=gfx1100 runtime=HIP}),attn-kernel-report{toolkit=%rocm_toolkit})' -o /dev/null | FileCheck %s
// CHECK: kernel copy (kernels, gfx1100)
// CHECK: waves per SIMD n/a (no occupancy model for this chip)
// CHECK: MFMA instructions 0
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @copy(%in: memref<64xf32>, %out: memref<64xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %in[%t] : memref<64xf32>
      memref.store %v, %out[%t] : memref<64xf32>
      gpu.return
    }
  }
}
