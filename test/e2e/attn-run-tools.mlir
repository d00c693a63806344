// attn-run's inspection and measurement flags.
// RUN: attn-run %s --random-inputs --print-ir-after-all --compile-only 2>&1 | FileCheck %s --check-prefix=IR
// IR: IR Dump After AttnBubbleTransposeV
// IR: IR Dump After AttnTileAttention
// IR: IR Dump After AttnDecomposeOnlineAttention
// IR: IR Dump After OneShotBufferizePass
// IR: IR Dump After ReconcileUnrealizedCastsPass
// Figures are printed, never asserted on.
// RUN: attn-run %s --random-inputs --benchmark=2 | FileCheck %s --check-prefix=BENCH
// BENCH: benchmark: 2 runs after 1 warm-up: min {{[0-9.]+}} ms, median {{[0-9.]+}} ms, {{[0-9.]+}} GFLOP/s (median), peak RSS {{[0-9.]+}} MiB
// RUN: attn-run %s --random-inputs --compile-only --dump-object=%t.o 2>&1 | FileCheck %s --check-prefix=OBJ
// OBJ: compiled in
// RUN: test -s %t.o
// RUN: attn-run --help | FileCheck %s --check-prefix=HELP
// HELP-DAG: --input=<string>
// HELP-DAG: --random-inputs
// HELP-DAG: --output=<string>
// HELP-DAG: --expected_output=<string>
// HELP-DAG: --check
// HELP-DAG: --benchmark=<uint>
// HELP-DAG: --device=<string>
// HELP-DAG: --chip=<string>
// HELP-DAG: --print-ir-after-all
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<1x16x8xf32>, %k: tensor<1x16x8xf32>, %v: tensor<1x16x8xf32>) -> tensor<1x16x8xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<1x16x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<1x16x8xf32>, tensor<1x16x8xf32>, tensor<1x16x8xf32>, f32)
         outs(%init : tensor<1x16x8xf32>) -> tensor<1x16x8xf32>
  return %r : tensor<1x16x8xf32>
}
