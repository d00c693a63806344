// ISA properties of the flash-attention kernel on the SDXL shape
// (2x10x4096x64 f16), read by attn-kernel-report from the code object and
// its disassembly, in the configuration the heuristic picks at this size
// (64-key blocks, 8 waves: 512 threads per workgroup; pipeline depth 2:
// two LDS buffers of 16 KiB, and a loop of two key blocks, one per buffer,
// so 64 MFMAs). Both V layouts: V read from LDS 64 bits at a time
// (ds_read2_b64 and ds_read2st64_b64 pair two such reads: K and V^T
// fragments, 8 of each per thread and block), zero scratch, LDS <= 64 KiB,
// 4 waves per SIMD; the transposed-V form stages V with 128-bit LDS writes
// only (one per thread for K and one for V, per block of the loop and
// before it), the standard form transposes while staging with 16-bit
// writes. The transposed-V loop models faster (llvm-mca 22: 264 against
// 270 cycles per key block).
// RUN: attn-opt %s --attn-rocm-pipeline="kernel-report=true toolkit=%rocm_toolkit" -o /dev/null | FileCheck %s
// RUN: attn-opt %s --attn-rocm-pipeline="chip=gfx90a toolkit=%rocm_toolkit" | FileCheck %s --check-prefix=BIN90A
// RUN: attn-opt %s --attn-rocm-pipeline="toolkit=%rocm_toolkit" | FileCheck %s --check-prefix=BIN942
// RUN: not attn-opt %s --attn-rocm-attention-kernels="chip=gfx1100" 2>&1 | FileCheck %s --check-prefix=CHIP

// CHECK-LABEL: kernel standard_v_attention_0 (attn_kernels, gfx942)
// CHECK: LDS bytes 32768
// CHECK-NEXT: scratch bytes 0
// CHECK-NEXT: spills 0 VGPR, 0 SGPR
// CHECK: workgroup size 512
// CHECK-NEXT: waves per SIMD 4
// CHECK-NEXT: MFMA instructions 64
// CHECK: LDS reads ds_read2_b64 x16, ds_read2st64_b64 x16
// CHECK-NEXT: LDS writes {{.*}}ds_write_b16
// CHECK-NEXT: scratch accesses none
// CHECK-NEXT: configuration key-block=64,waves=8,mfma=16x16x16,pipeline=2
// CHECK: key blocks 2 per iteration, 270 cycles each

// CHECK-LABEL: kernel transposed_v_attention_0 (attn_kernels, gfx942)
// CHECK: LDS bytes 32768
// CHECK-NEXT: scratch bytes 0
// CHECK: waves per SIMD 4
// CHECK-NEXT: MFMA instructions 64
// CHECK: LDS reads ds_read2_b64 x16, ds_read2st64_b64 x16
// CHECK-NEXT: LDS writes ds_write_b128 x6{{$}}
// CHECK-NEXT: scratch accesses none
// CHECK: key blocks 2 per iteration, 264 cycles each

// BIN942: gpu.binary @attn_kernels [#gpu.object<#rocdl.target<O = 3, chip = "gfx942", abi = "500">
// BIN90A: gpu.binary @attn_kernels [#gpu.object<#rocdl.target<O = 3, chip = "gfx90a", abi = "500">

// CHIP: error: attn-rocm-attention-kernels: unsupported chip 'gfx1100' (MFMA kernels: gfx942, gfx90a)

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#vt = affine_map<(b, h, m, k1, k2, n) -> (b, h, n, k2)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @standard_v(%q: tensor<2x10x4096x64xf16>, %k: tensor<2x10x4096x64xf16>,
                      %v: tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x4096x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
         outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
  return %r : tensor<2x10x4096x64xf16>
}
func.func @transposed_v(%q: tensor<2x10x4096x64xf16>, %k: tensor<2x10x4096x64xf16>,
                        %v: tensor<2x10x64x4096xf16>) -> tensor<2x10x4096x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<2x10x4096x64xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #vt, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x64x4096xf16>, f16)
         outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
  return %r : tensor<2x10x4096x64xf16>
}
