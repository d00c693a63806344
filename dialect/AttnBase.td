//===- AttnBase.td - attn dialect definition ---------------*- tablegen -*-===//
#ifndef ATTN_BASE_TD
#define ATTN_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/EnumAttr.td"

def Attn_Dialect : Dialect {
  let name = "attn";
  let cppNamespace = "::mlir::attn";
  let summary = "Attention as a single op with layout-carrying indexing maps";
  let description = [{
    The `attn` dialect carries scaled dot-product attention as one operation
    whose operand layouts are affine indexing maps over a single iteration
    space. A transposed Q, K, V, mask or output is a permutation of a map, so
    layout changes are free to express and graph passes can move transposes
    into or out of the op without changing its meaning.

    Dimension roles are inferred from the maps (several dims per role allowed):

    * batch = dims used by Q, K, V and O;
    * M  = dims of Q and O (not batch);
    * K1 = dims of Q and K (not batch), contracted by `Q * K^T`;
    * K2 = dims of K and V (not batch), the softmax axis, contracted by `P * V`;
    * N  = dims of V and O (not batch).
  }];
}

def Attn_CausalTopLeft : I32EnumAttrCase<"TopLeft", 0, "top_left">;
def Attn_CausalBottomRight : I32EnumAttrCase<"BottomRight", 1, "bottom_right">;
def Attn_CausalAlignment : I32EnumAttr<"CausalAlignment",
    "alignment of the causal diagonal when M and K2 differ",
    [Attn_CausalTopLeft, Attn_CausalBottomRight]> {
  let cppNamespace = "::mlir::attn";
}

class Attn_Op<string mnemonic, list<Trait> traits = []>
    : Op<Attn_Dialect, mnemonic, traits>;

#endif // ATTN_BASE_TD
