"""End to end with modules nobody here wrote: export with torch.onnx.export,
import with attn-import-onnx, run with attn-run (CPU and rocm-sim) and
through `import attn`, compare with PyTorch's output."""

import os
import re

import numpy as np
import pytest
import torch

import attn
import models
from conftest import run_tool

# f32 end to end, on the CPU and under rocm-sim alike: the GPU attention
# kernels multiply f32 in f32 (MFMA 16x16x4 f32) unless --f32-mfma asks
# for rounding.
ATOL, RTOL = 2e-5, 1e-4
GPU_ATOL, GPU_RTOL = ATOL, RTOL


def _mha():
    torch.manual_seed(0)
    x = torch.randn(2, 16, 32)
    return models.MultiheadAttention(), (x,), ["x"]


def _mha_mask():
    torch.manual_seed(1)
    x = torch.randn(2, 16, 32)
    mask = torch.zeros(2, 16, dtype=torch.bool)
    mask[1, 11:] = True  # padding keys of the second sequence
    return models.MultiheadAttention(with_mask=True), (x, mask), ["x", "key_padding_mask"]


def _bert():
    torch.manual_seed(2)
    x = torch.randn(2, 16, 32)
    mask = torch.zeros(2, 1, 1, 16)
    mask[1, ..., 10:] = -10000.0
    return models.BertSelfAttention(), (x, mask), ["hidden_states", "attention_mask"]


def _gqa():
    torch.manual_seed(3)
    return models.GqaAttention(), (torch.randn(2, 16, 64),), ["x"]


CASES = {"mha": _mha, "mha_key_padding_mask": _mha_mask, "bert": _bert, "gqa": _gqa}


@pytest.fixture(scope="module", params=sorted(CASES))
def exported(request, tmp_path_factory, tools):
    """(case, module, inputs, expected output, .mlir path) with the model
    exported and imported into a temporary folder."""
    module, args, names = CASES[request.param]()
    d = tmp_path_factory.mktemp(request.param)
    onnx_path = d / "model.onnx"
    models.export(module, args, str(onnx_path), names)
    with torch.no_grad():
        want = module(*args).numpy()
    run_tool(tools, "attn-import-onnx", onnx_path, "-o", d / "model.mlir")
    inputs = [a.numpy() for a in args]
    for i, a in enumerate(inputs):
        np.save(d / f"in{i}.npy", a)
    return request.param, module, inputs, want, d


def test_weights_are_npy_arguments(exported):
    case, module, inputs, _, d = exported
    text = (d / "model.mlir").read_text()
    assert "func.func @main(" in text
    # Constants above the inline limit (1024 elements) are .npy-backed
    # arguments, not dense literals in the IR.
    for literal in re.findall(r'dense<"0x([0-9A-F]*)">', text):
        assert len(literal) <= 1024 * 4 * 2
    if case != "bert":  # its 32x32 projections are at the limit
        assert "attn.npy" in text
    if os.path.isdir(d / "model.weights"):
        assert all(p.endswith(".npy") for p in os.listdir(d / "model.weights"))
    assert "linalg.softmax" not in text  # the decomposed chain


@pytest.mark.parametrize("device", ["cpu", "rocm-sim"])
def test_attn_run_matches_pytorch(exported, tools, device):
    case, module, inputs, want, d = exported
    cmd = [d / "model.mlir", f"--device={device}", f"--output=@{d}/out-{device}.npy"]
    cmd += [f"--input=@{d}/in{i}.npy" for i in range(len(inputs))]
    if device == "cpu":  # the reference lowering runs on the CPU either way
        cmd.append("--check")
    p = run_tool(tools, "attn-run", *cmd)
    assert device != "cpu" or ("check result[0]" in p.stdout and "FAIL" not in p.stdout)
    got = np.load(d / f"out-{device}.npy")
    atol, rtol = (ATOL, RTOL) if device == "cpu" else (GPU_ATOL, GPU_RTOL)
    np.testing.assert_allclose(got, want, atol=atol, rtol=rtol)


def test_attn_compile_matches_pytorch(exported):
    case, module, inputs, want, d = exported
    # Weights bound from their .npy files: only the graph inputs are given.
    f = attn.compile(str(d / "model.mlir"))
    np.testing.assert_allclose(f(*inputs), want, atol=ATOL, rtol=RTOL)
    if case == "gqa":
        # Straight from the .onnx file, weights bound in memory.
        g = attn.compile(str(d / "model.onnx"))
        np.testing.assert_allclose(g(*inputs), want, atol=ATOL, rtol=RTOL)


@pytest.mark.parametrize("exported", ["gqa"], indirect=True)
def test_attn_compile_rocm_sim_next_to_torch(exported):
    """rocm-sim in a process that imported torch (GNU libgomp loaded before
    LLVM's libomp): the emulated kernels' thread ids must come from libomp."""
    case, module, inputs, want, d = exported
    f = attn.compile(str(d / "model.mlir"), device="rocm-sim")
    np.testing.assert_allclose(f(*inputs), want, atol=GPU_ATOL, rtol=GPU_RTOL)


@pytest.mark.parametrize("exported", ["mha_key_padding_mask"], indirect=True)
def test_inline_weights_match(exported, tools):
    case, module, inputs, want, d = exported
    run_tool(tools, "attn-import-onnx", d / "model.onnx", "-o", d / "inline.mlir",
             "--weights=inline")
    text = (d / "inline.mlir").read_text()
    assert "attn.npy" not in text
    np.testing.assert_allclose(attn.compile(str(d / "inline.mlir"))(*inputs), want,
                               atol=ATOL, rtol=RTOL)


def test_attention_is_raised(exported, tools):
    """The exported attention becomes one attn.attention (the raising pass
    of --attn-graph-opt)."""
    case, module, inputs, want, d = exported
    p = run_tool(tools, "attn-opt", "--attn-graph-opt", d / "model.mlir")
    assert p.stdout.count("attn.attention") == 1, p.stdout
    # The GQA layer's triu(-inf) buffer becomes the causal attribute.
    assert ("causal(top_left)" in p.stdout) == (case == "gqa"), p.stdout


def _fused_einsum():
    torch.manual_seed(5)
    pad = torch.zeros(2, 16, dtype=torch.bool)
    pad[0, 13:] = True
    return models.FusedQkvEinsum(), (torch.randn(2, 16, 32), pad), ["x", "key_padding"]


def _tiny_bert():
    torch.manual_seed(6)
    ids = torch.randint(0, 50, (2, 16))
    mask = torch.ones(2, 16, dtype=torch.long)
    mask[1, 12:] = 0
    return models.TinyBertEncoder(), (ids, mask), ["ids", "attention_mask"]


@pytest.mark.parametrize("make", [_fused_einsum, _tiny_bert],
                         ids=["fused_einsum", "tiny_bert_int64_inputs"])
def test_more_layers_through_attn_compile(make, tmp_path):
    """More attention code: a fused-QKV einsum attention, and embeddings
    plus a whole encoder layer (LayerNorm, GELU via Erf, feed-forward) fed
    int64 token ids and mask (int32 arguments; attn.compile takes the
    int64 arrays)."""
    module, args, names = make()
    module.eval()
    models.export(module, args, str(tmp_path / "m.onnx"), names)
    with torch.no_grad():
        want = module(*args).numpy()
    f = attn.compile(str(tmp_path / "m.onnx"))
    np.testing.assert_allclose(f(*[a.numpy() for a in args]), want, atol=ATOL, rtol=RTOL)
