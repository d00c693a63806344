// The accepted forms of test/transforms/raise-attention.mlir in f16 end to
// end (products accumulate in f16, the softmax runs in f16): each is raised
// (the attention computes in f32), and --check compares it with the
// reference lowering of this unraised f16 program, on the CPU and in
// rocm-sim. The differences are the original's f16 rounding (~1e-3).
// RUN: attn-opt %s --attn-raise-attention | FileCheck %s --check-prefix=RAISED
// RAISED-COUNT-9: attn.attention
// RAISED-NOT: linalg.softmax
// RAISED-NOT: math.exp
// RUN: attn-run %s --function=matmul_softmax --device=cpu --random-inputs=100 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=matmul_softmax --device=rocm-sim --random-inputs=100 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=batch_matmul_decomposed --device=cpu --random-inputs=101 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=batch_matmul_decomposed --device=rocm-sim --random-inputs=101 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=matmul_maps_keepdim_reciprocal --device=cpu --random-inputs=102 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=matmul_maps_keepdim_reciprocal --device=rocm-sim --random-inputs=102 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=generic_4d_float_mask --device=cpu --random-inputs=103 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=generic_4d_float_mask --device=rocm-sim --random-inputs=103 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=contract_bool_mask --device=cpu --random-inputs=104 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=contract_bool_mask --device=rocm-sim --random-inputs=104 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=transposed_scores_no_max --device=cpu --random-inputs=105 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=transposed_scores_no_max --device=rocm-sim --random-inputs=105 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=named_elementwise_softmax --device=cpu --random-inputs=106 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=named_elementwise_softmax --device=rocm-sim --random-inputs=106 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=heads_merged_batch_matmul --device=cpu --random-inputs=107 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=heads_merged_batch_matmul --device=rocm-sim --random-inputs=107 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=dynamic_shapes --device=cpu --input=2x16x8xf16=random --input=2x20x8xf16=random --input=2x20x8xf16=random --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=dynamic_shapes --device=rocm-sim --input=2x16x8xf16=random --input=2x20x8xf16=random --input=2x20x8xf16=random --check 2>&1 | FileCheck %s
// CHECK: check result[0]: {{.*}} (atol 0.002, rtol 0.002): PASS

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#rowk2 = affine_map<(d0, d1) -> (d0, 0)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tr3 = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#row3 = affine_map<(d0, d1, d2) -> (d0, d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#rowk4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, 0)>
#mk4 = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
#unit4 = affine_map<(d0, d1, d2, d3) -> (0, 0, d2, d3)>
#scalar4 = affine_map<(d0, d1, d2, d3) -> ()>
#cq = affine_map<(b, h, m, j, k) -> (b, h, m, k)>
#ck = affine_map<(b, h, m, j, k) -> (b, h, j, k)>
#cs = affine_map<(b, h, m, j, k) -> (b, h, m, j)>
#cp = affine_map<(b, h, m, n, j) -> (b, h, m, j)>
#cv = affine_map<(b, h, m, n, j) -> (b, h, j, n)>
#co = affine_map<(b, h, m, n, j) -> (b, h, m, n)>

func.func @matmul_softmax(%q: tensor<16x8xf16>, %k: tensor<12x8xf16>, %v: tensor<12x8xf16>) -> tensor<16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %c = arith.constant 0.125 : f16
  %te = tensor.empty() : tensor<8x12xf16>
  %kt = linalg.transpose ins(%k : tensor<12x8xf16>) outs(%te : tensor<8x12xf16>) permutation = [1, 0]
  %se = tensor.empty() : tensor<16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %s = linalg.matmul ins(%q, %kt : tensor<16x8xf16>, tensor<8x12xf16>) outs(%sz : tensor<16x12xf16>) -> tensor<16x12xf16>
  %ss = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<16x12xf16>) outs(%se : tensor<16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.mulf %x, %c : f16
    linalg.yield %y : f16
  } -> tensor<16x12xf16>
  %p = linalg.softmax dimension(1) ins(%ss : tensor<16x12xf16>) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %oe = tensor.empty() : tensor<16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<16x8xf16>) -> tensor<16x8xf16>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf16>, tensor<12x8xf16>) outs(%oz : tensor<16x8xf16>) -> tensor<16x8xf16>
  return %o : tensor<16x8xf16>
}

