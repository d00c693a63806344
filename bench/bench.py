#!/usr/bin/python3
"""attn-run vs numpy+OpenBLAS attention benchmark, with the sgemm roof
(see bench/run).

Method. The machine (CPU model, logical CPUs, vector ISA flags, memory,
load average) and the BLAS numpy loaded (threadpoolctl) are printed first;
the run is refused when numpy is on the reference BLAS. The roof is numpy's
float32 matmul of two ROOF_N x ROOF_N matrices (OpenBLAS sgemm), median of
the timed runs. For each case an attention program is generated, attn-run
compiles it for the CPU and times RUNS runs after one warm-up (the compiled
function only, inputs in memory); its inputs are dumped and numpy computes
the same attention with a materialized softmax (float32; f16 and bf16
inputs are upcast, numpy has no fast f16/bf16 matmul), timed the same way,
median reported.
FLOPs = 2*B*M*K2*K1 + 2*B*M*K2*N for both; a causal case is counted dense
(attn computes the masked-out scores too). A transposed-V case is also
timed against standard V in alternating pairs (vt_note).

OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines for older
OpenBLAS builds; they slow current OpenBLAS) are removed from the
environment of the numpy processes only; attn-run runs in the environment
as given.
"""
import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

# (name, batch dims, M, K2, D, dtype, variant): variant "dense", "causal"
# (causal(top_left)) or "vt" (transposed V: V stored [.., N, K2]).
CASES = [
    ("16x1024x64 f32", [16], 1024, 1024, 64, "f32", "dense"),
    ("16x1024x64 f32 V^T", [16], 1024, 1024, 64, "f32", "vt"),
    ("8x4096x64 f32", [8], 4096, 4096, 64, "f32", "dense"),
    ("2x10x4096x64 f16 (SDXL)", [2, 10], 4096, 4096, 64, "f16", "dense"),
    ("2x10x4096x64 f16 V^T", [2, 10], 4096, 4096, 64, "f16", "vt"),
    ("2x10x4096x64 bf16", [2, 10], 4096, 4096, 64, "bf16", "dense"),
    ("2x10x4096x64 bf16 V^T", [2, 10], 4096, 4096, 64, "bf16", "vt"),
    ("32x2048x128 f16", [32], 2048, 2048, 128, "f16", "dense"),
    ("32x2048x128 f16 causal*", [32], 2048, 2048, 128, "f16", "causal"),
    ("1x16384x64 f32", [1], 16384, 16384, 64, "f32", "dense"),
    ("decode 32x1x8192x128 f32", [1, 32], 1, 8192, 128, "f32", "dense"),
    ("decode 4x1x8192x128 f32", [1, 4], 1, 8192, 128, "f32", "dense"),
]
QUICK_CASES = [
    ("4x128x32 f32", [4], 128, 128, 32, "f32", "dense"),
    ("1x2x128x32 f16", [1, 2], 128, 128, 32, "f16", "dense"),
    ("2x128x64 f16", [2], 128, 128, 64, "f16", "dense"),
    ("2x128x64 f16 V^T", [2], 128, 128, 64, "f16", "vt"),
    ("2x128x64 f16 causal*", [2], 128, 128, 64, "f16", "causal"),
    ("decode 2x1x2048x64 f32", [1, 2], 1, 2048, 64, "f32", "dense"),
]
ROOF_N, QUICK_ROOF_N = 2048, 256
ROOF_RUNS = 5
# Alternating standard-V / transposed-V measurements per V^T case.
VT_PAIRS = 3
# Removed from the numpy processes' environment only.
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
OPTIMIZED_BLAS = ("openblas", "mkl", "blis")
ISA_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16",
             "amx_bf16")


