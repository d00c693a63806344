//===- RocmAttentionKernels.cpp - flash-attention kernels for AMDGPU ------===//
//
// No upstream path distributes contractions onto amdgpu.mfma, so the
// kernel is built here directly at the gpu/vector/amdgpu level.
//
// The kernel uses one MFMA shape, T x T x K (the configuration's `mfma`):
// 16x16x16 or 32x32x8 for f16/bf16 (wave64). Their operand layouts, per
// AMD's matrix-instruction tables (the "AMD matrix instruction calculator"
// and the CDNA3 ISA guide, section on MFMA), with l the lane:
//   A[m][k]: lane l holds A[l % T][4 * (l / T) + 0..3]
//   B[k][n]: lane l holds B[4 * (l / T) + 0..3][l % T]
//   C[m][n]: element i of lane l is C[4 * (64 / T) * (i / 4) + 4 * (l / T)
//            + i % 4][l % T]   (T * T / 64 elements: 4 or 16)
// so K = 4 * (64 / T) (16 or 8), and a 32x32 result is 4 quads, quad q
// holding rows 8q + 4 * (l / 32) + 0..3. The kernel computes
// S^T = K . Q^T (A = K rows, B = Q^T) on tiles of T keys, so quad q of a
// lane's tile holds S[row = l % T][key = q * K + 4 * (l / T) + 0..3]:
// exactly the B operand of the MFMA of O^T = V^T . P^T over keys
// [q * K, q * K + K) (a "slice"). P therefore stays in registers, and V^T
// rows (K2-contiguous in LDS) are the A operand, read 4 halves at a time.
// The lanes of one query row are l % T: row reductions combine 4 lanes
// (T = 16) or 2 (T = 32).
//
// f32 attention is exact: MFMA 16x16x4 or 32x32x2 f32 (f32MfmaShape),
// whose lane l holds one element, A[l % T][l / T] and B[l / T][l % T] (C
// as above). A contraction may visit its K in any order as long as A and
// B agree, so the fragments above are kept and issued as four f32 MFMAs,
// the j-th on element j of every lane: K slot l / T of MFMA j is K index
// 4 * (l / T) + j. Scores, P and the V^T fragments keep their layouts.
//
// Softmax runs in base 2: the scale is multiplied by log2(e) once (and a
// float mask by log2(e) as it is added), so every exponential is the bare
// hardware exp2 (rocdl.exp2: v_exp_f32, no range reduction or inf/NaN
// fix-ups; results below 2^-126 flush to 0, harmless for probabilities
// <= 1). Running maxima are in base-2 units inside the kernel and turned
// back into natural units (x ln 2) where they leave it (K2-split partials).
//
//===----------------------------------------------------------------------===//

#include "codegen/GpuUtils.h"
#include "codegen/KernelConfig.h"
#include "codegen/KernelReport.h"
#include "codegen/Passes.h"
#include "codegen/Target.h"
#include "dialect/AttnBuilders.h"
#include "dialect/AttnDialect.h"
#include "transforms/Remarks.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/STLExtras.h"

#include <limits>

namespace mlir::attn {
#define GEN_PASS_DEF_ATTNROCMATTENTIONKERNELS
#include "codegen/Passes.h.inc"
} // namespace mlir::attn

using namespace mlir;
using namespace mlir::attn;

namespace {

constexpr int64_t kWaveSize = 64;

/// Shapes and maps of a supported attention op.
struct KernelShape {
  AttentionDims dims;
  SmallVector<int64_t> loopSizes;
  /// Sizes the kernel works on: M rounded up to the workgroup's rows, K2 to
  /// the key block, K1 to 16 and N to the MFMA tile.
  /// Operands of other sizes are zero-padded before the launch and the
  /// output sliced after it; keys past `k2Valid` are masked in the kernel.
  int64_t m, k1, k2, n, batch = 1;
  int64_t k2Valid;
  /// The configuration (chooseKernelConfig): keys per iteration of the
  /// kernel's loop, waves per workgroup and the MFMA shape (f16/bf16 name),
  /// whose M = N = tile() is each wave's query rows.
  int64_t keyBlock = 64, waves = 4;
  MfmaShape mfma = {16, 16, 16};
  /// Key blocks staged ahead of the one being computed (0, 1 or 2; see
  /// AttentionKernelConfig::pipeline); depth 2 double-buffers LDS.
  int64_t pipeline = 1;
  int64_t ldsBuffers() const { return attn::ldsBuffers(pipeline); }
  int64_t tile() const { return mfma.m; }
  int64_t blockRows() const { return waves * tile(); }
  int64_t threads() const { return waves * kWaveSize; }
  /// Lanes that hold one query row: l % tile() is the row (4 or 2).
  int64_t lanesPerRow() const { return kWaveSize / tile(); }
  /// The MFMA's K (16 or 8): K1 per Q fragment, keys per P.V slice.
  int64_t sliceK() const { return mfma.k; }
  /// f32 elements per lane of one accumulator tile (T x T / 64: 4 or 16).
  int64_t accElems() const { return tile() * tile() / kWaveSize; }
  AttentionKernelConfig config() const {
    return {keyBlock, waves, mfma, pipeline};
  }
  SmallVector<int64_t> paddedSizes;
  Type inElem, outElem;
  /// Causal attention: key j is visible to query position p iff
  /// j <= p + diagonal, where the kernel row r (all M dims collapsed into
  /// one) has position p = (r / posStride) % posSize.
  struct Causal {
    int64_t diagonal = 0, posStride = 1, posSize = 1;
  };
  std::optional<Causal> causal;
  /// Decode: K2 split into `splits` chunks of `splitKeys` keys (grid z),
  /// each writing a partial state that is merged after the launch.
  int64_t splits = 1, splitKeys = 0;
  /// The LSE is requested: the kernel writes the partial state (max, sum)
  /// even with one split, and the merge computes the LSE from it.
  bool needsLse = false;
  bool isSplit() const { return splits > 1 || needsLse; }

  /// Shape of the operand indexed by `map` at the kernel's (padded) sizes.
  SmallVector<int64_t> operandShape(AffineMap map) const {
    SmallVector<int64_t> shape;
    for (AffineExpr e : map.getResults())
      shape.push_back(paddedSizes[cast<AffineDimExpr>(e).getPosition()]);
    return shape;
  }
};

/// The K2 split (see KernelShape::splits) for `chip`: requested (> 0) or
/// when the grid has fewer than 2 workgroups per compute unit.
void chooseSplits(KernelShape &s, const ChipInfo &chip, int64_t requested) {
  int64_t blocks = s.k2 / s.keyBlock;
  int64_t workgroups = (s.m / s.blockRows()) * s.batch;
  int64_t target = 2 * int64_t(chip.computeUnits);
  int64_t splits = requested;
  if (splits == 0)
    splits = workgroups < target
                 ? std::min<int64_t>(llvm::divideCeil(target, workgroups),
                                     blocks / 2)
                 : 1;
  splits = std::clamp<int64_t>(splits, 1, blocks);
  int64_t chunk = llvm::divideCeil(blocks, splits);
  s.splits = llvm::divideCeil(blocks, chunk);
  s.splitKeys = chunk * s.keyBlock;
}

FailureOr<KernelShape> analyze(AttentionOp op,
                               std::optional<KernelShape::Causal> causal,
                               StringRef f32Mfma, const ChipInfo &chip,
                               AttentionKernelConfig requested,
                               std::string &why) {
  KernelShape s;
  s.causal = causal;
  s.dims = op.getDims();
  if (s.dims.m.size() != 1 || s.dims.k1.size() != 1 || s.dims.k2.size() != 1 ||
      s.dims.n.size() != 1) {
    why = "the GPU kernel needs one M, K1, K2 and N dim each, or several "
          "that form one contiguous run in the same order in every operand";
    return failure();
  }
  s.loopSizes =
      getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
  if (llvm::any_of(s.loopSizes, ShapedType::isDynamic)) {
    why = "the GPU kernel needs static shapes (attn-run specializes a "
          "program with dynamic dims to its inputs' shapes when it runs it)";
    return failure();
  }
  s.m = s.loopSizes[s.dims.m[0]];
  s.k1 = s.loopSizes[s.dims.k1[0]];
  s.k2 = s.loopSizes[s.dims.k2[0]];
  s.n = s.loopSizes[s.dims.n[0]];
  for (unsigned d : s.dims.batch)
    s.batch *= s.loopSizes[d];
  s.k2Valid = s.k2;
  // Q, K and V share one element type (verified). f32 stays f32 (exact
  // MFMAs) unless the user traded precision for speed: then Q, K and V are
  // converted before the kernel and P rounded in it; the scores, softmax
  // and accumulation stay f32 either way.
  s.inElem = getElementTypeOrSelf(op.getQuery().getType());
  s.outElem = getElementTypeOrSelf(op.getInit().getType());
  s.needsLse = bool(op.getLse());
  if (s.inElem.isF32() && f32Mfma == "f16")
    s.inElem = Float16Type::get(op.getContext());
  else if (s.inElem.isF32() && f32Mfma == "bf16")
    s.inElem = BFloat16Type::get(op.getContext());
  AttentionProblem problem;
  problem.m = s.m, problem.k1 = s.k1, problem.k2 = s.k2, problem.n = s.n;
  problem.batch = s.batch;
  problem.inputBits = s.inElem.getIntOrFloatBitWidth();
  AttentionKernelConfig config = chooseKernelConfig(chip, problem, requested);
  s.keyBlock = config.keyBlock;
  s.waves = config.waves;
  s.mfma = config.mfma;
  s.pipeline = config.pipeline;
  s.m = llvm::alignTo(s.m, s.blockRows());
  s.k2 = llvm::alignTo(s.k2, s.keyBlock);
  s.k1 = llvm::alignTo(s.k1, 16);
  s.n = llvm::alignTo(s.n, s.tile());
  s.paddedSizes = s.loopSizes;
  s.paddedSizes[s.dims.m[0]] = s.m;
  s.paddedSizes[s.dims.k1[0]] = s.k1;
  s.paddedSizes[s.dims.k2[0]] = s.k2;
  s.paddedSizes[s.dims.n[0]] = s.n;
  return s;
}

/// Bytes of workgroup memory the kernel stages key blocks in (shared by the
/// workgroup's waves).
int64_t ldsBytes(const KernelShape &s) {
  return stagedLdsBytes(s.keyBlock, s.k1, s.n, s.inElem.getIntOrFloatBitWidth(),
                        s.pipeline);
}

/// Emits the kernel body. Values of the loop dims are looked up in
/// `loopValues` when indexing an operand through its map.
class KernelBuilder {
public:
  KernelBuilder(ImplicitLocOpBuilder &b, AttentionOp op, const KernelShape &s,
                StringRef breakMode)
      : b(b), op(op), s(s), breakMode(breakMode) {}

  void build(gpu::GPUFuncOp func);

private:
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value f32(double v) {
    return arith::ConstantOp::create(b, b.getF32FloatAttr(v));
  }
  Value splat(Value scalar, int64_t n) {
    return vector::BroadcastOp::create(
        b, VectorType::get({n}, scalar.getType()), scalar);
  }

  /// Indices into `memref` (indexed by `map`) with the loop values given.
  SmallVector<Value> indices(AffineMap map, ArrayRef<Value> loopValues) {
    SmallVector<Value> idx;
    for (AffineExpr e : map.getResults())
      idx.push_back(loopValues[cast<AffineDimExpr>(e).getPosition()]);
    return idx;
  }

