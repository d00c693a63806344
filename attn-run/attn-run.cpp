//===- attn-run.cpp - compile an attention program and run it -------------===//
//
// Compiles the entry function of a .mlir file with the attn pipelines and
// runs it on the host CPU (MLIR ExecutionEngine), with inputs and outputs in
// the style of iree-run-module.
//
//===----------------------------------------------------------------------===//

#include "codegen/Compiler.h"
#include "codegen/KernelTuner.h"
#include "codegen/ShapeSpecialization.h"
#include "dialect/AttnDialect.h"
#include "runtime/GpuLauncher.h"
#include "runtime/HipRuntime.h"
#include "runtime/InputSpec.h"
#include "runtime/JitSession.h"
#include "runtime/Npy.h"
#include "runtime/Progress.h"
#include "runtime/Reference.h"
#include "transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace attn::runtime;
namespace cl = llvm::cl;

static cl::OptionCategory category("attn-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<input .mlir file>"),
                                      cl::cat(category));
static cl::opt<std::string> function("function", cl::init("main"),
                                     cl::desc("Entry function (default: main)"),
                                     cl::cat(category));
static cl::list<std::string> inputs(
    "input",
    cl::desc("Entry argument, in order: @file.npy, TYPE=VALUE for a scalar "
             "(f16=0.125), or SHAPExTYPE=VALUE for a splat (2x4xf32=1.0); "
             "VALUE 'random' gives random values of that shape"),
    cl::cat(category));
static cl::opt<std::string> randomInputs(
    "random-inputs", cl::ValueOptional,
    cl::desc("Fill the arguments not given by --input with reproducible "
             "random values (--random-inputs=SEED; default seed 0)"),
    cl::cat(category));
static cl::list<std::string>
    outputs("output", cl::desc("Write result #i (in order) to @file.npy"),
            cl::cat(category));
static cl::list<std::string> expectedOutputs(
    "expected_output",
    cl::desc("Compare result #i (in order) with @file.npy (--atol/--rtol)"),
    cl::cat(category));
static cl::opt<bool> check(
    "check",
    cl::desc("Also run an independent, unoptimized reference lowering "
             "(no graph passes, no tiling, materialized softmax) and compare"),
    cl::cat(category));
static cl::opt<double> atolOpt(
    "atol", cl::init(-1),
    cl::desc("Absolute tolerance (default by the least precise float type "
             "in the function: f32 1e-5, f16 2e-3, bf16 1.6e-2)"),
    cl::cat(category));
static cl::opt<double> rtolOpt(
    "rtol", cl::init(-1),
    cl::desc("Relative tolerance (default by the least precise float type "
             "in the function: f32 1e-4, f16 2e-3, bf16 1.6e-2)"),
    cl::cat(category));
static cl::opt<unsigned> benchmark(
    "benchmark", cl::init(0),
    cl::desc("Time N runs after one warm-up; print min/median time and "
             "GFLOP/s"),
    cl::cat(category));
static cl::opt<std::string>
    device("device", cl::init("auto"),
           cl::desc("cpu, rocm, rocm-sim (the AMDGPU kernels emulated on the "
                    "CPU with GPU semantics), or auto (an AMD GPU if one is "
                    "usable, else cpu)"),
           cl::cat(category));
static const std::string chipHelp =
    "AMD GPU target for --device=rocm and rocm-sim: " +
    mlir::attn::chipNames() + " (default " + mlir::attn::defaultChip().str() +
    ")";
static cl::opt<std::string> chip("chip",
                                 cl::init(mlir::attn::defaultChip().str()),
                                 cl::desc(chipHelp), cl::cat(category));
static cl::opt<bool> printIR("print-ir-after-all",
                             cl::desc("Print the IR after every pass"),
                             cl::cat(category));
static cl::opt<bool>
    noGraphOpt("no-graph-opt", cl::desc("Skip the transposed-V graph pipeline"),
               cl::cat(category));
static cl::opt<int64_t>
    mTile("m-tile", cl::init(mlir::attn::kDefaultMTile),
          cl::desc("Rows of Q per parallel tile (0: 64 or 32, "
                   "whichever pads M less; 128 too for transposed f16 V)"),
          cl::cat(category));
static cl::opt<int64_t> k2Tile("k2-tile", cl::init(mlir::attn::kDefaultK2Tile),
                               cl::desc("Keys per K2 loop iteration"),
                               cl::cat(category));
