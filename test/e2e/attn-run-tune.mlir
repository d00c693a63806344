// attn-run --tune compiles every configuration of the attention kernel
// (MFMA shapes x key blocks x waves per workgroup x pipeline depths,
// codegen/Target.h) for the chip, runs the static model on each kernel's
// hottest loop and prints a table (cycles per key block: a depth-2 loop
// computes two), then the heuristic's choice and the best. No GPU needed.
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --compile-only --tune 2>&1 | FileCheck %s
// CHECK: tune: gfx942, 54 configurations; static model of each attention kernel's hottest loop (llvm-mca, one wave; docs/gpu.md)
// CHECK-NEXT: config kernel VGPRs LDS waves cycles busy VALU/ peak grid useful score FLOP/cyc
// CHECK-NEXT: bytes /SIMD /block (1 w) XDL bound waves /SIMD
// CHECK-NEXT: {{^}} key-block=32,waves=2,mfma=16x16x16,pipeline=0 main_attention_0 {{([0-9.]+ ){10}[0-9]+$}}
// CHECK-NEXT: {{^}} key-block=32,waves=2,mfma=16x16x16,pipeline=1 main_attention_0
// CHECK-NEXT: {{^}} key-block=32,waves=2,mfma=16x16x16,pipeline=2 main_attention_0
// CHECK: {{^}} key-block=64,waves=4,mfma=16x16x16,pipeline=0 main_attention_0
// Depth 2 doubles the LDS (two buffers): with 4 waves per workgroup the
// 32 KiB leave 2 workgroups per CU, 2 waves per SIMD (peak bound < 1).
// CHECK-NEXT: {{^}} key-block=64,waves=4,mfma=16x16x16,pipeline=1 main_attention_0 106 16384 4
// CHECK-NEXT: {{^}} key-block=64,waves=4,mfma=16x16x16,pipeline=2 main_attention_0 {{[0-9]+}} 32768 2 {{[0-9]+ ([0-9.]+ ){2}0[.]}}
// The best row is starred: 8 waves of 16 rows share each K/V block in LDS,
// so each thread carries half the prefetched block (fewer VGPRs) and
// stages half as much per iteration; with 8 waves per workgroup two LDS
// buffers still leave 4 waves per SIMD, and depth 2 models faster than
// depth 1 (one barrier per block instead of two) and depth 0 (the global
// loads' latency exposed).
// CHECK-NEXT: {{^}} key-block=64,waves=8,mfma=16x16x16,pipeline=0 main_attention_0 {{[0-9]+}} 16384 4 353
// CHECK-NEXT: {{^}} key-block=64,waves=8,mfma=16x16x16,pipeline=1 main_attention_0 98 16384 4 280
// CHECK-NEXT: {{^}}* key-block=64,waves=8,mfma=16x16x16,pipeline=2 main_attention_0 118 32768 4 270
// The 32x32x8 configurations: 32 rows per wave. At 4 waves (128 rows) the
// grid gives only 2.1 waves per SIMD; at 8 waves (256 rows) the kernel
// splits K2 (twice the workgroups, grid 4.2, other kernels merge).
// CHECK: {{^}} key-block=32,waves=2,mfma=32x32x8,pipeline=0 main_attention_0 {{([0-9.]+ ){7}2[.]1 }}
// CHECK: {{^}} key-block=32,waves=8,mfma=32x32x8,pipeline=0 main_attention_0 {{([0-9.]+ ){7}4[.]2 }}
// CHECK: {{^}} key-block=128,waves=8,mfma=32x32x8,pipeline=2 main_attention_0
// CHECK: tune: heuristic key-block=64,waves=8,mfma=16x16x16,pipeline=2
// CHECK-NEXT: tune: best key-block=64,waves=8,mfma=16x16x16,pipeline=2 (SIMD bound 1.00, headroom {{[0-9.]+}}), the heuristic's choice: --attn-kernel-config=key-block=64,waves=8,mfma=16x16x16,pipeline=2

// At head dim 128 the best is 8 waves at 127 VGPRs, 4 waves per SIMD (the
// kernel asks the backend for that occupancy). No configuration spills:
// 128-key blocks with 8 waves, which spilled 12 VGPRs before the
// interleaved schedule, take 187 (a workgroup of 512 threads allows 256
// registers per lane). (Pipeline depth 1 only here: see D128P.)
// RUN: attn-run %examples/d128_bf16_attention.mlir --device=rocm --compile-only --tune --attn-kernel-config=pipeline=1 2>&1 | FileCheck %s --check-prefix=D128
// D128: tune: gfx942, 18 configurations
// D128-NOT: spills
// D128: {{^}}* key-block=64,waves=8,mfma=16x16x16,pipeline=1 main_attention_0 127 32768 4
// D128-NOT: spills
// D128: {{^}} key-block=128,waves=8,mfma=16x16x16,pipeline=1 main_attention_0 {{1[0-9][0-9]|2[0-4][0-9]|25[0-6]}} 65536 2
// D128-NOT: spills
// 32x32x8 at d=128: one wave models MFMA busy 0.71 at key-block=64, but
// 188 VGPRs leave 2 waves per SIMD (less headroom). 128-key blocks with
// 8 waves spill, and a configuration that spills is never the best.
// D128: {{^}} key-block=64,waves=8,mfma=32x32x8,pipeline=1 main_attention_0 {{1[0-9][0-9]}} 32768 2
// D128: {{^}} key-block=128,waves=8,mfma=32x32x8,pipeline=1 main_attention_0
// D128-NEXT: (spills:
// D128: tune: best key-block=64,waves=8,mfma=16x16x16,pipeline=1

