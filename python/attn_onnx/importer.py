"""ONNX graph -> MLIR text (func/linalg/tensor/arith/math on tensors)."""

import os
import re
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

# ONNX element type -> (MLIR element type, numpy dtype). bf16 has no numpy
# dtype: its constants are carried as uint16 bit patterns.
_ONNX_TYPES = {
    onnx.TensorProto.FLOAT: ("f32", np.float32),
    onnx.TensorProto.FLOAT16: ("f16", np.float16),
    onnx.TensorProto.BFLOAT16: ("bf16", np.uint16),
    onnx.TensorProto.DOUBLE: ("f64", np.float64),
    onnx.TensorProto.BOOL: ("i1", np.bool_),
    onnx.TensorProto.INT8: ("i8", np.int8),
    onnx.TensorProto.UINT8: ("i8", np.uint8),
    onnx.TensorProto.INT32: ("i32", np.int32),
    onnx.TensorProto.INT64: ("i64", np.int64),
}
_NUMPY_TO_MLIR = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float16): "f16",
    np.dtype(np.float64): "f64",
    np.dtype(np.bool_): "i1",
    np.dtype(np.int8): "i8",
    np.dtype(np.uint8): "i8",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
}
# Element types attn-run and attn.compile can pass as arguments.
_ARG_TYPES = {"f32", "f16", "i1", "i8", "i32"}
_FLOATS = {"f32", "f16", "bf16", "f64"}


class ImportError_(Exception):
    """A one-line reason the model cannot be imported."""


@dataclass
class Tensor:
    """A value of the graph: emitted SSA (`ssa`) or known (`const`)."""

    shape: tuple
    dtype: str  # MLIR element type
    ssa: str = None
    const: np.ndarray = None
    name: str = "const"  # ONNX name of a constant (names its .npy file)

    @property
    def known(self):
        return self.const is not None


@dataclass
class ImportResult:
    mlir: str
    # (argument name, ONNX name, .npy path or None for graph inputs)
    arguments: list = field(default_factory=list)
    weights: dict = field(default_factory=dict)  # .npy path -> array
    outputs: list = field(default_factory=list)  # ONNX output names


def _ttype(shape, dtype):
    return "tensor<" + "".join(f"{d}x" for d in shape) + dtype + ">"


def _amap(rank, dims):
    ds = ", ".join(f"d{i}" for i in range(rank))
    return f"affine_map<({ds}) -> ({', '.join(f'd{d}' for d in dims)})>"


def _float_literal(value, dtype):
    value = float(value)
    if np.isfinite(value):
        return f"{value:.17e}" if dtype == "f64" else f"{value:.9e}"
    bits = {
        "f32": (0x7F800000, 0xFF800000, 0x7FC00000, 8),
        "f16": (0x7C00, 0xFC00, 0x7E00, 4),
        "bf16": (0x7F80, 0xFF80, 0x7FC0, 4),
        "f64": (0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000, 16),
    }[dtype]
    b = bits[2] if np.isnan(value) else bits[0] if value > 0 else bits[1]
    return f"0x{b:0{bits[3]}X}"


def _scalar_literal(value, dtype):
    if dtype in _FLOATS:
        return _float_literal(value, dtype)
    if dtype == "i1":
        return "true" if value else "false"
    return str(int(value))


def _dense_literal(array, dtype):
    """The body of a dense<...> attribute for `array`."""
    flat = array.reshape(-1)
    if flat.size > 0 and np.all(flat == flat[0]) and not (
        dtype in _FLOATS and np.isnan(flat[0])
    ):
        return _scalar_literal(flat[0], dtype)
    if dtype == "i1" or array.ndim == 0:

        def nest(a):
            if a.ndim == 0:
                return _scalar_literal(a, dtype)
            return "[" + ", ".join(nest(x) for x in a) + "]"

        return nest(array)
    # Hex: the raw little-endian bytes, exact and compact.
    data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
    return '"0x' + data.hex().upper() + '"'


def _identifier(name, used):
    base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "v"
    if base[0].isdigit():
        base = "v" + base
    candidate, n = base, 1
    while candidate in used:
        candidate = f"{base}_{n}"
        n += 1
    used.add(candidate)
    return candidate


def _reshape_groups(src, dst):
    """Groups of dims (src groups, dst groups) with equal products; unit
    dims join a neighbouring group."""
    sg, dg = [], []
    i = j = 0
    while i < len(src) and j < len(dst):
        gi, gj = [i], [j]
        pi, pj = src[i], dst[j]
        i += 1
        j += 1
        while pi != pj:
            if pi < pj:
                pi *= src[i]
                gi.append(i)
                i += 1
            else:
                pj *= dst[j]
                gj.append(j)
                j += 1
        sg.append(gi)
        dg.append(gj)
    # Trailing unit dims join the last group.
    while i < len(src):
        sg[-1].append(i)
        i += 1
    while j < len(dst):
        dg[-1].append(j)
        j += 1
    return sg, dg


class _Emitter:
    """Lines of the function body. With a file name, each op's location is
    the ONNX node's name around the op's own line in that file
    (`loc("node"("model.mlir":12:3))`), so diagnostics show both; line
    numbers are placeholders until the header's length is known."""

    def __init__(self, filename=None):
        self.lines = []
        self.counter = 0
        self.filename = filename
        self.node = None  # the ONNX node whose ops are being emitted

    def fresh(self, hint="v"):
        self.counter += 1
        return f"%{hint}{self.counter}"

    def loc(self, line_index):
        if self.node is None:
            return ""
        if self.filename is None:
            return f' loc("{self.node}")'
        return f' loc("{self.node}"("{self.filename}":@@{line_index}@@:3))'

    def emit(self, line):
        self.lines.append("  " + line + self.loc(len(self.lines)))

    def finish(self, first_line):
        """The body text, its first line being line `first_line` (1-based)."""
        text = "\n".join(self.lines)
        return re.sub(r"@@(\d+)@@", lambda m: str(int(m.group(1)) + first_line), text)


