// An i1 mask built in the program: row 0 entirely masked out (its output
// is defined as 0), other rows causal. Both lowerings must agree, and no
// NaN may appear.
// RUN: attn-run %s --random-inputs=8 --check | FileCheck %s
// CHECK: result[0]: 1x24x8xf32
// CHECK-NEXT: first values: 0 0 0 0 0 0 0 0
// CHECK: check result[0]: {{.*}}: PASS
// CHECK-NOT: nan
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%q: tensor<1x24x16xf32>, %k: tensor<1x24x16xf32>, %v: tensor<1x24x8xf32>) -> tensor<1x24x8xf32> {
  %e = tensor.empty() : tensor<24x24xi1>
  %mask = linalg.generic {indexing_maps = [#id2], iterator_types = ["parallel", "parallel"]} outs(%e : tensor<24x24xi1>) {
  ^bb0(%out: i1):
    %i = linalg.index 0 : index
    %j = linalg.index 1 : index
    %c0 = arith.constant 0 : index
    %causal = arith.cmpi ule, %j, %i : index
    %notfirst = arith.cmpi ne, %i, %c0 : index
    %keep = arith.andi %causal, %notfirst : i1
    linalg.yield %keep : i1
  } -> tensor<24x24xi1>
  %s = arith.constant 0.25 : f32
  %init = tensor.empty() : tensor<1x24x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %mask : tensor<1x24x16xf32>, tensor<1x24x16xf32>, tensor<1x24x8xf32>, f32, tensor<24x24xi1>)
         outs(%init : tensor<1x24x8xf32>) -> tensor<1x24x8xf32>
  return %r : tensor<1x24x8xf32>
}
