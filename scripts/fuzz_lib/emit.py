"""Program -> MLIR text (func @main) and the list of its arguments."""

from dataclasses import dataclass
from typing import List

from .program import BITS


@dataclass
class Arg:
    """One argument of @main.

    `purpose` says what it is: 'q', 'k', 'v', 'mask', 'scale' (a scalar),
    or '<operand>.src' / '.zp' / '.scale' for producer inputs.
    """
    name: str
    purpose: str
    layout: List[str]
    dtype: str

    @property
    def is_scalar(self):
        return self.purpose == 'scale'


def function_args(program):
    """The arguments of @main, in order."""
    args = []
    for operand in ('q', 'k', 'v'):
        args += _operand_args(program, operand)
    if program.has_mask():
        args.append(Arg('mask', 'mask', list(program.layouts['mask']),
                        program.mask_type))
    if program.scale_arg:
        args.append(Arg('scale', 'scale', [], program.scale_type))
    return args


def _operand_args(program, operand):
    layout = list(program.layouts[operand])
    prod = program.producers.get(operand)
    if prod is None:
        return [Arg(operand, operand, layout, program.qkv_type)]
    src = operand + '_src'
    if prod.kind == 'transpose':
        return [Arg(src, operand + '.src', list(prod.src_layout),
                    program.qkv_type)]
    if prod.kind == 'convert':
        return [Arg(src, operand + '.src', layout, prod.src_type)]
    if prod.kind == 'dequant':
        return [Arg(src, operand + '.src', layout, 'i8'),
                Arg(operand + '_zp', operand + '.zp', list(prod.qdims), 'i8'),
                Arg(operand + '_scale', operand + '.scale', list(prod.qdims),
                    program.qkv_type)]
    raise ValueError('unknown producer ' + prod.kind)


def tensor_type(program, layout, dtype):
    shape = ['?' if program.dim(n).dynamic else str(program.dim(n).size)
             for n in layout]
    return 'tensor<%s>' % 'x'.join(shape + [dtype])


def emit(program):
    return _Emitter(program).module()