  /// Loads `width` elements along loop `dim` starting at `loopValues`:
  /// one vector load when `dim` is the operand's innermost dim, else
  /// scalar loads.
  Value loadAlong(Value memref, AffineMap map, unsigned dim,
                  SmallVector<Value> loopValues, int64_t width,
                  bool allowVector = true) {
    auto vecType = VectorType::get(
        {width}, cast<MemRefType>(memref.getType()).getElementType());
    if (allowVector &&
        cast<AffineDimExpr>(map.getResults().back()).getPosition() == dim)
      return vector::LoadOp::create(b, vecType, memref,
                                    indices(map, loopValues));
    SmallVector<Value> elems;
    Value base = loopValues[dim];
    for (int64_t i = 0; i < width; ++i) {
      loopValues[dim] = arith::AddIOp::create(b, base, cst(i));
      elems.push_back(
          memref::LoadOp::create(b, memref, indices(map, loopValues)));
    }
    return vector::FromElementsOp::create(b, vecType, elems);
  }

  /// P (vector<4xf32>) in the MFMA input type. bf16 is rounded to nearest
  /// even on the bits: gfx942 has no f32 -> bf16 conversion, and LLVM's
  /// fptrunc adds a NaN check worth 3 more VALU per element. (A NaN P
  /// means a NaN score, whose row sum, and so output, is NaN anyway.)
  Value toMfmaInput(Value p) {
    if (s.inElem.isF32())
      return p;
    if (!s.inElem.isBF16())
      return arith::TruncFOp::create(b, in4, p);
    auto bitsType = VectorType::get({4}, b.getI32Type());
    auto splatI32 = [&](int32_t v) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(bitsType, b.getI32IntegerAttr(v)));
    };
    Value bits = arith::BitcastOp::create(b, bitsType, p);
    Value lsb = arith::AndIOp::create(
        b, arith::ShRUIOp::create(b, bits, splatI32(16)), splatI32(1));
    Value rounded = arith::AddIOp::create(
        b, arith::AddIOp::create(b, bits, splatI32(0x7fff)), lsb);
    Value high = arith::TruncIOp::create(
        b, VectorType::get({4}, b.getI16Type()),
        arith::ShRUIOp::create(b, rounded, splatI32(16)));
    return arith::BitcastOp::create(b, in4, high);
  }

  /// A scheduling barrier that only MFMAs and scalar work may cross.
  void schedulingBarrier() {
    using Opt = amdgpu::sched_barrier_opt_enum;
    amdgpu::SchedBarrierOp::create(
        b, amdgpu::sched_barrier_opt_enumAttr::get(b.getContext(),
                                                   Opt::salu | Opt::mfma_wmma));
  }

  /// `base + offset` into a flattened LDS tile, marked as not wrapping so
  /// that the backend folds `offset` into the access's offset field.
  Value ldsIndex(Value base, int64_t offset) {
    if (offset == 0)
      return base;
    return arith::AddIOp::create(b, base, cst(offset),
                                 arith::IntegerOverflowFlags::nuw |
                                     arith::IntegerOverflowFlags::nsw);
  }

  /// LDS read instructions for `fragments` MFMA fragments: the backend
  /// pairs two 8-byte reads (ds_read2_b64); f32 fragments are 16 bytes.
  int64_t ldsReads(int64_t fragments) const {
    return s.inElem.isF32() ? fragments : llvm::divideCeil(fragments, 2);
  }

  /// A scheduling barrier nothing may cross.
  void schedulingFence() {
    amdgpu::SchedBarrierOp::create(
        b, amdgpu::sched_barrier_opt_enumAttr::get(
               b.getContext(), amdgpu::sched_barrier_opt_enum::none));
  }

  /// Runs `body` on the chunk this thread copies in round `round` of a
  /// staging copy of `chunks` chunks (round-robin over the threads). In a
  /// partial last round, threads past the last chunk skip it and yield
  /// zeros of `type` (no result when `type` is null).
  Value inRound(int64_t round, int64_t chunks, Type type,
                function_ref<Value(Value idx)> body) {
    Value idx = ldsIndex(tid, round * s.threads());
    if ((round + 1) * s.threads() <= chunks)
      return body(idx);
    Value inRange =
        arith::CmpIOp::create(b, arith::CmpIPredicate::ult, idx, cst(chunks));
    OpBuilder::InsertionGuard guard(b);
    if (!type) {
      auto ifOp = scf::IfOp::create(b, inRange);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
      body(idx);
      return Value();
    }
    auto ifOp = scf::IfOp::create(b, TypeRange{type}, inRange,
                                  /*withElseRegion=*/true);
    b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    scf::YieldOp::create(b, body(idx));
    b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    scf::YieldOp::create(
        b, arith::ConstantOp::create(b, b.getZeroAttr(type)).getResult());
    return ifOp.getResult(0);
  }

  /// C += A . B on fragments of the kernel's MFMA shape (4 elements per
  /// lane): one MFMA for f16/bf16, four of its f32 variant for f32 (see
  /// the file comment).
  Value mfma(Value a, Value bOperand, Value c) {
    auto build = [&](MfmaShape shape, Value lhs, Value rhs,
                     Value acc) -> Value {
      return amdgpu::MFMAOp::create(
          b, acc.getType(), b.getI32IntegerAttr(shape.m),
          b.getI32IntegerAttr(shape.n), b.getI32IntegerAttr(shape.k),
          b.getI32IntegerAttr(1), lhs, rhs, acc, b.getI32IntegerAttr(0),
          b.getI32IntegerAttr(0),
          amdgpu::MFMAPermBAttr::get(b.getContext(), amdgpu::MFMAPermB::none));
    };
    if (!s.inElem.isF32())
      return build(s.mfma, a, bOperand, c);
    for (int64_t j = 0; j < 4; ++j)
      c = build(f32MfmaShape(s.mfma), vector::ExtractOp::create(b, a, j),
                vector::ExtractOp::create(b, bOperand, j), c);
    return c;
  }

  /// Elements [4q, 4q + 4) of an accumulator tile: the lane's values of
  /// 4 consecutive rows of the MFMA's result (see the file comment).
  Value quad(Value tile, int64_t q) {
    if (s.accElems() == 4)
      return tile;
    return vector::ShuffleOp::create(
        b, tile, tile,
        ArrayRef<int64_t>{4 * q, 4 * q + 1, 4 * q + 2, 4 * q + 3});
  }

  /// Reduces `v` across the lanes that share l % T (l, l^16, l^32, l^48
  /// for T = 16; l, l^32 for T = 32): the lanes holding the same query row.
  Value rowReduce(Value v, bool isMax) {
    for (int32_t offset = s.tile(); offset < kWaveSize; offset *= 2) {
      Value other =
          gpu::ShuffleOp::create(b, v, offset, 64, gpu::ShuffleMode::XOR)
              .getShuffleResult();
      v = isMax ? Value(arith::MaxNumFOp::create(b, v, other))
                : Value(arith::AddFOp::create(b, v, other));
    }
    return v;
  }

  Value minusInf() { return f32(-std::numeric_limits<double>::infinity()); }

  /// 2^x on the hardware's exp2 (see the file comment), element-wise.
  Value exp2(Value x) {
    auto vec = dyn_cast<VectorType>(x.getType());
    if (!vec)
      return ROCDL::ROCDLExp2::create(b, f32Type, x);
    SmallVector<Value> elems;
    for (int64_t i = 0; i < vec.getNumElements(); ++i)
      elems.push_back(exp2(vector::ExtractOp::create(b, x, i)));
    return vector::FromElementsOp::create(b, vec, elems);
  }

  /// The causal position of kernel row `r`.
  Value queryPosition(Value r) {
    if (s.causal->posStride != 1)
      r = arith::DivUIOp::create(b, r, cst(s.causal->posStride));
    return arith::RemUIOp::create(b, r, cst(s.causal->posSize));
  }
  Value clamp(Value v, Value lo, Value hi) {
    return arith::MaxSIOp::create(b, arith::MinSIOp::create(b, v, hi), lo);
  }
  /// Whether some key can be -inf for a whole row in this loop: then a
  /// running max of -inf must not turn exp(x - max) into NaN.
  bool rowsMayBeEmpty(bool edge) const { return mask || (edge && s.causal); }

  // The kernel in the order it runs; each step reads the members below.
  void setUp(gpu::GPUFuncOp func);
  void loadQueryFragments();
  /// Staging of one key block, software-pipelined: loadBlock issues the
  /// global loads of this thread's chunks of K and V (registers carried to
  /// the next iteration), storeBlock writes them to the LDS tiles.
  enum class Staged { Keys, Values };
  int64_t numChunks(Staged what) const {
    return s.keyBlock * (what == Staged::Keys ? s.k1 : s.n) / 8;
  }
  bool valuesTransposed() const {
    return cast<AffineDimExpr>(vMap.getResults().back()).getPosition() == dk2;
  }
  std::pair<Value, Value> chunkCoordinates(Staged what, Value idx);
  Value loadChunk(Staged what, Value kt, Value idx);
  void storeChunk(Staged what, Value idx, Value chunk, int64_t buffer);
  SmallVector<Value> loadBlock(Value kt);
  /// Writes a block's chunks to LDS buffer `buffer` (KernelShape::ldsBuffers).
  void storeBlock(ValueRange chunks, int64_t buffer);
  Value clampBlock(Value kt);
  /// Element offset of LDS buffer `buffer` in the K tile (Staged::Keys) or
  /// the V^T tile.
  int64_t bufferOffset(Staged what, int64_t buffer) const {
    return buffer * s.keyBlock * (what == Staged::Keys ? s.k1 : s.n);
  }
  /// Scores of one key block per slice (the MFMA's K keys), base-2 scaled and
  /// masked; and, when nothing masks the block, the raw Q.K^T too (the softmax
  /// then scales and subtracts the max in one FMA per pair).
  struct Scores {
    SmallVector<Value> scaled, raw;
  };
  bool blockIsMasked(bool edge) const {
    return mask || (edge && (s.k2Valid < s.k2 || s.causal));
  }
  /// With readValuesEarly(), also reads the V^T fragments of the first
  /// slice into `values` (needed first after the scores; read here, their
  /// LDS waits come before the next block's global loads are issued).
  Scores scoreBlocks(Value kt, bool edge, SmallVector<Value> &values);
  Value maskScores(Value scaled, Value kt, int64_t slice, bool edge);
  /// Key range this workgroup visits: [0, steadyEnd) needs no padding or
  /// causal masking, [steadyEnd, end) does (the edge blocks).
  std::pair<Value, Value> keyRange();
  SmallVector<Value> keyLoop(Value lb, Value ub, ValueRange init, bool edge);
  /// One step of keyLoop: stages and computes block `kt`, which is (or goes)
  /// in LDS buffer `buffer`; `carried` is the softmax state (`numState`
  /// values) and the chunks staged ahead, returned updated.
  SmallVector<Value> keyBlockStep(Value kt, int64_t buffer, bool edge,
                                  ArrayRef<Value> carried, unsigned numState);
  /// Before a key loop from `lb`: block lb written to LDS buffer 0 (depth
  /// 2), and the chunks the first step carries in (depth 1: block lb's,
  /// depth 2: block lb + B's; none at depth 0).
  SmallVector<Value> stageAhead(Value lb);
  /// With two LDS buffers the loop covers pairs of blocks: the step of the
  /// last block [kt, ub) if there is one.
  SmallVector<Value> lastOddBlock(Value kt, Value ub, bool edge,
                                  ArrayRef<Value> carried, unsigned numState);
  /// Online softmax over one key block: the max the exponentials subtract
  /// (`base`) and the correction of the old accumulators and sum; P comes
  /// per slice (the MFMA's K keys) from probabilities(), in accumulate().
  struct SoftmaxStep {
    Value max, base, correction;
  };
  Value runningMax(const Scores &scores, Value oldMax);
  SoftmaxStep softmaxStep(Value oldMax, Value newMax, bool edge);
  std::pair<Value, Value> probabilities(const Scores &scores, int64_t slice,
                                        Value base);
  /// O^T += V^T . P^T over the block, the softmax's exponentials of one
  /// slice interleaved with the MFMAs of the previous one; returns
  /// the new running sum.
  Value accumulate(MutableArrayRef<Value> acc, const Scores &scores,
                   const SoftmaxStep &step, Value oldSum,
                   SmallVector<Value> values);
  Value readValueFragment(int64_t slice, int64_t nb);
  /// Where vector work outweighs the MFMAs (N <= 64), slice 0's V^T fragments
  /// are read with the last K fragments and P of up to 4 slices is computed
  /// before P.V; at larger N, P of 3 slices (enough vector work to cover the
  /// global loads' latency), the rest between the P.V MFMAs, and V^T fragments
  /// after it (fewer live registers).
  bool readValuesEarly() const { return s.n <= 64; }
  /// Slices per key block; each is 4 scores per lane whatever the shape.
  int64_t slices() const { return s.keyBlock / s.sliceK(); }
  int64_t eagerSlices() const {
    return std::min<int64_t>(slices(), readValuesEarly() ? 4 : 3);
  }
  /// Asks the backend's scheduler to follow each of the `mfmas` MFMA
  /// products of the code above (back to the last fence) by `others`
  /// vector or scalar instructions, and the last `reads` of them by one LDS
  /// read each (the reads of the next window, once the fragments they
  /// replace have been consumed), then fences that code off.
  void interleaveMfmas(int64_t mfmas, int64_t reads, int64_t others);
  Value outputColumn(int64_t nb, int64_t q);
  void storeOutputQuad(Value o, Value col);
  void storeOutput(ValueRange state);
  void storePartialState(ValueRange state);

  ImplicitLocOpBuilder &b;
  AttentionOp op;
  const KernelShape &s;
  /// Testing only: "swap-mfma-operands", "no-barrier" or "stale-prefetch"
  /// builds a wrong kernel on purpose.
  StringRef breakMode;

  // Set up once per kernel.
  unsigned dm = 0, dk1 = 0, dk2 = 0, dn = 0;
  /// scaleLog2: the scale times log2(e), the factor from Q.K^T to the
  /// base-2 scores the softmax works on. kTile and vtTile: the LDS tiles K
  /// [key][K1] and V^T [N][key], flattened: each access is a per-thread
  /// base plus a constant (ldsIndex), which the backend folds into the
  /// instruction's offset field instead of keeping one address register
  /// per access.
  Value q, k, v, out, scaleLog2, mask, kTile, vtTile;
  /// Per thread: the first element of its K and V^T fragments,
  /// rowInTile * row length + kGroup, in the first LDS buffer; the
  /// fragments are read from buffer `readBuffer` (the current step's).
  Value kFragBase, vFragBase;
  int64_t readBuffer = 0;
  AffineMap qMap, kMap, vMap, oMap;
  Type f32Type;
  /// acc4: 4 f32 (a score or P slice, per lane); accTile: an accumulator
  /// tile (accElems() f32); in4: an MFMA operand fragment.
  VectorType acc4, accTile, in4;
  /// Thread coordinates: `rowInTile` = lane % T (the query row within the
  /// wave's T), `kGroup` = 4 * (lane / T) (the first of the lane's 4
  /// elements along the MFMA's K), `row` the query row this lane serves.
  Value tid, rowInTile, kGroup, row, zeroTile;
  /// First query row of the workgroup, and (causal) this lane's position.
  Value blockRow, position;
  /// Flattened batch index; with a K2 split, the split and its buffers.
  Value batchIndex, splitIndex, partialMax, partialSum;
  /// Current values of the loop dims, for indexing operands by their maps.
  SmallVector<Value> loop;
  /// Q^T fragments (MFMA B operand), one per MFMA K of K1.
  SmallVector<Value> qFrag;
};

