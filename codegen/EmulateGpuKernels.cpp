//===- EmulateGpuKernels.cpp - run gpu-dialect kernels on the CPU ---------===//
//
// GPU semantics on the host, built from MLIR ops (nothing interprets ISA):
// a workgroup is an omp.parallel region with one OpenMP thread per GPU
// thread, so barriers are real barriers and threads cannot run ahead.
//
// amdgpu.mfma TxTxK (wave64, one block; T = 16 or 32) lane layouts, from
// AMD's matrix-instruction tables (AMD Matrix Instruction Calculator, CDNA3
// ISA reference guide, "MFMA" section), l = lane, G = 64 / T lane groups,
// E = K / G elements per lane (16x16x16 and 32x32x8 f16/bf16: E = 4;
// 16x16x4 and 32x32x2 f32: E = 1, a scalar operand):
//   A[m][k] is held by lane m + T * (k / E), element k % E
//   B[k][n] is held by lane n + T * (k / E), element k % E
//   D[m][n] is produced in lane n + T * ((m / 4) % G), element
//           4 * (m / (4 * G)) + m % 4 (T * T / 64 elements per lane)
// A kernel that uses a wrong layout computes wrong numbers here exactly as
// it would on hardware.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNEMULATEGPUKERNELS
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr int64_t kWave = 64;

/// Buffers one emulated launch shares between its threads.
struct SharedState {
  Value shuffle;      // memref<threads x f32>
  Value mfmaA, mfmaB; // memref<threads x 4 x T>: the wave's A and B fragments
};

class Emulator {
public:
  Emulator(ImplicitLocOpBuilder &b, Value tid, const SharedState &shared)
      : b(b), tid(tid), shared(shared) {}

  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  Value shuffleXor(gpu::ShuffleOp op) {
    Value offset =
        arith::IndexCastOp::create(b, b.getIndexType(), op.getOffset());
    memref::StoreOp::create(b, op.getValue(), shared.shuffle, tid);
    omp::BarrierOp::create(b);
    // The partner within the same wave (xor of the lane id).
    Value lane = arith::RemUIOp::create(b, tid, cst(kWave));
    Value base = arith::SubIOp::create(b, tid, lane);
    Value partner =
        arith::AddIOp::create(b, base, arith::XOrIOp::create(b, lane, offset));
    Value value = memref::LoadOp::create(b, shared.shuffle, partner);
    omp::BarrierOp::create(b);
    return value;
  }

  /// Stores this lane's fragment (a vector or, for E = 1, a scalar).
  void storeFragment(Value fragment, Value buffer) {
    Value c0 = cst(0);
    if (isa<VectorType>(fragment.getType()))
      vector::StoreOp::create(b, fragment, buffer, ValueRange{tid, c0});
    else
      memref::StoreOp::create(b, fragment, buffer, ValueRange{tid, c0});
  }

  Value mfma(amdgpu::MFMAOp op) {
    int64_t t = op.getM(), groups = kWave / t, k = op.getK(),
            perLane = k / groups;
    storeFragment(op.getSourceA(), shared.mfmaA);
    storeFragment(op.getSourceB(), shared.mfmaB);
    omp::BarrierOp::create(b);
    Value lane = arith::RemUIOp::create(b, tid, cst(kWave));
    Value base = arith::SubIOp::create(b, tid, lane);
    Value col = arith::RemUIOp::create(b, lane, cst(t));
    Value rowBase = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, lane, cst(t)), cst(4));
    Type f32 = b.getF32Type();
    SmallVector<Value> results;
    for (int64_t i = 0; i < t * t / kWave; ++i) {
      Value row =
          arith::AddIOp::create(b, rowBase, cst(4 * groups * (i / 4) + i % 4));
      Value init = vector::ExtractOp::create(b, op.getDestC(), i);
      auto loop = scf::ForOp::create(
          b, cst(0), cst(k), cst(1), ValueRange{init},
          [&](OpBuilder &nb, Location loc, Value kk, ValueRange acc) {
            ImplicitLocOpBuilder ib(loc, nb);
            Value perLaneCst = arith::ConstantIndexOp::create(ib, perLane);
            Value kGroup = arith::MulIOp::create(
                ib, arith::DivUIOp::create(ib, kk, perLaneCst),
                arith::ConstantIndexOp::create(ib, t));
            Value kElem = arith::RemUIOp::create(ib, kk, perLaneCst);
            Value aLane = arith::AddIOp::create(
                ib, base, arith::AddIOp::create(ib, row, kGroup));
            Value bLane = arith::AddIOp::create(
                ib, base, arith::AddIOp::create(ib, col, kGroup));
            Value a = memref::LoadOp::create(ib, shared.mfmaA,
                                             ValueRange{aLane, kElem});
            Value bv = memref::LoadOp::create(ib, shared.mfmaB,
                                              ValueRange{bLane, kElem});
            if (a.getType() != f32) {
              a = arith::ExtFOp::create(ib, f32, a);
              bv = arith::ExtFOp::create(ib, f32, bv);
            }
            Value sum = arith::AddFOp::create(ib, acc[0],
                                              arith::MulFOp::create(ib, a, bv));
            scf::YieldOp::create(ib, sum);
          });
      results.push_back(loop.getResult(0));
    }
    // Nobody may overwrite the fragments before every lane has read them.
    omp::BarrierOp::create(b);
    return vector::FromElementsOp::create(
        b, cast<VectorType>(op.getDestC().getType()), results);
  }

