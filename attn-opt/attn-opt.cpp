//===- attn-opt.cpp - opt-style driver for the attn compiler --------------===//
//
// MlirOptMain with the attn dialect, its passes and pipelines, and the
// upstream dialects and passes the pipeline uses.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"
#include "dialect/AttnDialect.h"
#include "transforms/Passes.h"
#include "transforms/Remarks.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  // Upstream dialects, interfaces and passes: the pipeline goes through
  // func/arith/math/tensor/linalg/scf/memref/vector/bufferization/gpu/
  // amdgpu/rocdl/llvm, and users inspect it with upstream passes too.
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  // gpu-module-to-binary translates GPU modules to LLVM IR.
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::registerAllPasses();
  registry.insert<mlir::attn::AttnDialect>();
  mlir::attn::registerAttnPasses();
  mlir::attn::registerAttnPipelines();
  // `--attn-remarks`: the default of the graph passes' `remarks` option,
  // and what turns on the remarks of attn-rocm-attention-kernels.
  mlir::attn::registerRemarksCLOptions();
  mlir::attn::registerAttnCodegenPasses();
  mlir::attn::registerCodegenPipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "attn optimizer driver: the attn dialect, its passes and "
      "pipelines, and upstream MLIR\n",
      registry));
}