void KernelBuilder::setUp(gpu::GPUFuncOp func) {
  const AttentionDims &dims = s.dims;
  dm = dims.m[0], dk1 = dims.k1[0], dk2 = dims.k2[0], dn = dims.n[0];
  q = func.getArgument(0), k = func.getArgument(1), v = func.getArgument(2);
  out = func.getArgument(3);
  // Optional mask (argument 5): i1 keeps a score where true, a float mask
  // is added to the scaled scores.
  mask = op.getMask() ? func.getArgument(5) : Value();
  auto flatten = [&](Value tile) -> Value {
    return memref::CollapseShapeOp::create(
        b, tile, ArrayRef<ReassociationIndices>{{0, 1}});
  };
  kTile = flatten(func.getWorkgroupAttributions()[0]);
  vtTile = flatten(func.getWorkgroupAttributions()[1]);
  qMap = op.getQueryMap(), kMap = op.getKeyMap(), vMap = op.getValueMap();
  oMap = op.getOutputMap();
  f32Type = b.getF32Type();
  acc4 = VectorType::get({4}, f32Type);
  accTile = VectorType::get({s.accElems()}, f32Type);
  in4 = VectorType::get({4}, s.inElem);
  Value scale = func.getArgument(4);
  Value scale32 = scale.getType() == f32Type
                      ? scale
                      : arith::ExtFOp::create(b, f32Type, scale).getResult();
  scaleLog2 = arith::MulFOp::create(b, scale32, f32(M_LOG2E));
  zeroTile = arith::ConstantOp::create(
      b, DenseElementsAttr::get(accTile, b.getF32FloatAttr(0)));

  tid = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value lane = arith::RemUIOp::create(b, tid, cst(kWaveSize));
  Value wave = arith::DivUIOp::create(b, tid, cst(kWaveSize));
  rowInTile = arith::RemUIOp::create(b, lane, cst(s.tile()));
  kGroup = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, lane, cst(s.tile())), cst(4));
  kFragBase = arith::AddIOp::create(
      b, arith::MulIOp::create(b, rowInTile, cst(s.k1)), kGroup);
  vFragBase = arith::AddIOp::create(
      b, arith::MulIOp::create(b, rowInTile, cst(s.keyBlock)), kGroup);
  // Causal workgroups differ in work; the heaviest (last rows) start first.
  Value tile = gpu::BlockIdOp::create(b, gpu::Dimension::x);
  if (s.causal)
    tile = arith::SubIOp::create(b, cst(s.m / s.blockRows() - 1), tile);
  blockRow = arith::MulIOp::create(b, tile, cst(s.blockRows()));
  row = arith::AddIOp::create(
      b,
      arith::AddIOp::create(b, blockRow,
                            arith::MulIOp::create(b, wave, cst(s.tile()))),
      rowInTile);
  if (s.causal)
    position = queryPosition(row);

  // Loop values shared by all accesses: batch dims from block id y.
  loop.assign(op.getNumLoops(), cst(0));
  Value batchId = gpu::BlockIdOp::create(b, gpu::Dimension::y);
  batchIndex = batchId;
  if (s.isSplit()) {
    splitIndex = gpu::BlockIdOp::create(b, gpu::Dimension::z);
    unsigned n = func.getNumArguments();
    partialMax = func.getArgument(n - 2);
    partialSum = func.getArgument(n - 1);
  }
  for (unsigned d : llvm::reverse(dims.batch)) {
    loop[d] = arith::RemUIOp::create(b, batchId, cst(s.loopSizes[d]));
    batchId = arith::DivUIOp::create(b, batchId, cst(s.loopSizes[d]));
  }
}

void KernelBuilder::loadQueryFragments() {
  // Lane holds Q[row][c * K + kGroup + 0..3] (K: the MFMA's).
  loop[dm] = row;
  for (int64_t c = 0; c < s.k1 / s.sliceK(); ++c) {
    loop[dk1] = arith::AddIOp::create(b, kGroup, cst(c * s.sliceK()));
    qFrag.push_back(loadAlong(q, qMap, dk1, loop, 4));
  }
}

/// LDS coordinates of chunk `idx` (8 elements) of a key block: keys
/// (key, K1 column) of [key][K1]; V^T (N row, first key) of [N][key] when V
/// arrives transposed (8 keys per chunk), else (key, first N row) (8 N
/// values per chunk, transposed element by element while stored).
std::pair<Value, Value> KernelBuilder::chunkCoordinates(Staged what,
                                                        Value idx) {
  int64_t perRow = what == Staged::Keys ? s.k1 / 8
                   : valuesTransposed() ? s.keyBlock / 8
                                        : s.n / 8;
  Value row = arith::DivUIOp::create(b, idx, cst(perRow));
  Value col = arith::MulIOp::create(
      b, arith::RemUIOp::create(b, idx, cst(perRow)), cst(8));
  return {row, col};
}

Value KernelBuilder::loadChunk(Staged what, Value kt, Value idx) {
  auto [row, col] = chunkCoordinates(what, idx);
  if (what == Staged::Keys) {
    loop[dk2] = arith::AddIOp::create(b, kt, row);
    loop[dk1] = col;
    return loadAlong(k, kMap, dk1, loop, 8);
  }
  if (valuesTransposed()) {
    loop[dn] = row;
    loop[dk2] = arith::AddIOp::create(b, kt, col);
    return loadAlong(v, vMap, dk2, loop, 8);
  }
  loop[dk2] = arith::AddIOp::create(b, kt, row);
  loop[dn] = col;
  return loadAlong(v, vMap, dn, loop, 8);
}

void KernelBuilder::storeChunk(Staged what, Value idx, Value chunk,
                               int64_t buffer) {
  auto [row, col] = chunkCoordinates(what, idx);
  int64_t offset = bufferOffset(what, buffer);
  if (what == Staged::Keys || valuesTransposed()) {
    int64_t rowLength = what == Staged::Keys ? s.k1 : s.keyBlock;
    Value at = arith::AddIOp::create(
        b, arith::MulIOp::create(b, row, cst(rowLength)), col);
    vector::StoreOp::create(b, chunk, what == Staged::Keys ? kTile : vtTile,
                            ldsIndex(at, offset));
    return;
  }
  // V^T[col + i][row]: one base, the element's row as a constant offset.
  auto noWrap =
      arith::IntegerOverflowFlags::nuw | arith::IntegerOverflowFlags::nsw;
  Value base = arith::AddIOp::create(
      b, arith::MulIOp::create(b, col, cst(s.keyBlock), noWrap), row, noWrap);
  for (int64_t i = 0; i < 8; ++i)
    memref::StoreOp::create(b, vector::ExtractOp::create(b, chunk, i), vtTile,
                            ldsIndex(base, offset + i * s.keyBlock));
}

SmallVector<Value> KernelBuilder::loadBlock(Value kt) {
  SmallVector<Value> chunks;
  auto chunkType = VectorType::get({8}, s.inElem);
  for (Staged what : {Staged::Keys, Staged::Values})
    for (int64_t j = 0; j * s.threads() < numChunks(what); ++j)
      chunks.push_back(inRound(j, numChunks(what), chunkType, [&](Value idx) {
        return loadChunk(what, kt, idx);
      }));
  return chunks;
}

void KernelBuilder::storeBlock(ValueRange chunks, int64_t buffer) {
  for (Staged what : {Staged::Keys, Staged::Values})
    for (int64_t j = 0; j * s.threads() < numChunks(what); ++j) {
      Value chunk = chunks.front();
      chunks = chunks.drop_front();
      inRound(j, numChunks(what), Type(), [&](Value idx) {
        storeChunk(what, idx, chunk, buffer);
        return Value();
      });
    }
}

/// `kt`, or the last key block if `kt` is past it: the prefetch after a
/// loop's last block reloads a block instead of reading out of bounds.
Value KernelBuilder::clampBlock(Value kt) {
  return arith::MinSIOp::create(b, kt, cst(s.k2 - s.keyBlock));
}

