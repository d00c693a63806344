// Tool-facing errors are one clean diagnostic and a non-zero exit, never a
// crash.

// RUN: not attn-opt %S/Inputs/k2-mismatch.mlir 2>&1 | FileCheck %s --check-prefix=K2
// K2: k2-mismatch.mlir:7:8: error: 'attn.attention' op 'value' has size 32 along d3 (K2 dim, operand dim 1) but 'key' has size 16
// K2-NOT: PLEASE submit a bug report

// RUN: not attn-opt %S/Inputs/malformed.mlir 2>&1 | FileCheck %s --check-prefix=MALFORMED
// MALFORMED: malformed.mlir:1:17: error:
// MALFORMED-NOT: PLEASE submit a bug report

// RUN: not attn-opt --attn-no-such-pass %s 2>&1 | FileCheck %s --check-prefix=FLAG
// FLAG: Unknown command line argument '--attn-no-such-pass'

// RUN: not attn-opt %S/Inputs/does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: cannot open input file '{{.*}}does-not-exist.mlir'

// The help lists the dialect, the passes and the pipeline.
// RUN: attn-opt --help | FileCheck %s --check-prefix=HELP
// HELP: Available Dialects: {{.*}}attn
// HELP-DAG: --attn-bubble-transpose-v
// HELP-DAG: --attn-fold-transposes
// HELP-DAG: --attn-fuse-transpose-producers
// HELP-DAG: --attn-graph-opt
// HELP-DAG: --attn-remarks
