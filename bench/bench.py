#!/usr/bin/python3
"""attn-run vs numpy attention benchmark (see bench/run).

For each case an attention program is generated, attn-run compiles it for
the CPU and times --benchmark=RUNS runs after a warm-up; its inputs are
dumped and numpy computes the same attention with a materialized softmax
(float32; f16 inputs are upcast, numpy has no fast f16 matmul), timed the
same way. FLOPs counted as 2*B*M*K2*K1 + 2*B*M*K2*N.
"""
import argparse
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

# (name, batch dims, M, K2, D, dtype, causal)
CASES = [
    ("16x1024x64 f32", [16], 1024, 1024, 64, "f32", False),
    ("8x4096x64 f32", [8], 4096, 4096, 64, "f32", False),
    ("2x10x4096x64 f16 (SDXL)", [2, 10], 4096, 4096, 64, "f16", False),
    ("32x2048x128 f16 causal", [32], 2048, 2048, 128, "f16", True),
    ("1x16384x64 f32", [1], 16384, 16384, 64, "f32", False),
]


def program(batch, m, k2, d, dtype, causal):
    nb = len(batch)
    bd = ", ".join(f"b{i}" for i in range(nb))
    dims = f"({bd}, m, k1, k2, n)"
    bshape = "x".join(str(b) for b in batch)
    q = f"tensor<{bshape}x{m}x{d}x{dtype}>"
    k = f"tensor<{bshape}x{k2}x{d}x{dtype}>"
    lines = [
        f"#q = affine_map<{dims} -> ({bd}, m, k1)>",
        f"#k = affine_map<{dims} -> ({bd}, k2, k1)>",
        f"#v = affine_map<{dims} -> ({bd}, k2, n)>",
        f"#s = affine_map<{dims} -> ()>",
        f"#mask = affine_map<{dims} -> (m, k2)>",
        f"#o = affine_map<{dims} -> ({bd}, m, n)>",
        "#id2 = affine_map<(d0, d1) -> (d0, d1)>",
        f"func.func @main(%q: {q}, %k: {k}, %v: {k}) -> {q} {{",
        f"  %s = arith.constant {1 / np.sqrt(d)} : {dtype}",
        f"  %init = tensor.empty() : {q}",
    ]
    ins, types, maps = "%q, %k, %v, %s", f"{q}, {k}, {k}, {dtype}", "#q, #k, #v, #s"
    if causal:
        lines += [
            f"  %e = tensor.empty() : tensor<{m}x{k2}xi1>",
            "  %mask = linalg.generic {indexing_maps = [#id2], iterator_types = [\"parallel\", \"parallel\"]}"
            f" outs(%e : tensor<{m}x{k2}xi1>) {{",
            "  ^bb0(%out: i1):",
            "    %i = linalg.index 0 : index",
            "    %j = linalg.index 1 : index",
            "    %c = arith.cmpi ule, %j, %i : index",
            "    linalg.yield %c : i1",
            f"  }} -> tensor<{m}x{k2}xi1>",
        ]
        ins += ", %mask"
        types += f", tensor<{m}x{k2}xi1>"
        maps += ", #mask"
    lines += [
        f"  %r = attn.attention {{indexing_maps = [{maps}, #o]}}",
        f"         ins({ins} : {types})",
        f"         outs(%init : {q}) -> {q}",
        f"  return %r : {q}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def numpy_attention(q, k, v, scale, causal):
    s = scale * np.matmul(q, np.swapaxes(k, -1, -2))
    if causal:
        m, k2 = s.shape[-2:]
        s = np.where(np.tril(np.ones((m, k2), dtype=bool)), s, -np.inf)
    s -= s.max(-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(-1, keepdims=True)
    return np.matmul(p, v)


def numpy_child(tmp, d, causal, runs):
    """Runs in a child process so its peak RSS is its own."""
    q, k, v = (np.load(f"{tmp}/arg{i}.npy").astype(np.float32) for i in range(3))
    scale = np.float32(1 / np.sqrt(d))
    numpy_attention(q, k, v, scale, causal)  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        numpy_attention(q, k, v, scale, causal)
        times.append(time.perf_counter() - t0)
    times.sort()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{times[len(times) // 2] * 1e3} {rss}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--numpy-child", nargs=3)
    args = ap.parse_args()
    if args.numpy_child:
        tmp, d, causal = args.numpy_child
        numpy_child(tmp, int(d), causal == "1", args.runs)
        return
    attn_run = os.path.join(args.build, "bin", "attn-run")
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"machine: {cpu}, {os.cpu_count()} cores, {platform.system()} "
          f"{platform.release()}; numpy {np.__version__}; {args.runs} timed runs "
          "after 1 warm-up, median reported")
    header = (f"{'case':<26} {'attn ms':>9} {'attn GF/s':>9} {'attn RSS':>9} "
              f"{'numpy ms':>9} {'np GF/s':>8} {'np RSS':>8} {'attn/numpy':>10}")
    print(header)
    print("-" * len(header))
    for name, batch, m, k2, d, dtype, causal in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "case.mlir")
            with open(src, "w") as f:
                f.write(program(batch, m, k2, d, dtype, causal))
            out = subprocess.run(
                [attn_run, src, "--random-inputs=1", f"--benchmark={args.runs}",
                 f"--dump-inputs={tmp}"],
                check=True, capture_output=True, text=True).stdout
            mo = re.search(r"median ([\d.]+) ms, ([\d.]+) GFLOP/s.*peak RSS ([\d.]+) MiB", out)
            attn_ms, attn_gf, attn_rss = (float(x) for x in mo.groups())
            child = subprocess.run(
                [sys.executable, __file__, "--build", args.build, "--runs",
                 str(args.runs), "--numpy-child", tmp, str(d), "1" if causal else "0"],
                check=True, capture_output=True, text=True).stdout.split()
            np_ms, np_rss = float(child[0]), float(child[1])
        flops = 2.0 * np.prod(batch) * m * k2 * (d + d)
        np_gf = flops / (np_ms * 1e6)
        print(f"{name:<26} {attn_ms:>9.1f} {attn_gf:>9.2f} {attn_rss:>7.0f}Mi "
              f"{np_ms:>9.1f} {np_gf:>8.2f} {np_rss:>6.0f}Mi {np_ms / attn_ms:>9.2f}x",
              flush=True)


if __name__ == "__main__":
    main()
