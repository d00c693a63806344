"""The importer operator by operator: small ONNX graphs built with
onnx.helper, imported, compiled with attn.compile on the CPU and compared
with numpy."""

import math

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import attn
import attn_onnx

F = TensorProto.FLOAT
rng = np.random.default_rng(0)


def rand(*shape):
    return rng.uniform(-1, 1, shape).astype(np.float32)


def model(nodes, inputs, outputs, inits=(), opset=17):
    """inputs/outputs: (name, elem type, shape)."""
    g = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        [numpy_helper.from_array(a, n) for n, a in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def run(m, *args, weights="inline"):
    result = attn_onnx.import_model(m, weights=weights)
    f = attn.compile(result.mlir)
    bound = [result.weights[p] for _, _, p in result.arguments[len(args):]]
    return f(*args, *bound), result


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, name=f"{op.lower()}_0", **attrs)


def unary_case(op, fn, x=None):
    x = rand(2, 3, 4) if x is None else x
    m = model([node(op, ["x"], ["y"])], [("x", F, x.shape)], [("y", F, x.shape)])
    return m, [x], fn(x)


def erf(v):
    return np.vectorize(math.erf)(v).astype(np.float32)


CASES = {
    "sqrt": lambda: unary_case("Sqrt", np.sqrt, np.abs(rand(2, 3, 4))),
    "erf": lambda: unary_case("Erf", erf),
    "tanh": lambda: unary_case("Tanh", np.tanh),
    "exp": lambda: unary_case("Exp", np.exp),
    "neg": lambda: unary_case("Neg", np.negative),
    "relu": lambda: unary_case("Relu", lambda v: np.maximum(v, 0)),
    "sigmoid": lambda: unary_case("Sigmoid", lambda v: 1 / (1 + np.exp(-v))),
}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


@case
def add_broadcast():
    a, b = rand(2, 1, 4), rand(3, 1)
    m = model([node("Add", ["a", "b"], ["y"])], [("a", F, a.shape), ("b", F, b.shape)],
              [("y", F, (2, 3, 4))])
    return m, [a, b], a + b


@case
def sub_mul_div_constants():
    x = rand(4, 8)
    c = rand(8)
    nodes = [node("Sub", ["x", "c"], ["s"]), node("Mul", ["s", "s"], ["m"]),
             node("Div", ["m", "two"], ["y"])]
    two = np.array(2.0, np.float32)
    m = model(nodes, [("x", F, x.shape)], [("y", F, x.shape)], [("c", c), ("two", two)])
    return m, [x], (x - c) * (x - c) / 2


@case
def pow_sqrt_gelu():
    # The tanh GELU as exported: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    x = rand(2, 8)
    nodes = [node("Pow", ["x", "three"], ["p"]), node("Mul", ["p", "k"], ["q"]),
             node("Add", ["x", "q"], ["r"]), node("Mul", ["r", "s"], ["t"]),
             node("Tanh", ["t"], ["u"]), node("Add", ["u", "one"], ["v"]),
             node("Mul", ["x", "v"], ["w"]), node("Mul", ["w", "half"], ["y"])]
    consts = [("three", np.array(3.0, np.float32)), ("k", np.array(0.044715, np.float32)),
              ("s", np.array(math.sqrt(2 / math.pi), np.float32)),
              ("one", np.array(1.0, np.float32)), ("half", np.array(0.5, np.float32))]
    want = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    return model(nodes, [("x", F, x.shape)], [("y", F, x.shape)], consts), [x], want


@case
def matmul_batched_broadcast():
    a, b = rand(2, 3, 4, 5), rand(3, 5, 6)
    m = model([node("MatMul", ["a", "b"], ["y"])], [("a", F, a.shape), ("b", F, b.shape)],
              [("y", F, (2, 3, 4, 6))])
    return m, [a, b], a @ b


@case
def matmul_weight_and_vector():
    a, w, v = rand(2, 3, 5), rand(5, 6), rand(6)
    nodes = [node("MatMul", ["a", "w"], ["h"]), node("MatMul", ["h", "v"], ["y"])]
    m = model(nodes, [("a", F, a.shape)], [("y", F, (2, 3))], [("w", w), ("v", v)])
    return m, [a], (a @ w) @ v


@case
def gemm_transposed():
    a, b, c = rand(5, 4), rand(6, 5), rand(6)
    m = model([node("Gemm", ["a", "b", "c"], ["y"], transA=1, transB=1, alpha=0.5, beta=2.0)],
              [("a", F, a.shape), ("b", F, b.shape)], [("y", F, (4, 6))], [("c", c)])
    return m, [a, b], 0.5 * (a.T @ b.T) + 2.0 * c


@case
def softmax_middle_axis():
    x = rand(2, 5, 3) * 4
    m = model([node("Softmax", ["x"], ["y"], axis=1)], [("x", F, x.shape)], [("y", F, x.shape)])
    e = np.exp(x - x.max(1, keepdims=True))
    return m, [x], e / e.sum(1, keepdims=True)


