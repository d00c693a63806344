// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 waves=8" | FileCheck %s --check-prefix=W8
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1 waves=2" | FileCheck %s --check-prefix=W2
// RUN: attn-opt %s -split-input-file --attn-rocm-attention-kernels="k2-splits=1 pipeline=1" | FileCheck %s --check-prefix=AUTO
// RUN: not attn-opt %s -split-input-file --attn-rocm-attention-kernels="waves=3" 2>&1 | FileCheck %s --check-prefix=BAD

// Waves per workgroup (16 query rows each) are a kernel configuration knob:
// the workgroup's threads (64 x waves), its rows (16 x waves), the grid,
// M's padding and the staging rounds follow; the K and V tiles in LDS are
// the same, shared by more or fewer waves. M = 200 pads to 256 with 8
// waves (128 rows, 2 workgroups), to 224 with 2 (32 rows, 7 workgroups).
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// W8-LABEL: func.func @rows
// W8-DAG: %[[C2:.+]] = arith.constant 2 : index
// W8-DAG: %[[C512:.+]] = arith.constant 512 : index
// W8: gpu.launch_func @attn_kernels::@rows_attention_0 blocks in (%[[C2]], %{{.+}}, %{{.+}}) threads in (%[[C512]], %{{.+}}, %{{.+}}) args(%{{.+}} : memref<256x32xf16>, %{{.+}} : memref<128x32xf16>, %{{.+}} : memref<128x16xf16>, %{{.+}} : memref<256x16xf16>
// W8: gpu.func @rows_attention_0
// W8-SAME: workgroup(%{{.+}} : memref<64x32xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<16x64xf16, #gpu.address_space<workgroup>>)
// W8-SAME: attn.kernel_config = "key-block=64,waves=8,mfma=16x16x16,pipeline=1"
// W8-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 2, 1, 1>
// The workgroup's first row is 128 x block id; each wave's is 16 x wave.
// W8: %[[BID:.+]] = gpu.block_id  x
// W8: arith.muli %[[BID]], %c128{{(_[0-9]+)?}} : index
// K (64 x 32 halves = 256 chunks of 8) and V^T (128 chunks) each take one
// staging round of 512 threads: the threads past the last chunk skip it.
// W8: arith.cmpi ult, %{{.+}}, %c256{{(_[0-9]+)?}} : index
// W8: arith.cmpi ult, %{{.+}}, %c128{{(_[0-9]+)?}} : index
//
// W2-LABEL: func.func @rows
// W2-DAG: %[[C7:.+]] = arith.constant 7 : index
// W2-DAG: %[[C128:.+]] = arith.constant 128 : index
// W2: gpu.launch_func @attn_kernels::@rows_attention_0 blocks in (%[[C7]], %{{.+}}, %{{.+}}) threads in (%[[C128]], %{{.+}}, %{{.+}}) args(%{{.+}} : memref<224x32xf16>
// W2: gpu.func @rows_attention_0
// W2-SAME: attn.kernel_config = "key-block=64,waves=2,mfma=16x16x16,pipeline=1"
// W2-SAME: known_block_size = array<i32: 128, 1, 1>, known_grid_size = array<i32: 7, 1, 1>
// W2: arith.muli %{{.+}}, %c32{{(_[0-9]+)?}} : index
//
// The heuristic keeps 4 waves for a grid this small (and M = 200 pads no
// less with 8): must not pick 8.
// AUTO-LABEL: func.func @rows
// AUTO: args(%{{.+}} : memref<256x32xf16>
// AUTO: attn.kernel_config = "key-block=64,waves=4,mfma=16x16x16,pipeline=1"
// AUTO-SAME: known_block_size = array<i32: 256, 1, 1>, known_grid_size = array<i32: 4, 1, 1>
//
// BAD: attn-rocm-attention-kernels: waves must be 2, 4 or 8, got 3
func.func @rows(%q: tensor<200x32xf16>, %k: tensor<128x32xf16>, %v: tensor<128x16xf16>, %s: f16, %init: tensor<200x16xf16>) -> tensor<200x16xf16> {
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<200x32xf16>, tensor<128x32xf16>, tensor<128x16xf16>, f16)
         outs(%init : tensor<200x16xf16>) -> tensor<200x16xf16>
  return %r : tensor<200x16xf16>
}

// -----

// Causal with 8 waves: tiles of 128 rows, the last (heaviest) first: tile
// = 2 - block id for M = 384; each workgroup's key range ends past its
// last row, first row + 127.
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
// W8-LABEL: gpu.func @causal_attention_0
// W8-SAME: attn.key_blocks = array<i64: 2, 6, 12, 18>
// W8: %[[BID:.+]] = gpu.block_id  x
// W8: %[[TILE:.+]] = arith.subi %c2, %[[BID]] : index
// W8: arith.muli %[[TILE]], %c128{{(_[0-9]+)?}} : index
// W8: arith.addi %{{.+}}, %c127{{(_[0-9]+)?}} : index
//
// W2-LABEL: gpu.func @causal_attention_0
// W2-SAME: attn.key_blocks = array<i64: 1, 6, 42, 72>
// W2: arith.subi %c11{{(_[0-9]+)?}}, %{{.+}} : index
//
// AUTO-LABEL: gpu.func @causal_attention_0
// AUTO-SAME: attn.key_blocks = array<i64: 1, 6, 21, 36>
func.func @causal(%q: tensor<384x16xf16>, %k: tensor<384x16xf16>, %v: tensor<384x16xf16>, %s: f16, %init: tensor<384x16xf16>) -> tensor<384x16xf16> {
  %r = attn.attention causal(top_left) {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<384x16xf16>, tensor<384x16xf16>, tensor<384x16xf16>, f16)
         outs(%init : tensor<384x16xf16>) -> tensor<384x16xf16>
  return %r : tensor<384x16xf16>
}
