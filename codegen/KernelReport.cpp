//===- KernelReport.cpp - per-kernel resources and instruction mix --------===//
//
// Serializes each ROCDL gpu.module to a code object and to assembly, reads the
// amdhsa kernel metadata from the ELF with upstream's ROCDL utilities, and
// counts instruction classes in the ISA. The occupancy model and the mnemonic
// classification are ours.
//
//===----------------------------------------------------------------------===//

#include "codegen/KernelReport.h"
#include "codegen/KernelConfig.h"
#include "codegen/Passes.h"
#include "codegen/Target.h"

#include "mlir/Dialect/GPU/IR/CompilationInterfaces.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Target/LLVM/ROCDL/Utils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNKERNELREPORT
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// Splits `isa` into kernel bodies (label to `.Lfunc_end`), by kernel.
std::map<std::string, std::vector<std::string>> splitKernels(StringRef isa) {
  std::map<std::string, std::vector<std::string>> kernels;
  std::vector<std::string> *current = nullptr;
  SmallVector<StringRef> lines;
  isa.split(lines, '\n');
  for (StringRef line : lines) {
    StringRef text = line.trim();
    if (!line.starts_with("\t") && !line.starts_with(" ") &&
        text.ends_with(":") && !text.starts_with(".")) {
      current = &kernels[text.drop_back().str()];
      continue;
    }
    if (text.starts_with(".Lfunc_end")) {
      current = nullptr;
      continue;
    }
    if (current)
      current->push_back(line.str());
  }
  return kernels;
}

/// Classifies every instruction of one kernel's body.
void countInstructions(const std::vector<std::string> &body,
                       KernelFigures &mix) {
  for (const std::string &line : body) {
    StringRef text = StringRef(line).trim();
    if (text.empty() || text.starts_with(";") || text.starts_with("."))
      continue;
    std::string mnemonic = text.split(' ').first.split('\t').first.str();
    StringRef m = mnemonic;
    if (m.starts_with("v_mfma"))
      ++mix.mfmas;
    else if (m.starts_with("global_load") || m.starts_with("buffer_load"))
      ++mix.globalLoads[mnemonic];
    else if (m.starts_with("global_store") || m.starts_with("buffer_store"))
      ++mix.globalStores[mnemonic];
    else if (m.starts_with("ds_read") || m.starts_with("ds_load"))
      ++mix.ldsReads[mnemonic];
    else if (m.starts_with("ds_write") || m.starts_with("ds_store"))
      ++mix.ldsWrites[mnemonic];
    else if (m.starts_with("scratch_"))
      ++mix.scratch[mnemonic];
  }
}

/// The static throughput model of the kernel's hottest loop (see
/// ThroughputModel.h), as report lines.
void printLoopModel(llvm::raw_ostream &os, const KernelFigures &kernel) {
  const std::optional<LoopBody> &loop = kernel.loop;
  if (!loop) {
    os << llvm::format("  %-22s %s\n", "hottest loop", "none (no MFMA loop)");
    return;
  }
  os << llvm::format("  %-22s %s: %zu instructions, %u MFMA\n", "hottest loop",
                     loop->label.c_str(), loop->instructions.size(),
                     loop->mfmas);
  const std::optional<LoopThroughput> &model = kernel.model;
  if (!model) {
    os << llvm::format("  %-22s n/a (%s)\n", "loop model",
                       kernel.modelError.c_str());
    return;
  }
  os << llvm::format("  %-22s %.0f (llvm-mca, one wave)\n",
                     "loop cycles/iteration", model->cyclesPerIteration);
  if (kernel.keyBlocksPerIteration > 1)
    os << llvm::format("  %-22s %lld per iteration, %.0f cycles each\n",
                       "key blocks", (long long)kernel.keyBlocksPerIteration,
                       model->cyclesPerIteration /
                           double(kernel.keyBlocksPerIteration));
  os << llvm::format("  %-22s XDL %.0f, VALU %.0f, SALU %.0f, LGKM %.0f, "
                     "VMEM %.0f, branch %.0f\n",
                     "loop busy cycles", model->busy("XDL"),
                     model->busy("VALU"), model->busy("SALU"),
                     model->busy("LGKM"), model->busy("VMEM"),
                     model->busy("branch"));
  os << llvm::format("  %-22s %.2f\n", "MFMA busy (one wave)",
                     model->mfmaBusy());
  os << llvm::format("  %-22s %.2f\n", "VALU per XDL", model->valuPerXdl());
  os << llvm::format("  %-22s %.0f per iteration per wave\n", "loop FLOPs",
                     loop->flops);
  if (kernel.wavesPerSimd)
    os << llvm::format("  %-22s %.2f (%lld waves/SIMD)\n", "MFMA peak bound",
                       model->peakFraction(*kernel.wavesPerSimd),
                       (long long)*kernel.wavesPerSimd);
}

