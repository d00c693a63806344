//===- Pipelines.cpp - CPU and reference pipelines ------------------------===//

#include "codegen/Passes.h"
#include "transforms/Passes.h"

#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"

#include <cstdlib>

using namespace mlir;

void mlir::attn::buildCpuTensorPipeline(OpPassManager &pm,
                                        const CpuPipelineOptions &opts) {
  if (opts.graphOpt)
    buildGraphOptPipeline(pm);
  pm.addPass(createAttnConvertToOnlineAttention());
  AttnTileAttentionOptions tileOptions;
  tileOptions.mTile = opts.mTile;
  tileOptions.k2Tile = opts.k2Tile;
  pm.addNestedPass<func::FuncOp>(createAttnTileAttention(tileOptions));
  pm.addPass(createAttnDecomposeOnlineAttention());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::attn::buildReferenceTensorPipeline(OpPassManager &pm) {
  pm.addPass(createAttnLowerToReference());
  pm.addPass(createCanonicalizerPass());
}

// Everything below is upstream MLIR; spelled as a textual pipeline so that
// `--mlir-print-ir-after-all` names each step as users would write it.
static constexpr llvm::StringLiteral kBufferize =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},";
static constexpr llvm::StringLiteral kDeallocate =
    "buffer-deallocation-pipeline,";
static constexpr llvm::StringLiteral kCpuLoweringHead =
    "convert-bufferization-to-memref,"
    "func.func(convert-linalg-to-loops),"
    "scf-forall-to-parallel,"
    "convert-scf-to-openmp,"
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-vector-to-llvm,"
    // memref.alloca_scope (made by the OpenMP conversion) must be lowered
    // while its region is still one block, i.e. before scf-to-cf.
    "finalize-memref-to-llvm,"
    "convert-scf-to-cf,"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-index-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-func-to-llvm,"
    "convert-openmp-to-llvm,";
static constexpr llvm::StringLiteral kCpuLoweringTail =
    "reconcile-unrealized-casts";

