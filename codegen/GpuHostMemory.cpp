//===- GpuHostMemory.cpp - device buffers and copies for GPU launches -----===//
//
// Upstream has no pass that turns host buffers used by gpu.launch_func into
// device buffers with copies (IREE's HAL does it), so it is written here.
//
//===----------------------------------------------------------------------===//

#include "codegen/Passes.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNGPUHOSTMEMORY
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

/// The buffer `v` is a view of (through view-like ops).
Value viewRoot(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether the kernel may write through its argument `index`: any write
/// effect on it or on a view of it; an op with unknown effects counts.
bool kernelWrites(gpu::GPUFuncOp kernel, unsigned index) {
  SmallVector<Value> worklist = {kernel.getArgument(index)};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v) {
          worklist.push_back(view->getResult(0));
          continue;
        }
      }
      auto effects = dyn_cast<MemoryEffectOpInterface>(user);
      if (!effects)
        return true;
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffectsOnValue(v, list);
      for (auto &effect : list)
        if (isa<MemoryEffects::Write>(effect.getEffect()))
          return true;
    }
  }
  return false;
}

/// Dynamic sizes of `v` for an allocation of its type.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> sizes;
  auto type = cast<MemRefType>(v.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, v, d));
  return sizes;
}

struct Buffer {
  Value device;
  Value host;           // argument or constant the device copy mirrors
  bool written = false; // a kernel writes it: copy back to `host`
};

/// The host buffers behind kernel operands (function arguments, constants
/// or allocations of the entry block), arguments first in argument order,
/// and whether a kernel writes each.
LogicalResult collectRoots(func::FuncOp func,
                           ArrayRef<gpu::LaunchFuncOp> launches,
                           SmallVector<Value> &ordered,
                           llvm::DenseMap<Value, bool> &written) {
  Block &entry = func.getBody().front();
  auto module = func->getParentOfType<ModuleOp>();
  llvm::SetVector<Value> roots;
  for (gpu::LaunchFuncOp launch : launches) {
    auto kernel =
        module.lookupSymbol<gpu::GPUModuleOp>(launch.getKernelModuleName())
            .lookupSymbol<gpu::GPUFuncOp>(launch.getKernelName());
    for (auto [i, operand] : llvm::enumerate(launch.getKernelOperands())) {
      if (!isa<MemRefType>(operand.getType()))
        continue;
      Value root = viewRoot(operand);
      Operation *def = root.getDefiningOp();
      bool supported = isa<BlockArgument>(root)
                           ? cast<BlockArgument>(root).getOwner() == &entry
                           : isa<memref::AllocOp, memref::GetGlobalOp>(def) &&
                                 def->getBlock() == &entry;
      if (!supported)
        return launch.emitError("attn-gpu-host-memory: kernel operand ")
               << i << " is not a function argument, constant or allocation "
               << "of the function's entry block";
      roots.insert(root);
      written[root] |= !kernel || kernelWrites(kernel, i);
    }
  }
  for (BlockArgument arg : entry.getArguments())
    if (roots.contains(arg))
      ordered.push_back(arg);
  for (Value root : roots)
    if (!isa<BlockArgument>(root))
      ordered.push_back(root);
  return success();
}

/// An allocation becomes a device allocation (its deallocs go: every
/// device buffer is freed before returning).
Buffer allocateOnDevice(OpBuilder &b, memref::AllocOp alloc) {
  b.setInsertionPoint(alloc);
  auto device = gpu::AllocOp::create(
      b, alloc.getLoc(), alloc.getType(), /*asyncToken=*/Type(), ValueRange{},
      alloc.getDynamicSizes(), alloc.getSymbolOperands());
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  alloc.getResult().replaceAllUsesWith(device.getMemref());
  alloc.erase();
  return {device.getMemref(), Value(), false};
}