private:
  ImplicitLocOpBuilder &b;
  Value tid;
  const SharedState &shared;
};

/// What the rewritten GPU ops of one workgroup's emulation refer to.
struct Workgroup {
  DenseI32ArrayAttr blockSize;
  Value threadIds[3];
  ValueRange blockIds;
  Emulator *emulator;
};

/// Threads per workgroup and the one MFMA input type of `kernel` (null if
/// it has no MFMA), or an error when the emulation cannot run it.
FailureOr<std::pair<int64_t, Type>> emulationShape(gpu::GPUFuncOp kernel) {
  auto blockSize = kernel.getKnownBlockSizeAttr();
  if (!blockSize)
    return kernel.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " has no known block size";
  if (!kernel.getBody().hasOneBlock())
    return kernel.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " is not one block";
  Type mfmaElem;
  WalkResult typeWalk = kernel.walk([&](amdgpu::MFMAOp mma) {
    Type elem = getElementTypeOrSelf(mma.getSourceA().getType());
    if (mfmaElem && mfmaElem != elem)
      return WalkResult::interrupt();
    mfmaElem = elem;
    return WalkResult::advance();
  });
  if (typeWalk.wasInterrupted())
    return kernel.emitError("attn-emulate-gpu-kernels: MFMAs of several "
                            "input types in one kernel");
  int64_t threads = int64_t(blockSize[0]) * blockSize[1] * blockSize[2];
  return std::make_pair(threads, mfmaElem);
}

/// Replaces one GPU op of the cloned kernel body by its emulation.
LogicalResult emulateOp(ImplicitLocOpBuilder &b, Operation *gpuOp,
                        const Workgroup &wg) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  if (auto id = dyn_cast<gpu::ThreadIdOp>(gpuOp)) {
    gpuOp->getResult(0).replaceAllUsesWith(
        wg.threadIds[static_cast<int>(id.getDimension())]);
  } else if (auto id = dyn_cast<gpu::BlockIdOp>(gpuOp)) {
    gpuOp->getResult(0).replaceAllUsesWith(
        wg.blockIds[static_cast<int>(id.getDimension())]);
  } else if (auto dim = dyn_cast<gpu::BlockDimOp>(gpuOp)) {
    gpuOp->getResult(0).replaceAllUsesWith(
        cst(wg.blockSize[static_cast<int>(dim.getDimension())]));
  } else if (isa<gpu::BarrierOp>(gpuOp)) {
    omp::BarrierOp::create(b);
  } else if (auto shuffle = dyn_cast<gpu::ShuffleOp>(gpuOp)) {
    if (shuffle.getMode() != gpu::ShuffleMode::XOR ||
        !shuffle.getValue().getType().isF32())
      return shuffle.emitError("attn-emulate-gpu-kernels: only f32 xor "
                               "shuffles are emulated");
    gpuOp->getResult(0).replaceAllUsesWith(wg.emulator->shuffleXor(shuffle));
    gpuOp->getResult(1).replaceAllUsesWith(
        arith::ConstantIntOp::create(b, 1, 1).getResult());
  } else if (isa<amdgpu::SchedBarrierOp, ROCDL::SchedGroupBarrier>(gpuOp)) {
    // Only constrains the backend's instruction scheduler: nothing to run.
  } else if (auto exp2 = dyn_cast<ROCDL::ROCDLExp2>(gpuOp)) {
    // The hardware's exp2 (v_exp_f32, about 1 ulp, denormal results
    // flushed) as the host's exp2.
    gpuOp->getResult(0).replaceAllUsesWith(
        math::Exp2Op::create(b, exp2.getArg()).getResult());
  } else if (auto mma = dyn_cast<amdgpu::MFMAOp>(gpuOp)) {
    bool f32 = getElementTypeOrSelf(mma.getSourceA().getType()).isF32();
    int64_t t = mma.getM();
    if ((t != 16 && t != 32) || mma.getN() != t ||
        mma.getK() != (f32 ? 1 : 4) * kWave / t || mma.getBlocks() != 1)
      return mma.emitError("attn-emulate-gpu-kernels: only amdgpu.mfma "
                           "16x16x16, 32x32x8 (f16, bf16), 16x16x4 and "
                           "32x32x2 (f32) are emulated");
    gpuOp->getResult(0).replaceAllUsesWith(wg.emulator->mfma(mma));
  }
  gpuOp->erase();
  return success();
}

