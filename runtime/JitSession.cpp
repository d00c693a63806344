//===- JitSession.cpp - run a compiled module on the host -----------------===//

#include "runtime/JitSession.h"
#include "runtime/GpuLauncher.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <set>

using namespace attn::runtime;

#ifndef ATTN_LIBOMP_PATH
#error "ATTN_LIBOMP_PATH must name the OpenMP runtime (set by CMake)"
#endif
#ifndef ATTN_C_RUNNER_UTILS_PATH
#error "ATTN_C_RUNNER_UTILS_PATH must be set by CMake"
#endif

/// The compiled code's malloc: a failed allocation (a buffer larger than
/// the machine can give) ends the program with a one-line error instead of
/// a null pointer dereference. The JIT cannot unwind, so it exits here.
extern "C" void *attnCheckedMalloc(size_t bytes) {
  if (void *p = std::malloc(bytes))
    return p;
  if (bytes == 0)
    return nullptr;
  std::fprintf(stderr,
               "%s: error: out of memory: the compiled program could not "
               "allocate a buffer of %zu bytes (%.1f GiB)\n",
               program_invocation_short_name, bytes,
               double(bytes) / (1024.0 * 1024 * 1024));
  std::fflush(stderr);
  std::_Exit(1);
}

static std::optional<DType> toDType(mlir::Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isInteger(1))
    return DType::I1;
  if (type.isInteger(8))
    return DType::I8;
  if (type.isInteger(32))
    return DType::I32;
  return std::nullopt;
}

static bool toSpec(mlir::Type type, ValueSpec &spec, std::string &error) {
  llvm::raw_string_ostream os(spec.typeString);
  os << type;
  mlir::Type elem = type;
  if (auto tensor = mlir::dyn_cast<mlir::RankedTensorType>(type)) {
    elem = tensor.getElementType();
    for (int64_t d : tensor.getShape())
      spec.shape.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  } else if (mlir::isa<mlir::ShapedType>(type)) {
    error = "unsupported type " + spec.typeString +
            " (ranked tensors and scalars only)";
    return false;
  } else {
    spec.isTensor = false;
    if (type.isInteger(1)) {
      error = "unsupported scalar type i1";
      return false;
    }
  }
  std::optional<DType> dtype = toDType(elem);
  if (!dtype) {
    error = "unsupported element type in " + spec.typeString +
            " (supported: f32, f16, bf16, i1, i8, i32)";
    return false;
  }
  spec.dtype = *dtype;
  return true;
}

bool attn::runtime::getEntrySignature(mlir::func::FuncOp func,
                                      EntrySignature &sig, std::string &error) {
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    ValueSpec spec;
    if (!toSpec(type, spec, error)) {
      error = "argument #" + std::to_string(i) + ": " + error;
      return false;
    }
    if (auto file = func.getArgAttrOfType<mlir::StringAttr>(i, "attn.npy"))
      spec.npyFile = file.str();
    sig.args.push_back(spec);
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    ValueSpec spec;
    if (!toSpec(type, spec, error) || !spec.isTensor) {
      if (!spec.isTensor)
        error = "results must be tensors, got " + spec.typeString;
      error = "result #" + std::to_string(i) + ": " + error;
      return false;
    }
    sig.results.push_back(spec);
  }
  return true;
}

int64_t attn::runtime::staticNumElements(const ValueSpec &spec) {
  int64_t n = 1;
  for (int64_t d : spec.shape) {
    if (d < 0)
      return -1;
    n *= d;
  }
  return n;
}

bool attn::runtime::checkInput(const HostArray &array, const ValueSpec &spec,
                               std::string &error) {
  if (array.dtype != spec.dtype) {
    error = std::string("element type ") + dtypeName(array.dtype) +
            " does not match the argument type " + spec.typeString;
    return false;
  }
  if (!spec.isTensor) {
    if (!array.shape.empty()) {
      error = "a " + formatShape(array.shape) +
              " array was given for the scalar argument " + spec.typeString;
      return false;
    }
    return true;
  }
  bool ok = array.shape.size() == spec.shape.size();
  for (size_t i = 0; ok && i < spec.shape.size(); ++i)
    ok = spec.shape[i] < 0 || spec.shape[i] == array.shape[i];
  if (!ok) {
    error = "shape " + formatShape(array.shape) +
            " does not match the argument type " + spec.typeString;
    return false;
  }
  return true;
}

