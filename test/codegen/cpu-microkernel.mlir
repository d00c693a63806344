// RUN: attn-opt %s --attn-cpu-microkernel=vector-bits=512 | FileCheck %s
// RUN: attn-opt %s --attn-cpu-microkernel=vector-bits=256 | FileCheck %s --check-prefix=AVX2
// RUN: attn-opt %s --attn-cpu-microkernel="vector-bits=512 lower-contracts=false" | FileCheck %s --check-prefix=CONTRACT

// Scores of a RowsInner tile: S[k2][m] += K[k2][k1] * Qt[k1][m]. M is
// contiguous in S and Qt and absent from K: 8 key rows x 32 query rows
// (2 zmm) per register tile, K1 the innermost loop carrying the tile in
// registers, one broadcast of K (converted from f16 in registers) and an
// FMA per row.
#qt = affine_map<(k2, k1, m) -> (k1, m)>
#k = affine_map<(k2, k1, m) -> (k2, k1)>
#s = affine_map<(k2, k1, m) -> (k2, m)>
// CHECK-LABEL: func.func @scores
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c8
// CHECK: vector.transfer_read {{.*}} : tensor<8x32xf32>, vector<8x32xf32>
// CHECK: scf.for %{{.+}} = %c0 to %c16 step %c1 {{.*}} -> ({{.*}}vector<8x32xf32>)
// CHECK: arith.extf {{.*}} : vector<8x1xf16> to vector<8x1xf32>
// CHECK-COUNT-8: vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT: vector.fma
// CHECK: vector.transfer_write {{.*}} : vector<8x32xf32>, tensor<8x32xf32>
// With 16 ymm registers (AVX2), 2 rows of 32 (4 ymm each) accumulate.
// AVX2-LABEL: func.func @scores
// AVX2: scf.for %{{.+}} = %c0 to %c64 step %c2
// AVX2-COUNT-2: vector.fma {{.*}} : vector<32xf32>
// The tile before lowering: one vector.contract per K1 step.
// CONTRACT-LABEL: func.func @scores
// CONTRACT: vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @scores(%qt: tensor<16x32xf32>, %k: tensor<64x16xf16>, %init: tensor<64x32xf32>) -> tensor<64x32xf32> {
  %r = linalg.generic {indexing_maps = [#qt, #k, #s], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%qt, %k : tensor<16x32xf32>, tensor<64x16xf16>) outs(%init : tensor<64x32xf32>) {
  ^bb0(%a: f32, %b: f16, %c: f32):
    %e = arith.extf %b : f16 to f32
    %m = arith.mulf %a, %e : f32
    %sum = arith.addf %c, %m : f32
    linalg.yield %sum : f32
  } -> tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}