/// The user's mask, and in edge blocks the padded keys (past the real K2)
/// and the causal diagonal, applied to one slice of scaled scores (keys
/// slice * K + kGroup + 0..3 of the block, K the MFMA's).
Value KernelBuilder::maskScores(Value scaled, Value kt, int64_t slice,
                                bool edge) {
  Value first = arith::AddIOp::create(
      b, kt, arith::AddIOp::create(b, kGroup, cst(slice * s.sliceK())));
  bool padded = s.k2Valid < s.k2;
  if (edge && (padded || s.causal)) {
    Value last =
        s.causal ? arith::AddIOp::create(b, position, cst(s.causal->diagonal))
                 : Value();
    SmallVector<Value> valid;
    for (int64_t i = 0; i < 4; ++i) {
      Value key = arith::AddIOp::create(b, first, cst(i));
      Value ok = padded ? arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                                key, cst(s.k2Valid))
                        : Value();
      if (s.causal) {
        Value visible =
            arith::CmpIOp::create(b, arith::CmpIPredicate::sle, key, last);
        ok = ok ? arith::AndIOp::create(b, ok, visible).getResult() : visible;
      }
      valid.push_back(ok);
    }
    scaled = arith::SelectOp::create(
        b,
        vector::FromElementsOp::create(b, VectorType::get({4}, b.getI1Type()),
                                       valid),
        scaled, splat(minusInf(), 4));
  }
  if (!mask)
    return scaled;
  SmallVector<Value> at = loop;
  at[dm] = row;
  at[dk2] = first;
  // i1 vectors are bit-packed in LLVM memory, booleans in a buffer one
  // byte each: load those element by element.
  bool isBool = getElementTypeOrSelf(mask.getType()).isInteger(1);
  Value m = loadAlong(mask, *op.getMaskMap(), dk2, at, 4,
                      /*allowVector=*/!isBool);
  if (isBool)
    return arith::SelectOp::create(b, m, scaled, splat(minusInf(), 4));
  if (cast<VectorType>(m.getType()).getElementType() != f32Type)
    m = arith::ExtFOp::create(b, acc4, m);
  // In base-2 units, like the scaled scores.
  return arith::AddFOp::create(
      b, scaled, arith::MulFOp::create(b, m, splat(f32(M_LOG2E), 4)));
}

KernelBuilder::Scores KernelBuilder::scoreBlocks(Value kt, bool edge,
                                                 SmallVector<Value> &values) {
  // S^T tiles of T keys (T = the MFMA's M). Lane holds, in element
  // 4q + i of tile kb, S[row][kb*T + q*K + kGroup + i] (K = the MFMA's K;
  // q = 0 only for T = 16): each quad is one slice of P.V's B operand. The
  // K1 chunks (K wide) are the outer loop and the key tiles the inner one,
  // so consecutive MFMAs accumulate into different tiles (independent).
  // The chunks go in windows of two (one window if it holds at most 16
  // fragments), each holding the MFMAs of its chunks and the K reads of
  // the next window's, which the scheduler interleaves.
  int64_t keyTiles = s.keyBlock / s.tile(), chunks = s.k1 / s.sliceK();
  int64_t chunksPerWindow = chunks * keyTiles <= 16 ? chunks : 2;
  auto readKeys = [&](int64_t first) {
    SmallVector<Value> frags;
    for (int64_t c = first; c < std::min(first + chunksPerWindow, chunks); ++c)
      for (int64_t kb = 0; kb < keyTiles; ++kb)
        // K[kb * T + rowInTile][c * K + kGroup + 0..3].
        frags.push_back(vector::LoadOp::create(
            b, in4, kTile,
            ldsIndex(kFragBase, bufferOffset(Staged::Keys, readBuffer) +
                                    kb * s.tile() * s.k1 + c * s.sliceK())));
    return frags;
  };
  SmallVector<Value> sAcc(keyTiles, zeroTile);
  SmallVector<Value> frags = readKeys(0);
  schedulingFence();
  for (int64_t first = 0; first < chunks; first += chunksPerWindow) {
    SmallVector<Value> current = std::exchange(frags, {});
    for (auto [i, a] : llvm::enumerate(current)) {
      int64_t c = first + i / keyTiles, kb = i % keyTiles;
      sAcc[kb] = breakMode == "swap-mfma-operands"
                     ? mfma(qFrag[c], a, sAcc[kb])
                     : mfma(a, qFrag[c], sAcc[kb]);
    }
    if (first + chunksPerWindow < chunks) {
      frags = readKeys(first + chunksPerWindow);
      interleaveMfmas(current.size(), ldsReads(frags.size()), /*others=*/0);
      continue;
    }
    if (readValuesEarly())
      for (int64_t nb = 0; nb < s.n / s.tile(); ++nb)
        values.push_back(readValueFragment(0, nb));
    interleaveMfmas(current.size(), ldsReads(values.size()), /*others=*/0);
  }
  Scores blocks;
  Value scaleVec = splat(scaleLog2, 4);
  for (int64_t slice = 0; slice < slices(); ++slice) {
    int64_t perTile = s.tile() / s.sliceK();
    Value raw = quad(sAcc[slice / perTile], slice % perTile);
    Value scaled = arith::MulFOp::create(b, raw, scaleVec);
    blocks.scaled.push_back(maskScores(scaled, kt, slice, edge));
    if (!blockIsMasked(edge))
      blocks.raw.push_back(raw);
  }
  return blocks;
}

/// The row's running max after `scores` (base-2 units), reduced across
/// the row's lanes. maxnum (v_max_f32), not NaN-propagating maximum (a
/// compare and a select more per score): a NaN score still makes its row
/// NaN through exp2.
Value KernelBuilder::runningMax(const Scores &scores, Value oldMax) {
  Value tileMax = minusInf();
  for (Value blk : scores.scaled)
    tileMax = arith::MaxNumFOp::create(
        b, tileMax,
        vector::ReductionOp::create(b, vector::CombiningKind::MAXNUMF, blk));
  tileMax = rowReduce(tileMax, /*isMax=*/true);
  return arith::MaxNumFOp::create(b, oldMax, tileMax);
}

KernelBuilder::SoftmaxStep KernelBuilder::softmaxStep(Value oldMax,
                                                      Value newMax, bool edge) {
  SoftmaxStep step;
  step.max = newMax;
  // With a mask a row may have seen only -inf so far: subtract 0 then, so
  // its probabilities are exp(-inf) = 0, not NaN.
  step.base = step.max;
  if (rowsMayBeEmpty(edge)) {
    Value noneYet = arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ,
                                          step.max, minusInf());
    step.base = arith::SelectOp::create(b, noneYet, f32(0.0), step.max);
  }
  step.correction = exp2(arith::SubFOp::create(b, oldMax, step.base));
  return step;
}

/// P of slice `kb` in the MFMA input type, and in f32.
std::pair<Value, Value> KernelBuilder::probabilities(const Scores &scores,
                                                     int64_t kb, Value base) {
  Value x = scores.raw.empty()
                ? arith::SubFOp::create(b, scores.scaled[kb], splat(base, 4))
                      .getResult()
                : math::FmaOp::create(b, scores.raw[kb], splat(scaleLog2, 4),
                                      splat(arith::NegFOp::create(b, base), 4))
                      .getResult();
  Value p = exp2(x);
  return {toMfmaInput(p), p};
}

/// The V^T fragment (MFMA A operand) of slice `slice` and output tile
/// `nb`: 4 keys contiguous.
Value KernelBuilder::readValueFragment(int64_t slice, int64_t nb) {
  // V^T[nb * T + rowInTile][slice * K + kGroup + 0..3].
  return vector::LoadOp::create(
      b, in4, vtTile,
      ldsIndex(vFragBase, bufferOffset(Staged::Values, readBuffer) +
                              nb * s.tile() * s.keyBlock + slice * s.sliceK()));
}

/// Instruction kinds of the backend's scheduling-group barriers
/// (llvm.amdgcn.sched.group.barrier masks).
enum SchedKind : int32_t {
  kSchedValu = 0x2,
  kSchedSalu = 0x4,
  kSchedMfma = 0x8,
  kSchedDsRead = 0x100,
  kSchedTranscendental = 0x400,
};

void KernelBuilder::interleaveMfmas(int64_t mfmas, int64_t reads,
                                    int64_t others) {
  // An f32 product is four MFMAs (see mfma()); a 32x32 MFMA takes twice
  // the cycles of a 16x16 one, so twice the other instructions fit.
  int64_t perProduct = s.inElem.isF32() ? 4 : 1;
  others *= s.tile() / 16;
  int32_t filler = kSchedValu | kSchedSalu | kSchedTranscendental;
  for (int64_t i = 0; i < mfmas; ++i) {
    ROCDL::SchedGroupBarrier::create(b, kSchedMfma, perProduct, 0);
    if (i >= mfmas - reads)
      ROCDL::SchedGroupBarrier::create(b, kSchedDsRead, 1, 0);
    if (others > 0)
      ROCDL::SchedGroupBarrier::create(b, filler, others * perProduct, 0);
  }
  schedulingFence();
}

/// The running sum is this lane's share only (its scores of the block):
/// the correction is the same on the row's lanes, so their shares are
/// summed once, after the last block, instead of with shuffles per block.
Value KernelBuilder::accumulate(MutableArrayRef<Value> acc,
                                const Scores &scores, const SoftmaxStep &step,
                                Value oldSum, SmallVector<Value> frags) {
  // The slices (the MFMA's K keys each) are the outer loop and the output
  // tiles the inner one, so consecutive MFMAs accumulate into different tiles.
  // P of the first eagerSlices() slices is computed first: that vector work,
  // which waits on no LDS access, covers the latency of the global loads issued
  // just before (llvm-mca, as the hardware for FLAT instructions, counts
  // them against the LDS counter). The window between fences of slice kb
  // then holds its MFMAs, the V^T reads of slice kb + 1 and, if not done
  // yet, P of slice kb + 1, which the scheduler interleaves.
  int64_t eager = eagerSlices();
  int64_t slices = this->slices();
  SmallVector<Value> p(slices);
  Value sumVec;
  // A tree of vector adds (one reduction at the end), not a chain of
  // dependent scalar adds.
  auto computeP = [&](int64_t kb) {
    Value values;
    std::tie(p[kb], values) = probabilities(scores, kb, step.base);
    sumVec =
        sumVec ? arith::AddFOp::create(b, sumVec, values).getResult() : values;
  };
  for (int64_t kb = 0; kb < std::min(eager, slices); ++kb)
    computeP(kb);
  Value corrVec = splat(step.correction, s.accElems());
  for (Value &accBlock : acc)
    accBlock = arith::MulFOp::create(b, accBlock, corrVec);
  schedulingFence();
  if (frags.empty()) {
    for (int64_t nb = 0; nb < int64_t(acc.size()); ++nb)
      frags.push_back(readValueFragment(0, nb));
    schedulingFence();
  }
  for (int64_t kb = 0; kb < slices; ++kb) {
    // Each fragment of the next slice is read once its register is free.
    for (auto [nb, accBlock] : llvm::enumerate(acc)) {
      accBlock = mfma(frags[nb], p[kb], accBlock);
      if (kb + 1 < slices)
        frags[nb] = readValueFragment(kb + 1, nb);
    }
    if (kb + 1 >= eager && kb + 1 < slices)
      computeP(kb + 1);
    interleaveMfmas(acc.size(), kb + 1 < slices ? ldsReads(acc.size()) : 0,
                    /*others=*/2);
  }
  Value tileSum =
      vector::ReductionOp::create(b, vector::CombiningKind::ADD, sumVec);
  return arith::AddFOp::create(
      b, arith::MulFOp::create(b, oldSum, step.correction), tileSum);
}