static cl::opt<int64_t>
    k2Splits("k2-splits", cl::init(0),
             cl::desc("Split K2 across parallel workers (flash-decoding): 0 "
                      "automatic (when there are fewer batch x M tiles than "
                      "2 per worker), 1 never, N that many splits"),
             cl::cat(category));
static cl::opt<bool>
    bf16Dot("bf16-dot", cl::init(true),
            cl::desc("CPU: products of bf16 inputs on bf16 pairs "
                     "(vdpbf16ps) where the host has avx512_bf16; "
                     "--bf16-dot=false: in f32"),
            cl::cat(category));
static cl::opt<std::string>
    f32Mfma("f32-mfma", cl::init("exact"),
            cl::desc("GPU: MFMA inputs of f32 attention: exact (f32 MFMAs, "
                     "the default), f16 or bf16 (Q, K, V and P rounded: "
                     "faster, compared at that type's tolerance)"),
            cl::cat(category));
static cl::opt<std::string> kernelConfigText(
    "attn-kernel-config", cl::init(""),
    cl::desc("GPU: the attention kernel's configuration, "
             "key-block=32|64|128,waves=2|4|8,mfma=16x16x16|32x32x8,"
             "pipeline=0|1|2 (keys per loop iteration, waves per workgroup, "
             "MFMA shape: a wave serves its M query rows, key blocks staged "
             "ahead); a setting left out or 'auto' is chosen per chip and "
             "shape"),
    cl::cat(category));
static cl::opt<int64_t>
    gpuKeyBlock("gpu-key-block", cl::init(0),
                cl::desc("GPU: same as --attn-kernel-config=key-block=N"),
                cl::cat(category));
static cl::opt<bool> tune(
    "tune",
    cl::desc("With --device=rocm or rocm-sim: compile every attention kernel "
             "configuration (those --attn-kernel-config leaves open), print "
             "the static model's figures of each and use the best"),
    cl::cat(category));
/// --attn-kernel-config and --gpu-key-block, checked by chooseDevice.
static mlir::attn::AttentionKernelConfig kernelConfig;
static cl::opt<std::string>
    dumpInputs("dump-inputs",
               cl::desc("Write the inputs actually used to DIR/arg<i>.npy"),
               cl::cat(category));
static cl::opt<std::string> dumpObject(
    "dump-object",
    cl::desc("Write the JIT-compiled host object code to FILE (inspect it "
             "with objdump -d)"),
    cl::cat(category));
static cl::opt<bool> dumpKernelReport(
    "dump-kernel-report",
    cl::desc("With --device=rocm: print each GPU kernel's resources and "
             "instruction mix"),
    cl::cat(category));
static cl::opt<std::string> breakKernel(
    "break-kernel", cl::Hidden,
    cl::desc("Testing only (--device=rocm-sim): build a deliberately wrong "
             "kernel: swap-mfma-operands, no-barrier or stale-prefetch"),
    cl::cat(category));
static cl::opt<std::string> outputBinary(
    "output-binary",
    cl::desc("With --device=rocm or rocm-sim: write the GPU code object "
             "(all kernels) to FILE (.hsaco)"),
    cl::cat(category));
static cl::opt<std::string> dumpIsa(
    "dump-isa",
    cl::desc("With --device=rocm or rocm-sim: write the kernels' AMDGPU "
             "assembly to DIR/<gpu module>.s"),
    cl::cat(category));
static cl::opt<bool> compileOnly("compile-only",
                                 cl::desc("Compile, do not run"),
                                 cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "attn-run: error: " << message << "\n";
  return 1;
}

static void progress(const llvm::Twine &message) {
  llvm::errs() << "attn-run: " << message << "\n";
}

static std::string describe(const HostArray &a) {
  std::string s = formatShape(a.shape);
  return (a.shape.empty() ? "" : s + "x") + dtypeName(a.dtype);
}

static void printSummary(unsigned i, const HostArray &a) {
  double minV = INFINITY, maxV = -INFINITY, sum = 0;
  int64_t n = a.numElements();
  for (int64_t j = 0; j < n; ++j) {
    double v = getAsDouble(a, j);
    minV = std::min(minV, v);
    maxV = std::max(maxV, v);
    sum += v;
  }
  llvm::outs() << llvm::format("result[%u]: %s  min %.6g  max %.6g  mean "
                               "%.6g  checksum(sum) %.9g\n",
                               i, describe(a).c_str(), minV, maxV,
                               n ? sum / n : 0.0, sum);
  llvm::outs() << "  first values:";
  for (int64_t j = 0; j < std::min<int64_t>(n, 8); ++j)
    llvm::outs() << llvm::format(" %.6g", getAsDouble(a, j));
  llvm::outs() << (n > 8 ? " ...\n" : "\n");
}

