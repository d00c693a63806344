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
    operands = {'q': values['q']}
    for operand in ('k', 'v'):
        operands[operand] = produce(program, operand, values)
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


def attention(program, operands, mask, scale):
    """Attention in float64; the result has the O layout."""
    letters = dict(zip((d.name for d in program.dims), string.ascii_letters))

    def spec(layout):
        return ''.join(letters[n] for n in layout)

    names = lambda *roles: [n for r in roles for n in program.names_of(r)]
    score_dims = names('batch', 'm', 'k2')
    out_dims = names('batch', 'm', 'n')
    lay = program.layouts
    scores = scale * np.einsum(
        '%s,%s->%s' % (spec(lay['q']), spec(lay['k']), spec(score_dims)),
        operands['q'], operands['k'])
    if mask is not None:
        m = relayout(mask, lay['mask'], score_dims)
        if program.mask_type == 'i1':
            scores = np.where(m, scores, -np.inf)
        else:
            scores = scores + m
    k2_axes = tuple(i for i, n in enumerate(score_dims)
                    if program.dim(n).role == 'k2')
    row_max = scores.max(axis=k2_axes, keepdims=True)
    row_max = np.where(np.isneginf(row_max), 0.0, row_max)
    weights = np.exp(scores - row_max)
    row_sum = weights.sum(axis=k2_axes)
    unnormalized = np.einsum(
        '%s,%s->%s' % (spec(score_dims), spec(lay['v']), spec(out_dims)),
        weights, operands['v'])
    sum_dims = [n for n in score_dims if program.dim(n).role != 'k2']
    row_sum = relayout(row_sum, sum_dims, out_dims)
    with np.errstate(invalid='ignore', divide='ignore'):
        out = np.where(row_sum == 0, 0.0, unnormalized / row_sum)
    return relayout(out, out_dims, lay['o'])