class Importer:
    def __init__(self, model, weights="npy", inline_limit=1024, weights_prefix="",
                 input_shapes=None, filename=None):
        if weights not in ("npy", "inline"):
            raise ImportError_(f"unknown weights mode '{weights}' (npy or inline)")
        self.model = model
        self.weights_mode = weights
        self.inline_limit = inline_limit
        self.weights_prefix = weights_prefix
        self.input_shapes = input_shapes or {}
        self.e = _Emitter(filename)
        self.values = {}
        self.args = []  # (ssa, type, attr or None, onnx name, npy path)
        self.weights = {}
        self.used_names = set()

    # -- values ------------------------------------------------------------
    def get(self, name):
        if name not in self.values:
            raise ImportError_(f"value '{name}' is used before it is defined")
        return self.values[name]

    def ssa(self, t):
        """The SSA name of `t`, making a constant or a weight argument."""
        name = t.name
        if t.ssa is not None:
            return t.ssa
        arr = t.const
        if (self.weights_mode == "npy" and arr.size > self.inline_limit
                and t.dtype in _ARG_TYPES):
            ident = _identifier(name, self.used_names)
            ssa = "%" + ident
            path = os.path.join(self.weights_prefix, ident + ".npy")
            self.weights[path] = np.ascontiguousarray(arr)
            self.args.append((ssa, _ttype(t.shape, t.dtype),
                              f'{{attn.npy = "{path}"}}', name, path))
        else:
            ssa = self.e.fresh("cst")
            self.e.emit(f"{ssa} = arith.constant dense<{_dense_literal(arr, t.dtype)}> : "
                        f"{_ttype(t.shape, t.dtype)}")
        t.ssa = ssa
        return ssa

    def known(self, arr, dtype=None, name="const"):
        arr = np.asarray(arr)
        dtype = dtype or _NUMPY_TO_MLIR.get(arr.dtype)
        if dtype is None:
            raise ImportError_(f"constant of numpy dtype {arr.dtype} is not supported")
        return Tensor(tuple(arr.shape), dtype, const=arr, name=name)

    # -- building blocks -----------------------------------------------------
    def empty(self, shape, dtype):
        r = self.e.fresh("e")
        self.e.emit(f"{r} = tensor.empty() : {_ttype(shape, dtype)}")
        return r

    def filled(self, shape, dtype, value):
        c = self.e.fresh("c")
        self.e.emit(f"{c} = arith.constant {_scalar_literal(value, dtype)} : {dtype}")
        e = self.empty(shape, dtype)
        r = self.e.fresh("f")
        t = _ttype(shape, dtype)
        self.e.emit(f"{r} = linalg.fill ins({c} : {dtype}) outs({e} : {t}) -> {t}")
        return r

    def reshape(self, t, shape):
        shape = tuple(int(d) for d in shape)
        if int(np.prod(shape)) != int(np.prod(t.shape)):
            raise ImportError_(f"cannot reshape {t.shape} to {shape}")
        if t.known:
            return self.known(t.const.reshape(shape), t.dtype, t.name)
        if tuple(t.shape) == shape:
            return t
        src, x = tuple(t.shape), t.ssa
        if len(src) == 0 or len(shape) == 0:
            op = "expand_shape" if len(src) == 0 else "collapse_shape"
            return self._reassociate(x, src, shape, t.dtype, op, [])
        sg, dg = _reshape_groups(src, shape)
        if all(len(g) == 1 for g in dg):
            return self._reassociate(x, src, shape, t.dtype, "collapse_shape", sg)
        if all(len(g) == 1 for g in sg):
            return self._reassociate(x, src, shape, t.dtype, "expand_shape", dg)
        mid = tuple(int(np.prod([src[i] for i in g])) for g in sg)
        m = self._reassociate(x, src, mid, t.dtype, "collapse_shape", sg)
        return self._reassociate(m.ssa, mid, shape, t.dtype, "expand_shape", dg)

    def _reassociate(self, x, src, dst, dtype, op, groups):
        r = self.e.fresh("r")
        g = "[" + ", ".join("[" + ", ".join(map(str, grp)) + "]" for grp in groups) + "]"
        out = f" output_shape [{', '.join(map(str, dst))}]" if op == "expand_shape" else ""
        self.e.emit(f"{r} = tensor.{op} {x} {g}{out} : {_ttype(src, dtype)} into "
                    f"{_ttype(dst, dtype)}")
        return Tensor(tuple(dst), dtype, ssa=r)

    def broadcast_operand(self, t, out_shape):
        """(ssa, type, output dims) reading `t` broadcast to out_shape;
        broadcast unit dims are collapsed away so every map is a projected
        permutation."""
        rank, off = len(t.shape), len(out_shape) - len(t.shape)
        if off < 0:
            raise ImportError_(f"cannot broadcast {t.shape} to {out_shape}")
        keep = []
        for i, d in enumerate(t.shape):
            if d == out_shape[off + i]:
                keep.append(i)
            elif d != 1:
                raise ImportError_(f"cannot broadcast {t.shape} to {out_shape}")
        if t.known and len(keep) < rank:
            t = self.known(t.const.reshape([t.shape[i] for i in keep]), t.dtype)
        elif len(keep) < rank:
            t = self.reshape(t, [t.shape[i] for i in keep])
        return self.ssa(t), _ttype(t.shape, t.dtype), [off + i for i in keep]

    def generic(self, operands, out_shape, out_dtype, body, reduce_dims=(),
                init=None):
        """linalg.generic over out_shape (plus reduced dims: then out_shape is
        the full iteration space and the result drops reduce_dims).
        operands: (ssa, type, dims); body(emit, args, out) -> scalar ssa."""
        rank = len(out_shape)
        res_dims = [d for d in range(rank) if d not in reduce_dims]
        res_shape = tuple(out_shape[d] for d in res_dims)
        res_type = _ttype(res_shape, out_dtype)
        if init is None:
            init = self.empty(res_shape, out_dtype)
        maps = [_amap(rank, dims) for _, _, dims in operands] + [_amap(rank, res_dims)]
        iters = ", ".join('"reduction"' if d in reduce_dims else '"parallel"'
                          for d in range(rank))
        r = self.e.fresh("g")
        ins = ", ".join(o[0] for o in operands)
        types = ", ".join(o[1] for o in operands)
        # The location follows the region, on the closing line.
        header = len(self.e.lines)
        self.e.lines.append(f"  {r} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                            f"iterator_types = [{iters}]}} ins({ins} : {types}) "
                            f"outs({init} : {res_type}) {{")
        args = [self.e.fresh("in") for _ in operands]
        out = self.e.fresh("out")
        elems = [re.match(r"tensor<(?:\d+x)*(\w+)>", o[1]).group(1) for o in operands]
        sig = ", ".join(f"{a}: {t}" for a, t in zip(args, elems))
        self.e.lines.append(f"  ^bb0({sig}{', ' if sig else ''}{out}: {out_dtype}):")
        lines = []

        def emit(rhs, hint="s"):
            v = self.e.fresh(hint)
            lines.append(f"    {v} = {rhs}")
            return v

        y = body(emit, args, out)
        self.e.lines.extend(lines)
        self.e.lines.append(f"    linalg.yield {y} : {out_dtype}")
        self.e.lines.append(f"  }} -> {res_type}{self.e.loc(header)}")
        return Tensor(res_shape, out_dtype, ssa=r)

    def elementwise(self, inputs, out_dtype, body):
        out_shape = tuple(np.broadcast_shapes(*[tuple(t.shape) for t in inputs]))
        ops = [self.broadcast_operand(t, out_shape) for t in inputs]
        return self.generic(ops, out_shape, out_dtype, body)

    def reduce(self, t, axes, kind, keepdims):
        rank = len(t.shape)
        axes = sorted(a % rank for a in axes) if rank else []
        init_value = {"sum": 0.0, "max": -np.inf, "min": np.inf}[kind]
        if t.dtype not in _FLOATS:
            raise ImportError_(f"reductions of {t.dtype} are not supported")
        res_shape = [d for i, d in enumerate(t.shape) if i not in axes]
        init = self.filled(res_shape, t.dtype, init_value)
        op = {"sum": "arith.addf", "max": "arith.maximumf", "min": "arith.minimumf"}[kind]
        r = self.generic([(self.ssa(t), _ttype(t.shape, t.dtype), list(range(rank)))],
                         t.shape, t.dtype,
                         lambda emit, a, o: emit(f"{op} {a[0]}, {o} : {t.dtype}"),
                         reduce_dims=axes, init=init)
        if keepdims:
            r = self.reshape(r, [1 if i in axes else d for i, d in enumerate(t.shape)])
        return r

    def transpose(self, t, perm):
        if t.known:
            return self.known(np.transpose(t.const, perm), t.dtype, t.name)
        if list(perm) == list(range(len(perm))):
            return t
        shape = tuple(t.shape[p] for p in perm)
        init = self.empty(shape, t.dtype)
        r = self.e.fresh("t")
        self.e.emit(f"{r} = linalg.transpose ins({t.ssa} : {_ttype(t.shape, t.dtype)}) "
                    f"outs({init} : {_ttype(shape, t.dtype)}) permutation = "
                    f"[{', '.join(map(str, perm))}]")
        return Tensor(shape, t.dtype, ssa=r)

    def expand_to(self, t, shape):
        shape = tuple(shape)
        if tuple(t.shape) == shape:
            return t
        if t.known:
            return self.known(np.broadcast_to(t.const, shape).copy(), t.dtype, t.name)
        return self.generic([self.broadcast_operand(t, shape)], shape, t.dtype,
                            lambda emit, a, o: a[0])

    def matmul(self, a, b):
        if a.dtype != b.dtype or a.dtype not in _FLOATS:
            raise ImportError_(f"MatMul of {a.dtype} and {b.dtype} is not supported")
        dt = a.dtype
        squeeze_m = len(a.shape) == 1
        squeeze_n = len(b.shape) == 1
        if squeeze_m:
            a = self.reshape(a, (1,) + tuple(a.shape))
        if squeeze_n:
            b = self.reshape(b, tuple(b.shape) + (1,))
        m, k = a.shape[-2:]
        k2, n = b.shape[-2:]
        if k != k2:
            raise ImportError_(f"MatMul of {a.shape} and {b.shape}: inner dims differ")
        batch = tuple(np.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2])))
        if len(b.shape) == 2:
            # [..., M, K] x [K, N]: one matmul over all rows.
            rows = int(np.prod(a.shape[:-1]))
            a2 = self.reshape(a, (rows, k))
            out = self._contract("linalg.matmul", a2, b, (rows, n), dt)
            out = self.reshape(out, tuple(a.shape[:-1]) + (n,))
        else:
            a = self.expand_to(a, batch + (m, k))
            b = self.expand_to(b, batch + (k, n))
            nb = int(np.prod(batch))
            a3 = self.reshape(a, (nb, m, k))
            b3 = self.reshape(b, (nb, k, n))
            out = self._contract("linalg.batch_matmul", a3, b3, (nb, m, n), dt)
            out = self.reshape(out, batch + (m, n))
        shape = list(out.shape)
        if squeeze_n:
            shape.pop(-1)
        if squeeze_m:
            shape.pop(-2)
        return self.reshape(out, shape)

    def _contract(self, op, a, b, shape, dtype):
        init = self.filled(shape, dtype, 0.0)
        r = self.e.fresh("mm")
        t = _ttype(shape, dtype)
        self.e.emit(f"{r} = {op} ins({self.ssa(a)}, {self.ssa(b)} : "
                    f"{_ttype(a.shape, dtype)}, {_ttype(b.shape, dtype)}) "
                    f"outs({init} : {t}) -> {t}")
        return Tensor(tuple(shape), dtype, ssa=r)

    def softmax(self, x, axis):
        """The decomposed softmax frontends emit: max-reduce, subtract, exp,
        sum-reduce, divide."""
        rank = len(x.shape)
        axis %= rank
        dt = x.dtype
        full = list(range(rank))
        red = [d for d in full if d != axis]
        tx = _ttype(x.shape, dt)
        xs = self.ssa(x)
        mx = self.reduce(x, [axis], "max", keepdims=False)
        sub = self.generic([(xs, tx, full), (mx.ssa, _ttype(mx.shape, dt), red)],
                           x.shape, dt,
                           lambda emit, a, o: emit(f"arith.subf {a[0]}, {a[1]} : {dt}"))
        ex = self.generic([(sub.ssa, tx, full)], x.shape, dt,
                          lambda emit, a, o: emit(f"math.exp {a[0]} : {dt}"))
        sm = self.reduce(ex, [axis], "sum", keepdims=False)
        return self.generic([(ex.ssa, tx, full), (sm.ssa, _ttype(sm.shape, dt), red)],
                            x.shape, dt,
                            lambda emit, a, o: emit(f"arith.divf {a[0]}, {a[1]} : {dt}"))

    def slice(self, t, starts, ends, axes, steps):
        rank = len(t.shape)
        offsets, sizes, strides = [0] * rank, list(t.shape), [1] * rank
        for s, e, ax, st in zip(starts, ends, axes, steps):
            ax = int(ax) % rank
            dim = t.shape[ax]
            if st <= 0:
                raise ImportError_("Slice with a non-positive step is not supported")
            s = int(s) + dim if s < 0 else int(s)
            e = int(e) + dim if e < 0 else int(e)
            s, e = min(max(s, 0), dim), min(max(e, 0), dim)
            offsets[ax], strides[ax] = s, int(st)
            sizes[ax] = max(0, (e - s + st - 1) // st)
        if t.known:
            idx = tuple(slice(o, o + (n - 1) * st + 1 if n else o, st)
                        for o, n, st in zip(offsets, sizes, strides))
            return self.known(t.const[idx], t.dtype)
        if 0 in sizes:
            raise ImportError_("Slice producing an empty tensor is not supported")
        if sizes == list(t.shape):
            return t
        r = self.e.fresh("sl")
        j = lambda v: ", ".join(map(str, v))  # noqa: E731
        self.e.emit(f"{r} = tensor.extract_slice {t.ssa}[{j(offsets)}] [{j(sizes)}] "
                    f"[{j(strides)}] : {_ttype(t.shape, t.dtype)} to "
                    f"{_ttype(sizes, t.dtype)}")
        return Tensor(tuple(sizes), t.dtype, ssa=r)

    def concat(self, ts, axis):
        rank = len(ts[0].shape)
        axis %= rank
        if all(t.known for t in ts):
            return self.known(np.concatenate([t.const for t in ts], axis), ts[0].dtype)
        ts = [t for t in ts if t.shape[axis] != 0]
        shape = list(ts[0].shape)
        shape[axis] = sum(t.shape[axis] for t in ts)
        dt = ts[0].dtype
        cur = self.empty(shape, dt)
        off = 0
        for t in ts:
            offsets = [0] * rank
            offsets[axis] = off
            r = self.e.fresh("cat")
            j = lambda v: ", ".join(map(str, v))  # noqa: E731
            self.e.emit(f"{r} = tensor.insert_slice {self.ssa(t)} into {cur}"
                        f"[{j(offsets)}] [{j(t.shape)}] [{j([1] * rank)}] : "
                        f"{_ttype(t.shape, dt)} into {_ttype(shape, dt)}")
            cur, off = r, off + t.shape[axis]
        return Tensor(tuple(shape), dt, ssa=cur)

    def cast(self, t, to):
        fr = t.dtype
        if fr == to:
            return t

        def body(emit, a, o):
            x = a[0]
            if fr in _FLOATS and to in _FLOATS:
                wider = {"f16": 16, "bf16": 16, "f32": 32, "f64": 64}
                op = "arith.extf" if wider[to] > wider[fr] else "arith.truncf"
                return emit(f"{op} {x} : {fr} to {to}")
            if fr in _FLOATS and to == "i1":
                z = emit(f"arith.constant 0.0 : {fr}")
                return emit(f"arith.cmpf une, {x}, {z} : {fr}")
            if fr in _FLOATS:
                return emit(f"arith.fptosi {x} : {fr} to {to}")
            if to in _FLOATS:
                op = "arith.uitofp" if fr == "i1" else "arith.sitofp"
                return emit(f"{op} {x} : {fr} to {to}")
            if to == "i1":
                z = emit(f"arith.constant 0 : {fr}")
                return emit(f"arith.cmpi ne, {x}, {z} : {fr}")
            bits = lambda s: int(s[1:])  # noqa: E731
            if bits(to) > bits(fr):
                op = "arith.extui" if fr == "i1" else "arith.extsi"
                return emit(f"{op} {x} : {fr} to {to}")
            return emit(f"arith.trunci {x} : {fr} to {to}")

        return self.elementwise([t], to, body)

    # -- the graph ---------------------------------------------------------------
    def run(self):
        graph = self.model.graph
        opsets = {o.domain: o.version for o in self.model.opset_import}
        self.opset = opsets.get("", opsets.get("ai.onnx", 0))
        if not 13 <= self.opset <= 17:
            raise ImportError_(f"opset {self.opset} is not supported (13 to 17)")
        initializers = {i.name: i for i in graph.initializer}
        inputs = []
        for vi in graph.input:
            if vi.name in initializers:
                continue
            tt = vi.type.tensor_type
            if tt.elem_type not in _ONNX_TYPES:
                raise ImportError_(f"graph input '{vi.name}': element type "
                                   f"{onnx.TensorProto.DataType.Name(tt.elem_type)} "
                                   "is not supported")
            dtype = _ONNX_TYPES[tt.elem_type][0]
            if vi.name in self.input_shapes:
                shape = tuple(self.input_shapes[vi.name])
            else:
                shape = []
                for d in tt.shape.dim:
                    if not d.HasField("dim_value"):
                        raise ImportError_(
                            f"graph input '{vi.name}' has a dynamic dim "
                            f"'{d.dim_param or '?'}'; export with static shapes or "
                            f"give --input-shape {vi.name}=2x3x...")
                    shape.append(d.dim_value)
                shape = tuple(shape)
            ident = _identifier(vi.name, self.used_names)
            if dtype == "i64":
                # The runners pass int32, not int64 (token ids, lengths,
                # masks): an i32 argument, sign-extended inside.
                arg = Tensor(shape, "i32", ssa="%" + ident)
                inputs.append(("%" + ident, _ttype(shape, "i32"), None, vi.name, None))
                self.values[vi.name] = self.cast(arg, "i64")
                continue
            t = Tensor(shape, dtype, ssa="%" + ident)
            self.values[vi.name] = t
            inputs.append(("%" + ident, _ttype(shape, dtype), None, vi.name, None))
        for name, init in initializers.items():
            arr = numpy_helper.to_array(init)
            dtype = _ONNX_TYPES.get(init.data_type, (None,))[0]
            if dtype is None:
                raise ImportError_(f"initializer '{name}': element type "
                                   f"{onnx.TensorProto.DataType.Name(init.data_type)} "
                                   "is not supported")
            self.values[name] = self.known(arr, dtype, name)

        for node in graph.node:
            self.node(node)

        self.e.node = None
        results = []
        for out in graph.output:
            t = self.get(out.name)
            results.append((self.ssa(t), _ttype(t.shape, t.dtype)))
        args = inputs + self.args
        arg_text = ", ".join(f"{ssa}: {ty}" + (f" {attr}" if attr else "")
                             for ssa, ty, attr, _, _ in args)
        res_types = ", ".join(ty for _, ty in results)
        if len(results) != 1:
            res_types = f"({res_types})"
        header = [
            f"// Imported by attn-import-onnx from an ONNX model (opset {self.opset},"
            f" producer {self.model.producer_name or 'unknown'}).",
        ]
        if self.args:
            header.append("// Arguments: the graph inputs, then weights whose attn.npy "
                          "attribute names their .npy file (relative to this file).")
        header.append(f"func.func @main({arg_text}) -> {res_types} {{")
        body = [
            self.e.finish(len(header) + 1),
            f"  return {', '.join(s for s, _ in results)} : "
            f"{', '.join(t for _, t in results)}",
            "}",
        ]
        return ImportResult(
            mlir="\n".join(header + [b for b in body if b]) + "\n",
            arguments=[(ssa[1:], onnx_name, path) for ssa, _, _, onnx_name, path in args],
            weights=self.weights,
            outputs=[o.name for o in graph.output],
        )

    def node(self, node):
        op = node.op_type
        if node.domain not in ("", "ai.onnx"):
            self.unsupported(node, f"domain '{node.domain}'")
        handler = _HANDLERS.get(op)
        if handler is None:
            self.unsupported(node)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs.items()}
        ins = [self.get(n) if n else None for n in node.input]
        # Diagnostics of attn-opt and attn-run name the ONNX node.
        self.e.node = _node_name(node).replace("\\", "\\\\").replace('"', '\\"')
        try:
            outs = handler(self, ins, attrs, node)
        except ImportError_ as err:
            raise ImportError_(f"node '{_node_name(node)}' ({op}): {err}") from None
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        for name, t in zip(node.output, outs):
            if name:
                if t.known and t.name == "const" and t.ssa is None:
                    t.name = name
                self.values[name] = t

    def unsupported(self, node, why="operator"):
        raise ImportError_(
            f"node '{_node_name(node)}' ({node.op_type}): unsupported {why}; supported "
            f"operators: {', '.join(SUPPORTED_OPS)}")