/// Stores 4 output values of this lane's row, columns `col` + 0..3.
void KernelBuilder::storeOutputQuad(Value o, Value col) {
  if (s.outElem != f32Type)
    o = arith::TruncFOp::create(b, VectorType::get({4}, s.outElem), o);
  loop[dn] = col;
  if (cast<AffineDimExpr>(oMap.getResults().back()).getPosition() == dn) {
    vector::StoreOp::create(b, o, out, indices(oMap, loop));
    return;
  }
  for (int64_t i = 0; i < 4; ++i) {
    loop[dn] = arith::AddIOp::create(b, col, cst(i));
    memref::StoreOp::create(b, vector::ExtractOp::create(b, o, i), out,
                            indices(oMap, loop));
  }
}

/// Column of element 4q of output tile `nb` in this lane: nb*T + q*K +
/// kGroup (the MFMA's result layout, see the file comment).
Value KernelBuilder::outputColumn(int64_t nb, int64_t q) {
  return arith::AddIOp::create(b, kGroup, cst(nb * s.tile() + q * s.sliceK()));
}

void KernelBuilder::storeOutput(ValueRange state) {
  // O[row][outputColumn + i] = acc / l.
  Value sum = state[1];
  // A fully masked row has no probability mass; its output is 0 (as on the
  // CPU path), not 0/0.
  if (rowsMayBeEmpty(/*edge=*/true))
    sum = arith::SelectOp::create(
        b, arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, sum, f32(0.0)),
        f32(std::numeric_limits<double>::infinity()), sum);
  loop[dm] = row;
  for (int64_t nb = 0; nb < s.n / s.tile(); ++nb)
    for (int64_t q = 0; q < s.accElems() / 4; ++q)
      storeOutputQuad(
          arith::DivFOp::create(b, quad(state[2 + nb], q), splat(sum, 4)),
          outputColumn(nb, q));
}

void KernelBuilder::storePartialState(ValueRange state) {
  // acc (unnormalized, f32) at [split][batch][row][n]; the row's max and
  // sum once per row (by the lanes with kGroup == 0).
  for (int64_t nb = 0; nb < s.n / s.tile(); ++nb)
    for (int64_t q = 0; q < s.accElems() / 4; ++q)
      vector::StoreOp::create(
          b, quad(state[2 + nb], q), out,
          ValueRange{splitIndex, batchIndex, row, outputColumn(nb, q)});
  Value first =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, kGroup, cst(0));
  auto ifOp = scf::IfOp::create(b, first);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&ifOp.getThenRegion().front());
  Value naturalMax = arith::MulFOp::create(b, state[0], f32(M_LN2));
  memref::StoreOp::create(b, naturalMax, partialMax,
                          ValueRange{splitIndex, batchIndex, row});
  memref::StoreOp::create(b, state[1], partialSum,
                          ValueRange{splitIndex, batchIndex, row});
}

std::pair<Value, Value> KernelBuilder::keyRange() {
  // Without causality: padded keys exist only in the last block.
  if (!s.causal)
    return {cst(s.k2Valid / s.keyBlock * s.keyBlock), cst(s.k2)};
  // Positions of the workgroup's rows: [first, last] when they do not wrap
  // around posSize, else all of them.
  const KernelShape::Causal &c = *s.causal;
  Value first = queryPosition(blockRow), last;
  bool mayWrap = c.posStride != 1 || c.posSize % s.blockRows() != 0;
  if (!mayWrap) {
    last = arith::AddIOp::create(b, first, cst(s.blockRows() - 1));
  } else if (c.posStride == 1) {
    Value fits = arith::CmpIOp::create(
        b, arith::CmpIPredicate::sle,
        arith::AddIOp::create(b, first, cst(s.blockRows())), cst(c.posSize));
    first = arith::SelectOp::create(b, fits, first, cst(0));
    last = arith::SelectOp::create(
        b, fits, arith::AddIOp::create(b, first, cst(s.blockRows() - 1)),
        cst(c.posSize - 1));
  } else {
    first = cst(0);
    last = cst(c.posSize - 1);
  }
  // Keys [0, end) are visible to some row; [0, steadyEnd) to every row.
  Value end = clamp(arith::AddIOp::create(b, last, cst(c.diagonal + 1)), cst(0),
                    cst(s.k2Valid));
  Value steadyEnd =
      clamp(arith::AddIOp::create(b, first, cst(c.diagonal + 1)), cst(0), end);
  steadyEnd = arith::MulIOp::create(
      b, arith::DivUIOp::create(b, steadyEnd, cst(s.keyBlock)),
      cst(s.keyBlock));
  Value endBlocks = arith::DivUIOp::create(
      b, arith::AddIOp::create(b, end, cst(s.keyBlock - 1)), cst(s.keyBlock));
  return {steadyEnd, arith::MulIOp::create(b, endBlocks, cst(s.keyBlock))};
}

SmallVector<Value> KernelBuilder::keyLoop(Value lb, Value ub, ValueRange init,
                                          bool edge) {
  // Software pipelining, as deep as the configuration says:
  //  0: each iteration loads block kt, writes it to LDS and computes it.
  //  1: block kt's chunks were loaded by the previous iteration (or before
  //     the loop); this one writes them to LDS, then issues the loads of
  //     block kt + B, in flight during kt's softmax and P.V MFMAs.
  //  2: block kt is already in its LDS buffer (written by the previous
  //     step or before the loop); during kt's math this step writes block
  //     kt + B, loaded by the previous step, to the other buffer and issues
  //     the loads of block kt + 2B. One barrier per step: the next step
  //     writes the buffer this one reads only after every wave has passed
  //     its barrier. The loop does two steps per iteration, one per buffer,
  //     so that every LDS address is a register plus a constant offset.
  SmallVector<Value> carried(init);
  llvm::append_range(carried, stageAhead(lb));
  unsigned numState = init.size();
  int64_t steps = s.ldsBuffers();
  // The blocks the loop does not cover: none, or one (depth 2, odd count).
  Value loopEnd = ub;
  if (steps == 2) {
    // Folded where the bounds are constants (the last block is then known).
    Value pairs = b.createOrFold<arith::DivUIOp>(
        b.createOrFold<arith::SubIOp>(ub, lb), cst(2 * s.keyBlock));
    loopEnd = b.createOrFold<arith::AddIOp>(
        lb, b.createOrFold<arith::MulIOp>(pairs, cst(2 * s.keyBlock)));
  }
  // An i32 induction variable: the loop's compare and increment are then
  // scalar 32-bit instructions (a 64-bit bound is kept in two VGPRs).
  auto toI32 = [&](Value index) -> Value {
    if (std::optional<int64_t> c = getConstantIntValue(index))
      return arith::ConstantIntOp::create(b, b.getI32Type(), *c);
    return arith::IndexCastOp::create(b, b.getI32Type(), index);
  };
  auto loop = scf::ForOp::create(
      b, toI32(lb), toI32(loopEnd), toI32(cst(steps * s.keyBlock)), carried,
      [&](OpBuilder &nested, Location, Value kt32, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(nested.getInsertionBlock());
        Value kt = arith::IndexCastOp::create(b, b.getIndexType(), kt32);
        SmallVector<Value> values(args);
        for (int64_t step = 0; step < steps; ++step)
          values = keyBlockStep(
              step ? arith::AddIOp::create(b, kt, cst(step * s.keyBlock)) : kt,
              step, edge, values, numState);
        scf::YieldOp::create(b, values);
      });
  carried.assign(loop.getResults().begin(), loop.getResults().end());
  if (steps == 2)
    carried = lastOddBlock(loopEnd, ub, edge, carried, numState);
  carried.resize(numState);
  return carried;
}

SmallVector<Value> KernelBuilder::stageAhead(Value lb) {
  // The broken variant (testing only) stages block kt + B as block kt.
  Value first = lb;
  if (breakMode == "stale-prefetch")
    first = arith::AddIOp::create(b, lb, cst(s.keyBlock));
  if (s.pipeline == 2) {
    // Waves of a previous loop may still be reading the buffers.
    gpu::BarrierOp::create(b);
    storeBlock(loadBlock(clampBlock(first)), /*buffer=*/0);
    first = arith::AddIOp::create(b, first, cst(s.keyBlock));
  }
  if (s.pipeline == 0)
    return {};
  return loadBlock(clampBlock(first));
}

SmallVector<Value> KernelBuilder::lastOddBlock(Value kt, Value ub, bool edge,
                                               ArrayRef<Value> carried,
                                               unsigned numState) {
  std::optional<int64_t> from = getConstantIntValue(kt);
  std::optional<int64_t> to = getConstantIntValue(ub);
  if (from && to)
    return *from < *to ? keyBlockStep(kt, 0, edge, carried, numState)
                       : SmallVector<Value>(carried);
  Value odd = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, kt, ub);
  auto ifOp = scf::IfOp::create(
      b, odd,
      [&](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(nested.getInsertionBlock());
        scf::YieldOp::create(b, keyBlockStep(kt, 0, edge, carried, numState));
      },
      [&](OpBuilder &nested, Location) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(nested.getInsertionBlock());
        scf::YieldOp::create(b, ValueRange(carried));
      });
  return SmallVector<Value>(ifOp.getResults());
}

SmallVector<Value> KernelBuilder::keyBlockStep(Value kt, int64_t buffer,
                                               bool edge,
                                               ArrayRef<Value> carried,
                                               unsigned numState) {
  auto blockAfter = [&](int64_t blocks) -> Value {
    return arith::AddIOp::create(b, kt, cst(blocks * s.keyBlock));
  };
  ArrayRef<Value> state = carried.take_front(numState);
  SmallVector<Value> staged(carried.drop_front(numState));
  if (s.pipeline == 0)
    staged = loadBlock(
        clampBlock(breakMode == "stale-prefetch" ? blockAfter(1) : kt));
  if (s.pipeline < 2)
    storeBlock(staged, buffer);
  if (breakMode != "no-barrier")
    gpu::BarrierOp::create(b);
  readBuffer = buffer;
  SmallVector<Value> values;
  Scores scores = scoreBlocks(kt, edge, values);
  Value newMax = runningMax(scores, state[0]);
  // Issued after the K reads from LDS and the max's shuffles (LDS
  // instructions too) have been waited for, and followed by the
  // exponentials, which need no LDS: no LDS wait comes soon after these
  // loads (llvm-mca counts global loads against lgkmcnt as well). The
  // backend's scheduler would interleave them with the K and V^T reads: the
  // order is pinned by scheduling barriers that memory accesses and vector
  // work may not cross (MFMAs may).
  schedulingBarrier();
  if (s.pipeline == 2)
    storeBlock(staged, 1 - buffer);
  SmallVector<Value> next;
  if (s.pipeline > 0)
    next = loadBlock(clampBlock(blockAfter(s.pipeline)));
  schedulingBarrier();
  SoftmaxStep step = softmaxStep(state[0], newMax, edge);
  SmallVector<Value> acc(state.drop_front(2));
  Value sum = accumulate(acc, scores, step, state[1], values);
  if (s.pipeline < 2)
    gpu::BarrierOp::create(b);
  SmallVector<Value> yielded = {step.max, sum};
  llvm::append_range(yielded, acc);
  llvm::append_range(yielded, next);
  return yielded;
}