static std::vector<double> toDoubles(const HostArray &a) {
  std::vector<double> v(a.numElements());
  for (size_t i = 0; i < v.size(); ++i)
    v[i] = getAsDouble(a, i);
  return v;
}

/// Default tolerances: f32 summation-order differences; f16/bf16 about two
/// units in the last place of values of magnitude <= 1 (outputs are convex
/// combinations of V rows), since both sides round the f32 result.
/// A result is only as precise as the least precise value it was computed
/// from (a bf16 attention extended to f32 differs in bf16 ulps), so the
/// element type compared is floored at `precisionFloor`: the least precise
/// float type in the entry function and, on the GPU, the kernels' MFMA
/// input type (they round P to it before P.V).
static int precisionRank(DType t) {
  return t == DType::BF16 ? 0 : t == DType::F16 ? 1 : 2;
}

static std::pair<double, double> tolerances(DType dtype,
                                            std::optional<DType> floor) {
  if (floor && precisionRank(*floor) < precisionRank(dtype))
    dtype = *floor;
  double atol = 1e-5, rtol = 1e-4;
  if (dtype == DType::F16)
    atol = rtol = 2e-3;
  else if (dtype == DType::BF16)
    atol = rtol = 1.6e-2;
  if (atolOpt >= 0)
    atol = atolOpt;
  if (rtolOpt >= 0)
    rtol = rtolOpt;
  return {atol, rtol};
}

/// The least precise float type (f16 or bf16) of any value in `func`.
static std::optional<DType> leastPreciseFloat(mlir::func::FuncOp func) {
  std::optional<DType> least;
  auto visit = [&](mlir::Type type) {
    mlir::Type elem = mlir::getElementTypeOrSelf(type);
    std::optional<DType> t;
    if (elem.isBF16())
      t = DType::BF16;
    else if (elem.isF16())
      t = DType::F16;
    if (t && (!least || precisionRank(*t) < precisionRank(*least)))
      least = t;
  };
  func.walk([&](mlir::Operation *op) {
    for (mlir::Type t : op->getResultTypes())
      visit(t);
  });
  for (mlir::Type t : func.getArgumentTypes())
    visit(t);
  return least;
}

/// Compares and prints one line; returns true when within tolerance.
static bool compare(llvm::StringRef what, unsigned i, const HostArray &got,
                    const HostArray &want, std::optional<DType> floor) {
  if (got.shape != want.shape) {
    llvm::outs() << what << " result[" << i << "]: shape "
                 << formatShape(got.shape) << " vs expected "
                 << formatShape(want.shape) << ": FAIL\n";
    return false;
  }
  auto [atol, rtol] = tolerances(got.dtype, floor);
  std::vector<double> g = toDoubles(got), w = toDoubles(want);
  ErrorStats stats = compareArrays(g, w, atol);
  bool ok = allClose(g, w, atol, rtol);
  llvm::outs() << llvm::format("%s result[%u]: max abs err %.3g, max rel err "
                               "%.3g (atol %g, rtol %g): %s\n",
                               what.str().c_str(), i, stats.maxAbs,
                               stats.maxRel, atol, rtol, ok ? "PASS" : "FAIL");
  return ok;
}

/// Sizes of one attention op's roles (products of their dims), with
/// dynamic sizes of entry arguments resolved from the actual inputs; a
/// size is negative when unknown.
struct RoleSizes {
  double batch = 1, m = 1, k1 = 1, k2 = 1, n = 1;
};