# -- operators -------------------------------------------------------------------


def _node_name(node):
    """The node's name, or its first output's when it has none."""
    return node.name or (node.output[0] if node.output else "?")


def _ints(t, what):
    if t is None:
        return None
    if not t.known:
        raise ImportError_(f"{what} must be a constant (or computable from shapes)")
    return [int(v) for v in np.asarray(t.const).reshape(-1)]


def _binary(float_op, int_op, np_fn):
    def handler(imp, ins, attrs, node):
        a, b = ins
        if a.known and b.known:
            return imp.known(np_fn(a.const, b.const).astype(a.const.dtype), a.dtype)
        dt = a.dtype
        if a.dtype != b.dtype:
            raise ImportError_(f"operands of types {a.dtype} and {b.dtype}")
        op = float_op if dt in _FLOATS else int_op
        if op is None:
            raise ImportError_(f"{node.op_type} of {dt} is not supported")
        return imp.elementwise([a, b], dt,
                               lambda emit, x, o: emit(f"{op} {x[0]}, {x[1]} : {dt}"))
    return handler


def _unary(body_fn, np_fn, floats_only=True):
    def handler(imp, ins, attrs, node):
        (x,) = ins[:1]
        if x.known and np_fn is not None:
            return imp.known(np_fn(x.const).astype(x.const.dtype), x.dtype)
        if floats_only and x.dtype not in _FLOATS:
            raise ImportError_(f"{node.op_type} of {x.dtype} is not supported")
        return imp.elementwise([x], x.dtype, lambda emit, a, o: body_fn(emit, a[0], x.dtype))
    return handler


