//===- GpuUtils.h - shared helpers of the GPU codegen passes ----*- C++ -*-===//
#ifndef ATTN_CODEGEN_GPUUTILS_H
#define ATTN_CODEGEN_GPUUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::attn {

/// Name of the one GPU module that holds every kernel of a program, so one
/// code object carries them all.
inline constexpr llvm::StringLiteral kKernelModuleName = "attn_kernels";

/// The module's `gpu.module @attn_kernels`, created (with a ROCDL target
/// for `chip`, code object v5) at the end of `module` when missing; marks
/// `module` as a GPU container module.
gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module, StringRef chip);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPUUTILS_H
