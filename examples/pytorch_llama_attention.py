#!/usr/bin/python3
"""From a PyTorch model to attn: a Llama-style attention layer (grouped-query
attention, 8 query heads sharing 2 K/V heads, causal mask, rotary-free)
goes PyTorch -> ONNX -> MLIR -> attn, and attn's output is compared with
PyTorch's.

    examples/pytorch_llama_attention.py [--build build] [--device cpu|rocm-sim]
                                        [--out DIR]

Steps (each one is something a user can do by hand):
  1. torch.onnx.export(model, x, "llama_attention.onnx")
  2. attn-import-onnx llama_attention.onnx -o llama_attention.mlir
     (weights go to llama_attention.weights/*.npy, loaded automatically)
  3. attn-run llama_attention.mlir --input=@x.npy --output=@out.npy --check
  4. the same through Python: attn.compile("llama_attention.mlir")(x)
"""

import argparse
import math
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class LlamaAttention(nn.Module):
    def __init__(self, hidden=128, q_heads=8, kv_heads=2, max_seq=64):
        super().__init__()
        self.q_heads, self.kv_heads = q_heads, kv_heads
        self.head_dim = hidden // q_heads
        self.q_proj = nn.Linear(hidden, hidden, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(hidden, hidden, bias=False)
        causal = torch.full((max_seq, max_seq), float("-inf")).triu(1)
        self.register_buffer("causal_mask", causal)

    def forward(self, x):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.q_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        rep = self.q_heads // self.kv_heads
        k = k[:, :, None].expand(b, self.kv_heads, rep, s, self.head_dim).reshape(b, -1, s, self.head_dim)
        v = v[:, :, None].expand(b, self.kv_heads, rep, s, self.head_dim).reshape(b, -1, s, self.head_dim)
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim) + self.causal_mask[:s, :s]
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, s, -1))


def step(title, cmd):
    print(f"=== {title}\n$ {' '.join(map(str, cmd))}", flush=True)
    subprocess.run(list(map(str, cmd)), check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--device", default="cpu", choices=("cpu", "rocm-sim"))
    parser.add_argument("--out", default="llama_attention_out")
    args = parser.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "llama_attention.onnx")
    mlir_path = os.path.join(args.out, "llama_attention.mlir")

    torch.manual_seed(0)
    model = LlamaAttention().eval()
    x = torch.randn(1, 64, 128)
    with torch.no_grad():
        want = model(x).numpy()
    print(f"=== 1. torch.onnx.export -> {onnx_path}", flush=True)
    torch.onnx.export(model, (x,), onnx_path, input_names=["x"], output_names=["out"],
                      opset_version=17)

    step("2. import", [os.path.join(bin_dir, "attn-import-onnx"), onnx_path, "-o", mlir_path])
    x_path = os.path.join(args.out, "x.npy")
    out_path = os.path.join(args.out, "out.npy")
    np.save(x_path, x.numpy())
    step("3. compile and run with attn-run",
         [os.path.join(bin_dir, "attn-run"), mlir_path, f"--device={args.device}",
          f"--input=@{x_path}", f"--output=@{out_path}", "--check"])
    got = np.load(out_path)
    print(f"attn-run vs PyTorch: max abs err {np.abs(got - want).max():.3g}")

    print("=== 4. the same through Python: attn.compile", flush=True)
    sys.path.insert(0, os.path.join(args.build, "python"))
    import attn

    f = attn.compile(mlir_path, device=args.device)
    got = f(x.numpy())
    print(f"attn.compile vs PyTorch: max abs err {np.abs(got - want).max():.3g}; "
          f"{f.benchmark(5, x.numpy())}")
    ok = np.allclose(got, want, atol=1e-4, rtol=1e-4)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