def _erf(v):
    import math
    return np.vectorize(math.erf)(v)


def _op_pow(imp, ins, attrs, node):
    x, y = ins
    if x.known and y.known:
        return imp.known(np.power(x.const, y.const).astype(x.const.dtype), x.dtype)
    dt = x.dtype
    if y.known and y.const.size == 1:
        e = float(y.const.reshape(-1)[0])
        if e == 1.0:
            return x
        if e == 2.0:
            return imp.elementwise([x], dt, lambda emit, a, o: emit(f"arith.mulf {a[0]}, {a[0]} : {dt}"))
        if e == 0.5:
            return imp.elementwise([x], dt, lambda emit, a, o: emit(f"math.sqrt {a[0]} : {dt}"))
    if y.dtype != dt:
        y = imp.cast(y, dt)
    return imp.elementwise([x, y], dt, lambda emit, a, o: emit(f"math.powf {a[0]}, {a[1]} : {dt}"))


def _op_matmul(imp, ins, attrs, node):
    return imp.matmul(ins[0], ins[1])


def _op_gemm(imp, ins, attrs, node):
    a, b = ins[0], ins[1]
    c = ins[2] if len(ins) > 2 else None
    if attrs.get("transA", 0):
        a = imp.transpose(a, [1, 0])
    if attrs.get("transB", 0):
        b = imp.transpose(b, [1, 0])
    out = imp.matmul(a, b)
    dt = out.dtype
    alpha, beta = attrs.get("alpha", 1.0), attrs.get("beta", 1.0)
    if alpha != 1.0:
        out = imp.elementwise([out, imp.known(np.array(alpha, np.float32), dt)], dt,
                              lambda emit, x, o: emit(f"arith.mulf {x[0]}, {x[1]} : {dt}"))
    if c is not None:
        if beta != 1.0:
            c = imp.elementwise([c, imp.known(np.array(beta, np.float32), dt)], dt,
                                lambda emit, x, o: emit(f"arith.mulf {x[0]}, {x[1]} : {dt}"))
        out = imp.elementwise([out, c], dt,
                              lambda emit, x, o: emit(f"arith.addf {x[0]}, {x[1]} : {dt}"))
    return out