def program(batch, m, k2, d, dtype, variant):
    nb = len(batch)
    bd = ", ".join(f"b{i}" for i in range(nb))
    dims = f"({bd}, m, k1, k2, n)"
    bshape = "x".join(str(b) for b in batch)
    q = f"tensor<{bshape}x{m}x{d}x{dtype}>"
    k = f"tensor<{bshape}x{k2}x{d}x{dtype}>"
    vt = variant == "vt"
    v = f"tensor<{bshape}x{d}x{k2}x{dtype}>" if vt else k
    lines = [
        f"#q = affine_map<{dims} -> ({bd}, m, k1)>",
        f"#k = affine_map<{dims} -> ({bd}, k2, k1)>",
        f"#v = affine_map<{dims} -> ({bd}, {'n, k2' if vt else 'k2, n'})>",
        f"#s = affine_map<{dims} -> ()>",
        f"#o = affine_map<{dims} -> ({bd}, m, n)>",
        f"func.func @main(%q: {q}, %k: {k}, %v: {v}) -> {q} {{",
        f"  %s = arith.constant {1 / np.sqrt(d)} : {dtype}",
        f"  %init = tensor.empty() : {q}",
    ]
    ins, types, maps = "%q, %k, %v, %s", f"{q}, {k}, {v}, {dtype}", "#q, #k, #v, #s"
    causal_attr = " causal(top_left)" if variant == "causal" else ""
    lines += [
        f"  %r = attn.attention{causal_attr} {{indexing_maps = [{maps}, #o]}}",
        f"         ins({ins} : {types})",
        f"         outs(%init : {q}) -> {q}",
        f"  return %r : {q}",
        "}",
    ]
    return "\n".join(lines) + "\n"


def flops(batch, m, k2, d):
    """2*B*M*K2*K1 + 2*B*M*K2*N (K1 = N = D); causal counted dense."""
    return 2.0 * np.prod(batch) * m * k2 * (d + d)


def numpy_attention(q, k, v, scale, causal):
    s = scale * np.matmul(q, np.swapaxes(k, -1, -2))
    if causal:
        m, k2 = s.shape[-2:]
        s = np.where(np.tril(np.ones((m, k2), dtype=bool)), s, -np.inf)
    s -= s.max(-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(-1, keepdims=True)
    return np.matmul(p, v)


def timed(fn, runs):
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return times


def blas_info():
    """threadpoolctl's view of the BLAS this process's numpy loaded."""
    from threadpoolctl import threadpool_info
    return [i for i in threadpool_info() if i.get("user_api") == "blas"]


def sgemm_library():
    """The file that serves numpy's cblas_sgemm: the libblas.so.3 numpy
    links (Debian's alternatives pick it), or None when numpy has none.
    threadpoolctl alone can be fooled: numpy.linalg may load OpenBLAS via
    liblapack.so.3 while matmul still calls the reference libblas.so.3."""
    import ctypes

    class DlInfo(ctypes.Structure):
        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                    ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]
    try:
        lib = ctypes.CDLL("libblas.so.3", mode=os.RTLD_NOLOAD)
        fn = ctypes.cast(lib.cblas_sgemm, ctypes.c_void_p)
    except (OSError, AttributeError):
        return None
    info = DlInfo()
    if not ctypes.CDLL(None).dladdr(fn, ctypes.byref(info)):
        return None
    return os.path.realpath(info.fname.decode())


# --- children: run in the numpy environment (OPENBLAS_VARS removed), one
# process each so that a case's peak RSS is its own ---------------------------

def child_blas(n, runs):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    ms = timed(lambda: a @ b, runs) if runs else []
    print(json.dumps({"blas": blas_info(), "sgemm_lib": sgemm_library(),
                      "roof_ms": ms}))


def child_stream(tmp, runs):
    """The memory-bandwidth bound of decode: numpy streaming K and V once
    (np.add(x, 0, out=y)), the bytes an attention must read."""
    k, v = (np.load(f"{tmp}/arg{i}.npy") for i in (1, 2))
    ok, ov = np.empty_like(k), np.empty_like(v)
    ms = timed(lambda: (np.add(k, 0, out=ok), np.add(v, 0, out=ov)), runs)
    print(json.dumps({"ms": ms}))


def as_f32(a):
    """An input array in f32; attn-run writes bf16 as its raw uint16 bits."""
    if a.dtype == np.uint16:
        return (a.astype(np.uint32) << 16).view(np.float32)
    return a.astype(np.float32)


def child_attention(tmp, d, variant, runs):
    q, k, v = (as_f32(np.load(f"{tmp}/arg{i}.npy")) for i in range(3))
    if variant == "vt":  # stored [.., N, K2]; matmul takes the view
        v = np.swapaxes(v, -1, -2)
    causal = variant == "causal"
    scale = np.float32(1 / np.sqrt(d))
    ms = timed(lambda: numpy_attention(q, k, v, scale, causal), runs)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ms": ms, "rss": rss}))


# --- parent -----------------------------------------------------------------

def die(msg):
    print(f"bench: error: {msg}", file=sys.stderr)
    sys.exit(2)


