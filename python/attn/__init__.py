"""attn from Python: compile an attention program and call it on numpy arrays.

    import attn
    f = attn.compile("model.mlir")              # or MLIR text, or model.onnx
    out = f(x)                                  # numpy in, numpy out
    f = attn.compile("model.mlir", device="rocm-sim")
    print(f.kernel_report())                    # GPU devices
    print(f.ir("graph"))                        # input, graph or lowered
    print(f.benchmark(10, x))                   # {'min_ms': ..., ...}

Compilation and execution go through the same driver and runtime as
attn-run (codegen/Compiler.h compileModule, runtime/JitSession); errors are
raised as attn.Error with the tools' one-line messages.

Arrays: float32, float16, bool (i1), int8, int32; bf16 travels as its raw
bits in uint16 arrays (numpy has no bfloat16), as in .npy files.
"""

import os
import statistics

import numpy as np

from attn._attn import (Error, Program, chips, default_chip, default_k2_tile,
                        default_m_tile)

__all__ = ["compile", "Compiled", "Error", "chips", "default_chip", "import_onnx"]

_OPTIONS = {"graph_opt": True, "m_tile": default_m_tile,
            "k2_tile": default_k2_tile, "k2_splits": 0, "bf16_dot": True,
            "f32_mfma": "exact", "kernel_config": ""}


def import_onnx(path, **kwargs):
    """Imports an ONNX model (see attn-import-onnx); returns the
    attn_onnx.ImportResult (MLIR text, arguments, weights)."""
    import attn_onnx

    try:
        return attn_onnx.import_file(os.fspath(path), **kwargs)
    except attn_onnx.OnnxImportError as err:
        raise Error(str(err)) from None


class Compiled:
    """A compiled program: call it with the entry function's arguments (the
    weights of an imported model may be left out: they are bound)."""

    def __init__(self, program, weights, function="main"):
        self._program = program
        self._function = function
        self._args = program.signature()
        self._results = program.result_signature()
        self._weights = weights  # argument index -> numpy array

    @property
    def device(self):
        """The device the program runs on ("cpu", "rocm-sim" or "rocm")."""
        return self._program.device

    @property
    def arguments(self):
        """(dtype, shape) of each argument, weights included."""
        return [(dt, tuple(shape)) for dt, shape, _, _ in self._args]

    @property
    def inputs(self):
        """(dtype, shape) of the arguments the caller must give."""
        return [a for i, a in enumerate(self.arguments) if i not in self._weights]

    def _complete(self, arrays):
        arrays = [np.asarray(a) for a in arrays]
        # int64 (numpy's and torch's default integers: token ids, masks) for
        # an int32 argument (an imported model's int64 input): converted
        # when every value fits.
        for i, a in enumerate(arrays):
            if (a.dtype == np.int64 and i < len(self._args) and self._args[i][0] == "i32"):
                if a.size and (a.min() < -2**31 or a.max() >= 2**31):
                    raise Error(f"input #{i}: int64 values do not fit the int32 argument")
                arrays[i] = a.astype(np.int32)
        given = len(arrays)
        out = []
        for i in range(len(self._args)):
            if arrays and (i not in self._weights or given == len(self._args)):
                out.append(arrays.pop(0))
            elif i in self._weights:
                out.append(self._weights[i])
            else:
                break
        missing = [a for a in out if isinstance(a, Error)]
        if missing and given != len(self._args):
            raise missing[0]
        if arrays or len(out) != len(self._args):
            raise Error(f"@{self._function} takes {len(self.inputs)} inputs"
                        + (f" (plus {len(self._weights)} bound weights)" if self._weights else "")
                        + f", got {given}")
        return out

    def __call__(self, *arrays):
        results = self._program.run(self._complete(arrays))
        return results[0] if len(results) == 1 else tuple(results)

    def ir(self, stage="input"):
        """The program as MLIR text: "input", "graph" (after attn-graph-opt)
        or "lowered" (the LLVM dialect the JIT runs)."""
        return self._program.ir(stage)

    def kernel_report(self):
        """GPU devices: each kernel's resources, instruction mix and static
        throughput model (as attn-run --dump-kernel-report)."""
        return self._program.kernel_report()

    def random_inputs(self, seed=0):
        """Random arguments for the inputs (floats in [-1, 1), i1 80% true,
        integers in [-8, 8]), like attn-run --random-inputs."""
        rng = np.random.default_rng(seed)
        arrays = []
        for dtype, shape in self.inputs:
            if any(d < 0 for d in shape):
                raise Error(f"an input of shape {shape} has dynamic dims: give it")
            if dtype in ("f32", "f16"):
                arrays.append(rng.uniform(-1, 1, shape).astype(
                    np.float32 if dtype == "f32" else np.float16))
            elif dtype == "bf16":
                f = rng.uniform(-1, 1, shape).astype(np.float32)
                arrays.append((f.view(np.uint32) >> 16).astype(np.uint16))
            elif dtype == "i1":
                arrays.append(rng.uniform(0, 1, shape) < 0.8)
            else:
                arrays.append(rng.integers(-8, 9, shape).astype(
                    np.int8 if dtype == "i8" else np.int32))
        return arrays

    def benchmark(self, n=10, *arrays):
        """Times n calls after one warm-up (random inputs when none are
        given); returns min and median milliseconds."""
        if n < 1:
            raise Error("benchmark needs at least one run")
        if not arrays:
            arrays = self.random_inputs()
        ms = self._program.time(self._complete(arrays), n)
        return {"runs": n, "min_ms": min(ms), "median_ms": statistics.median(ms)}


