// attn-run --device=rocm --compile-only builds GPU code objects without a
// GPU and prints the kernel report; the dequantize-V example reaches the
// kernel in transposed-V form (its dequantize writes V transposed), so V is
// staged with 128-bit LDS writes only.
// RUN: attn-run %examples/dequant_v_attention.mlir --device=rocm --compile-only --dump-kernel-report 2>&1 | FileCheck %s
// CHECK: attn-run: compiling for gfx942
// CHECK: kernel main_attention_0 (attn_kernels, gfx942)
// CHECK: scratch bytes 0
// CHECK: MFMA instructions 32
// CHECK: LDS writes ds_write_b128 x4{{$}}
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --chip=gfx90a --compile-only --dump-kernel-report 2>&1 | FileCheck %s --check-prefix=GFX90A
// GFX90A: kernel main_attention_0 (attn_kernels, gfx90a)
// GFX90A: MFMA instructions 32
// An op the GPU kernel does not cover is a clean error.
// RUN: not attn-run %examples/transposed_v_attention.mlir --device=rocm --compile-only 2>&1 | FileCheck %s --check-prefix=F32
// F32: error: attn-rocm-attention-kernels: the GPU kernel takes f16 or bf16 Q/K/V (MFMA inputs)
// F32: attn-run: error: GPU compilation failed
