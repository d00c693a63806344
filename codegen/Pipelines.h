//===- Pipelines.h - attn's compilation pipelines ---------------*- C++ -*-===//
//
// Each pipeline has one options struct, used both from C++ (the compile
// driver, codegen/Compiler.h) and by its registration (attn-opt
// --attn-cpu-pipeline=..., as upstream's gpu-lower-to-nvvm-pipeline). The
// ROCm pipeline is built from small named stages.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_CODEGEN_PIPELINES_H
#define ATTN_CODEGEN_PIPELINES_H

#include "codegen/HostCpu.h"
#include "codegen/Target.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::attn {

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> graphOpt{*this, "graph-opt",
                        llvm::cl::desc("Run attn-graph-opt first"),
                        llvm::cl::init(true)};
  Option<int64_t> mTile{*this, "m-tile",
                        llvm::cl::desc("Rows of Q per parallel tile (0: 64 "
                                       "or 32, whichever pads M less; 128 "
                                       "too for transposed f16 V)"),
                        llvm::cl::init(kDefaultMTile)};
  Option<int64_t> k2Tile{*this, "k2-tile",
                         llvm::cl::desc("Keys per K2 loop iteration"),
                         llvm::cl::init(kDefaultK2Tile)};
  Option<int64_t> k2Splits{*this, "k2-splits",
                           llvm::cl::desc("Split K2 across parallel workers: "
                                          "0 automatic, 1 never, N splits"),
                           llvm::cl::init(0)};
  Option<bool> bf16Dot{*this, "bf16-dot",
                       llvm::cl::desc("Products of bf16 operands on bf16 "
                                      "pairs where the host has avx512_bf16"),
                       llvm::cl::init(true)};
  Option<bool> lowerToLLVM{*this, "lower-to-llvm",
                           llvm::cl::desc("Also bufferize and lower to the "
                                          "LLVM dialect"),
                           llvm::cl::init(true)};
};

struct ReferencePipelineOptions
    : public PassPipelineOptions<ReferencePipelineOptions> {
  Option<bool> lowerToLLVM{*this, "lower-to-llvm",
                           llvm::cl::desc("Also bufferize and lower to the "
                                          "LLVM dialect"),
                           llvm::cl::init(true)};
};

struct RocmPipelineOptions : public PassPipelineOptions<RocmPipelineOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("AMD GPU (see codegen/Target.h)"),
                           llvm::cl::init(std::string(defaultChip()))};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("ROCm toolkit folder (default: ROCM_PATH, /opt/rocm, "
                     "then the build's folder of Debian packages)"),
      llvm::cl::init("")};
  Option<bool> graphOpt{*this, "graph-opt",
                        llvm::cl::desc("Run attn-graph-opt first"),
                        llvm::cl::init(true)};
  Option<bool> kernelReport{*this, "kernel-report",
                            llvm::cl::desc("Print the kernel report"),
                            llvm::cl::init(false)};
  Option<bool> binary{*this, "binary",
                      llvm::cl::desc("Serialize to gpu.binary (code object)"),
                      llvm::cl::init(true)};
  Option<bool> lowerHost{*this, "lower-host",
                         llvm::cl::desc("Lower the host code to the LLVM "
                                        "dialect, calling the launcher's "
                                        "mgpu* ABI (needs binary)"),
                         llvm::cl::init(true)};
  Option<bool> emulate{*this, "emulate",
                       llvm::cl::desc("Add host functions emulating each "
                                      "kernel (attn-emulate-gpu-kernels)"),
                       llvm::cl::init(false)};
  Option<int64_t> k2Splits{*this, "k2-splits",
                           llvm::cl::desc("Split K2 across workgroups: 0 "
                                          "automatic, 1 never, N splits"),
                           llvm::cl::init(0)};
  Option<int64_t> keyBlock{
      *this, "key-block",
      llvm::cl::desc("GPU kernel: keys per loop iteration, 0 automatic, or "
                     "32, 64, 128 (codegen/KernelConfig.h)"),
      llvm::cl::init(0)};
  Option<int64_t> waves{
      *this, "waves",
      llvm::cl::desc("GPU kernel: waves per workgroup (the MFMA's M query "
                     "rows each), 0 automatic, or 2, 4, 8 "
                     "(codegen/KernelConfig.h)"),
      llvm::cl::init(0)};
  Option<std::string> mfma{
      *this, "mfma",
      llvm::cl::desc("GPU kernel: MFMA shape, '' automatic, or 16x16x16, "
                     "32x32x8 (codegen/KernelConfig.h)"),
      llvm::cl::init("")};
  Option<int64_t> pipeline{
      *this, "pipeline",
      llvm::cl::desc("GPU kernel: key blocks staged ahead of the one being "
                     "computed, -1 automatic, or 0, 1, 2 "
                     "(codegen/KernelConfig.h)"),
      llvm::cl::init(-1)};
  Option<std::string> f32Mfma{
      *this, "f32-mfma",
      llvm::cl::desc("MFMA inputs of f32 attention: exact (f32 MFMAs), f16 "
                     "or bf16 (rounded: faster, less precise)"),
      llvm::cl::init("exact")};
  Option<std::string> breakKernel{
      *this, "break-kernel",
      llvm::cl::desc("Testing only: a deliberately wrong attention kernel "
                     "(swap-mfma-operands, no-barrier, stale-prefetch)"),
      llvm::cl::init("")};
};

/// CPU codegen: graph passes, online-attention tiling and decomposition,
/// then (lowerToLLVM) bufferization and lowering to LLVM with OpenMP.
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// The reference lowering for numerical checks: materialized softmax, no
/// graph passes, no tiling.
void buildReferencePipeline(OpPassManager &pm,
                            const ReferencePipelineOptions &options);

/// AMDGPU codegen, stage by stage (see the add*Stage functions).
void buildRocmPipeline(OpPassManager &pm, const RocmPipelineOptions &options);

/// The last ROCm stages: the code object (gpu-module-to-binary), then, with
/// lowerHost, the host code to the LLVM dialect.
void addRocmBinaryAndHostStages(OpPassManager &pm,
                                const RocmPipelineOptions &options);

/// Bufferization and lowering of tensor-level host code to the LLVM dialect
/// for the host CPU (parallel loops through OpenMP); with `prefetch`, the
/// tiled attention's strided blocks are prefetched (attn-cpu-prefetch).
void addCpuLoweringStage(OpPassManager &pm, bool prefetch = false);

/// ROCm toolkit folder: $ROCM_PATH, /opt/rocm, then the build's folder made
/// of Debian's device libraries and ld.lld.
std::string defaultRocmToolkit();

/// Registers attn-cpu-pipeline, attn-reference-pipeline and
/// attn-rocm-pipeline.
void registerCodegenPipelines();

} // namespace mlir::attn

#endif // ATTN_CODEGEN_PIPELINES_H
