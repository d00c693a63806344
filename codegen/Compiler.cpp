//===- Compiler.cpp - the one compile driver ------------------------------===//

#include "codegen/Compiler.h"
#include "codegen/Pipelines.h"
#include "dialect/AttnDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::attn;

void mlir::attn::pruneToEntry(ModuleOp module, StringRef entry) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
      if (func.getName() != entry &&
          SymbolTable::symbolKnownUseEmpty(func, module)) {
        func.erase();
        changed = true;
      }
  }
}

static void configure(PassManager &pm, const CompileOptions &options) {
  if (!options.printIRAfterAll)
    return;
  pm.getContext()->disableMultithreading();
  pm.enableIRPrinting(
      /*shouldPrintBeforePass=*/[](Pass *, Operation *) { return false; },
      /*shouldPrintAfterPass=*/[](Pass *, Operation *) { return true; },
      /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
}

/// Writes `bytes` to `path` through a temporary, so a failure leaves
/// nothing behind.
static LogicalResult writeFile(StringRef path, StringRef bytes,
                               std::string &error,
                               std::vector<WrittenFile> *written) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path.str() + ": " + ec.message();
    return failure();
  }
  file.os() << bytes;
  file.os().close();
  if (file.os().has_error()) {
    error = "cannot write " + path.str();
    file.os().clear_error();
    return failure();
  }
  file.keep();
  if (written)
    written->push_back({path.str(), bytes.size()});
  return success();
}

/// Each GPU module's assembly, serialized from a copy, to DIR/<name>.s.
static LogicalResult writeIsa(ModuleOp module, const CompileOptions &options,
                              StringRef toolkit, std::string &error,
                              std::vector<WrittenFile> *written) {
  if (auto ec = llvm::sys::fs::create_directories(options.isaDir)) {
    error = "cannot create " + options.isaDir + ": " + ec.message();
    return failure();
  }
  OwningOpRef<ModuleOp> copy = module.clone();
  PassManager pm(module.getContext());
  GpuModuleToBinaryPassOptions isa;
  isa.toolkitPath = toolkit.str();
  isa.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(isa));
  if (failed(pm.run(*copy))) {
    error = "GPU serialization (isa) failed";
    return failure();
  }
  for (auto binary : copy->getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      if (failed(writeFile(options.isaDir + "/" + binary.getName().str() + ".s",
                           cast<gpu::ObjectAttr>(object).getObject(), error,
                           written)))
        return failure();
  return success();
}

static LogicalResult writeCodeObject(ModuleOp module, StringRef path,
                                     std::string &error,
                                     std::vector<WrittenFile> *written) {
  for (auto binary : module.getOps<gpu::BinaryOp>())
    for (Attribute object : binary.getObjects())
      return writeFile(path, cast<gpu::ObjectAttr>(object).getObject(), error,
                       written);
  error = "no GPU code object was produced";
  return failure();
}

/// The figures of every kernel of every GPU module (ROCDL dialect).
static LogicalResult measureAll(ModuleOp module, StringRef toolkit,
                                std::vector<KernelFigures> &figures,
                                std::string &error) {
  for (auto gpuModule : module.getOps<gpu::GPUModuleOp>()) {
    if (!gpuModule.getTargetsAttr())
      continue;
    for (Attribute target : gpuModule.getTargetsAttr()) {
      auto rocdl = dyn_cast<ROCDL::ROCDLTargetAttr>(target);
      if (!rocdl)
        continue;
      FailureOr<std::vector<KernelFigures>> kernels =
          measureKernels(gpuModule, rocdl, toolkit);
      if (failed(kernels)) {
        error =
            "measuring the kernels of " + gpuModule.getName().str() + " failed";
        return failure();
      }
      llvm::append_range(figures, *kernels);
    }
  }
  return success();
}

/// GPU targets in two steps: kernels down to the ROCDL dialect (where the
/// ISA is taken), then the code object and the host code.
static LogicalResult compileGpu(ModuleOp module, const CompileOptions &options,
                                std::string &error,
                                std::vector<WrittenFile> *written) {
  RocmPipelineOptions rocm;
  rocm.chip = options.chip;
  rocm.toolkit = defaultRocmToolkit();
  rocm.graphOpt = options.graphOpt;
  rocm.kernelReport = options.kernelReport;
  rocm.emulate = options.target == CompileTarget::RocmSim;
  rocm.breakKernel = options.breakKernel;
  rocm.k2Splits = options.k2Splits;
  rocm.f32Mfma = options.f32Mfma;
  rocm.keyBlock = options.kernelConfig.keyBlock;
  rocm.waves = options.kernelConfig.waves;
  rocm.pipeline = options.kernelConfig.pipeline;
  if (options.kernelConfig.mfma != MfmaShape())
    rocm.mfma = options.kernelConfig.mfma.str();
  rocm.binary = false;
  PassManager kernels(module.getContext());
  configure(kernels, options);
  buildRocmPipeline(kernels, rocm);
  if (failed(kernels.run(module))) {
    error = "GPU compilation failed";
    return failure();
  }
  if (!options.isaDir.empty() &&
      failed(writeIsa(module, options, rocm.toolkit, error, written)))
    return failure();
  if (options.kernelFigures &&
      failed(measureAll(module, rocm.toolkit, *options.kernelFigures, error)))
    return failure();
  PassManager rest(module.getContext());
  configure(rest, options);
  rocm.lowerHost = !options.deviceOnly;
  addRocmBinaryAndHostStages(rest, rocm);
  if (failed(rest.run(module))) {
    error = "GPU serialization or host lowering failed";
    return failure();
  }
  if (!options.codeObjectPath.empty())
    return writeCodeObject(module, options.codeObjectPath, error, written);
  return success();
}

void mlir::attn::setUpCompilerContext(MLIRContext &context) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<AttnDialect>();
  registerAllToLLVMIRTranslations(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
}

LogicalResult mlir::attn::compileModule(ModuleOp module, StringRef entry,
                                        const CompileOptions &options,
                                        std::string &error,
                                        std::vector<WrittenFile> *written) {
  pruneToEntry(module, entry);
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func) {
    error = "no function @" + entry.str();
    return failure();
  }
  // A C-compatible wrapper for the JIT: memrefs by descriptor pointer,
  // results through a pointer to their storage.
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(module.getContext()));
  // Weights' .npy files of imported models are for the runners, which read
  // them from the signature before compiling; LLVM has no use for them.
  for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
    func.removeArgAttr(i, "attn.npy");
  if (options.isGpu())
    return compileGpu(module, options, error, written);
  PassManager pm(module.getContext());
  configure(pm, options);
  if (options.target == CompileTarget::Cpu) {
    CpuPipelineOptions cpu;
    cpu.graphOpt = options.graphOpt;
    cpu.mTile = options.mTile;
    cpu.k2Tile = options.k2Tile;
    cpu.k2Splits = options.k2Splits;
    cpu.bf16Dot = options.bf16Dot;
    buildCpuPipeline(pm, cpu);
  } else {
    buildReferencePipeline(pm, ReferencePipelineOptions());
  }
  if (failed(pm.run(module))) {
    error = "compilation failed";
    return failure();
  }
  return success();
}