class _Emitter:
    def __init__(self, program):
        self.p = program
        self.args = function_args(program)
        self.body = []
        self.dim_values = {}   # dynamic dim name -> SSA value of its size
        self.counter = 0

    # -- helpers ---------------------------------------------------------

    def ttype(self, layout, dtype):
        return tensor_type(self.p, layout, dtype)

    def fresh(self, stem):
        self.counter += 1
        return '%%%s%d' % (stem, self.counter)

    def line(self, text):
        self.body.append('  ' + text)

    def empty(self, layout, dtype):
        sizes = [self.dim_values[n] for n in layout if self.p.dim(n).dynamic]
        value = self.fresh('empty')
        self.line('%s = tensor.empty(%s) : %s' % (
            value, ', '.join(sizes), self.ttype(layout, dtype)))
        return value

    # -- the module ------------------------------------------------------

    def module(self):
        self.dynamic_sizes()
        operands = {o: self.producer(o) for o in ('q', 'k', 'v')}
        result = self.attention(operands)
        layout, dtype = self.p.layouts['o'], self.p.out_type
        for consumer in self.p.consumers:
            result, layout, dtype = self.consumer(consumer, result, layout,
                                                  dtype)
        results = [(result, self.ttype(layout, dtype))]
        if self.p.lse:
            results.append(('%attn#1', self.ttype(self.p.lse_layout(),
                                                  'f32')))
        types = ', '.join(t for _, t in results)
        self.line('return %s : %s' % (', '.join(v for v, _ in results),
                                      types))
        params = ', '.join('%%%s: %s' % (a.name, self.arg_type(a))
                           for a in self.args)
        head = self.map_aliases()
        head.append('func.func @main(%s) -> %s {' % (
            params, types if len(results) == 1 else '(%s)' % types))
        return '\n'.join(head + self.body + ['}']) + '\n'

    def arg_type(self, arg):
        if arg.is_scalar:
            return arg.dtype
        return self.ttype(arg.layout, arg.dtype)

    def dynamic_sizes(self):
        """tensor.dim of an argument for every dynamic dim."""
        constants = set()
        for d in self.p.dims:
            if not d.dynamic:
                continue
            arg = next(a for a in self.args if d.name in a.layout)
            axis = arg.layout.index(d.name)
            if axis not in constants:
                constants.add(axis)
                self.line('%%c%d = arith.constant %d : index' % (axis, axis))
            value = '%%size_%s' % d.name
            self.line('%s = tensor.dim %%%s, %%c%d : %s' % (
                value, arg.name, axis, self.arg_type(arg)))
            self.dim_values[d.name] = value

    def loop_dims(self):
        return '(%s)' % ', '.join(d.name for d in self.p.dims)

    def map_aliases(self):
        lines = []
        for key in self.map_keys():
            layout = [] if key == 's' else self.p.lse_layout() \
                if key == 'lse' else self.p.layouts[key]
            lines.append('#map_%s = affine_map<%s -> (%s)>' % (
                key, self.loop_dims(), ', '.join(layout)))
        return lines

    def map_keys(self):
        keys = ['q', 'k', 'v', 's']
        if self.p.has_mask():
            keys.append('mask')
        return keys + ['o'] + (['lse'] if self.p.lse else [])

    # -- ops -------------------------------------------------------------

    def attention(self, operands):
        p = self.p
        scale = '%scale'
        if not p.scale_arg:
            self.line('%%scale = arith.constant %s : %s' % (
                repr(float(p.scale)), p.scale_type))
        ins = [operands['q'], operands['k'], operands['v'], scale]
        types = [self.ttype(p.layouts[o], p.qkv_type) for o in 'qkv']
        types.append(p.scale_type)
        if p.has_mask():
            ins.append('%mask')
            types.append(self.ttype(p.layouts['mask'], p.mask_type))
        out_types = [self.ttype(p.layouts['o'], p.out_type)]
        inits = [self.empty(p.layouts['o'], p.out_type)]
        if p.lse:   # the second init and result, f32
            out_types.append(self.ttype(p.lse_layout(), 'f32'))
            inits.append(self.empty(p.lse_layout(), 'f32'))
        maps = ', '.join('#map_' + k for k in self.map_keys())
        causal = ' causal(%s)' % p.causal if p.causal else ''
        self.line('%%attn%s = attn.attention%s {indexing_maps = [%s]}' %
                  (':2' if p.lse else '', causal, maps))
        self.line('    ins(%s : %s)' % (', '.join(ins), ', '.join(types)))
        self.line('    outs(%s : %s) -> %s' % (
            ', '.join(inits), ', '.join(out_types), ', '.join(out_types)))
        return '%attn#0' if p.lse else '%attn'

    def producer(self, operand):
        prod = self.p.producers.get(operand)
        if prod is None:
            return '%' + operand
        layout = self.p.layouts[operand]
        dtype = self.p.qkv_type
        src = '%' + operand + '_src'
        if prod.kind == 'transpose':
            return self.transpose(src, prod.src_layout, layout, dtype)
        if prod.kind == 'convert':
            return self.convert(src, layout, prod.src_type, dtype)
        return self.dequant(operand, prod, layout, dtype)

    def transpose(self, value, src_layout, dst_layout, dtype):
        perm = [src_layout.index(n) for n in dst_layout]
        init = self.empty(dst_layout, dtype)
        result = self.fresh('transposed')
        self.line('%s = linalg.transpose ins(%s : %s) outs(%s : %s) '
                  'permutation = [%s]' % (
                      result, value, self.ttype(src_layout, dtype), init,
                      self.ttype(dst_layout, dtype),
                      ', '.join(map(str, perm))))
        return result

    def generic_head(self, result, layout, inputs, maps, init, out_type):
        """linalg.generic over `layout` (identity output map)."""
        rank = len(layout)
        loops = ', '.join('d%d' % i for i in range(rank))
        identity = 'affine_map<(%s) -> (%s)>' % (loops, loops)
        map_text = ', '.join(
            'affine_map<(%s) -> (%s)>' % (
                loops, ', '.join('d%d' % layout.index(n) for n in m))
            for m in maps) + ', ' + identity
        iterators = ', '.join(['"parallel"'] * rank)
        self.line('%s = linalg.generic {indexing_maps = [%s], '
                  'iterator_types = [%s]}' % (result, map_text, iterators))
        self.line('    ins(%s : %s)' % (', '.join(v for v, _ in inputs),
                                        ', '.join(t for _, t in inputs)))
        self.line('    outs(%s : %s) {' % (init, out_type))

    def convert(self, value, layout, src_type, dst_type):
        init = self.empty(layout, dst_type)
        result = self.fresh('converted')
        src_ttype = self.ttype(layout, src_type)
        self.generic_head(result, layout, [(value, src_ttype)], [layout],
                          init, self.ttype(layout, dst_type))
        op = 'extf' if BITS[src_type] < BITS[dst_type] else 'truncf'
        self.line('  ^bb0(%%x: %s, %%out: %s):' % (src_type, dst_type))
        self.line('    %%y = arith.%s %%x : %s to %s' % (op, src_type,
                                                     dst_type))
        self.line('    linalg.yield %y : ' + dst_type)
        self.line('} -> ' + self.ttype(layout, dst_type))
        return result

    def dequant(self, operand, prod, layout, dtype):
        init = self.empty(layout, dtype)
        result = self.fresh('dequant')
        inputs = [('%' + operand + '_src', self.ttype(layout, 'i8')),
                  ('%' + operand + '_zp', self.ttype(prod.qdims, 'i8')),
                  ('%' + operand + '_scale', self.ttype(prod.qdims, dtype))]
        self.generic_head(result, layout, inputs,
                          [layout, prod.qdims, prod.qdims], init,
                          self.ttype(layout, dtype))
        self.line('  ^bb0(%%x: i8, %%zp: i8, %%s: %s, %%out: %s):' % (
            dtype, dtype))
        self.line('    %d = arith.subi %x, %zp : i8')
        self.line('    %%f = arith.sitofp %%d : i8 to %s' % dtype)
        self.line('    %%y = arith.mulf %%f, %%s : %s' % dtype)
        self.line('    linalg.yield %y : ' + dtype)
        self.line('} -> ' + self.ttype(layout, dtype))
        return result

    def consumer(self, consumer, value, layout, dtype):
        if consumer.kind == 'transpose':
            result = self.transpose(value, layout, consumer.layout, dtype)
            return result, consumer.layout, dtype
        result = self.convert(value, layout, dtype, consumer.dtype)
        return result, layout, consumer.dtype