JitSession::~JitSession() = default;

/// The host target machine and an ExecutionEngine for `module`.
static std::unique_ptr<mlir::ExecutionEngine>
createEngine(mlir::ModuleOp module, const JitOptions &options,
             std::string &error) {
  static const bool targetsReady = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targetsReady;
  mlir::DialectRegistry registry;
  mlir::registerAllToLLVMIRTranslations(registry);
  module.getContext()->appendDialectRegistry(registry);

  auto tmBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder) {
    error = "cannot detect the host target: " +
            llvm::toString(tmBuilder.takeError());
    return nullptr;
  }
  auto tm = tmBuilder->createTargetMachine();
  if (!tm) {
    error = "cannot create the host target machine: " +
            llvm::toString(tm.takeError());
    return nullptr;
  }
  // The options keep a reference to the transformer: keep it named.
  auto transformer = mlir::makeOptimizingTransformer(3, 0, tm->get());
  llvm::StringRef libs[] = {ATTN_LIBOMP_PATH, ATTN_C_RUNNER_UTILS_PATH};
  mlir::ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  engineOptions.sharedLibPaths = libs;
  engineOptions.enableObjectDump = !options.dumpObjectPath.empty();
  auto engine =
      mlir::ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine) {
    error = "JIT compilation failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  return std::move(*engine);
}

/// Makes `symbols` (name -> address) visible to the JIT-compiled code.
static void defineSymbols(mlir::ExecutionEngine &engine,
                          std::vector<std::pair<std::string, void *>> symbols) {
  engine.registerSymbols([symbols](llvm::orc::MangleAndInterner mangle) {
    llvm::orc::SymbolMap map;
    for (const auto &[name, address] : symbols)
      map[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(address),
                           llvm::JITSymbolFlags::Exported};
    return map;
  });
}

/// The launcher behind GPU host code: the emulation (kernels looked up in
/// the JIT) or HIP. Module loads run as global constructors.
static std::unique_ptr<GpuLauncher>
createLauncher(mlir::ExecutionEngine &engine, const JitOptions &options,
               std::string &error) {
  std::vector<std::pair<std::string, void *>> entryPoints;
  for (auto [name, address] : GpuLauncher::entryPoints())
    entryPoints.emplace_back(name, address);
  defineSymbols(engine, entryPoints);
  std::unique_ptr<GpuLauncher> launcher;
  if (options.gpu == GpuExecution::Emulated) {
    mlir::ExecutionEngine *jit = &engine;
    launcher = GpuLauncher::createEmulated(
        [jit](const std::string &kernel) -> EmulatedKernelFn {
          auto fn = jit->lookupPacked(emulatedKernelSymbol(kernel));
          if (!fn) {
            llvm::consumeError(fn.takeError());
            return nullptr;
          }
          return *fn;
        });
  } else {
    launcher = GpuLauncher::createHip(options.hipLibrary, error);
    if (!launcher)
      return nullptr;
  }
  launcher->activate();
  engine.initialize();
  if (launcher->failed()) {
    error = launcher->takeError();
    return nullptr;
  }
  return launcher;
}

std::unique_ptr<JitSession> JitSession::create(mlir::ModuleOp module,
                                               const std::string &entry,
                                               const EntrySignature &sig,
                                               const JitOptions &options,
                                               std::string &error) {
  std::unique_ptr<JitSession> session(new JitSession());
  session->entry = entry;
  session->sig = sig;
  session->engine = createEngine(module, options, error);
  if (!session->engine)
    return nullptr;
  // The compiled code's allocations fail with a one-line error.
  std::vector<std::pair<std::string, void *>> symbols = {
      {"malloc", reinterpret_cast<void *>(&attnCheckedMalloc)}};
  // The OpenMP queries of compiled code (the GPU emulation's thread ids)
  // must come from the libomp that runs its parallel regions: in a process
  // that loaded GNU libgomp first (a Python process that imported torch),
  // the process-wide lookup finds libgomp's, which answers 0 in every
  // libomp thread.
  if (void *libomp = ::dlopen(ATTN_LIBOMP_PATH, RTLD_NOW | RTLD_GLOBAL))
    for (const char *name : {"omp_get_thread_num", "omp_get_num_threads"})
      if (void *address = ::dlsym(libomp, name))
        symbols.emplace_back(name, address);
  defineSymbols(*session->engine, symbols);
  if (options.gpu != GpuExecution::None) {
    session->launcher = createLauncher(*session->engine, options, error);
    if (!session->launcher)
      return nullptr;
  }
  auto packed = session->engine->lookupPacked("_mlir_ciface_" + entry);
  if (!packed) {
    error = "JIT: no entry point for @" + entry + ": " +
            llvm::toString(packed.takeError());
    return nullptr;
  }
  session->packed = *packed;
  if (!options.dumpObjectPath.empty())
    session->engine->dumpToObjectFile(options.dumpObjectPath);
  return session;
}

