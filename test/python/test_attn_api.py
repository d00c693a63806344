"""The attn Python package: attn.compile on MLIR text, files and ONNX
models, the callable on numpy arrays, ir/kernel_report/benchmark, and the
tools' one-line errors as attn.Error."""

import os
import subprocess
import sys

import numpy as np
import pytest

import attn

# Additive float mask, f32: out = softmax(0.5 q.k^T + mask) . v
MASKED = """
#q = affine_map<(b, m, k1, k2, n) -> (b, m, k1)>
#k = affine_map<(b, m, k1, k2, n) -> (b, k2, k1)>
#v = affine_map<(b, m, k1, k2, n) -> (b, k2, n)>
#s = affine_map<(b, m, k1, k2, n) -> ()>
#mask = affine_map<(b, m, k1, k2, n) -> (b, m, k2)>
#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>
func.func @main(%q: tensor<2x40x16xf32>, %k: tensor<2x70x16xf32>, %v: tensor<2x70x8xf32>,
                %m: tensor<2x40x70xf32>) -> tensor<2x40x8xf32> {
  %s = arith.constant 0.5 : f32
  %init = tensor.empty() : tensor<2x40x8xf32>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}
         ins(%q, %k, %v, %s, %m : tensor<2x40x16xf32>, tensor<2x70x16xf32>,
             tensor<2x70x8xf32>, f32, tensor<2x40x70xf32>)
         outs(%init : tensor<2x40x8xf32>) -> tensor<2x40x8xf32>
  return %r : tensor<2x40x8xf32>
}
"""

# Element types through the boundary: f16 in and out, i1 in, bf16 bits.
TYPES = """
func.func @main(%a: tensor<4xf16>, %c: tensor<4xi1>, %b: tensor<4xbf16>, %i: tensor<4xi32>)
    -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xi32>) {
  %e = tensor.empty() : tensor<4xf16>
  %z = arith.constant 0.0 : f16
  %r = linalg.generic {indexing_maps = [affine_map<(d) -> (d)>, affine_map<(d) -> (d)>,
                                        affine_map<(d) -> (d)>],
                       iterator_types = ["parallel"]}
       ins(%a, %c : tensor<4xf16>, tensor<4xi1>) outs(%e : tensor<4xf16>) {
  ^bb0(%x: f16, %m: i1, %o: f16):
    %y = arith.select %m, %x, %z : f16
    linalg.yield %y : f16
  } -> tensor<4xf16>
  return %r, %b, %i : tensor<4xf16>, tensor<4xbf16>, tensor<4xi32>
}
"""


def reference(q, k, v, mask):
    s = 0.5 * q.astype(np.float64) @ k.transpose(0, 2, 1) + mask
    p = np.exp(s - s.max(-1, keepdims=True))
    return (p / p.sum(-1, keepdims=True)) @ v


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    f = lambda *s: rng.uniform(-1, 1, s).astype(np.float32)  # noqa: E731
    return f(2, 40, 16), f(2, 70, 16), f(2, 70, 8), f(2, 40, 70)


@pytest.fixture(scope="module")
def cpu():
    return attn.compile(MASKED)


def test_cpu_matches_numpy(cpu):
    args = inputs()
    out = cpu(*args)
    assert out.dtype == np.float32 and out.shape == (2, 40, 8)
    np.testing.assert_allclose(out, reference(*args), atol=1e-5, rtol=1e-4)
    assert cpu.device == "cpu"
    assert cpu.inputs == [("f32", (2, 40, 16)), ("f32", (2, 70, 16)),
                          ("f32", (2, 70, 8)), ("f32", (2, 40, 70))]


def test_rocm_sim_matches_numpy():
    f = attn.compile(MASKED, device="rocm-sim", chip="gfx942")
    args = inputs(1)
    # f32 attention is exact on the GPU too (f32 MFMAs): f32 tolerance.
    np.testing.assert_allclose(f(*args), reference(*args), atol=2e-5, rtol=1e-4)
    # Rounding f32 for speed is explicit, and then only f16-accurate.
    rounded = attn.compile(MASKED, device="rocm-sim", f32_mfma="f16")
    np.testing.assert_allclose(rounded(*args), reference(*args), atol=2e-3, rtol=2e-3)
    report = f.kernel_report()
    assert report.startswith("kernel ") and "VGPRs" in report and "(attn_kernels, gfx942)" in report
    assert f.kernel_report() == report  # made once


def test_rocm_sim_kernel_config():
    # 8 waves of 16 rows and 32-key blocks: one workgroup covers M = 40;
    # pipeline depth 2: two LDS buffers.
    f = attn.compile(MASKED, device="rocm-sim",
                     kernel_config="key-block=32,waves=8,pipeline=2")
    args = inputs(2)
    np.testing.assert_allclose(f(*args), reference(*args), atol=2e-5, rtol=1e-4)
    assert ("configuration          key-block=32,waves=8,mfma=16x16x16,pipeline=2"
            in f.kernel_report())


