//===- GpuUtils.cpp - shared helpers of the GPU codegen passes ------------===//

#include "codegen/GpuUtils.h"

#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

gpu::GPUModuleOp mlir::attn::getOrCreateKernelModule(ModuleOp module,
                                                     StringRef chip) {
  MLIRContext *ctx = module.getContext();
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  UnitAttr::get(ctx));
  if (auto existing = module.lookupSymbol<gpu::GPUModuleOp>(kKernelModuleName))
    return existing;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto target = ROCDL::ROCDLTargetAttr::get(
      ctx, /*optLevel=*/3, "amdgcn-amd-amdhsa", chip, "", /*abi=*/"500");
  return gpu::GPUModuleOp::create(b, module.getLoc(), kKernelModuleName,
                                  b.getArrayAttr({target}));
}