void KernelBuilder::build(gpu::GPUFuncOp func) {
  setUp(func);
  loadQueryFragments();
  // The key-block loops carry the row's running max and sum and the
  // accumulators (T output columns each): first the blocks that need no
  // padding or causal masking, then the edge blocks.
  SmallVector<Value> state = {minusInf(), f32(0.0)};
  state.append(s.n / s.tile(), zeroTile);
  auto [steadyEnd, end] = keyRange();
  Value begin = cst(0);
  if (s.isSplit()) {
    // This workgroup's chunk [begin, begin + splitKeys) of both ranges.
    begin = arith::MulIOp::create(b, splitIndex, cst(s.splitKeys));
    Value chunkEnd = arith::AddIOp::create(b, begin, cst(s.splitKeys));
    steadyEnd = clamp(steadyEnd, begin, chunkEnd);
    end = clamp(end, steadyEnd, chunkEnd);
  }
  std::optional<int64_t> steadyBlocks = getConstantIntValue(steadyEnd);
  if (!steadyBlocks || *steadyBlocks > 0)
    state = keyLoop(begin, steadyEnd, state, /*edge=*/false);
  if (!steadyBlocks || *steadyBlocks < s.k2)
    state = keyLoop(steadyEnd, end, state, /*edge=*/true);
  state[1] = rowReduce(state[1], /*isMax=*/false);
  if (s.isSplit())
    storePartialState(state);
  else
    storeOutput(state);
  gpu::ReturnOp::create(b);
}

/// A lower estimate of the kernel's VGPRs per lane: what its loop keeps
/// live (accumulators, Q fragments, the prefetched blocks, the scores, one
/// slice of V^T fragments, 32-bit words each) plus a reserve for addresses
/// and softmax temporaries. d=128 bf16 at key-block=64, waves=8: 120 (the
/// kernel takes 127); d=256 at key-block=32, waves=8: 176. With 32x32x8 at
/// SDXL's size, key-block=32, waves=4: 116 (the kernel takes 102).
int64_t estimatedVgprs(const KernelShape &s) {
  constexpr int64_t kReserve = 24;
  int64_t bits = s.inElem.getIntOrFloatBitWidth();
  // A wave's T rows x columns, over its 64 lanes.
  int64_t accumulators = s.n * s.tile() / kWaveSize;
  int64_t queryFragments = s.k1 * s.tile() / kWaveSize * bits / 32;
  // Depth 2 holds two blocks for a while: the one written to LDS and the
  // one being loaded (SDXL at 8 waves: 118 VGPRs against 98 at depth 1).
  int64_t prefetched =
      s.keyBlock * (s.k1 + s.n) * bits / 32 / s.threads() * s.pipeline;
  // 32-row tiles keep about twice their scores' worth live (SDXL at
  // key-block=64, waves=4: 150 VGPRs against 124 counted once).
  int64_t scores = s.keyBlock * s.tile() / kWaveSize * (s.tile() / 16);
  int64_t valueFragments = s.n / s.tile() * 4 * bits / 32;
  return accumulators + queryFragments + prefetched + scores + valueFragments +
         kReserve;
}

/// Asks the backend to keep the chip's attentionWavesPerSimd waves per
/// SIMD, or as many as the kernel's LDS lets whole workgroups reach if
/// fewer (asking for more would only force spills): a register budget (128
/// per lane at 4 waves) that the scheduler otherwise overshoots by a few
/// registers, halving the occupancy. Not where the estimate exceeds the
/// budget, nor with 128-key blocks (their scores and P take more than the
/// estimate says) or where a loop masks (a user mask, causal attention,
/// padded keys: the masking loop needs more registers): there the budget
/// would force spills.
void requestOccupancy(gpu::GPUFuncOp func, AttentionOp op, const KernelShape &s,
                      const ChipInfo &chip) {
  bool edgeMasks = s.causal || s.k2Valid < s.k2 || op.getMask();
  if (!chip.attentionWavesPerSimd || !chip.hasOccupancyModel() ||
      s.keyBlock > 64 || edgeMasks)
    return;
  std::optional<int64_t> waves = wavesPerSimd(
      chip.name, chip.registersPerSimdLane / chip.attentionWavesPerSimd,
      /*agprs=*/0, ldsBytes(s), s.threads());
  if (waves && *waves > 1 &&
      estimatedVgprs(s) <= chip.registersPerSimdLane / *waves)
    func->setAttr(
        "rocdl.waves_per_eu",
        IntegerAttr::get(IntegerType::get(func.getContext(), 32), *waves));
}

/// Role group of each loop dim: M, K1, K2 and N are groups 0-3; each batch
/// dim is a group of its own (the kernel indexes batch dims one by one, so
/// they need not be contiguous).
SmallVector<unsigned> roleGroups(const AttentionDims &dims, unsigned numLoops) {
  SmallVector<unsigned> group(numLoops);
  for (unsigned d : dims.batch)
    group[d] = 4 + d;
  for (auto [g, role] : llvm::enumerate(
           ArrayRef<ArrayRef<unsigned>>{dims.m, dims.k1, dims.k2, dims.n}))
    for (unsigned d : role)
      group[d] = g;
  return group;
}

/// The rank of each loop dim within its role group: the order in which the
/// group's dims appear in the first of `maps` that has them (so operands
/// that already agree are left alone).
SmallVector<unsigned> orderWithinGroups(ArrayRef<AffineMap> maps,
                                        ArrayRef<unsigned> group) {
  unsigned numLoops = group.size();
  SmallVector<unsigned> rank(numLoops, 0);
  DenseSet<unsigned> seenGroups;
  for (AffineMap map : maps) {
    DenseMap<unsigned, unsigned> next;
    SmallVector<unsigned> groupsHere;
    for (AffineExpr e : map.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (seenGroups.contains(group[d]))
        continue;
      rank[d] = next[group[d]]++;
      groupsHere.push_back(group[d]);
    }
    seenGroups.insert(groupsHere.begin(), groupsHere.end());
  }
  return rank;
}

/// The permutation (new position i takes old position perm[i]) that makes
/// each role group of `map` contiguous: groups in the order of their first
/// dim in `map`, dims of a group in the order `rank` gives.
SmallVector<int64_t> groupingPermutation(AffineMap map,
                                         ArrayRef<unsigned> group,
                                         ArrayRef<unsigned> rank) {
  unsigned numResults = map.getNumResults();
  auto dim = [&](unsigned pos) {
    return cast<AffineDimExpr>(map.getResult(pos)).getPosition();
  };
  auto firstPos = [&](unsigned g) {
    for (unsigned pos = 0; pos < numResults; ++pos)
      if (group[dim(pos)] == g)
        return pos;
    return numResults;
  };
  SmallVector<int64_t> perm =
      llvm::to_vector(llvm::seq<int64_t>(0, numResults));
  llvm::sort(perm, [&](int64_t a, int64_t b) {
    unsigned fa = firstPos(group[dim(a)]), fb = firstPos(group[dim(b)]);
    return fa != fb ? fa < fb : rank[dim(a)] < rank[dim(b)];
  });
  return perm;
}

/// A mask that has some but not all dims of a role with several dims,
/// broadcast over the missing ones (a linalg.generic), so that the role's
/// dims can be collapsed into one; its dims come out grouped (see
/// groupingPermutation). Returns the new mask and its map.
std::pair<Value, AffineMap> completeMaskRoles(ImplicitLocOpBuilder &b,
                                              AttentionOp op,
                                              ArrayRef<unsigned> group,
                                              ArrayRef<unsigned> rank) {
  AttentionDims dims = op.getDims();
  AffineMap map = *op.getMaskMap();
  SmallVector<unsigned> have;
  for (AffineExpr e : map.getResults())
    have.push_back(cast<AffineDimExpr>(e).getPosition());
  SmallVector<unsigned> full(have);
  for (ArrayRef<unsigned> role :
       {ArrayRef<unsigned>(dims.m), ArrayRef<unsigned>(dims.k2)}) {
    bool some = llvm::any_of(
        role, [&](unsigned d) { return llvm::is_contained(have, d); });
    for (unsigned d : role)
      if (some && !llvm::is_contained(full, d))
        full.push_back(d);
  }
  if (full.size() == have.size())
    return {op.getMask(), map};
  unsigned numLoops = op.getNumLoops();
  AffineMap unordered = loopTensorMap(full, numLoops, b.getContext());
  SmallVector<unsigned> grouped;
  for (int64_t pos : groupingPermutation(unordered, group, rank))
    grouped.push_back(full[pos]);
  full = grouped;
  SmallVector<OpFoldResult> sizes =
      getLoopSizes(b, b.getLoc(), op.getIndexingMapsArray(), op->getOperands());
  Type elem = getElementTypeOrSelf(op.getMask().getType());
  AffineMap fullMap = loopTensorMap(full, numLoops, b.getContext());
  Value mask = buildGeneric(
      b, b.getLoc(), full, numLoops, ValueRange{op.getMask()}, {map},
      createLoopTensor(b, b.getLoc(), full, sizes, elem), fullMap,
      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  return {mask, fullMap};
}

/// `value` (indexed by `map`) transposed by `perm` (or, for a destination
/// whose contents do not matter, a fresh tensor of the permuted shape), and
/// its new map.
std::pair<Value, AffineMap> permuteOperand(ImplicitLocOpBuilder &b, Value value,
                                           AffineMap map,
                                           ArrayRef<int64_t> perm,
                                           bool isDestination) {
  SmallVector<AffineExpr> results;
  SmallVector<OpFoldResult> sizes;
  for (int64_t p : perm) {
    results.push_back(map.getResult(p));
    sizes.push_back(tensor::getMixedSize(b, b.getLoc(), value, p));
  }
  Value init = tensor::EmptyOp::create(b, sizes, getElementTypeOrSelf(value));
  if (!isDestination)
    init = linalg::TransposeOp::create(b, value, init, perm).getResult()[0];
  return {init, AffineMap::get(map.getNumDims(), 0, results, b.getContext())};
}

/// Makes every role's dims one contiguous run, in the same order, in every
/// operand, so that collapseRoleDims can merge them: operands whose layout
/// interleaves roles are transposed first (linalg.transpose, which becomes
/// a GPU kernel of its own), a mask missing some of a role's dims is
/// broadcast, and an output so laid out is computed transposed and
/// transposed back. Reported with --attn-remarks. Returns `op` when every
/// layout already fits.
AttentionOp normalizeRoleLayouts(AttentionOp op, bool remarks) {
  AttentionDims dims = op.getDims();
  if (dims.m.size() < 2 && dims.k1.size() < 2 && dims.k2.size() < 2 &&
      dims.n.size() < 2)
    return op;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  SmallVector<unsigned> group = roleGroups(dims, op.getNumLoops());
  SmallVector<Value> operands(op->getOperands());
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  SmallVector<unsigned> rank = orderWithinGroups(maps, group);
  SmallVector<std::string> changed;
  if (Value mask = op.getMask()) {
    auto [newMask, newMap] = completeMaskRoles(b, op, group, rank);
    if (newMask != mask)
      changed.push_back("broadcast the mask");
    operands[4] = newMask;
    maps[4] = newMap;
  }
  static const char *names[] = {"Q", "K", "V", "scale", "mask", "O", "LSE"};
  unsigned numInputs = op.getNumDpsInputs();
  // Per init (O, lse): the permutation its result must be transposed back by.
  SmallVector<SmallVector<int64_t>> initPerms(operands.size() - numInputs);
  for (unsigned i = 0; i < operands.size(); ++i) {
    if (!isa<RankedTensorType>(operands[i].getType()))
      continue;
    SmallVector<int64_t> perm = groupingPermutation(maps[i], group, rank);
    if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
      continue;
    bool isInit = i >= numInputs;
    changed.push_back(std::string("transposed ") +
                      names[isInit ? 5 + (i - numInputs) : i]);
    std::tie(operands[i], maps[i]) =
        permuteOperand(b, operands[i], maps[i], perm, isInit);
    if (isInit)
      initPerms[i - numInputs] = perm;
  }
  if (changed.empty())
    return op;
  emitDecision(op, "attn-rocm-attention-kernels",
               llvm::join(changed, ", ") +
                   " so that each role's dims are one contiguous run for "
                   "the GPU kernel",
               remarks);
  ArrayRef<Value> all(operands);
  auto newOp = op.cloneWith(b, all.take_front(numInputs),
                            all.drop_front(numInputs), maps);
  for (auto [oldResult, result, perm, init] :
       llvm::zip(op->getResults(), newOp->getResults(), initPerms,
                 op.getDpsInits())) {
    Value value = result;
    if (!perm.empty())
      value = linalg::TransposeOp::create(b, result, init,
                                          invertPermutationVector(perm))
                  .getResult()[0];
    oldResult.replaceAllUsesWith(value);
  }
  op.erase();
  return newOp;
}

/// Several dims of one role (e.g. GQA's query heads next to M) become one:
/// when each role's dims appear as one contiguous run, in the same order,
/// in every operand that has them, the operands are collapsed
/// (tensor.collapse_shape), a new attention with one dim per role takes
/// their place and its result is expanded back. Returns `op` unchanged
/// when nothing needs collapsing or it cannot be (the kernel then reports
/// why).
AttentionOp collapseRoleDims(AttentionOp op) {
  AttentionDims dims = op.getDims();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numLoops = op.getNumLoops();
  // Each loop dim's leader: the first dim of its role's run.
  SmallVector<int> leader(numLoops);
  for (unsigned d = 0; d < numLoops; ++d)
    leader[d] = d;
  bool any = false;
  for (ArrayRef<unsigned> group :
       {ArrayRef<unsigned>(dims.m), ArrayRef<unsigned>(dims.k1),
        ArrayRef<unsigned>(dims.k2), ArrayRef<unsigned>(dims.n)}) {
    if (group.size() < 2)
      continue;
    // The order of the run in the first map that has it; every map that
    // has any of the dims must have the same contiguous run.
    SmallVector<unsigned> order;
    for (AffineMap map : maps) {
      SmallVector<unsigned> run;
      for (AffineExpr e : map.getResults())
        if (llvm::is_contained(group, cast<AffineDimExpr>(e).getPosition()))
          run.push_back(cast<AffineDimExpr>(e).getPosition());
      if (run.empty())
        continue;
      if (run.size() != group.size())
        return op;
      SmallVector<unsigned> pos = getResultPositions(map, run);
      for (size_t i = 1; i < pos.size(); ++i)
        if (pos[i] != pos[i - 1] + 1)
          return op;
      if (order.empty())
        order = run;
      else if (order != run)
        return op;
    }
    for (unsigned d : order)
      leader[d] = order.front();
    any = true;
  }
  if (!any)
    return op;

  // New loop dims: the leaders, in their old order.
  SmallVector<int> newIndex(numLoops, -1);
  unsigned newLoops = 0;
  for (unsigned d = 0; d < numLoops; ++d)
    if (leader[d] == int(d))
      newIndex[d] = newLoops++;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  SmallVector<Value> operands;
  SmallVector<AffineMap> newMaps;
  // Per operand, how its dims collapse (the inits' expand the results back).
  SmallVector<SmallVector<ReassociationIndices>> reassociations;
  for (auto [operand, map] : llvm::zip(op->getOperands(), maps)) {
    SmallVector<ReassociationIndices> reassociation;
    SmallVector<AffineExpr> results;
    for (auto [pos, e] : llvm::enumerate(map.getResults())) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (leader[d] != int(d) && !reassociation.empty() &&
          leader[cast<AffineDimExpr>(map.getResult(pos - 1)).getPosition()] ==
              leader[d]) {
        reassociation.back().push_back(pos);
        continue;
      }
      reassociation.push_back({int64_t(pos)});
      results.push_back(b.getAffineDimExpr(newIndex[leader[d]]));
    }
    newMaps.push_back(AffineMap::get(newLoops, 0, results, b.getContext()));
    bool collapses = reassociation.size() != map.getNumResults();
    if (collapses)
      operand = tensor::CollapseShapeOp::create(b, operand, reassociation);
    operands.push_back(operand);
    reassociations.push_back(reassociation);
  }
  unsigned numInputs = op.getNumDpsInputs();
  ArrayRef<Value> all(operands);
  auto newOp = op.cloneWith(b, all.take_front(numInputs),
                            all.drop_front(numInputs), newMaps);
  for (auto [oldResult, result, reassociation] :
       llvm::zip(op->getResults(), newOp->getResults(),
                 ArrayRef(reassociations).drop_front(numInputs))) {
    Value value = result;
    if (value.getType() != oldResult.getType())
      value = tensor::ExpandShapeOp::create(b, oldResult.getType(), value,
                                            reassociation);
    oldResult.replaceAllUsesWith(value);
  }
  op.erase();
  return newOp;
}

