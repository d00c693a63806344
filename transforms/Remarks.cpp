//===- Remarks.cpp - explainable pass decisions ---------------------------===//

#include "transforms/Remarks.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;

static llvm::cl::opt<bool>
    clAttnRemarks("attn-remarks",
                  llvm::cl::desc("Make the attn graph passes report each "
                                 "decision (done or declined, and why) as a "
                                 "remark"),
                  llvm::cl::init(false));

bool mlir::attn::remarksEnabled() { return clAttnRemarks; }

void mlir::attn::emitDecision(Operation *op, StringRef pass,
                              const Twine &message) {
  if (clAttnRemarks)
    mlir::emitRemark(op->getLoc()) << "[" << pass << "] " << message;
}
