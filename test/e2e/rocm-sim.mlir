// The AMDGPU attention kernels run on the CPU with GPU semantics
// (--device=rocm-sim) and are compared with the reference lowering. f16
// and bf16 kernels round P to their MFMA input type, so tolerances follow
// it (f16 2e-3, bf16 1.6e-2); f32 attention is exact (f32 MFMAs) and held
// to the f32 tolerance (atol 1e-5, rtol 1e-4).
// RUN: attn-run %s --function=f16_small --device=rocm-sim --random-inputs=40 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check 2>&1 | FileCheck %s
// RUN: attn-run %s --function=dequant_v --device=rocm-sim --random-inputs=42 --check 2>&1 | FileCheck %s
// CHECK: compiling @{{.*}} for the GPU emulation (gfx942 kernels on the CPU)
// CHECK: check result[0]: {{.*}}: PASS
// F32: check result[0]: {{.*}} (atol 1e-05, rtol 0.0001): PASS

// The e2e matrix of the CPU path, through the GPU kernels: standard f32
// (f32 MFMAs, f32 tolerance), transposed K and V,
// float and boolean masks (with fully masked rows), f16/bf16, odd shapes
// (padded to the kernel's tiles), projections and transposed Q/K/O after
// attn-graph-opt.
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/transposed-k-v.mlir --device=rocm-sim --random-inputs=4 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/float-mask.mlir --device=rocm-sim --random-inputs=6 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/f16-bf16.mlir --function=f16 --device=rocm-sim --random-inputs=9 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/f16-bf16.mlir --function=bf16 --device=rocm-sim --random-inputs=10 --check 2>&1 | FileCheck %s
// RUN: attn-run %S/dynamic-odd.mlir --function=odd --device=rocm-sim --random-inputs=12 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/graph-opt-numerics.mlir --function=projection_heads --device=rocm-sim --random-inputs=21 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/graph-opt-numerics.mlir --function=transposed_q_k_o --device=rocm-sim --random-inputs=22 --check 2>&1 | FileCheck %s --check-prefix=F32
// The SDXL layout at a size the emulation runs in seconds.
// RUN: attn-run %s --function=sdxl_small --device=rocm-sim --random-inputs=43 --check 2>&1 | FileCheck %s
// Same numbers through the output file as the CPU path gives, within f16.
// RUN: rm -rf %t && mkdir -p %t
// RUN: attn-run %S/f16-bf16.mlir --function=f16 --device=rocm-sim --random-inputs=9 --output=@%t/gpu.npy > /dev/null
// RUN: attn-run %S/f16-bf16.mlir --function=f16 --device=cpu --random-inputs=9 --expected_output=@%t/gpu.npy 2>&1 | FileCheck %s --check-prefix=SAME
// SAME: expected_output result[0]: {{.*}}: PASS

// Several dims per role (collapsed around the kernel) and GQA.
// RUN: attn-run %S/multi-dim-roles.mlir --device=rocm-sim --random-inputs=30 --check 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/graph-opt-numerics.mlir --function=gqa --device=rocm-sim --random-inputs=23 --check 2>&1 | FileCheck %s --check-prefix=F32

// --benchmark adds each kernel's time per launch (timed runs only).
// RUN: attn-run %s --function=f16_small --device=rocm-sim --random-inputs=40 --benchmark=2 2>&1 | FileCheck %s --check-prefix=BENCH
// BENCH: benchmark: 2 runs after 1 warm-up
// BENCH: kernel f16_small_attention_0: 2 launches, {{[0-9.]+}} ms per launch (emulation, CPU wall clock)

// Dynamic dims: attn-run specializes the program to its inputs' shapes
// before generating the GPU kernels (M = 1 and K2 = 1 too). Ahead of time
// (--compile-only, no inputs) that is a clean error.
// RUN: attn-run %S/dynamic-odd.mlir --function=dynamic --device=rocm-sim --input=2x77x32xf32=random --input=2x45x32xf32=random --input=2x45x16xf32=random --check 2>&1 | FileCheck %s --check-prefix=DYN
// RUN: attn-run %S/dynamic-odd.mlir --function=dynamic --device=rocm-sim --input=2x1x32xf32=random --input=2x1x32xf32=random --input=2x1x16xf32=random --check 2>&1 | FileCheck %s --check-prefix=DYN
// DYN: specialized @dynamic to its inputs' shapes for the GPU kernels
// DYN: check result[0]: {{.*}}: PASS
// RUN: not attn-run %S/dynamic-odd.mlir --function=dynamic --device=rocm --compile-only 2>&1 | FileCheck %s --check-prefix=DYNAOT
// DYNAOT: error: attn-rocm-attention-kernels: the GPU kernel needs static shapes (attn-run specializes a program with dynamic dims to its inputs' shapes when it runs it)
// DYNAOT: attn-run: error: GPU compilation failed

// Deliberately broken kernels are caught: MFMA operands swapped (a wrong
// fragment layout), and the barrier after staging K/V removed.
// RUN: not attn-run %s --function=f16_small --device=rocm-sim --random-inputs=40 --check --break-kernel=swap-mfma-operands 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %s --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --break-kernel=no-barrier 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --break-kernel=swap-mfma-operands 2>&1 | FileCheck %s --check-prefix=BROKEN
// The prefetch of the software pipeline consumed one block early (block
// i + 1's K and V used as block i's).
// RUN: not attn-run %s --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// RUN: not attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN
// BROKEN: check result[0]: {{.*}}: FAIL

