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
#include "dialect/AttnDialect.h"

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

LogicalResult emulate(AttentionOp op, gpu::GPUFuncOp kernel,
                      func::FuncOp threadNumFn) {
  MLIRContext *ctx = op.getContext();
  ImplicitLocOpBuilder b(op.getLoc(), ctx);
  b.setInsertionPoint(op);
  auto blockSize = kernel.getKnownBlockSizeAttr();
  auto gridSize = kernel.getKnownGridSizeAttr();
  if (!blockSize || !gridSize)
    return op.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " has no known block and grid size";
  int64_t threads = blockSize[0] * blockSize[1] * blockSize[2];

  auto toBuffer = [&](Value tensor) -> Value {
    auto t = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(t.getShape(), t.getElementType()), tensor,
        /*read_only=*/true);
  };
  auto outType = cast<RankedTensorType>(op.getInit().getType());
  Value out = memref::AllocOp::create(
      b, MemRefType::get(outType.getShape(), outType.getElementType()));
  SmallVector<Value> args = {toBuffer(op.getQuery()), toBuffer(op.getKey()),
                             toBuffer(op.getValue()), out, op.getScale()};
  // Workgroup memory (one workgroup runs at a time) and exchange buffers.
  SmallVector<Value> workgroup;
  for (BlockArgument attr : kernel.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(attr.getType());
    workgroup.push_back(memref::AllocOp::create(
        b, MemRefType::get(type.getShape(), type.getElementType())));
  }
  Type elem = getElementTypeOrSelf(op.getQuery().getType());
  SharedState shared;
  shared.shuffle =
      memref::AllocOp::create(b, MemRefType::get({threads}, b.getF32Type()));
  shared.mfmaA =
      memref::AllocOp::create(b, MemRefType::get({threads, 4}, elem));
  shared.mfmaB =
      memref::AllocOp::create(b, MemRefType::get({threads, 4}, elem));

  Value c0 = arith::ConstantIndexOp::create(b, 0);
  Value c1 = arith::ConstantIndexOp::create(b, 1);
  Value numThreads = arith::ConstantIntOp::create(b, threads, 32);
  auto gridY = scf::ForOp::create(
      b, c0, arith::ConstantIndexOp::create(b, gridSize[1]), c1);
  b.setInsertionPointToStart(gridY.getBody());
  auto gridX = scf::ForOp::create(
      b, c0, arith::ConstantIndexOp::create(b, gridSize[0]), c1);
  b.setInsertionPointToStart(gridX.getBody());
  auto parallel = omp::ParallelOp::create(
      b, ValueRange{}, ValueRange{}, Value(), numThreads, ValueRange{}, nullptr,
      nullptr, nullptr, nullptr, ValueRange{}, nullptr, nullptr);
  Block *body = b.createBlock(&parallel.getRegion());
  b.setInsertionPointToStart(body);
  Value tid = arith::IndexCastOp::create(
      b, b.getIndexType(),
      func::CallOp::create(b, threadNumFn, ValueRange{}).getResult(0));

  IRMapping mapping;
  for (auto [kernelArg, hostArg] : llvm::zip(kernel.getArguments(), args))
    mapping.map(kernelArg, hostArg);
  for (auto [attr, buffer] :
       llvm::zip(kernel.getWorkgroupAttributions(), workgroup))
    mapping.map(attr, buffer);
  Emulator emulator(b, tid, shared);
  Value zero = c0;
  WalkResult walk = WalkResult::advance();
  // Clone the kernel, rewriting the GPU ops as they come (nested regions
  // are cloned whole, then their GPU ops rewritten below).
  for (Operation &kernelOp : kernel.getBody().front().without_terminator())
    b.clone(kernelOp, mapping);
  SmallVector<Operation *> gpuOps;
  body->walk([&](Operation *nested) {
    if (isa<gpu::ThreadIdOp, gpu::BlockIdOp, gpu::BarrierOp, gpu::ShuffleOp,
            amdgpu::MFMAOp>(nested))
      gpuOps.push_back(nested);
    else if (nested->getDialect() &&
             isa<gpu::GPUDialect, amdgpu::AMDGPUDialect>(nested->getDialect()))
      walk = WalkResult::interrupt();
  });
  if (walk.wasInterrupted())
    return op.emitError("attn-emulate-gpu-kernels: kernel @")
           << kernel.getName() << " uses a GPU op the emulation lacks";
  for (Operation *gpuOp : gpuOps) {
    b.setInsertionPoint(gpuOp);
    b.setLoc(gpuOp->getLoc());
    if (auto id = dyn_cast<gpu::ThreadIdOp>(gpuOp)) {
      gpuOp->getResult(0).replaceAllUsesWith(
          id.getDimension() == gpu::Dimension::x ? tid : zero);
    } else if (auto id = dyn_cast<gpu::BlockIdOp>(gpuOp)) {
      Value v = id.getDimension() == gpu::Dimension::x ? gridX.getInductionVar()
                : id.getDimension() == gpu::Dimension::y
                    ? gridY.getInductionVar()
                    : zero;
      gpuOp->getResult(0).replaceAllUsesWith(v);
    } else if (isa<gpu::BarrierOp>(gpuOp)) {
      omp::BarrierOp::create(b);
    } else if (auto shuffle = dyn_cast<gpu::ShuffleOp>(gpuOp)) {
      if (shuffle.getMode() != gpu::ShuffleMode::XOR)
        return op.emitError("attn-emulate-gpu-kernels: only xor shuffles "
                            "are emulated");
      gpuOp->getResult(0).replaceAllUsesWith(emulator.shuffleXor(shuffle));
      gpuOp->getResult(1).replaceAllUsesWith(
          arith::ConstantIntOp::create(b, 1, 1).getResult());
    } else if (auto mma = dyn_cast<amdgpu::MFMAOp>(gpuOp)) {
      if (mma.getM() != 16 || mma.getN() != 16 || mma.getK() != 16 ||
          mma.getBlocks() != 1)
        return op.emitError("attn-emulate-gpu-kernels: only amdgpu.mfma "
                            "16x16x16 is emulated");
      gpuOp->getResult(0).replaceAllUsesWith(emulator.mfma(mma));
    }
    gpuOp->erase();
  }
  b.setInsertionPointToEnd(body);
  omp::TerminatorOp::create(b);

  b.setInsertionPointAfter(gridY);
  b.setLoc(op.getLoc());
  for (Value buffer : workgroup)
    memref::DeallocOp::create(b, buffer);
  for (Value buffer : {shared.shuffle, shared.mfmaA, shared.mfmaB})
    memref::DeallocOp::create(b, buffer);
  Value result =
      bufferization::ToTensorOp::create(b, outType, out, /*restrict=*/true,
                                        /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
  return success();
}

