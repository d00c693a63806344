// The graph pipeline must not change results: each program runs through
// attn-graph-opt + tiling and is compared with the reference lowering of
// the unmodified program.
// RUN: attn-run %s --function=dequant_v --random-inputs=20 --check | FileCheck %s
// RUN: attn-run %s --function=projection_heads --random-inputs=21 --check | FileCheck %s
// RUN: attn-run %s --function=transposed_q_k_o --random-inputs=22 --check | FileCheck %s
// RUN: attn-run %s --function=gqa --random-inputs=23 --check | FileCheck %s
// CHECK: check result[0]: {{.*}}: PASS

#q = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#s = affine_map<(b, h, m, k1, k2, n) -> ()>
#o = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#hn = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
func.func @dequant_v(%q: tensor<2x3x40x16xf16>, %k: tensor<2x3x72x16xf16>,
                     %vq: tensor<2x3x72x16xi32>, %off: tensor<3x16xi32>,
                     %sc: tensor<3x16xf16>) -> tensor<2x3x40x16xf16> {
  %e = tensor.empty() : tensor<2x3x72x16xf16>
  %v = linalg.generic {indexing_maps = [#id, #hn, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%vq, %off, %sc : tensor<2x3x72x16xi32>, tensor<3x16xi32>, tensor<3x16xf16>)
         outs(%e : tensor<2x3x72x16xf16>) {
  ^bb0(%x: i32, %o: i32, %s: f16, %out: f16):
    %d = arith.subi %x, %o : i32
    %f = arith.sitofp %d : i32 to f16
    %r = arith.mulf %f, %s : f16
    linalg.yield %r : f16
  } -> tensor<2x3x72x16xf16>
  %scale = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<2x3x40x16xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %scale : tensor<2x3x40x16xf16>, tensor<2x3x72x16xf16>, tensor<2x3x72x16xf16>, f16)
         outs(%init : tensor<2x3x40x16xf16>) -> tensor<2x3x40x16xf16>
  return %r : tensor<2x3x40x16xf16>
}

#q3 = affine_map<(h, m, k1, k2, n) -> (h, m, k1)>
#k3 = affine_map<(h, m, k1, k2, n) -> (h, k2, k1)>
#v3 = affine_map<(h, m, k1, k2, n) -> (h, k2, n)>
#s3 = affine_map<(h, m, k1, k2, n) -> ()>
#o3 = affine_map<(h, m, k1, k2, n) -> (h, m, n)>
func.func @projection_heads(%q: tensor<4x20x16xf32>, %k: tensor<4x36x16xf32>,
                            %x: tensor<36x24xf32>, %w: tensor<24x32xf32>) -> tensor<4x20x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<36x32xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<36x32xf32>) -> tensor<36x32xf32>
  %p = linalg.matmul ins(%x, %w : tensor<36x24xf32>, tensor<24x32xf32>)
         outs(%acc : tensor<36x32xf32>) -> tensor<36x32xf32>
  %split = tensor.expand_shape %p [[0], [1, 2]] output_shape [36, 4, 8]
         : tensor<36x32xf32> into tensor<36x4x8xf32>
  %te = tensor.empty() : tensor<4x36x8xf32>
  %v = linalg.transpose ins(%split : tensor<36x4x8xf32>) outs(%te : tensor<4x36x8xf32>) permutation = [1, 0, 2]
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<4x20x8xf32>
  %r = attn.attention {indexing_maps = [#q3, #k3, #v3, #s3, #o3]}
         ins(%q, %k, %v, %s : tensor<4x20x16xf32>, tensor<4x36x16xf32>, tensor<4x36x8xf32>, f32)
         outs(%init : tensor<4x20x8xf32>) -> tensor<4x20x8xf32>
  return %r : tensor<4x20x8xf32>
}

func.func @transposed_q_k_o(%qt: tensor<2x16x24xf32>, %kt: tensor<2x16x40xf32>,
                            %v: tensor<2x40x8xf32>) -> tensor<2x8x24xf32> {
  %eq = tensor.empty() : tensor<2x24x16xf32>
  %q = linalg.transpose ins(%qt : tensor<2x16x24xf32>) outs(%eq : tensor<2x24x16xf32>) permutation = [0, 2, 1]
  %ek = tensor.empty() : tensor<2x40x16xf32>
  %k = linalg.transpose ins(%kt : tensor<2x16x40xf32>) outs(%ek : tensor<2x40x16xf32>) permutation = [0, 2, 1]
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x24x8xf32>
  %r = attn.attention {indexing_maps = [#q3, #k3, #v3, #s3, #o3]}
         ins(%q, %k, %v, %s : tensor<2x24x16xf32>, tensor<2x40x16xf32>, tensor<2x40x8xf32>, f32)
         outs(%init : tensor<2x24x8xf32>) -> tensor<2x24x8xf32>
  %eo = tensor.empty() : tensor<2x8x24xf32>
  %ot = linalg.transpose ins(%r : tensor<2x24x8xf32>) outs(%eo : tensor<2x8x24xf32>) permutation = [0, 2, 1]
  return %ot : tensor<2x8x24xf32>
}

// GQA-like: K and V shared by the query heads (h is an M dim).
#qg = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#kg = affine_map<(b, h, m, k1, k2, n) -> (b, k2, k1)>
#vg = affine_map<(b, h, m, k1, k2, n) -> (b, k2, n)>
#sg = affine_map<(b, h, m, k1, k2, n) -> ()>
#og = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @gqa(%q: tensor<2x4x12x16xf32>, %k: tensor<2x30x16xf32>, %v: tensor<2x30x8xf32>) -> tensor<2x4x12x8xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x4x12x8xf32>
  %r = attn.attention {indexing_maps = [#qg, #kg, #vg, #sg, #og]}
         ins(%q, %k, %v, %s : tensor<2x4x12x16xf32>, tensor<2x30x16xf32>, tensor<2x30x8xf32>, f32)
         outs(%init : tensor<2x4x12x8xf32>) -> tensor<2x4x12x8xf32>
  return %r : tensor<2x4x12x8xf32>
}
