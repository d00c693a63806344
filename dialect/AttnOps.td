//===- AttnOps.td - attn dialect operations ----------------*- tablegen -*-===//
#ifndef ATTN_OPS_TD
#define ATTN_OPS_TD

include "dialect/AttnBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/Interfaces/TilingInterface.td"
include "mlir/Dialect/Linalg/IR/LinalgInterfaces.td"

def Attn_AttentionOp : Attn_Op<"attention",
    [Pure, DestinationStyleOpInterface, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>]> {
  let summary = "Scaled dot-product attention with layout indexing maps";
  let description = [{
    Computes, over one iteration space described by `indexing_maps`
    (one map per operand: Q, K, V, scale, [mask,] O, [lse]):

    ```
    S = scale * (Q . K^T)       // contracts the K1 dims
    P = softmax(S [+ mask])     // over the K2 dims
    O = P . V                   // contracts the K2 dims
    ```

    Accumulation is in f32 whatever the element type. The optional mask is
    either `i1` (false = masked out, i.e. -inf in S) or a float tensor added
    to S. The scale map has no results (scale is a scalar). A row whose
    scores are all masked out (-inf) has no defined softmax; its output is
    defined as 0.

    With `causal(top_left)` or `causal(bottom_right)`, query row `i` sees
    only the keys `j <= i + D`: `D = 0` for top_left (PyTorch's
    `is_causal`, `tril(ones(M, K2))`), `D = K2 - M` for bottom_right
    (FlashAttention >= 2.1: the last query row sees every key, as in
    decoding with a KV cache). `i` is the innermost M loop (other M dims,
    e.g. GQA's query-head group, do not take part) and `j` the only K2 loop;
    sizes are those loops' extents. The causal structure composes with an
    explicit mask (both apply); bottom_right rows with no visible key
    (`M > K2`) are 0. Lowerings skip key blocks that are fully masked out
    and mask only the blocks on the diagonal.

    With a second init `lse` the op has a second result: the natural-log
    log-sum-exp of each row's scores (PyTorch's and FlashAttention's
    `softmax_lse`), the value frameworks need to combine attentions over
    disjoint key ranges:

    ```
    LSE = max_j S_ij + log(sum_j exp(S_ij - max_j S_ij))   // over K2
    ```

    `S` is scaled, masked and causal exactly as for the softmax. The lse
    init is f32 whatever the other types, and its map uses exactly the
    batch and M dims, in any order (no K1, K2 or N dim): the builders and
    frontends use the output's map without its N dims, i.e. the output's
    shape without the head dim. A row whose scores are all masked out
    (`sum = 0`) has LSE = -inf, `log(0)` (and output 0): merging it with
    another partial result gives it weight `exp(-inf) = 0`.

    Transposes are map permutations: V as `(.., k2, n)` is the standard
    form, `(.., n, k2)` the transposed-V form; K as `(.., k2, k1)` is
    standard, `(.., k1, k2)` transposed.

    Example:

    ```mlir
    %r = attn.attention {indexing_maps = [#mq, #mk, #mv, #ms, #mo]}
           ins(%q, %k, %v, %scale : tensor<2x10x4096x64xf16>,
               tensor<2x10x4096x64xf16>, tensor<2x10x4096x64xf16>, f16)
           outs(%init : tensor<2x10x4096x64xf16>) -> tensor<2x10x4096x64xf16>
    // With the log-sum-exp (maps: ..., #mo, #mlse = (b, h, m, k1, k2, n) ->
    // (b, h, m)):
    %o, %lse = attn.attention {indexing_maps = [#mq, #mk, #mv, #ms, #mo, #mlse]}
           ins(%q, %k, %v, %scale : ...)
           outs(%init, %lse_init : tensor<2x10x4096x64xf16>,
                tensor<2x10x4096xf32>)
           -> tensor<2x10x4096x64xf16>, tensor<2x10x4096xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$query, AnyRankedTensor:$key,
                       AnyRankedTensor:$value, AnyFloat:$scale,
                       Optional<AnyRankedTensor>:$mask,
                       AnyRankedTensor:$init,
                       Optional<AnyRankedTensor>:$lse,
                       AffineMapArrayAttr:$indexing_maps,
                       OptionalAttr<Attn_CausalAlignment>:$causal);
  let results = (outs AnyRankedTensor:$result,
                      Optional<AnyRankedTensor>:$result_lse);

  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasCanonicalizer = 1;

  let extraClassDeclaration = [{
    // Maps, in operand order.
    AffineMap getQueryMap() { return getMap(0); }
    AffineMap getKeyMap() { return getMap(1); }
    AffineMap getValueMap() { return getMap(2); }
    AffineMap getScaleMap() { return getMap(3); }
    std::optional<AffineMap> getMaskMap() {
      if (!getMask()) return std::nullopt;
      return getMap(4);
    }
    AffineMap getOutputMap() { return getMap(getNumDpsInputs()); }
    std::optional<AffineMap> getLseMap() {
      if (!getLse()) return std::nullopt;
      return getMap(getNumDpsInputs() + 1);
    }
    AffineMap getMap(unsigned i) {
      return ::llvm::cast<AffineMapAttr>(getIndexingMaps()[i]).getValue();
    }
    SmallVector<AffineMap> getIndexingMapsArray() {
      return llvm::to_vector(getIndexingMaps().getAsValueRange<AffineMapAttr>());
    }
    unsigned getNumLoops() { return getQueryMap().getNumDims(); }
    /// Dimension roles; only valid on a verified op.
    AttentionDims getDims();
    /// The same attention as attn.online_attention (from an initial running
    /// state) followed by the normalization acc / sum (and the LSE, max +
    /// log(sum), when requested); returns the results.
    /// (decomposeOperation is the reference form: materialized softmax.)
    SmallVector<Value> convertToOnlineAttention(OpBuilder &b);
    /// The causal diagonal D (keys j <= i + D are visible) from the loop
    /// sizes, or a null value when the op is not causal.
    Value buildCausalDiagonal(OpBuilder &b, ArrayRef<OpFoldResult> loopSizes);

    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(), getMask() ? 5 : 4,
                                 getLse() ? 2 : 1);
    }
    /// This attention (attributes, causal structure) on other operands:
    /// `inputs` are Q, K, V, scale [, mask], `inits` O [, lse], `maps` one
    /// per operand. Built at `b`'s insertion point; the result types are
    /// the inits' types.
    AttentionOp cloneWith(OpBuilder &b, ValueRange inputs, ValueRange inits,
                          ArrayRef<AffineMap> maps);
  }];
}

def Attn_OnlineAttentionOp : Attn_Op<"online_attention",
    [Pure, DestinationStyleOpInterface, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<AggregatedOpInterface, ["decomposeOperation"]>,
     DeclareOpInterfaceMethods<TilingInterface,
        ["getLoopIteratorTypes", "getIterationDomain",
         "getTiledImplementation", "getResultTilePosition",
         "generateResultTileValue",
         "getIterationDomainTileFromResultTile"]>]> {
  let summary = "One K2 block of flash attention (online softmax step)";
  let description = [{
    The partial form of `attn.attention` used by tiled flash attention. It
    processes one block of keys/values and updates the running state
    `(acc, max, sum)` carried across K2 blocks:

    ```
    S    = scale * (Q . K^T) [+ mask]
    max' = max(max, rowmax(S))             // over K2
    P    = exp(S - max')
    c    = exp(max - max')
    sum' = c * sum + rowsum(P)
    acc' = c * acc + P . V                 // unnormalized output
    ```

    After the last block, `O = acc / sum`. `indexing_maps` has one map per
    operand: Q, K, V, scale, [mask,] [diagonal,] acc, max, sum.

    The optional `diagonal` (an `index`, map with no results like the
    scale's) is the causal structure of `attn.attention` in this block's
    coordinates: key `j` is visible to query row `i` (the innermost M loop)
    only if `j <= i + diagonal`. Tiling shifts it by the tile's M offset
    minus its K2 offset; a block entirely below the diagonal needs none. The max and sum maps
    range over exactly the batch and M dims; their element type is f32.
    Starting state: acc = 0, max = -inf, sum = 0. A row whose scores are
    all masked out keeps max = -inf and contributes nothing (P = 0), so its
    sum stays 0; `attn.attention` defines the output of such a row as 0.

    The op implements `TilingInterface`: batch, M and N loops are parallel,
    K1 and K2 are reductions. Tiling K2 with the running state as loop-carried
    destinations is exactly flash attention's loop over key/value blocks;
    K1 must not be tiled (the softmax needs complete dot products).

    ```mlir
    %acc2, %max2, %sum2 = attn.online_attention
        {indexing_maps = [#mq, #mk, #mv, #ms, #mo, #mr, #mr]}
        ins(%q, %k, %v, %scale : tensor<64x64xf16>, tensor<128x64xf16>,
            tensor<128x64xf16>, f16)
        outs(%acc, %max, %sum : tensor<64x64xf32>, tensor<64xf32>,
             tensor<64xf32>)
        -> tensor<64x64xf32>, tensor<64xf32>, tensor<64xf32>
    ```
  }];

  let arguments = (ins AnyRankedTensor:$query, AnyRankedTensor:$key,
                       AnyRankedTensor:$value, AnyFloat:$scale,
                       Optional<AnyRankedTensor>:$mask,
                       Optional<Index>:$diagonal,
                       AnyRankedTensor:$acc, AnyRankedTensor:$max,
                       AnyRankedTensor:$sum,
                       AffineMapArrayAttr:$indexing_maps);
  let results = (outs AnyRankedTensor:$result_acc,
                      AnyRankedTensor:$result_max,
                      AnyRankedTensor:$result_sum);

  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;

  let extraClassDeclaration = [{
    AffineMap getQueryMap() { return getMap(0); }
    AffineMap getKeyMap() { return getMap(1); }
    AffineMap getValueMap() { return getMap(2); }
    AffineMap getScaleMap() { return getMap(3); }
    std::optional<AffineMap> getMaskMap() {
      if (!getMask()) return std::nullopt;
      return getMap(4);
    }
    AffineMap getOutputMap() { return getMap(getNumDpsInputs()); }
    AffineMap getMaxMap() { return getMap(getNumDpsInputs() + 1); }
    AffineMap getSumMap() { return getMap(getNumDpsInputs() + 2); }
    AffineMap getMap(unsigned i) {
      return ::llvm::cast<AffineMapAttr>(getIndexingMaps()[i]).getValue();
    }
    SmallVector<AffineMap> getIndexingMapsArray() {
      return llvm::to_vector(getIndexingMaps().getAsValueRange<AffineMapAttr>());
    }
    unsigned getNumLoops() { return getQueryMap().getNumDims(); }
    AttentionDims getDims();
    /// The same step without the causal diagonal (for key blocks that are
    /// entirely visible), built before this op.
    OnlineAttentionOp dropDiagonal(OpBuilder &b);

    MutableOperandRange getDpsInitsMutable() {
      return MutableOperandRange(getOperation(), getNumOperands() - 3, 3);
    }
  }];
}

#endif // ATTN_OPS_TD
