// The 32x32x8 MFMA kernel (--attn-kernel-config=mfma=32x32x8: 32 query
// rows per wave; f32 on 32x32x2, exact) under emulation: the same numbers
// as numpy on f16, bf16, f32 (f32 tolerance), transposed V, a dequantize-V
// graph, boolean masks with fully masked rows, a float mask, causal,
// causal GQA, decode (K2 split, partial states) and odd, padded shapes
// (N = 16 and 40 padded to the 32-column tile, M to 128 or 256 rows),
// with 2, 4 and 8 waves and the key blocks 32, 64 and 128. The kernel
// report says the 32x32 kernel ran.
// RUN: attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --check --attn-kernel-config=mfma=32x32x8 --dump-kernel-report 2>&1 | FileCheck %s --check-prefixes=USED,CHECK
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=mfma=32x32x8,waves=8 --dump-kernel-report 2>&1 | FileCheck %s --check-prefixes=W8,CHECK
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=mfma=32x32x8,key-block=32,waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=dequant_v --device=rocm-sim --random-inputs=42 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=sdxl_small --device=rocm-sim --random-inputs=43 --check --attn-kernel-config=mfma=32x32x8,key-block=128 2>&1 | FileCheck %s
// RUN: attn-run %S/f16-bf16.mlir --function=bf16 --device=rocm-sim --random-inputs=10 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=mfma=32x32x8 --dump-kernel-report 2>&1 | FileCheck %s --check-prefixes=USED,F32
// RUN: attn-run %S/dynamic-odd.mlir --function=odd --device=rocm-sim --random-inputs=12 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check --attn-kernel-config=mfma=32x32x8,key-block=32 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=generic_4d_float_mask --device=rocm-sim --random-inputs=73 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s
// RUN: attn-run %S/causal.mlir --function=bottom_right --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=gqa_f16 --device=rocm-sim --random-inputs=6 --check --attn-kernel-config=mfma=32x32x8,waves=8 2>&1 | FileCheck %s
// RUN: attn-run %S/decode.mlir --function=gqa_decode --device=rocm-sim --random-inputs=5 --check --attn-kernel-config=mfma=32x32x8 2>&1 | FileCheck %s
// USED: configuration key-block=64,waves=4,mfma=32x32x8
// USED-NEXT: query rows 32 per wave, 128 per workgroup
// W8: configuration key-block=64,waves=8,mfma=32x32x8
// W8-NEXT: query rows 32 per wave, 256 per workgroup
// CHECK: check result[0]: {{.*}}: PASS
// F32: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS

// The emulation catches wrong 32x32 kernels: swapped MFMA operands, a
// missing barrier and a prefetched block used one block early.
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=mfma=32x32x8 --break-kernel=swap-mfma-operands 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=mfma=32x32x8,waves=8 --break-kernel=no-barrier 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=mfma=32x32x8 --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// BROKEN: check result[0]: {{.*}}: FAIL

// A bad shape is a one-line error.
// RUN: not attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --attn-kernel-config=mfma=64x64x4 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: attn-run: error: --attn-kernel-config: mfma must be 16x16x16 or 32x32x8, got 64x64x4{{$}}
// BAD-NOT: error