void mlir::attn::buildCpuLoweringPipeline(OpPassManager &pm, bool deallocate) {
  // The textual pipeline names upstream passes; make sure they are
  // registered whichever tool builds it.
  static const bool registered = [] {
    registerAllPasses();
    return true;
  }();
  (void)registered;
  std::string pipeline = (kBufferize + (deallocate ? kDeallocate : "") +
                          kCpuLoweringHead + kCpuLoweringTail)
                             .str();
  if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
    llvm::report_fatal_error("attn: internal CPU lowering pipeline is invalid");
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

void mlir::attn::buildRocmPipeline(OpPassManager &pm,
                                   const RocmPipelineOptions &opts) {
  static const bool registered = [] {
    registerAllPasses();
    return true;
  }();
  (void)registered;
  auto parse = [&](const std::string &pipeline) {
    if (failed(parsePassPipeline(pipeline, pm, llvm::errs())))
      llvm::report_fatal_error("attn: internal ROCm pipeline is invalid");
  };
  if (opts.graphOpt)
    buildGraphOptPipeline(pm);
  if (opts.chip == "gfx942" || opts.chip == "gfx90a") {
    AttnRocmAttentionKernelsOptions kernelOptions;
    kernelOptions.chip = opts.chip;
    kernelOptions.breakKernel = opts.breakKernel;
    pm.addPass(createAttnRocmAttentionKernels(kernelOptions));
  } else {
    // No MFMA (RDNA): attention as its unfused linalg form, whose ops
    // attn-map-linalg-to-gpu turns into simple kernels. Correct, not fast.
    pm.addPass(createAttnLowerToReference());
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  parse(kBufferize.drop_back().str());
  pm.addPass(createAttnMapLinalgToGpu());
  pm.addPass(createAttnGpuHostMemory());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (opts.emulate)
    pm.addPass(createAttnEmulateGpuKernels());
  // Code object v5 (abi=500) so ROCm 5.x and 6.x runtimes load it.
  parse("rocdl-attach-target{chip=" + opts.chip + " abi=500 O=3}");
  parse("gpu.module(expand-strided-metadata,lower-affine,convert-scf-to-cf,"
        "convert-gpu-to-rocdl{chipset=" +
        opts.chip + " runtime=HIP},reconcile-unrealized-casts)");
  if (opts.kernelReport) {
    AttnKernelReportOptions reportOptions;
    reportOptions.toolkit = opts.toolkit;
    pm.addPass(createAttnKernelReport(reportOptions));
  }
  if (!opts.binary)
    return;
  parse("gpu-module-to-binary{toolkit=" + opts.toolkit + "}");
  if (!opts.lowerHost)
    return;
  // Host code: one stream per function (gpu-async-region), then the CPU
  // lowering with upstream gpu-to-llvm, whose launches call the mgpu* ABI
  // that attn's launcher provides (runtime/GpuLauncher.h).
  parse(("func.func(gpu-async-region)," + kCpuLoweringHead + "gpu-to-llvm," +
         kCpuLoweringTail)
            .str());
}

namespace {
struct RocmPipelineCLOptions
    : public PassPipelineOptions<RocmPipelineCLOptions> {
  Option<std::string> chip{*this, "chip",
                           llvm::cl::desc("gfx942 (default), gfx90a (MFMA "
                                          "flash-attention kernel) or "
                                          "gfx1100 (simple kernels)"),
                           llvm::cl::init("gfx942")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("ROCm toolkit folder (default: ROCM_PATH, /opt/rocm, "
                     "then the build's folder of Debian packages)"),
      llvm::cl::init("")};
  Option<bool> graphOpt{*this, "graph-opt",
                        llvm::cl::desc("Run attn-graph-opt first"),
                        llvm::cl::init(true)};
  Option<bool> report{*this, "kernel-report",
                      llvm::cl::desc("Print the kernel report"),
                      llvm::cl::init(false)};
  Option<bool> binary{*this, "binary",
                      llvm::cl::desc("Serialize to gpu.binary"),
                      llvm::cl::init(true)};
  Option<bool> host{*this, "lower-host",
                    llvm::cl::desc("Lower the host code to the LLVM dialect "
                                   "(needs binary)"),
                    llvm::cl::init(true)};
  Option<bool> emulate{*this, "emulate",
                       llvm::cl::desc("Add host functions emulating each "
                                      "kernel (attn-emulate-gpu-kernels)"),
                       llvm::cl::init(false)};
};

struct CpuPipelineCLOptions : public PassPipelineOptions<CpuPipelineCLOptions> {
  Option<bool> graphOpt{*this, "graph-opt",
                        llvm::cl::desc("Run attn-graph-opt first"),
                        llvm::cl::init(true)};
  Option<int64_t> mTile{*this, "m-tile",
                        llvm::cl::desc("Rows of Q per parallel tile"),
                        llvm::cl::init(32)};
  Option<int64_t> k2Tile{*this, "k2-tile",
                         llvm::cl::desc("Keys per K2 loop iteration"),
                         llvm::cl::init(64)};
  Option<bool> lower{*this, "lower-to-llvm",
                     llvm::cl::desc("Also bufferize and lower to the LLVM "
                                    "dialect"),
                     llvm::cl::init(true)};
};
struct ReferencePipelineCLOptions
    : public PassPipelineOptions<ReferencePipelineCLOptions> {
  Option<bool> lower{*this, "lower-to-llvm",
                     llvm::cl::desc("Also bufferize and lower to the LLVM "
                                    "dialect"),
                     llvm::cl::init(true)};
};
} // namespace

void mlir::attn::registerCodegenPipelines() {
  PassPipelineRegistration<RocmPipelineCLOptions>(
      "attn-rocm-pipeline",
      "AMDGPU codegen: attn-graph-opt, flash-attention MFMA kernels "
      "(attn-rocm-attention-kernels), bufferization, the other linalg ops "
      "as GPU kernels (attn-map-linalg-to-gpu), device buffers "
      "(attn-gpu-host-memory), ROCDL lowering, gpu-module-to-binary (code "
      "object v5) and host code calling the launcher (gpu-to-llvm)",
      [](OpPassManager &pm, const RocmPipelineCLOptions &cl) {
        RocmPipelineOptions opts;
        opts.chip = cl.chip;
        opts.toolkit =
            cl.toolkit.empty() ? defaultRocmToolkit() : std::string(cl.toolkit);
        opts.graphOpt = cl.graphOpt;
        opts.kernelReport = cl.report;
        opts.binary = cl.binary;
        opts.lowerHost = cl.host;
        opts.emulate = cl.emulate;
        buildRocmPipeline(pm, opts);
      });
  PassPipelineRegistration<CpuPipelineCLOptions>(
      "attn-cpu-pipeline",
      "CPU codegen: attn-graph-opt, online-attention tiling and "
      "decomposition, then bufferization and lowering to LLVM (OpenMP "
      "parallel loops)",
      [](OpPassManager &pm, const CpuPipelineCLOptions &cl) {
        CpuPipelineOptions opts;
        opts.graphOpt = cl.graphOpt;
        opts.mTile = cl.mTile;
        opts.k2Tile = cl.k2Tile;
        buildCpuTensorPipeline(pm, opts);
        if (cl.lower)
          buildCpuLoweringPipeline(pm);
      });
  PassPipelineRegistration<ReferencePipelineCLOptions>(
      "attn-reference-pipeline",
      "Reference lowering for numerical checks: materialized softmax, no "
      "graph passes, no tiling, then lowering to LLVM",
      [](OpPassManager &pm, const ReferencePipelineCLOptions &cl) {
        buildReferenceTensorPipeline(pm);
        if (cl.lower)
          buildCpuLoweringPipeline(pm);
      });
}