/// The GPU ops of `body` to emulate; an error for one the emulation lacks.
FailureOr<SmallVector<Operation *>> collectGpuOps(Block *body,
                                                  gpu::GPUFuncOp kernel) {
  SmallVector<Operation *> gpuOps;
  Operation *unsupported = nullptr;
  body->walk([&](Operation *nested) {
    if (isa<gpu::GridDimOp>(nested) && nested->use_empty())
      gpuOps.push_back(nested); // unused grid queries just go
    else if (isa<gpu::ThreadIdOp, gpu::BlockIdOp, gpu::BlockDimOp,
                 gpu::BarrierOp, gpu::ShuffleOp, amdgpu::MFMAOp,
                 amdgpu::SchedBarrierOp, ROCDL::SchedGroupBarrier,
                 ROCDL::ROCDLExp2>(nested))
      gpuOps.push_back(nested);
    else if (nested->getDialect() &&
             isa<gpu::GPUDialect, amdgpu::AMDGPUDialect, ROCDL::ROCDLDialect>(
                 nested->getDialect()))
      unsupported = nested;
  });
  if (unsupported)
    return unsupported->emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " uses a GPU op the emulation lacks";
  return gpuOps;
}

/// Per-workgroup buffers: workgroup memory (one workgroup runs at a time)
/// and the emulator's exchange buffers. All are freed by the caller.
SmallVector<Value> allocateWorkgroupBuffers(ImplicitLocOpBuilder &b,
                                            gpu::GPUFuncOp kernel,
                                            int64_t threads, Type mfmaElem,
                                            SharedState &shared,
                                            SmallVector<Value> &workgroup) {
  for (BlockArgument attr : kernel.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attr.getType());
    workgroup.push_back(memref::AllocOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType())));
  }
  shared.shuffle =
      memref::AllocOp::create(b, MemRefType::get({threads}, b.getF32Type()));
  SmallVector<Value> buffers(workgroup);
  buffers.push_back(shared.shuffle);
  if (mfmaElem) {
    shared.mfmaA =
        memref::AllocOp::create(b, MemRefType::get({threads, 4}, mfmaElem));
    shared.mfmaB =
        memref::AllocOp::create(b, MemRefType::get({threads, 4}, mfmaElem));
    buffers.append({shared.mfmaA, shared.mfmaB});
  }
  return buffers;
}

/// Views of workgroup memory in the cloned body (a collapse_shape of an
/// LDS tile, ...) keep the workgroup address space in their result types;
/// the emulated workgroup memory is a plain host buffer, so they lose it.
void dropWorkgroupMemorySpace(Block *body) {
  body->walk([](Operation *op) {
    for (Value result : op->getResults()) {
      auto type = dyn_cast<MemRefType>(result.getType());
      if (type && isa_and_nonnull<gpu::AddressSpaceAttr>(type.getMemorySpace()))
        result.setType(MemRefType::Builder(type).setMemorySpace(nullptr));
    }
  });
}

/// Thread ids of a (x, y, z) block from the flat OpenMP thread number, x
/// fastest.
void threadIdsOf(ImplicitLocOpBuilder &b, Value tid,
                 DenseI32ArrayAttr blockSize, Value (&ids)[3]) {
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  ids[0] = arith::RemUIOp::create(b, tid, cst(blockSize[0]));
  ids[1] = arith::RemUIOp::create(
      b, arith::DivUIOp::create(b, tid, cst(blockSize[0])), cst(blockSize[1]));
  ids[2] =
      arith::DivUIOp::create(b, tid, cst(int64_t(blockSize[0]) * blockSize[1]));
}

