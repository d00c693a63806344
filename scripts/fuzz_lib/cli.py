"""Command line of scripts/fuzz."""

import argparse
import concurrent.futures
import os
import random
import sys
import threading
import time
from collections import Counter

from . import driver, features, runner
from .program import Program
from .selftest import self_test
from .shrink import Budget, shrink

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
QUICK_SEED = 12426      # see docs/fuzzing.md: covers the shapes of past bugs
QUICK_COUNT = 36
DEFAULT_COUNT = 20


def default_attn_run():
    build = os.environ.get('ATTN_BUILD') or os.path.join(REPO, 'build')
    return os.path.join(build, 'bin', 'attn-run')


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog='fuzz', description='Differential fuzzer of attn: random valid '
        'attention programs, run with attn-run on every configuration and '
        'compared with a float64 numpy reference. See docs/fuzzing.md.')
    ap.add_argument('--seed', type=int, help='seed of the first program '
                    '(program i has seed SEED+i; default: random, or %d '
                    'with --quick)' % QUICK_SEED)
    ap.add_argument('--count', type=int, help='number of programs (default '
                    '%d, %d with --quick, unlimited with --time-limit)' % (
                        DEFAULT_COUNT, QUICK_COUNT))
    ap.add_argument('--devices', default='cpu,rocm-sim',
                    help='comma-separated: cpu (with and without the graph '
                    'pipeline), rocm-sim (GPU-sized programs only)')
    ap.add_argument('--jobs', type=int, default=2,
                    help='programs tested in parallel (default 2)')
    ap.add_argument('--out', default=os.path.join(REPO, 'fuzz-failures'),
                    help='where failures are saved (default fuzz-failures/)')
    ap.add_argument('--attn-run', default=default_attn_run(),
                    help='attn-run binary (default $ATTN_BUILD/bin/attn-run '
                    'or build/bin/attn-run)')
    ap.add_argument('--time-limit', type=float,
                    help='start no new program after SECONDS')
    ap.add_argument('--timeout', type=float, default=120.0,
                    help='seconds per attn-run call (default 120)')
    ap.add_argument('--no-shrink', action='store_true',
                    help='save failing programs as generated')
    ap.add_argument('--shrink-seconds', type=float,
                    help='time limit of one shrink (default 300, 20 with '
                    '--quick)')
    ap.add_argument('--quick', action='store_true',
                    help='the fixed-seed CI batch: %d small programs, '
                    'rocm-sim on every third' % QUICK_COUNT)
    ap.add_argument('--allow-gpu-unsupported', action='store_true',
                    help='count "the GPU kernel needs ..." rejections as '
                    'skips, not failures')
    ap.add_argument('--self-test', action='store_true',
                    help='check the fuzzer itself (reference vs attn-run on '
                    'hand-picked programs, shrinker, classification)')
    ap.add_argument('--replay', metavar='PROGRAM.json',
                    help='test a saved program (program.json of a saved '
                    'failure) instead of generating programs')
    ap.add_argument('--verbose', action='store_true',
                    help='print each kept simplification while shrinking')
    args = ap.parse_args(argv)
    _apply_defaults(args, ap)
    return args


def _apply_defaults(args, ap):
    if args.seed is None:
        args.seed = QUICK_SEED if args.quick else random.randrange(10**6)
    if args.count is None and args.time_limit is None:
        args.count = QUICK_COUNT if args.quick else DEFAULT_COUNT
    if args.shrink_seconds is None:
        args.shrink_seconds = 20.0 if args.quick else 300.0
    args.devices = tuple(d for d in args.devices.split(',') if d)
    for device in args.devices:
        if device not in runner.DEVICE_CONFIGS:
            ap.error('unknown device %r (expected cpu, rocm-sim)' % device)
    if args.jobs < 1:
        ap.error('--jobs must be at least 1')
    args.attn_run = os.path.abspath(args.attn_run)


