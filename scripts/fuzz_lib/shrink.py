"""Greedy reduction of a failing program.

The features' simplifications are tried in features.SHRINK_ORDER (drop
the mask, producers, consumers and dynamic dims; drop or merge extra
dims; standard layouts; f32 types; smaller sizes). A simplification is
kept when the program still fails the same way (the predicate). Passes
repeat until one keeps nothing, or the budget runs out; then the dims get
their canonical names back.
"""

import time

from . import features


class Budget:
    """At most `max_attempts` programs tested, until `seconds` from now
    (or `deadline`, a time.monotonic() value, if earlier)."""

    def __init__(self, max_attempts=200, seconds=600.0, deadline=None):
        self.attempts_left = max_attempts
        self.deadline = time.monotonic() + seconds
        if deadline is not None:
            self.deadline = min(self.deadline, deadline)

    def spend(self):
        """Takes one attempt; False when none is left."""
        if self.attempts_left <= 0 or time.monotonic() > self.deadline:
            return False
        self.attempts_left -= 1
        return True


class _OutOfBudget(Exception):
    pass


class _Tester:
    """The predicate with a cache (simplifications may coincide) and the
    budget. A simplification (by label) that did not reproduce the failure
    is not tried again, which keeps shrinking linear in the number of
    simplifications."""

    def __init__(self, still_fails, budget):
        self.still_fails = still_fails
        self.budget = budget
        self.results = {}
        self.rejected = set()

    def __call__(self, label, candidate):
        if label in self.rejected:
            return False
        key = candidate.to_json()
        if key not in self.results:
            if not self.budget.spend():
                raise _OutOfBudget()
            self.results[key] = bool(self.still_fails(candidate))
        if not self.results[key]:
            self.rejected.add(label)
        return self.results[key]


def shrink(program, still_fails, budget=None):
    """Returns (the smallest failing program found, labels of the kept
    simplifications, number of programs tested)."""
    test = _Tester(still_fails, budget or Budget())
    state = {'program': program, 'steps': []}
    try:
        changed = True
        while changed:
            changed = False
            for feature in features.SHRINK_ORDER:
                changed |= _reduce_feature(state, feature, test)
        _rename(state, test)
    except _OutOfBudget:
        pass
    return state['program'], state['steps'], len(test.results)


def _rename(state, test):
    """Dims named b0, m0, k1_0, ... again after merges and drops."""
    renamed = features.Dims.canonical_names(state['program'])
    if renamed != state['program'] and test('canonical names', renamed):
        state['program'] = renamed
        state['steps'].append('canonical names')


def _reduce_feature(state, feature, test):
    """Keeps the feature's simplifications while one still fails; True
    if any was kept."""
    simplify = features.FEATURE_BY_NAME[feature].simplify
    kept_any = False
    progress = True
    while progress:
        progress = False
        for label, candidate in simplify(state['program']):
            if test(label, candidate):
                state['program'] = candidate
                state['steps'].append(label)
                kept_any = progress = True
                break
    return kept_any
