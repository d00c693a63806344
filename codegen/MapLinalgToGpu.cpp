//===- MapLinalgToGpu.cpp - host linalg ops as simple GPU kernels ---------===//
//
// Linalg ops outside attention (dequantization, transposes, projections,
// fills, copies) become one GPU kernel each: upstream linalgOpToParallelLoops
// gives the loop nest, this pass spreads its parallel points over a 1-D grid
// of 256-thread workgroups, and upstream outlineKernelFunc makes the kernel.
//
//===----------------------------------------------------------------------===//

#include "codegen/GpuUtils.h"
#include "codegen/Passes.h"

#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNMAPLINALGTOGPU
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr int64_t kThreads = 256;

/// Turns the loop nest `root` (an scf.parallel, or an scf.for when the op
/// has no parallel dim) into a gpu.launch: thread t of workgroup w runs
/// parallel point w * 256 + t (innermost dim fastest) when it is in range.
gpu::LaunchOp buildLaunch(RewriterBase &rewriter, Operation *root) {
  Location loc = root->getLoc();
  rewriter.setInsertionPoint(root);
  auto cst = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(rewriter, loc, v);
  };
  SmallVector<Value> lbs, ubs, steps, counts;
  auto parallel = dyn_cast<scf::ParallelOp>(root);
  if (parallel) {
    lbs = parallel.getLowerBound();
    ubs = parallel.getUpperBound();
    steps = parallel.getStep();
  }
  Value total = cst(1);
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    Value span = arith::SubIOp::create(rewriter, loc, ub, lb);
    Value count = arith::CeilDivUIOp::create(rewriter, loc, span, step);
    counts.push_back(count);
    total = arith::MulIOp::create(rewriter, loc, total, count);
  }
  Value blocks = arith::CeilDivUIOp::create(rewriter, loc, total,
                                            parallel ? cst(kThreads) : cst(1));
  Value threads = parallel ? cst(kThreads) : cst(1);
  Value one = cst(1);
  auto launch =
      gpu::LaunchOp::create(rewriter, loc, blocks, one, one, threads, one, one);
  rewriter.setInsertionPointToStart(&launch.getBody().front());
  Value id = arith::AddIOp::create(
      rewriter, loc,
      arith::MulIOp::create(rewriter, loc, launch.getBlockIds().x, threads),
      launch.getThreadIds().x);
  Value inRange = arith::CmpIOp::create(rewriter, loc,
                                        arith::CmpIPredicate::ult, id, total);
  auto guard = scf::IfOp::create(rewriter, loc, inRange);
  gpu::TerminatorOp::create(rewriter, loc);
  rewriter.setInsertionPointToStart(&guard.getThenRegion().front());
  if (!parallel) {
    rewriter.moveOpBefore(root, guard.getThenRegion().front().getTerminator());
    return launch;
  }
  // Delinearize, innermost dim fastest.
  SmallVector<Value> ivs(counts.size());
  Value rest = id;
  for (size_t d = counts.size(); d-- > 0;) {
    Value local =
        d == 0 ? rest : arith::RemUIOp::create(rewriter, loc, rest, counts[d]);
    if (d > 0)
      rest = arith::DivUIOp::create(rewriter, loc, rest, counts[d]);
    ivs[d] = arith::AddIOp::create(
        rewriter, loc, lbs[d],
        arith::MulIOp::create(rewriter, loc, local, steps[d]));
  }
  IRMapping mapping;
  mapping.map(parallel.getInductionVars(), ivs);
  for (Operation &op : parallel.getBody()->without_terminator())
    rewriter.clone(op, mapping);
  rewriter.eraseOp(parallel);
  return launch;
}

/// Outlines `launch` into `kernels` and replaces it with a gpu.launch_func.
LogicalResult outline(RewriterBase &rewriter, gpu::LaunchOp launch,
                      gpu::GPUModuleOp kernels, StringRef name) {
  // Constants and index arithmetic on them (the loop bounds) are cheaper
  // to recompute in the kernel than to pass.
  if (failed(sinkOperationsIntoLaunchOp(launch, [](Operation *op) {
        return op->hasTrait<OpTrait::ConstantLike>() ||
               isa<memref::DimOp>(op) ||
               (isa<arith::ArithDialect>(op->getDialect()) &&
                op->getNumResults() == 1 &&
                op->getResult(0).getType().isIndex());
      })))
    return failure();
  SmallVector<Value> operands;
  gpu::GPUFuncOp func = outlineKernelFunc(launch, name, operands);
  SymbolTable(kernels).insert(func);
  // A parallel kernel's workgroup size is fixed; tell the backend.
  auto blockX = getConstantIntValue(launch.getBlockSizeX());
  func.setKnownBlockSizeAttr(rewriter.getDenseI32ArrayAttr(
      {int32_t(blockX.value_or(kThreads)), 1, 1}));
  rewriter.setInsertionPoint(launch);
  gpu::LaunchFuncOp::create(
      rewriter, launch.getLoc(), func, launch.getGridSizeOperandValues(),
      launch.getBlockSizeOperandValues(), Value(), operands);
  rewriter.eraseOp(launch);
  return success();
}

struct MapLinalgToGpuPass
    : public mlir::attn::impl::AttnMapLinalgToGpuBase<MapLinalgToGpuPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> work;
    module.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::GPUModuleOp>() ||
          op->getParentOfType<gpu::LaunchOp>())
        return;
      if (isa<memref::CopyOp>(op))
        work.push_back(op);
      else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        work.push_back(op);
    });
    if (work.empty())
      return;
    gpu::GPUModuleOp kernels = getOrCreateKernelModule(module);
    IRRewriter rewriter(&getContext());
    llvm::DenseMap<Operation *, unsigned> perFunction;
    for (Operation *op : work) {
      rewriter.setInsertionPoint(op);
      if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        op = linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                                    copy.getTarget());
        rewriter.eraseOp(copy);
      }
      auto linalgOp = cast<linalg::LinalgOp>(op);
      if (!linalgOp.hasPureBufferSemantics()) {
        op->emitError("attn-map-linalg-to-gpu: expected a bufferized op");
        return signalPassFailure();
      }
      auto func = op->getParentOfType<FunctionOpInterface>();
      std::string name =
          (func.getName() + "_" + op->getName().stripDialect().str() + "_" +
           std::to_string(perFunction[func]++))
              .str();
      std::replace(name.begin(), name.end(), '.', '_');
      // The loop nest lands right before the op; find its outermost loop.
      Block *block = op->getBlock();
      Operation *before = op->getPrevNode();
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::LinalgLoops> loops =
          linalg::linalgOpToParallelLoops(rewriter, linalgOp);
      if (failed(loops)) {
        op->emitError("attn-map-linalg-to-gpu: cannot lower to loops");
        return signalPassFailure();
      }
      // Only what the lowering inserted, between `before` and `op`.
      Operation *root = nullptr;
      for (Operation &candidate : llvm::make_range(
               before ? std::next(before->getIterator()) : block->begin(),
               op->getIterator()))
        if (isa<scf::ParallelOp, scf::ForOp>(candidate)) {
          root = &candidate;
          break;
        }
      rewriter.eraseOp(op);
      if (!root) // A 0-d op: its body sits in the block; nothing to map.
        continue;
      gpu::LaunchOp launch = buildLaunch(rewriter, root);
      if (failed(outline(rewriter, launch, kernels, name))) {
        launch.emitError("attn-map-linalg-to-gpu: cannot outline the kernel");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