/// Key blocks each workgroup of one batch index visits (both loops' trip
/// counts), for the kernel report: the same ranges as KernelBuilder's
/// keyRange and split clipping, evaluated for the static shape.
SmallVector<int64_t> keyBlocksPerWorkgroup(const KernelShape &s) {
  auto clampTo = [](int64_t v, int64_t lo, int64_t hi) {
    return std::max(lo, std::min(v, hi));
  };
  SmallVector<int64_t> counts;
  for (int64_t tile = 0; tile < s.m / s.blockRows(); ++tile) {
    int64_t steady = s.k2Valid / s.keyBlock * s.keyBlock, end = s.k2;
    if (s.causal) {
      const KernelShape::Causal &c = *s.causal;
      int64_t row = tile * s.blockRows();
      int64_t first = (row / c.posStride) % c.posSize, last = c.posSize - 1;
      bool fits = c.posStride == 1 && first + s.blockRows() <= c.posSize;
      if (fits)
        last = first + s.blockRows() - 1;
      else
        first = 0;
      int64_t keys = clampTo(last + c.diagonal + 1, 0, s.k2Valid);
      steady =
          clampTo(first + c.diagonal + 1, 0, keys) / s.keyBlock * s.keyBlock;
      end = llvm::alignTo(keys, s.keyBlock);
    }
    for (int64_t split = 0; split < s.splits; ++split) {
      int64_t lo = 0, st = steady, en = end;
      if (s.isSplit()) {
        lo = split * s.splitKeys;
        st = clampTo(steady, lo, lo + s.splitKeys);
        en = clampTo(end, st, lo + s.splitKeys);
      }
      counts.push_back(llvm::divideCeil(st - lo, s.keyBlock) +
                       llvm::divideCeil(en - st, s.keyBlock));
    }
  }
  return counts;
}

/// Records the work per workgroup on `func` for the kernel report:
/// attn.key_blocks = [min, max, total, dense total] key blocks per batch
/// index (dense: every query tile visiting every key block).
void recordKeyBlocks(gpu::GPUFuncOp func, const KernelShape &s) {
  SmallVector<int64_t> counts = keyBlocksPerWorkgroup(s);
  int64_t total = 0;
  for (int64_t c : counts)
    total += c;
  int64_t dense = (s.m / s.blockRows()) * (s.k2 / s.keyBlock);
  func->setAttr(
      "attn.key_blocks",
      DenseI64ArrayAttr::get(func.getContext(),
                             {*llvm::min_element(counts),
                              *llvm::max_element(counts), total, dense}));
}

/// The causal structure of `op` (roles already contiguous, see
/// normalizeRoleLayouts) in terms of the row of the kernel, whose one M dim
/// is `op`'s M dims collapsed in Q's order.
std::optional<KernelShape::Causal> causalStructure(AttentionOp op) {
  std::optional<CausalAlignment> alignment = op.getCausal();
  if (!alignment)
    return std::nullopt;
  AttentionDims dims = op.getDims();
  SmallVector<int64_t> sizes =
      getStaticLoopSizes(op.getIndexingMapsArray(), op->getOperands());
  KernelShape::Causal c;
  unsigned posDim = dims.m.back();
  c.posSize = sizes[posDim];
  bool after = false;
  for (AffineExpr e : op.getQueryMap().getResults()) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    if (after && llvm::is_contained(dims.m, d))
      c.posStride *= sizes[d];
    after |= d == posDim;
  }
  if (*alignment == CausalAlignment::BottomRight)
    c.diagonal = sizes[dims.k2.front()] - c.posSize;
  return c;
}

/// The kernel's operands for `op`, built before it: buffers of Q, K, V (in
/// the MFMA input type, zero-padded to the kernel's sizes), a fresh output
/// buffer at the padded size, the scale and the (padded) mask. Their types
/// are the kernel's argument types.
///
/// The buffers come from bufferization.to_buffer, whose memref one-shot
/// bufferization does not track: a tensor op placed between a to_buffer and
/// the launch could write in place into the buffer the kernel is about to
/// read (two equal conversions' tensor.empty, merged by CSE, did exactly
/// that). So every tensor op is built first and the to_buffer ops last,
/// right before the launch: each operand's tensor is then read after all of
/// them are written, which bufferization sees and resolves with copies.
SmallVector<Value> buildKernelOperands(AttentionOp op,
                                       const KernelShape &shape) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  // Inputs of another type (f32) are converted to the kernel's MFMA input
  // type by an elementwise linalg op, which becomes a GPU kernel of its own.
  auto convert = [&](Value tensor) -> Value {
    auto t = cast<RankedTensorType>(tensor.getType());
    if (t.getElementType() == shape.inElem)
      return tensor;
    Value init = tensor::EmptyOp::create(b, t.getShape(), shape.inElem);
    AffineMap id = b.getMultiDimIdentityMap(t.getRank());
    SmallVector<utils::IteratorType> iters(t.getRank(),
                                           utils::IteratorType::parallel);
    return linalg::GenericOp::create(
               b, TypeRange{init.getType()}, ValueRange{tensor},
               ValueRange{init}, ArrayRef<AffineMap>{id, id}, iters,
               [&](OpBuilder &nb, Location loc, ValueRange args) {
                 Value v =
                     arith::TruncFOp::create(nb, loc, shape.inElem, args[0]);
                 linalg::YieldOp::create(nb, loc, v);
               })
        .getResult(0);
  };
  // `tensor` zero-padded up to the kernel's sizes.
  auto pad = [&](Value tensor, AffineMap map) -> Value {
    auto t = cast<RankedTensorType>(tensor.getType());
    auto padded =
        RankedTensorType::get(shape.operandShape(map), t.getElementType());
    if (padded == t)
      return tensor;
    Value zero =
        arith::ConstantOp::create(b, b.getZeroAttr(t.getElementType()));
    return tensor::createPadHighOp(padded, tensor, zero, /*nofold=*/false,
                                   b.getLoc(), b);
  };
  SmallVector<Value> inputs = {pad(convert(op.getQuery()), op.getQueryMap()),
                               pad(convert(op.getKey()), op.getKeyMap()),
                               pad(convert(op.getValue()), op.getValueMap())};
  if (Value mask = op.getMask())
    inputs.push_back(pad(mask, *op.getMaskMap()));
  // Nothing but to_buffer ops from here to the launch.
  auto toBuffer = [&](Value tensor) -> Value {
    auto t = cast<RankedTensorType>(tensor.getType());
    return bufferization::ToBufferOp::create(
        b, MemRefType::get(t.getShape(), t.getElementType()), tensor,
        /*read_only=*/true);
  };
  if (shape.isSplit()) {
    // Partial states: acc [S, batch, M, N], max and sum [S, batch, M].
    Type f32 = b.getF32Type();
    auto partial = [&](ArrayRef<int64_t> dims) -> Value {
      SmallVector<int64_t> full = {shape.splits, shape.batch, shape.m};
      llvm::append_range(full, dims);
      return memref::AllocOp::create(b, MemRefType::get(full, f32));
    };
    SmallVector<Value> args = {toBuffer(inputs[0]), toBuffer(inputs[1]),
                               toBuffer(inputs[2]), partial({shape.n}),
                               op.getScale()};
    if (inputs.size() > 3)
      args.push_back(toBuffer(inputs[3]));
    args.push_back(partial({}));
    args.push_back(partial({}));
    return args;
  }
  Value out = memref::AllocOp::create(
      b, MemRefType::get(shape.operandShape(op.getOutputMap()), shape.outElem));
  SmallVector<Value> args = {toBuffer(inputs[0]), toBuffer(inputs[1]),
                             toBuffer(inputs[2]), out, op.getScale()};
  if (inputs.size() > 3)
    args.push_back(toBuffer(inputs[3]));
  return args;
}

