//===- GpuUtils.h - shared helpers of the GPU codegen passes ----*- C++ -*-===//
#ifndef ATTN_CODEGEN_GPUUTILS_H
#define ATTN_CODEGEN_GPUUTILS_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::attn {

/// Name of the one GPU module that holds every kernel of a program, so one
/// code object carries them all.
inline constexpr llvm::StringLiteral kKernelModuleName = "attn_kernels";

/// The module's `gpu.module @attn_kernels`, created at the end of `module`
/// when missing (its ROCDL target is attached later by upstream
/// `rocdl-attach-target`); marks `module` as a GPU container module.
gpu::GPUModuleOp getOrCreateKernelModule(ModuleOp module);

} // namespace mlir::attn

#endif // ATTN_CODEGEN_GPUUTILS_H
