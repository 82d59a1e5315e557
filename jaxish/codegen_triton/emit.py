"""Triton source for one scheduler `Kernel`.

Pointwise kernels tile the flattened pointwise space in 1-D blocks of XBLOCK (masked at the
ragged end); index symbols p0.. are recovered from the flat position with // and %.
Reduction kernels tile XBLOCK rows x RBLOCK reduction positions and come in variants:

* persistent — RBLOCK covers the whole row: every loop stage runs once on the loaded tile,
  "local" row buffers are just the register tensor that was stored.
* looped — each loop stage is a `for` over the row with running accumulators; a value read
  from a local row buffer is recomputed (its loads reissued) in the later stage.
* split (phase 1 + phase 2) — one huge reduction over few rows: phase 1 reduces SPLIT chunks
  of each row into partial buffers, phase 2 combines them and runs the epilogue.

Values computed as float16/bfloat16 live in float32 and are rounded to the logical dtype
after every op. All block sizes are constexpr arguments, so one source serves every config.
"""
import math

import numpy as np
import sympy

from .. import dtypes
from ..scheduler import kernel as K
from ..scheduler.indexing import FloorDiv, Mod, bounds


class Unsupported(Exception):
    """The kernel uses something this backend does not generate (the caller runs eagerly)."""


TL = {
    np.dtype("float16"): "tl.float16", np.dtype("float32"): "tl.float32",
    np.dtype("float64"): "tl.float64", np.dtype("int8"): "tl.int8", np.dtype("int16"): "tl.int16",
    np.dtype("int32"): "tl.int32", np.dtype("int64"): "tl.int64", np.dtype("uint8"): "tl.uint8",
    np.dtype("uint16"): "tl.uint16", np.dtype("uint32"): "tl.uint32", np.dtype("uint64"): "tl.uint64",
    np.dtype("bool"): "tl.int1",
}
_HALF = ("tl.float16", "tl.bfloat16")
_INT32_MAX = 2 ** 31 - 1


def tl_type(dtype):
    dtype = np.dtype(dtype)
    if dtype == dtypes.bfloat16:
        return "tl.bfloat16"
    t = TL.get(dtype)
    if t is None:
        raise Unsupported(f"dtype {dtype}")
    return t


def compute_type(dtype):
    """The type a value of logical `dtype` is held in: float16/bfloat16 widen to float32."""
    t = tl_type(dtype)
    return "tl.float32" if t in _HALF else t


def round_half(expr, dtype):
    """Round a float32 value (source text) to float16/bfloat16 precision, keeping float32."""
    t = tl_type(dtype)
    if t == "tl.bfloat16":
        return f"_jx_round_bf16({expr})"
    if t == "tl.float16":
        return f"({expr}).to(tl.float16).to(tl.float32)"
    return expr


def is_float(dtype):
    return dtypes.is_float(np.dtype(dtype))


def bits(dtype):
    return np.dtype(dtype).itemsize * 8