static std::vector<RoleSizes>
attentionSizes(mlir::func::FuncOp func, const std::vector<HostArray> &args) {
  std::vector<RoleSizes> all;
  func.walk([&](mlir::attn::AttentionOp op) {
    mlir::attn::AttentionDims dims = op.getDims();
    llvm::SmallVector<int64_t> sizes = mlir::attn::getStaticLoopSizes(
        op.getIndexingMapsArray(), op->getOperands());
    // Dynamic sizes of entry arguments: from the actual inputs.
    for (auto [map, operand] :
         llvm::zip(op.getIndexingMapsArray(), op->getOperands())) {
      auto arg = mlir::dyn_cast<mlir::BlockArgument>(operand);
      if (!arg || arg.getOwner()->getParentOp() != func ||
          arg.getArgNumber() >= args.size())
        continue;
      for (auto [pos, expr] : llvm::enumerate(map.getResults())) {
        unsigned d = mlir::cast<mlir::AffineDimExpr>(expr).getPosition();
        if (mlir::ShapedType::isDynamic(sizes[d]))
          sizes[d] = args[arg.getArgNumber()].shape[pos];
      }
    }
    auto product = [&](llvm::ArrayRef<unsigned> ds) {
      double p = 1;
      for (unsigned d : ds)
        p = mlir::ShapedType::isDynamic(sizes[d]) ? -1e300 : p * sizes[d];
      return p;
    };
    all.push_back({product(dims.batch), product(dims.m), product(dims.k1),
                   product(dims.k2), product(dims.n)});
  });
  return all;
}

/// FLOPs of the attention ops in `func` (2*B*M*K2*K1 + 2*B*M*K2*N each).
static std::optional<double> countFlops(llvm::ArrayRef<RoleSizes> ops) {
  double total = 0;
  for (const RoleSizes &r : ops) {
    double bm = r.batch * r.m * r.k2;
    total += 2 * bm * r.k1 + 2 * bm * r.n;
  }
  if (total < 0)
    return std::nullopt;
  return total;
}

/// The reference lowering materializes each attention's f32 scores and
/// their exponentials ([batch x M x K2] twice): refuses up front when that
/// is more than half of this machine's memory.
static bool referenceFits(llvm::ArrayRef<RoleSizes> ops, std::string &error) {
  for (const RoleSizes &r : ops) {
    double bytes = 2 * 4 * r.batch * r.m * r.k2;
    if (bytes > physicalMemoryBytes() / 2) {
      error = llvm::formatv("--check: the reference lowering materializes "
                            "the {0}x{1}x{2} (batch x M x K2) f32 scores "
                            "twice, {3}, more than half of this machine's "
                            "{4}; check a smaller size",
                            int64_t(r.batch), int64_t(r.m), int64_t(r.k2),
                            formatGiB(bytes), formatGiB(physicalMemoryBytes()))
                  .str();
      return false;
    }
  }
  return true;
}

static bool writeOutput(llvm::StringRef spec, const HostArray &array,
                        std::string &error) {
  if (!spec.starts_with("@")) {
    error = "--output must be @file.npy, got '" + spec.str() + "'";
    return false;
  }
  return writeNpy(spec.drop_front().str(), array, error);
}

/// Compiles `module` (consumed) for `options` and JIT-compiles the result:
/// one driver (codegen/Compiler.h), then the runtime.
static bool compile(mlir::ModuleOp module,
                    const mlir::attn::CompileOptions &options,
                    std::string &error) {
  std::vector<mlir::attn::WrittenFile> written;
  if (mlir::failed(mlir::attn::compileModule(module, function, options, error,
                                             &written)))
    return false;
  for (const mlir::attn::WrittenFile &file : written)
    progress("wrote " + file.path + " (" + std::to_string(file.bytes) +
             " bytes)");
  return true;
}

static std::unique_ptr<JitSession>
compileAndLoad(mlir::OwningOpRef<mlir::ModuleOp> module,
               const EntrySignature &sig,
               const mlir::attn::CompileOptions &options, const JitOptions &jit,
               std::string &error) {
  if (!compile(*module, options, error))
    return nullptr;
  return JitSession::create(*module, function, sig, jit, error);
}

/// The device after --device=auto is resolved; the HIP library for rocm.
struct DeviceChoice {
  std::string device, hipLibrary;
  bool isGpu() const { return device == "rocm" || device == "rocm-sim"; }
};

