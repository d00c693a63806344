"""ONNX -> MLIR importer for attn (the engine behind attn-import-onnx).

An ONNX graph with static shapes becomes one `func.func @main` in the
func/linalg/tensor/arith/math dialects on tensors, written the way
frontends write it (linalg.matmul / batch_matmul, linalg.transpose,
broadcasting linalg.generic ops, the softmax as max-reduce, subtract, exp,
sum-reduce, divide), so attn's graph passes can raise the attention in it.

Shape computations (Shape, Gather, ConstantOfShape, Range, ...) are
evaluated here with numpy whenever their inputs are known, so only the
tensor computation reaches MLIR. Initializers and folded constants become
dense constants when small, and function arguments backed by .npy files
when large (see `import_model`).
"""

from attn_onnx.importer import (  # noqa: F401
    ImportError_ as OnnxImportError,
    ImportResult,
    SUPPORTED_OPS,
    import_model,
    import_file,
)
