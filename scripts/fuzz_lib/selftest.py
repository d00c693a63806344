"""`fuzz --self-test`: checks that the fuzzer itself works.

* the numpy reference against a naive loop implementation;
* generated programs are valid (attn-opt parses and verifies them);
* hand-picked programs: attn-run agrees with the numpy reference on every
  configuration;
* the shrinker reduces synthetic failures ("fails whenever there is a
  mask", "fails when K2 > 64") to minimal programs;
* outcome classification of attn-run's exit status and output.
"""

import dataclasses
import itertools
import os
import subprocess
import tempfile

import numpy as np

from . import driver, features, runner
from .emit import emit
from .inputs import make_inputs
from .program import Consumer, Dim, Producer, Program
from .reference import evaluate
from .shrink import Budget, shrink


def self_test(args):
    checks = [check_reference_naive, check_reference_masked_rows,
              check_classification, check_shrink_mask, check_shrink_size,
              lambda: check_generated_valid(args.attn_run),
              lambda: check_hand_picked(args)]
    failed = 0
    for check in checks:
        for name, ok, detail in check():
            print('self-test: %s: %s%s' % (name, 'ok' if ok else 'FAIL',
                                           ' (%s)' % detail if detail else ''),
                  flush=True)
            failed += not ok
    print('fuzz self-test: %s' % ('FAIL' if failed else 'PASS'))
    return 1 if failed else 0


# -- hand-picked programs -------------------------------------------------

def _program(seed, dims, layouts=None, **kw):
    """A Program with standard layouts unless given."""
    p = Program(seed=seed, dims=[Dim(*d) for d in dims], layouts={}, **kw)
    for operand in ('q', 'k', 'v', 'o'):
        p.layouts[operand] = p.standard_layout(operand)
    p.layouts.update(layouts or {})
    return p


def masked_f32():
    """Transposed V, an i1 mask over (M, K2) with fully masked rows."""
    return _program(
        11, [('b0', 'batch', 2), ('m0', 'm', 17), ('k1_0', 'k1', 16),
             ('k2_0', 'k2', 3), ('n0', 'n', 8)],
        {'v': ['b0', 'n0', 'k2_0'], 'mask': ['m0', 'k2_0']},
        mask_type='i1', mask_density=0.3)


def dequant_f16():
    """Dequantized V, a broadcast f16 mask, a transposed output."""
    return _program(
        12, [('b0', 'batch', 2), ('m0', 'm', 9), ('k1_0', 'k1', 8),
             ('k2_0', 'k2', 40), ('n0', 'n', 16)],
        {'mask': ['k2_0', 'b0']}, qkv_type='f16', out_type='f16',
        scale_type='f16', scale=0.25, mask_type='f16',
        producers={'v': Producer('dequant', qdims=['n0'])},
        consumers=[Consumer('transpose', layout=['n0', 'b0', 'm0'])])


def gqa_bf16():
    """GQA heads, K from a transpose, a dynamic M dim, a scale argument."""
    return _program(
        13, [('b0', 'batch', 2), ('h', 'm', 3), ('m0', 'm', 5, True),
             ('k1_0', 'k1', 16), ('k2_0', 'k2', 24), ('n0', 'n', 8)],
        qkv_type='bf16', out_type='bf16', scale_type='bf16', scale=0.25,
        scale_arg=True,
        producers={'k': Producer('transpose',
                                 src_layout=['k1_0', 'b0', 'k2_0'])})


def gpu_f16():
    return _program(
        14, [('b0', 'batch', 1), ('m0', 'm', 64), ('k1_0', 'k1', 16),
             ('k2_0', 'k2', 64), ('n0', 'n', 16)],
        qkv_type='f16', out_type='f16', scale_type='f16', scale=0.25)


def check_hand_picked(args):
    options = driver.Options(attn_run=args.attn_run, devices=args.devices,
                             timeout=args.timeout)
    programs = [('masked-f32', masked_f32()), ('dequant-f16', dequant_f16()),
                ('gqa-bf16', gqa_bf16())]
    if 'rocm-sim' in args.devices:
        programs.append(('gpu-f16', gpu_f16()))
    for name, program in programs:
        configs = [c for c in driver.configs_for(program, options)
                   if name == 'gpu-f16' or c != 'rocm-sim']
        result = driver.test_program(program, options, configs)
        yield ('attn-run agrees with numpy: %s (%s)' % (
            name, ', '.join(configs)), not result.failed,
            '; '.join(f.describe() for f in result.failures))
    if 'rocm-sim' in args.devices:
        yield check_broken_kernel(options)


