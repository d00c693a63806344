// A linalg.softmax that is not part of an attention is decomposed with
// upstream's decomposition before bufferization on every target: it runs
// on the CPU and in rocm-sim, and the rocm path builds a code object.
// RUN: attn-run %s --function=softmax_alone --random-inputs=60 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=softmax_alone --device=rocm-sim --random-inputs=60 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=softmax_alone --device=rocm --compile-only 2>&1 | FileCheck %s --check-prefix=ROCM
// RUN: attn-run %s --function=softmax_f16 --random-inputs=61 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=softmax_f16 --device=rocm-sim --random-inputs=61 --check 2>&1 | FileCheck %s
// An attention chain the raising declines (its scores are returned too)
// keeps its linalg.softmax, which must still run.
// RUN: attn-run %s --function=attention_scores_returned --random-inputs=62 --check 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: attn-run %s --function=attention_scores_returned --device=rocm-sim --random-inputs=62 --check 2>&1 | FileCheck %s --check-prefix=TWO
// RUN: attn-run %s --function=attention_scores_returned --device=rocm --compile-only 2>&1 | FileCheck %s --check-prefix=ROCM
// CHECK: check result[0]: {{.*}}: PASS
// ROCM: attn-run: compiling @{{.*}} for gfx942 (code object only: no GPU needed)
// ROCM-NOT: error
// TWO: check result[0]: {{.*}}: PASS
// TWO: check result[1]: {{.*}}: PASS

func.func @softmax_alone(%x: tensor<4x33xf32>) -> tensor<4x33xf32> {
  %e = tensor.empty() : tensor<4x33xf32>
  %p = linalg.softmax dimension(1) ins(%x : tensor<4x33xf32>) outs(%e : tensor<4x33xf32>) -> tensor<4x33xf32>
  return %p : tensor<4x33xf32>
}

func.func @softmax_f16(%x: tensor<2x3x40xf16>) -> tensor<2x3x40xf16> {
  %e = tensor.empty() : tensor<2x3x40xf16>
  %p = linalg.softmax dimension(2) ins(%x : tensor<2x3x40xf16>) outs(%e : tensor<2x3x40xf16>) -> tensor<2x3x40xf16>
  return %p : tensor<2x3x40xf16>
}

func.func @attention_scores_returned(%q: tensor<16x8xf32>, %k: tensor<12x8xf32>, %v: tensor<12x8xf32>) -> (tensor<16x8xf32>, tensor<16x12xf32>) {
  %zero = arith.constant 0.0 : f32
  %se = tensor.empty() : tensor<16x12xf32>
  %sz = linalg.fill ins(%zero : f32) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf32>, tensor<12x8xf32>) outs(%sz : tensor<16x12xf32>) -> tensor<16x12xf32>
  %p = linalg.softmax dimension(1) ins(%s : tensor<16x12xf32>) outs(%se : tensor<16x12xf32>) -> tensor<16x12xf32>
  %oe = tensor.empty() : tensor<16x8xf32>
  %oz = linalg.fill ins(%zero : f32) outs(%oe : tensor<16x8xf32>) -> tensor<16x8xf32>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf32>, tensor<12x8xf32>) outs(%oz : tensor<16x8xf32>) -> tensor<16x8xf32>
  return %o, %s : tensor<16x8xf32>, tensor<16x12xf32>
}
