//===- Remarks.h - explainable pass decisions -------------------*- C++ -*-===//
//
// With `--attn-remarks`, every graph pass reports each decision (what it
// rewrote, why it declined) as one MLIR remark on the op concerned, so the
// decisions show up in the normal diagnostic stream and can be checked with
// `-verify-diagnostics`.
//
//===----------------------------------------------------------------------===//
#ifndef ATTN_TRANSFORMS_REMARKS_H
#define ATTN_TRANSFORMS_REMARKS_H

#include "mlir/IR/Operation.h"

namespace mlir::attn {

/// True when `--attn-remarks` was given.
bool remarksEnabled();

/// Emits "[<pass>] <message>" as a remark on `op` when remarks are enabled.
void emitDecision(Operation *op, StringRef pass, const Twine &message);

} // namespace mlir::attn

#endif // ATTN_TRANSFORMS_REMARKS_H
