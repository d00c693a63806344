//===- GpuUtils.cpp - shared helpers of the GPU codegen passes ------------===//

#include "codegen/GpuUtils.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

gpu::GPUModuleOp mlir::attn::getOrCreateKernelModule(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  return gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName);
}
