// Every example verifies and round-trips.
// RUN: attn-opt %examples/sdxl_attention.mlir | attn-opt | FileCheck %s --check-prefix=SDXL
// SDXL: attn.attention {{.*}} ins({{.*}} : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
// RUN: attn-opt %examples/d128_bf16_attention.mlir | attn-opt | FileCheck %s --check-prefix=D128
// D128: attn.attention {{.*}} ins({{.*}} : tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>, tensor<2x16x4096x128xbf16>, bf16)
// RUN: attn-opt %examples/transposed_v_attention.mlir | attn-opt | FileCheck %s --check-prefix=TV
// TV-DAG: #[[VT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d5, d4)>
// TV: attn.attention {indexing_maps = [#{{.+}}, #{{.+}}, #[[VT]], #{{.+}}, #{{.+}}]}
// RUN: attn-opt %examples/transposed_k_attention.mlir | attn-opt | FileCheck %s --check-prefix=TK
// TK-DAG: #[[KT:.+]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d4)>
// TK: attn.attention {indexing_maps = [#{{.+}}, #[[KT]], #{{.+}}, #{{.+}}, #{{.+}}]}
// RUN: attn-opt %examples/masked_attention.mlir | attn-opt | FileCheck %s --check-prefix=MASK
// MASK: attn.attention {{.*}} tensor<256x256xi1>)
// RUN: attn-opt %examples/dequant_v_attention.mlir | attn-opt | FileCheck %s --check-prefix=DQ
// DQ: linalg.generic
// DQ: attn.attention
// The textbook attention in plain linalg is raised by attn-graph-opt to one
// attn.attention with K's transpose folded into its map; nothing else stays.
// RUN: attn-opt --attn-graph-opt --attn-remarks %examples/textbook_attention_linalg.mlir 2>&1 | FileCheck %s --check-prefix=TEXTBOOK
// TEXTBOOK: remark: [attn-raise-attention] raised linalg.batch_matmul -> scale -> softmax -> linalg.batch_matmul (scale 0.125) to attn.attention
// TEXTBOOK: remark: [attn-fold-transposes] folded transpose [0, 2, 1] of K into its indexing map
// TEXTBOOK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d3)>
// TEXTBOOK-NOT: linalg.
// TEXTBOOK: attn.attention {indexing_maps = [#{{.+}}, #[[K]], #{{.+}}, #{{.+}}, #{{.+}}]} ins(%arg0, %arg1, %arg2, %{{.+}} : tensor<8x256x64xf32>, tensor<8x512x64xf32>, tensor<8x512x64xf32>, f32)
// TEXTBOOK-NOT: linalg.
// The transformer block: attention raised, the Q/K/V projections fused into
// one generic with three results, K and V written transposed by it (K^T,
// and the transposed-V form), no transpose left.
// RUN: attn-opt --attn-graph-opt --attn-remarks %examples/transformer_block_qkv.mlir 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: remark: [attn-raise-attention] raised linalg.contract -> scale -> softmax -> linalg.contract (scale 0.353553) to attn.attention
// BLOCK: remark: [attn-fuse-projections] fused 3 projections of the same input into one linalg.generic with 3 results
// BLOCK: remark: [attn-fuse-transpose-producers] fused transpose [0, 2, 3, 1]: moved across the tensor.expand_shape; linalg.generic result #1 writes the permuted layout
// BLOCK: remark: [attn-fuse-transpose-producers] fused transpose [0, 1, 3, 2]: composed with the producing transpose into [0, 2, 3, 1]; moved across the tensor.expand_shape; linalg.generic result #2 writes the permuted layout
// BLOCK-LABEL: func.func @main
// BLOCK-NOT: linalg.transpose
// BLOCK: } -> (tensor<2x64x32xf32>, tensor<2x32x64xf32>, tensor<2x32x64xf32>)
// BLOCK-NOT: linalg.transpose
// BLOCK: attn.attention
// BLOCK-NOT: linalg.transpose