// P.V with standard V: acc[m][n] += P[k2][m] * V[k2][n]. N (64 = 4 zmm)
// is the vector dim, P broadcast: 4 query rows per register tile.
#p = affine_map<(m, k2, n) -> (k2, m)>
#v = affine_map<(m, k2, n) -> (k2, n)>
#acc = affine_map<(m, k2, n) -> (m, n)>
// CHECK-LABEL: func.func @pv
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c4
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c1 {{.*}} -> ({{.*}}vector<4x64xf32>)
// CHECK-COUNT-4: vector.fma {{.*}} : vector<64xf32>
// CHECK-NOT: vector.fma
func.func @pv(%p: tensor<64x32xf32>, %v: tensor<64x64xf32>, %init: tensor<32x64xf32>) -> tensor<32x64xf32> {
  %r = linalg.generic {indexing_maps = [#p, #v, #acc], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%p, %v : tensor<64x32xf32>, tensor<64x64xf32>) outs(%init : tensor<32x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %sum = arith.addf %c, %m : f32
    linalg.yield %sum : f32
  } -> tensor<32x64xf32>
  return %r : tensor<32x64xf32>
}

// Head dims that are not a power of two: the vector tile is the largest
// power of two dividing N (96: 32 lanes = 2 zmm; 100: 4 lanes, one xmm),
// never 48 or 50 lanes (LLVM made per-element inserts of those).
// CHECK-LABEL: func.func @pv_96
// CHECK: scf.for %{{.+}} = %c0 to %c96 step %c32
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c1 {{.*}} -> ({{.*}}vector<{{[0-9]+}}x32xf32>)
// CHECK-LABEL: func.func @pv_100
// CHECK: scf.for %{{.+}} = %c0 to %c100 step %c4
// CHECK: -> ({{.*}}vector<{{[0-9]+}}x4xf32>)
func.func @pv_96(%p: tensor<64x32xf32>, %v: tensor<64x96xf32>, %init: tensor<32x96xf32>) -> tensor<32x96xf32> {
  %r = linalg.generic {indexing_maps = [#p, #v, #acc], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%p, %v : tensor<64x32xf32>, tensor<64x96xf32>) outs(%init : tensor<32x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %sum = arith.addf %c, %m : f32
    linalg.yield %sum : f32
  } -> tensor<32x96xf32>
  return %r : tensor<32x96xf32>
}
func.func @pv_100(%p: tensor<64x32xf32>, %v: tensor<64x100xf32>, %init: tensor<32x100xf32>) -> tensor<32x100xf32> {
  %r = linalg.generic {indexing_maps = [#p, #v, #acc], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%p, %v : tensor<64x32xf32>, tensor<64x100xf32>) outs(%init : tensor<32x100xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %sum = arith.addf %c, %m : f32
    linalg.yield %sum : f32
  } -> tensor<32x100xf32>
  return %r : tensor<32x100xf32>
}

// A row max over the outer dim of S[k2][m]: one vector<32> per key row,
// the running max carried in registers through the key loop.
#row_in = affine_map<(k2, m) -> (k2, m)>
#row_out = affine_map<(k2, m) -> (m)>
// CHECK-LABEL: func.func @row_max
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c1 {{.*}} -> ({{.*}}vector<32xf32>)
// CHECK: arith.maximumf {{.*}} : vector<32xf32>
func.func @row_max(%s: tensor<64x32xf32>, %init: tensor<32xf32>) -> tensor<32xf32> {
  %r = linalg.generic {indexing_maps = [#row_in, #row_out], iterator_types = ["reduction", "parallel"]}
      ins(%s : tensor<64x32xf32>) outs(%init : tensor<32xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.maximumf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<32xf32>
  return %r : tensor<32xf32>
}

// Must not fire. A dot product (KeysInner scores: both operands contiguous
// in the reduction dim), dynamic shapes, an i1 operand (vectors of i1 are
// stored as packed bits) and a reduction over the innermost dim stay
// linalg, for LLVM's loop vectorizer.
#q_d = affine_map<(m, k2, k1) -> (m, k1)>
#k_d = affine_map<(m, k2, k1) -> (k2, k1)>
#s_d = affine_map<(m, k2, k1) -> (m, k2)>
#id = affine_map<(i, j) -> (i, j)>
#inner = affine_map<(i, j) -> (i)>
// CHECK-LABEL: func.func @not_tiled
// CHECK-NOT: vector.
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: vector.
// CHECK: return
func.func @not_tiled(%q: tensor<4x16xf32>, %k: tensor<64x16xf32>, %s0: tensor<4x64xf32>,
                     %dyn: tensor<?x32xf32>, %mask: tensor<64x32xi1>, %s: tensor<64x32xf32>,
                     %rows: tensor<64xf32>)
    -> (tensor<4x64xf32>, tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32>) {
  %dot = linalg.generic {indexing_maps = [#q_d, #k_d, #s_d], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<4x16xf32>, tensor<64x16xf32>) outs(%s0 : tensor<4x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %sum = arith.addf %c, %m : f32
    linalg.yield %sum : f32
  } -> tensor<4x64xf32>
  %twice = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%dyn : tensor<?x32xf32>) outs(%dyn : tensor<?x32xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.addf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<?x32xf32>
  %masked = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mask : tensor<64x32xi1>) outs(%s : tensor<64x32xf32>) {
  ^bb0(%a: i1, %b: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.select %a, %b, %z : f32
    linalg.yield %m : f32
  } -> tensor<64x32xf32>
  %sums = linalg.generic {indexing_maps = [#id, #inner], iterator_types = ["parallel", "reduction"]}
      ins(%s : tensor<64x32xf32>) outs(%rows : tensor<64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %m = arith.addf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<64xf32>
  return %dot, %twice, %masked, %sums : tensor<4x64xf32>, tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32>
}

// bf16-dot scores: S[k2][m] += Kp[k2][k1][t] * Qp[k1][m][t] over K1 pairs
// (t, size 2, innermost in both inputs). The pair stays whole in every
// tile; each row's K pair is broadcast as one i32 and each register of 16
// lanes is one x86vector.avx512.dot (vdpbf16ps) on 32 bf16: 4 rows x 4
// registers per pair step, no f32 conversion of either input.
// CHECK-LABEL: func.func @pair_scores
// CHECK: scf.for %{{.+}} = %c0 to %c32 step %c1
// CHECK: vector.transfer_read %{{.+}} : tensor<1x64x2xbf16>, vector<16x2xbf16>
// CHECK: %[[PAIR:.+]] = vector.bitcast %{{.+}} : vector<2xbf16> to vector<1xi32>
// CHECK: vector.broadcast %{{.+}} : i32 to vector<16xi32>
// CHECK-COUNT-16: x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<32xbf16> -> vector<16xf32>
// CHECK-NOT: vector.contract
// CHECK-NOT: arith.extf
// CHECK: return
// AVX2-LABEL: func.func @pair_scores
// AVX2: x86vector.avx512.dot %{{.+}}, %{{.+}}, %{{.+}} : vector<16xbf16> -> vector<8xf32>
// CONTRACT-LABEL: func.func @pair_scores
// CONTRACT: vector.contract {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} : vector<4x1x2xbf16>, vector<1x64x2xbf16> into vector<4x64xf32>
#qp = affine_map<(k2, k1, m, t) -> (k1, m, t)>
#kp = affine_map<(k2, k1, m, t) -> (k2, k1, t)>
#sp = affine_map<(k2, k1, m, t) -> (k2, m)>
func.func @pair_scores(%qp: tensor<32x64x2xbf16>, %kp: tensor<64x32x2xbf16>, %s: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = linalg.generic {indexing_maps = [#qp, #kp, #sp], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%qp, %kp : tensor<32x64x2xbf16>, tensor<64x32x2xbf16>) outs(%s : tensor<64x64xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %0 = arith.extf %a : bf16 to f32
    %1 = arith.extf %b : bf16 to f32
    %2 = arith.mulf %0, %1 fastmath<reassoc,contract> : f32
    %3 = arith.addf %c, %2 fastmath<reassoc,contract> : f32
    linalg.yield %3 : f32
  } -> tensor<64x64xf32>
  return %r : tensor<64x64xf32>
}

// A copy of P into bf16 pairs ([K2/2][2][M] f32 -> [K2/2][M][2] bf16): 16
// rows of whole pairs per step, the two rows' interleave one shuffle (not
// 2-lane vectors, not per-element inserts).
// CHECK-LABEL: func.func @pair_copy
// CHECK: scf.for %{{.+}} = %c0 to %c64 step %c16
// CHECK: %[[ROWS:.+]] = vector.transfer_read %{{.+}} : tensor<1x2x16xf32>, vector<2x16xf32>
// CHECK: %[[BF:.+]] = arith.truncf %[[ROWS]] : vector<2x16xf32> to vector<2x16xbf16>
// CHECK: %[[FLAT:.+]] = vector.shape_cast %[[BF]] : vector<2x16xbf16> to vector<32xbf16>
// CHECK: vector.shuffle %[[FLAT]], %[[FLAT]] [0, 16, 1, 17, 2, 18
// CHECK: vector.transfer_write %{{.+}} : vector<16x2xbf16>, tensor<1x16x2xbf16>
#pin = affine_map<(k, m, t) -> (k, t, m)>
#pout = affine_map<(k, m, t) -> (k, m, t)>
func.func @pair_copy(%p: tensor<32x2x64xf32>, %init: tensor<32x64x2xbf16>) -> tensor<32x64x2xbf16> {
  %r = linalg.generic {indexing_maps = [#pin, #pout], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%p : tensor<32x2x64xf32>) outs(%init : tensor<32x64x2xbf16>) {
  ^bb0(%a: f32, %b: bf16):
    %0 = arith.truncf %a : f32 to bf16
    linalg.yield %0 : bf16
  } -> tensor<32x64x2xbf16>
  return %r : tensor<32x64x2xbf16>
}

// bf16 pairs whose vector tile no dot instruction takes (6 = 2-lane tiles;
// the decomposition does not make them, this is the fallback): extended to
// f32 in registers and lowered like the other contractions.
// CHECK-LABEL: func.func @pair_narrow
// CHECK-NOT: x86vector.avx512.dot
// CHECK: arith.extf %{{.+}} : vector<{{.*}}xbf16> to vector<{{.*}}xf32>
// CHECK: vector.reduction <add>
// CHECK: return
#pp = affine_map<(m, k2, n, t) -> (k2, m, t)>
#vp = affine_map<(m, k2, n, t) -> (k2, n, t)>
#ap = affine_map<(m, k2, n, t) -> (m, n)>
func.func @pair_narrow(%p: tensor<32x64x2xbf16>, %v: tensor<32x6x2xbf16>, %acc: tensor<64x6xf32>) -> tensor<64x6xf32> {
  %r = linalg.generic {indexing_maps = [#pp, #vp, #ap], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%p, %v : tensor<32x64x2xbf16>, tensor<32x6x2xbf16>) outs(%acc : tensor<64x6xf32>) {
  ^bb0(%a: bf16, %b: bf16, %c: f32):
    %0 = arith.extf %a : bf16 to f32
    %1 = arith.extf %b : bf16 to f32
    %2 = arith.mulf %0, %1 fastmath<reassoc,contract> : f32
    %3 = arith.addf %c, %2 fastmath<reassoc,contract> : f32
    linalg.yield %3 : f32
  } -> tensor<64x6xf32>
  return %r : tensor<64x6xf32>
}
