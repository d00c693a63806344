// The examples of examples/ that the emulation runs in well under a minute
// on 2 cores, through the GPU kernels with --check. The SDXL and
// dequantize-V examples (2x10x4096x64: 1280 workgroups of 64 key blocks)
// would take hours emulated; their layouts are checked at small sizes in
// rocm-sim.mlir (sdxl_small, dequant_v).
// RUN: attn-run %examples/transposed_v_attention.mlir --device=rocm-sim --random-inputs=50 --check 2>&1 | FileCheck %s
// These runs take long enough to say what they do on stderr (workgroups
// done and seconds elapsed, at most every 3 s).
// RUN: attn-run %examples/transposed_k_attention.mlir --device=rocm-sim --random-inputs=51 --check 2>&1 | FileCheck %s --check-prefixes=CHECK,PROGRESS
// PROGRESS: attn-run: rocm-sim kernel main_attention_0: {{[0-9]+}}/{{[0-9]+}} workgroups, {{[0-9]+}} s
// RUN: attn-run %examples/masked_attention.mlir --device=rocm-sim --random-inputs=52 --check 2>&1 | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS
