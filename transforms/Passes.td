//===- Passes.td - attn graph-level passes -----------------*- tablegen -*-===//
#ifndef ATTN_TRANSFORMS_PASSES_TD
#define ATTN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

// Every graph pass can explain itself. The default comes from attn-opt's
// `--attn-remarks`, so that one flag still turns remarks on everywhere.
defvar RemarksOption = Option<"remarks", "remarks", "bool",
    /*default=*/"::mlir::attn::remarksEnabled()",
    "Report each decision (done or declined, and why) as a remark "
    "(default: --attn-remarks)">;

def AttnRaiseAttention : Pass<"attn-raise-attention"> {
  let summary = "Raise linalg attention chains to attn.attention";
  let description = [{
    Recognizes, from the second contraction backwards,

    ```
    S = Q . K^T       (linalg.matmul, batch_matmul, contract or a generic
                       contraction; operands in any layout)
    S = S * c, S / c  (constant scalar or splat/0-d tensor; also on Q or K)
    S = S + mask      (float mask, broadcast allowed) or
    S = select(mask, S, -inf)   (i1 mask)
    P = softmax(S)    (linalg.softmax, or max-reduce, subtract, exp,
                       sum-reduce, divide or multiply by the reciprocal,
                       with or without the max subtraction)
    O = P . V
    ```

    with `arith.extf`/`truncf`, transposes, broadcasts and unit-dim
    `tensor.expand_shape`s anywhere in between, and replaces it with one
    `attn.attention` whose indexing maps absorb the layouts of the chain
    (transposes of Q, K and V themselves are left to
    `attn-fold-transposes`). The attention computes in f32 whatever the
    chain's intermediate types. Heads merged into the batch dim around the
    products (`tensor.collapse_shape` before a `linalg.batch_matmul`,
    `tensor.expand_shape` after it, as torch-mlir and ONNX importers emit)
    are first moved out of the chain by upstream's fusion by expansion,
    applied only to the contractions next to a softmax.

    Declines, with a remark under `remarks`, when an intermediate (S, P or a
    part of the softmax) has a user outside the chain, when the softmax is
    over a dim the second contraction does not reduce, when a contraction
    accumulates into a non-zero init, when a float mask is added before the
    scale, when the i1 mask selects -inf where it is true, or when the
    shapes or element types do not fit `attn.attention`. A chain without a
    softmax is not considered.
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::attn::AttnDialect"];
}

def AttnFoldTransposes : Pass<"attn-fold-transposes"> {
  let summary = "Absorb transposes of Q, K, V, mask and O into attention maps";
  let description = [{
    A `linalg.transpose`, or a permutation-only `linalg.generic` (one input,
    one output, all loops parallel, body yields the input), that produces the
    Q, K, V or mask operand of an `attn.attention` is removed and its
    permutation composed into that operand's indexing map. A permutation op
    that is the single user of the attention result is absorbed into the
    output map; the attention then writes the permuted layout directly.

    Declines (and says why under `remarks`) when the transpose has
    users other than the attention op, since the fold would not remove it.
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnBubbleTransposeV : Pass<"attn-bubble-transpose-v"> {
  let summary = "Expose the transposed-V form as an explicit linalg.transpose";
  let description = [{
    For an `attn.attention` whose V map ends in `(K2, N)` (exactly one K2 dim
    and one N dim) and whose V is produced by an operation (not a block
    argument), inserts `linalg.transpose` of V swapping those two dims and
    gives the attention the matching `(.., N, K2)` V map. The transpose is
    then a candidate for fusion into V's producer
    (`attn-fuse-transpose-producers`); what is not fused is folded back by
    `attn-fold-transposes`. Idempotent: an op already in transposed-V form is
    left alone.
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnFuseTransposeProducers : Pass<"attn-fuse-transpose-producers"> {
  let summary = "Fuse linalg.transpose into the op that produces its input";
  let description = [{
    Makes the producer of a transposed value write the permuted layout
    directly, removing the `linalg.transpose`:

    * `linalg.generic` (elementwise, broadcast, contraction): output map
      permuted, init recreated in the permuted shape;
    * named linalg ops (`linalg.matmul`, `linalg.batch_matmul`, ...): first
      generalized, then as above;
    * transpose of transpose: composed into one, removed if identity;
    * `linalg.fill` / `tensor.empty`: recreated in the permuted shape;
      `arith.constant`: folded;
    * `tensor.expand_shape` / `tensor.collapse_shape`: the transpose moves
      across the reshape when the permutation keeps the reassociation groups
      intact and the moved transpose can fuse further.

    Never fuses into a producer with other users (that would compute it
    twice) or into a block argument.
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def AttnFoldBroadcasts : Pass<"attn-fold-broadcasts"> {
  let summary = "Absorb broadcasts of Q, K, V and mask into attention maps";
  let description = [{
    A `linalg.broadcast`, or a broadcasting `linalg.generic` (one input read
    through a projected permutation, all loops parallel, body yields the
    input), that produces the Q, K, V or mask operand of an
    `attn.attention` -- through any number of such copies and transposes,
    each with no other user -- is removed and composed into that operand's
    indexing map. GQA/MQA models repeat K and V across query heads this
    way; folded, the heads dim is simply not used by K and V (an M dim),
    and the repeated tensors are never materialized.

    All the operands' broadcasts are folded together, and only when the
    resulting maps have valid roles (K and V must drop the same dims);
    otherwise the pass declines and says why under `remarks`.

    GQA as `repeat_kv` writes it -- K and V broadcast over a group dim that
    a `tensor.collapse_shape` then merges with the KV-heads dim into the
    query-heads dim -- is first rewritten so that no map has to read
    through the collapse: the attention's heads loop is split into the
    collapsed dims, K and V read the collapse's source, and Q, the mask and
    the result get a `tensor.expand_shape` / `collapse_shape` (free for
    contiguous tensors). The broadcasts then fold as above.
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def AttnFoldCausalMask : Pass<"attn-fold-causal-mask"> {
  let summary = "Replace a triangular mask with the causal attribute";
  let description = [{
    A mask of an `attn.attention` whose map uses exactly the innermost M
    dim and the K2 dim, with static sizes, that is causal -- a constant
    (i1, or float with only 0 and -inf, e.g. PyTorch's
    `full(-inf).triu(1)` or `tril(ones)` exported as an initializer) or a
    `linalg.generic` with no inputs comparing `linalg.index` values (plus
    constants), possibly through `select(cond, 0, -inf)` -- is checked
    element by element against `j <= i + D` for D = 0 (top_left) and
    D = K2 - M (bottom_right) and, if one matches, removed and replaced by
    `causal(top_left)` or `causal(bottom_right)`. The lowerings then skip
    the key blocks above the diagonal instead of reading a mask. Any other
    mask is left as it is (a remark says why when it is not causal).
  }];
  let options = [RemarksOption];
}

def AttnFuseProjections : Pass<"attn-fuse-projections"> {
  let summary = "Fuse contractions of the same input (Q/K/V projections)";
  let description = [{
    Contractions (`linalg.matmul`, `linalg.batch_matmul`, contraction
    generics; static shapes) of the same first input -- the same value, or
    equivalent pure ops such as an importer's repeated `collapse_shape` of
    the activations -- with the same iteration space and the same map of
    that input are fused into one multi-result `linalg.generic` that reads
    the input once. Each result keeps its own output map, so
    `attn-fuse-transpose-producers` can make one of them (V) be written
    transposed. Constants, empty tensors, fills and reshapes that the
    later projections need are moved before the first; a projection that
    needs anything else computed after the first is not fused (a remark
    says so).
  }];
  let options = [RemarksOption];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // ATTN_TRANSFORMS_PASSES_TD
