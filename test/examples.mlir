// Every example verifies and round-trips.
// RUN: attn-opt %examples/sdxl_attention.mlir | attn-opt | FileCheck %s --check-prefix=SDXL
// SDXL: attn.attention {{.*}} ins({{.*}} : tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
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