class Session:
    """Shared state of a run: options, output and known failures."""

    def __init__(self, args):
        self.args = args
        self.options = driver.Options(
            attn_run=args.attn_run, devices=args.devices,
            timeout=args.timeout,
            allow_gpu_unsupported=args.allow_gpu_unsupported,
            profile=features.PROFILES['quick' if args.quick else 'default'])
        self.start = time.monotonic()
        self.deadline = None if args.time_limit is None else \
            self.start + args.time_limit
        self.lock = threading.Lock()
        self.seen = {}          # failure signature -> first seed
        self.classes = Counter()
        self.passed = self.failed = 0

    def out_of_time(self):
        return self.deadline is not None and time.monotonic() > self.deadline

    def claim(self, signature, seed):
        """None for the first program with this failure signature, else
        the seed of that first program."""
        with self.lock:
            first = self.seen.get(signature)
            if first is None:
                self.seen[signature] = seed
            return first

    def report(self, lines, failed, classes):
        with self.lock:
            print('\n'.join(lines), flush=True)
            self.failed += failed
            self.passed += not failed
            self.classes.update(classes)


def fuzz_one(session, seed):
    """Generates, tests, shrinks and saves one program."""
    fuzz_program(session,
                 features.generate_program(seed, session.options.profile))


def fuzz_program(session, program):
    """Tests one program; shrinks and saves its failures."""
    result = driver.test_program(program, session.options)
    lines = ['seed %d: %s | %s' % (program.seed, features.describe(program),
                                   result.summary())]
    for failure in result.failures:
        lines.append('  ' + failure.describe())
    for failure in driver.distinct_failures(result.failures):
        lines += handle_failure(session, program, failure)
    classes = [f.status for f in result.failures]
    session.report(lines, result.failed, classes)


def handle_failure(session, program, failure):
    """Shrinks and saves a failure not seen before; returns report lines."""
    first = session.claim(failure.signature(), program.seed)
    if first is not None:
        return ['  (same failure as seed %d: not saved)' % first]
    minimal, steps, tested, note = program, [], 0, 'not shrunk'
    if not session.args.no_shrink:
        budget = Budget(seconds=session.args.shrink_seconds)
        minimal, steps, tested = shrink(
            program, lambda p: driver.reproduces(p, failure, session.options),
            budget)
        note = '%d simplifications kept, %d programs tested' % (len(steps),
                                                                tested)
    directory = driver.save_failure(session.args.out, program, minimal,
                                    failure, session.options, note)
    lines = ['  saved %s (%s): %s' % (os.path.relpath(directory), note,
                                      features.describe(minimal))]
    if session.args.verbose and steps:
        lines.append('    kept: ' + '; '.join(steps))
    return lines


def run(args):
    session = Session(args)
    configs = ', '.join(n for d in args.devices
                        for n in runner.DEVICE_CONFIGS[d])
    what = 'replay %s' % args.replay if args.replay else \
        'seed %d, %s programs, profile %s' % (
            args.seed, args.count or 'unlimited',
            session.options.profile.name)
    print('fuzz: %s, configs %s, %d jobs, attn-run %s' % (
        what, configs, args.jobs, args.attn_run), flush=True)
    if args.replay:
        with open(args.replay) as f:
            fuzz_program(session, Program.from_json(f.read()))
        return finish(session)
    seeds = _seeds(args)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        running = set()
        try:
            for seed in seeds:
                if session.out_of_time():
                    break
                if len(running) >= args.jobs:
                    done, running = concurrent.futures.wait(
                        running, return_when='FIRST_COMPLETED')
                    _raise_errors(done)
                running.add(pool.submit(fuzz_one, session, seed))
            _raise_errors(concurrent.futures.wait(running)[0])
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            print('fuzz: interrupted', flush=True)
    return finish(session)


def _seeds(args):
    seed = args.seed
    while args.count is None or seed < args.seed + args.count:
        yield seed
        seed += 1


def _raise_errors(futures):
    for future in futures:
        future.result()


def finish(session):
    elapsed = time.monotonic() - session.start
    if session.classes:
        print('fuzz: failure classes: ' + ', '.join(
            '%s %d' % kv for kv in sorted(session.classes.items())))
        print('fuzz: failures saved under ' + session.args.out)
    print('fuzz: %.1f s' % elapsed)
    print('fuzz: %d passed, %d failed' % (session.passed, session.failed),
          flush=True)
    return 1 if session.failed else 0


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.access(args.attn_run, os.X_OK):
        print('fuzz: error: no attn-run at %s (build first, or give '
              '--attn-run)' % args.attn_run, file=sys.stderr)
        return 2
    try:
        if args.self_test:
            return self_test(args)
        return run(args)
    except RuntimeError as e:
        print('fuzz: error: %s' % e, file=sys.stderr)
        return 2
