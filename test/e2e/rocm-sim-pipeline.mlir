// The kernel at pipeline depths 0 and 2 (--attn-kernel-config=pipeline=D)
// under emulation: the same numbers as numpy on f16, bf16, f32 (f32
// tolerance), transposed V, a dequantize-V graph, boolean masks with fully
// masked rows, a float mask, causal (a run-time number of blocks: the last
// odd block of a depth-2 loop under an scf.if), causal GQA, decode (K2
// split, partial states), odd and padded shapes, static odd block counts
// (192 keys: a depth-2 loop of one pair and one more step), with 2, 4 and 8
// waves, the key blocks 32, 64 and 128, and the 32x32x8 MFMA.
// RUN: attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --check --attn-kernel-config=pipeline=2 --dump-kernel-report 2>&1 | FileCheck %s --check-prefixes=D2,CHECK
// RUN: attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --check --attn-kernel-config=pipeline=0 --dump-kernel-report 2>&1 | FileCheck %s --check-prefixes=D0,CHECK
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=2,waves=8 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=0,key-block=32,waves=2 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=dequant_v --device=rocm-sim --random-inputs=42 --check --attn-kernel-config=pipeline=2 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=sdxl_small --device=rocm-sim --random-inputs=43 --check --attn-kernel-config=pipeline=2,key-block=32 2>&1 | FileCheck %s
// RUN: attn-run %S/rocm-sim.mlir --function=sdxl_small --device=rocm-sim --random-inputs=43 --check --attn-kernel-config=pipeline=0,key-block=128 2>&1 | FileCheck %s
// RUN: attn-run %S/f16-bf16.mlir --function=bf16 --device=rocm-sim --random-inputs=10 --check --attn-kernel-config=pipeline=2,mfma=32x32x8 2>&1 | FileCheck %s
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=pipeline=2 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=pipeline=0 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/dynamic-odd.mlir --function=odd --device=rocm-sim --random-inputs=12 --check --attn-kernel-config=pipeline=2 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check --attn-kernel-config=pipeline=2,key-block=32 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=generic_4d_float_mask --device=rocm-sim --random-inputs=73 --check --attn-kernel-config=pipeline=0 2>&1 | FileCheck %s
// RUN: attn-run %S/causal.mlir --function=bottom_right --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=pipeline=2,key-block=32 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=top_left --device=rocm-sim --random-inputs=1 --check --attn-kernel-config=pipeline=0 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/causal.mlir --function=gqa_f16 --device=rocm-sim --random-inputs=6 --check --attn-kernel-config=pipeline=2,waves=8,mfma=32x32x8 2>&1 | FileCheck %s
// RUN: attn-run %S/decode.mlir --function=gqa_decode --device=rocm-sim --random-inputs=5 --check --attn-kernel-config=pipeline=2 2>&1 | FileCheck %s
// RUN: attn-run %S/decode.mlir --function=decode1 --device=rocm-sim --random-inputs=2 --check --attn-kernel-config=pipeline=0 2>&1 | FileCheck %s --check-prefix=F32
// D2: configuration key-block=64,waves=4,mfma=16x16x16,pipeline=2
// D0: configuration key-block=64,waves=4,mfma=16x16x16,pipeline=0
// CHECK: check result[0]: {{.*}}: PASS
// F32: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS

// The emulation catches wrong pipelines: a block staged one block early
// (consumed as the block before it) and a missing barrier, at both depths.
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=2 --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=0 --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=2 --break-kernel=no-barrier 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/rocm-sim.mlir --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --attn-kernel-config=pipeline=0 --break-kernel=no-barrier 2>&1 | FileCheck %s --check-prefix=BROKEN
// BROKEN: check result[0]: {{.*}}: FAIL

// A bad depth is a one-line error.
// RUN: not attn-run %S/rocm-sim.mlir --function=f16_small --device=rocm-sim --random-inputs=40 --attn-kernel-config=pipeline=3 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: attn-run: error: --attn-kernel-config: pipeline must be 0, 1 or 2, got 3{{$}}
// BAD-NOT: error
