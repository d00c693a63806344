//===- EmulateGpuKernels.cpp - run gpu-dialect kernels on the CPU ---------===//
//
// GPU semantics on the host, built from MLIR ops (nothing interprets ISA):
// a workgroup is an omp.parallel region with one OpenMP thread per GPU
// thread, so barriers are real barriers and threads cannot run ahead.
//
// amdgpu.mfma 16x16x16 (wave64) lane layouts, from AMD's matrix-instruction
// tables (AMD Matrix Instruction Calculator, CDNA3 ISA reference guide,
// "MFMA" section), l = lane:
//   A[m][k] is held by lane m + 16 * (k / 4), element k % 4
//   B[k][n] is held by lane n + 16 * (k / 4), element k % 4
//   D[m][n] is produced in lane n + 16 * (m / 4), element m % 4
// A kernel that uses a wrong layout computes wrong numbers here exactly as
// it would on hardware.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

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

  Value mfma(amdgpu::MFMAOp op) {
    Value c0 = cst(0);
    vector::StoreOp::create(b, op.getSourceA(), shared.mfmaA,
                            ValueRange{tid, c0});
    vector::StoreOp::create(b, op.getSourceB(), shared.mfmaB,
                            ValueRange{tid, c0});
    omp::BarrierOp::create(b);
    Value lane = arith::RemUIOp::create(b, tid, cst(kWave));
    Value base = arith::SubIOp::create(b, tid, lane);
    Value col = arith::RemUIOp::create(b, lane, cst(16));
    Value rowBase = arith::MulIOp::create(
        b, arith::DivUIOp::create(b, lane, cst(16)), cst(4));
    Type f32 = b.getF32Type();
    SmallVector<Value> results;
    for (int64_t i = 0; i < 4; ++i) {
      Value row = arith::AddIOp::create(b, rowBase, cst(i));
      Value init = vector::ExtractOp::create(b, op.getDestC(), i);
      auto loop = scf::ForOp::create(
          b, cst(0), cst(16), cst(1), ValueRange{init},
          [&](OpBuilder &nb, Location loc, Value kk, ValueRange acc) {
            ImplicitLocOpBuilder ib(loc, nb);
            Value kGroup = arith::MulIOp::create(
                ib, arith::DivUIOp::create(ib, kk, cst4(ib)), cst16(ib));
            Value kElem = arith::RemUIOp::create(ib, kk, cst4(ib));
            Value aLane = arith::AddIOp::create(
                ib, base, arith::AddIOp::create(ib, row, kGroup));
            Value bLane = arith::AddIOp::create(
                ib, base, arith::AddIOp::create(ib, col, kGroup));
            Value a = memref::LoadOp::create(ib, shared.mfmaA,
                                             ValueRange{aLane, kElem});
            Value bv = memref::LoadOp::create(ib, shared.mfmaB,
                                              ValueRange{bLane, kElem});
            a = arith::ExtFOp::create(ib, f32, a);
            bv = arith::ExtFOp::create(ib, f32, bv);
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
  static Value cst4(ImplicitLocOpBuilder &ib) {
    return arith::ConstantIndexOp::create(ib, 4);
  }
  static Value cst16(ImplicitLocOpBuilder &ib) {
    return arith::ConstantIndexOp::create(ib, 16);
  }

  ImplicitLocOpBuilder &b;
  Value tid;
  const SharedState &shared;
};

/// Adds `@__attn_emulated_<kernel>(kernel args..., block ids x, y, z)`
/// running one workgroup of `kernel`.
LogicalResult emulate(gpu::GPUFuncOp kernel, ModuleOp module,
                      func::FuncOp threadNumFn) {
  MLIRContext *ctx = kernel.getContext();
  auto blockSize = kernel.getKnownBlockSizeAttr();
  if (!blockSize)
    return kernel.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " has no known block size";
  if (!kernel.getBody().hasOneBlock())
    return kernel.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " is not one block";
  int64_t threads = int64_t(blockSize[0]) * blockSize[1] * blockSize[2];
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

  ImplicitLocOpBuilder b(kernel.getLoc(), ctx);
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> argTypes(kernel.getArgumentTypes());
  argTypes.append(3, b.getIndexType());
  auto func =
      func::FuncOp::create(b, ("__attn_emulated_" + kernel.getName()).str(),
                           b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  ValueRange blockIds = entry->getArguments().take_back(3);

  // Workgroup memory (one workgroup runs at a time) and exchange buffers.
  SmallVector<Value> workgroup;
  for (BlockArgument attr : kernel.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attr.getType());
    workgroup.push_back(memref::AllocOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType())));
  }
  SharedState shared;
  shared.shuffle =
      memref::AllocOp::create(b, MemRefType::get({threads}, b.getF32Type()));
  SmallVector<Value> buffers = {shared.shuffle};
  if (mfmaElem) {
    shared.mfmaA =
        memref::AllocOp::create(b, MemRefType::get({threads, 4}, mfmaElem));
    shared.mfmaB =
        memref::AllocOp::create(b, MemRefType::get({threads, 4}, mfmaElem));
    buffers.append({shared.mfmaA, shared.mfmaB});
  }

  Value numThreads = arith::ConstantIntOp::create(b, threads, 32);
  auto parallel = omp::ParallelOp::create(
      b, ValueRange{}, ValueRange{}, Value(), numThreads, ValueRange{}, nullptr,
      nullptr, nullptr, nullptr, ValueRange{}, nullptr, nullptr);
  Block *body = b.createBlock(&parallel.getRegion());
  b.setInsertionPointToStart(body);
  Value tid = arith::IndexCastOp::create(
      b, b.getIndexType(),
      func::CallOp::create(b, threadNumFn, ValueRange{}).getResult(0));
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, v);
  };
  // Thread ids of a (x, y, z) block, x fastest.
  Value threadIds[3] = {
      arith::RemUIOp::create(b, tid, cst(blockSize[0])),
      arith::RemUIOp::create(b,
                             arith::DivUIOp::create(b, tid, cst(blockSize[0])),
                             cst(blockSize[1])),
      arith::DivUIOp::create(b, tid,
                             cst(int64_t(blockSize[0]) * blockSize[1]))};

  IRMapping mapping;
  for (auto [kernelArg, arg] :
       llvm::zip(kernel.getArguments(), entry->getArguments()))
    mapping.map(kernelArg, arg);
  for (auto [attr, buffer] :
       llvm::zip(kernel.getWorkgroupAttributions(), workgroup))
    mapping.map(attr, buffer);
  Emulator emulator(b, tid, shared);
  // Clone the kernel, then rewrite its GPU ops in place.
  for (Operation &kernelOp : kernel.getBody().front().without_terminator())
    b.clone(kernelOp, mapping);
  SmallVector<Operation *> gpuOps;
  Operation *unsupported = nullptr;
  body->walk([&](Operation *nested) {
    if (isa<gpu::GridDimOp>(nested) && nested->use_empty())
      gpuOps.push_back(nested); // unused grid queries just go
    else if (isa<gpu::ThreadIdOp, gpu::BlockIdOp, gpu::BlockDimOp,
                 gpu::BarrierOp, gpu::ShuffleOp, amdgpu::MFMAOp>(nested))
      gpuOps.push_back(nested);
    else if (nested->getDialect() &&
             isa<gpu::GPUDialect, amdgpu::AMDGPUDialect>(nested->getDialect()))
      unsupported = nested;
  });
  if (unsupported)
    return unsupported->emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " uses a GPU op the emulation lacks";
  for (Operation *gpuOp : gpuOps) {
    b.setInsertionPoint(gpuOp);
    b.setLoc(gpuOp->getLoc());
    if (auto id = dyn_cast<gpu::ThreadIdOp>(gpuOp)) {
      gpuOp->getResult(0).replaceAllUsesWith(
          threadIds[static_cast<int>(id.getDimension())]);
    } else if (auto id = dyn_cast<gpu::BlockIdOp>(gpuOp)) {
      gpuOp->getResult(0).replaceAllUsesWith(
          blockIds[static_cast<int>(id.getDimension())]);
    } else if (auto dim = dyn_cast<gpu::BlockDimOp>(gpuOp)) {
      gpuOp->getResult(0).replaceAllUsesWith(
          cst(blockSize[static_cast<int>(dim.getDimension())]));
    } else if (isa<gpu::BarrierOp>(gpuOp)) {
      omp::BarrierOp::create(b);
    } else if (auto shuffle = dyn_cast<gpu::ShuffleOp>(gpuOp)) {
      if (shuffle.getMode() != gpu::ShuffleMode::XOR ||
          !shuffle.getValue().getType().isF32())
        return shuffle.emitError("attn-emulate-gpu-kernels: only f32 xor "
                                 "shuffles are emulated");
      gpuOp->getResult(0).replaceAllUsesWith(emulator.shuffleXor(shuffle));
      gpuOp->getResult(1).replaceAllUsesWith(
          arith::ConstantIntOp::create(b, 1, 1).getResult());
    } else if (auto mma = dyn_cast<amdgpu::MFMAOp>(gpuOp)) {
      if (mma.getM() != 16 || mma.getN() != 16 || mma.getK() != 16 ||
          mma.getBlocks() != 1)
        return mma.emitError("attn-emulate-gpu-kernels: only amdgpu.mfma "
                             "16x16x16 is emulated");
      gpuOp->getResult(0).replaceAllUsesWith(emulator.mfma(mma));
    }
    gpuOp->erase();
  }
  b.setInsertionPointToEnd(body);
  omp::TerminatorOp::create(b);

  b.setInsertionPointToEnd(entry);
  b.setLoc(kernel.getLoc());
  for (Value buffer : workgroup)
    memref::DeallocOp::create(b, buffer);
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
