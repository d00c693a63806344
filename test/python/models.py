"""Attention modules exported by the ONNX tests: one from PyTorch itself and
two written against it the ordinary way (not by anyone working on attn)."""

import math

import torch
import torch.nn as nn


class MultiheadAttention(nn.Module):
    """torch.nn.MultiheadAttention, batch_first, self-attention."""

    def __init__(self, embed=32, heads=4, with_mask=False):
        super().__init__()
        self.mha = nn.MultiheadAttention(embed, heads, batch_first=True)
        self.with_mask = with_mask

    def forward(self, x, key_padding_mask=None):
        out, _ = self.mha(x, x, x, key_padding_mask=key_padding_mask,
                          need_weights=False)
        return out


class BertSelfAttention(nn.Module):
    """A BERT-style block: Q/K/V projections, head split, scale, additive
    mask, softmax, context, output projection."""

    def __init__(self, hidden=32, heads=4):
        super().__init__()
        self.heads, self.head_dim = heads, hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.output = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        q = self.split(self.query(hidden_states))
        k = self.split(self.key(hidden_states))
        v = self.split(self.value(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores + attention_mask  # [b, 1, 1, s]: 0 or -10000
        probs = torch.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        b, s = ctx.shape[:2]
        return self.output(ctx.view(b, s, self.heads * self.head_dim))


class GqaAttention(nn.Module):
    """Grouped-query attention: 8 query heads share 2 K/V heads (repeat_kv
    as in Llama), causal mask."""

    def __init__(self, hidden=64, q_heads=8, kv_heads=2, seq=16):
        super().__init__()
        self.q_heads, self.kv_heads = q_heads, kv_heads
        self.head_dim = hidden // q_heads
        self.q_proj = nn.Linear(hidden, q_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(q_heads * self.head_dim, hidden, bias=False)
        mask = torch.full((seq, seq), float("-inf")).triu(1)
        self.register_buffer("causal_mask", mask)

    def repeat_kv(self, x):
        b, h, s, d = x.shape
        n_rep = self.q_heads // self.kv_heads
        x = x[:, :, None, :, :].expand(b, h, n_rep, s, d)
        return x.reshape(b, h * n_rep, s, d)

    def forward(self, x):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.q_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.head_dim).transpose(1, 2)
        k, v = self.repeat_kv(k), self.repeat_kv(v)
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)
        scores = scores + self.causal_mask[:s, :s]
        probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, -1)
        return self.o_proj(out)


def export(module, args, path, input_names, opset=17):
    """torch.onnx.export with static shapes."""
    module.eval()
    torch.onnx.export(module, args, path, input_names=input_names,
                      output_names=["out"], opset_version=opset,
                      do_constant_folding=True)


class FusedQkvEinsum(nn.Module):
    """timm/ViT-style attention: one fused QKV projection, unbind, einsum
    scores, masked_fill of padded keys with the dtype's min, softmax in f32."""

    def __init__(self, hidden=32, heads=4):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)

    def forward(self, x, key_padding):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        att = torch.einsum("bhqd,bhkd->bhqk", q, k) * (c // self.heads) ** -0.5
        att = att.masked_fill(key_padding[:, None, None, :], torch.finfo(att.dtype).min)
        att = torch.softmax(att, dim=-1, dtype=torch.float32)
        y = torch.einsum("bhqk,bhkd->bhqd", att, v)
        return self.proj(y.transpose(1, 2).reshape(b, n, c))


class TinyBertEncoder(nn.Module):
    """Token and position embeddings, LayerNorm and a post-norm encoder
    layer masking padded keys: int64 token ids and attention mask in."""

    def __init__(self, vocab=50, hidden=32, heads=4, seq=16):
        super().__init__()
        self.tokens = nn.Embedding(vocab, hidden)
        self.positions = nn.Embedding(seq, hidden)
        self.norm = nn.LayerNorm(hidden)
        self.layer = nn.TransformerEncoderLayer(hidden, heads, 64, batch_first=True,
                                                activation="gelu")

    def forward(self, ids, attention_mask):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.norm(self.tokens(ids) + self.positions(pos))
        return self.layer(x, src_key_padding_mask=attention_mask == 0)