# The masked attention with its log-sum-exp as a second result; the mask
# hides every key from row 3 (LSE -inf, output 0).
WITH_LSE = MASKED.replace(
    "#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>",
    "#o = affine_map<(b, m, k1, k2, n) -> (b, m, n)>\n"
    "#l = affine_map<(b, m, k1, k2, n) -> (b, m)>").replace(
    "-> tensor<2x40x8xf32> {", "-> (tensor<2x40x8xf32>, tensor<2x40xf32>) {").replace(
    "%init = tensor.empty() : tensor<2x40x8xf32>",
    "%init = tensor.empty() : tensor<2x40x8xf32>\n"
    "  %li = tensor.empty() : tensor<2x40xf32>").replace(
    "%r = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o]}",
    "%r:2 = attn.attention {indexing_maps = [#q, #k, #v, #s, #mask, #o, #l]}").replace(
    "outs(%init : tensor<2x40x8xf32>) -> tensor<2x40x8xf32>",
    "outs(%init, %li : tensor<2x40x8xf32>, tensor<2x40xf32>)"
    " -> tensor<2x40x8xf32>, tensor<2x40xf32>").replace(
    "return %r : tensor<2x40x8xf32>",
    "return %r#0, %r#1 : tensor<2x40x8xf32>, tensor<2x40xf32>")


@pytest.mark.parametrize("device", ["cpu", "rocm-sim"])
def test_lse_matches_numpy(device):
    assert "%r:2" in WITH_LSE
    q, k, v, mask = inputs(2)
    mask[:, 3, :] = -np.inf
    out, lse = attn.compile(WITH_LSE, device=device)(q, k, v, mask)
    assert lse.dtype == np.float32 and lse.shape == (2, 40)
    s = 0.5 * q.astype(np.float64) @ k.transpose(0, 2, 1) + mask
    with np.errstate(invalid="ignore", divide="ignore"):
        want = np.logaddexp.reduce(s, axis=-1)
    assert np.all(np.isneginf(lse[:, 3])) and np.all(out[:, 3] == 0)
    tol = 1e-5 if device == "cpu" else 2e-3
    np.testing.assert_allclose(np.delete(lse, 3, axis=1),
                               np.delete(want, 3, axis=1), atol=tol, rtol=tol)


def test_ir_stages(cpu):
    assert "attn.attention" in cpu.ir("input")
    assert "attn.attention" in cpu.ir("graph")
    assert "llvm.func" in cpu.ir("lowered")
    with pytest.raises(attn.Error, match=r"^unknown IR stage 'x' \(expected input, graph or lowered\)$"):
        cpu.ir("x")


def test_benchmark(cpu):
    b = cpu.benchmark(3)
    assert b["runs"] == 3 and 0 < b["min_ms"] <= b["median_ms"]
    assert cpu.benchmark(2, *inputs())["runs"] == 2


def test_kernel_report_needs_gpu(cpu):
    with pytest.raises(attn.Error, match="kernel reports are made for GPU devices"):
        cpu.kernel_report()


def test_compile_from_path(tmp_path):
    path = tmp_path / "masked.mlir"
    path.write_text(MASKED)
    for source in (str(path), path):
        f = attn.compile(source, graph_opt=False, m_tile=16, k2_tile=32)
        args = inputs(2)
        np.testing.assert_allclose(f(*args), reference(*args), atol=1e-5, rtol=1e-4)


def test_dtypes():
    f = attn.compile(TYPES)
    a = np.array([1, 2, 3, 4], np.float16)
    c = np.array([True, False, True, False])
    b = np.array([0x3F80, 0x4000, 0xBF80, 0], np.uint16)  # bf16 1, 2, -1, 0
    i = np.array([1, -2, 3, 7], np.int32)
    ra, rb, ri = f(a, c, b, i)
    assert ra.dtype == np.float16 and list(ra) == [1, 0, 3, 0]
    assert rb.dtype == np.uint16 and list(rb) == list(b)
    assert ri.dtype == np.int32 and list(ri) == list(i)