func.func @batch_matmul_decomposed(%q: tensor<2x16x8xf16>, %k: tensor<2x12x8xf16>, %v: tensor<2x12x8xf16>) -> tensor<2x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %ninf = arith.constant 0xFC00 : f16
  %c = arith.constant 4.0 : f16
  %te = tensor.empty() : tensor<2x8x12xf16>
  %kt = linalg.generic {indexing_maps = [#tr3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<2x12x8xf16>) outs(%te : tensor<2x8x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    linalg.yield %x : f16
  } -> tensor<2x8x12xf16>
  %se = tensor.empty() : tensor<2x16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<2x16x12xf16>) -> tensor<2x16x12xf16>
  %s = linalg.batch_matmul ins(%q, %kt : tensor<2x16x8xf16>, tensor<2x8x12xf16>) outs(%sz : tensor<2x16x12xf16>) -> tensor<2x16x12xf16>
  %ss = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x16x12xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.divf %x, %c : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %re = tensor.empty() : tensor<2x16xf16>
  %mi = linalg.fill ins(%ninf : f16) outs(%re : tensor<2x16xf16>) -> tensor<2x16xf16>
  %max = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%ss : tensor<2x16x12xf16>) outs(%mi : tensor<2x16xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.maximumf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<2x16xf16>
  %sub = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<2x16x12xf16>, tensor<2x16xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %m: f16, %o: f16):
    %y = arith.subf %x, %m : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%sub : tensor<2x16x12xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = math.exp %x : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %si = linalg.fill ins(%zero : f16) outs(%re : tensor<2x16xf16>) -> tensor<2x16xf16>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x16x12xf16>) outs(%si : tensor<2x16xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.addf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<2x16xf16>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x16x12xf16>, tensor<2x16xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %d: f16, %o: f16):
    %y = arith.divf %x, %d : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %oe = tensor.empty() : tensor<2x16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf16>, tensor<2x12x8xf16>) outs(%oz : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  return %o : tensor<2x16x8xf16>
}

