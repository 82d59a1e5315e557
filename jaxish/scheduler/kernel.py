"""The kernel description: the scheduler's output and the only thing a codegen reads.

A `Program` is one jitted graph lowered to loops. It holds

* `buffers` — every array the program touches, by name: a `Buffer` has a shape, a dtype, element
  strides and a kind: "input" (graph operand `arg`), "output" (graph result), "temp" (lives
  between two steps; `slot` names the storage it shares after buffer planning) or "local"
  (a per-row scratch array that lives inside one kernel, shaped like the kernel's reduction
  space; each point of the outer space gets its own copy — registers/shared memory on a GPU).
  `extern` marks buffers whose storage is whatever tensor an `ExternCall` returned.
* `steps` — `Kernel`s and `ExternCall`s in execution order.
* `outputs` — for each graph result, the buffer name that holds it (an input's name when the
  graph returns an operand unchanged), or `("const", value, dtype)`.

Buffers are specialized: shapes and dtypes are static, and so are strides (an operand may come
with any strides, zero for broadcast views; a runtime checks them and re-specializes when a
call's layout differs). Temps and outputs are contiguous.

A `Kernel` is one loop nest. Its iteration space is `ranges` (the pointwise, parallel part;
index symbols `p0, p1, ...`) times `reduce_ranges` (index symbols `r0, r1, ...`; empty for a
purely pointwise kernel). For every point `p` of `ranges`, the kernel runs its `stages` in
order:

* an "outer" stage runs once for the point `p` (its ops may use only `p` symbols). In a kernel
  without reduction ranges the single outer stage *is* the pointwise loop body.
* a "loop" stage runs for every `r` of `reduce_ranges` (row-major order) and may contain
  `Reduce` ops; a `Reduce` result is available to every later stage.

Stages alternate as the data flow needs: outer values computed once per row (a mean, an
inverse square root) feed later loops. Iterations of a loop stage are independent apart from
its `Reduce` ops (any order, any vector width, any split of the range with partial results
combined is valid), and distinct outer points never touch the same output element, so a backend
may parallelize and vectorize freely. Index symbols are sympy Symbols named `p<i>`/`r<i>`
(integer, non-negative); floor division and modulo appear as `indexing.FloorDiv`/`Mod` (both
operands non-negative); adjacent loop dimensions were already merged where the accesses allow,
so a contiguous access is literally `p0` or `r0 + 1024*p0`.

So a row softmax is one kernel with `ranges=(rows,)`, `reduce_ranges=(cols,)` and three loop
stages (max; sum of exp, keeping exp in a local row buffer; the normalized store). Stages hold
ops in SSA form: each op defines the value named `op.out` (a string) with a numpy dtype, and
reads values defined earlier in the same stage or in an earlier *outer* stage (or, for a
`Reduce` result, any earlier stage). Ops:

* `Load(out, buffer, index)` — element `index` (a sympy integer expression over the kernel's
  symbols: the flat element offset, strides already applied) of a buffer. A "local" buffer is
  indexed by `r` symbols only (its row-major offset in the reduction space).
* `Const(out, value)`, `IndexValue(out, expr)` (an index expression as a value: iota).
* `Compute(out, op, args, params)` — a scalar op: an elementwise primitive's `.pointwise` name
  (`add`, `exp`, `select_n`, `convert_element_type`, `integer_pow` with `params['y']`, ...), on
  values of the logical dtypes given (a backend may compute float16/bfloat16 in float32, but
  rounds every result to the logical dtype).
* `Reduce(out, op, arg, index)` — accumulate `arg` over the stage's loop with `op` in
  `sum, max, min, prod, and, or, argmax, argmin`; for arg* `index` is the flat position along
  the reduction space (row-major) and the result is that position (in `dtype`). max/min
  propagate NaN; argmax/argmin return the first maximal/minimal position (first NaN wins).
* `Store(buffer, index, value)` — write a value (converted to the buffer's dtype).

An `ExternCall` runs a primitive's torch impl (`jaxish.interpreters.eager.run_impl`) on whole
buffers: matmul, gather/scatter, cumulative ops, anything the scheduler does not lower. Nothing
is fused across it. Its outputs are contiguous tensors that become the named buffers (a result
may be a view of an operand: temps read by an extern live as long as its results).
`eqn_index` locates its equation in `jaxish.scheduler.graph_equations(graph)` order.

Buffer plan: inputs come from the caller; outputs are fresh per call (the caller owns them);
temps are grouped into storage `slots` (`Program.slots` gives each slot's byte size) that
non-overlapping lifetimes share, so a runtime may allocate slots once and keep them. An output
with `donor` set takes the storage of that donated input buffer (jit's donate_argnums): the one
kernel that reads the input reads it through the output's name, element by element at the very
index it stores, so the update is safe in place.
`Kernel.bytes_read` / `bytes_written` count buffer traffic (each buffer once) for reports.
"""
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np