@case
def transpose_reshape_flatten_squeeze():
    x = rand(2, 3, 4)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
             node("Reshape", ["t", "shape"], ["r"]),          # 4x2x3 -> 8x3 (collapse)
             node("Unsqueeze", ["r", "ax0"], ["u"]),          # 1x8x3
             node("Reshape", ["u", "shape2"], ["r2"]),        # 1x2x12 (regroup)
             node("Squeeze", ["r2", "ax0"], ["s"]),           # 2x12
             node("Flatten", ["s"], ["y"], axis=0)]           # 1x24
    consts = [("shape", i64([-1, 3])), ("ax0", i64([0])), ("shape2", i64([0, 2, 12]))]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (1, 24))], consts)
    return m, [x], np.transpose(x, (2, 0, 1)).reshape(1, 24)


@case
def shape_subgraph_folds():
    # Reshape to a shape computed from Shape/Gather/Concat, as exporters write.
    x = rand(2, 6, 4)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("Shape", ["x"], ["sh"]),
             helper.make_node("Gather", ["sh", "zero"], ["b"], name="g0", axis=0),
             helper.make_node("Gather", ["sh", "one"], ["s"], name="g1", axis=0),
             helper.make_node("Unsqueeze", ["b", "ax"], ["b1"], name="u0"),
             helper.make_node("Unsqueeze", ["s", "ax"], ["s1"], name="u1"),
             helper.make_node("Concat", ["b1", "s1", "heads", "minus1"], ["shape"], name="c", axis=0),
             node("Reshape", ["x", "shape"], ["y"])]
    consts = [("zero", i64(0)), ("one", i64(1)), ("ax", i64([0])), ("heads", i64([2])),
              ("minus1", i64([-1]))]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (2, 6, 2, 2))], consts)
    return m, [x], x.reshape(2, 6, 2, 2)


@case
def slice_concat_gather():
    x = rand(4, 6)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("Slice", ["x", "st", "en", "ax", "sp"], ["a"]),   # x[0:3, 1::2]
             helper.make_node("Slice", ["x", "st2", "en2"], ["b"], name="s2"),  # x[:-1]
             helper.make_node("Concat", ["a", "b"], ["c"], name="cat", axis=1),
             node("Gather", ["c", "idx"], ["y"], axis=0)]
    consts = [("st", i64([0, 1])), ("en", i64([3, 2**63 - 1])), ("ax", i64([0, 1])),
              ("sp", i64([1, 2])), ("st2", i64([0])), ("en2", i64([-1])), ("idx", i64([2, 0]))]
    want = np.concatenate([x[0:3, 1::2], x[:-1]], 1)[[2, 0]]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (2, 9))], consts)
    return m, [x], want


@case
def where_cast_equal():
    x = rand(3, 4)
    mask = rng.uniform(0, 1, (3, 4)) < 0.5
    nodes = [node("Cast", ["mask"], ["mf"], to=F),
             node("Equal", ["mf", "zero"], ["keep"]),
             node("Where", ["keep", "x", "ninf"], ["y"])]
    consts = [("zero", np.array(0.0, np.float32)), ("ninf", np.array(-np.inf, np.float32))]
    m = model(nodes, [("x", F, x.shape), ("mask", TensorProto.BOOL, mask.shape)],
              [("y", F, x.shape)], consts)
    return m, [x, mask], np.where(~mask, x, -np.inf).astype(np.float32)


@case
def expand_tile_repeat_kv():
    x = rand(2, 1, 3)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("Expand", ["x", "shape"], ["e"]), node("Tile", ["e", "reps"], ["y"])]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (2, 8, 3))],
              [("shape", i64([2, 4, 3])), ("reps", i64([1, 2, 1]))])
    return m, [x], np.tile(np.broadcast_to(x, (2, 4, 3)), (1, 2, 1))


@case
def layer_norm():
    x, s, b = rand(2, 3, 8), rand(8), rand(8)
    m = model([node("LayerNormalization", ["x", "s", "b"], ["y"], epsilon=1e-5)],
              [("x", F, x.shape)], [("y", F, x.shape)], [("s", s), ("b", b)])
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return m, [x], (x - mu) / np.sqrt(var + 1e-5) * s + b


@case
def reduce_mean_opset13():
    x = rand(2, 3, 4)
    m = model([node("ReduceMean", ["x"], ["y"], axes=[1], keepdims=1)], [("x", F, x.shape)],
              [("y", F, (2, 1, 4))], opset=13)
    return m, [x], x.mean(1, keepdims=True)