int64_t getInt(const NamedAttrList &attrs, StringRef name) {
  if (auto attr = dyn_cast_or_null<IntegerAttr>(attrs.get(name)))
    return attr.getInt();
  return -1;
}

std::string formatCounts(const std::map<std::string, unsigned> &counts) {
  if (counts.empty())
    return "none";
  std::string s;
  for (auto [name, n] : counts)
    s += (s.empty() ? "" : ", ") + name + " x" + std::to_string(n);
  return s;
}
} // namespace

/// Registers per lane are shared by VGPRs and AGPRs (AGPRs start at a
/// multiple of 4, allocation in granules of 8). A workgroup's waves are
/// spread over the CU's SIMDs and it is resident whole, so a CU holds as
/// many workgroups as the SIMDs' registers and the LDS allow.
std::optional<int64_t> mlir::attn::wavesPerSimd(StringRef chipName,
                                                int64_t vgprs, int64_t agprs,
                                                int64_t ldsBytes,
                                                int64_t workgroupSize) {
  const ChipInfo *chip = lookupChip(chipName);
  if (!chip || !chip->hasOccupancyModel())
    return std::nullopt;
  int64_t regs = llvm::alignTo(llvm::alignTo(std::max<int64_t>(vgprs, 1), 4) +
                                   std::max<int64_t>(agprs, 0),
                               8);
  int64_t waves = std::min<int64_t>(chip->maxWavesPerSimd,
                                    chip->registersPerSimdLane / regs);
  if (workgroupSize > 0) {
    int64_t wavesPerGroup = llvm::divideCeil(workgroupSize, chip->waveSize);
    int64_t groupsPerCu = waves * chip->simdsPerCu / wavesPerGroup;
    if (ldsBytes > 0)
      groupsPerCu =
          std::min<int64_t>(groupsPerCu, chip->ldsBytesPerCu / ldsBytes);
    waves = std::min(waves, groupsPerCu * wavesPerGroup / chip->simdsPerCu);
  }
  return waves;
}

