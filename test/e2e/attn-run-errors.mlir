// attn-run reports bad input with one clear line and a non-zero exit.
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-run %S/Inputs/identity.mlir --input=3x4xf32=random --dump-inputs=%t > /dev/null

// Wrong shape for the argument.
// RUN: not attn-run %S/Inputs/identity.mlir --function=takes_2x4 --input=@%t/arg0.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: attn-run: error: input #0 (@{{.*}}arg0.npy): shape 3x4 does not match the argument type tensor<2x4xf32>

// Wrong element type.
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf16=1 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: attn-run: error: input #0 (3x4xf16=1): element type f16 does not match the argument type tensor<3x4xf32>

// Truncated and missing files.
// RUN: head -c 100 %t/arg0.npy > %t/truncated.npy
// RUN: not attn-run %S/Inputs/identity.mlir --input=@%t/truncated.npy 2>&1 | FileCheck %s --check-prefix=TRUNC
// TRUNC: attn-run: error: input #0 (@{{.*}}truncated.npy): {{.*}}truncated.npy: truncated
// RUN: not attn-run %S/Inputs/identity.mlir --input=@%t/none.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: attn-run: error: input #0 (@{{.*}}none.npy): {{.*}}none.npy: cannot open
// RUN: not attn-run %t/missing.mlir --random-inputs 2>&1 | FileCheck %s --check-prefix=NOMLIR
// NOMLIR: attn-run: error: cannot open input file '{{.*}}missing.mlir'

// Malformed IR and an invalid attention op are diagnosed by the parser.
// RUN: not attn-run %S/../attn-opt/Inputs/k2-mismatch.mlir --random-inputs 2>&1 | FileCheck %s --check-prefix=INVALID
// INVALID: k2-mismatch.mlir:7:8: error: 'attn.attention' op 'value' has size 32 along d3
// RUN: not attn-run %S/Inputs/lse-f16.mlir --random-inputs 2>&1 | FileCheck %s --check-prefix=LSEF16 --implicit-check-not=error
// LSEF16: lse-f16.mlir:12:10: error: 'attn.attention' op 'lse' must have element type f32, got 'f16'

// Argument count, entry function, unsupported types.
// RUN: not attn-run %S/Inputs/identity.mlir 2>&1 | FileCheck %s --check-prefix=COUNT
// COUNT: attn-run: error: @main takes 1 arguments but 0 inputs were given (use --input or --random-inputs)
// RUN: not attn-run %S/Inputs/identity.mlir --function=nope --random-inputs 2>&1 | FileCheck %s --check-prefix=NOFUNC
// NOFUNC: attn-run: error: no function @nope in
// RUN: not attn-run %S/Inputs/identity.mlir --function=takes_index --random-inputs 2>&1 | FileCheck %s --check-prefix=INDEX
// INDEX: attn-run: error: @takes_index: argument #0: unsupported element type in index

// Flags, devices, chips.
// RUN: not attn-run %S/Inputs/identity.mlir --no-such-flag 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--no-such-flag'
// With no HIP runtime at all (ROCM_PATH points nowhere; the system one may
// still load) the message says plainly what is missing.
// RUN: not env ROCM_PATH=%t/no-rocm attn-run %S/Inputs/identity.mlir --random-inputs --device=rocm 2>&1 | FileCheck %s --check-prefix=ROCM
// ROCM: attn-run: error: --device=rocm: {{(no HIP runtime found \(tried .*no-rocm/lib/libamdhip64.so.*\)|HIP runtime .* found no AMD GPU .*)}}
// RUN: env ROCM_PATH=%t/no-rocm attn-run %S/Inputs/identity.mlir --random-inputs 2>&1 | FileCheck %s --check-prefix=AUTO
// AUTO: attn-run: device auto: {{.*}}; using cpu
// RUN: not attn-run %S/Inputs/identity.mlir --random-inputs --chip=gfx000 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: attn-run: error: unknown --chip 'gfx000' (supported: gfx942, gfx90a, gfx1100)
// RUN: not attn-run %S/Inputs/identity.mlir --random-inputs --device=tpu 2>&1 | FileCheck %s --check-prefix=DEVICE
// DEVICE: attn-run: error: unknown --device 'tpu' (expected cpu, rocm, rocm-sim or auto)

// An output that cannot be written leaves nothing behind.
// RUN: not attn-run %S/Inputs/identity.mlir --random-inputs --output=@%t/no-dir/out.npy 2>&1 | FileCheck %s --check-prefix=OUT
// OUT: attn-run: error: {{.*}}no-dir/out.npy
// RUN: not ls %t/no-dir

// A wrong expected output fails the run.
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=0.5 --expected_output=@%t/arg0.npy 2>&1 | FileCheck %s --check-prefix=EXPECT
// EXPECT: expected_output result[0]: {{.*}}: FAIL
// RUN: attn-run %S/Inputs/identity.mlir --input=@%t/arg0.npy --expected_output=@%t/arg0.npy | FileCheck %s --check-prefix=EXPECTOK
// EXPECTOK: expected_output result[0]: max abs err 0, {{.*}}: PASS

