"""attn-run invocations and the classification of their outcomes."""

import re
import subprocess
import time
from dataclasses import dataclass
from typing import Tuple

from . import dtypes


@dataclass(frozen=True)
class Config:
    """One way of compiling and running a program."""
    name: str
    flags: Tuple[str, ...]
    gpu: bool = False


CONFIGS = {
    'cpu': Config('cpu', ('--device=cpu',)),
    'cpu-nograph': Config('cpu-nograph', ('--device=cpu', '--no-graph-opt')),
    'rocm-sim': Config('rocm-sim', ('--device=rocm-sim',), gpu=True),
}
# --devices names -> configs.
DEVICE_CONFIGS = {'cpu': ('cpu', 'cpu-nograph'), 'rocm-sim': ('rocm-sim',)}

PASS, SKIP = 'pass', 'skip'
# Failure classes, most severe first.
FAILURE_CLASSES = ('crash', 'timeout', 'compile-error', 'gpu-unsupported',
                   'mismatch', 'check-fail', 'never-worse')

GPU_UNSUPPORTED = 'the GPU kernel needs'
CRASH_MARKERS = ('Stack dump', 'PLEASE submit a bug report')


@dataclass
class Outcome:
    status: str            # PASS, SKIP or a failure class
    message: str = ''
    seconds: float = 0.0

    @property
    def failed(self):
        return self.status not in (PASS, SKIP)


def tolerance(program, config):
    """(atol, rtol) against the float64 reference: by the least precise
    type involved. f16/bf16 GPU kernels round P to their MFMA input type;
    f32 attention multiplies in f32 on the GPU too (f32 MFMAs), so an f32
    program is held to the f32 tolerance on every device."""
    least = dtypes.least_precise(set(program.types_involved()))
    if config.gpu and least in dtypes.GPU_TOLERANCES:
        return dtypes.GPU_TOLERANCES[least]
    return dtypes.TOLERANCES[least]


def command(attn_run, mlir_path, input_flags, config, out_path):
    return ([attn_run, mlir_path] + list(input_flags) +
            ['--output=@' + out_path, '--check'] + list(config.flags))


def run(cmd, timeout):
    """Runs attn-run; returns (Outcome without the numeric comparison,
    True when an output file was written)."""
    start = time.monotonic()
    try:
        proc = _start(cmd, timeout)
    except subprocess.TimeoutExpired:
        return Outcome('timeout', 'no result after %g s' % timeout,
                       time.monotonic() - start), False
    outcome = classify(proc.returncode, proc.stdout, proc.stderr)
    outcome.seconds = time.monotonic() - start
    return outcome, outcome.status in (PASS, 'check-fail')


def _start(cmd, timeout, retry_seconds=300):
    """subprocess.run, retried while the binary cannot be executed (a
    rebuild may be replacing it)."""
    give_up = time.monotonic() + retry_seconds
    while True:
        try:
            return subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=timeout, errors='replace')
        except OSError as e:
            if time.monotonic() > give_up:
                raise RuntimeError('cannot run %s: %s' % (cmd[0], e))
            time.sleep(2)


def classify(returncode, stdout, stderr):
    """The outcome of one attn-run process (before comparing its output)."""
    error = first_error(stderr)
    if returncode < 0:
        return Outcome('crash', 'killed by signal %d; %s' % (-returncode,
                                                             error))
    if any(marker in stderr for marker in CRASH_MARKERS):
        return Outcome('crash', error or 'stack dump')
    if returncode > 1:
        return Outcome('crash', 'exit code %d; %s' % (returncode, error))
    check = [line for line in stdout.splitlines()
             if line.startswith('check result')]
    if returncode == 1:
        failed = [line for line in check if line.endswith('FAIL')]
        if failed:
            return Outcome('check-fail', failed[0])
        if GPU_UNSUPPORTED in stderr:
            return Outcome('gpu-unsupported', error)
        return Outcome('compile-error', error or 'exit code 1, no message')
    return Outcome(PASS, check[0] if check else '')


def first_error(stderr):
    """The first error line, without the file name."""
    for line in stderr.splitlines():
        if 'error:' in line:
            return re.sub(r'^\S*\.mlir:\d+:\d+: ', '', line.strip())[:300]
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ''


def message_key(message):
    """A failure message without numbers and names, to tell bugs apart."""
    key = re.sub(r'%[\w.]+', '%_', message)
    key = re.sub(r'\d+', 'N', key)
    key = re.sub(r"'[^']*\.mlir'", "'F'", key)
    return key