namespace {

struct KernelReportPass
    : public mlir::attn::impl::AttnKernelReportBase<KernelReportPass> {
  using Base::Base;

  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](gpu::GPUModuleOp module) {
      if (!module.getTargetsAttr())
        return WalkResult::advance();
      for (Attribute target : module.getTargetsAttr()) {
        auto rocdl = dyn_cast<ROCDL::ROCDLTargetAttr>(target);
        if (!rocdl)
          continue;
        if (failed(report(module, rocdl)))
          return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult report(gpu::GPUModuleOp module, ROCDL::ROCDLTargetAttr target) {
    std::string toolkitPath =
        toolkit.empty() ? ROCDL::getROCMPath().str() : std::string(toolkit);
    FailureOr<std::vector<KernelFigures>> kernels =
        measureKernels(module, target, toolkitPath);
    if (failed(kernels))
      return failure();
    for (const KernelFigures &kernel : *kernels)
      printKernelFigures(llvm::outs(), kernel);
    return success();
  }
};
} // namespace

FailureOr<std::vector<KernelFigures>>
mlir::attn::measureKernels(gpu::GPUModuleOp module,
                           ROCDL::ROCDLTargetAttr target, StringRef toolkit) {
  for (StringRef part : {"llvm/bin/ld.lld", "amdgcn/bitcode"})
    if (!llvm::sys::fs::exists(toolkit + "/" + part))
      return mlir::emitError(module.getLoc(), "attn-kernel-report: ROCm "
                                              "toolkit folder '")
             << toolkit << "' has no " << part;
  std::string isa;
  auto captureIsa = [&](StringRef text) { isa = text.str(); };
  gpu::TargetOptions options(toolkit, {}, {}, {},
                             gpu::CompilationTarget::Binary, {}, {}, {}, {},
                             captureIsa);
  auto serializer = cast<gpu::TargetAttrInterface>(target);
  std::optional<SmallVector<char, 0>> elf =
      serializer.serializeToObject(module, options);
  if (!elf)
    return mlir::emitError(module.getLoc(),
                           "attn-kernel-report: failed to compile ")
           << module.getName() << " for " << target.getChip();
  if (isa.empty()) {
    // The ROCDL serializer does not report its ISA through the callback;
    // ask for the assembly separately.
    gpu::TargetOptions asmOptions(toolkit, {}, {}, {},
                                  gpu::CompilationTarget::Assembly);
    std::optional<SmallVector<char, 0>> text =
        serializer.serializeToObject(module, asmOptions);
    if (!text)
      return mlir::emitError(module.getLoc(),
                             "attn-kernel-report: failed to get the ISA of ")
             << module.getName();
    isa.assign(text->begin(), text->end());
  }
  Builder builder(module.getContext());
  auto metadata = ROCDL::getAMDHSAKernelsELFMetadata(builder, *elf);
  if (!metadata)
    return mlir::emitError(module.getLoc(),
                           "attn-kernel-report: no amdhsa metadata in the "
                           "code object of ")
           << module.getName();
  std::map<std::string, std::vector<std::string>> bodies = splitKernels(isa);

  std::vector<KernelFigures> kernels;
  for (auto &[name, attrs] : *metadata) {
    KernelFigures k;
    k.name = name.getValue().str();
    k.module = module.getName().str();
    k.chip = target.getChip().str();
    k.vgprs = getInt(attrs, "vgpr_count");
    k.agprs = getInt(attrs, "agpr_count");
    k.sgprs = getInt(attrs, "sgpr_count");
    k.ldsBytes = getInt(attrs, "group_segment_fixed_size");
    k.scratchBytes = getInt(attrs, "private_segment_fixed_size");
    k.vgprSpills = getInt(attrs, "vgpr_spill_count");
    k.sgprSpills = getInt(attrs, "sgpr_spill_count");
    k.waveSize = getInt(attrs, "wavefront_size");
    k.workgroupSize = getInt(attrs, "max_flat_workgroup_size");
    if (auto reqd = dyn_cast_or_null<DenseI32ArrayAttr>(
            attrs.get("reqd_workgroup_size"));
        reqd && reqd.size() == 3 && reqd[0] > 0)
      k.workgroupSize =
          int64_t(reqd[0]) * std::max(reqd[1], 1) * std::max(reqd[2], 1);
    k.wavesPerSimd =
        wavesPerSimd(k.chip, k.vgprs, k.agprs, k.ldsBytes, k.workgroupSize);
    const std::vector<std::string> &body = bodies[k.name];
    countInstructions(body, k);
    if (Operation *func = module.lookupSymbol(k.name)) {
      if (auto config = func->getAttrOfType<StringAttr>("attn.kernel_config"))
        k.config = config.str();
      if (auto grid = func->getAttrOfType<IntegerAttr>("attn.workgroups"))
        k.workgroups = grid.getInt();
      if (auto splits = func->getAttrOfType<IntegerAttr>("attn.k2_splits"))
        k.k2Splits = splits.getInt();
      if (auto perIteration =
              func->getAttrOfType<IntegerAttr>("attn.key_blocks_per_iteration"))
        k.keyBlocksPerIteration = perIteration.getInt();
      if (auto useful = func->getAttrOfType<FloatAttr>("attn.useful_fraction"))
        k.usefulFraction = useful.getValueAsDouble();
      if (auto blocks =
              func->getAttrOfType<DenseI64ArrayAttr>("attn.key_blocks"))
        k.keyBlocks.assign(blocks.asArrayRef().begin(),
                           blocks.asArrayRef().end());
    }
    k.loop = findHottestLoop(body);
    if (k.loop)
      k.model = modelLoop(*k.loop, k.chip, k.modelError);
    kernels.push_back(std::move(k));
  }
  llvm::sort(kernels, [](const KernelFigures &a, const KernelFigures &b) {
    return a.name < b.name;
  });
  return kernels;
}

void mlir::attn::printKernelFigures(llvm::raw_ostream &os,
                                    const KernelFigures &k) {
  os << "kernel " << k.name << " (" << k.module << ", " << k.chip << ")\n";
  os << llvm::format("  %-22s %lld\n", "VGPRs", (long long)k.vgprs);
  os << llvm::format("  %-22s %lld\n", "AGPRs", (long long)k.agprs);
  os << llvm::format("  %-22s %lld\n", "SGPRs", (long long)k.sgprs);
  os << llvm::format("  %-22s %lld\n", "LDS bytes", (long long)k.ldsBytes);
  os << llvm::format("  %-22s %lld\n", "scratch bytes",
                     (long long)k.scratchBytes);
  os << llvm::format("  %-22s %lld VGPR, %lld SGPR\n", "spills",
                     (long long)k.vgprSpills, (long long)k.sgprSpills);
  os << llvm::format("  %-22s %lld\n", "wavefront size", (long long)k.waveSize);
  os << llvm::format("  %-22s %lld\n", "workgroup size",
                     (long long)k.workgroupSize);
  if (k.wavesPerSimd)
    os << llvm::format("  %-22s %lld\n", "waves per SIMD",
                       (long long)*k.wavesPerSimd);
  else
    os << llvm::format("  %-22s %s\n", "waves per SIMD",
                       "n/a (no occupancy model for this chip)");
  os << llvm::format("  %-22s %u\n", "MFMA instructions", k.mfmas);
  os << "  global loads           " << formatCounts(k.globalLoads) << "\n";
  os << "  global stores          " << formatCounts(k.globalStores) << "\n";
  os << "  LDS reads              " << formatCounts(k.ldsReads) << "\n";
  os << "  LDS writes             " << formatCounts(k.ldsWrites) << "\n";
  os << "  scratch accesses       " << formatCounts(k.scratch) << "\n";
  if (!k.config.empty())
    os << llvm::format("  %-22s %s\n", "configuration", k.config.c_str());
  // The query rows follow from the MFMA shape (its M per wave).
  std::string configError;
  if (std::optional<AttentionKernelConfig> config =
          parseKernelConfig(k.config, configError);
      !k.config.empty() && config && config->rowsPerWave())
    os << llvm::format("  %-22s %lld per wave, %lld per workgroup\n",
                       "query rows", (long long)config->rowsPerWave(),
                       (long long)config->rowsPerWorkgroup());
  // The work per workgroup an attention kernel recorded (causal blocks
  // skipped, K2 split): key blocks visited per workgroup of one batch
  // index, against every query tile visiting every key block.
  if (k.keyBlocks.size() == 4 && k.keyBlocks[3] != 0)
    os << llvm::format("  %-22s min %lld, max %lld, total %lld per batch "
                       "index (%.0f%% of dense %lld)\n",
                       "key blocks/workgroup", (long long)k.keyBlocks[0],
                       (long long)k.keyBlocks[1], (long long)k.keyBlocks[2],
                       100.0 * double(k.keyBlocks[2]) / double(k.keyBlocks[3]),
                       (long long)k.keyBlocks[3]);
  printLoopModel(os, k);
}
