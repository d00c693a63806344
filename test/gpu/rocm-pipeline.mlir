// The GPU pipeline stage by stage on the dequantize-V example
// (2x10x4096x64 f16): attn-graph-opt makes the dequantize write V
// transposed, the attention becomes the MFMA kernel, the dequantize a
// one-thread-per-element kernel, both in one GPU module; the host gets
// device buffers and copies.
// RUN: attn-opt %examples/dequant_v_attention.mlir --attn-graph-opt --attn-rocm-attention-kernels --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --attn-map-linalg-to-gpu --attn-gpu-host-memory --canonicalize | FileCheck %s --check-prefix=STAGES
// The whole pipeline: a code object for gfx942 or gfx90a with both kernels,
// and host code in the LLVM dialect calling the launcher ABI.
// RUN: attn-opt %examples/dequant_v_attention.mlir --attn-rocm-pipeline | FileCheck %s --check-prefix=GFX942
// RUN: attn-opt %examples/dequant_v_attention.mlir --attn-rocm-pipeline=chip=gfx90a | FileCheck %s --check-prefix=GFX90A
// With emulation, each kernel also gets a host function.
// RUN: attn-opt %examples/dequant_v_attention.mlir --attn-rocm-pipeline="emulate=true" | FileCheck %s --check-prefix=EMU
// The kernel configuration reaches the kernel through the pipeline's
// options (here the pipeline depth, which the report prints).
// RUN: attn-opt %examples/dequant_v_attention.mlir --attn-rocm-pipeline="pipeline=0 kernel-report=true toolkit=%rocm_toolkit" -o /dev/null | FileCheck %s --check-prefix=DEPTH
// DEPTH: configuration key-block=64,waves=8,mfma=16x16x16,pipeline=0

// STAGES-LABEL: func.func @main
// STAGES-SAME: (%[[Q:.+]]: memref<2x10x4096x64xf16>, %[[K:.+]]: memref<2x10x4096x64xf16>, %[[VQ:.+]]: memref<2x10x4096x64xi32>,
// STAGES-DAG: %[[C20480:.+]] = arith.constant 20480 : index
// STAGES-DAG: %[[C32:.+]] = arith.constant 32 : index
// STAGES-DAG: %[[C20:.+]] = arith.constant 20 : index
// STAGES-DAG: %[[C256:.+]] = arith.constant 256 : index
// STAGES-DAG: %[[C512:.+]] = arith.constant 512 : index
// STAGES: %[[DQ:.+]] = gpu.alloc () : memref<2x10x4096x64xf16>
// STAGES: gpu.memcpy %[[DQ]], %[[Q]]
// STAGES: %[[DVQ:.+]] = gpu.alloc () : memref<2x10x4096x64xi32>
// STAGES: gpu.memcpy %[[DVQ]], %[[VQ]]
// The dequantized V, transposed: [b, h, n, k2], only on the device.
// STAGES: %[[VT:.+]] = gpu.alloc () : memref<2x10x64x4096xf16>
// 2*10*4096*64 elements / 256 threads = 20480 workgroups.
// STAGES: gpu.launch_func @attn_kernels::@main_generic_0 blocks in (%[[C20480]], %{{.+}}, %{{.+}}) threads in (%[[C256]], %{{.+}}, %{{.+}}) args(%[[DVQ]] : memref<2x10x4096x64xi32>, %{{.+}}, %{{.+}}, %[[VT]] : memref<2x10x64x4096xf16>)
// STAGES: %[[O:.+]] = gpu.alloc () : memref<2x10x4096x64xf16>
// 4096 / 128 rows x (2 x 10) batch workgroups of 512 threads (8 waves,
// the heuristic's configuration at this size).
// STAGES: gpu.launch_func @attn_kernels::@main_attention_0 blocks in (%[[C32]], %[[C20]], %{{.+}}) threads in (%[[C512]], %{{.+}}, %{{.+}}) args(%[[DQ]] : memref<2x10x4096x64xf16>, %{{.+}} : memref<2x10x4096x64xf16>, %[[VT]] : memref<2x10x64x4096xf16>, %[[O]] : memref<2x10x4096x64xf16>, %{{.+}} : f16)
// STAGES: %[[HOST:.+]] = memref.alloc() : memref<2x10x4096x64xf16>
// STAGES: gpu.memcpy %[[HOST]], %[[O]]
// STAGES: gpu.dealloc %[[VT]]
// STAGES: return %[[HOST]]
// STAGES: gpu.module @attn_kernels {
// STAGES: gpu.func @main_attention_0
// K as [key][K1] and V^T as [N][key] in LDS (workgroup memory), two
// buffers of each (pipeline depth 2, the heuristic's at this size).
// STAGES-SAME: workgroup(%{{.+}} : memref<128x64xf16, #gpu.address_space<workgroup>>, %{{.+}} : memref<128x64xf16, #gpu.address_space<workgroup>>)
// STAGES-SAME: known_block_size = array<i32: 512, 1, 1>, known_grid_size = array<i32: 32, 20, 1>
// STAGES: gpu.thread_id x
// STAGES: gpu.block_id x
// STAGES: gpu.block_id y
// STAGES-COUNT-16: amdgpu.mfma 16x16x16
// STAGES: gpu.shuffle xor
// STAGES-COUNT-16: amdgpu.mfma 16x16x16
// STAGES: gpu.func @main_generic_0
// STAGES-SAME: known_block_size = array<i32: 256, 1, 1>
// STAGES: gpu.block_id x
// STAGES: gpu.thread_id x
// STAGES: arith.sitofp

// GFX942: llvm.func @main
// GFX942: llvm.call @mgpuStreamCreate()
// GFX942: llvm.call @mgpuMemAlloc
// GFX942: llvm.call @mgpuMemcpy
// GFX942: gpu.launch_func <%{{.+}} : !llvm.ptr> @attn_kernels::@main_generic_0
// GFX942: gpu.launch_func <%{{.+}} : !llvm.ptr> @attn_kernels::@main_attention_0
// GFX942: llvm.call @mgpuStreamSynchronize
// GFX942: llvm.call @mgpuMemFree
// GFX942: gpu.binary @attn_kernels [#gpu.object<#rocdl.target<O = 3, chip = "gfx942", abi = "500">, kernels = <[#gpu.kernel_metadata<"main_attention_0"
// GFX942-SAME: #gpu.kernel_metadata<"main_generic_0"
// GFX90A: gpu.binary @attn_kernels [#gpu.object<#rocdl.target<O = 3, chip = "gfx90a", abi = "500">

// EMU-DAG: llvm.func @__attn_emulated_main_attention_0(
// EMU-DAG: llvm.func @__attn_emulated_main_generic_0(
// EMU-DAG: gpu.binary @attn_kernels
