"""Writes small ONNX models for the attn-import-onnx lit tests:
make_onnx.py KIND OUT.onnx"""

import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

F = TensorProto.FLOAT


def graph(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs,
                          [numpy_helper.from_array(a, n) for n, a in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, shape):
    return helper.make_tensor_value_info(name, F, shape)


kind, out = sys.argv[1], sys.argv[2]
if kind == "unsupported":
    m = graph([helper.make_node("Relu", ["x"], ["r"], name="relu_1"),
               helper.make_node("LRN", ["r"], ["y"], name="lrn_7", size=3)],
              [vi("x", [1, 4, 2, 2])], [vi("y", [1, 4, 2, 2])])
elif kind == "dynamic":
    m = graph([helper.make_node("Relu", ["x"], ["y"], name="relu")],
              [vi("x", ["batch", 4])], [vi("y", ["batch", 4])])
elif kind == "opset11":
    m = graph([helper.make_node("Relu", ["x"], ["y"], name="relu")],
              [vi("x", [2, 4])], [vi("y", [2, 4])], opset=11)
elif kind == "matmul":
    w = np.arange(64 * 32, dtype=np.float32).reshape(64, 32) / 2048
    b = np.ones(32, np.float32)
    m = graph([helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
               helper.make_node("Add", ["h", "b"], ["s"], name="add"),
               helper.make_node("Softmax", ["s"], ["y"], name="sm", axis=-1)],
              [vi("x", [2, 8, 64])], [vi("y", [2, 8, 32])], [("w", w), ("b", b)])
else:
    sys.exit(f"unknown kind {kind}")
save(m, out)
