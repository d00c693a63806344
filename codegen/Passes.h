//===- Passes.h - attn codegen passes and pipelines -------------*- C++ -*-===//
#ifndef ATTN_CODEGEN_PASSES_H
#define ATTN_CODEGEN_PASSES_H

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace mlir::attn {

#define GEN_PASS_DECL
#include "codegen/Passes.h.inc"

/// Options of the CPU pipeline.
struct CpuPipelineOptions {
  bool graphOpt = true;
  int64_t mTile = 32;
  int64_t k2Tile = 64;
};

/// Tensor-level CPU codegen: graph passes, tiling, decomposition.
void buildCpuTensorPipeline(OpPassManager &pm, const CpuPipelineOptions &opts);
/// The reference lowering: materialized softmax, no graph passes, no tiling.
void buildReferenceTensorPipeline(OpPassManager &pm);
/// Bufferization and lowering of a tensor-level module to the LLVM dialect
/// for the host CPU (parallel loops through OpenMP). `deallocate` runs the
/// ownership-based buffer deallocation, which cannot analyze OpenMP regions
/// written before lowering (the GPU emulation's).
void buildCpuLoweringPipeline(OpPassManager &pm, bool deallocate = true);

struct RocmPipelineOptions {
  std::string chip = "gfx942";
  std::string toolkit;
  bool graphOpt = true;
  bool kernelReport = false;
  /// Serialize the kernels to a code object (gpu-module-to-binary).
  bool binary = true;
  /// Lower the host code to the LLVM dialect (calls into the mgpu* launcher
  /// ABI); needs `binary`.
  bool lowerHost = true;
  /// Also add host functions that emulate each kernel on the CPU
  /// (attn-emulate-gpu-kernels), for --device=rocm-sim.
  bool emulate = false;
  /// Testing only: a deliberately broken attention kernel variant.
  std::string breakKernel;
};

/// AMDGPU codegen: graph passes, MFMA attention kernels, bufferization,
/// the other linalg ops as GPU kernels, device buffers and copies, ROCDL
/// lowering, optional kernel report, code object, host lowering.
void buildRocmPipeline(OpPassManager &pm, const RocmPipelineOptions &opts);

/// ROCm toolkit folder: $ROCM_PATH, /opt/rocm, then the build's folder made
/// of Debian's device libraries and ld.lld.
std::string defaultRocmToolkit();

/// Registers the codegen passes and the named pipelines
/// (`attn-cpu-pipeline`, `attn-reference-pipeline`).
void registerCodegenPipelines();

#define GEN_PASS_REGISTRATION
#include "codegen/Passes.h.inc"

} // namespace mlir::attn

#endif // ATTN_CODEGEN_PASSES_H
