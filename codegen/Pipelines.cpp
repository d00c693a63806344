//===- Pipelines.cpp - attn's compilation pipelines -----------------------===//

#include "codegen/Pipelines.h"
#include "codegen/Passes.h"
#include "transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::attn;

static void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// One-shot bufferization of the whole module, function boundaries with
/// identity layouts (what the JIT's C interface and the launcher expect).
static void addBufferizeStage(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions options;
  options.bufferizeFunctionBoundaries = true;
  options.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(options));
}

/// Buffers (already bufferized) to the LLVM dialect: loops, OpenMP for the
/// parallel ones, then every dialect to LLVM.
static void addLowerBuffersToLLVM(OpPassManager &pm, bool gpuHost) {
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // n-D vector transfers (the CPU microkernel's tiles) as 1-D ones, which
  // vector-to-llvm lowers to loads and stores.
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
  // Math first: libm calls for vector math (erf, ...) are made one lane at a
  // time with vector.extract/insert, which vector-to-llvm then lowers.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // x86vector: the bf16 pair products of attn-cpu-microkernel.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  // memref.alloca_scope (made by the OpenMP conversion) must be lowered
  // while its region is still one block, i.e. before scf-to-cf.
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  // Launches call the mgpu* ABI that attn's launcher provides
  // (runtime/GpuLauncher.h).
  if (gpuHost)
    pm.addPass(createGpuToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::attn::addCpuLoweringStage(OpPassManager &pm, bool prefetch) {
  addBufferizeStage(pm);
  // Copies of a subview onto an identical one (an in-place tile's
  // insert_slice) become one value, then no copy.
  addCleanup(pm);
  if (prefetch) {
    pm.addNestedPass<func::FuncOp>(createAttnCpuPrefetch());
    pm.addNestedPass<func::FuncOp>(createAttnCpuStridedCopies());
    pm.addNestedPass<func::FuncOp>(createAttnCpuFlattenTransfers());
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  addLowerBuffersToLLVM(pm, /*gpuHost=*/false);
}

void mlir::attn::buildCpuPipeline(OpPassManager &pm,
                                  const CpuPipelineOptions &options) {
  if (options.graphOpt)
    buildGraphOptPipeline(pm);
  pm.addNestedPass<func::FuncOp>(
      createAttnPadQueryRows(AttnPadQueryRowsOptions{options.mTile}));
  pm.addPass(createAttnConvertToOnlineAttention());
  AttnTileAttentionOptions tile;
  tile.mTile = options.mTile;
  tile.k2Tile = options.k2Tile;
  tile.k2Splits = options.k2Splits;
  pm.addNestedPass<func::FuncOp>(createAttnTileAttention(tile));
  pm.addPass(createAttnDecomposeOnlineAttention(
      {options.bf16Dot && hostHasBF16DotProduct()}));
  pm.addPass(createAttnDecomposeSoftmax());
  pm.addPass(createAttnApproximateMath());
  addCleanup(pm);
  pm.addPass(createAttnCpuMicrokernel());
  addCleanup(pm);
  if (options.lowerToLLVM)
    addCpuLoweringStage(pm, /*prefetch=*/true);
}

void mlir::attn::buildReferencePipeline(
    OpPassManager &pm, const ReferencePipelineOptions &options) {
  pm.addPass(createAttnLowerToReference());
  pm.addPass(createAttnDecomposeSoftmax());
  pm.addPass(createCanonicalizerPass());
  if (options.lowerToLLVM)
    addCpuLoweringStage(pm);
}

#ifndef ATTN_ROCM_TOOLKIT_DIR
#error "ATTN_ROCM_TOOLKIT_DIR must be set by CMake"
#endif

std::string mlir::attn::defaultRocmToolkit() {
  auto usable = [](const std::string &dir) {
    return !dir.empty() && llvm::sys::fs::exists(dir + "/llvm/bin/ld.lld") &&
           llvm::sys::fs::exists(dir + "/amdgcn/bitcode");
  };
  if (const char *rocm = std::getenv("ROCM_PATH"); rocm && usable(rocm))
    return rocm;
  if (usable("/opt/rocm"))
    return "/opt/rocm";
  return ATTN_ROCM_TOOLKIT_DIR;
}

/// Attention as MFMA flash-attention kernels; on chips without MFMA, as
/// its unfused linalg form, which the next stages make simple kernels
/// (correct, not fast).
static void addAttentionKernelStage(OpPassManager &pm,
                                    const RocmPipelineOptions &options) {
  const ChipInfo *chip = lookupChip(options.chip);
  if (chip && chip->hasMfma()) {
    AttnRocmAttentionKernelsOptions kernels;
    kernels.chip = options.chip;
    kernels.breakKernel = options.breakKernel;
    kernels.k2Splits = options.k2Splits;
    kernels.f32Mfma = options.f32Mfma;
    kernels.keyBlock = options.keyBlock;
    kernels.waves = options.waves;
    kernels.mfma = options.mfma;
    kernels.pipeline = options.pipeline;
    pm.addPass(createAttnRocmAttentionKernels(kernels));
  } else {
    pm.addPass(createAttnLowerToReference());
  }
  addCleanup(pm);
}

/// The other linalg ops as kernels, device buffers and copies.
static void addDeviceMemoryStage(OpPassManager &pm, bool emulate) {
  pm.addPass(createAttnMapLinalgToGpu());
  pm.addPass(createAttnGpuHostMemory());
  addCleanup(pm);
  if (emulate)
    pm.addPass(createAttnEmulateGpuKernels());
}

/// The gpu.module to the ROCDL dialect, for the chip.
static void addLowerGpuModuleStage(OpPassManager &pm, StringRef chip) {
  GpuROCDLAttachTargetOptions target;
  target.chip = chip.str();
  target.abiVersion = "500"; // code object v5: ROCm 5.x and 6.x load it
  target.optLevel = 3;
  pm.addPass(createGpuROCDLAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToROCDLOpsOptions rocdl;
  rocdl.chipset = chip.str();
  rocdl.runtime = gpu::amd::Runtime::HIP;
  kernels.addPass(createConvertGpuOpsToROCDLOps(rocdl));
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

static void addSerializeStage(OpPassManager &pm, const std::string &toolkit) {
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

/// Host code: one stream per function (gpu-async-region), then the CPU
/// lowering of the (already bufferized) host code.
static void addHostStage(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  addLowerBuffersToLLVM(pm, /*gpuHost=*/true);
}

void mlir::attn::buildRocmPipeline(OpPassManager &pm,
                                   const RocmPipelineOptions &options) {
  std::string toolkit = options.toolkit.empty() ? defaultRocmToolkit()
                                                : std::string(options.toolkit);
  if (options.graphOpt)
    buildGraphOptPipeline(pm);
  addAttentionKernelStage(pm, options);
  // A softmax left after the graph passes (not part of an attention).
  pm.addPass(createAttnDecomposeSoftmax());
  addBufferizeStage(pm);
  addDeviceMemoryStage(pm, options.emulate);
  addLowerGpuModuleStage(pm, options.chip);
  if (options.kernelReport) {
    AttnKernelReportOptions report;
    report.toolkit = toolkit;
    pm.addPass(createAttnKernelReport(report));
  }
  if (options.binary)
    addRocmBinaryAndHostStages(pm, options);
}

void mlir::attn::addRocmBinaryAndHostStages(
    OpPassManager &pm, const RocmPipelineOptions &options) {
  addSerializeStage(pm, options.toolkit.empty() ? defaultRocmToolkit()
                                                : std::string(options.toolkit));
  if (options.lowerHost)
    addHostStage(pm);
}

void mlir::attn::registerCodegenPipelines() {
  PassPipelineRegistration<RocmPipelineOptions>(
      "attn-rocm-pipeline",
      "AMDGPU codegen: attn-graph-opt, flash-attention MFMA kernels "
      "(attn-rocm-attention-kernels), bufferization, the other linalg ops "
      "as GPU kernels (attn-map-linalg-to-gpu), device buffers "
      "(attn-gpu-host-memory), ROCDL lowering, gpu-module-to-binary (code "
      "object v5) and host code calling the launcher (gpu-to-llvm)",
      buildRocmPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "attn-cpu-pipeline",
      "CPU codegen: attn-graph-opt, online-attention tiling and "
      "decomposition, then bufferization and lowering to LLVM (OpenMP "
      "parallel loops)",
      buildCpuPipeline);
  PassPipelineRegistration<ReferencePipelineOptions>(
      "attn-reference-pipeline",
      "Reference lowering for numerical checks: materialized softmax, no "
      "graph passes, no tiling, then lowering to LLVM",
      buildReferencePipeline);
}
