"""Independent float64 numpy evaluation of a program.

Written from the op's definition, not from the compiler: scores by einsum
over the indexing maps, softmax over the K2 dims, rows whose scores are
all masked out give 0 (codegen's normalizeOutput: O = 0 where the softmax
sum is 0). Inputs are the exact values of their element type; producers
round their results to their output type as the compiled code does.
"""

import string

import numpy as np

from . import dtypes


def evaluate(program, values):
    """The result of @main for the argument values (float64 arrays)."""
    operands = {o: produce(program, o, values) for o in ('q', 'k', 'v')}
    mask = values.get('mask')
    scale = values['scale'] if program.scale_arg else dtypes.round_to(
        program.scale_type, program.scale).item()
    result = attention(program, operands, mask, scale)
    layout = program.layouts['o']
    for consumer in program.consumers:
        if consumer.kind == 'transpose':
            result = relayout(result, layout, consumer.layout)
            layout = consumer.layout
    return result


def evaluate_lse(program, values):
    """The log-sum-exp result (program.lse) in its layout: max + log(sum
    exp(S - max)) over the K2 dims, -inf for rows with every score -inf."""
    operands = {o: produce(program, o, values) for o in ('q', 'k', 'v')}
    scale = values['scale'] if program.scale_arg else dtypes.round_to(
        program.scale_type, program.scale).item()
    score_dims = _names(program, 'batch', 'm', 'k2')
    scores = _scores(program, operands, values.get('mask'), scale,
                     score_dims)
    k2_axes = tuple(i for i, n in enumerate(score_dims)
                    if program.dim(n).role == 'k2')
    row_max = scores.max(axis=k2_axes, keepdims=True)
    finite_max = np.where(np.isneginf(row_max), 0.0, row_max)
    total = np.exp(scores - finite_max).sum(axis=k2_axes)
    with np.errstate(divide='ignore'):
        lse = np.squeeze(finite_max, axis=k2_axes) + np.log(total)
    return relayout(lse, _names(program, 'batch', 'm'), program.lse_layout())


def produce(program, operand, values):
    prod = program.producers.get(operand)
    if prod is None:
        return values[operand]
    src = values[operand + '_src']
    layout = program.layouts[operand]
    if prod.kind == 'transpose':
        return relayout(src, prod.src_layout, layout)
    if prod.kind == 'convert':
        return dtypes.round_to(program.qkv_type, src)
    zp = relayout(values[operand + '_zp'], prod.qdims, layout)
    scale = relayout(values[operand + '_scale'], prod.qdims, layout)
    return dtypes.round_to(program.qkv_type, (src - zp) * scale)


def relayout(array, src, dst):
    """Permutes `array` (axes named by `src`) to the axes `dst`; dims of
    `dst` missing from `src` become broadcastable axes of size 1."""
    order = [src.index(n) for n in dst if n in src]
    moved = np.transpose(array, order)
    shape = [array.shape[src.index(n)] if n in src else 1 for n in dst]
    return moved.reshape(shape)


def _names(program, *roles):
    return [n for r in roles for n in program.names_of(r)]


def _einsum(program, a, a_dims, b, b_dims, out_dims):
    """einsum with the operands' and result's axes named by dims."""
    letters = dict(zip((d.name for d in program.dims), string.ascii_letters))
    spec = [''.join(letters[n] for n in dims)
            for dims in (a_dims, b_dims, out_dims)]
    return np.einsum('%s,%s->%s' % tuple(spec), a, b)


def attention(program, operands, mask, scale):
    """Attention in float64; the result has the O layout."""
    score_dims = _names(program, 'batch', 'm', 'k2')
    out_dims = _names(program, 'batch', 'm', 'n')
    scores = _scores(program, operands, mask, scale, score_dims)
    weights, row_sum = _softmax_parts(program, scores, score_dims)
    unnormalized = _einsum(program, weights, score_dims, operands['v'],
                           program.layouts['v'], out_dims)
    row_sum = relayout(row_sum, _names(program, 'batch', 'm'), out_dims)
    with np.errstate(invalid='ignore', divide='ignore'):
        out = np.where(row_sum == 0, 0.0, unnormalized / row_sum)
    return relayout(out, out_dims, program.layouts['o'])


def _scores(program, operands, mask, scale, score_dims):
    """scale * Q.K^T, masked and causal, over `score_dims`."""
    scores = scale * _einsum(program, operands['q'], program.layouts['q'],
                             operands['k'], program.layouts['k'], score_dims)
    if mask is not None:
        scores = _apply_mask(program, scores, score_dims, mask)
    if program.causal:
        scores = _apply_causal(program, scores, score_dims)
    return scores


def _apply_mask(program, scores, score_dims, mask):
    """i1: false is -inf; a float mask is added."""
    m = relayout(mask, program.layouts['mask'], score_dims)
    if program.mask_type == 'i1':
        return np.where(m, scores, -np.inf)
    return scores + m


def _apply_causal(program, scores, score_dims):
    """Key j is visible to row i (the innermost M dim, last in loop order)
    iff j <= i + D, D = 0 (top_left) or K2 - M (bottom_right)."""
    row, key = program.names_of('m')[-1], program.names_of('k2')[0]
    rows, keys = program.dim(row).size, program.dim(key).size
    diagonal = 0 if program.causal == 'top_left' else keys - rows
    shape = [1] * len(score_dims)
    i_shape, j_shape = list(shape), list(shape)
    i_shape[score_dims.index(row)] = rows
    j_shape[score_dims.index(key)] = keys
    i = np.arange(rows).reshape(i_shape)
    j = np.arange(keys).reshape(j_shape)
    return np.where(j <= i + diagonal, scores, -np.inf)


def _softmax_parts(program, scores, score_dims):
    """exp(S - row max) and its row sums (over the K2 dims); rows with
    every score -inf get weights 0 and sum 0."""
    k2_axes = tuple(i for i, n in enumerate(score_dims)
                    if program.dim(n).role == 'k2')
    row_max = scores.max(axis=k2_axes, keepdims=True)
    row_max = np.where(np.isneginf(row_max), 0.0, row_max)
    weights = np.exp(scores - row_max)
    return weights, weights.sum(axis=k2_axes)
