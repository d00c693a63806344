// Numerics of every form attn-raise-attention accepts: attn-run compiles
// each function of test/transforms/raise-attention.mlir (which checks that
// it is raised) through attn-graph-opt and the target, and --check
// compares the result with the reference lowering of the unraised
// original (the reference pipeline runs no graph passes, and its
// linalg.softmax is decomposed by upstream), on the CPU and in rocm-sim.
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=matmul_softmax --random-inputs=70 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=matmul_softmax --device=rocm-sim --random-inputs=70 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=batch_matmul_decomposed --random-inputs=71 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=batch_matmul_decomposed --device=rocm-sim --random-inputs=71 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=matmul_maps_keepdim_reciprocal --random-inputs=72 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=matmul_maps_keepdim_reciprocal --device=rocm-sim --random-inputs=72 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=generic_4d_float_mask --random-inputs=73 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=generic_4d_float_mask --device=rocm-sim --random-inputs=73 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=contract_bool_mask --random-inputs=74 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=contract_bool_mask --device=rocm-sim --random-inputs=74 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=transposed_scores_no_max --random-inputs=75 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=transposed_scores_no_max --device=rocm-sim --random-inputs=75 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=named_elementwise_softmax --random-inputs=76 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=named_elementwise_softmax --device=rocm-sim --random-inputs=76 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=f16_truncf --random-inputs=77 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=f16_truncf --device=rocm-sim --random-inputs=77 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=f16_extf_softmax --random-inputs=78 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=f16_extf_softmax --device=rocm-sim --random-inputs=78 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=bf16_scaled_k --random-inputs=79 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=bf16_scaled_k --device=rocm-sim --random-inputs=79 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=heads_merged_batch_matmul --random-inputs=80 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=heads_merged_batch_matmul --device=rocm-sim --random-inputs=80 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=dynamic_shapes --input=2x16x8xf32=random --input=2x20x8xf32=random --input=2x20x8xf32=random --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=dynamic_shapes --device=rocm-sim --input=2x16x8xf32=random --input=2x20x8xf32=random --input=2x20x8xf32=random --check 2>&1 | FileCheck %s
// MQA in linalg: raised, then the K/V broadcasts folded into the maps.
// RUN: attn-run %S/../transforms/graph-opt-raise.mlir --function=mqa_broadcast_kv --random-inputs=81 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/graph-opt-raise.mlir --function=mqa_broadcast_kv --device=rocm-sim --random-inputs=81 --check 2>&1 | FileCheck %s
// GQA in linalg (repeat_kv): raised, heads split, broadcasts folded.
// RUN: attn-run %S/../transforms/graph-opt-raise.mlir --function=gqa_repeat_kv --random-inputs=82 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/graph-opt-raise.mlir --function=gqa_repeat_kv --device=rocm-sim --random-inputs=82 --check 2>&1 | FileCheck %s
// The declined forms still run (unraised) and match too.
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=declined_mask_before_scale --random-inputs=80 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=declined_inverted_bool_mask --random-inputs=81 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/../transforms/raise-attention.mlir --function=declined_softmax_wrong_dim --random-inputs=82 --check 2>&1 | FileCheck %s
// The textbook example: raised on the CPU (checked against its unraised
// reference), and on the GPU one MFMA flash-attention kernel instead of a
// dozen simple kernels.
// RUN: attn-run %examples/textbook_attention_linalg.mlir --random-inputs=90 --check 2>&1 | FileCheck %s
// RUN: attn-run %examples/textbook_attention_linalg.mlir --device=rocm --compile-only --dump-kernel-report 2>&1 | FileCheck %s --check-prefix=MFMA
// MFMA: kernel main_attention_0 (attn_kernels, gfx942)
// (f32: 128 MFMAs 16x16x4, four per 16x16x16 fragment product.)
// MFMA: MFMA instructions 128
// The transformer block (raised, projections fused, V written transposed
// by the fused op). Its f32 attention is exact on the GPU too (f32 MFMAs):
// compared at the default f32 tolerance. With --f32-mfma=f16 and |q|, |k|
// up to ~5 the scores carry f16 rounding beyond the default f16
// tolerance, so that run is compared at 2e-2.
// RUN: attn-run %examples/transformer_block_qkv.mlir --random-inputs=91 --check 2>&1 | FileCheck %s
// RUN: attn-run %examples/transformer_block_qkv.mlir --device=rocm-sim --random-inputs=91 --check 2>&1 | FileCheck %s --check-prefix=EXACT
// RUN: attn-run %examples/transformer_block_qkv.mlir --device=rocm-sim --f32-mfma=f16 --random-inputs=91 --check --atol=2e-2 --rtol=2e-2 2>&1 | FileCheck %s
// EXACT: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS
// CHECK: check result[0]: {{.*}}: PASS
