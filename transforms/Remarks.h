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

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_REMARKS_H