def test_errors(cpu, tmp_path):
    q, k, v, m = inputs()
    with pytest.raises(attn.Error, match=r"^@main takes 4 inputs, got 3$"):
        cpu(q, k, v)
    with pytest.raises(attn.Error, match=r"^input #0: shape 2x40x8 does not match the "
                       r"argument type tensor<2x40x16xf32>$"):
        cpu(q[..., :8].copy(), k, v, m)
    with pytest.raises(attn.Error, match=r"^input #1: element type f16 does not match"):
        cpu(q, k.astype(np.float16), v, m)
    with pytest.raises(attn.Error, match=r"^input #0: numpy dtype float64 is not supported"):
        cpu(q.astype(np.float64), k, v, m)
    with pytest.raises(attn.Error, match=r"^<string>:2:3: error: "):
        attn.compile("func.func @main() {\n  bogus.op\n}")
    with pytest.raises(attn.Error, match=r"^no function @f in <string>$"):
        attn.compile(MASKED, function="f")
    with pytest.raises(attn.Error, match=r"^unknown device 'tpu' \(expected cpu, rocm, rocm-sim or auto\)$"):
        attn.compile(MASKED, device="tpu")
    with pytest.raises(attn.Error, match=r"^unknown chip 'gfx1' \(supported: "):
        attn.compile(MASKED, device="rocm-sim", chip="gfx1")
    with pytest.raises(attn.Error, match=r"^no such file: .*nope.mlir$"):
        attn.compile(str(tmp_path / "nope.mlir"))
    with pytest.raises(TypeError, match=r"unknown option\(s\) tiles; expected"):
        attn.compile(MASKED, tiles=3)
    with pytest.raises(attn.Error, match=r"^f32_mfma must be exact, f16 or bf16, got 'tf32'$"):
        attn.compile(MASKED, device="rocm-sim", f32_mfma="tf32")
    with pytest.raises(attn.Error, match=r"^kernel_config: waves must be 2, 4 or 8, got 3$"):
        attn.compile(MASKED, device="rocm-sim", kernel_config="waves=3")
    with pytest.raises(attn.Error, match=r"^k2_splits must be 0 \(automatic\), 1 \(never\) or a split count$"):
        attn.compile(MASKED, k2_splits=-1)
    for e in (attn.Error("x"),):
        assert isinstance(e, RuntimeError)


def test_rocm_without_gpu_says_what_it_found():
    if os.path.exists("/dev/kfd"):
        pytest.skip("this machine may have an AMD GPU")
    with pytest.raises(attn.Error, match=r"^device rocm: "):
        attn.compile(MASKED, device="rocm")
    assert attn.compile(MASKED, device="auto").device == "cpu"


def test_installed_package(tmp_path):
    """`cmake --install` puts attn, attn_onnx and attn-import-onnx under the
    prefix, and the installed package runs outside the build tree."""
    build = os.environ.get("ATTN_BUILD_DIR")
    if not build:
        pytest.skip("ATTN_BUILD_DIR is not set (run through ctest)")
    subprocess.run(["cmake", "--install", build, "--prefix", str(tmp_path)],
                   check=True, capture_output=True)
    site = tmp_path / "lib" / "python3" / "dist-packages"
    code = ("import attn, numpy as np; "
            "f = attn.compile('func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> "
            "{ return %x : tensor<2xf32> }'); print(attn.__file__, f(np.ones(2, np.float32)))")
    env = dict(os.environ, PYTHONPATH=str(site))
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True, cwd=tmp_path).stdout
    assert out.startswith(str(site)) and "[1. 1.]" in out
    assert os.access(tmp_path / "bin" / "attn-import-onnx", os.X_OK)


BF16 = """
#q = affine_map<(m, k1, k2, n) -> (m, k1)>
#k = affine_map<(m, k1, k2, n) -> (k2, k1)>
#v = affine_map<(m, k1, k2, n) -> (k2, n)>
#s = affine_map<(m, k1, k2, n) -> ()>
#o = affine_map<(m, k1, k2, n) -> (m, n)>
func.func @main(%q: tensor<64x32xbf16>, %k: tensor<128x32xbf16>, %v: tensor<128x32xbf16>) -> tensor<64x32xbf16> {
  %s = arith.constant 0.25 : bf16
  %init = tensor.empty() : tensor<64x32xbf16>
  %r = attn.attention {indexing_maps = [#q, #k, #v, #s, #o]}
         ins(%q, %k, %v, %s : tensor<64x32xbf16>, tensor<128x32xbf16>, tensor<128x32xbf16>, bf16)
         outs(%init : tensor<64x32xbf16>) -> tensor<64x32xbf16>
  return %r : tensor<64x32xbf16>
}
"""


def test_bf16_dot():
    def to_bits(x):  # f32 -> bf16 bits, truncated
        return (x.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)

    def from_bits(b):
        return (b.astype(np.uint32) << 16).view(np.float32)

    rng = np.random.default_rng(7)
    q, k, v = (to_bits(rng.uniform(-1, 1, shape))
               for shape in ((64, 32), (128, 32), (128, 32)))
    s = from_bits(q) @ from_bits(k).T * 0.25
    p = np.exp(s - s.max(axis=1, keepdims=True))
    want = p @ from_bits(v) / p.sum(axis=1, keepdims=True)
    for bf16_dot in (True, False):  # pairs of bf16 (where the CPU has them) or f32
        got = attn.compile(BF16, bf16_dot=bf16_dot)(q, k, v)
        assert got.dtype == np.uint16
        np.testing.assert_allclose(from_bits(got), want, atol=1.6e-2, rtol=1.6e-2)