// The pipeline depths at head dim 128: a second 32 KiB LDS buffer leaves
// one workgroup per CU, 2 waves per SIMD: the score still ties (two waves
// at MFMA busy 0.56 would fill the SIMD), but with half the headroom, so
// the tuner keeps depth 1, as the heuristic does. Depth 0 has fewer
// VGPRs but exposes the loads' latency (more cycles per block).
// RUN: attn-run %examples/d128_bf16_attention.mlir --device=rocm --compile-only --tune --attn-kernel-config=key-block=64,waves=8,mfma=16x16x16 2>&1 | FileCheck %s --check-prefix=D128P
// D128P: tune: gfx942, 3 configurations
// D128P: {{^}} key-block=64,waves=8,mfma=16x16x16,pipeline=0 main_attention_0 {{[0-9]+}} 32768 4 {{(4[6-9][0-9]|[5-9][0-9][0-9])}}
// D128P-NEXT: {{^}}* key-block=64,waves=8,mfma=16x16x16,pipeline=1 main_attention_0 127 32768 4 451
// D128P-NEXT: {{^}} key-block=64,waves=8,mfma=16x16x16,pipeline=2 main_attention_0 {{[0-9]+}} 65536 2 {{[0-9]+}}
// D128P: tune: heuristic key-block=64,waves=8,mfma=16x16x16,pipeline=1
// D128P-NEXT: tune: best key-block=64,waves=8,mfma=16x16x16,pipeline=1 {{.*}}, the heuristic's choice

// A key block pair that does not fit in LDS twice has no flash kernel at
// depth 2 (the attention becomes unfused kernels), and the table says so.
// RUN: attn-run %examples/d128_bf16_attention.mlir --device=rocm --compile-only --tune --attn-kernel-config=key-block=128,waves=8,mfma=16x16x16 2>&1 | FileCheck %s --check-prefix=NOFIT
// NOFIT: {{^}}* key-block=128,waves=8,mfma=16x16x16,pipeline=1 main_attention_0
// NOFIT-NEXT: {{^}} key-block=128,waves=8,mfma=16x16x16,pipeline=2 no flash kernel (its K and V blocks do not fit in LDS: unfused kernels){{$}}

// Settings given in --attn-kernel-config stay fixed: only the others are
// tuned. The best is then used for the artifacts asked for (the kernel
// report here).
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --compile-only --tune --attn-kernel-config=waves=4,pipeline=1 --dump-kernel-report 2>&1 | FileCheck %s --check-prefix=FIXED
// FIXED: tune: gfx942, 6 configurations
// FIXED-NOT: waves=2
// FIXED-NOT: waves=8
// FIXED-NOT: pipeline=0
// FIXED: tune: best key-block=64,waves=4,mfma=16x16x16,pipeline=1
// FIXED: attn-run: compiling @main with key-block=64,waves=4,mfma=16x16x16,pipeline=1...
// FIXED: kernel main_attention_0 (attn_kernels, gfx942)
// FIXED: configuration key-block=64,waves=4,mfma=16x16x16,pipeline=1

// A small grid: the heuristic keeps 4 waves (8 would force a K2 split,
// whose merge kernels the model does not see). The tuner, which ranks the
// attention loop only, prefers no split among configurations whose scores
// tie (key-block=64, waves=8 splits K2), and picks 128-key blocks with 4
// waves, which the grid's 2.1 waves per SIMD keep busy: not the
// heuristic's choice, and it says so.
// RUN: attn-run %S/Inputs/prefill-40x1024.mlir --device=rocm --compile-only --tune --attn-kernel-config=pipeline=1 2>&1 | FileCheck %s --check-prefix=SMALL
// SMALL: tune: heuristic key-block=64,waves=4,mfma=16x16x16,pipeline=1
// SMALL: tune: best key-block=128,waves=4,mfma=16x16x16,pipeline=1 {{.*}}, not the heuristic's choice: --attn-kernel-config=key-block=128,waves=4,mfma=16x16x16,pipeline=1

// gfx90a: llvm-mca 22 does not finish on its MFMA loops, so the table has
// resources only and the heuristic's choice stands.
// RUN: attn-run %examples/sdxl_attention.mlir --device=rocm --chip=gfx90a --compile-only --tune --attn-kernel-config=pipeline=2 2>&1 | FileCheck %s --check-prefix=GFX90A
// GFX90A: tune: gfx90a, 18 configurations
// GFX90A: {{^}} key-block=64,waves=8,mfma=16x16x16,pipeline=2 main_attention_0 {{[0-9]+}} 32768 {{[0-9]+}} model n/a (llvm-mca 22 does not finish on gfx90a MFMA loops)
// GFX90A: {{^}} key-block=64,waves=4,mfma=32x32x8,pipeline=2 main_attention_0 {{[0-9]+}} 32768 {{[0-9]+}} model n/a
// GFX90A: tune: heuristic key-block=64,waves=8,mfma=16x16x16,pipeline=2
// GFX90A-NEXT: tune: no best configuration: llvm-mca 22 does not model gfx90a MFMA loops

// A chip without MFMA kernels has nothing to tune: a one-line error.
// RUN: not attn-run %examples/sdxl_attention.mlir --device=rocm --chip=gfx1100 --compile-only --tune 2>&1 | FileCheck %s --check-prefix=RDNA
// RDNA: attn-run: error: --tune: gfx1100 has no MFMA attention kernel to tune (attention runs unfused there){{$}}