def compile(source, device="cpu", chip=None, function="main", **options):
    """Compiles an attention program for `device` ("cpu", "rocm-sim",
    "rocm" or "auto").

    source: a path to a .mlir file or an .onnx model (imported with
    attn-import-onnx's importer), or MLIR text. Options, as attn-run's
    flags: graph_opt (True), m_tile (0: automatic), k2_tile (64), k2_splits (0:
    automatic, 1: never, N: that many), bf16_dot (True: bf16 products on
    bf16 pairs where the CPU has avx512_bf16), f32_mfma ("exact"; "f16" or
    "bf16" round f32 attention for the GPU's MFMAs), kernel_config ("": chosen per
    chip and shape; e.g. "key-block=64,waves=8", as attn-run's
    --attn-kernel-config). Weights of imported models (arguments with an
    attn.npy attribute) are loaded and bound, so the callable takes only the
    graph inputs."""
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise TypeError(f"unknown option(s) {', '.join(unknown)}; "
                        f"expected {', '.join(sorted(_OPTIONS))}")
    opts = dict(_OPTIONS, **options)
    chip = chip or default_chip
    weights_by_path, base = {}, os.getcwd()
    if isinstance(source, os.PathLike) or (
            isinstance(source, str) and "\n" not in source
            and source.endswith((".mlir", ".onnx"))):
        path = os.fspath(source)
        if not os.path.exists(path):
            raise Error(f"no such file: {path}")
        if path.endswith(".onnx"):
            result = import_onnx(path)
            text, name = result.mlir, path
            weights_by_path = result.weights
        else:
            with open(path) as f:
                text = f.read()
            name, base = path, os.path.dirname(os.path.abspath(path))
    elif isinstance(source, str):
        text, name = source, "<string>"
    else:
        raise TypeError("source must be MLIR text or a path to a .mlir or .onnx file")
    program = Program(text, name, function, device, chip, opts["graph_opt"],
                      opts["m_tile"], opts["k2_tile"], opts["k2_splits"],
                      opts["bf16_dot"], opts["f32_mfma"], opts["kernel_config"])
    weights = {}
    for i, (_, _, _, npy) in enumerate(program.signature()):
        if not npy:
            continue
        if npy in weights_by_path:
            weights[i] = weights_by_path[npy]
        else:
            full = npy if os.path.isabs(npy) else os.path.join(base, npy)
            try:
                weights[i] = np.load(full)
            except OSError as err:
                # Not fatal: the caller may pass every argument.
                weights[i] = Error(f"argument #{i}: cannot read its attn.npy file "
                                   f"{full}: {err.strerror or err}")
    return Compiled(program, weights, function)
