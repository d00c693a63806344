//===- Engine.cpp - compile and run for the Python package ----------------===//

#include "python/attn/Engine.h"

#include "codegen/Compiler.h"
#include "codegen/ShapeSpecialization.h"
#include "runtime/HipRuntime.h"
#include "runtime/JitSession.h"
#include "transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <unistd.h>

using namespace attn::python;
using namespace attn::runtime;

namespace {

/// Collects the first error diagnostic as "file:line:col: error: message".
class FirstError {
public:
  explicit FirstError(mlir::MLIRContext &context)
      : handler(&context, [this](mlir::Diagnostic &diag) {
          if (diag.getSeverity() != mlir::DiagnosticSeverity::Error ||
              !message.empty())
            return mlir::success();
          llvm::raw_string_ostream os(message);
          if (auto loc =
                  mlir::dyn_cast<mlir::FileLineColLoc>(diag.getLocation()))
            os << loc.getFilename().getValue() << ":" << loc.getLine() << ":"
               << loc.getColumn() << ": ";
          os << "error: " << diag.str();
          return mlir::success();
        }) {}

  /// `what`, then the first diagnostic when there was one.
  std::string with(const std::string &what) const {
    if (message.empty())
      return what;
    return what.empty() ? message : what + ": " + message;
  }

private:
  std::string message;
  mlir::ScopedDiagnosticHandler handler;
};

/// Runs `fn` with file descriptor 1 sent to a temporary file and returns
/// what was written (the kernel report prints to llvm::outs()).
template <typename Fn> std::string captureStdout(Fn fn) {
  llvm::outs().flush();
  std::fflush(stdout);
  FILE *tmp = std::tmpfile();
  if (!tmp) {
    fn();
    return "";
  }
  int saved = ::dup(1);
  ::dup2(::fileno(tmp), 1);
  fn();
  llvm::outs().flush();
  std::fflush(stdout);
  ::dup2(saved, 1);
  ::close(saved);
  std::string text;
  std::rewind(tmp);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), tmp)) > 0)
    text.append(buffer, n);
  std::fclose(tmp);
  return text;
}

Param toParam(const ValueSpec &spec) {
  return {spec.dtype, spec.shape, spec.typeString, spec.npyFile};
}

} // namespace

struct Engine::Impl {
  // Declared first: destroyed last, after everything that refers to it.
  mlir::MLIRContext context;
  std::string entry, device, hipLibrary, report;
  mlir::attn::CompileOptions options;
  EntrySignature sig;
  std::vector<Param> args, results;
  mlir::OwningOpRef<mlir::ModuleOp> source, compiled;
  std::unique_ptr<JitSession> session;

  bool isGpu() const { return device == "rocm" || device == "rocm-sim"; }
  bool init(const std::string &text, const std::string &name,
            const EngineOptions &engineOptions, std::string &error);
};

