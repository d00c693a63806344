"""Random generation and simplification of programs, one Feature per aspect.

Every Feature has three methods:
  generate(program, rng, profile)  adds/changes its aspect (in place);
  describe(program)                short tokens for the summary line;
  simplify(program)                yields (label, simpler program) pairs.

`generate_program` runs the features in FEATURES order; the shrinker tries
their simplifications in SHRINK_ORDER. Every simplification must make the
program strictly simpler (so shrinking terminates) and keep it valid
(`fixup` restores the type rules after a change).

To add a feature (e.g. a causal attribute, decode shapes, a chain of
raised linalg ops): add its data to program.Program, a Feature subclass
here (in FEATURES, and SHRINK_ORDER if it simplifies anything), and its
MLIR in emit.py and its semantics in reference.py when it changes either.
"""

import random
from dataclasses import dataclass
from typing import Tuple

from .program import (BITS, FLOAT_TYPES, MASK_ROLES, OPERAND_ROLES, Consumer,
                      Dim, Producer, Program, remove_dim, rename_dims)

ODD_SIZES = (1, 3, 7, 17, 33, 65, 100)
EVEN_SIZES = (2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class Profile:
    """Size limits and probabilities of one kind of run."""
    name: str
    max_work: int            # B*M*K2*(K1+N) of the attention
    sizes: Tuple[int, ...]   # sizes of a role's only dim
    small_sizes: Tuple[int, ...] = (1, 2, 3, 4, 7, 8, 16, 17)
    gpu_every: int = 2       # seed % gpu_every == 0: GPU-sized program
    p_feature: float = 0.3   # base probability of an optional feature
    gpu_subset_only: bool = False  # rocm-sim only for GPU programs


PROFILES = {
    'default': Profile('default', 3_000_000,
                       ODD_SIZES + EVEN_SIZES + (40, 80, 200)),
    'quick': Profile('quick', 200_000, ODD_SIZES + EVEN_SIZES,
                     small_sizes=(1, 2, 3, 4, 7, 8), gpu_every=3,
                     gpu_subset_only=True),
}

# Largest total extents the GPU emulation runs quickly.
GPU_LIMITS = {'batch': 4, 'm': 128, 'k1': 64, 'k2': 160, 'n': 64}


def gpu_sized(program):
    """Small enough for --device=rocm-sim (emulated GPU threads are slow)."""
    return all(program.size_of(r) <= lim for r, lim in GPU_LIMITS.items())


def is_gpu_program(seed, profile):
    return seed % profile.gpu_every == 0


def generate_program(seed, profile):
    """The program of `seed`. Each feature draws from its own random
    stream, so adding a feature leaves the others' choices alone."""
    program = Program(seed=seed, dims=[], layouts={})
    for feature in FEATURES:
        rng = random.Random('%s:%d:%s' % (profile.name, seed, feature.name))
        feature.generate(program, rng, profile)
    fixup(program)
    return program


def describe(program):
    tokens = []
    for feature in FEATURES:
        tokens += feature.describe(program)
    return ' '.join(tokens)


def fixup(program):
    """Restores the type rules after a change: a convert must change the
    bit width (f16 <-> bf16 is not one extf/truncf)."""
    for prod in program.producers.values():
        if prod.kind == 'convert' and \
                BITS[prod.src_type] == BITS[program.qkv_type]:
            prod.src_type = _other_width(program.qkv_type)
    dtype = program.out_type
    for c in program.consumers:
        if c.kind == 'convert':
            if BITS[c.dtype] == BITS[dtype]:
                c.dtype = _other_width(dtype)
            dtype = c.dtype
    return program


def _other_width(dtype):
    return 'f16' if dtype == 'f32' else 'f32'


def _maybe(rng, p):
    return rng.random() < p


def _shuffled(rng, items):
    items = list(items)
    rng.shuffle(items)
    return items


def _permuted(rng, items):
    """A random order of `items` other than the given one (if any)."""
    items = list(items)
    if len(items) < 2:
        return items
    while True:
        order = _shuffled(rng, items)
        if order != items:
            return order


class Feature:
    name = ''

    def generate(self, program, rng, profile):
        pass

    def describe(self, program):
        return []

    def simplify(self, program):
        return iter(())


class Style(Feature):
    """Plain programs, as most real ones are: one dim per role, no GQA, at
    most one operand in a non-standard layout, often square shapes (K2 = M,
    N = K1) at the GPU kernel's tile multiples. The other features read
    `program.style`; this one only draws it (more often for GPU-sized
    programs, where such shapes reach the kernel without padding)."""
    name = 'style'

    def generate(self, program, rng, profile):
        p = 0.35 if is_gpu_program(program.seed, profile) else 0.2
        program.style = 'plain' if _maybe(rng, p) else 'mixed'


class Dims(Feature):
    """0-2 batch dims, 1-2 dims per other role, GQA heads (an M dim that
    K and V do not use, placed first in Q and O like a heads dim)."""
    name = 'dims'
    PREFIX = {'batch': 'b', 'm': 'm', 'k1': 'k1_', 'k2': 'k2_', 'n': 'n'}
    LABEL = {'batch': 'B', 'm': 'M', 'k1': 'K1', 'k2': 'K2', 'n': 'N'}

    def generate(self, program, rng, profile):
        counts = {'batch': rng.choice((0, 1, 1, 2)),
                  'm': 1, 'k1': 1, 'k2': 1, 'n': 1}
        for role in ('m', 'k1', 'k2', 'n'):
            if _maybe(rng, profile.p_feature * 0.7):
                counts[role] = 2
        gqa = _maybe(rng, profile.p_feature)
        if program.style == 'plain':
            counts.update(m=1, k1=1, k2=1, n=1)
            gqa = False
        dims = []
        for role in ('batch', 'm', 'k1', 'k2', 'n'):
            if role == 'm' and gqa:
                dims.append(Dim('h', 'm', 1))
            dims += [Dim('%s%d' % (self.PREFIX[role], i), role, 1)
                     for i in range(counts[role])]
        program.dims = dims
        program.layouts = {o: program.standard_layout(o)
                           for o in OPERAND_ROLES}

    @classmethod
    def canonical_names(cls, program):
        """The program with its dims named b0, b1, m0, ... role by role
        (a GQA heads dim stays h while there is another M dim)."""
        mapping = {}
        for role in ('batch', 'm', 'k1', 'k2', 'n'):
            names = program.names_of(role)
            if role == 'm' and 'h' in names and len(names) > 1:
                names.remove('h')
            for i, name in enumerate(names):
                mapping[name] = '%s%d' % (cls.PREFIX[role], i)
        return rename_dims(program, mapping)

    def describe(self, program):
        tokens = []
        for role in ('batch', 'm', 'k1', 'k2', 'n'):
            sizes = 'x'.join(str(d.size) for d in program.dims_of(role))
            if sizes:
                tokens.append('%s=%s' % (self.LABEL[role], sizes))
        if any(d.name == 'h' for d in program.dims):
            tokens.append('gqa')
        return tokens

    def simplify(self, program):
        for d in program.dims_of('batch'):
            yield 'drop batch dim ' + d.name, remove_dim(program, d.name)
        for role in ('m', 'k1', 'k2', 'n'):
            dims = program.dims_of(role)
            if len(dims) < 2:
                continue
            for d in dims:
                other = next(o for o in dims if o is not d)
                merged = remove_dim(program, d.name)
                merged.dim(other.name).size *= d.size
                yield 'merge %s into %s' % (d.name, other.name), merged
                yield 'drop %s' % d.name, remove_dim(program, d.name)


class Sizes(Feature):
    """Sizes from odd and power-of-two lists within the profile's budget;
    GPU-sized programs stay within GPU_LIMITS."""
    name = 'sizes'
    LADDER = (1, 2, 3, 4, 8, 16, 32, 64, 65)

    def generate(self, program, rng, profile):
        for role in ('batch', 'm', 'k1', 'k2', 'n'):
            dims = program.dims_of(role)
            pool = profile.sizes if len(dims) == 1 else profile.small_sizes
            if role == 'batch':
                pool = (1, 2, 3, 4)
            for d in dims:
                d.size = rng.choice(pool)
        for d in program.dims:
            if d.name == 'h':
                d.size = rng.choice((2, 3, 4))
        limits = GPU_LIMITS if is_gpu_program(program.seed, profile) else {}
        self._fit(program, profile.max_work, limits)

    @staticmethod
    def _fit(program, max_work, limits):
        """Halves the largest dims until the budget and limits hold."""
        while True:
            over = [r for r, lim in limits.items()
                    if program.size_of(r) > lim]
            if not over and program.work() <= max_work:
                return
            dims = [d for d in program.dims if not over or d.role in over]
            biggest = max(dims, key=lambda d: d.size)
            if biggest.size == 1:
                return
            biggest.size = (biggest.size + 1) // 2

    def simplify(self, program):
        """All sizes 1; then dims of equal size together (shapes that
        coincide, as in self-attention); then each dim down a ladder."""
        if any(d.size > 1 for d in program.dims):
            yield 'all sizes 1', self._resized(program, program.dims, 1)
        by_size = {}
        for d in program.dims:
            by_size.setdefault(d.size, []).append(d)
        for size, dims in sorted(by_size.items()):
            if size > 1 and len(dims) > 1:
                for smaller in self._ladder(size):
                    yield ('dims of size %d = %d' % (size, smaller),
                           self._resized(program, dims, smaller))
        for d in program.dims:
            for smaller in self._ladder(d.size):
                yield ('%s=%d' % (d.name, smaller),
                       self._resized(program, [d], smaller))

    def _ladder(self, size):
        return [s for s in sorted(set(self.LADDER + (size // 2,)))
                if 0 < s < size]

    @staticmethod
    def _resized(program, dims, size):
        p = program.clone()
        for d in dims:
            p.dim(d.name).size = size
        return p


class TiedSizes(Feature):
    """Sizes that coincide as in real models: K2 = M (self-attention),
    N = K1 (one head dim); GPU programs sometimes at the kernel's tile
    multiples (no padding)."""
    name = 'tied-sizes'

    def generate(self, program, rng, profile):
        before = [d.size for d in program.dims]
        plain = program.style == 'plain'
        if _maybe(rng, 0.6 if plain else 0.3):
            self._tie(program, 'm', 'k2')
        if _maybe(rng, 0.6 if plain else 0.4):
            self._tie(program, 'k1', 'n')
        gpu = is_gpu_program(program.seed, profile)
        if gpu and _maybe(rng, 0.6 if plain else 0.3):
            for role, tile in (('m', 64), ('k2', 64), ('k1', 16), ('n', 16)):
                for d in program.dims_of(role)[-1:]:
                    d.size = -(-d.size // tile) * tile
        if program.work() > profile.max_work or (gpu and not gpu_sized(
                program)):
            for d, size in zip(program.dims, before):
                d.size = size

    @staticmethod
    def _tie(program, source, target):
        src, dst = program.dims_of(source), program.dims_of(target)
        if len(src) == len(dst):
            for s, d in zip(src, dst):
                d.size = s.size

    def describe(self, program):
        tokens = []
        for a, b in (('m', 'k2'), ('k1', 'n')):
            if [d.size for d in program.dims_of(a)] == \
                    [d.size for d in program.dims_of(b)] and \
                    program.size_of(a) > 1:
                tokens.append('%s=%s' % (a.upper(), b.upper()))
        return tokens


class Types(Feature):
    """Q/K/V (one type, the verifier's rule), output and scale types."""
    name = 'types'

    def generate(self, program, rng, profile):
        program.qkv_type = rng.choice(FLOAT_TYPES)
        same = _maybe(rng, 0.5)
        program.out_type = program.qkv_type if same else rng.choice(
            FLOAT_TYPES)
        program.scale_type = program.qkv_type if _maybe(rng, 0.7) else \
            rng.choice(FLOAT_TYPES)

    def describe(self, program):
        text = program.qkv_type
        if program.out_type != program.qkv_type:
            text += '->' + program.out_type
        if program.scale_type != program.qkv_type:
            text += ' scale:' + program.scale_type
        return [text]

    def simplify(self, program):
        for attr in ('qkv_type', 'out_type', 'scale_type'):
            if getattr(program, attr) != 'f32':
                p = program.clone()
                setattr(p, attr, 'f32')
                yield attr + '=f32', fixup(p)


class Layouts(Feature):
    """Each operand's dims in a random order (also the output), and the
    loop dims of the maps in a random order."""
    name = 'layouts'
    OPERANDS = ('q', 'k', 'v', 'o')

    def generate(self, program, rng, profile):
        if program.style == 'plain':
            operands = [rng.choice(self.OPERANDS)] if _maybe(rng, 0.5) else []
        else:
            operands = [o for o in self.OPERANDS if _maybe(rng, 0.45)]
        for operand in operands:
            program.layouts[operand] = _permuted(
                rng, program.layouts[operand])
        if program.style != 'plain' and _maybe(rng, profile.p_feature):
            program.dims = _permuted(rng, program.dims)

    def describe(self, program):
        permuted = [o.upper() for o in self.OPERANDS
                    if program.layouts[o] != program.standard_layout(o)]
        tokens = ['perm:' + ''.join(permuted)] if permuted else []
        if program.dims != _loop_order(program):
            tokens.append('loops-shuffled')
        return tokens

    def simplify(self, program):
        if program.dims != _loop_order(program):
            p = program.clone()
            p.dims = _loop_order(p)
            yield 'standard loop order', p
        for operand in self.OPERANDS + ('mask',):
            if operand not in program.layouts:
                continue
            standard = program.standard_layout(operand)
            if program.layouts[operand] != standard:
                p = program.clone()
                p.layouts[operand] = standard
                yield 'standard %s layout' % operand, p


def _loop_order(program):
    return [d for r in ('batch', 'm', 'k1', 'k2', 'n')
            for d in program.dims_of(r)]


class Mask(Feature):
    """An i1 or float mask over a random subset of the batch, M and K2
    dims (the rest broadcast), in a random order."""
    name = 'mask'

    def generate(self, program, rng, profile):
        if not _maybe(rng, profile.p_feature * 1.3):
            return
        candidates = [d.name for r in MASK_ROLES for d in program.dims_of(r)]
        dims = [n for n in candidates if _maybe(rng, 0.7)] or [
            rng.choice(candidates)]
        if _maybe(rng, 0.5):
            dims = _shuffled(rng, dims)
        program.layouts['mask'] = dims
        program.mask_type = 'i1' if _maybe(rng, 0.6) else rng.choice(
            FLOAT_TYPES)
        if program.mask_type == 'i1' and _maybe(rng, 0.25):
            program.mask_density = 0.3   # many fully masked rows

    def describe(self, program):
        if not program.has_mask():
            return []
        text = 'mask:%s(%s)' % (program.mask_type,
                                ','.join(program.layouts['mask']))
        if program.mask_type == 'i1' and program.mask_density != 0.8:
            text += '@%g' % program.mask_density
        return [text]

    def simplify(self, program):
        if not program.has_mask():
            return
        p = program.clone()
        p.mask_type = None
        del p.layouts['mask']
        yield 'drop mask', p
        for name in program.layouts['mask']:
            if len(program.layouts['mask']) > 1:
                p = program.clone()
                p.layouts['mask'].remove(name)
                yield 'mask without ' + name, p
        if program.mask_type not in ('i1', 'f32'):
            p = program.clone()
            p.mask_type = 'f32'
            yield 'f32 mask', p
        if program.mask_density != 0.8:
            p = program.clone()
            p.mask_density = 0.8
            yield 'mask density 0.8', p


class Causal(Feature):
    """The causal attribute, either alignment (needs exactly one K2 dim)."""
    name = 'causal'

    def generate(self, program, rng, profile):
        if len(program.dims_of('k2')) == 1 and _maybe(rng, profile.p_feature):
            program.causal = rng.choice(('top_left', 'bottom_right'))

    def describe(self, program):
        return ['causal:' + program.causal] if program.causal else []

    def simplify(self, program):
        if program.causal:
            p = program.clone()
            p.causal = None
            yield 'not causal', p


class Lse(Feature):
    """The log-sum-exp as a second result (f32, the output's layout without
    the N dims)."""
    name = 'lse'

    def generate(self, program, rng, profile):
        program.lse = _maybe(rng, profile.p_feature)

    def describe(self, program):
        return ['lse'] if program.lse else []

    def simplify(self, program):
        if program.lse:
            p = program.clone()
            p.lse = False
            yield 'no lse', p


class Producers(Feature):
    """K and/or V (less often Q) computed inside the function: a
    linalg.transpose from another layout, an extf/truncf linalg.generic,
    or an i8 dequantize."""
    name = 'producers'
    KINDS = ('transpose', 'convert', 'dequant')
    OPERANDS = ('q', 'k', 'v')

    def generate(self, program, rng, profile):
        for operand in self.OPERANDS:
            p = profile.p_feature * (0.5 if operand == 'q' else 1)
            if _maybe(rng, p):
                program.producers[operand] = self._make(
                    program, operand, rng.choice(self.KINDS), rng)

    @staticmethod
    def _make(program, operand, kind, rng):
        layout = program.layouts[operand]
        if kind == 'transpose':
            return Producer(kind, src_layout=_permuted(rng, layout))
        if kind == 'convert':
            return Producer(kind, src_type=_other_width(program.qkv_type)
                            if program.qkv_type != 'f32'
                            else rng.choice(('f16', 'bf16')))
        qdims = [n for n in layout if _maybe(rng, 0.4)] or [layout[-1]]
        return Producer(kind, qdims=qdims)

    def describe(self, program):
        tokens = []
        for operand in self.OPERANDS:
            p = program.producers.get(operand)
            if p:
                tokens.append('%s:%s' % (operand.upper(), p.kind) + (
                    '(%s)' % p.src_type if p.kind == 'convert' else ''))
        return tokens

    def simplify(self, program):
        for operand in self.OPERANDS:
            if operand not in program.producers:
                continue
            p = program.clone()
            del p.producers[operand]
            yield 'drop %s producer' % operand, p


class Consumers(Feature):
    """A linalg.transpose or an extf/truncf linalg.generic on the result."""
    name = 'consumers'

    def generate(self, program, rng, profile):
        layout, dtype = program.layouts['o'], program.out_type
        for _ in range(2):
            if not _maybe(rng, profile.p_feature):
                break
            if _maybe(rng, 0.5):
                new = _permuted(rng, layout)
                program.consumers.append(Consumer('transpose', layout=new))
                layout = new
            else:
                dtype = _other_width(dtype) if dtype != 'f32' else \
                    rng.choice(('f16', 'bf16'))
                program.consumers.append(Consumer('convert', dtype=dtype))

    def describe(self, program):
        return ['then:' + ','.join(
            'transpose' if c.kind == 'transpose' else 'to-' + c.dtype
            for c in program.consumers)] if program.consumers else []

    def simplify(self, program):
        for i, c in enumerate(program.consumers):
            p = program.clone()
            del p.consumers[i]
            yield 'drop consumer %d (%s)' % (i, c.kind), fixup(p)


class Scale(Feature):
    """The scale: about 1/sqrt(K1), exact in every type; sometimes an
    argument of the function instead of a constant."""
    name = 'scale'

    def generate(self, program, rng, profile):
        k1 = program.size_of('k1')
        power = 1.0
        while power * power * k1 > 2.0:
            power /= 2
        program.scale = power * rng.choice((0.5, 0.75, 1.0, 1.5))
        program.scale_arg = _maybe(rng, 0.2)

    def describe(self, program):
        return ['scale-arg'] if program.scale_arg else []

    def simplify(self, program):
        if program.scale_arg:
            p = program.clone()
            p.scale_arg = False
            yield 'constant scale', p


class Dynamic(Feature):
    """Some dims dynamic (tensor<?x...>) in every type that has them."""
    name = 'dynamic'

    def generate(self, program, rng, profile):
        if not _maybe(rng, profile.p_feature * 0.6):
            return
        for d in rng.sample(program.dims, min(2, rng.randint(1, 2))):
            d.dynamic = True

    def describe(self, program):
        names = [d.name for d in program.dims if d.dynamic]
        return ['dyn:' + ','.join(names)] if names else []

    def simplify(self, program):
        for d in program.dims:
            if d.dynamic:
                p = program.clone()
                p.dim(d.name).dynamic = False
                yield 'static ' + d.name, p


class Tiles(Feature):
    """CPU tile sizes other than the default (--m-tile, --k2-tile), often
    not dividing M or K2."""
    name = 'tiles'

    def generate(self, program, rng, profile):
        if _maybe(rng, profile.p_feature):
            program.tiles = [rng.choice((1, 3, 8, 16, 64)),
                             rng.choice((1, 5, 16, 24, 128))]

    def describe(self, program):
        return ['tiles:%dx%d' % tuple(program.tiles)] if program.tiles \
            else []

    def simplify(self, program):
        if program.tiles:
            p = program.clone()
            p.tiles = []
            yield 'default tiles', p


class KeyBlock(Feature):
    """A GPU kernel key block other than the default
    (--attn-kernel-config=key-block=N)."""
    name = 'key_block'

    def generate(self, program, rng, profile):
        if _maybe(rng, profile.p_feature):
            program.key_block = rng.choice((32, 128))

    def describe(self, program):
        return ['key-block:%d' % program.key_block] if program.key_block \
            else []

    def simplify(self, program):
        if program.key_block:
            p = program.clone()
            p.key_block = 0
            yield 'default key block', p


class Waves(Feature):
    """GPU kernel workgroups of 2 or 8 waves (32 or 128 query rows) instead
    of the heuristic's choice (--attn-kernel-config=waves=N)."""
    name = 'waves'

    def generate(self, program, rng, profile):
        if _maybe(rng, profile.p_feature):
            program.waves = rng.choice((2, 8))

    def describe(self, program):
        return ['waves:%d' % program.waves] if program.waves else []

    def simplify(self, program):
        if program.waves:
            p = program.clone()
            p.waves = 0
            yield 'default waves', p


class Mfma(Feature):
    """The GPU kernel on 32x32x8 MFMAs (32 query rows per wave; f32 on
    32x32x2) instead of the heuristic's 16x16x16
    (--attn-kernel-config=mfma=32x32x8)."""
    name = 'mfma'

    def generate(self, program, rng, profile):
        if _maybe(rng, profile.p_feature):
            program.mfma = '32x32x8'

    def describe(self, program):
        return ['mfma:%s' % program.mfma] if program.mfma else []

    def simplify(self, program):
        if program.mfma:
            p = program.clone()
            p.mfma = ''
            yield 'default MFMA shape', p


class Pipeline(Feature):
    """A GPU kernel pipeline depth chosen instead of the heuristic's: 0 (no
    prefetch), 1 (the next block's loads in registers) or 2 (also a second
    LDS buffer; --attn-kernel-config=pipeline=D)."""
    name = 'pipeline'

    def generate(self, program, rng, profile):
        if _maybe(rng, profile.p_feature):
            program.pipeline = rng.choice((0, 1, 2))

    def describe(self, program):
        return ['pipeline:%d' % program.pipeline] \
            if program.pipeline >= 0 else []

    def simplify(self, program):
        if program.pipeline >= 0:
            p = program.clone()
            p.pipeline = -1
            yield 'default pipeline depth', p


FEATURES = [Style(), Dims(), Sizes(), TiedSizes(), Types(), Layouts(),
            Mask(), Causal(), Producers(), Consumers(), Scale(), Dynamic(), Tiles(),
            Lse(), KeyBlock(), Waves(), Mfma(), Pipeline()]
FEATURE_BY_NAME = {f.name: f for f in FEATURES}
# The order in which the shrinker tries simplifications: whole features
# first, then dims, layouts, types and sizes.
SHRINK_ORDER = ('lse', 'mask', 'causal', 'producers', 'consumers', 'scale', 'dynamic',
                'tiles', 'key_block', 'waves', 'mfma', 'pipeline', 'dims', 'layouts',
                'types',
                'sizes')