func.func @matmul_maps_keepdim_reciprocal(%q: tensor<16x8xf16>, %k: tensor<12x8xf16>, %v: tensor<12x8xf16>) -> tensor<16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %one = arith.constant 1.0 : f16
  %lowest = arith.constant -65504.0 : f16
  %se = tensor.empty() : tensor<16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf16>, tensor<12x8xf16>) outs(%sz : tensor<16x12xf16>) -> tensor<16x12xf16>
  %re = tensor.empty() : tensor<16x1xf16>
  %mi = linalg.fill ins(%lowest : f16) outs(%re : tensor<16x1xf16>) -> tensor<16x1xf16>
  %max = linalg.generic {indexing_maps = [#id2, #rowk2], iterator_types = ["parallel", "reduction"]}
      ins(%s : tensor<16x12xf16>) outs(%mi : tensor<16x1xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.maxnumf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<16x1xf16>
  %exp = linalg.generic {indexing_maps = [#id2, #rowk2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %max : tensor<16x12xf16>, tensor<16x1xf16>) outs(%se : tensor<16x12xf16>) {
  ^bb0(%x: f16, %m: f16, %o: f16):
    %d = arith.subf %x, %m : f16
    %y = math.exp %d : f16
    linalg.yield %y : f16
  } -> tensor<16x12xf16>
  %si = linalg.fill ins(%zero : f16) outs(%re : tensor<16x1xf16>) -> tensor<16x1xf16>
  %sum = linalg.generic {indexing_maps = [#id2, #rowk2], iterator_types = ["parallel", "reduction"]}
      ins(%exp : tensor<16x12xf16>) outs(%si : tensor<16x1xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.addf %a, %x : f16
    linalg.yield %y : f16
  } -> tensor<16x1xf16>
  %rcp = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<16x1xf16>) outs(%re : tensor<16x1xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.divf %one, %x : f16
    linalg.yield %y : f16
  } -> tensor<16x1xf16>
  %p = linalg.generic {indexing_maps = [#id2, #rowk2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%exp, %rcp : tensor<16x12xf16>, tensor<16x1xf16>) outs(%se : tensor<16x12xf16>) {
  ^bb0(%x: f16, %r: f16, %o: f16):
    %y = arith.mulf %x, %r : f16
    linalg.yield %y : f16
  } -> tensor<16x12xf16>
  %oe = tensor.empty() : tensor<16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<16x8xf16>) -> tensor<16x8xf16>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf16>, tensor<12x8xf16>) outs(%oz : tensor<16x8xf16>) -> tensor<16x8xf16>
  return %o : tensor<16x8xf16>
}

func.func @generic_4d_float_mask(%q: tensor<2x2x16x8xf16>, %k: tensor<2x2x12x8xf16>, %v: tensor<2x2x12x8xf16>, %mask: tensor<16x12xf16>) -> tensor<2x2x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %c = arith.constant 0.125 : f16
  %qe = tensor.empty() : tensor<2x2x16x8xf16>
  %qs = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%q : tensor<2x2x16x8xf16>) outs(%qe : tensor<2x2x16x8xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.mulf %c, %x : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x8xf16>
  %se = tensor.empty() : tensor<2x2x16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<2x2x16x12xf16>) -> tensor<2x2x16x12xf16>
  %s = linalg.generic {indexing_maps = [#cq, #ck, #cs], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%qs, %k : tensor<2x2x16x8xf16>, tensor<2x2x12x8xf16>) outs(%sz : tensor<2x2x16x12xf16>) {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %m = arith.mulf %a, %b : f16
    %y = arith.addf %acc, %m : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %sm = linalg.generic {indexing_maps = [#id4, #mk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %mask : tensor<2x2x16x12xf16>, tensor<16x12xf16>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %m: f16, %o: f16):
    %y = arith.addf %x, %m : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %p = linalg.softmax dimension(3) ins(%sm : tensor<2x2x16x12xf16>) outs(%se : tensor<2x2x16x12xf16>) -> tensor<2x2x16x12xf16>
  %oe = tensor.empty() : tensor<2x2x16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<2x2x16x8xf16>) -> tensor<2x2x16x8xf16>
  %o = linalg.generic {indexing_maps = [#cp, #cv, #co], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<2x2x16x12xf16>, tensor<2x2x12x8xf16>) outs(%oz : tensor<2x2x16x8xf16>) {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %m = arith.mulf %a, %b : f16
    %y = arith.addf %acc, %m : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x8xf16>
  return %o : tensor<2x2x16x8xf16>
}

func.func @contract_bool_mask(%q: tensor<2x2x16x8xf16>, %k: tensor<2x2x12x8xf16>, %v: tensor<2x2x12x8xf16>, %mask: tensor<1x1x16x12xi1>) -> tensor<2x2x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %ninf = arith.constant 0xFC00 : f16
  %c = arith.constant dense<0.125> : tensor<f16>
  %se = tensor.empty() : tensor<2x2x16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<2x2x16x12xf16>) -> tensor<2x2x16x12xf16>
  %s = linalg.contract indexing_maps = [#cq, #ck, #cs]
      ins(%q, %k : tensor<2x2x16x8xf16>, tensor<2x2x12x8xf16>) outs(%sz : tensor<2x2x16x12xf16>) -> tensor<2x2x16x12xf16>
  %sm = linalg.generic {indexing_maps = [#id4, #scalar4, #unit4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %c, %mask : tensor<2x2x16x12xf16>, tensor<f16>, tensor<1x1x16x12xi1>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %f: f16, %m: i1, %o: f16):
    %y = arith.mulf %x, %f : f16
    %z = arith.select %m, %y, %ninf : f16
    linalg.yield %z : f16
  } -> tensor<2x2x16x12xf16>
  %p = linalg.softmax dimension(3) ins(%sm : tensor<2x2x16x12xf16>) outs(%se : tensor<2x2x16x12xf16>) -> tensor<2x2x16x12xf16>
  %oe = tensor.empty() : tensor<2x2x16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<2x2x16x8xf16>) -> tensor<2x2x16x8xf16>
  %o = linalg.contract indexing_maps = [#cp, #cv, #co]
      ins(%p, %v : tensor<2x2x16x12xf16>, tensor<2x2x12x8xf16>) outs(%oz : tensor<2x2x16x8xf16>) -> tensor<2x2x16x8xf16>
  return %o : tensor<2x2x16x8xf16>
}

func.func @transposed_scores_no_max(%q: tensor<2x16x8xf16>, %k: tensor<2x12x8xf16>, %v: tensor<2x12x8xf16>) -> tensor<2x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %te = tensor.empty() : tensor<2x12x16xf16>
  %tz = linalg.fill ins(%zero : f16) outs(%te : tensor<2x12x16xf16>) -> tensor<2x12x16xf16>
  %st = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%k, %q : tensor<2x12x8xf16>, tensor<2x16x8xf16>) outs(%tz : tensor<2x12x16xf16>) -> tensor<2x12x16xf16>
  %se = tensor.empty() : tensor<2x16x12xf16>
  %s = linalg.transpose ins(%st : tensor<2x12x16xf16>) outs(%se : tensor<2x16x12xf16>) permutation = [0, 2, 1]
  %exp = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x16x12xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = math.exp %x : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %re = tensor.empty() : tensor<2x16xf16>
  %si = linalg.fill ins(%zero : f16) outs(%re : tensor<2x16xf16>) -> tensor<2x16xf16>
  %sum = linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x16x12xf16>) outs(%si : tensor<2x16xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.addf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<2x16xf16>
  %p = linalg.generic {indexing_maps = [#id3, #row3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x16x12xf16>, tensor<2x16xf16>) outs(%se : tensor<2x16x12xf16>) {
  ^bb0(%x: f16, %d: f16, %o: f16):
    %y = arith.divf %x, %d : f16
    linalg.yield %y : f16
  } -> tensor<2x16x12xf16>
  %oe = tensor.empty() : tensor<2x16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  %o = linalg.batch_matmul ins(%p, %v : tensor<2x16x12xf16>, tensor<2x12x8xf16>) outs(%oz : tensor<2x16x8xf16>) -> tensor<2x16x8xf16>
  return %o : tensor<2x16x8xf16>
}

func.func @named_elementwise_softmax(%q: tensor<16x8xf16>, %k: tensor<12x8xf16>, %v: tensor<12x8xf16>) -> tensor<16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %ninf = arith.constant 0xFC00 : f16
  %se = tensor.empty() : tensor<16x12xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%q, %k : tensor<16x8xf16>, tensor<12x8xf16>) outs(%sz : tensor<16x12xf16>) -> tensor<16x12xf16>
  %re = tensor.empty() : tensor<16xf16>
  %mi = linalg.fill ins(%ninf : f16) outs(%re : tensor<16xf16>) -> tensor<16xf16>
  %max = linalg.reduce ins(%s : tensor<16x12xf16>) outs(%mi : tensor<16xf16>) dimensions = [1]
    (%x: f16, %a: f16) {
      %y = arith.maximumf %x, %a : f16
      linalg.yield %y : f16
    }
  %maxb = linalg.broadcast ins(%max : tensor<16xf16>) outs(%se : tensor<16x12xf16>) dimensions = [1]
  %sub = linalg.sub ins(%s, %maxb : tensor<16x12xf16>, tensor<16x12xf16>) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %exp = linalg.exp ins(%sub : tensor<16x12xf16>) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %si = linalg.fill ins(%zero : f16) outs(%re : tensor<16xf16>) -> tensor<16xf16>
  %sum = linalg.reduce ins(%exp : tensor<16x12xf16>) outs(%si : tensor<16xf16>) dimensions = [1]
    (%x: f16, %a: f16) {
      %y = arith.addf %x, %a : f16
      linalg.yield %y : f16
    }
  %sumb = linalg.broadcast ins(%sum : tensor<16xf16>) outs(%se : tensor<16x12xf16>) dimensions = [1]
  %p = linalg.div ins(%exp, %sumb : tensor<16x12xf16>, tensor<16x12xf16>) outs(%se : tensor<16x12xf16>) -> tensor<16x12xf16>
  %oe = tensor.empty() : tensor<16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<16x8xf16>) -> tensor<16x8xf16>
  %o = linalg.matmul ins(%p, %v : tensor<16x12xf16>, tensor<12x8xf16>) outs(%oz : tensor<16x8xf16>) -> tensor<16x8xf16>
  return %o : tensor<16x8xf16>
}

func.func @heads_merged_batch_matmul(%q: tensor<2x2x16x8xf16>, %k: tensor<2x2x12x8xf16>, %v: tensor<2x2x12x8xf16>) -> tensor<2x2x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %ninf = arith.constant 0xFC00 : f16
  %c = arith.constant 2.0 : f16
  %q3 = tensor.collapse_shape %q [[0, 1], [2], [3]] : tensor<2x2x16x8xf16> into tensor<4x16x8xf16>
  %te = tensor.empty() : tensor<2x2x8x12xf16>
  %kt = linalg.transpose ins(%k : tensor<2x2x12x8xf16>) outs(%te : tensor<2x2x8x12xf16>) permutation = [0, 1, 3, 2]
  %kt3 = tensor.collapse_shape %kt [[0, 1], [2], [3]] : tensor<2x2x8x12xf16> into tensor<4x8x12xf16>
  %se3 = tensor.empty() : tensor<4x16x12xf16>
  %sz3 = linalg.fill ins(%zero : f16) outs(%se3 : tensor<4x16x12xf16>) -> tensor<4x16x12xf16>
  %s3 = linalg.batch_matmul ins(%q3, %kt3 : tensor<4x16x8xf16>, tensor<4x8x12xf16>) outs(%sz3 : tensor<4x16x12xf16>) -> tensor<4x16x12xf16>
  %s = tensor.expand_shape %s3 [[0, 1], [2], [3]] output_shape [2, 2, 16, 12] : tensor<4x16x12xf16> into tensor<2x2x16x12xf16>
  %se = tensor.empty() : tensor<2x2x16x12xf16>
  %ss = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<2x2x16x12xf16>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = arith.divf %x, %c : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %re = tensor.empty() : tensor<2x2x16x1xf16>
  %mi = linalg.fill ins(%ninf : f16) outs(%re : tensor<2x2x16x1xf16>) -> tensor<2x2x16x1xf16>
  %max = linalg.generic {indexing_maps = [#id4, #rowk4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%ss : tensor<2x2x16x12xf16>) outs(%mi : tensor<2x2x16x1xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.maximumf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x1xf16>
  %sub = linalg.generic {indexing_maps = [#id4, #rowk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%ss, %max : tensor<2x2x16x12xf16>, tensor<2x2x16x1xf16>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %m: f16, %o: f16):
    %y = arith.subf %x, %m : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %exp = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%sub : tensor<2x2x16x12xf16>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %o: f16):
    %y = math.exp %x : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %si = linalg.fill ins(%zero : f16) outs(%re : tensor<2x2x16x1xf16>) -> tensor<2x2x16x1xf16>
  %sum = linalg.generic {indexing_maps = [#id4, #rowk4], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%exp : tensor<2x2x16x12xf16>) outs(%si : tensor<2x2x16x1xf16>) {
  ^bb0(%x: f16, %a: f16):
    %y = arith.addf %x, %a : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x1xf16>
  %p = linalg.generic {indexing_maps = [#id4, #rowk4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%exp, %sum : tensor<2x2x16x12xf16>, tensor<2x2x16x1xf16>) outs(%se : tensor<2x2x16x12xf16>) {
  ^bb0(%x: f16, %d: f16, %o: f16):
    %y = arith.divf %x, %d : f16
    linalg.yield %y : f16
  } -> tensor<2x2x16x12xf16>
  %p3 = tensor.collapse_shape %p [[0, 1], [2], [3]] : tensor<2x2x16x12xf16> into tensor<4x16x12xf16>
  %v3 = tensor.collapse_shape %v [[0, 1], [2], [3]] : tensor<2x2x12x8xf16> into tensor<4x12x8xf16>
  %oe3 = tensor.empty() : tensor<4x16x8xf16>
  %oz3 = linalg.fill ins(%zero : f16) outs(%oe3 : tensor<4x16x8xf16>) -> tensor<4x16x8xf16>
  %o3 = linalg.batch_matmul ins(%p3, %v3 : tensor<4x16x12xf16>, tensor<4x12x8xf16>) outs(%oz3 : tensor<4x16x8xf16>) -> tensor<4x16x8xf16>
  %o = tensor.expand_shape %o3 [[0, 1], [2], [3]] output_shape [2, 2, 16, 8] : tensor<4x16x8xf16> into tensor<2x2x16x8xf16>
  return %o : tensor<2x2x16x8xf16>
}

func.func @dynamic_shapes(%q: tensor<?x16x8xf16>, %k: tensor<?x?x8xf16>, %v: tensor<?x?x8xf16>) -> tensor<?x16x8xf16> {
  %zero = arith.constant 0.0 : f16
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %q, %c0 : tensor<?x16x8xf16>
  %l = tensor.dim %k, %c1 : tensor<?x?x8xf16>
  %se = tensor.empty(%b, %l) : tensor<?x16x?xf16>
  %sz = linalg.fill ins(%zero : f16) outs(%se : tensor<?x16x?xf16>) -> tensor<?x16x?xf16>
  %s = linalg.batch_matmul indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%q, %k : tensor<?x16x8xf16>, tensor<?x?x8xf16>) outs(%sz : tensor<?x16x?xf16>) -> tensor<?x16x?xf16>
  %p = linalg.softmax dimension(2) ins(%s : tensor<?x16x?xf16>) outs(%se : tensor<?x16x?xf16>) -> tensor<?x16x?xf16>
  %oe = tensor.empty(%b) : tensor<?x16x8xf16>
  %oz = linalg.fill ins(%zero : f16) outs(%oe : tensor<?x16x8xf16>) -> tensor<?x16x8xf16>
  %o = linalg.batch_matmul ins(%p, %v : tensor<?x16x?xf16>, tensor<?x?x8xf16>) outs(%oz : tensor<?x16x8xf16>) -> tensor<?x16x8xf16>
  return %o : tensor<?x16x8xf16>
}