bool Engine::Impl::init(const std::string &text, const std::string &name,
                        const EngineOptions &opts, std::string &error) {
  mlir::attn::setUpCompilerContext(context);
  FirstError diag(context);
  entry = opts.function;
  device = opts.device;
  std::string chip =
      opts.chip.empty() ? std::string(mlir::attn::defaultChip()) : opts.chip;
  if (device != "cpu" && device != "rocm" && device != "rocm-sim" &&
      device != "auto") {
    error = "unknown device '" + device +
            "' (expected cpu, rocm, rocm-sim or auto)";
    return false;
  }
  if (!mlir::attn::lookupChip(chip)) {
    error = "unknown chip '" + chip +
            "' (supported: " + mlir::attn::chipNames() + ")";
    return false;
  }
  if (opts.mTile < 0 || opts.k2Tile <= 0) {
    error = "m_tile must not be negative (0: automatic), k2_tile must be "
            "positive";
    return false;
  }
  if (opts.k2Splits < 0) {
    error = "k2_splits must be 0 (automatic), 1 (never) or a split count";
    return false;
  }
  if (!mlir::attn::isF32MfmaMode(opts.f32Mfma)) {
    error = "f32_mfma must be exact, f16 or bf16, got '" + opts.f32Mfma + "'";
    return false;
  }
  std::optional<mlir::attn::AttentionKernelConfig> kernelConfig =
      mlir::attn::parseKernelConfig(opts.kernelConfig, error);
  if (!kernelConfig) {
    error = "kernel_config: " + error;
    return false;
  }
  if (device == "rocm" || device == "auto") {
    HipProbe probe = probeHipRuntime(defaultHipLibraryCandidates());
    if (device == "rocm" && !probe.gpuAvailable) {
      error = "device rocm: " + probe.message;
      return false;
    }
    device = probe.gpuAvailable ? "rocm" : "cpu";
    hipLibrary = probe.libraryPath;
  }

  auto sourceMgr = std::make_shared<llvm::SourceMgr>();
  sourceMgr->AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, name), llvm::SMLoc());
  source = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!source) {
    error = diag.with("");
    if (error.empty())
      error = "cannot parse " + name;
    return false;
  }
  auto func = source->lookupSymbol<mlir::func::FuncOp>(entry);
  if (!func) {
    error = "no function @" + entry + " in " + name;
    return false;
  }
  if (!getEntrySignature(func, sig, error)) {
    error = "@" + entry + ": " + error;
    return false;
  }
  if (isGpu() && mlir::attn::hasDynamicShapes(func)) {
    error = "@" + entry +
            " has dynamic dims: GPU devices need static shapes in "
            "attn.compile (attn-run specializes them to its inputs)";
    return false;
  }
  for (const ValueSpec &spec : sig.args)
    args.push_back(toParam(spec));
  for (const ValueSpec &spec : sig.results)
    results.push_back(toParam(spec));

  options.graphOpt = opts.graphOpt;
  options.mTile = opts.mTile;
  options.k2Tile = opts.k2Tile;
  options.k2Splits = opts.k2Splits;
  options.bf16Dot = opts.bf16Dot;
  options.f32Mfma = opts.f32Mfma;
  options.kernelConfig = *kernelConfig;
  JitOptions jit;
  if (isGpu()) {
    bool sim = device == "rocm-sim";
    options.target = sim ? mlir::attn::CompileTarget::RocmSim
                         : mlir::attn::CompileTarget::Rocm;
    options.chip = chip;
    jit.gpu = sim ? GpuExecution::Emulated : GpuExecution::Hip;
    jit.hipLibrary = hipLibrary;
  }
  compiled = source->clone();
  if (mlir::failed(
          mlir::attn::compileModule(*compiled, entry, options, error))) {
    error = diag.with(error);
    return false;
  }
  session = JitSession::create(*compiled, entry, sig, jit, error);
  if (!session) {
    error = diag.with(error);
    return false;
  }
  return true;
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::create(const std::string &text,
                                       const std::string &name,
                                       const EngineOptions &options,
                                       std::string &error) {
  auto impl = std::make_unique<Impl>();
  if (!impl->init(text, name, options, error))
    return nullptr;
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const std::vector<Param> &Engine::arguments() const { return impl->args; }
const std::vector<Param> &Engine::results() const { return impl->results; }
const std::string &Engine::device() const { return impl->device; }

bool Engine::run(const std::vector<HostArray> &inputs,
                 std::vector<HostArray> &outputs, std::string &error) {
  const EntrySignature &sig = impl->sig;
  if (inputs.size() != sig.args.size()) {
    error = "@" + impl->entry + " takes " + std::to_string(sig.args.size()) +
            " arguments, got " + std::to_string(inputs.size());
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!checkInput(inputs[i], sig.args[i], error)) {
      error = "input #" + std::to_string(i) + ": " + error;
      return false;
    }
  outputs.clear();
  return impl->session->run(inputs, outputs, error);
}

bool Engine::ir(const std::string &stage, std::string &text,
                std::string &error) {
  text.clear();
  llvm::raw_string_ostream os(text);
  if (stage == "input") {
    impl->source->print(os);
  } else if (stage == "graph") {
    // The graph pipeline every target starts with (codegen/Pipelines).
    mlir::OwningOpRef<mlir::ModuleOp> copy = impl->source->clone();
    FirstError diag(impl->context);
    mlir::PassManager pm(&impl->context);
    mlir::attn::buildGraphOptPipeline(pm);
    if (mlir::failed(pm.run(*copy))) {
      error = diag.with("attn-graph-opt failed");
      return false;
    }
    copy->print(os);
  } else if (stage == "lowered") {
    impl->compiled->print(os);
  } else {
    error =
        "unknown IR stage '" + stage + "' (expected input, graph or lowered)";
    return false;
  }
  return true;
}

bool Engine::kernelReport(std::string &text, std::string &error) {
  if (!impl->isGpu()) {
    error = "kernel reports are made for GPU devices (rocm, rocm-sim); this "
            "program was compiled for " +
            impl->device;
    return false;
  }
  if (impl->report.empty()) {
    mlir::attn::CompileOptions options = impl->options;
    options.kernelReport = true;
    options.deviceOnly = true;
    mlir::OwningOpRef<mlir::ModuleOp> copy = impl->source->clone();
    FirstError diag(impl->context);
    bool ok = true;
    impl->report = captureStdout([&] {
      ok = mlir::succeeded(
          mlir::attn::compileModule(*copy, impl->entry, options, error));
    });
    if (!ok) {
      impl->report.clear();
      error = diag.with(error);
      return false;
    }
  }
  text = impl->report;
  return true;
}

std::string attn::python::defaultChipName() {
  return std::string(mlir::attn::defaultChip());
}

std::string attn::python::supportedChips() { return mlir::attn::chipNames(); }