def _op_softmax(imp, ins, attrs, node):
    x = ins[0]
    if x.dtype not in _FLOATS:
        raise ImportError_(f"Softmax of {x.dtype}")
    return imp.softmax(x, attrs.get("axis", -1))


def _op_transpose(imp, ins, attrs, node):
    x = ins[0]
    perm = attrs.get("perm", list(reversed(range(len(x.shape)))))
    return imp.transpose(x, list(perm))


def _resolve_shape(x, shape, allowzero):
    shape = list(shape)
    for i, d in enumerate(shape):
        if d == 0 and not allowzero:
            shape[i] = x.shape[i]
    if -1 in shape:
        rest = int(np.prod([d for d in shape if d != -1]))
        shape[shape.index(-1)] = int(np.prod(x.shape)) // max(rest, 1)
    return shape


def _op_reshape(imp, ins, attrs, node):
    x = ins[0]
    return imp.reshape(x, _resolve_shape(x, _ints(ins[1], "the shape"),
                                         attrs.get("allowzero", 0)))


def _op_flatten(imp, ins, attrs, node):
    x = ins[0]
    axis = attrs.get("axis", 1) % (len(x.shape) + 1) if x.shape else 0
    return imp.reshape(x, [int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:]))])


def _axes(ins, attrs):
    if len(ins) > 1 and ins[1] is not None:
        return _ints(ins[1], "axes")
    return attrs.get("axes")


def _op_squeeze(imp, ins, attrs, node):
    x = ins[0]
    axes = _axes(ins, attrs)
    rank = len(x.shape)
    if axes is None:
        axes = [i for i, d in enumerate(x.shape) if d == 1]
    axes = [a % rank for a in axes]
    return imp.reshape(x, [d for i, d in enumerate(x.shape) if i not in axes])