namespace {
/// A strided memref descriptor of any rank, laid out as the LLVM lowering
/// does: {allocated, aligned, offset, sizes[rank], strides[rank]}, all
/// 64-bit.
struct Descriptor {
  std::vector<int64_t> words;
  explicit Descriptor(size_t rank) : words(3 + 2 * rank, 0) {}
  static size_t numWords(size_t rank) { return 3 + 2 * rank; }
};

int64_t *fillDescriptor(std::vector<int64_t> &words, const HostArray &array) {
  size_t rank = array.shape.size();
  words.assign(Descriptor::numWords(rank), 0);
  auto ptr = reinterpret_cast<int64_t>(array.data.data());
  words[0] = ptr;
  words[1] = ptr;
  int64_t stride = 1;
  for (size_t i = rank; i-- > 0;) {
    words[3 + i] = array.shape[i];
    words[3 + rank + i] = stride;
    stride *= array.shape[i];
  }
  return words.data();
}
} // namespace

bool JitSession::run(const std::vector<HostArray> &inputs,
                     std::vector<HostArray> &outputs, std::string &error) {
  // Storage for every argument the packed wrapper dereferences.
  std::vector<std::vector<int64_t>> descriptors(inputs.size());
  std::vector<int64_t *> descriptorPtrs(inputs.size());
  std::vector<uint64_t> scalars(inputs.size(), 0);
  size_t resultWords = 0;
  for (const ValueSpec &r : sig.results)
    resultWords += Descriptor::numWords(r.shape.size());
  std::vector<int64_t> resultStorage(resultWords, 0);
  void *resultPtr = resultStorage.data();

  std::vector<void *> args;
  if (!sig.results.empty())
    args.push_back(&resultPtr);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (sig.args[i].isTensor) {
      descriptorPtrs[i] = fillDescriptor(descriptors[i], inputs[i]);
      args.push_back(&descriptorPtrs[i]);
    } else {
      std::memcpy(&scalars[i], inputs[i].data.data(), inputs[i].data.size());
      args.push_back(&scalars[i]);
    }
  }
  if (launcher)
    launcher->activate();
  packed(args.data());
  if (launcher && launcher->failed()) {
    error = launcher->takeError();
    return false;
  }

  // Copy the results out and release what the compiled code allocated.
  std::set<int64_t> inputBuffers, freed;
  for (const HostArray &in : inputs)
    inputBuffers.insert(reinterpret_cast<int64_t>(in.data.data()));
  outputs.clear();
  size_t pos = 0;
  for (const ValueSpec &spec : sig.results) {
    size_t rank = spec.shape.size();
    const int64_t *d = resultStorage.data() + pos;
    pos += Descriptor::numWords(rank);
    std::vector<int64_t> shape(d + 3, d + 3 + rank);
    HostArray out = HostArray::zeros(spec.dtype, shape);
    size_t elemSize = dtypeSize(spec.dtype);
    auto *base = reinterpret_cast<const uint8_t *>(d[1]) + d[2] * elemSize;
    // General strided copy (results are normally contiguous).
    int64_t n = out.numElements();
    std::vector<int64_t> index(rank, 0);
    for (int64_t linear = 0; linear < n; ++linear) {
      int64_t offset = 0;
      for (size_t k = 0; k < rank; ++k)
        offset += index[k] * d[3 + rank + k];
      std::memcpy(out.data.data() + linear * elemSize, base + offset * elemSize,
                  elemSize);
      for (size_t k = rank; k-- > 0;) {
        if (++index[k] < shape[k])
          break;
        index[k] = 0;
      }
    }
    outputs.push_back(std::move(out));
    int64_t allocated = d[0];
    if (allocated && !inputBuffers.count(allocated) &&
        freed.insert(allocated).second)
      std::free(reinterpret_cast<void *>(allocated));
  }
  return true;
}