def numel(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


# ---- index expressions ----------------------------------------------------------------------
def print_index(e):
    """A sympy index expression as Triton integer arithmetic (operands are non-negative)."""
    if e.is_Integer:
        return str(int(e))
    if e.is_Symbol:
        return e.name
    if e.is_Add:
        return "(" + " + ".join(print_index(a) for a in e.args) + ")"
    if e.is_Mul:
        return "(" + " * ".join(print_index(a) for a in e.args) + ")"
    if isinstance(e, FloorDiv):
        return f"({print_index(e.args[0])} // {int(e.args[1])})"
    if isinstance(e, Mod):
        return f"({print_index(e.args[0])} % {int(e.args[1])})"
    raise Unsupported(f"index expression {e}")


def index_class(e):
    """'' (constant), 'x' (outer symbols only), 'r' (reduction only) or 'xr'."""
    names = {s.name[0] for s in sympy.sympify(e).free_symbols}
    return ("x" if "p" in names else "") + ("r" if "r" in names else "")


def float_literal(v):
    v = float(v)
    if math.isnan(v):
        return 'float("nan")'
    if math.isinf(v):
        return "INF" if v > 0 else "-INF"
    return repr(v)


def const_text(value, dtype, shape):
    """A constant block of `shape` (source text, e.g. "[XBLOCK]"). Never 0-d: the interpreter
    mixes up 0-d tensors with blocks in some binary ops."""
    t = compute_type(dtype)
    if np.dtype(dtype) == dtypes.bool_:
        return f"tl.full({shape}, {1 if value else 0}, tl.int1)"
    if is_float(dtype):
        return f"tl.full({shape}, {float_literal(value)}, {t})"
    return f"tl.full({shape}, {int(value)}, {t})"


def identity(op, dtype, ctype):
    """Identity element of a reduction in compute type `ctype` (as source text)."""
    if op in ("sum", "or"):
        return "0"
    if op == "prod":
        return "1"
    if op == "and":
        return "1" if np.dtype(dtype) == dtypes.bool_ else "-1"
    if ctype.startswith("tl.float"):
        return "-INF" if op in ("max", "argmax") else "INF"
    if ctype == "tl.int8" and np.dtype(dtype) == dtypes.bool_:
        return "0" if op in ("max", "argmax") else "1"
    info = np.iinfo(np.dtype(ctype[3:]))
    return str(int(info.min if op in ("max", "argmax") else info.max))


_COMBINE = {"sum": "_jx_sum", "prod": "_jx_prod", "max": "_jx_max", "min": "_jx_min",
            "and": "_jx_and", "or": "_jx_or", "argmax": "_jx_argmax", "argmin": "_jx_argmin"}
SPLITTABLE = frozenset(["sum", "prod", "max", "min", "and", "or"])


# ---- scalar ops ----------------------------------------------------------------------------
_UNARY_FLOAT_HELPERS = {
    "expm1": "_jx_expm1", "log1p": "_jx_log1p", "tanh": "_jx_tanh", "logistic": "_jx_logistic",
    "tan": "_jx_tan", "asin": "_jx_asin", "acos": "_jx_acos", "atan": "_jx_atan",
    "sinh": "_jx_sinh", "cosh": "_jx_cosh", "asinh": "_jx_asinh", "acosh": "_jx_acosh",
    "atanh": "_jx_atanh", "cbrt": "_jx_cbrt", "erf_inv": "_jx_erf_inv", "lgamma": "_jx_lgamma",
    "digamma": "_jx_digamma",
}
_UNARY_FLOAT_BUILTINS = {"exp": "tl.exp", "exp2": "tl.exp2", "log": "tl.log", "sin": "tl.sin",
                         "cos": "tl.cos", "floor": "tl.floor", "ceil": "tl.ceil", "erf": "tl.math.erf"}
_COMPARE = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FLOAT32_ONLY = frozenset(["erfc"])   # float32-accurate formulas: float64 runs eagerly


def scalar_op(op, out_dtype, args, arg_dtypes, params, shape="[XBLOCK]", gpu=True):
    """Source text computing Compute(op) on argument expressions (in compute types).

    `gpu`: the code is compiled, not interpreted; float `rem` then calls the backend's exact
    fmod (`%` on floats compiles to x - trunc(x/y)*y), which the interpreter cannot run."""
    out_dtype = np.dtype(out_dtype)
    dt = np.dtype(arg_dtypes[0]) if arg_dtypes else out_dtype
    ct = compute_type(dt)
    a = args[0] if args else None
    b = args[1] if len(args) > 1 else None
    fl = is_float(dt)
    is_bool = dt == dtypes.bool_
    unsigned = dtypes.is_unsigned(dt)
    if fl and ct == "tl.float64" and op in _FLOAT32_ONLY:
        raise Unsupported(f"{op} on float64")
    if op in _UNARY_FLOAT_HELPERS and fl:
        return f"{_UNARY_FLOAT_HELPERS[op]}({a})"
    if op in _UNARY_FLOAT_BUILTINS and fl:
        return f"{_UNARY_FLOAT_BUILTINS[op]}({a})"
    if op == "erfc" and fl:
        return f"_jx_erfc({a})"
    if op == "sqrt" and fl:
        return f"tl.math.sqrt_rn({a})" if ct == "tl.float32" else f"tl.sqrt({a})"
    if op == "rsqrt" and fl:      # float64 rsqrt compiles to rsqrt.approx.f64 on NVIDIA
        return f"tl.rsqrt({a})" if ct == "tl.float32" else f"(1.0 / tl.sqrt({a}))"
    if op == "neg":
        return f"(-{a})" if not unsigned else f"(0 - {a})"
    if op == "sign":
        if fl:
            return f"tl.where({a} > 0.0, 1.0, tl.where({a} < 0.0, -1.0, {a}))"
        if unsigned or is_bool:
            return f"tl.where({a} > 0, 1, 0).to({ct})"
        return f"tl.where({a} > 0, 1, tl.where({a} < 0, -1, 0)).to({ct})"
    if op == "round" and fl:
        method = dict(params).get("rounding_method", 0)
        return f"_jx_rint({a})" if int(method) == 1 else f"_jx_round_away({a})"
    if op == "is_finite" and fl:
        return f"(tl.abs({a}) < INF)"
    if op == "abs":
        if unsigned or is_bool:
            return a
        return f"tl.abs({a})"
    if op == "not":
        return f"({a} == 0)" if is_bool else f"(~{a})"
    if op == "square":
        return f"({a} * {a})"
    if op == "integer_pow":
        return _integer_pow(a, int(dict(params)["y"]), ct, fl, shape)
    if op == "population_count" and dtypes.is_int(dt):
        n = bits(dt)
        ut = f"tl.uint{n}"
        if n == 64:
            return f"_jx_popcount64({a}.to({ut}, bitcast=True)).to({ct})"
        return f"_jx_popcount32({a}.to({ut}, bitcast=True).to(tl.uint32)).to({ct})"
    if op == "add":
        return f"({a} | {b})" if is_bool else f"({a} + {b})"
    if op == "sub":
        return f"({a} - {b})"
    if op == "mul":
        return f"({a} & {b})" if is_bool else f"({a} * {b})"
    if op == "div":
        if fl:
            return f"tl.math.div_rn({a}, {b})" if ct == "tl.float32" else f"({a} / {b})"
        if unsigned:
            return f"tl.where({b} == 0, {_all_ones(ct)}, {a} // tl.where({b} == 0, 1, {b}).to({ct}))"
        return (f"tl.where({b} == -1, 0 - {a}, tl.where({b} == 0, -1, "
                f"{a} // tl.where(({b} == 0) | ({b} == -1), 1, {b}).to({ct})).to({ct}))")
    if op == "rem":
        if fl:
            return f"libdevice.fmod({a}, {b})" if gpu else f"({a} % {b})"
        if unsigned:
            return f"tl.where({b} == 0, {a}, {a} % tl.where({b} == 0, 1, {b}).to({ct}))"
        return (f"tl.where(({b} == 0), {a}, tl.where({b} == -1, 0, "
                f"{a} % tl.where(({b} == 0) | ({b} == -1), 1, {b}).to({ct})).to({ct}))")
    if op == "pow" and fl:
        return f"_jx_pow({a}, {b})"
    if op in ("max", "min"):
        if is_bool:
            return f"({a} | {b})" if op == "max" else f"({a} & {b})"
        if fl:
            return f"_jx_{op}({a}, {b})"
        return f"tl.maximum({a}, {b})" if op == "max" else f"tl.minimum({a}, {b})"
    if op == "atan2" and fl:
        return f"_jx_atan2({a}, {b})"
    if op == "nextafter" and fl:
        suffix = {"tl.bfloat16": "_bf16", "tl.float16": "_f16"}.get(tl_type(dt), "")
        return f"_jx_nextafter{suffix}({a}, {b})"
    if op in ("and", "or", "xor"):
        sym = {"and": "&", "or": "|", "xor": "^"}[op]
        return f"({a} {sym} {b})"
    if op in ("shift_left", "shift_right_arithmetic", "shift_right_logical") and dtypes.is_int(dt):
        return _shift(op, a, b, dt, ct)
    if op in _COMPARE:
        return f"({a} {_COMPARE[op]} {b})"
    if op == "select_n":
        which, cases = args[0], args[1:]
        wdt = np.dtype(arg_dtypes[0])
        if len(cases) == 1:
            return cases[0]
        if wdt == dtypes.bool_:
            return f"tl.where({which}, {cases[1]}, {cases[0]})"
        out = cases[-1]
        for i in range(len(cases) - 2, -1, -1):
            out = f"tl.where({which} == {i}, {cases[i]}, {out})"
        return out
    if op == "clamp":
        lo, x, hi = args
        if fl:
            return f"_jx_min(_jx_max({x}, {lo}), {hi})"
        return f"tl.minimum(tl.maximum({x}, {lo}), {hi})"
    if op == "convert_element_type":
        return convert(a, dt, out_dtype)
    raise Unsupported(f"scalar op {op} on {dt}")


def _all_ones(ct):
    n = int(ct[len("tl.uint"):])
    return str(2 ** n - 1)


def _integer_pow(a, y, ct, fl, shape):
    if y == 0:
        one = "1.0" if fl else "1"
        return f"tl.full({shape}, {one}, {ct})"
    n = abs(y)
    # binary exponentiation, written out
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else f"({result} * {base})"
        n >>= 1
        if n:
            base = f"({base} * {base})"
    if y < 0:
        if not fl:
            raise Unsupported("integer_pow with a negative exponent on integers")
        return f"tl.math.div_rn(1.0, {result})" if ct == "tl.float32" else f"(1.0 / {result})"
    return result


def _shift(op, a, b, dt, ct):
    """XLA's shifts: an amount outside [0, bits) (read as unsigned) gives 0, or the sign fill for
    the arithmetic right shift, which reads the bits as signed for unsigned types too."""
    n = bits(dt)
    s = f"tl.minimum(tl.maximum({b}, 0), {n - 1}).to({ct})"
    oor = f"({b} >= {n})" if dtypes.is_unsigned(dt) else f"(({b} >= {n}) | ({b} < 0))"
    ut, it = f"tl.uint{n}", f"tl.int{n}"
    if op == "shift_left":
        return f"tl.where({oor}, 0, {a} << {s}).to({ct})"
    if op == "shift_right_logical":
        if dtypes.is_unsigned(dt):
            return f"tl.where({oor}, 0, {a} >> {s}).to({ct})"
        return (f"tl.where({oor}, 0, ({a}.to({ut}, bitcast=True) >> {s}.to({ut}))"
                f".to({ct}, bitcast=True)).to({ct})")
    sa = f"{a}.to({it}, bitcast=True)" if dtypes.is_unsigned(dt) else a
    r = f"tl.where({oor}, tl.where({sa} < 0, -1, 0).to({it}), {sa} >> {s}.to({it}))"
    return f"{r}.to({ct}, bitcast=True)" if dtypes.is_unsigned(dt) else f"{r}.to({ct})"


def convert(a, src, dst):
    """convert_element_type from logical `src` to `dst` (values in compute types)."""
    src, dst = np.dtype(src), np.dtype(dst)
    cs, cd = compute_type(src), compute_type(dst)
    if dst == dtypes.bool_:
        return f"({a} != 0)"
    if is_float(dst):
        if is_float(src) and cs == cd and tl_type(dst) not in _HALF:
            return a
        return f"{a}.to({cd})"          # rounding to half happens after the op
    if is_float(src):
        # truncate toward zero; NaN -> 0; saturate at the target's range (as XLA and eager)
        info = np.iinfo(dst)
        top = float(2.0 ** (bits(dst) - (0 if dtypes.is_unsigned(dst) else 1)))
        ftype = np.float64 if cs == "tl.float64" else np.float32
        below = float(np.nextafter(ftype(top), ftype(0)))
        x = f"tl.where({a} == {a}, {a}, 0.0)"
        x = f"tl.minimum(tl.maximum({x}, {float_literal(float(info.min))}), {float_literal(below)})"
        return f"tl.where({a} >= {float_literal(top)}, {int(info.max)}, {x}.to({cd})).to({cd})"
    if src == dtypes.bool_:
        return f"{a}.to({cd})"
    return f"{a}.to({cd})"


# ---- kernel writer -----------------------------------------------------------------------------
class Lines:
    def __init__(self):
        self.lines = []
        self.depth = 1

    def __call__(self, text):
        self.lines.append("    " * self.depth + text)

    def text(self):
        return "\n".join(self.lines)


class KernelWriter:
    """Writes the Triton variants of one Kernel. `args`: buffer names in argument order."""

    def __init__(self, kernel, buffers, interpret=False):
        self.interpret = interpret
        self.k = kernel
        self.bufs = buffers
        self.M = numel(kernel.ranges)
        self.N = numel(kernel.reduce_ranges)
        self.reduction = bool(kernel.reduce_ranges)
        names = set(kernel.reads) | set(kernel.writes)
        self.args = sorted(b for b in names if buffers[b].kind != "local")
        self.reduces = [op for st in kernel.stages for op in st.ops if type(op) is K.Reduce]
        self.loop_stages = [i for i, st in enumerate(kernel.stages) if st.kind == "loop"]
        self.wide = self._needs_int64()
        self.itype = "tl.int64" if self.wide else "tl.int32"
        self.xshape = "[XBLOCK, 1]" if self.reduction else "[XBLOCK]"
        self.dtype = {}
        self.def_stage = {}
        self.def_op = {}
        self.local_value = {}
        for si, st in enumerate(kernel.stages):
            for op in st.ops:
                if type(op) is K.Store:
                    if buffers[op.buffer].kind == "local":
                        self.local_value[op.buffer] = op.value
                    continue
                self.dtype[op.out] = np.dtype(op.dtype)
                self.def_stage[op.out] = si
                self.def_op[op.out] = op
        self.used_syms = set()
        for st in kernel.stages:
            for op in st.ops:
                e = _index_of(op)
                if e is not None:
                    self.used_syms |= {s.name for s in sympy.sympify(e).free_symbols}

    # -- facts the launcher needs --
    @property
    def splittable(self):
        if not self.reduction or len(self.loop_stages) != 1:
            return False
        if any(self.bufs[b].kind == "local" for b in set(self.k.reads) | set(self.k.writes)):
            return False
        return bool(self.reduces) and all(r.op in SPLITTABLE for r in self.reduces)

    def partial_dtypes(self):
        return [compute_type(r.dtype) if np.dtype(r.dtype) != dtypes.bool_ else "tl.int8"
                for r in self.reduces]

    def _needs_int64(self):
        lim = _INT32_MAX - 2 ** 20
        if self.M * max(self.N, 1) >= lim or self.M >= lim or self.N >= lim:
            return True
        ranges = {}
        from ..scheduler.indexing import sym
        for j, n in enumerate(self.k.ranges):
            ranges[sym(f"p{j}")] = n
        for j, n in enumerate(self.k.reduce_ranges):
            ranges[sym(f"r{j}")] = n
        for st in self.k.stages:
            for op in st.ops:
                e = _index_of(op)
                if e is None:
                    continue
                b = bounds(sympy.sympify(e), ranges)
                if b is None or max(abs(b[0]), abs(b[1])) >= lim:
                    return True
        for b in self.args:
            if self.bufs[b].numel >= lim:
                return True
        return False

    # -- symbols --
    def _outer_symbols(self, out, xname):
        self._unravel(out, self.k.ranges, "p", xname)

    def _reduce_symbols(self, out, rname):
        self._unravel(out, self.k.reduce_ranges, "r", rname)

    def _unravel(self, out, ranges, prefix, flat):
        """Define the used index symbols prefix0, prefix1... from a row-major flat index."""
        rs = [int(n) for n in ranges]
        stride = 1
        strides = []
        for n in reversed(rs):
            strides.append(stride)
            stride *= n
        strides.reverse()
        for j, (n, s) in enumerate(zip(rs, strides)):
            if f"{prefix}{j}" not in self.used_syms:
                continue
            e = flat if s == 1 else f"({flat} // {s})"
            if j > 0:
                e = f"({e} % {n})"
            out(f"{prefix}{j} = {e}")

    # -- variants --
    def pointwise(self, name):
        out = Lines()
        head = f"def {name}({', '.join(self.args)}, XBLOCK: tl.constexpr):"
        pid = "tl.program_id(0).to(tl.int64)" if self.wide else "tl.program_id(0)"
        out(f"xindex = {pid} * XBLOCK + tl.arange(0, XBLOCK)")
        out(f"xmask = xindex < {self.M}")
        self._outer_symbols(out, "xindex")
        ctx = _Ctx(mode="pointwise", masks={"x": "xmask"}, store_class="x",
                   zero=f"tl.full([XBLOCK], 0, {self.itype})")
        env = {}
        for st in self.k.stages:
            for op in st.ops:
                self._emit(op, out, ctx, env)
        return _function(head, out)

    def _row_prologue(self, out):
        pid = "tl.program_id(0).to(tl.int64)" if self.wide else "tl.program_id(0)"
        out(f"xindex = {pid} * XBLOCK + tl.arange(0, XBLOCK)[:, None]")
        out(f"xmask = xindex < {self.M}")
        self._outer_symbols(out, "xindex")
        rb = "tl.arange(0, RBLOCK)[None, :]"
        out(f"rbase = {rb}.to(tl.int64)" if self.wide else f"rbase = {rb}")

    def persistent(self, name):
        out = Lines()
        head = f"def {name}({', '.join(self.args)}, XBLOCK: tl.constexpr, RBLOCK: tl.constexpr):"
        self._row_prologue(out)
        out("rindex = rbase")
        out(f"rmask = rindex < {self.N}")
        out("xrmask = xmask & rmask")
        self._reduce_symbols(out, "rindex")
        env = {}
        cse = {}
        outer = _Ctx(mode="outer", masks={"x": "xmask"}, store_class="x",
                     zero=f"tl.full([XBLOCK, 1], 0, {self.itype})", cse=cse)
        loop = _Ctx(mode="loop", masks={"x": "xmask", "r": "rmask", "xr": "xrmask"}, store_class="xr",
                    zero=f"tl.full([XBLOCK, RBLOCK], 0, {self.itype})", cse=cse)
        for st in self.k.stages:
            ctx = outer if st.kind == "outer" else loop
            for op in st.ops:
                if type(op) is K.Reduce:
                    self._reduce_whole(op, out, env)
                else:
                    self._emit(op, out, ctx, env)
        return _function(head, out)

    def looped(self, name):
        out = Lines()
        head = f"def {name}({', '.join(self.args)}, XBLOCK: tl.constexpr, RBLOCK: tl.constexpr):"
        self._row_prologue(out)
        env = {}
        outer = _Ctx(mode="outer", masks={"x": "xmask"}, store_class="x",
                     zero=f"tl.full([XBLOCK, 1], 0, {self.itype})")
        for si, st in enumerate(self.k.stages):
            if st.kind == "outer":
                for op in st.ops:
                    self._emit(op, out, outer, env)
                continue
            self._loop_stage(si, st, out, env, f"range(0, {self.N}, RBLOCK)", "roffset + rbase")
        return _function(head, out)

    def _loop_stage(self, si, st, out, env, loop_range, rindex_expr, partial_store=None):
        accs = []
        for op in st.ops:
            if type(op) is K.Reduce:
                accs.append(op)
                self._acc_init(op, out)
        out(f"for roffset in {loop_range}:")
        out.depth += 1
        out(f"rindex = {rindex_expr}")
        out(f"rmask = rindex < {self.N}")
        out("xrmask = xmask & rmask")
        self._reduce_symbols(out, "rindex")
        ctx = _Ctx(mode="loop", masks={"x": "xmask", "r": "rmask", "xr": "xrmask"}, store_class="xr",
                   zero=f"tl.full([XBLOCK, RBLOCK], 0, {self.itype})", stage=si)
        senv = dict(env)
        for op in st.ops:
            if type(op) is K.Reduce:
                self._acc_update(op, out, senv, ctx)
            else:
                self._emit(op, out, ctx, senv)
        out.depth -= 1
        for op in accs:
            self._acc_finish(op, out, env, partial_store)

    def split_phase1(self, name):
        out = Lines()
        nparts = len(self.reduces)
        parts = [f"part{i}" for i in range(nparts)]
        head = (f"def {name}({', '.join(self.args + parts)}, XBLOCK: tl.constexpr, RBLOCK: tl.constexpr, "
                f"SPLIT: tl.constexpr, CHUNK: tl.constexpr):")
        self._row_prologue(out)
        sid = "tl.program_id(1).to(tl.int64)" if self.wide else "tl.program_id(1)"
        out(f"sid = {sid}")
        env = {}
        outer = _Ctx(mode="outer", masks={"x": "xmask"}, store_class="x",
                     zero=f"tl.full([XBLOCK, 1], 0, {self.itype})", skip_stores=True)
        (li,) = self.loop_stages
        for si, st in enumerate(self.k.stages[:li]):
            for op in st.ops:
                self._emit(op, out, outer, env)
        self._loop_stage(li, self.k.stages[li], out, env, "range(0, CHUNK, RBLOCK)",
                         "sid * CHUNK + roffset + rbase", partial_store=parts)
        return _function(head, out)

    def split_phase2(self, name):
        out = Lines()
        nparts = len(self.reduces)
        parts = [f"part{i}" for i in range(nparts)]
        head = (f"def {name}({', '.join(self.args + parts)}, XBLOCK: tl.constexpr, SPLIT: tl.constexpr, "
                f"SBLOCK: tl.constexpr):")
        pid = "tl.program_id(0).to(tl.int64)" if self.wide else "tl.program_id(0)"
        out(f"xindex = {pid} * XBLOCK + tl.arange(0, XBLOCK)[:, None]")
        out(f"xmask = xindex < {self.M}")
        self._outer_symbols(out, "xindex")
        out("sindex = tl.arange(0, SBLOCK)[None, :]")
        out("smask = xmask & (sindex < SPLIT)")
        env = {}
        outer = _Ctx(mode="outer", masks={"x": "xmask"}, store_class="x",
                     zero=f"tl.full([XBLOCK, 1], 0, {self.itype})")
        (li,) = self.loop_stages
        for si, st in enumerate(self.k.stages):
            if si == li:
                for i, op in enumerate(self.reduces):
                    ident = identity(op.op, op.dtype, self.partial_dtypes()[i])
                    out(f"{op.out}_p = tl.load(part{i} + (xindex * SPLIT + sindex), mask=smask, other={ident})")
                    out(f"{op.out}_p = tl.where(smask, {op.out}_p, {ident})")
                    red = self.reduce_text(op, f"{op.out}_p", self.partial_dtypes()[i])
                    self._finish_value(op, f"{red}[:, None]", out, env)
                continue
            for op in st.ops:
                self._emit(op, out, outer, env)
        return _function(head, out)

    # -- reductions --
    def _reduce_input(self, op, env):
        """(value expression in accumulator type, accumulator type) for a Reduce's argument."""
        arg = env[op.arg]
        at = self._acc_type(op)
        if at == "tl.int8" and compute_type(self.dtype[op.arg]) == "tl.int1":
            return f"{arg}.to(tl.int8)", at
        return arg, at

    def _acc_type(self, op):
        if op.op in ("argmax", "argmin"):
            adt = self.dtype[op.arg]
            return "tl.int8" if adt == dtypes.bool_ else compute_type(adt)
        return "tl.int8" if np.dtype(op.dtype) == dtypes.bool_ else compute_type(op.dtype)

    def _ident(self, op, at):
        dt = self.dtype[op.arg] if op.op in ("argmax", "argmin") else op.dtype
        return identity(op.op, dt, at)

    def _big(self):
        return str(2 ** 63 - 1) if self.wide else str(_INT32_MAX)

    def _pos_expr(self, op):
        e = print_index(op.index)
        return f"({e} + tl.full([XBLOCK, RBLOCK], 0, {self.itype}))"

    def reduce_text(self, op, x, at):
        """Reduce the [XBLOCK, n] tensor `x` along axis 1 with `op` (NaN-propagating max/min).

        The interpreter runs custom combine functions element by element in Python, so there
        the combiners it recognizes (triton.language.standard's sum/max/min) are used, and
        NaN propagation is added separately."""
        fl = at.startswith("tl.float")
        is_boolish = at == "tl.int8" and np.dtype(op.dtype) == dtypes.bool_
        if not self.interpret:
            return f"tl.reduce({x}, 1, {_COMBINE[op.op]})"
        if op.op == "sum":
            return f"tl.reduce({x}, 1, tl.standard._sum_combine)"
        kind = op.op
        if is_boolish and kind in ("and", "or"):
            kind = "min" if kind == "and" else "max"
        if kind in ("max", "min"):
            std = "tl.standard._elementwise_max" if kind == "max" else "tl.standard._elementwise_min"
            red = f"tl.reduce({x}, 1, {std})"
            if fl:
                nan = f"tl.reduce(({x} != {x}).to(tl.int32), 1, tl.standard._sum_combine)"
                red = f'tl.where({nan} > 0, float("nan"), {red})'
            return red
        return f"tl.reduce({x}, 1, {_COMBINE[op.op]})"

    def _arg_finish(self, op, vals, idxs, out, env):
        """First position of the max/min (NaN first) given per-lane values and positions."""
        at = self._acc_type(op)
        kind = "max" if op.op == "argmax" else "min"
        m = self.reduce_text(K.Reduce(op.out, op.dtype, kind, op.arg), vals, at)
        out(f"{op.out}_m = {m}[:, None]")
        if at.startswith("tl.float"):
            hit = f"({vals} == {op.out}_m) | (({op.out}_m != {op.out}_m) & ({vals} != {vals}))"
        else:
            hit = f"({vals} == {op.out}_m)"
        pos = f"tl.where({hit}, {idxs}, {self._big()})"
        red = self.reduce_text(K.Reduce(op.out, np.dtype("int64") if self.wide else np.dtype("int32"),
                                        "min", op.arg), pos, self.itype)
        self._finish_value(op, f"{red}[:, None]", out, env)

    def _reduce_whole(self, op, out, env):
        val, at = self._reduce_input(op, env)
        ident = self._ident(op, at)
        if op.op in ("argmax", "argmin"):
            out(f"{op.out}_v = tl.where(xrmask, {val}, {ident})")
            out(f"{op.out}_i = tl.where(xrmask, {self._pos_expr(op)}, {self._big()})")
            self._arg_finish(op, f"{op.out}_v", f"{op.out}_i", out, env)
            return
        out(f"{op.out}_a = tl.where(xrmask, {val}, {ident})")
        self._finish_value(op, f"{self.reduce_text(op, op.out + '_a', at)}[:, None]", out, env)

    def _acc_init(self, op, out):
        at = self._acc_type(op)
        ident = self._ident(op, at)
        if op.op in ("argmax", "argmin"):
            out(f"{op.out}_av = tl.full([XBLOCK, RBLOCK], {ident}, {at})")
            out(f"{op.out}_ai = tl.full([XBLOCK, RBLOCK], {self._big()}, {self.itype})")
            return
        out(f"{op.out}_a = tl.full([XBLOCK, RBLOCK], {ident}, {at})")

    def _acc_update(self, op, out, env, ctx):
        val, at = self._reduce_input(op, env)
        ident = self._ident(op, at)
        if op.op in ("argmax", "argmin"):
            out(f"{op.out}_av, {op.out}_ai = {_COMBINE[op.op]}({op.out}_av, {op.out}_ai, "
                f"tl.where(xrmask, {val}, {ident}), tl.where(xrmask, {self._pos_expr(op)}, {self._big()}))")
            return
        out(f"{op.out}_a = {_COMBINE[op.op]}({op.out}_a, tl.where(xrmask, {val}, {ident}))")

    def _acc_finish(self, op, out, env, partial_store):
        if op.op in ("argmax", "argmin"):
            self._arg_finish(op, f"{op.out}_av", f"{op.out}_ai", out, env)
            return
        red = f"{self.reduce_text(op, op.out + '_a', self._acc_type(op))}[:, None]"
        if partial_store is not None:
            i = self.reduces.index(op)
            out(f"tl.store({partial_store[i]} + (xindex * SPLIT + sid), {red}, mask=xmask)")
            return
        self._finish_value(op, red, out, env)

    def _finish_value(self, op, expr, out, env):
        """Bind a reduction result (shape [XBLOCK, 1]) in the Reduce's compute type."""
        dt = np.dtype(op.dtype)
        ct = compute_type(dt)
        if dt == dtypes.bool_:
            expr = f"({expr} != 0)"
        else:
            expr = round_half(f"{expr}.to({ct})", dt)
        out(f"{op.out} = {expr}")
        env[op.out] = op.out

    # -- ops --
    def _resolve(self, name, out, ctx, env):
        hit = env.get(name)
        if hit is not None:
            return hit
        # defined in an earlier loop stage (looped mode): recompute it here
        return self._recompute(name, out, ctx, env)

    def _recompute(self, name, out, ctx, env):
        op = self.def_op[name]
        if type(op) is K.Reduce:
            raise Unsupported(f"reduction {name} read before it is complete")
        self._emit(op, out, ctx, env, suffix=f"_s{ctx.stage}")
        return env[name]

    def _emit(self, op, out, ctx, env, suffix=""):
        t = type(op)
        if t is K.Store:
            buf = self.bufs[op.buffer]
            val = self._resolve(op.value, out, ctx, env)
            if buf.kind == "local":
                return          # persistent: the register value; looped: recomputed when read
            if ctx.skip_stores:
                return
            self._store(op, buf, val, out, ctx)
            return
        name = op.out + suffix
        key = _cse_key(op, env) if ctx.cse is not None else None
        if key is not None and key in ctx.cse:
            env[op.out] = ctx.cse[key]
            return
        if key is not None:
            ctx.cse[key] = name
        if t is K.Load:
            buf = self.bufs[op.buffer]
            if buf.kind == "local":
                src = self.local_value[op.buffer]
                env[op.out] = self._resolve(src, out, ctx, env)
                if key is not None:     # nothing is printed under `name`: later hits reuse the register
                    ctx.cse[key] = env[op.out]
                return
            cls = index_class(op.index)
            idx = print_index(op.index)
            if cls == "":      # the same element for the whole block (no 0-d tensors, see const_text)
                idx = f"{idx} + tl.full({self.xshape}, 0, {self.itype})"
                cls = "x"
            text = f"tl.load({op.buffer} + {idx}, mask={ctx.masks[cls]}, other=0)"
            ct = compute_type(buf.dtype)
            if ct != tl_type(buf.dtype):
                text = f"{text}.to({ct})"
            out(f"{name} = {text}")
        elif t is K.Const:
            out(f"{name} = {const_text(op.value, op.dtype, self.xshape)}")
        elif t is K.IndexValue:
            e = sympy.sympify(op.expr)
            if e.is_Integer:
                out(f"{name} = {const_text(int(e), op.dtype, self.xshape)}")
            else:
                out(f"{name} = {round_half(f'({print_index(e)}).to({compute_type(op.dtype)})', op.dtype)}")
        elif t is K.Compute:
            args = [self._resolve(a, out, ctx, env) for a in op.args]
            arg_dtypes = [self.dtype[a] for a in op.args]
            text = scalar_op(op.op, op.dtype, args, arg_dtypes, op.params, self.xshape, not self.interpret)
            text = round_half(text, op.dtype)
            out(f"{name} = {text}")
        elif t is K.Reduce:
            raise Unsupported("Reduce outside a loop stage")
        else:
            raise Unsupported(f"op {t.__name__}")
        env[op.out] = name

    def _store(self, op, buf, val, out, ctx):
        cls = index_class(op.index)
        idx = print_index(op.index)
        want = ctx.store_class
        if not set(cls) <= set(want):
            raise Unsupported(f"store index {op.index} does not fit a {ctx.mode} stage")
        if cls != want:
            idx = f"{idx} + {ctx.zero}"
        v = val
        st = tl_type(buf.dtype)
        vdt = self.dtype.get(op.value)
        if vdt is None or compute_type(vdt) != st or tl_type(vdt) != st:
            v = f"{val}.to({st})"
        out(f"tl.store({op.buffer} + {idx}, {v}, mask={ctx.masks[want]})")


def _cse_key(op, env):
    t = type(op)
    if t is K.Load:
        return ("load", op.buffer, op.index)
    if t is K.Compute:
        return ("op", op.op, tuple(env.get(a, a) for a in op.args), op.params, op.dtype.str)
    if t is K.Const:
        return ("const", repr(op.value), op.dtype.str)
    return None


class _Ctx:
    """How to emit ops in one kind of stage: masks per index class, the store pointer's class and
    zero block, CSE table (persistent kernels), stage index (suffix of recomputed values)."""

    def __init__(self, mode, masks, store_class, zero, stage=None, skip_stores=False, cse=None):
        self.cse = cse
        self.mode = mode
        self.masks = masks
        self.store_class = store_class
        self.zero = zero
        self.stage = stage
        self.skip_stores = skip_stores


def _index_of(op):
    t = type(op)
    if t is K.Load or t is K.Store:
        return op.index
    if t is K.IndexValue:
        return op.expr
    if t is K.Reduce:
        return op.index
    return None


def _function(head, body):
    lines = ["@triton.jit", head]
    text = body.text()
    lines.append(text if text.strip() else "    pass")
    return "\n".join(lines) + "\n"