def _op_unsqueeze(imp, ins, attrs, node):
    x = ins[0]
    axes = _axes(ins, attrs)
    rank = len(x.shape) + len(axes)
    axes = sorted(a % rank for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return imp.reshape(x, shape)


def _op_cast(imp, ins, attrs, node):
    x = ins[0]
    to = attrs["to"]
    if to not in _ONNX_TYPES:
        raise ImportError_(f"Cast to {onnx.TensorProto.DataType.Name(to)}")
    dt, np_dt = _ONNX_TYPES[to]
    if x.known and to != onnx.TensorProto.BFLOAT16:
        return imp.known(x.const.astype(np_dt), dt)
    return imp.cast(x, dt)


def _tensor_attr(attrs):
    for key in ("value", "sparse_value"):
        if key in attrs:
            if key == "sparse_value":
                raise ImportError_("sparse constants are not supported")
            t = attrs[key]
            return numpy_helper.to_array(t), _ONNX_TYPES[t.data_type][0]
    if "value_float" in attrs:
        return np.array(attrs["value_float"], np.float32), "f32"
    if "value_floats" in attrs:
        return np.array(attrs["value_floats"], np.float32), "f32"
    if "value_int" in attrs:
        return np.array(attrs["value_int"], np.int64), "i64"
    if "value_ints" in attrs:
        return np.array(attrs["value_ints"], np.int64), "i64"
    raise ImportError_("Constant without a value")


def _op_constant(imp, ins, attrs, node):
    arr, dt = _tensor_attr(attrs)
    return imp.known(arr, dt)


def _op_constant_of_shape(imp, ins, attrs, node):
    shape = _ints(ins[0], "the shape")
    if "value" in attrs:
        v = numpy_helper.to_array(attrs["value"])
        dt = _ONNX_TYPES[attrs["value"].data_type][0]
    else:
        v, dt = np.zeros(1, np.float32), "f32"
    return imp.known(np.full(shape, v.reshape(-1)[0], v.dtype), dt)


def _op_shape(imp, ins, attrs, node):
    shape = np.array(ins[0].shape, np.int64)
    start, end = attrs.get("start", 0), attrs.get("end", None)
    return imp.known(shape[start:end], "i64")


def _op_size(imp, ins, attrs, node):
    return imp.known(np.array(int(np.prod(ins[0].shape)), np.int64), "i64")


def _op_range(imp, ins, attrs, node):
    s, l, d = (t.const if t.known else None for t in ins)
    if s is None or l is None or d is None:
        raise ImportError_("Range with computed bounds")
    return imp.known(np.arange(s, l, d).astype(s.dtype), ins[0].dtype)


def _gather_computed(imp, data, idx, axis):
    """Gather with indices computed at run time (an embedding lookup): a
    linalg.generic over the output that reads each index and extracts."""
    if idx.dtype not in ("i32", "i64"):
        raise ImportError_(f"Gather indices of type {idx.dtype}")
    out_shape = tuple(data.shape[:axis]) + tuple(idx.shape) + tuple(data.shape[axis + 1:])
    idx_dims = list(range(axis, axis + len(idx.shape)))
    data_ssa, data_type = imp.ssa(data), _ttype(data.shape, data.dtype)
    ty = idx.dtype
    size = data.shape[axis]

    def body(emit, a, o):
        i = a[0]
        neg = emit(f"arith.cmpi slt, {i}, " + emit(f"arith.constant 0 : {ty}") + f" : {ty}")
        wrapped = emit(f"arith.addi {i}, " + emit(f"arith.constant {size} : {ty}") + f" : {ty}")
        i = emit(f"arith.select {neg}, {wrapped}, {i} : {ty}")
        coords = [emit(f"linalg.index {d} : index") for d in range(axis)]
        coords.append(emit(f"arith.index_cast {i} : {ty} to index"))
        coords += [emit(f"linalg.index {d} : index")
                   for d in range(axis + len(idx.shape), len(out_shape))]
        return emit(f"tensor.extract {data_ssa}[{', '.join(coords)}] : {data_type}")

    return imp.generic([(imp.ssa(idx), _ttype(idx.shape, ty), idx_dims)], out_shape,
                       data.dtype, body)


def _op_gather(imp, ins, attrs, node):
    data, idx = ins
    axis = attrs.get("axis", 0) % len(data.shape)
    if not idx.known:
        return _gather_computed(imp, data, idx, axis)
    indices = _ints(idx, "the indices")
    ind = np.array(indices, np.int64).reshape(idx.shape)
    ind = np.where(ind < 0, ind + data.shape[axis], ind)
    if data.known:
        return imp.known(np.take(data.const, ind, axis=axis), data.dtype)
    pieces = []
    for i in ind.reshape(-1):
        starts, ends = [int(i)], [int(i) + 1]
        pieces.append(imp.slice(data, starts, ends, [axis], [1]))
    g = pieces[0] if len(pieces) == 1 else imp.concat(pieces, axis)
    shape = list(data.shape[:axis]) + list(ind.shape) + list(data.shape[axis + 1:])
    return imp.reshape(g, shape)


def _op_slice(imp, ins, attrs, node):
    x = ins[0]
    starts = _ints(ins[1], "starts")
    ends = _ints(ins[2], "ends")
    axes = _ints(ins[3], "axes") if len(ins) > 3 and ins[3] is not None else list(range(len(starts)))
    steps = _ints(ins[4], "steps") if len(ins) > 4 and ins[4] is not None else [1] * len(starts)
    # INT64 max / min mean "to the end".
    ends = [min(e, 2**62) if e > 0 else max(e, -2**62) for e in ends]
    return imp.slice(x, starts, ends, axes, steps)


def _op_concat(imp, ins, attrs, node):
    return imp.concat([t for t in ins if t is not None], attrs["axis"])


def _op_split(imp, ins, attrs, node):
    x = ins[0]
    axis = attrs.get("axis", 0) % len(x.shape)
    sizes = _ints(ins[1], "split") if len(ins) > 1 and ins[1] is not None else attrs.get("split")
    n = len(node.output)
    if sizes is None:
        if x.shape[axis] % n:
            raise ImportError_(f"cannot split dim {x.shape[axis]} into {n} equal parts")
        sizes = [x.shape[axis] // n] * n
    if sum(sizes) != x.shape[axis]:
        raise ImportError_(f"split sizes {list(sizes)} do not add up to {x.shape[axis]}")
    outs, start = [], 0
    for size in sizes:
        outs.append(imp.slice(x, [start], [start + size], [axis], [1]))
        start += size
    return outs


def _op_einsum(imp, ins, attrs, node):
    """Einsum without ellipses or repeated indices within an operand: one
    linalg.generic (a contraction when indices are summed)."""
    eq = attrs["equation"].replace(" ", "")
    if "..." in eq:
        raise ImportError_(f"Einsum with an ellipsis ('{eq}') is not supported")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ins) or len(ins) > 2:
        raise ImportError_(f"Einsum '{eq}' with {len(ins)} operands is not supported")
    if not arrow:
        letters = "".join(terms)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    sizes = {}
    for term, t in zip(terms, ins):
        if len(set(term)) != len(term) or len(term) != len(t.shape):
            raise ImportError_(f"Einsum term '{term}' does not fit shape {list(t.shape)}")
        for c, d in zip(term, t.shape):
            if sizes.setdefault(c, d) != d:
                raise ImportError_(f"Einsum index '{c}' has sizes {sizes[c]} and {d}")
    summed = sorted(set("".join(terms)) - set(out))
    dims = list(out) + summed
    shape = [sizes[c] for c in dims]
    dt = ins[0].dtype
    if dt not in _FLOATS or any(t.dtype != dt for t in ins):
        raise ImportError_("Einsum of non-float or mixed types is not supported")
    ops = [(imp.ssa(t), _ttype(t.shape, dt), [dims.index(c) for c in term])
           for term, t in zip(terms, ins)]
    reduce = [dims.index(c) for c in summed]
    init = imp.filled([sizes[c] for c in out], dt, 0.0)

    def body(emit, a, o):
        p = a[0] if len(a) == 1 else emit(f"arith.mulf {a[0]}, {a[1]} : {dt}")
        return emit(f"arith.addf {o}, {p} : {dt}")

    return imp.generic(ops, shape, dt, body, reduce_dims=reduce, init=init)


def _op_expand(imp, ins, attrs, node):
    x = ins[0]
    shape = tuple(np.broadcast_shapes(tuple(x.shape), tuple(_ints(ins[1], "the shape"))))
    return imp.expand_to(x, shape)


def _op_tile(imp, ins, attrs, node):
    x = ins[0]
    reps = _ints(ins[1], "repeats")
    if x.known:
        return imp.known(np.tile(x.const, reps), x.dtype)
    # Broadcast to [r0, d0, r1, d1, ...] then merge each pair.
    inter, pairs = [], []
    for r, d in zip(reps, x.shape):
        inter += [r, d]
        pairs.append(r * d)
    y = imp.reshape(x, [d if i % 2 else 1 for i, d in enumerate(inter)])
    return imp.reshape(imp.expand_to(y, inter), pairs)


def _op_where(imp, ins, attrs, node):
    c, x, y = ins
    if c.known and x.known and y.known:
        return imp.known(np.where(c.const, x.const, y.const), x.dtype)
    dt = x.dtype
    return imp.elementwise([c, x, y], dt,
                           lambda emit, a, o: emit(f"arith.select {a[0]}, {a[1]}, {a[2]} : {dt}"))


def _op_identity(imp, ins, attrs, node):
    return ins[0]


def _op_dropout(imp, ins, attrs, node):
    if len(node.output) > 1 and node.output[1]:
        raise ImportError_("Dropout's mask output is not supported")
    return ins[0]


def _op_reduce(kind, mean=False):
    def handler(imp, ins, attrs, node):
        x = ins[0]
        axes = _axes(ins, attrs)
        keep = attrs.get("keepdims", 1)
        if axes is None or axes == []:
            if attrs.get("noop_with_empty_axes", 0):
                return x
            axes = list(range(len(x.shape)))
        if x.known:
            fn = {"sum": np.sum, "max": np.max, "min": np.min}[kind]
            r = (np.mean if mean else fn)(x.const, axis=tuple(axes), keepdims=bool(keep))
            return imp.known(r.astype(x.const.dtype), x.dtype)
        r = imp.reduce(x, axes, kind, keep)
        if mean:
            n = int(np.prod([x.shape[a] for a in axes]))
            dt = x.dtype
            r = imp.elementwise([r, imp.known(np.array(n, np.float32), dt)], dt,
                                lambda emit, a, o: emit(f"arith.divf {a[0]}, {a[1]} : {dt}"))
        return r
    return handler


def _op_layer_norm(imp, ins, attrs, node):
    x, scale = ins[0], ins[1]
    bias = ins[2] if len(ins) > 2 else None
    if len(node.output) > 1 and any(node.output[1:]):
        raise ImportError_("LayerNormalization's Mean/InvStdDev outputs are not supported")
    rank = len(x.shape)
    axis = attrs.get("axis", -1) % rank
    eps = attrs.get("epsilon", 1e-5)
    dt = x.dtype
    axes = list(range(axis, rank))
    n = float(np.prod(x.shape[axis:]))
    keep = list(range(axis))
    full = list(range(rank))
    tx = _ttype(x.shape, dt)
    s = imp.reduce(x, axes, "sum", keepdims=False)
    d = imp.generic([(imp.ssa(x), tx, full), (s.ssa, _ttype(s.shape, dt), keep)], x.shape, dt,
                    lambda emit, a, o: emit(f"arith.subf {a[0]}, " + emit(
                        f"arith.divf {a[1]}, " + emit(f"arith.constant {_float_literal(n, dt)} : {dt}")
                        + f" : {dt}") + f" : {dt}"))
    sq = imp.generic([(d.ssa, tx, full)], x.shape, dt,
                     lambda emit, a, o: emit(f"arith.mulf {a[0]}, {a[0]} : {dt}"))
    v = imp.reduce(sq, axes, "sum", keepdims=False)
    ops = [(d.ssa, tx, full), (v.ssa, _ttype(v.shape, dt), keep),
           imp.broadcast_operand(scale, x.shape)]
    if bias is not None:
        ops.append(imp.broadcast_operand(bias, x.shape))

    def body(emit, a, o):
        nn = emit(f"arith.constant {_float_literal(n, dt)} : {dt}")
        e = emit(f"arith.constant {_float_literal(eps, dt)} : {dt}")
        var = emit(f"arith.divf {a[1]}, {nn} : {dt}")
        ve = emit(f"arith.addf {var}, {e} : {dt}")
        rs = emit(f"math.rsqrt {ve} : {dt}")
        y = emit(f"arith.mulf {a[0]}, {rs} : {dt}")
        y = emit(f"arith.mulf {y}, {a[2]} : {dt}")
        if bias is not None:
            y = emit(f"arith.addf {y}, {a[3]} : {dt}")
        return y

    return imp.generic(ops, x.shape, dt, body)


def _op_trilu(imp, ins, attrs, node):
    x = ins[0]
    if not x.known:
        raise ImportError_("Trilu of a computed tensor is not supported (only constants)")
    k = _ints(ins[1], "k")[0] if len(ins) > 1 and ins[1] is not None else 0
    fn = np.triu if attrs.get("upper", 1) else np.tril
    return imp.known(fn(x.const, k), x.dtype)


def _not(imp, ins, attrs, node):
    x = ins[0]
    if x.known:
        return imp.known(np.logical_not(x.const), "i1")
    return imp.elementwise([x], "i1", lambda emit, a, o: emit(
        f"arith.xori {a[0]}, " + emit("arith.constant true") + " : i1"))


def _cmp(fpred, ipred, np_fn):
    def handler(imp, ins, attrs, node):
        a, b = ins
        if a.known and b.known:
            return imp.known(np_fn(a.const, b.const), "i1")
        dt = a.dtype
        if dt in _FLOATS:
            body = lambda emit, x, o: emit(f"arith.cmpf {fpred}, {x[0]}, {x[1]} : {dt}")  # noqa: E731
        else:
            body = lambda emit, x, o: emit(f"arith.cmpi {ipred}, {x[0]}, {x[1]} : {dt}")  # noqa: E731
        return imp.elementwise([a, b], "i1", body)
    return handler


_HANDLERS = {
    "Add": _binary("arith.addf", "arith.addi", np.add),
    "Sub": _binary("arith.subf", "arith.subi", np.subtract),
    "Mul": _binary("arith.mulf", "arith.muli", np.multiply),
    "Div": _binary("arith.divf", "arith.divsi",
                   lambda a, b: a / b if a.dtype.kind == "f" else a // b),
    "Max": _binary("arith.maximumf", "arith.maxsi", np.maximum),
    "Min": _binary("arith.minimumf", "arith.minsi", np.minimum),
    "And": _binary(None, "arith.andi", np.logical_and),
    "Or": _binary(None, "arith.ori", np.logical_or),
    "Xor": _binary(None, "arith.xori", np.logical_xor),
    "Equal": _cmp("oeq", "eq", np.equal),
    "Less": _cmp("olt", "slt", np.less),
    "LessOrEqual": _cmp("ole", "sle", np.less_equal),
    "Greater": _cmp("ogt", "sgt", np.greater),
    "GreaterOrEqual": _cmp("oge", "sge", np.greater_equal),
    "Not": _not,
    "Pow": _op_pow,
    "Sqrt": _unary(lambda emit, x, t: emit(f"math.sqrt {x} : {t}"), np.sqrt),
    "Erf": _unary(lambda emit, x, t: emit(f"math.erf {x} : {t}"), _erf),
    "Tanh": _unary(lambda emit, x, t: emit(f"math.tanh {x} : {t}"), np.tanh),
    "Exp": _unary(lambda emit, x, t: emit(f"math.exp {x} : {t}"), np.exp),
    "Log": _unary(lambda emit, x, t: emit(f"math.log {x} : {t}"), np.log),
    "Abs": _unary(lambda emit, x, t: emit(f"math.absf {x} : {t}"), np.abs),
    "Neg": _unary(lambda emit, x, t: emit(f"arith.negf {x} : {t}"), np.negative),
    "Reciprocal": _unary(lambda emit, x, t: emit(
        f"arith.divf {emit(f'arith.constant {_float_literal(1.0, t)} : {t}')}, {x} : {t}"),
        np.reciprocal),
    "Relu": _unary(lambda emit, x, t: emit(
        f"arith.maximumf {x}, {emit(f'arith.constant {_float_literal(0.0, t)} : {t}')} : {t}"),
        lambda v: np.maximum(v, 0)),
    "Sigmoid": _unary(lambda emit, x, t: emit(
        f"arith.divf {emit(f'arith.constant {_float_literal(1.0, t)} : {t}')}, "
        + emit(f"arith.addf {emit(f'arith.constant {_float_literal(1.0, t)} : {t}')}, "
               + emit(f"math.exp {emit(f'arith.negf {x} : {t}')} : {t}") + f" : {t}")
        + f" : {t}"), lambda v: 1 / (1 + np.exp(-v))),
    "MatMul": _op_matmul,
    "Gemm": _op_gemm,
    "Softmax": _op_softmax,
    "Transpose": _op_transpose,
    "Reshape": _op_reshape,
    "Flatten": _op_flatten,
    "Squeeze": _op_squeeze,
    "Unsqueeze": _op_unsqueeze,
    "Cast": _op_cast,
    "Constant": _op_constant,
    "ConstantOfShape": _op_constant_of_shape,
    "Shape": _op_shape,
    "Size": _op_size,
    "Range": _op_range,
    "Gather": _op_gather,
    "Slice": _op_slice,
    "Concat": _op_concat,
    "Expand": _op_expand,
    "Split": _op_split,
    "Einsum": _op_einsum,
    "Tile": _op_tile,
    "Where": _op_where,
    "Identity": _op_identity,
    "Dropout": _op_dropout,
    "ReduceSum": _op_reduce("sum"),
    "ReduceMean": _op_reduce("sum", mean=True),
    "ReduceMax": _op_reduce("max"),
    "ReduceMin": _op_reduce("min"),
    "LayerNormalization": _op_layer_norm,
    "Trilu": _op_trilu,
}
SUPPORTED_OPS = sorted(_HANDLERS)


def import_model(model, weights="npy", inline_limit=1024, weights_prefix="",
                 input_shapes=None, filename=None):
    """Imports an onnx.ModelProto. weights="npy": constants with more than
    `inline_limit` elements become function arguments whose .npy paths
    (`weights_prefix` + name + ".npy") are recorded in an `attn.npy`
    argument attribute and returned in ImportResult.weights (not written);
    weights="inline": every constant is a dense constant."""
    try:
        model = shape_inference.infer_shapes(model)
    except Exception:  # Best effort: the importer computes shapes itself.
        pass
    return Importer(model, weights, inline_limit, weights_prefix=weights_prefix,
                    input_shapes=input_shapes, filename=filename).run()


def import_file(path, output=None, weights="npy", inline_limit=1024,
                input_shapes=None):
    """Imports the ONNX file at `path`; with `output`, writes the MLIR there
    and the weights to <output stem>.weights/ next to it."""
    try:
        model = onnx.load(path)
    except Exception as err:
        raise ImportError_(f"cannot read ONNX model '{path}': {err}".splitlines()[0]) from None
    prefix = ""
    if output:
        stem = os.path.splitext(os.path.basename(output))[0]
        prefix = stem + ".weights"
    result = import_model(model, weights, inline_limit, prefix, input_shapes, output)
    if output:
        outdir = os.path.dirname(os.path.abspath(output))
        for rel, arr in result.weights.items():
            full = os.path.join(outdir, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            np.save(full, arr)
        with open(output, "w") as f:
            f.write(result.mlir)
    return result