/// An argument or constant gets a device copy, made once at entry (after
/// `lastArgumentCopy`, keeping argument copies in order) and used by
/// everything but the copy, returns and dim queries.
Buffer copyToDevice(OpBuilder &b, Value root, bool isWritten,
                    Operation *&lastArgumentCopy) {
  Location loc = root.getLoc();
  Operation *def = root.getDefiningOp();
  Block &entry = *root.getParentBlock();
  if (def)
    b.setInsertionPointAfter(def);
  else if (lastArgumentCopy)
    b.setInsertionPointAfter(lastArgumentCopy);
  else
    b.setInsertionPointToStart(&entry);
  auto device =
      gpu::AllocOp::create(b, loc, root.getType(), Type(), ValueRange{},
                           dynamicSizes(b, loc, root), ValueRange{});
  auto copyIn = gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{},
                                      device.getMemref(), root);
  if (!def)
    lastArgumentCopy = copyIn;
  root.replaceUsesWithIf(device.getMemref(), [&](OpOperand &use) {
    return use.getOwner() != copyIn && !isa<func::ReturnOp>(use.getOwner()) &&
           use.getOwner()->getParentOp() != nullptr &&
           !isa<memref::DimOp>(use.getOwner());
  });
  return {device.getMemref(), root, isWritten && !def};
}

/// Host code may only pass device buffers around, never touch them.
LogicalResult checkHostUse(func::FuncOp func,
                           const llvm::DenseSet<Value> &deviceRoots) {
  WalkResult walk = func.walk([&](Operation *op) {
    if (isa<gpu::LaunchFuncOp, gpu::MemcpyOp, gpu::DeallocOp, func::ReturnOp,
            memref::DimOp, ViewLikeOpInterface>(op))
      return WalkResult::advance();
    for (Value operand : op->getOperands())
      if (isa<MemRefType>(operand.getType()) &&
          deviceRoots.contains(viewRoot(operand))) {
        op->emitError("attn-gpu-host-memory: host code uses a buffer that "
                      "lives on the GPU");
        return WalkResult::interrupt();
      }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// Before `ret`: results to host buffers, written arguments back, and
/// every device buffer freed.
LogicalResult copyBackAtReturn(OpBuilder &b, func::ReturnOp ret,
                               ArrayRef<Buffer> buffers,
                               const llvm::DenseSet<Value> &deviceRoots) {
  b.setInsertionPoint(ret);
  Location loc = ret.getLoc();
  for (OpOperand &operand : ret->getOpOperands()) {
    Value v = operand.get();
    if (!isa<MemRefType>(v.getType()) || !deviceRoots.contains(viewRoot(v)))
      continue;
    auto type = cast<MemRefType>(v.getType());
    auto host = memref::AllocOp::create(
        b, loc, MemRefType::get(type.getShape(), type.getElementType()),
        dynamicSizes(b, loc, v));
    if (host.getType() != type)
      return ret.emitError("attn-gpu-host-memory: returned buffer has a "
                           "non-identity layout");
    gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, host, v);
    operand.set(host);
  }
  for (const Buffer &buffer : buffers)
    if (buffer.written)
      gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, buffer.host,
                            buffer.device);
  for (const Buffer &buffer : buffers)
    gpu::DeallocOp::create(b, loc, TypeRange{}, ValueRange{}, buffer.device);
  return success();
}

LogicalResult rewriteFunction(func::FuncOp func) {
  SmallVector<gpu::LaunchFuncOp> launches;
  func.walk([&](gpu::LaunchFuncOp op) { launches.push_back(op); });
  if (launches.empty())
    return success();
  if (!func.getBody().hasOneBlock())
    return func.emitError("attn-gpu-host-memory: host functions with GPU "
                          "launches must be one block");
  SmallVector<Value> ordered;
  llvm::DenseMap<Value, bool> written;
  if (failed(collectRoots(func, launches, ordered, written)))
    return failure();

  OpBuilder b(func.getContext());
  SmallVector<Buffer> buffers;
  Operation *lastArgumentCopy = nullptr;
  for (Value root : ordered) {
    if (auto alloc = root.getDefiningOp<memref::AllocOp>())
      buffers.push_back(allocateOnDevice(b, alloc));
    else
      buffers.push_back(
          copyToDevice(b, root, written.lookup(root), lastArgumentCopy));
  }
  llvm::DenseSet<Value> deviceRoots;
  for (const Buffer &buffer : buffers)
    deviceRoots.insert(buffer.device);
  if (failed(checkHostUse(func, deviceRoots)))
    return failure();
  SmallVector<func::ReturnOp> returns;
  func.walk([&](func::ReturnOp op) { returns.push_back(op); });
  for (func::ReturnOp ret : returns)
    if (failed(copyBackAtReturn(b, ret, buffers, deviceRoots)))
      return failure();
  return success();
}

struct GpuHostMemoryPass
    : public mlir::attn::impl::AttnGpuHostMemoryBase<GpuHostMemoryPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(rewriteFunction(func)))
        return signalPassFailure();
  }
};
} // namespace
