"""Testing one program on every configuration, and saving failures."""

import os
import shlex
import tempfile
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from . import dtypes, features, runner
from .emit import emit
from .inputs import make_inputs, write_inputs
from .reference import evaluate, evaluate_lse
from .runner import CONFIGS, PASS, SKIP, Outcome


@dataclass
class Options:
    attn_run: str
    devices: Tuple[str, ...] = ('cpu', 'rocm-sim')
    timeout: float = 120.0
    allow_gpu_unsupported: bool = False
    profile: features.Profile = features.PROFILES['default']
    work_dir: Optional[str] = None
    extra_flags: Tuple[str, ...] = ()   # appended to every attn-run call


@dataclass
class Failure:
    config: str
    status: str
    message: str
    underlying: str = ''   # never-worse: the graph pipeline's failure

    def signature(self):
        """What must stay the same while shrinking (and to tell bugs
        apart): configuration, class and the message's shape."""
        key = ''
        if self.status in ('crash', 'compile-error', 'gpu-unsupported') or \
                self.underlying in ('crash', 'compile-error'):
            key = runner.message_key(self.message)
        return (self.config, self.status, self.underlying, key)

    def describe(self):
        status = self.status
        if self.underlying:
            status += ' (%s)' % self.underlying
        return '%s: %s: %s' % (self.config, status, self.message)


@dataclass
class Result:
    program: object
    outcomes: Dict[str, Outcome] = field(default_factory=dict)
    failures: List[Failure] = field(default_factory=list)

    @property
    def failed(self):
        return bool(self.failures)

    def summary(self):
        parts = []
        for name, outcome in self.outcomes.items():
            text = {PASS: 'PASS', SKIP: 'skip'}.get(
                outcome.status, 'FAIL(%s)' % outcome.status)
            parts.append('%s %s' % (name, text))
        if any(f.status == 'never-worse' for f in self.failures):
            parts.append('never-worse FAIL')
        seconds = sum(o.seconds for o in self.outcomes.values())
        return '%s (%.1f s)' % (', '.join(parts), seconds)


def configs_for(program, options):
    """Configurations a program runs on: both CPU ones, and the GPU
    emulation for GPU-sized programs (only the seed's subset in
    profiles that say so)."""
    names = []
    if 'cpu' in options.devices:
        names += runner.DEVICE_CONFIGS['cpu']
    if 'rocm-sim' in options.devices and features.gpu_sized(program):
        if not options.profile.gpu_subset_only or features.is_gpu_program(
                program.seed, options.profile):
            names.append('rocm-sim')
    return names


def test_program(program, options, config_names=None):
    """Compiles and runs `program` on each configuration; compares every
    output with the numpy reference."""
    config_names = config_names or configs_for(program, options)
    result = Result(program)
    values = make_inputs(program)
    want = evaluate(program, values)
    want_lse = evaluate_lse(program, values) if program.lse else None
    with tempfile.TemporaryDirectory(prefix='attn-fuzz-',
                                     dir=options.work_dir) as tmp:
        mlir = os.path.join(tmp, 'program.mlir')
        with open(mlir, 'w') as f:
            f.write(emit(program))
        flags = write_inputs(program, values, tmp)
        for name in config_names:
            result.outcomes[name] = _run_config(
                program, options, CONFIGS[name], mlir, flags, want, want_lse,
                tmp)
    result.failures = _failures(result.outcomes)
    return result


def _run_config(program, options, config, mlir, flags, want, want_lse, tmp):
    out = os.path.join(tmp, 'out-%s.npy' % config.name)
    lse_out = os.path.join(tmp, 'lse-%s.npy' % config.name)
    cmd = runner.command(options.attn_run, mlir, flags, config, out) + \
        (['--output=@' + lse_out] if program.lse else []) + \
        program_flags(program, config) + list(options.extra_flags)
    outcome, has_output = runner.run(cmd, options.timeout)
    if outcome.status == 'gpu-unsupported' and options.allow_gpu_unsupported:
        outcome.status = SKIP
    if not has_output:
        return outcome
    if not os.path.exists(out):
        return Outcome('compile-error', 'exit code 0 but no output file',
                       outcome.seconds)
    got = dtypes.load_npy(out, program.result_type())
    atol, rtol = runner.tolerance(program, config)
    ok, _, msg = dtypes.compare(got, want, atol, rtol)
    if ok and program.lse:
        ok, msg = _compare_lse(dtypes.load_npy(lse_out, 'f32'), want_lse,
                               atol, rtol)
    if not ok:
        check = 'check FAIL' if outcome.status == 'check-fail' else \
            'check PASS'
        return Outcome('mismatch', '%s vs numpy (%s)' % (msg, check),
                       outcome.seconds)
    return outcome


def _compare_lse(got, want, atol, rtol):
    """(ok, message): -inf (rows with every key masked) exactly where the
    reference has it, the other values within tolerance."""
    if got.shape == want.shape and not np.array_equal(np.isneginf(got),
                                                      np.isneginf(want)):
        return False, 'lse: -inf rows differ'
    finite = ~np.isneginf(want) if got.shape == want.shape else Ellipsis
    ok, _, msg = dtypes.compare(got[finite], want[finite], atol, rtol)
    return ok, 'lse: ' + msg


