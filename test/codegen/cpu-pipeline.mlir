// The tensor-level CPU pipeline never builds a value of the full [M, K2]
// score shape (128x100 here), only tiles of it; the reference lowering does.
// RUN: attn-opt %s --attn-cpu-pipeline="lower-to-llvm=false k2-splits=1" | FileCheck %s --check-prefix=TILED
// RUN: attn-opt %s --attn-reference-pipeline="lower-to-llvm=false" | FileCheck %s --check-prefix=REF
// Both reach the LLVM dialect; the tiled one runs its tiles in parallel
// through OpenMP.
// RUN: attn-opt %s --attn-cpu-pipeline=k2-splits=1 | FileCheck %s --check-prefix=LLVM
// RUN: attn-opt %s --attn-reference-pipeline | FileCheck %s --check-prefix=REFLLVM

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>

// K2 = 100 = one block of 64 keys and a peeled last block of 36, both of
// static shape: scores [K2, M] tiles (64 query rows: the default m-tile),
// register-tiled by the CPU microkernel (vector.fma outer products; the
// register tile depends on the host, see cpu-microkernel.mlir).
// TILED-LABEL: func.func @main
// TILED-NOT: 128x100
// TILED: scf.forall
// TILED: scf.for {{.*}} -> (tensor<1x64x64xf32>)
// TILED: scf.for {{.*}} -> (vector<1x{{[0-9]+}}x{{[0-9]+}}xf32>)
// TILED: vector.fma
// TILED: scf.for {{.*}} -> (tensor<1x36x64xf32>)
// TILED: vector.fma
// TILED-NOT: 128x100
// TILED-NOT: attn.

// REF-LABEL: func.func @main
// REF-NOT: scf.forall
// REF: tensor<2x128x100xf32>
// REF-NOT: attn.

// LLVM: llvm.func @main
// LLVM: omp.parallel
// Standard K and V blocks are contiguous: no software prefetch.
// LLVM-NOT: prefetch
// LLVM-NOT: linalg.
// LLVM-NOT: scf.
// LLVM-NOT: attn.

// REFLLVM: llvm.func @main
// REFLLVM-NOT: linalg.
// REFLLVM-NOT: attn.
func.func @main(%q: tensor<2x128x16xf32>, %k: tensor<2x100x16xf32>, %v: tensor<2x100x8xf32>) -> tensor<2x128x8xf32> {
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<2x128x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<2x128x16xf32>, tensor<2x100x16xf32>, tensor<2x100x8xf32>, f32)
         outs(%init : tensor<2x128x8xf32>) -> tensor<2x128x8xf32>
  return %r : tensor<2x128x8xf32>
}