@case
def constant_of_shape_and_range_fold():
    x = rand(4)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("ConstantOfShape", ["shape"], ["z"],
                  value=numpy_helper.from_array(np.array([2.0], np.float32))),
             node("Range", ["s", "l", "d"], ["r"]),
             node("Cast", ["r"], ["rf"], to=F),
             helper.make_node("Add", ["z", "rf"], ["zr"], name="a0"),
             helper.make_node("Mul", ["x", "zr"], ["y"], name="m0")]
    m = model(nodes, [("x", F, x.shape)], [("y", F, x.shape)],
              [("shape", i64([4])), ("s", i64(0)), ("l", i64(4)), ("d", i64(1))])
    return m, [x], x * (2 + np.arange(4, dtype=np.float32))


@case
def split_sizes_and_equal():
    x = rand(2, 10)
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    nodes = [node("Split", ["x", "sizes"], ["a", "b"], axis=1),
             helper.make_node("Split", ["a"], ["c", "d"], name="split_1", axis=1),
             helper.make_node("Concat", ["d", "b", "c"], ["y"], name="cat", axis=1)]
    m = model(nodes, [("x", F, x.shape)], [("y", F, (2, 10))], [("sizes", i64([4, 6]))])
    return m, [x], np.concatenate([x[:, 2:4], x[:, 4:], x[:, :2]], 1)


@case
def einsum_attention_scores():
    q, k = rand(2, 3, 5, 4), rand(2, 3, 6, 4)
    m = model([node("Einsum", ["q", "k"], ["y"], equation="bhqd, bhkd -> bhqk")],
              [("q", F, q.shape), ("k", F, k.shape)], [("y", F, (2, 3, 5, 6))])
    return m, [q, k], np.einsum("bhqd,bhkd->bhqk", q, k)


@case
def einsum_implicit_output_and_sum():
    a, b = rand(3, 4), rand(4, 5)
    nodes = [node("Einsum", ["a", "b"], ["c"], equation="ij,jk"),
             helper.make_node("Einsum", ["c"], ["y"], name="e1", equation="ik->k")]
    m = model(nodes, [("a", F, a.shape), ("b", F, b.shape)], [("y", F, (5,))])
    return m, [a, b], (a @ b).sum(0)


@case
def gather_embedding_int64_ids():
    # An embedding lookup with int64 token ids (an i32 argument, extended
    # inside), negative ids counting from the end as in ONNX.
    table = rand(10, 4)
    ids = np.array([[1, 9, -1], [0, 3, 3]], np.int64)
    m = model([node("Gather", ["table", "ids"], ["y"], axis=0)],
              [("ids", TensorProto.INT64, ids.shape)], [("y", F, (2, 3, 4))], [("table", table)])
    return m, [ids.astype(np.int32)], table[ids]


@case
def gather_computed_indices_inner_axis():
    x = rand(3, 5)
    idx = np.array([4, 0, 2], np.int32)
    m = model([node("Gather", ["x", "i"], ["y"], axis=1)],
              [("x", F, x.shape), ("i", TensorProto.INT32, idx.shape)], [("y", F, (3, 3))])
    return m, [x, idx], x[:, idx]


@pytest.mark.parametrize("name", sorted(CASES))
def test_operator(name):
    m, args, want = CASES[name]()
    got, _ = run(m, *args)
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)


def test_large_constants_become_weight_arguments():
    x, w = rand(2, 64), rand(64, 64)
    m = model([node("MatMul", ["x", "w"], ["y"])], [("x", F, x.shape)], [("y", F, (2, 64))],
              [("w", w)])
    got, result = run(m, x, weights="npy")
    np.testing.assert_allclose(got, x @ w, atol=1e-5, rtol=1e-5)
    assert [a[1] for a in result.arguments] == ["x", "w"]
    assert 'attn.npy = "w.npy"' in result.mlir
    small = attn_onnx.import_model(m, weights="npy", inline_limit=64 * 64)
    assert "attn.npy" not in small.mlir and len(small.arguments) == 1


def test_unsupported_operator_is_one_line_error():
    x = rand(2, 3)
    m = model([node("Conv", ["x", "x"], ["y"])], [("x", F, x.shape)], [("y", F, x.shape)])
    with pytest.raises(attn_onnx.OnnxImportError) as err:
        attn_onnx.import_model(m)
    msg = str(err.value)
    assert "\n" not in msg
    assert msg.startswith("node 'conv_0' (Conv): unsupported operator; supported operators: ")
    assert "MatMul" in msg and "Softmax" in msg


def test_dynamic_input_needs_a_shape():
    g = helper.make_graph([node("Relu", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", F, ["batch", 4])],
                          [helper.make_tensor_value_info("y", F, ["batch", 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(attn_onnx.OnnxImportError, match="dynamic dim 'batch'"):
        attn_onnx.import_model(m)
    r = attn_onnx.import_model(m, input_shapes={"x": (3, 4)})
    assert "tensor<3x4xf32>" in r.mlir


def test_opset_out_of_range():
    x = rand(2)
    m = model([node("Relu", ["x"], ["y"])], [("x", F, x.shape)], [("y", F, x.shape)], opset=11)
    with pytest.raises(attn_onnx.OnnxImportError, match=r"opset 11 is not supported \(13 to 17\)"):
        attn_onnx.import_model(m)