def machine():
    cpu, flags = "unknown CPU", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and cpu == "unknown CPU":
                cpu = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    isa = " ".join(f"{x}={'yes' if x in flags else 'no'}" for x in ISA_FLAGS)
    return (f"{cpu}, {os.cpu_count()} logical CPUs, {mem} memory, "
            f"{platform.system()} {platform.release()}"), isa


def load():
    return "load average %.2f %.2f %.2f (1/5/15 min)" % os.getloadavg()


def describe_blas(info):
    if not info:
        return "no optimized BLAS (reference BLAS)"
    return "; ".join(
        f"{i.get('internal_api')} {i.get('version')} "
        f"(architecture/kernel {i.get('architecture')}, "
        f"num_threads {i.get('num_threads')}, {i.get('filepath')})"
        for i in info)


def run_child(args, env, *child_args):
    out = subprocess.run(
        [sys.executable, __file__, "--build", args.build, *child_args],
        env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def attn_source(root, attn_run):
    built = time.strftime("%Y-%m-%d %H:%M",
                          time.localtime(os.path.getmtime(attn_run)))
    desc = f"attn-run {attn_run} (built {built})"
    if root:
        head = subprocess.run(["git", "-C", root, "log", "-1",
                               "--format=%h %cs"], capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        if head:
            desc += f"; source tree now at {head}" + (
                " + uncommitted changes" if dirty else "")
    return desc


def attn_benchmark(attn_run, src, runs, *extra):
    """attn-run --benchmark (in the environment as given): median ms and
    peak RSS MiB."""
    out = subprocess.run(
        [attn_run, src, "--random-inputs=1", f"--benchmark={runs}", *extra],
        check=True, capture_output=True, text=True).stdout
    mo = re.search(r"median ([\d.]+) ms.*peak RSS ([\d.]+) MiB", out)
    if not mo:
        die(f"cannot read attn-run's benchmark line: {out!r}")
    return float(mo.group(1)), float(mo.group(2))


def vt_note(attn_run, row, base_ms, runs):
    """Transposed V against standard V of the same shape: the two rows
    above ran minutes apart, so VT_PAIRS more measurements alternate the
    two programs (V, V^T, V, V^T, ...) and the note gives the median and
    range of the per-pair ratios next to the rows' ratio."""
    batch, m, k2, d, dtype = row["shape"]
    batch = [int(b) for b in batch.strip("[]").split(",")]
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        srcs = []
        for variant in ("dense", "vt"):
            srcs.append(os.path.join(tmp, f"{variant}.mlir"))
            with open(srcs[-1], "w") as f:
                f.write(program(batch, m, k2, d, dtype, variant))
        for _ in range(VT_PAIRS):
            std_ms = attn_benchmark(attn_run, srcs[0], runs)[0]
            vt_ms = attn_benchmark(attn_run, srcs[1], runs)[0]
            ratios.append(vt_ms / std_ms)
    return (f"{row['name']}: attn time / same shape standard V = "
            f"{row['attn_ms'] / base_ms:.2f} in the rows above; "
            f"{VT_PAIRS} alternating pairs: median "
            f"{statistics.median(ratios):.3f} (range {min(ratios):.3f}-"
            f"{max(ratios):.3f}; <= 1: transposed V no slower)")


def chart(path, rows, roof_gf, title_lines):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [r["name"] for r in rows]
    x = np.arange(len(rows))
    w = 0.38
    fig, ax = plt.subplots(figsize=(10, 5.8), dpi=100)
    bars = [ax.bar(x - w / 2, [r["attn_gf"] for r in rows], w, label="attn",
                   color="#1f77b4"),
            ax.bar(x + w / 2, [r["np_gf"] for r in rows], w,
                   label="numpy + OpenBLAS (materialized softmax)",
                   color="#ff7f0e")]
    for b in bars:
        ax.bar_label(b, fmt="%.1f", fontsize=8)
    ax.axhline(roof_gf, color="black", linestyle="--",
               label=f"OpenBLAS sgemm roof ({roof_gf:.1f} GFLOP/s)")
    ax.set_xticks(x, names, fontsize=8)
    ax.set_ylabel("GFLOP/s (higher is better)")
    ax.set_ylim(0, max(roof_gf, *(r["attn_gf"] for r in rows),
                       *(r["np_gf"] for r in rows)) * 1.18)
    ax.set_title("\n".join(title_lines), fontsize=8, loc="left")
    ax.legend(fontsize=8, loc="upper right")
    fig.text(0.01, 0.01, "FLOPs = 2·B·M·K2·K1 + 2·B·M·K2·N; * causal counted "
             "dense; f16/bf16 cases: numpy computes in f32", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs_pos", nargs="?", type=int, metavar="RUNS",
                    help="same as --runs")
    ap.add_argument("--build", required=True)
    ap.add_argument("--root", help="source tree (git) to name in the output")
    ap.add_argument("--runs", type=int, default=None,
                    help="timed runs per case after 1 warm-up (default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny sizes, 1 run: an end-to-end smoke test")
    ap.add_argument("--chart", help="write a PNG of GFLOP/s per case")
    ap.add_argument("--write-docs", action="store_true",
                    help="--chart ROOT/docs/benchmarks.png")
    ap.add_argument("--child-blas", nargs=2, type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-attention", nargs=4, help=argparse.SUPPRESS)
    ap.add_argument("--child-stream", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child_blas:
        child_blas(*args.child_blas)
        return
    if args.child_stream:
        child_stream(args.child_stream[0], int(args.child_stream[1]))
        return
    if args.child_attention:
        tmp, d, variant, runs = args.child_attention
        child_attention(tmp, int(d), variant, int(runs))
        return

    runs = args.runs or args.runs_pos or (1 if args.quick else 3)
    cases = QUICK_CASES if args.quick else CASES
    roof_n, roof_runs = (QUICK_ROOF_N, 1) if args.quick else (ROOF_N, ROOF_RUNS)
    chart_path = args.chart
    if args.write_docs:
        root = args.root or os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))
        chart_path = os.path.join(root, "docs", "benchmarks.png")
    elif args.quick and not chart_path:
        chart_path = os.path.join(tempfile.gettempdir(),
                                  "attn-bench-quick.png")
    attn_run = os.path.join(args.build, "bin", "attn-run")
    if not os.access(attn_run, os.X_OK):
        die(f"{attn_run} not found: build attn first (bench/run without "
            "--no-build builds it)")
    try:
        import threadpoolctl
    except ImportError:
        die("python3-threadpoolctl is missing (bench/run installs it): "
            "cannot tell which BLAS numpy uses")
    if chart_path:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            die("python3-matplotlib is missing (bench/run installs it): "
                "cannot draw the chart")

    # The numpy processes' environment: OPENBLAS_VARS removed.
    np_env = dict(os.environ)
    removed = {v: np_env.pop(v) for v in OPENBLAS_VARS if v in np_env}

    desc, isa = machine()
    load_start = os.getloadavg()
    print(f"machine: {desc}")
    print(f"vector ISA (/proc/cpuinfo flags): {isa}")
    print(f"at start: {load()}")
    if load_start[0] > 1.5:
        print(f"WARNING: 1-minute load {load_start[0]:.2f} > 1.5: other work "
              "shares the CPUs, the figures below are disturbed; re-measure "
              "on an idle machine")
    print(attn_source(args.root, attn_run))
    print(f"numpy {np.__version__}, threadpoolctl {threadpoolctl.__version__}")
    given = blas_info()
    print(f"numpy BLAS in the environment as given: {describe_blas(given)}")
    if removed:
        print("numpy runs with " + ", ".join(f"{k}={v}" for k, v in
                                              removed.items())
              + " removed from its environment (numpy processes only; "
              "attn-run keeps the environment as given)")
    else:
        print("numpy runs in the environment as given (OPENBLAS_CORETYPE, "
              "OPENBLAS_L2_SIZE not set)")
    res = run_child(args, np_env, "--child-blas", str(roof_n), str(roof_runs))
    blas, sgemm_lib = res["blas"], res["sgemm_lib"]
    print(f"numpy BLAS as benchmarked: {describe_blas(blas)}")
    print(f"numpy's cblas_sgemm comes from: {sgemm_lib or 'no libblas.so.3'}")
    fix = ("install libopenblas0-pthread and select it with update-"
           "alternatives --config libblas.so.3-x86_64-linux-gnu")
    if not any(i.get("internal_api") in OPTIMIZED_BLAS for i in blas):
        die("numpy is on the reference BLAS (threadpoolctl finds no "
            f"OpenBLAS/MKL/BLIS): {fix}")
    if sgemm_lib and os.path.basename(os.path.dirname(sgemm_lib)) == "blas":
        die(f"numpy's matmul calls the reference BLAS {sgemm_lib} "
            f"(threadpoolctl sees OpenBLAS loaded, but not serving sgemm): "
            f"{fix}")
    roof_ms = statistics.median(res["roof_ms"])
    roof_gf = 2.0 * roof_n**3 / (roof_ms * 1e6)
    print(f"roof: numpy float32 {roof_n}x{roof_n} @ {roof_n}x{roof_n} "
          f"(OpenBLAS sgemm), {roof_runs} timed runs after 1 warm-up: median "
          f"{roof_ms:.1f} ms, {roof_gf:.1f} GFLOP/s")
    print(f"cases: {runs} timed runs after 1 warm-up each, median reported; "
          "FLOPs = 2*B*M*K2*K1 + 2*B*M*K2*N; * = causal, counted dense; "
          "attn/numpy = numpy ms / attn ms (> 1: attn faster); "
          "attn/sgemm = attn GFLOP/s / roof")
    header = (f"{'case':<24} {'attn ms':>9} {'attn GF/s':>9} {'attn RSS':>8} "
              f"{'numpy ms':>9} {'np GF/s':>8} {'np RSS':>7} "
              f"{'attn/numpy':>10} {'attn/sgemm':>10} {'np/sgemm':>8}")
    print(header)
    print("-" * len(header), flush=True)
    rows, notes = [], []
    for name, batch, m, k2, d, dtype, variant in cases:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "case.mlir")
            with open(src, "w") as f:
                f.write(program(batch, m, k2, d, dtype, variant))
            attn_ms, attn_rss = attn_benchmark(attn_run, src, runs,
                                               f"--dump-inputs={tmp}")
            res = run_child(args, np_env, "--child-attention", tmp, str(d),
                            variant, str(runs))
            np_ms, np_rss = statistics.median(res["ms"]), res["rss"]
            if name.startswith("decode"):
                stream = run_child(args, np_env, "--child-stream", tmp,
                                   str(runs))
                notes.append(
                    f"{name}: numpy streams K and V in "
                    f"{statistics.median(stream['ms']):.1f} ms; attn/stream "
                    f"= {statistics.median(stream['ms']) / attn_ms:.2f} "
                    "(>= 1: attn reads K and V at least as fast)")
        fl = flops(batch, m, k2, d)
        row = dict(name=name, attn_ms=attn_ms, attn_gf=fl / (attn_ms * 1e6),
                   attn_rss=attn_rss, np_ms=np_ms, np_gf=fl / (np_ms * 1e6),
                   np_rss=np_rss, shape=(str(batch), m, k2, d, dtype),
                   variant=variant)
        rows.append(row)
        print(f"{name:<24} {attn_ms:>9.1f} {row['attn_gf']:>9.2f} "
              f"{attn_rss:>6.0f}Mi {np_ms:>9.1f} {row['np_gf']:>8.2f} "
              f"{np_rss:>5.0f}Mi {np_ms / attn_ms:>9.2f}x "
              f"{row['attn_gf'] / roof_gf:>10.2f} "
              f"{row['np_gf'] / roof_gf:>8.2f}", flush=True)
    # Each variant against the standard dense case of the same shape.
    dense = {r["shape"]: r["attn_ms"] for r in rows if r["variant"] == "dense"}
    for r in rows:
        base = dense.get(r["shape"])
        if r["variant"] == "causal" and base:
            notes.append(f"{r['name']}: attn time / same shape dense = "
                         f"{r['attn_ms'] / base:.2f}")
        elif r["variant"] == "vt" and base:
            notes.append(vt_note(attn_run, r, base, runs))
    for note in notes:
        print(note)
    load_end = os.getloadavg()
    print(f"at end: {load()}")
    busy = max(load_start[0], load_end[0]) > 1.5
    if busy:
        print(f"WARNING: 1-minute load {load_start[0]:.2f} at start, "
              f"{load_end[0]:.2f} at end (> 1.5): the figures above were "
              "taken on a busy machine; re-measure on an idle one")
    if chart_path:
        la = "load average %.2f at start, %.2f at end (1 min)" % (
            load_start[0], load_end[0])
        chart(chart_path, rows, roof_gf, [
            "attn vs numpy + OpenBLAS: attention GFLOP/s per case, "
            "OpenBLAS sgemm roof dashed",
            desc, isa,
            f"{runs} timed runs after 1 warm-up, median; {la}"
            + (" (busy machine: to be re-measured)" if busy else ""),
            f"numpy BLAS: {describe_blas(blas)}"])
        print(f"chart: {chart_path}")


if __name__ == "__main__":
    main()
