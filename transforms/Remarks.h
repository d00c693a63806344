//===- Remarks.h - explainable pass decisions -------------------*- C++ -*-===//
//
// With remarks on (the `remarks` option of each graph pass and of
// attn-graph-opt; its default is attn-opt's `--attn-remarks`), every graph
// pass reports each decision (what it rewrote, why it declined) as one MLIR
// remark on the op concerned, so the decisions show up in the normal
// diagnostic stream and can be checked with `-verify-diagnostics`.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_REMARKS_H
#define ATTN_TRANSFORMS_REMARKS_H

#include "mlir/IR/Operation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::attn {

/// Registers `--attn-remarks` with the command line parser. Tools call it
/// before parsing (attn-opt does); libraries define no global options.
void registerRemarksCLOptions();

/// True when `--attn-remarks` was registered and given. The default of the
/// `remarks` options, and the switch of the three-argument emitDecision.
bool remarksEnabled();

/// Emits "[<pass>] <message>" as a remark on `op` when `enabled`.
void emitDecision(Operation *op, StringRef pass, const Twine &message,
                  bool enabled);

/// Emits "[<pass>] <message>" as a remark on `op` when remarks are enabled
/// (remarksEnabled()); for passes without a `remarks` option.
void emitDecision(Operation *op, StringRef pass, const Twine &message);

/// The decisions of one pattern rewrite run, reported (when `enabled`) as
/// remarks tagged with the pass name. A greedy driver revisits ops, and a
/// pattern that declines finds the same reason on every visit; each
/// (location, message) is therefore reported once.
class DecisionRemarks {
public:
  explicit DecisionRemarks(StringRef pass, bool enabled = true)
      : pass(pass.str()), enabled(enabled) {}

  void report(Operation *op, const Twine &message);

private:
  std::string pass;
  bool enabled;
  DenseMap<Location, llvm::StringSet<>> reported;
};

/// Reports `message` about `op` to `remarks`, if any.
inline void reportDecision(DecisionRemarks *remarks, Operation *op,
                           const Twine &message) {
  if (remarks)
    remarks->report(op, message);
}

/// A pattern declining to rewrite `op`: reports `reason` to `remarks` (if
/// any) and gives it to the driver as the match failure reason (in its
/// debug log, `-debug-only=greedy-rewriter` in builds with assertions).
LogicalResult declineMatch(PatternRewriter &rewriter, Operation *op,
                           DecisionRemarks *remarks, const Twine &reason);

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_REMARKS_H