# The scalar op set a codegen implements (Compute.op names): elementwise primitives' `.pointwise`
# names plus select_n and convert_element_type.
SCALAR_OPS = frozenset("""
neg sign floor ceil round is_finite exp exp2 log log1p expm1 tanh logistic sin cos tan asin acos
atan sinh cosh asinh acosh atanh sqrt rsqrt cbrt abs not erf erfc erf_inv lgamma digamma square
integer_pow population_count add sub mul div rem pow max min atan2 nextafter and or xor
shift_left shift_right_arithmetic shift_right_logical eq ne lt le gt ge select_n clamp
convert_element_type
""".split())


@dataclass
class Buffer:
    name: str
    shape: tuple
    dtype: np.dtype
    strides: tuple            # in elements
    kind: str                 # "input" | "output" | "temp" | "local"
    arg: Optional[int] = None  # graph operand position for inputs
    slot: Optional[int] = None  # storage slot for temps after planning
    extern: bool = False      # storage comes from an ExternCall's result
    donor: Optional[str] = None  # output written in place into this donated input's storage

    @property
    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self):
        return self.numel * self.dtype.itemsize

    def to_json(self):
        """The buffer as JSON (backends store it in their launch plans), its name aside."""
        return dict(shape=list(self.shape), dtype=np.dtype(self.dtype).name, strides=list(self.strides),
                    kind=self.kind, arg=self.arg, slot=self.slot, extern=self.extern, donor=self.donor)

    @classmethod
    def from_json(cls, name, d):
        return cls(name, tuple(d["shape"]), dtype_named(d["dtype"]), tuple(d["strides"]), d["kind"],
                   arg=d["arg"], slot=d["slot"], extern=d["extern"], donor=d["donor"])


_DTYPES = {}


def dtype_named(name):
    """The numpy dtype jaxish supports under `name` (bfloat16 included)."""
    if not _DTYPES:
        from .. import dtypes
        _DTYPES.update({np.dtype(d).name: np.dtype(d) for d in dtypes.SUPPORTED})
    return _DTYPES[name]


@dataclass(frozen=True)
class Load:
    out: str
    dtype: np.dtype
    buffer: str
    index: Any                # sympy expression


@dataclass(frozen=True)
class Const:
    out: str
    dtype: np.dtype
    value: Any


@dataclass(frozen=True)
class IndexValue:
    out: str
    dtype: np.dtype
    expr: Any                 # sympy expression


@dataclass(frozen=True)
class Compute:
    out: str
    dtype: np.dtype
    op: str
    args: tuple
    params: tuple = ()        # sorted (name, value) pairs

    @property
    def param_dict(self):
        return dict(self.params)


@dataclass(frozen=True)
class Reduce:
    out: str
    dtype: np.dtype
    op: str
    arg: str
    index: Any = None         # argmax/argmin: position expression


@dataclass(frozen=True)
class Store:
    buffer: str
    index: Any
    value: str


@dataclass
class Stage:
    kind: str                 # "outer" | "loop"
    ops: list = field(default_factory=list)


@dataclass
class Kernel:
    name: str
    ranges: tuple
    reduce_ranges: tuple
    stages: list
    origin: list = field(default_factory=list)   # the graph equations fused here (text)
    bytes_read: int = 0
    bytes_written: int = 0

    @property
    def reads(self):
        return sorted({op.buffer for st in self.stages for op in st.ops if type(op) is Load})

    @property
    def writes(self):
        return sorted({op.buffer for st in self.stages for op in st.ops if type(op) is Store})


@dataclass
class ExternCall:
    name: str
    primitive: Any
    params: dict
    inputs: list              # buffer names, or ("literal", python value)
    outputs: list             # buffer names
    origin: list = field(default_factory=list)
    eqn_index: Optional[int] = None  # position of the equation in lowering order (into jit calls)


@dataclass
class Program:
    buffers: dict             # name -> Buffer
    inputs: list              # buffer name per graph invar
    outputs: list             # per graph outvar: buffer name or ("const", value, dtype)
    steps: list               # Kernel | ExternCall
    slots: list = field(default_factory=list)   # byte size per temp storage slot
    groups: list = field(default_factory=list)  # fusion groups, text per kernel

    @property
    def kernels(self):
        return [s for s in self.steps if isinstance(s, Kernel)]

    def describe(self):
        """Human-readable summary: each step with its fused equations and traffic."""
        lines = []
        for s in self.steps:
            if isinstance(s, Kernel):
                lines.append(f"kernel {s.name}: ranges={s.ranges} reduce={s.reduce_ranges} "
                             f"stages={[st.kind for st in s.stages]} read={s.bytes_read}B "
                             f"written={s.bytes_written}B")
                lines += [f"    {o}" for o in s.origin]
            else:
                lines.append(f"extern {s.name}: {s.primitive} {s.inputs} -> {s.outputs}")
        return "\n".join(lines)