static std::optional<DeviceChoice> chooseDevice() {
  if (device != "auto" && device != "cpu" && device != "rocm" &&
      device != "rocm-sim") {
    fail("unknown --device '" + device +
         "' (expected cpu, rocm, rocm-sim or auto)");
    return std::nullopt;
  }
  if (!mlir::attn::lookupChip(chip)) {
    fail("unknown --chip '" + chip +
         "' (supported: " + mlir::attn::chipNames() + ")");
    return std::nullopt;
  }
  DeviceChoice choice{device, ""};
  if ((device == "rocm" && !compileOnly) || device == "auto") {
    HipProbe probe = probeHipRuntime(defaultHipLibraryCandidates());
    if (device == "rocm" && !probe.gpuAvailable) {
      fail("--device=rocm: " + probe.message);
      return std::nullopt;
    }
    if (device == "auto") {
      choice.device = probe.gpuAvailable ? "rocm" : "cpu";
      progress("device auto: " + probe.message + "; using " + choice.device);
    }
    choice.hipLibrary = probe.libraryPath;
  }
  if ((!outputBinary.empty() || !dumpIsa.empty()) && !choice.isGpu()) {
    fail("--output-binary and --dump-isa need --device=rocm or "
         "--device=rocm-sim");
    return std::nullopt;
  }
  if (mTile < 0 || k2Tile <= 0) {
    fail("--m-tile must not be negative (0: automatic), --k2-tile must be "
         "positive");
    return std::nullopt;
  }
  if (k2Splits < 0) {
    fail("--k2-splits must be 0 (automatic), 1 (never) or a split count");
    return std::nullopt;
  }
  std::string error;
  std::optional<mlir::attn::AttentionKernelConfig> config =
      mlir::attn::parseKernelConfig(kernelConfigText, error);
  if (!config) {
    fail("--attn-kernel-config: " + error);
    return std::nullopt;
  }
  if (gpuKeyBlock.getNumOccurrences()) {
    if (!mlir::attn::verifyKernelConfig({gpuKeyBlock, 0}, error)) {
      fail("--gpu-key-block: " + error);
      return std::nullopt;
    }
    if (config->keyBlock && gpuKeyBlock && config->keyBlock != gpuKeyBlock) {
      fail("--gpu-key-block=" + llvm::Twine(gpuKeyBlock.getValue()) +
           " and --attn-kernel-config key-block=" +
           llvm::Twine(config->keyBlock) + " disagree");
      return std::nullopt;
    }
    if (gpuKeyBlock)
      config->keyBlock = gpuKeyBlock;
  }
  kernelConfig = *config;
  if (tune && !choice.isGpu()) {
    fail("--tune needs --device=rocm or --device=rocm-sim");
    return std::nullopt;
  }
  if (!mlir::attn::isF32MfmaMode(f32Mfma)) {
    fail("--f32-mfma must be exact, f16 or bf16, got '" + f32Mfma + "'");
    return std::nullopt;
  }
  return choice;
}

static mlir::attn::CompileOptions compileOptions(const DeviceChoice &choice) {
  mlir::attn::CompileOptions options;
  options.graphOpt = !noGraphOpt;
  options.mTile = mTile;
  options.k2Tile = k2Tile;
  options.k2Splits = k2Splits;
  options.bf16Dot = bf16Dot;
  options.f32Mfma = f32Mfma;
  options.kernelConfig = kernelConfig;
  options.printIRAfterAll = printIR;
  if (choice.isGpu()) {
    options.target = choice.device == "rocm-sim"
                         ? mlir::attn::CompileTarget::RocmSim
                         : mlir::attn::CompileTarget::Rocm;
    options.chip = chip;
    options.kernelReport = dumpKernelReport;
    options.codeObjectPath = outputBinary;
    options.isaDir = dumpIsa;
    options.breakKernel = breakKernel;
  }
  return options;
}