struct EmulateGpuKernelsPass
    : public mlir::attn::impl::AttnEmulateGpuKernelsBase<
          EmulateGpuKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) {
      if (op->hasAttr("attn.gpu_kernel"))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    // int omp_get_thread_num(void), from the OpenMP runtime.
    OpBuilder b(module.getBodyRegion());
    auto threadNum = module.lookupSymbol<func::FuncOp>("omp_get_thread_num");
    if (!threadNum) {
      threadNum = func::FuncOp::create(b, module.getLoc(), "omp_get_thread_num",
                                       b.getFunctionType({}, {b.getI32Type()}));
      threadNum.setPrivate();
    }
    for (AttentionOp op : ops) {
      auto symbol = cast<SymbolRefAttr>(op->getAttr("attn.gpu_kernel"));
      auto kernel =
          SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(op, symbol);
      if (!kernel) {
        op.emitError("attn-emulate-gpu-kernels: no kernel ") << symbol;
        return signalPassFailure();
      }
      if (failed(emulate(op, kernel, threadNum)))
        return signalPassFailure();
    }
    // The kernels now run on the host; drop the GPU modules.
    for (auto gpuModule :
         llvm::make_early_inc_range(module.getOps<gpu::GPUModuleOp>()))
      gpuModule.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};
} // namespace