def check_broken_kernel(options):
    """A deliberately broken GPU kernel is a mismatch."""
    broken = dataclasses.replace(
        options, extra_flags=('--break-kernel=swap-mfma-operands',))
    result = driver.test_program(gpu_f16(), broken, ['rocm-sim'])
    status = result.outcomes['rocm-sim'].status
    return ('broken GPU kernel (--break-kernel) is a mismatch',
            status == 'mismatch', 'got ' + status)


# -- the reference ----------------------------------------------------------

def naive_attention(program, values):
    """Loop-by-loop attention (no einsum, no relayout) in O's layout."""
    dims = program.dims
    lay = program.layouts
    q, k, v = values['q'], values['k'], values['v']
    mask = values.get('mask')

    def at(array, operand, index):
        return array[tuple(index[n] for n in lay[operand])]

    out = np.zeros([program.dim(n).size for n in lay['o']])
    outer = [d for d in dims if d.role in ('batch', 'm')]
    for outer_idx in itertools.product(*(range(d.size) for d in outer)):
        index = {d.name: i for d, i in zip(outer, outer_idx)}
        scores, keys = _naive_scores(program, q, k, mask, index)
        finite = [s for s in scores if s != -np.inf]
        if not finite:
            continue
        top = max(finite)
        weights = [np.exp(s - top) if s != -np.inf else 0.0 for s in scores]
        total = sum(weights)
        for n_idx in itertools.product(
                *(range(d.size) for d in program.dims_of('n'))):
            index.update(zip(program.names_of('n'), n_idx))
            acc = 0.0
            for w, key in zip(weights, keys):
                index.update(key)
                acc += w * at(v, 'v', index)
            out[tuple(index[n] for n in lay['o'])] = acc / total
    return out


def _naive_scores(program, q, k, mask, index):
    lay = program.layouts
    scores, keys = [], []
    k2 = program.dims_of('k2')
    for k2_idx in itertools.product(*(range(d.size) for d in k2)):
        index.update({d.name: i for d, i in zip(k2, k2_idx)})
        s = 0.0
        for k1_idx in itertools.product(
                *(range(d.size) for d in program.dims_of('k1'))):
            index.update(zip(program.names_of('k1'), k1_idx))
            s += q[tuple(index[n] for n in lay['q'])] * \
                k[tuple(index[n] for n in lay['k'])]
        s *= program.scale
        if mask is not None:
            m = mask[tuple(index[n] for n in lay['mask'])]
            s = (s if m else -np.inf) if program.mask_type == 'i1' else s + m
        scores.append(s)
        keys.append({d.name: i for d, i in zip(k2, k2_idx)})
    return scores, keys


def check_reference_naive():
    """The einsum reference equals the loop one on permuted layouts with
    two dims per role and masks of both kinds."""
    base = _program(
        21, [('b0', 'batch', 2), ('m0', 'm', 3), ('m1', 'm', 2),
             ('k1_0', 'k1', 3), ('k2_0', 'k2', 2), ('k2_1', 'k2', 3),
             ('n0', 'n', 2), ('n1', 'n', 2)],
        {'q': ['k1_0', 'm1', 'b0', 'm0'], 'k': ['k2_1', 'b0', 'k1_0', 'k2_0'],
         'v': ['n1', 'k2_0', 'n0', 'b0', 'k2_1'],
         'o': ['m1', 'n0', 'b0', 'n1', 'm0'], 'mask': ['k2_1', 'm0']},
        scale=0.5, mask_type='i1', mask_density=0.4)
    for mask_type in ('i1', 'f32', None):
        p = base.clone()
        p.mask_type = mask_type
        if mask_type is None:
            del p.layouts['mask']
        values = make_inputs(p)
        got, want = evaluate(p, values), naive_attention(p, values)
        err = float(np.abs(got - want).max())
        yield ('reference = naive loops (mask %s)' % mask_type, err < 1e-12,
               'max err %.3g' % err)


def check_reference_masked_rows():
    """A row with every key masked out is 0; one key gives that V row."""
    p = _program(22, [('m0', 'm', 2), ('k1_0', 'k1', 2), ('k2_0', 'k2', 1),
                      ('n0', 'n', 3)], {'mask': ['m0', 'k2_0']},
                 mask_type='i1')
    values = make_inputs(p)
    values['mask'] = np.array([[False], [True]])
    out = evaluate(p, values)
    ok = np.all(out[0] == 0) and np.allclose(out[1], values['v'][0])
    yield 'reference: fully masked row is 0, one key gives V', bool(ok), ''