/// The results of a split launch: the partial states (args 3 and the last
/// two) merged exactly (mergeSplitStates) and normalized into `op`'s
/// output, and the LSE (max + log(sum)) when `op` has one, at their real
/// sizes and layouts. Linalg ops on tensors: they become simple GPU
/// kernels.
SmallVector<Value> mergeSplits(ImplicitLocOpBuilder &b, AttentionOp op,
                               const KernelShape &shape, ArrayRef<Value> args) {
  auto toTensor = [&](Value buffer) -> Value {
    auto type = cast<MemRefType>(buffer.getType());
    return bufferization::ToTensorOp::create(
        b, RankedTensorType::get(type.getShape(), type.getElementType()),
        buffer, /*restrict=*/true, /*writable=*/true);
  };
  SmallVector<Value> merged =
      mergeSplitStates(b, b.getLoc(), toTensor(args[3]),
                       toTensor(args[args.size() - 2]), toTensor(args.back()),
                       /*rowsInAcc=*/{0, 1});
  const AttentionDims &dims = shape.dims;
  int64_t rows = shape.loopSizes[dims.m[0]], cols = shape.loopSizes[dims.n[0]];
  auto slice = [&](Value v, ArrayRef<int64_t> sizes) -> Value {
    SmallVector<OpFoldResult> offsets(sizes.size(), b.getIndexAttr(0)),
        strides(sizes.size(), b.getIndexAttr(1)), extents;
    for (int64_t size : sizes)
      extents.push_back(b.getIndexAttr(size));
    return tensor::ExtractSliceOp::create(b, v, offsets, extents, strides);
  };
  Value acc = slice(merged[0], {shape.batch, rows, cols});
  Value max = slice(merged[1], {shape.batch, rows});
  Value sum = slice(merged[2], {shape.batch, rows});
  // The kernel's flat batch index: the batch dims in loop order, the last
  // fastest.
  MLIRContext *ctx = b.getContext();
  AffineExpr flat = getAffineConstantExpr(0, ctx);
  for (unsigned d : dims.batch)
    flat = flat * shape.loopSizes[d] + getAffineDimExpr(d, ctx);
  unsigned numLoops = op.getNumLoops();
  auto map = [&](ArrayRef<unsigned> loops) {
    SmallVector<AffineExpr> exprs = {flat};
    for (unsigned d : loops)
      exprs.push_back(getAffineDimExpr(d, ctx));
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  AffineMap rowMap = map({dims.m[0]});
  SmallVector<Value> results = buildNormalization(
      b, b.getLoc(), dims, numLoops, acc, map({dims.m[0], dims.n[0]}), max, sum,
      rowMap, op.getInit(), op.getOutputMap(), /*lse=*/Value(), AffineMap());
  // The LSE as its own op over the rows: in the normalization (which the
  // CPU tiling wants) every thread of the N loop would write it.
  if (Value lse = op.getLse())
    results.push_back(buildGeneric(
        b, b.getLoc(), unionOf({dims.batch, dims.m}), numLoops,
        ValueRange{max, sum}, {rowMap, rowMap}, lse, *op.getLseMap(),
        [](OpBuilder &nb, Location loc, ValueRange a) {
          return logSumExp(nb, loc, a[0], a[1]);
        }));
  return results;
}

/// Replaces `op` by a launch of `kernel` on `args` (from
/// buildKernelOperands): one workgroup per blockRows() query rows and batch
/// index.
/// A padded output is copied into a buffer of the real size (a small copy
/// kernel): a slice of the padded buffer would be a strided view, which
/// host copies (gpu.memcpy) cannot take.
void replaceWithLaunch(AttentionOp op, gpu::GPUFuncOp kernel,
                       const KernelShape &shape, ArrayRef<Value> args) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  gpu::KernelDim3 grid{c(shape.m / shape.blockRows()), c(shape.batch),
                       c(shape.splits)};
  gpu::KernelDim3 block{c(shape.threads()), c(1), c(1)};
  gpu::LaunchFuncOp::create(b, kernel, grid, block, /*dynamicSharedMemory=*/
                            Value(), args);
  if (shape.isSplit()) {
    SmallVector<Value> results = mergeSplits(b, op, shape, args);
    for (auto [result, value] : llvm::zip_equal(op->getResults(), results))
      result.replaceAllUsesWith(value);
    op.erase();
    return;
  }
  Value out = args[3];
  auto outType = cast<RankedTensorType>(op.getInit().getType());
  auto outBufferType =
      MemRefType::get(outType.getShape(), outType.getElementType());
  if (cast<MemRefType>(out.getType()) != outBufferType) {
    SmallVector<OpFoldResult> zeros(outType.getRank(), b.getIndexAttr(0)),
        ones(outType.getRank(), b.getIndexAttr(1)), sizes;
    for (int64_t d : outType.getShape())
      sizes.push_back(b.getIndexAttr(d));
    Value view = memref::SubViewOp::create(b, out, zeros, sizes, ones);
    Value exact = memref::AllocOp::create(b, outBufferType);
    memref::CopyOp::create(b, view, exact);
    out = exact;
  }
  Value result = bufferization::ToTensorOp::create(
      b, outType, out, /*restrict=*/true, /*writable=*/true);
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

struct RocmAttentionKernelsPass
    : public mlir::attn::impl::AttnRocmAttentionKernelsBase<
          RocmAttentionKernelsPass> {
  using Base::Base;

  /// An attention whose K and V^T blocks do not fit in `chip`'s workgroup
  /// memory becomes its unfused linalg form, which the next stages turn
  /// into simple kernels: correct, not fast, and said in a remark.
  LogicalResult lowerUnfused(AttentionOp op, const KernelShape &shape,
                             const ChipInfo &chip) {
    emitDecision(op, "attn-rocm-attention-kernels",
                 Twine("unfused kernels: the flash kernel's K and V blocks "
                       "need ") +
                     Twine(ldsBytes(shape)) + " bytes of LDS, " + chip.name +
                     " has " + Twine(chip.ldsBytesPerCu),
                 remarks);
    IRRewriter rewriter(op);
    return decomposeAggregate(rewriter, op);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const ChipInfo *target = lookupChip(chip);
    if (!target || !target->hasMfma() || target->waveSize != 64) {
      module.emitError("attn-rocm-attention-kernels: unsupported chip '")
          << chip << "' (MFMA kernels: " << chipNames(/*mfmaOnly=*/true) << ")";
      return signalPassFailure();
    }
    std::string error;
    std::optional<AttentionKernelConfig> requested = parseKernelConfig(
        "mfma=" + (mfma.empty() ? std::string("auto") : mfma), error);
    if (requested) {
      requested->keyBlock = keyBlock;
      requested->waves = waves;
      requested->pipeline = pipeline;
    }
    if (!requested || !verifyKernelConfig(*requested, error)) {
      module.emitError("attn-rocm-attention-kernels: ") << error;
      return signalPassFailure();
    }
    if (!isF32MfmaMode(f32Mfma)) {
      module.emitError("attn-rocm-attention-kernels: unknown f32-mfma '")
          << f32Mfma << "' (exact, f16, bf16)";
      return signalPassFailure();
    }
    if (!breakKernel.empty() && breakKernel != "swap-mfma-operands" &&
        breakKernel != "no-barrier" && breakKernel != "stale-prefetch") {
      module.emitError("attn-rocm-attention-kernels: unknown break mode '")
          << breakKernel
          << "' (swap-mfma-operands, no-barrier, stale-prefetch)";
      return signalPassFailure();
    }
    SmallVector<AttentionOp> ops;
    module.walk([&](AttentionOp op) { ops.push_back(op); });
    if (ops.empty())
      return;
    MLIRContext *ctx = &getContext();
    ImplicitLocOpBuilder b(module.getLoc(), ctx);
    gpu::GPUModuleOp gpuModule = getOrCreateKernelModule(module);
    llvm::DenseMap<Operation *, unsigned> perFunction;
    for (AttentionOp op : ops) {
      op = normalizeRoleLayouts(op, remarks);
      std::optional<KernelShape::Causal> causal = causalStructure(op);
      op = collapseRoleDims(op);
      std::string why;
      FailureOr<KernelShape> shape =
          analyze(op, causal, f32Mfma, *target, *requested, why);
      if (failed(shape)) {
        op.emitError("attn-rocm-attention-kernels: ") << why;
        return signalPassFailure();
      }
      if (ldsBytes(*shape) > int64_t(target->ldsBytesPerCu)) {
        if (failed(lowerUnfused(op, *shape, *target)))
          return signalPassFailure();
        continue;
      }
      chooseSplits(*shape, *target, k2Splits);
      auto lds = [&](int64_t rows, int64_t cols) {
        return MemRefType::get(
            {rows, cols}, shape->inElem, MemRefLayoutAttrInterface(),
            gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup));
      };
      int64_t buffers = shape->ldsBuffers();
      SmallVector<Value> args = buildKernelOperands(op, *shape);
      SmallVector<Type> argTypes(ValueRange(args).getTypes());
      auto funcType = b.getFunctionType(argTypes, {});
      b.setInsertionPointToEnd(gpuModule.getBody());
      auto parent = op->getParentOfType<FunctionOpInterface>();
      std::string name = parent.getName().str() + "_attention_" +
                         std::to_string(perFunction[parent]++);
      b.setLoc(op.getLoc());
      auto func = gpu::GPUFuncOp::create(
          b, name, funcType,
          TypeRange{lds(buffers * shape->keyBlock, shape->k1),
                    lds(buffers * shape->n, shape->keyBlock)});
      func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                    UnitAttr::get(ctx));
      func.setKnownBlockSizeAttr(
          DenseI32ArrayAttr::get(ctx, {int32_t(shape->threads()), 1, 1}));
      func.setKnownGridSizeAttr(DenseI32ArrayAttr::get(
          ctx, {int32_t(shape->m / shape->blockRows()), int32_t(shape->batch),
                int32_t(shape->splits)}));
      requestOccupancy(func, op, *shape, *target);
      b.setInsertionPointToStart(&func.getBody().front());
      KernelBuilder(b, op, *shape, breakKernel).build(func);
      recordKeyBlocks(func, *shape);
      func->setAttr("attn.k2_splits", b.getI64IntegerAttr(shape->splits));
      func->setAttr("attn.workgroups",
                    b.getI64IntegerAttr(shape->m / shape->blockRows() *
                                        shape->batch * shape->splits));
      func->setAttr(
          "attn.useful_fraction",
          b.getF64FloatAttr(double(shape->loopSizes[shape->dims.m[0]]) *
                            double(shape->k2Valid) /
                            (double(shape->m) * double(shape->k2))));
      func->setAttr("attn.kernel_config",
                    b.getStringAttr(shape->config().str()));
      if (shape->ldsBuffers() > 1)
        func->setAttr("attn.key_blocks_per_iteration",
                      b.getI64IntegerAttr(shape->ldsBuffers()));
      replaceWithLaunch(op, func, *shape, args);
    }
  }
};
} // namespace