// Sizes that do not fit in memory: one line naming the size, never a crash
// (inputs checked before they are made, the reference's O(S^2) scores
// before it is compiled, every allocation of the compiled code at run time).
// RUN: not attn-run %S/Inputs/too-large.mlir --function=huge_arg --random-inputs 2>&1 | FileCheck %s --check-prefix=BIGIN
// BIGIN: attn-run: error: input #0: 1000000x1000000xf32 needs 3725.3 GiB, more than this machine's {{[0-9.]+}} GiB
// RUN: not attn-run %S/Inputs/too-large.mlir --function=huge_arg --input=1000000x1000000xf32=0 2>&1 | FileCheck %s --check-prefix=BIGLIT
// BIGLIT: attn-run: error: input #0 (1000000x1000000xf32=0): 1000000x1000000xf32 needs 3725.3 GiB
// RUN: not attn-run %S/Inputs/too-large.mlir --function=huge_intermediate --random-inputs 2>&1 | FileCheck %s --check-prefix=BIGJIT
// BIGJIT: attn-run: error: out of memory: the compiled program could not allocate a buffer of 4000000000064 bytes (3725.3 GiB)
// RUN: not attn-run %S/Inputs/too-large.mlir --function=long_sequence --random-inputs --check 2>&1 | FileCheck %s --check-prefix=BIGREF
// BIGREF: attn-run: error: --check: the reference lowering materializes the 1x1000000x1000000 (batch x M x K2) f32 scores twice, 7450.6 GiB, more than half of this machine's {{[0-9.]+}} GiB; check a smaller size
// BIGREF-NOT: Stack dump

// Bad tiling and split options.
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --m-tile=-1 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --k2-tile=0 2>&1 | FileCheck %s --check-prefix=TILE
// TILE: attn-run: error: --m-tile must not be negative (0: automatic), --k2-tile must be positive
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --k2-splits=-2 2>&1 | FileCheck %s --check-prefix=SPLITS
// SPLITS: attn-run: error: --k2-splits must be 0 (automatic), 1 (never) or a split count
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --f32-mfma=tf32 2>&1 | FileCheck %s --check-prefix=F32MFMA
// F32MFMA: attn-run: error: --f32-mfma must be exact, f16 or bf16, got 'tf32'
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --gpu-key-block=48 2>&1 | FileCheck %s --check-prefix=KEYBLOCK
// KEYBLOCK: attn-run: error: --gpu-key-block: key-block must be 32, 64 or 128, got 48{{$}}
// KEYBLOCK-NOT: Stack dump
// The kernel configuration: unknown settings, values out of the lists
// (codegen/Target.h), non-numbers, repeats, a --gpu-key-block that
// contradicts it, and --tune off the GPU.
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=waves=3 2>&1 | FileCheck %s --check-prefix=KCWAVES
// KCWAVES: attn-run: error: --attn-kernel-config: waves must be 2, 4 or 8, got 3{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=key-block=48,waves=8 2>&1 | FileCheck %s --check-prefix=KCBLOCK
// KCBLOCK: attn-run: error: --attn-kernel-config: key-block must be 32, 64 or 128, got 48{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=rows=128 2>&1 | FileCheck %s --check-prefix=KCKEY
// KCKEY: attn-run: error: --attn-kernel-config: unknown setting 'rows' in 'rows=128' (expected key-block=N,waves=W,mfma=MxNxK,pipeline=D){{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=pipeline=-1 2>&1 | FileCheck %s --check-prefix=KCPIPE
// KCPIPE: attn-run: error: --attn-kernel-config: pipeline needs a number or auto, got '-1'{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=mfma=16x16 2>&1 | FileCheck %s --check-prefix=KCMFMA
// KCMFMA: attn-run: error: --attn-kernel-config: mfma must be 16x16x16 or 32x32x8, got '16x16'{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=mfma=4x4x4 2>&1 | FileCheck %s --check-prefix=KCMFMA4
// KCMFMA4: attn-run: error: --attn-kernel-config: mfma must be 16x16x16 or 32x32x8, got 4x4x4{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=waves=eight 2>&1 | FileCheck %s --check-prefix=KCNUM
// KCNUM: attn-run: error: --attn-kernel-config: waves needs a number or auto, got 'eight'{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=waves=8,waves=4 2>&1 | FileCheck %s --check-prefix=KCTWICE
// KCTWICE: attn-run: error: --attn-kernel-config: waves given twice in 'waves=8,waves=4'{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --attn-kernel-config=key-block=64 --gpu-key-block=32 2>&1 | FileCheck %s --check-prefix=KCALIAS
// KCALIAS: attn-run: error: --gpu-key-block=32 and --attn-kernel-config key-block=64 disagree{{$}}
// RUN: not attn-run %S/Inputs/identity.mlir --input=3x4xf32=1 --device=cpu --tune 2>&1 | FileCheck %s --check-prefix=TUNECPU
// TUNECPU: attn-run: error: --tune needs --device=rocm or --device=rocm-sim{{$}}