/// The entry arguments from --input and --random-inputs.
static std::optional<std::vector<HostArray>>
makeInputs(const EntrySignature &sig) {
  std::string error;
  if (inputs.size() > sig.args.size()) {
    fail(llvm::Twine(inputs.size()) + " inputs given but @" + function +
         " takes " + llvm::Twine(sig.args.size()));
    return std::nullopt;
  }
  bool random = randomInputs.getNumOccurrences() > 0;
  uint64_t seed = 0;
  if (random && !randomInputs.empty() &&
      llvm::StringRef(randomInputs).getAsInteger(10, seed)) {
    fail("--random-inputs seed must be an integer, got '" + randomInputs + "'");
    return std::nullopt;
  }
  size_t needed = sig.args.size();
  while (needed > inputs.size() && !sig.args[needed - 1].npyFile.empty())
    --needed; // weights of an imported model load from their .npy files
  if (!random && inputs.size() < needed) {
    fail("@" + function + " takes " + llvm::Twine(sig.args.size()) +
         " arguments but " + llvm::Twine(inputs.size()) +
         " inputs were given (use --input or --random-inputs)");
    return std::nullopt;
  }
  std::vector<HostArray> args;
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < sig.args.size(); ++i) {
    std::string label = "input #" + std::to_string(i);
    std::optional<HostArray> array;
    if (i < inputs.size()) {
      llvm::StringRef spec = inputs[i];
      label += " (" + spec.str() + ")";
      array = spec.starts_with("@") ? readNpy(spec.drop_front().str(), error)
                                    : parseLiteralInput(spec, rng, error);
    } else if (!sig.args[i].npyFile.empty()) {
      // A weight of an imported model: its .npy file, next to the program.
      llvm::SmallString<256> path(sig.args[i].npyFile);
      if (llvm::sys::path::is_relative(path) && inputFile != "-") {
        path = llvm::sys::path::parent_path(inputFile);
        llvm::sys::path::append(path, sig.args[i].npyFile);
      }
      label += " (attn.npy " + path.str().str() + ")";
      array = readNpy(path.str().str(), error);
    } else if (staticNumElements(sig.args[i]) < 0 && sig.args[i].isTensor) {
      error = "argument type " + sig.args[i].typeString +
              " has dynamic dims; give it with --input";
    } else if (fitsInMemory(sig.args[i].shape, sig.args[i].dtype, error)) {
      array = randomInput(sig.args[i], rng);
    }
    if (!array || !checkInput(*array, sig.args[i], error)) {
      fail(label + ": " + error);
      return std::nullopt;
    }
    args.push_back(std::move(*array));
  }
  return args;
}

/// --dump-inputs and the --expected_output arrays.
static bool prepareFiles(const EntrySignature &sig,
                         const std::vector<HostArray> &args,
                         std::vector<HostArray> &expected) {
  std::string error;
  if (!dumpInputs.empty()) {
    ::mkdir(dumpInputs.c_str(), 0777);
    for (auto [i, array] : llvm::enumerate(args))
      if (!writeNpy(dumpInputs + "/arg" + std::to_string(i) + ".npy", array,
                    error))
        return fail(error), false;
  }
  if (outputs.size() > sig.results.size())
    return fail(llvm::Twine(outputs.size()) + " --output given but @" +
                function + " has " + llvm::Twine(sig.results.size()) +
                " results"),
           false;
  for (llvm::StringRef spec : expectedOutputs) {
    if (!spec.starts_with("@"))
      return fail("--expected_output must be @file.npy, got '" + spec + "'"),
             false;
    std::optional<HostArray> array = readNpy(spec.drop_front().str(), error);
    if (!array)
      return fail(error), false;
    expected.push_back(std::move(*array));
  }
  if (expected.size() > sig.results.size())
    return fail("more --expected_output than results"), false;
  return true;
}

/// The least precise type the results can be compared at: the function's
/// least precise float type and, on the GPU, the kernels' MFMA input type
/// (f32 attention multiplies in f32 unless --f32-mfma rounds it).
static std::optional<DType> comparisonFloor(mlir::func::FuncOp func, bool gpu) {
  std::optional<DType> floor = leastPreciseFloat(func);
  if (!gpu)
    return floor;
  func.walk([&](mlir::attn::AttentionOp op) {
    mlir::Type t = mlir::getElementTypeOrSelf(op.getQuery().getType());
    if (t.isF32() && f32Mfma == "exact")
      return;
    DType kernelInput = t.isBF16() || (t.isF32() && f32Mfma == "bf16")
                            ? DType::BF16
                            : DType::F16;
    if (!floor || precisionRank(kernelInput) < precisionRank(*floor))
      floor = kernelInput;
  });
  return floor;
}

/// --check: the same module through the reference lowering, compared.
static std::optional<bool> checkAgainstReference(
    mlir::OwningOpRef<mlir::ModuleOp> module, const EntrySignature &sig,
    const std::vector<HostArray> &args, const std::vector<HostArray> &results,
    std::optional<DType> floor) {
  std::string error;
  mlir::attn::CompileOptions options;
  options.target = mlir::attn::CompileTarget::Reference;
  progress("compiling the reference lowering...");
  std::unique_ptr<JitSession> reference =
      compileAndLoad(std::move(module), sig, options, JitOptions(), error);
  if (!reference)
    return fail("reference: " + error), std::nullopt;
  std::vector<HostArray> refResults;
  {
    Heartbeat heartbeat("running the reference lowering");
    if (!reference->run(args, refResults, error))
      return fail(error), std::nullopt;
  }
  bool ok = true;
  for (auto [i, r] : llvm::enumerate(results))
    ok &= compare("check", i, r, refResults[i], floor);
  return ok;
}

