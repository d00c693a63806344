"""Random inputs of a program, written as .npy files for attn-run."""

import os

import numpy as np

from . import dtypes
from .emit import function_args

# Dequantization scales are small so that dequantized values stay O(1):
# (x - zp) is in [-16, 16].
DEQUANT_SCALE_RANGE = 0.125


def make_inputs(program, seed=None):
    """Values of every argument of @main, keyed by argument name.

    Floats are uniform in [-1, 1] rounded to their type (float64 arrays
    holding exactly representable values), i1 is true with probability
    `program.mask_density`, i8 uniform in [-8, 8]. The scale argument is
    the program's scale (a Python float).
    """
    rng = np.random.default_rng(program.seed if seed is None else seed)
    values = {}
    for arg in function_args(program):
        if arg.is_scalar:
            values[arg.name] = dtypes.round_to(arg.dtype, program.scale).item()
            continue
        shape = tuple(program.dim(n).size for n in arg.layout)
        values[arg.name] = _random(rng, arg, shape, program.mask_density)
    return values


def _random(rng, arg, shape, density):
    if arg.dtype == 'i1':
        return rng.random(shape) < density
    if arg.dtype == 'i8':
        return rng.integers(-8, 9, size=shape).astype(np.float64)
    bound = DEQUANT_SCALE_RANGE if arg.purpose.endswith('.scale') else 1.0
    return dtypes.round_to(arg.dtype, rng.uniform(-bound, bound, shape))


def write_inputs(program, values, directory, relative=False):
    """Writes argN.npy files; returns attn-run's --input flags.

    With `relative` the flags name the files without the directory (for a
    command run inside it).
    """
    flags = []
    for i, arg in enumerate(function_args(program)):
        if arg.is_scalar:
            flags.append('--input=%s=%r' % (arg.dtype, values[arg.name]))
            continue
        path = os.path.join(directory, 'arg%d.npy' % i)
        dtypes.save_npy(path, arg.dtype, values[arg.name])
        flags.append('--input=@' + (os.path.basename(path) if relative
                                     else path))
    return flags
