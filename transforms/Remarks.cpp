//===- Remarks.cpp - explainable pass decisions ---------------------------===//

#include "transforms/Remarks.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"

using namespace mlir;

namespace {
/// Constructed by registerRemarksCLOptions only, as MLIR does for its own
/// tool options (e.g. registerAsmPrinterCLOptions): a global cl::opt in the
/// library would appear in every tool that links it.
struct RemarksCLOptions {
  llvm::cl::opt<bool> attnRemarks{
      "attn-remarks",
      llvm::cl::desc("Make the attn graph passes report each decision (done "
                     "or declined, and why) as a remark: the default of "
                     "their `remarks` option"),
      llvm::cl::init(false)};
};
} // namespace

static llvm::ManagedStatic<RemarksCLOptions> clOptions;

void mlir::attn::registerRemarksCLOptions() { *clOptions; }

bool mlir::attn::remarksEnabled() {
  return clOptions.isConstructed() && clOptions->attnRemarks;
}

void mlir::attn::emitDecision(Operation *op, StringRef pass,
                              const Twine &message, bool enabled) {
  if (enabled)
    mlir::emitRemark(op->getLoc()) << "[" << pass << "] " << message;
}

void mlir::attn::emitDecision(Operation *op, StringRef pass,
                              const Twine &message) {
  emitDecision(op, pass, message, remarksEnabled());
}

void mlir::attn::DecisionRemarks::report(Operation *op, const Twine &message) {
  if (enabled && reported[op->getLoc()].insert(message.str()).second)
    emitDecision(op, pass, message, /*enabled=*/true);
}

LogicalResult mlir::attn::declineMatch(PatternRewriter &rewriter, Operation *op,
                                       DecisionRemarks *remarks,
                                       const Twine &reason) {
  reportDecision(remarks, op, reason);
  return rewriter.notifyMatchFailure(op, reason);
}