/// Adds `@__attn_emulated_<kernel>(kernel args..., block ids x, y, z)`
/// running one workgroup of `kernel`: the body cloned into an OpenMP
/// parallel region of one thread per GPU thread, its GPU ops emulated.
LogicalResult emulate(gpu::GPUFuncOp kernel, ModuleOp module,
                      func::FuncOp threadNumFn) {
  FailureOr<std::pair<int64_t, Type>> shape = emulationShape(kernel);
  if (failed(shape))
    return failure();
  auto [threads, mfmaElem] = *shape;
  ImplicitLocOpBuilder b(kernel.getLoc(), kernel.getContext());
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> argTypes(kernel.getArgumentTypes());
  argTypes.append(3, b.getIndexType());
  auto func =
      func::FuncOp::create(b, ("__attn_emulated_" + kernel.getName()).str(),
                           b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  SharedState shared;
  SmallVector<Value> workgroup;
  SmallVector<Value> buffers =
      allocateWorkgroupBuffers(b, kernel, threads, mfmaElem, shared, workgroup);

  Value numThreads = arith::ConstantIntOp::create(b, threads, 32);
  auto parallel = omp::ParallelOp::create(
      b, ValueRange{}, ValueRange{}, Value(), numThreads, ValueRange{}, nullptr,
      nullptr, nullptr, nullptr, ValueRange{}, nullptr, nullptr);
  Block *body = b.createBlock(&parallel.getRegion());
  b.setInsertionPointToStart(body);
  Value tid = arith::IndexCastOp::create(
      b, b.getIndexType(),
      func::CallOp::create(b, threadNumFn, ValueRange{}).getResult(0));
  Emulator emulator(b, tid, shared);
  Workgroup wg{kernel.getKnownBlockSizeAttr(),
               {},
               entry->getArguments().take_back(3),
               &emulator};
  threadIdsOf(b, tid, wg.blockSize, wg.threadIds);

  // Clone the kernel, then rewrite its GPU ops in place.
  IRMapping mapping;
  for (auto [kernelArg, arg] :
       llvm::zip(kernel.getArguments(), entry->getArguments()))
    mapping.map(kernelArg, arg);
  for (auto [attr, buffer] :
       llvm::zip(kernel.getWorkgroupAttributions(), workgroup))
    mapping.map(attr, buffer);
  for (Operation &kernelOp : kernel.getBody().front().without_terminator())
    b.clone(kernelOp, mapping);
  dropWorkgroupMemorySpace(body);
  FailureOr<SmallVector<Operation *>> gpuOps = collectGpuOps(body, kernel);
  if (failed(gpuOps))
    return failure();
  for (Operation *gpuOp : *gpuOps) {
    b.setInsertionPoint(gpuOp);
    b.setLoc(gpuOp->getLoc());
    if (failed(emulateOp(b, gpuOp, wg)))
      return failure();
  }
  b.setInsertionPointToEnd(body);
  omp::TerminatorOp::create(b);

  b.setInsertionPointToEnd(entry);
  b.setLoc(kernel.getLoc());
  for (Value buffer : buffers)
    memref::DeallocOp::create(b, buffer);
  func::ReturnOp::create(b);
  return success();
}

struct EmulateGpuKernelsPass
    : public mlir::attn::impl::AttnEmulateGpuKernelsBase<
          EmulateGpuKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::GPUFuncOp> kernels;
    for (auto gpuModule : module.getOps<gpu::GPUModuleOp>())
      for (auto func : gpuModule.getOps<gpu::GPUFuncOp>())
        if (func.isKernel())
          kernels.push_back(func);
    if (kernels.empty())
      return;
    // int omp_get_thread_num(void), from the OpenMP runtime.
    OpBuilder b(module.getBodyRegion());
    auto threadNum = module.lookupSymbol<func::FuncOp>("omp_get_thread_num");
    if (!threadNum) {
      threadNum = func::FuncOp::create(b, module.getLoc(), "omp_get_thread_num",
                                       b.getFunctionType({}, {b.getI32Type()}));
      threadNum.setPrivate();
    }
    for (gpu::GPUFuncOp kernel : kernels)
      if (failed(emulate(kernel, module, threadNum)))
        return signalPassFailure();
  }
};
} // namespace