def _failures(outcomes):
    failures = [Failure(name, o.status, o.message)
                for name, o in outcomes.items() if o.failed]
    graph, plain = outcomes.get('cpu'), outcomes.get('cpu-nograph')
    if graph and plain and graph.failed and plain.status == PASS:
        # The graph pipeline made a working program fail.
        failures = [Failure('cpu', 'never-worse', graph.message,
                            underlying=graph.status)
                    if f.config == 'cpu' else f for f in failures]
    return failures


def distinct_failures(failures):
    """Failures worth shrinking separately: a failure of the graph
    pipeline that the plain pipeline shares is the plain one's."""
    plain = {(f.status, f.signature()[3]) for f in failures
             if f.config == 'cpu-nograph'}
    return [f for f in failures
            if not (f.config == 'cpu' and (f.status, f.signature()[3])
                    in plain)]


def reproduces(program, failure, options):
    """True when `program` fails with the failure's signature."""
    names = [failure.config]
    if failure.status == 'never-worse':
        names = ['cpu-nograph', 'cpu']
    result = test_program(program, options, names)
    return any(f.signature() == failure.signature() for f in result.failures)


def save_failure(out_dir, original, minimal, failure, options, note=''):
    """Writes the minimal program (program.mlir, program.json), its inputs
    (argN.npy), the numpy reference rounded to the result type
    (expected.npy), the original program (original.mlir, original.json)
    and a README under
    out_dir/<class>-<config>-seed<N>; appends a one-line summary to
    out_dir/README. Returns the directory."""
    os.makedirs(out_dir, exist_ok=True)
    directory = _unique_dir(out_dir, '%s-%s-seed%d' % (
        failure.status, failure.config, original.seed))
    values = make_inputs(minimal)
    _write(directory, 'program.mlir', emit(minimal))
    _write(directory, 'original.mlir', emit(original))
    _write(directory, 'program.json', minimal.to_json())
    _write(directory, 'original.json', original.to_json())
    flags = write_inputs(minimal, values, directory, relative=True)
    dtypes.save_npy(os.path.join(directory, 'expected.npy'),
                    minimal.result_type(), evaluate(minimal, values))
    atol, rtol = runner.tolerance(minimal, CONFIGS[failure.config])
    flags += ['--expected_output=@expected.npy', '--atol=%g' % atol,
              '--rtol=%g' % rtol]
    commands = reproduce_commands(options.attn_run, flags, failure, minimal)
    fuzz = 'scripts/fuzz --seed %d --count 1' % original.seed
    if options.profile.name != 'default':
        fuzz += ' --' + options.profile.name
    _write(directory, 'README', '\n'.join([
        'class: %s on %s (seed %d)' % (failure.status, failure.config,
                                      original.seed),
        'message: ' + failure.message,
        'program: ' + features.describe(minimal),
        'original: ' + features.describe(original),
    ] + ['reproduce: cd %s && %s' % (shlex.quote(directory), c)
         for c in commands] + ['regenerate: ' + fuzz] +
        (['note: ' + note] if note else [])) + '\n')
    with open(os.path.join(out_dir, 'README'), 'a') as f:
        f.write('%s: %s on %s, seed %d: cd %s && %s\n' % (
            os.path.basename(directory), failure.status, failure.config,
            original.seed, shlex.quote(directory), commands[-1]))
    return directory


def program_flags(program, config):
    """attn-run flags a program asks for on a configuration (CPU tiles, the
    GPU kernel's configuration)."""
    if program.tiles and not config.gpu:
        return ['--m-tile=%d' % program.tiles[0],
                '--k2-tile=%d' % program.tiles[1]]
    settings = []
    if program.key_block:
        settings.append('key-block=%d' % program.key_block)
    if program.waves:
        settings.append('waves=%d' % program.waves)
    if program.mfma:
        settings.append('mfma=' + program.mfma)
    if program.pipeline >= 0:
        settings.append('pipeline=%d' % program.pipeline)
    if settings and config.gpu:
        return ['--attn-kernel-config=' + ','.join(settings)]
    return []


def reproduce_commands(attn_run, flags, failure, program):
    """attn-run command lines showing the failure (run in its directory)."""
    def line(name):
        config = CONFIGS[name]
        return ' '.join(shlex.quote(a) for a in [attn_run, 'program.mlir'] +
                        flags + ['--check', '--output=@out.npy'] +
                        list(config.flags) + program_flags(program, config))
    if failure.status == 'never-worse':
        return [line('cpu-nograph') + '  # passes', line('cpu') + '  # fails']
    return [line(failure.config)]


def _write(directory, name, text):
    with open(os.path.join(directory, name), 'w') as f:
        f.write(text)


def _unique_dir(parent, name):
    path = os.path.join(parent, name)
    n = 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            n += 1
            path = os.path.join(parent, '%s-%d' % (name, n))
