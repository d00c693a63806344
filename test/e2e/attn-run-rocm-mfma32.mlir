// The 32x32x8 kernel in code objects (--attn-kernel-config=mfma=32x32x8,
// the other settings the heuristic's: 64-key blocks; 4 waves of 32 rows
// on gfx942, whose 304 CUs 8 waves of 256 rows would leave under 2
// workgroups each at these sizes; 8 on gfx90a's 104). No scratch or
// spills on gfx942 and gfx90a; the report shows the shape, the rows per
// wave and the loop's doubled work per wave (524288 FLOPs per 64 keys).
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 --dump-isa=%t/sdxl 2>&1 | FileCheck %s --check-prefixes=CHECK,SDXL
// RUN: FileCheck %s --check-prefix=ISAF16 < %t/sdxl/attn_kernels.s
// RUN: attn-run %examples/dequant_v_attention.mlir --device=rocm --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s --check-prefixes=CHECK,SDXL
// RUN: attn-run %examples/d128_bf16_attention.mlir --device=rocm --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 --dump-isa=%t/d128 2>&1 | FileCheck %s --check-prefixes=CHECK,D128
// RUN: FileCheck %s --check-prefix=ISABF16 < %t/d128/attn_kernels.s
// CHECK-LABEL: kernel main_attention_0 (attn_kernels, gfx942)
// CHECK: scratch bytes 0
// CHECK-NEXT: spills 0 VGPR, 0 SGPR
// CHECK: configuration key-block=64,waves=4,mfma=32x32x8
// CHECK-NEXT: query rows 32 per wave, 128 per workgroup
// SDXL: hottest loop .LBB0_1: {{[0-9]+}} instructions, 32 MFMA
// SDXL: loop busy cycles XDL 256,
// SDXL: loop FLOPs 524288 per iteration per wave
// D128: hottest loop .LBB0_1: {{[0-9]+}} instructions, 64 MFMA
// D128: loop FLOPs 1048576 per iteration per wave
// CHECK-NOT: scratch_{{load|store}}
// ISAF16: main_attention_0:
// ISAF16-NOT: v_mfma_f32_16x16x16
// ISAF16: v_mfma_f32_32x32x8_f16
// ISAF16-NOT: v_mfma_f32_16x16x16
// ISAF16: .end_amdhsa_kernel
// ISABF16: main_attention_0:
// ISABF16-NOT: v_mfma_f32_16x16x16
// ISABF16: v_mfma_f32_32x32x8_bf16
//
// gfx90a (CDNA2: its own mnemonics, no model loop): the same, 8 waves.
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --chip=gfx90a --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 --dump-isa=%t/sdxl90a 2>&1 | FileCheck %s --check-prefix=GFX90A
// RUN: attn-run %examples/d128_bf16_attention.mlir --device=rocm --chip=gfx90a --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s --check-prefix=GFX90A
// RUN: FileCheck %s --check-prefix=ISA90A < %t/sdxl90a/attn_kernels.s
// GFX90A-LABEL: kernel main_attention_0 (attn_kernels, gfx90a)
// GFX90A: scratch bytes 0
// GFX90A-NEXT: spills 0 VGPR, 0 SGPR
// GFX90A: configuration key-block=64,waves=8,mfma=32x32x8
// GFX90A-NEXT: query rows 32 per wave, 256 per workgroup
// ISA90A: v_mfma_f32_32x32x8f16
//
// Exact f32 on the f32 variant of the 32x32 tile: four 32x32x2 per
// fragment product, no rounding to f16/bf16.
// RUN: attn-run %S/standard-f32.mlir --device=rocm --compile-only --dump-kernel-report --attn-kernel-config=mfma=32x32x8 --dump-isa=%t/f32 2>&1 | FileCheck %s --check-prefix=F32
// RUN: FileCheck %s --check-prefix=ISAF32 < %t/f32/attn_kernels.s
// F32: scratch bytes 0
// F32-NEXT: spills 0 VGPR, 0 SGPR
// F32: configuration key-block=64,waves=4,mfma=32x32x8
// ISAF32: v_mfma_f32_32x32x2_f32
// ISAF32-NOT: v_mfma_f32_32x32x8
// ISAF32-NOT: v_mfma_f32_16x16