// The kernel's key block is configurable (--gpu-key-block; 64 when not
// given): 32 and 128 keys per iteration give the same numbers, with padded
// keys (K2 = 100, 45), a mask and fully masked rows.
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --gpu-key-block=128 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/bool-mask-rows.mlir --device=rocm-sim --random-inputs=8 --check --gpu-key-block=32 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %S/dynamic-odd.mlir --function=odd --device=rocm-sim --random-inputs=12 --check --gpu-key-block=128 2>&1 | FileCheck %s --check-prefix=F32
// RUN: attn-run %s --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --gpu-key-block=32 2>&1 | FileCheck %s
// RUN: not attn-run %s --function=bf16_transposed_v --device=rocm-sim --random-inputs=41 --check --gpu-key-block=128 --break-kernel=stale-prefetch 2>&1 | FileCheck %s --check-prefix=BROKEN

// --f32-mfma=f16 trades f32 precision for speed, explicitly: f32 inputs
// are rounded to f16 for the MFMAs and the result is compared at f16
// tolerance.
// RUN: attn-run %S/standard-f32.mlir --device=rocm-sim --random-inputs=1 --check --f32-mfma=f16 2>&1 | FileCheck %s --check-prefix=ROUNDED
// ROUNDED: check result[0]: {{.*}} (atol 0.002, rtol 0.002): PASS

#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @f16_small(%q: tensor<1x64x16xf16>, %k: tensor<1x64x16xf16>, %v: tensor<1x64x16xf16>) -> tensor<1x64x16xf16> {
  %s = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<1x64x16xf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<1x64x16xf16>, tensor<1x64x16xf16>, tensor<1x64x16xf16>, f16)
         outs(%init : tensor<1x64x16xf16>) -> tensor<1x64x16xf16>
  return %r : tensor<1x64x16xf16>
}

// Two heads, two row blocks, three key blocks, transposed V, f32 output.
#q4 = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#k4 = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#v4 = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#vt4 = affine_map<(b, h, m, k1, k2, n) -> (b, h, n, k2)>
#s4 = affine_map<(b, h, m, k1, k2, n) -> ()>
#o4 = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @bf16_transposed_v(%q: tensor<1x2x128x64xbf16>, %k: tensor<1x2x192x64xbf16>, %v: tensor<1x2x32x192xbf16>) -> tensor<1x2x128x32xf32> {
  %s = arith.constant 0.125 : bf16
  %init = tensor.empty() : tensor<1x2x128x32xf32>
  %r = attn.attention {indexing_maps = [#q4, #k4, #vt4, #s4, #o4]}
         ins(%q, %k, %v, %s : tensor<1x2x128x64xbf16>, tensor<1x2x192x64xbf16>, tensor<1x2x32x192xbf16>, bf16)
         outs(%init : tensor<1x2x128x32xf32>) -> tensor<1x2x128x32xf32>
  return %r : tensor<1x2x128x32xf32>
}

// The dequantize-V graph: attn-graph-opt makes the dequantize (run on the
// CPU here) write V transposed; the kernel stages it without transposing.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#hn = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
func.func @dequant_v(%q: tensor<1x2x64x16xf16>, %k: tensor<1x2x128x16xf16>,
                     %vq: tensor<1x2x128x16xi32>, %off: tensor<2x16xi32>,
                     %sc: tensor<2x16xf16>) -> tensor<1x2x64x16xf16> {
  %e = tensor.empty() : tensor<1x2x128x16xf16>
  %v = linalg.generic {indexing_maps = [#id, #hn, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
         ins(%vq, %off, %sc : tensor<1x2x128x16xi32>, tensor<2x16xi32>, tensor<2x16xf16>)
         outs(%e : tensor<1x2x128x16xf16>) {
  ^bb0(%x: i32, %o: i32, %s: f16, %out: f16):
    %d = arith.subi %x, %o : i32
    %f = arith.sitofp %d : i32 to f16
    %r = arith.mulf %f, %s : f16
    linalg.yield %r : f16
  } -> tensor<1x2x128x16xf16>
  %scale = arith.constant 0.25 : f16
  %init = tensor.empty() : tensor<1x2x64x16xf16>
  %r = attn.attention {indexing_maps = [#q4, #k4, #v4, #s4, #o4]}
         ins(%q, %k, %v, %scale : tensor<1x2x64x16xf16>, tensor<1x2x128x16xf16>, tensor<1x2x128x16xf16>, f16)
         outs(%init : tensor<1x2x64x16xf16>) -> tensor<1x2x64x16xf16>
  return %r : tensor<1x2x64x16xf16>
}

#sq = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, k1)>
#sk = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, k1)>
#sv = affine_map<(b, h, m, k1, k2, n) -> (b, h, k2, n)>
#ss = affine_map<(b, h, m, k1, k2, n) -> ()>
#so = affine_map<(b, h, m, k1, k2, n) -> (b, h, m, n)>
func.func @sdxl_small(%q: tensor<1x2x128x64xf16>, %k: tensor<1x2x128x64xf16>, %v: tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16> {
  %s = arith.constant 0.125 : f16
  %init = tensor.empty() : tensor<1x2x128x64xf16>
  %r = attn.attention {indexing_maps = [#sq, #sk, #sv, #ss, #so]}
         ins(%q, %k, %v, %s : tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, tensor<1x2x128x64xf16>, f16)
         outs(%init : tensor<1x2x128x64xf16>) -> tensor<1x2x128x64xf16>
  return %r : tensor<1x2x128x64xf16>
}