# -- the shrinker -------------------------------------------------------------

def _rich_program():
    """A generated program with a mask, producers, consumers and several
    dims per role."""
    for seed in itertools.count(1):
        p = features.generate_program(seed, features.PROFILES['default'])
        if p.has_mask() and p.producers and p.consumers and \
                len(p.dims) >= 7 and p.qkv_type != 'f32':
            return p


def _minimal_apart_from(program, allowed):
    """Names of what is not minimal in `program`, ignoring `allowed`."""
    extra = []
    if program.producers:
        extra.append('producers')
    if program.consumers:
        extra.append('consumers')
    if program.dims_of('batch') or len(program.dims) != 4:
        extra.append('dims')
    if any(d.size != 1 for d in program.dims if d.name not in allowed):
        extra.append('sizes')
    if any(d.dynamic for d in program.dims) or program.scale_arg or \
            program.tiles:
        extra.append('dynamic/scale/tiles')
    if {program.qkv_type, program.out_type, program.scale_type} != {'f32'}:
        extra.append('types')
    if any(program.layouts[o] != program.standard_layout(o)
           for o in program.layouts):
        extra.append('layouts')
    return extra


def check_shrink_mask():
    original = _rich_program()
    minimal, steps, tested = shrink(original, lambda p: p.has_mask(),
                                    Budget(max_attempts=1000))
    extra = _minimal_apart_from(minimal, ())
    ok = minimal.has_mask() and not extra and \
        len(minimal.layouts['mask']) == 1
    yield ('shrink "fails whenever there is a mask" (seed %d, %d tested)' % (
        original.seed, tested), ok, features.describe(minimal) +
        ('; not minimal: ' + ', '.join(extra) if extra else ''))


def check_shrink_size():
    original = _rich_program()
    original.dims_of('k2')[0].size = 100

    def fails(p):
        return p.size_of('k2') > 64
    minimal, _, tested = shrink(original, fails, Budget(max_attempts=1000))
    k2 = minimal.dims_of('k2')
    extra = _minimal_apart_from(minimal, [d.name for d in k2])
    ok = not minimal.has_mask() and not extra and minimal.size_of('k2') == 65
    yield ('shrink "fails when K2 > 64" to K2 = 65 (%d tested)' % tested, ok,
           features.describe(minimal) +
           ('; not minimal: ' + ', '.join(extra) if extra else ''))


# -- classification and generated programs ------------------------------------

def check_classification():
    cases = [
        ((-11, '', ''), 'crash'),
        ((1, '', 'PLEASE submit a bug report to ...\nStack dump:'), 'crash'),
        ((134, '', 'Assertion failed'), 'crash'),
        ((1, 'check result[0]: max abs err 1 (atol 1, rtol 1): FAIL', ''),
         'check-fail'),
        ((1, '', 'x.mlir:3:4: error: attn-rocm-attention-kernels: the GPU '
          'kernel needs static shapes\nattn-run: error: compilation failed'),
         'gpu-unsupported'),
        ((1, '', "x.mlir:3:4: error: 'scf.for' op Yield operand #0 is not "
          'equivalent to the corresponding iter bbArg'), 'compile-error'),
        ((0, 'check result[0]: max abs err 0 (atol 1, rtol 1): PASS', ''),
         runner.PASS),
    ]
    for (code, out, err), want in cases:
        got = runner.classify(code, out, err).status
        yield 'classify exit %d as %s' % (code, want), got == want, (
            'got ' + got if got != want else '')


def check_generated_valid(attn_run):
    """attn-opt (beside attn-run) parses and verifies generated programs."""
    attn_opt = os.path.join(os.path.dirname(attn_run), 'attn-opt')
    if not os.access(attn_opt, os.X_OK):
        yield 'generated programs verify', True, 'skipped: no ' + attn_opt
        return
    texts = [emit(features.generate_program(seed, features.PROFILES[name]))
             for name in ('default', 'quick') for seed in range(40)]
    texts += [emit(p) for p in (masked_f32(), dequant_f16(), gqa_bf16())]
    with tempfile.NamedTemporaryFile('w', suffix='.mlir') as f:
        f.write('\n// -----\n'.join(texts))
        f.flush()
        proc = subprocess.run([attn_opt, '--split-input-file', f.name,
                               '-o', os.devnull], capture_output=True,
                              text=True)
    yield ('%d generated programs verify (attn-opt)' % len(texts),
           proc.returncode == 0, runner.first_error(proc.stderr))
