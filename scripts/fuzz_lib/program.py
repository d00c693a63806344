"""The data model of one fuzzed attention program.

A Program is plain data (JSON-serializable through to_json/from_json):
the loop dims with their roles and sizes, the layout (dim order) of every
attention operand, element types, the optional mask, optional producers
of K/V inside the function and an optional chain of consumers of the
output. emit.py turns it into MLIR, reference.py evaluates it with numpy,
features.py generates and simplifies it.
"""

import copy
import dataclasses
import json
from dataclasses import dataclass, field
from typing import Dict, List, Optional

ROLES = ('batch', 'm', 'k1', 'k2', 'n')

# Roles of the dims each attention operand uses, in standard order.
OPERAND_ROLES = {
    'q': ('batch', 'm', 'k1'),
    'k': ('batch', 'k2', 'k1'),
    'v': ('batch', 'k2', 'n'),
    'o': ('batch', 'm', 'n'),
}
MASK_ROLES = ('batch', 'm', 'k2')

FLOAT_TYPES = ('f32', 'f16', 'bf16')
BITS = {'f32': 32, 'f16': 16, 'bf16': 16, 'i8': 8, 'i1': 1}


@dataclass
class Dim:
    name: str
    role: str
    size: int
    dynamic: bool = False


@dataclass
class Producer:
    """Computes Q, K or V inside the function from function arguments.

    kind 'transpose': the argument has layout `src_layout`, a
    linalg.transpose makes the operand layout. kind 'convert': the argument
    has element type `src_type`, a linalg.generic extf/truncf converts it.
    kind 'dequant': i8 argument, i8 zero point and float scale over the
    dims `qdims`, `(x - zp) * scale` in a linalg.generic.
    """
    kind: str
    src_layout: List[str] = field(default_factory=list)
    src_type: str = ''
    qdims: List[str] = field(default_factory=list)


@dataclass
class Consumer:
    """Consumes the previous value (first: the attention result).

    kind 'transpose': to layout `layout`; kind 'convert': to `dtype`.
    """
    kind: str
    layout: List[str] = field(default_factory=list)
    dtype: str = ''


@dataclass
class Program:
    seed: int
    dims: List[Dim]                      # in loop (affine map) order
    layouts: Dict[str, List[str]]        # 'q','k','v','o'[,'mask'] -> dims
    qkv_type: str = 'f32'
    out_type: str = 'f32'
    scale_type: str = 'f32'
    scale: float = 0.25
    scale_arg: bool = False              # scale is a function argument
    mask_type: Optional[str] = None      # None: no mask; 'i1' or a float
    mask_density: float = 0.8            # probability of true (i1 masks)
    causal: Optional[str] = None         # None, 'top_left' or 'bottom_right'
    lse: bool = False                    # also return the log-sum-exp
    producers: Dict[str, Producer] = field(default_factory=dict)  # q/k/v
    consumers: List[Consumer] = field(default_factory=list)
    tiles: List[int] = field(default_factory=list)  # CPU [m-tile, k2-tile]
    key_block: int = 0                   # GPU kernel keys per iteration, 0: default
    waves: int = 0                       # GPU kernel waves per workgroup, 0: default
    mfma: str = ''                       # GPU kernel MFMA shape, '': default
    pipeline: int = -1                   # GPU kernel pipeline depth, -1: default
    style: str = 'mixed'   # a generation hint (features.Style)

    # -- queries ---------------------------------------------------------

    def dim(self, name):
        for d in self.dims:
            if d.name == name:
                return d
        raise KeyError(name)

    def dims_of(self, role):
        return [d for d in self.dims if d.role == role]

    def names_of(self, role):
        return [d.name for d in self.dims_of(role)]

    def size_of(self, role):
        total = 1
        for d in self.dims_of(role):
            total *= d.size
        return total

    def standard_layout(self, operand):
        """The operand's dims in standard order (role by role, loop order
        within a role); for the mask, of the dims it has."""
        if operand == 'mask':
            present = set(self.layouts['mask'])
            return [n for role in MASK_ROLES for n in self.names_of(role)
                    if n in present]
        return [n for role in OPERAND_ROLES[operand]
                for n in self.names_of(role)]

    def lse_layout(self):
        """The LSE's dims: the output's without its N dims."""
        return [n for n in self.layouts['o'] if self.dim(n).role != 'n']

    def has_mask(self):
        return self.mask_type is not None

    def is_dynamic(self):
        return any(d.dynamic for d in self.dims)

    def result_type(self):
        dtype = self.out_type
        for c in self.consumers:
            if c.kind == 'convert':
                dtype = c.dtype
        return dtype

    def result_layout(self):
        layout = self.layouts['o']
        for c in self.consumers:
            if c.kind == 'transpose':
                layout = c.layout
        return layout

    def work(self):
        """Multiply-adds of the attention (B*M*K2*(K1+N))."""
        s = self.size_of
        return s('batch') * s('m') * s('k2') * (s('k1') + s('n'))

    def types_involved(self):
        """Every float element type a value of the computation has."""
        types = {self.qkv_type, self.out_type}
        types.update(c.dtype for c in self.consumers if c.kind == 'convert')
        return types

    # -- copies and serialization ----------------------------------------

    def clone(self):
        return copy.deepcopy(self)

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=1)

    @staticmethod
    def from_json(text):
        data = json.loads(text)
        data['dims'] = [Dim(**d) for d in data['dims']]
        data['producers'] = {k: Producer(**p)
                             for k, p in data['producers'].items()}
        data['consumers'] = [Consumer(**c) for c in data['consumers']]
        return Program(**data)


def remove_dim(program, name):
    """Removes dim `name` from the program and every layout using it."""
    p = program.clone()
    p.dims = [d for d in p.dims if d.name != name]
    for layout in p.layouts.values():
        if name in layout:
            layout.remove(name)
    if 'mask' in p.layouts and not p.layouts['mask']:
        del p.layouts['mask']
        p.mask_type = None
    if len(p.dims_of('k2')) != 1 or not p.dims_of('m'):
        p.causal = None   # needs one K2 dim and an M dim
    for operand, prod in p.producers.items():
        if name in prod.src_layout:
            prod.src_layout.remove(name)
        if name in prod.qdims:
            prod.qdims.remove(name)
            if not prod.qdims:
                prod.qdims = p.layouts[operand][-1:]
    for c in p.consumers:
        if name in c.layout:
            c.layout.remove(name)
    return p


def rename_dims(program, mapping):
    """The program with dims renamed by `mapping` (old -> new name)."""
    p = program.clone()

    def rename(names):
        return [mapping.get(n, n) for n in names]
    for d in p.dims:
        d.name = mapping.get(d.name, d.name)
    p.layouts = {k: rename(v) for k, v in p.layouts.items()}
    for prod in p.producers.values():
        prod.src_layout = rename(prod.src_layout)
        prod.qdims = rename(prod.qdims)
    for c in p.consumers:
        c.layout = rename(c.layout)
    return p
