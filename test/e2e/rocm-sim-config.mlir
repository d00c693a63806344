// The kernel configuration (--attn-kernel-config) under emulation: 8
// waves (128 query rows per workgroup) and 2 waves (32 rows) give the same
// numbers as the default on f16, bf16, f32 (exact, f32 tolerance), masks
// with fully masked rows, causal, GQA, LSE and decode programs; padded M
// and K2 included. Combined with the key blocks 32 and 128 where cheap.
// RUN: attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=W8
// RUN: attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=key-block=32,waves=8 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=key-block=128,waves=2 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check --attn-kernel-config=key-block=32,waves=2 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=bottom_right --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=bottom_right --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=gqa_f16 --device=rocm-sim --random-inputs=6 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s
// RUN: attn-run %S/causal.mlir --function=gqa_f16 --device=rocm-sim --random-inputs=6 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/lse.mlir --function=odd_causal --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=LSE
// RUN: attn-run %S/lse.mlir --function=odd_causal --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s --check-prefix=LSE
// RUN: attn-run %S/decode.mlir --function=gqa_decode --device=rocm-sim --random-inputs=5 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s
// RUN: attn-run %S/decode.mlir --function=gqa_decode --device=rocm-sim --random-inputs=5 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/decode.mlir --function=decode4_causal --device=rocm-sim --random-inputs=3 --k2-splits=4 --check --attn-kernel-config=waves=8 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/decode.mlir --function=decode4_causal --device=rocm-sim --random-inputs=3 --k2-splits=4 --check --attn-kernel-config=waves=2 2>&1 | FileCheck %s --check-prefix=F32
// W8: compiling @f16_small for the GPU emulation (gfx942 kernels on the CPU)
// CHECK: check result[0]: {{.*}}: PASS
// F32: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS
// LSE: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS
// LSE: check result[1]: {{.*}} (atol 1e-05, rtol 0.0001): PASS

// The configuration is the kernel's: the stale-prefetch variant fails with
// 8 waves too.
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=waves=8 --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// BROKEN: check result[0]: {{.*}}: FAIL
