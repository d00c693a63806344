"""Element types: rounding, .npy storage and comparison tolerances.

attn-run reads and writes bf16 arrays as '<u2' (the raw bits), f16 as
'<f2', i1 as '|b1' and i8 as '|i1' (runtime/Npy.cpp).
"""

import numpy as np

# Absolute and relative tolerance of a comparison with the float64
# reference, by the least precise type a value passes through.
TOLERANCES = {
    'f32': (1e-4, 1e-3),
    'f16': (5e-3, 5e-3),
    'bf16': (3e-2, 3e-2),
}
# The GPU kernels round Q, K, V and P to their MFMA input type; scores of
# long dot products in f16 lose more than one rounding of the output.
GPU_TOLERANCES = {
    'f16': (1e-2, 1e-2),
    'bf16': (4e-2, 4e-2),
}
_PRECISION_ORDER = ('bf16', 'f16', 'f32')  # least precise first


def least_precise(types):
    for t in _PRECISION_ORDER:
        if t in types:
            return t
    return 'f32'


def _f32_to_bf16_bits(x):
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    bias = np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return ((bits + bias) >> np.uint32(16)).astype(np.uint16)


def _bf16_bits_to_f64(bits):
    wide = bits.astype(np.uint32) << np.uint32(16)
    return wide.view(np.float32).astype(np.float64)


def round_to(dtype, x):
    """Rounds float64 values to `dtype` (to nearest even), as float64."""
    x = np.asarray(x, dtype=np.float64)
    if dtype == 'f32':
        return x.astype(np.float32).astype(np.float64)
    if dtype == 'f16':
        return x.astype(np.float16).astype(np.float64)
    if dtype == 'bf16':
        return _bf16_bits_to_f64(_f32_to_bf16_bits(x.astype(np.float32)))
    raise ValueError('not a float type: ' + dtype)


def to_storage(dtype, values):
    """The array attn-run reads for an argument of element type `dtype`."""
    if dtype == 'f32':
        return np.asarray(values, dtype=np.float32)
    if dtype == 'f16':
        return np.asarray(values, dtype=np.float16)
    if dtype == 'bf16':
        return _f32_to_bf16_bits(np.asarray(values, dtype=np.float32))
    if dtype == 'i1':
        return np.asarray(values, dtype=np.bool_)
    if dtype == 'i8':
        return np.asarray(values, dtype=np.int8)
    raise ValueError('unsupported element type ' + dtype)


def from_storage(dtype, array):
    """Float64 (or bool for i1) values of a stored array."""
    if dtype == 'bf16':
        return _bf16_bits_to_f64(np.asarray(array, dtype=np.uint16))
    if dtype == 'i1':
        return np.asarray(array, dtype=np.bool_)
    return np.asarray(array).astype(np.float64)


def save_npy(path, dtype, values):
    np.save(path, np.ascontiguousarray(to_storage(dtype, values)))


def load_npy(path, dtype):
    return from_storage(dtype, np.load(path))


def compare(got, want, atol, rtol):
    """(ok, max abs error, message) for |got - want| <= atol + rtol|want|."""
    if got.shape != want.shape:
        return False, float('inf'), 'shape %s, expected %s' % (
            'x'.join(map(str, got.shape)), 'x'.join(map(str, want.shape)))
    if got.size == 0:
        return True, 0.0, 'empty'
    if not np.all(np.isfinite(got)):
        bad = int(np.count_nonzero(~np.isfinite(got)))
        return False, float('inf'), '%d non-finite values' % bad
    err = np.abs(got - want)
    ok = bool(np.all(err <= atol + rtol * np.abs(want)))
    worst = float(err.max())
    where = np.unravel_index(int(err.argmax()), err.shape)
    msg = 'max abs err %.3g at %s (got %.6g, want %.6g; atol %g rtol %g)' % (
        worst, tuple(int(i) for i in where), got[where], want[where],
        atol, rtol)
    return ok, worst, msg