/// --benchmark=N: N timed runs after a warm-up.
static void runBenchmark(JitSession &session,
                         const std::vector<HostArray> &args,
                         std::optional<double> flops, bool emulated) {
  std::string error;
  std::vector<HostArray> scratch;
  session.run(args, scratch, error); // warm-up
  if (GpuLauncher *launcher = session.gpuLauncher())
    launcher->clearTimings(); // kernel times of the timed runs only
  std::vector<double> ms;
  for (unsigned i = 0; i < benchmark; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    session.run(args, scratch, error);
    ms.push_back(std::chrono::duration<double, std::milli>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  double median = ms.size() % 2
                      ? ms[ms.size() / 2]
                      : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  llvm::outs() << llvm::format("benchmark: %u runs after 1 warm-up: min "
                               "%.3f ms, median %.3f ms",
                               benchmark.getValue(), ms.front(), median);
  if (flops)
    llvm::outs() << llvm::format(", %.2f GFLOP/s (median)",
                                 *flops / (median * 1e6));
  llvm::outs() << llvm::format(", peak RSS %.1f MiB\n",
                               usage.ru_maxrss / 1024.0);
  if (GpuLauncher *launcher = session.gpuLauncher())
    for (const KernelTiming &t : launcher->timings())
      llvm::outs() << llvm::format(
          "  kernel %s: %d launches, %.3f ms per launch (%s)\n", t.name.c_str(),
          t.launches, t.milliseconds / t.launches,
          emulated ? "emulation, CPU wall clock" : "HIP events");
}

static std::string describeTarget(const DeviceChoice &choice) {
  if (choice.device == "rocm-sim")
    return "the GPU emulation (" + chip + " kernels on the CPU)";
  if (choice.device == "rocm" && compileOnly)
    return chip + " (code object only: no GPU needed)";
  if (choice.device == "rocm")
    return chip + " (HIP runtime " + choice.hipLibrary + ")";
  return "cpu";
}

/// The module as the graph pipeline's first step leaves it (attention
/// written in linalg raised to attn.attention), for the analyses that look
/// for attention ops: role sizes, FLOPs and the GPU comparison floor. Null
/// with --no-graph-opt, where nothing is raised.
static mlir::OwningOpRef<mlir::ModuleOp> raisedForAnalysis(mlir::ModuleOp m) {
  if (noGraphOpt)
    return nullptr;
  mlir::OwningOpRef<mlir::ModuleOp> raised = m.clone();
  mlir::PassManager pm(m.getContext());
  pm.addPass(mlir::attn::createAttnRaiseAttention());
  if (mlir::failed(pm.run(*raised)))
    return nullptr;
  return raised;
}

/// Compiles for the device and runs (unless --compile-only): results,
/// outputs, comparisons, benchmark. Returns the exit code.
static int compileAndRun(mlir::OwningOpRef<mlir::ModuleOp> module,
                         const DeviceChoice &choice) {
  std::string error;
  auto func = module->lookupSymbol<mlir::func::FuncOp>(function);
  EntrySignature sig;
  if (!getEntrySignature(func, sig, error))
    return fail("@" + function + ": " + error);
  std::vector<HostArray> args, expected;
  if (!compileOnly) {
    std::optional<std::vector<HostArray>> made = makeInputs(sig);
    if (!made)
      return 1;
    args = std::move(*made);
    if (!prepareFiles(sig, args, expected))
      return 1;
  }
  mlir::OwningOpRef<mlir::ModuleOp> raised = raisedForAnalysis(*module);
  auto analyzed =
      raised ? raised->lookupSymbol<mlir::func::FuncOp>(function) : func;
  std::vector<RoleSizes> roleSizes = attentionSizes(analyzed, args);
  if (check && !referenceFits(roleSizes, error))
    return fail(error);
  // The GPU kernels are generated for static shapes: a program with dynamic
  // dims is specialized to its inputs' shapes (the CPU code is not).
  if (choice.isGpu() && !compileOnly && mlir::attn::hasDynamicShapes(func)) {
    std::vector<std::vector<int64_t>> shapes;
    for (const HostArray &arg : args)
      shapes.push_back(arg.shape);
    if (mlir::failed(mlir::attn::specializeArgumentShapes(func, shapes, error)))
      return fail("@" + function + ": " + error);
    progress("specialized @" + function +
             " to its inputs' shapes for the GPU kernels");
  }
  std::optional<DType> floor = comparisonFloor(analyzed, choice.isGpu());
  mlir::OwningOpRef<mlir::ModuleOp> referenceModule;
  if (check)
    referenceModule = module->clone();

  progress("compiling @" + function + " for " + describeTarget(choice) + "...");
  auto start = std::chrono::steady_clock::now();
  mlir::attn::CompileOptions options = compileOptions(choice);
  if (tune) {
    std::optional<mlir::attn::TuneResult> tuned =
        mlir::attn::tuneKernelConfig(*module, function, options, error);
    if (!tuned)
      return fail("--tune: " + error);
    mlir::attn::printTuneTable(llvm::outs(), *tuned);
    llvm::outs().flush();
    if (tuned->best)
      options.kernelConfig = tuned->candidates[*tuned->best].config;
    // Nothing more to do without a run or an artifact to write.
    if (compileOnly && !dumpKernelReport && outputBinary.empty() &&
        dumpIsa.empty())
      return 0;
    progress("compiling @" + function + " with " + options.kernelConfig.str() +
             "...");
  }
  JitOptions jit;
  jit.dumpObjectPath = dumpObject;
  if (choice.isGpu()) {
    jit.gpu = choice.device == "rocm-sim" ? GpuExecution::Emulated
                                          : GpuExecution::Hip;
    jit.hipLibrary = choice.hipLibrary;
  }
  if (choice.isGpu() && compileOnly) {
    // Code objects, ISA and reports need no GPU (and no inputs).
    options.deviceOnly = true;
    return compile(*module, options, error) ? 0 : fail(error);
  }
  std::unique_ptr<JitSession> session =
      compileAndLoad(std::move(module), sig, options, jit, error);
  if (!session)
    return fail(error);
  progress(llvm::formatv(
      "compiled in {0:f2} s",
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count()));
  if (compileOnly)
    return 0;

  std::vector<HostArray> results;
  {
    // The emulation reports workgroups itself; one JIT call cannot.
    std::optional<Heartbeat> heartbeat;
    if (choice.device != "rocm-sim")
      heartbeat.emplace("running @" + function + " on " + choice.device);
    if (!session->run(args, results, error))
      return fail(error);
  }
  for (auto [i, r] : llvm::enumerate(results))
    printSummary(i, r);
  for (auto [i, spec] : llvm::enumerate(outputs))
    if (!writeOutput(spec, results[i], error))
      return fail(error);

  bool ok = true;
  for (auto [i, want] : llvm::enumerate(expected))
    ok &= compare("expected_output", i, results[i], want, floor);
  if (check) {
    std::optional<bool> checked = checkAgainstReference(
        std::move(referenceModule), sig, args, results, floor);
    if (!checked)
      return 1;
    ok &= *checked;
  }
  if (benchmark > 0)
    runBenchmark(*session, args, countFlops(roleSizes),
                 choice.device == "rocm-sim");
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  // A host allocation that fails anywhere (sizes are checked up front where
  // they are known) is one line and exit 1, not LLVM's crash report.
  llvm::install_bad_alloc_error_handler([](void *, const char *reason, bool) {
    std::fprintf(stderr, "attn-run: error: out of memory (%s)\n", reason);
    std::fflush(stderr);
    std::_Exit(1);
  });
  // OpenMP threads sleep at barriers instead of spinning: the GPU emulation
  // runs many more threads than cores. Read when libomp loads (at JIT time).
  setenv("KMP_BLOCKTIME", "0", /*overwrite=*/0);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "attn-run: compile an attention program with the attn pipelines and "
      "run it\n\n"
      "  attn-run FILE.mlir [--function=main] (--input=... | "
      "--random-inputs[=SEED]) [--output=@out.npy] [--check] "
      "[--benchmark=N]\n");
  std::optional<DeviceChoice> choice = chooseDevice();
  if (!choice)
    return 1;

  mlir::MLIRContext context;
  mlir::attn::setUpCompilerContext(context);
  std::string error;
  auto file = mlir::openInputFile(inputFile, &error);
  if (!file)
    return fail(error);
  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::SourceMgrDiagnosticHandler diagHandler(*sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // the parser printed file:line:col: error: ...
  if (!module->lookupSymbol<mlir::func::FuncOp>(function))
    return fail("no function @" + function + " in " + inputFile);
  return compileAndRun(std::move(module), *choice);
}
