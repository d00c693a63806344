//===- Passes.td - attn codegen passes ---------------------*- tablegen -*-===//
#ifndef ATTN_CODEGEN_PASSES_TD
#define ATTN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def AttnConvertToOnlineAttention : Pass<"attn-convert-to-online-attention"> {
  let summary = "Rewrite attn.attention as online_attention + normalization";
  let description = [{
    Rewrites each `attn.attention` into the flash-attention form: the running
    state is initialized (`acc = 0`, `max = -inf`, `sum = 0`, all f32), one
    `attn.online_attention` consumes all of K2, and a `linalg.generic`
    normalizes `O = acc / sum` (0 for rows whose scores are all masked out)
    and converts to the output element type. Tiling then splits K2 into
    blocks (`attn-tile-attention`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnPadQueryRows : Pass<"attn-pad-query-rows", "::mlir::func::FuncOp"> {
  let summary = "Pad attention's query rows to whole CPU row tiles";
  let description = [{
    For each `attn.attention` whose static innermost M dim is larger than
    the row tile of `attn-tile-attention` (`m-tile`; 0: 64 or 32 rows,
    whichever pads less, 128 a candidate too for transposed f16 V) and not a multiple of it: the query, a mask with
    that dim and the outputs are padded with zero rows to whole tiles, the
    attention runs on the padded operands and the real rows are sliced out
    of its results. Without it the tiles would have a dynamic row count,
    which the CPU microkernel leaves to LLVM (M = 1000 ran 4x slower than
    M = 1024). Rows are added at the end, or before the real rows with
    causal(bottom_right) (its diagonal depends on M). Part of
    `attn-cpu-pipeline`, before `attn-convert-to-online-attention`.
  }];
  let options = [
    Option<"mTile", "m-tile", "int64_t", /*default=*/"kDefaultMTile",
           "Rows per tile, as attn-tile-attention's (0: automatic)">,
  ];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnTileAttention : Pass<"attn-tile-attention", "::mlir::func::FuncOp"> {
  let summary = "Tile attention: parallel batch/M tiles, a K2 loop inside";
  let description = [{
    Tiles the normalization produced by `attn-convert-to-online-attention`
    with `scf.forall` over batch and M (each batch dim and outer M dim by 1,
    the innermost M dim by `m-tile`; automatic (0): 64 or 32 rows,
    whichever pads the dim less, 128 a candidate too for transposed f16 V,
    see `attn-pad-query-rows`) and fuses the online attention and the
    state initialization into it (upstream
    `tileConsumerAndFuseProducersUsingSCF`). The fused online attention is
    then tiled along its innermost K2 dim by `k2-tile` with `scf.for`
    (other K2 dims by 1), carrying `(acc, max, sum)`. No value of the full
    `[M, K2]` score shape exists afterwards.

    Causal attention (an online attention with a `diagonal`) visits its M
    tiles in the order 0, T-1, 1, T-2, ... (so contiguous chunks of the
    parallel loop do equal work), stops each tile's key loop after the
    last key its rows can see, and splits it in two: the key blocks every
    row sees entirely, with no causal masking, then the diagonal blocks.

    Decode (few query rows, many keys): when batch x M tiles is smaller than
    2 x `workers`, K2 is split into S chunks (whole k2-tile blocks, S =
    ceil(2 x workers / tiles), each chunk at least 2 blocks) that run in
    parallel with the (batch, M) tiles, each from a fresh running state
    into a partial (acc, max, sum) with a leading S dim; the partials are
    then merged exactly: max = max_s max_s, c_s = exp(max_s - max),
    sum = sum_s c_s sum_s, acc = sum_s c_s acc_s (flash-decoding). With
    enough tiles, non-causal attention is also split when the last wave of
    tiles would leave workers idle: S is the fewest splits that keep at
    least 90% of the worker slots (workers x waves) busy.
    `k2-splits` forces S (1 disables it).
  }];
  let options = [
    Option<"mTile", "m-tile", "int64_t", /*default=*/"kDefaultMTile",
           "Tile size of the innermost M dim (rows per parallel tile; 0: "
           "64 or 32, whichever pads the dim less; 128 too for transposed "
           "f16 V)">,
    Option<"k2Tile", "k2-tile", "int64_t", /*default=*/"kDefaultK2Tile",
           "Tile size of the innermost K2 dim (keys per loop iteration)">,
    Option<"k2Splits", "k2-splits", "int64_t", /*default=*/"0",
           "Split K2 across this many parallel workers (flash-decoding); 0: "
           "automatic (when batch x M tiles < 2 x workers), 1: never">,
    Option<"workers", "workers", "int64_t", /*default=*/"0",
           "Parallel workers the automatic split aims to fill (0: this "
           "machine's hardware threads)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnDecomposeOnlineAttention : Pass<"attn-decompose-online-attention"> {
  let summary = "Decompose attn.online_attention into linalg.generic ops";
  let description = [{
    Expands each (normally tiled) `attn.online_attention` into linalg
    generics computing, in f32: the scores `S = scale * Q.K^T [+ mask]`, the
    new row max, `P = exp(S - max')`, the correction `exp(max - max')`, the
    new row sum and `acc' = corr * acc + P.V`. Rows with all scores masked
    out keep `max = -inf` and get `P = 0` (no NaN).

    With `bf16-dot`, the products of bf16 operands in the RowsInner layout
    run on bf16 pairs (x86 `vdpbf16ps`, lowered by attn-cpu-microkernel):
    the contraction dim (K1, K2) is split into pairs, innermost in both
    operands (Q and V packed per tile, K and transposed V reshaped in
    place), P rounded to bf16 for P.V, and the scale applied to S in f32.
  }];
  let options = [
    Option<"bf16Dot", "bf16-dot", "bool", /*default=*/"false",
           "Contract bf16 operands in bf16 pairs (x86 avx512_bf16)">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def AttnLowerToReference : Pass<"attn-lower-to-reference"> {
  let summary = "Naive attention lowering used as the numerical reference";
  let description = [{
    Lowers `attn.attention` the textbook way, independently of the tiled
    path: materializes the full f32 score tensor `S = scale * Q.K^T [+ mask]`,
    its row max, `E = exp(S - max)`, the row sum, `E.V` and the division.
    Used by `attn-run --check` (never for speed).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def AttnCpuMicrokernel : Pass<"attn-cpu-microkernel"> {
  let summary = "Register-tile and vectorize the attention block's products";
  let description = [{
    Each static `linalg.generic` contraction whose output's contiguous dim
    is contiguous in one input and absent from the other (the two products
    of a flash-attention block in the RowsInner form of the decomposition)
    is tiled to R x V register tiles with a reduction step of 1, vectorized
    (`vector.contract`), its accumulator kept in registers across the
    reduction loop, and the contract lowered to outer products: per row one
    broadcast and ceil(V / lanes) FMAs. V (up to 4 registers of the
    contiguous dim) and R (up to 24 accumulator registers with AVX-512, 12
    otherwise) come from the host's vector unit, or from `vector-bits`.
    Other contractions (decode's dot products, dynamic tiles) are left to
    LLVM's loop vectorizer. Part of `attn-cpu-pipeline`.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits (0: the host's)">,
    Option<"lowerContracts", "lower-contracts", "bool", /*default=*/"true",
           "Lower the vector.contract ops to outer products (false: stop "
           "after vectorization, to inspect the tiles)">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def AttnCpuPrefetch : Pass<"attn-cpu-prefetch", "func::FuncOp"> {
  let summary = "Prefetch the next iteration's strided block of a loop";
  let description = [{
    On bufferized code: for each `memref.subview` in an `scf.for` body
    that reads a block of a function argument at the loop's induction
    variable, where the block is not contiguous (a transposed V block: N
    rows of K2-contiguous keys) and its rows span at least a cache line,
    inserts at the start of each iteration one `memref.prefetch` per cache
    line of the next iteration's block (none in the last iteration). A
    contiguous block is left to the hardware prefetchers; buffers the
    function allocated, written blocks and blocks an enclosing loop already
    prefetches are left alone. Part of `attn-cpu-pipeline`.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AttnCpuStridedCopies : Pass<"attn-cpu-strided-copies",
                                 "func::FuncOp"> {
  let summary = "Strided memref.copy as linalg.copy (vectorizable loops)";
  let description = [{
    On bufferized code: each `memref.copy` with a non-contiguous side
    (other than a copy onto itself, which canonicalization removes) becomes
    a `linalg.copy`. memref.copy of such buffers lowers to the runtime's
    element-wise `memrefCopy`; the linalg form becomes loops whose
    contiguous innermost dim LLVM vectorizes. Part of `attn-cpu-pipeline`
    (the copies of padded query rows, `attn-pad-query-rows`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def AttnCpuFlattenTransfers : Pass<"attn-cpu-flatten-transfers",
                                    "func::FuncOp"> {
  let summary = "Contiguous n-D vector transfers of narrow rows as 1-D ones";
  let description = [{
    On bufferized code: each `vector.transfer_read`/`transfer_write` of a
    contiguous memref region whose innermost vector dim has at most 32 bits
    (the bf16 pairs of `attn-cpu-microkernel`, `vector<16x2xbf16>`) becomes
    one 1-D transfer of a collapsed memref (upstream's
    `populateFlattenVectorTransferPatterns`), instead of one tiny load or
    store per row after VectorToSCF. Wider rows are left alone. Part of
    `attn-cpu-pipeline`.
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnApproximateMath : Pass<"attn-approximate-math"> {
  let summary = "Replace f32 math.exp by an inline polynomial (CPU path)";
  let description = [{
    Rewrites each f32 `math.exp` (scalar or vector) with upstream's
    polynomial approximation (`populateMathPolynomialApproximationPatterns`
    restricted to `exp`): range reduction to `2^n * exp(r)`, a polynomial
    for `exp(r)`, about 1 ulp; infinities, NaN and underflow handled as
    `exp`. On the CPU the alternative is a call to libm's scalar `expf` per
    score, which also keeps LLVM from vectorizing the loop around it. Part
    of `attn-cpu-pipeline` (after the attention is decomposed); the
    reference pipeline keeps libm's `exp`, so `--check` compares against
    an independent exponential. Other math ops are left alone.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def AttnDecomposeSoftmax : Pass<"attn-decompose-softmax"> {
  let summary = "Decompose linalg.softmax into linalg.generic ops";
  let description = [{
    Replaces each `linalg.softmax` by upstream's decomposition (its
    `AggregatedOpInterface::decomposeOperation`): the row max, `exp(x - max)`,
    the row sum and the division, as `linalg.generic`s and fills that every
    target lowers. Runs after the graph passes (a softmax inside an attention
    is raised to `attn.attention` there) and before bufferization: the
    lowerings have no pattern for the op itself.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def AttnRocmAttentionKernels
    : Pass<"attn-rocm-attention-kernels", "::mlir::ModuleOp"> {
  let summary = "Generate the flash-attention AMDGPU kernel of each attention";
  let description = [{
    For each `attn.attention` (static shapes; one M, K1, K2 and N dim, or
    several collapsible into one; f16, bf16 or f32 Q/K/V; optional i1 or
    float mask) emits a kernel
    for `chip` (an MFMA chip) into `gpu.module @attn_kernels` (its ROCDL
    target is attached later by `rocdl-attach-target`): one workgroup of W
    waves per T x W query rows and batch index; per block of B keys (the
    configuration, `waves` = W, `key-block` = B, `mfma` = TxTxK and
    `pipeline` = D, chosen
    per chip and shape by `chooseKernelConfig` unless given:
    codegen/KernelConfig.h),
    K is staged
    into LDS as [key][K1] and V as [N][key] (transposed while staging when
    V arrives standard); S^T = K.Q^T and O^T = V^T.P^T run on
    `amdgpu.mfma` 16x16x16 or 32x32x8 (f16/bf16) or 4 x 16x16x4 or
    4 x 32x32x2 (f32, exact; with
    `f32-mfma=f16|bf16`, Q/K/V are converted by an elementwise op first and
    P rounded) with f32 accumulation, so P goes from the first
    MFMA's result registers straight into the second's B operand; row max
    and sum use cross-lane shuffles; the mask is applied to the scaled
    scores (fully masked rows give 0). Sizes that are not multiples of the
    tiles (M: T x W, K2: B; K1: 16, N: T) are zero-padded before the launch (keys
    past the real K2 are masked in the kernel) and the output is sliced.
    The attention op is replaced by a `gpu.launch_func` of its kernel on
    buffers of its operands (grid: M/(T x W) x batch, block: 64 x W threads); the
    tensor/buffer conversions fold away in one-shot bufferization. An
    attention whose K and V^T blocks do not fit in the chip's LDS (f32 with
    K1 + N > 256, f16/bf16 with K1 + N > 512) becomes its unfused linalg
    form instead (simple kernels: correct, not fast; a remark says so).

    Decode: when the grid has fewer than 2 workgroups per compute unit of
    `chip`, K2 is split into S chunks of whole key blocks (grid z; S =
    ceil(2 x CUs / workgroups), at least 2 blocks per chunk, or
    `k2-splits`); each workgroup writes its chunk's unnormalized
    accumulator, max and sum (f32), and linalg reductions after the launch
    (simple GPU kernels) merge them exactly and normalize.
  }];
  let options = [
    Option<"chip", "chip", "std::string",
           /*default=*/"std::string(::mlir::attn::defaultChip())",
           "AMD GPU with MFMA (codegen/Target.h lists them)">,
    Option<"k2Splits", "k2-splits", "int64_t", /*default=*/"0",
           "Split K2 across workgroups (flash-decoding): 0 automatic, 1 "
           "never, N that many">,
    Option<"keyBlock", "key-block", "int64_t", /*default=*/"0",
           "Keys per iteration of the kernel's loop: 0 automatic, or 32, "
           "64, 128 (codegen/KernelConfig.h)">,
    Option<"waves", "waves", "int64_t", /*default=*/"0",
           "Waves per workgroup, M query rows each (the MFMA's): 0 "
           "automatic, or 2, 4, 8 (codegen/KernelConfig.h)">,
    Option<"mfma", "mfma", "std::string", /*default=*/"\"\"",
           "MFMA shape of both products: '' or 'auto' automatic, or "
           "16x16x16, 32x32x8 (f16/bf16; f32 uses 16x16x4, 32x32x2; "
           "codegen/KernelConfig.h)">,
    Option<"pipeline", "pipeline", "int64_t", /*default=*/"-1",
           "Key blocks staged ahead of the one being computed: -1 "
           "automatic, 0 (none), 1 (next block's loads in registers), 2 "
           "(also a second LDS buffer; codegen/KernelConfig.h)">,
    Option<"f32Mfma", "f32-mfma", "std::string", /*default=*/"\"exact\"",
           "MFMA inputs of f32 attention: 'exact' (f32 MFMAs, the default), "
           "or 'f16' / 'bf16' (Q, K, V and P rounded to that type: faster, "
           "only as precise as it)">,
    Option<"breakKernel", "break", "std::string", /*default=*/"\"\"",
           "Testing only: build a deliberately wrong kernel to show that the "
           "emulation catches it: 'swap-mfma-operands', 'no-barrier' or 'stale-prefetch'">,
    Option<"remarks", "remarks", "bool",
           /*default=*/"::mlir::attn::remarksEnabled()",
           "Report each layout choice made for the kernel (operands "
           "transposed or broadcast) and each fallback to unfused kernels "
           "as a remark">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::amdgpu::AMDGPUDialect",
                           "::mlir::ROCDL::ROCDLDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::ROCDL::ROCDLDialect"];
}

def AttnMapLinalgToGpu : Pass<"attn-map-linalg-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Run the host functions' remaining linalg ops as GPU kernels";
  let description = [{
    After bufferization, every linalg op (and `memref.copy`) left in a host
    function -- dequantization, transposes, projections, fills -- becomes a
    simple, correct GPU kernel in `gpu.module @attn_kernels`: upstream
    `linalgOpToParallelLoops` gives an `scf.parallel` nest (reductions stay
    sequential `scf.for` loops inside); its iteration space is linearized
    over a 1-D grid of 256-thread workgroups, one thread per point, the
    innermost loop dim fastest so neighbouring threads touch neighbouring
    elements; the `gpu.launch` is outlined with upstream
    `outlineKernelFunc`. Upstream `gpu-map-parallel-loops` would give one
    thread per workgroup for an untiled nest, hence this pass. Ops already
    inside GPU kernels are left alone.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::ROCDL::ROCDLDialect"];
}

def AttnGpuHostMemory : Pass<"attn-gpu-host-memory", "::mlir::ModuleOp"> {
  let summary = "Give GPU kernels device buffers and copy host data in and out";
  let description = [{
    Host functions hand their kernels host memory: function arguments,
    constants (`memref.get_global`) and `memref.alloc` buffers. This pass
    finds, through view ops, the buffer behind each `gpu.launch_func`
    operand and rewrites the host function for a discrete GPU: allocations
    become `gpu.alloc`; arguments and constants get a device copy
    (`gpu.alloc` + `gpu.memcpy`) at entry, copied back before returning
    when a kernel writes them (read from the kernel body's memory effects);
    returned buffers are copied into fresh host buffers; every device
    buffer is freed (`gpu.dealloc`) before returning. Host code that would
    read device memory directly is an error. Upstream has no such pass
    (IREE's HAL does this job), so it is written here.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect"];
}

def AttnEmulateGpuKernels
    : Pass<"attn-emulate-gpu-kernels", "::mlir::ModuleOp"> {
  let summary = "Host functions that run each GPU kernel with GPU semantics";
  let description = [{
    For every kernel of every `gpu.module` (with a known block size), adds a
    host function `@__attn_emulated_<kernel>(kernel args..., block id x, y,
    z)` that runs one workgroup of that very kernel, at the gpu-dialect
    level, on the CPU: the workgroup's threads are real OpenMP threads
    (`omp.parallel`, one thread per GPU thread) so `gpu.barrier` is a real
    barrier (`omp.barrier`); workgroup memory is allocated per workgroup
    and shared by its threads; `gpu.shuffle xor` exchanges values through
    shared memory between barriers; `amdgpu.mfma 16x16x16` gathers the
    wave's A, B and C fragments and computes each lane's results with the
    operand/result lane layouts AMD documents for that instruction (see
    the pass source). Other ops are cloned unchanged. The GPU modules stay:
    the launcher (`attn-run --device=rocm-sim`) loads their code object,
    packs each launch's kernel arguments from its metadata exactly as for
    a GPU, and calls these functions once per workgroup with pointers into
    that kernarg buffer.
  }];
  let dependentDialects = ["::mlir::omp::OpenMPDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::func::FuncDialect"];
}

def AttnKernelReport : Pass<"attn-kernel-report", "::mlir::ModuleOp"> {
  let summary = "Print per-kernel resources and instruction mix of GPU modules";
  let description = [{
    For every `gpu.module` with a ROCDL target (after `convert-gpu-to-rocdl`,
    before `gpu-module-to-binary`), compiles the module to a code object and
    prints one table per kernel, read from the code object and its
    disassembly rather than estimated: VGPRs, AGPRs, SGPRs, LDS bytes,
    scratch bytes, spills, wavefront size, workgroup size, occupancy in
    waves per SIMD (chips with an occupancy model in codegen/Target.h), and the instruction mix
    (MFMA count, global and LDS load/store widths, scratch accesses). The
    IR is left unchanged.
  }];
  let options = [
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "ROCm toolkit folder (<t>/amdgcn/bitcode, <t>/llvm/bin/ld.lld); "
           "empty: ROCM_PATH or /opt/rocm">,
  ];
}

#endif // ATTN_CODEGEN_PASSES_TD
