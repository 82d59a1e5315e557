"""C++ emission: one function per Kernel of the scheduler's Program, all in one translation unit.

Loops: a pointwise kernel runs its innermost dimension as a `#pragma omp simd` loop and
parallelizes the outer ones (or, with few outer rows, the inner one); when an operand is read
transposed, the two inner dimensions run in tiles. A kernel with reduction ranges runs, per
outer point, its stages in order; loop stages are simd loops with blocked accumulators (a
float32 block sum feeds a double total, so long sums stay accurate and vectorized). Kernels
with many outer points parallelize over them; kernels with few split each loop stage's
reduction range across threads and combine the partial results in thread order (so results do
not depend on timing). A reduction along a strided dimension whose outer dimension is
contiguous (a column sum) runs its lanes over outer points instead. float16/bfloat16 are loaded
to float, computed in float, and rounded after every op."""
import math

import numpy as np
import sympy

from ..scheduler import kernel as K
from ..scheduler.indexing import FloorDiv, Mod

PARALLEL_MIN_WORK = 1 << 15     # elements x loop passes below which a kernel stays serial
PARALLEL_MIN_ROWS = 32          # outer points needed to parallelize over them
BLOCK = 1024                    # inner block for blocked reductions
LANES = 64                      # accumulator lanes of a long reduction (4 AVX-512 registers)
LANES_MIN_R = 256               # a reduced extent at least this long gets lane accumulators
STACK_LOCAL_BYTES = 1 << 16
TILE = (16, 64)                 # (rows, columns) of a tile for pointwise kernels with transposes

_STORAGE = {
    "bool": "bool", "int8": "int8_t", "int16": "int16_t", "int32": "int32_t", "int64": "int64_t",
    "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t", "uint64": "uint64_t",
    "float16": "uint16_t", "bfloat16": "uint16_t", "float32": "float", "float64": "double",
}
_HALF = {"float16", "bfloat16"}
# ops whose float16/bfloat16 result needs no rounding (exact in the narrow type)
_EXACT = frozenset("neg abs max min select_n clamp floor ceil round sign eq ne lt le gt ge is_finite "
                   "not and or xor".split())


def dname(dt):
    return np.dtype(dt).name


def storage_type(dt):
    return _STORAGE[dname(dt)]


def compute_type(dt):
    n = dname(dt)
    return "float" if n in _HALF else _STORAGE[n]


def value_type(dt):
    """C type of a named scalar value: bool values are held as int (0/1), because a 1-byte bool
    among 4-byte floats stops GCC from vectorizing a loop that also calls a SIMD math function
    (a softmax with a max-tie mask ran its expf scalar, 7x slower); stores to bool buffers
    convert back."""
    return "int" if dname(dt) == "bool" else compute_type(dt)


def is_float(dt):
    return dname(dt) in ("float16", "bfloat16", "float32", "float64")


def is_signed_int(dt):
    return dname(dt) in ("int8", "int16", "int32", "int64")


# ---- expressions ------------------------------------------------------------------------------
def cindex(e):
    """C expression (int64 arithmetic) of a sympy index expression."""
    if e.is_Integer:
        v = int(e)
        return f"{v}" if -2**31 < v < 2**31 else f"INT64_C({v})"
    if e.is_Symbol:
        return e.name
    if e.is_Add:
        terms = [cindex(a) for a in sympy.Add.make_args(e)]
        out = terms[0]
        for t in terms[1:]:
            out += f" - {t[1:]}" if t.startswith("-") else f" + {t}"
        return f"({out})"
    if e.is_Mul:
        c, rest = e.as_coeff_Mul()
        body = "*".join(cindex(a) for a in sympy.Mul.make_args(rest))
        if c == 1:
            return body
        if c == -1:
            return f"-{body}"
        return f"{cindex(c)}*{body}"
    if isinstance(e, FloorDiv):
        return f"({cindex(e.args[0])} / {cindex(e.args[1])})"
    if isinstance(e, Mod):
        return f"({cindex(e.args[0])} % {cindex(e.args[1])})"
    if isinstance(e, (sympy.Min, sympy.Max)):
        f = "std::min" if isinstance(e, sympy.Min) else "std::max"
        args = [f"(int64_t){cindex(a)}" for a in e.args]
        out = args[0]
        for a in args[1:]:
            out = f"{f}({out}, {a})"
        return out
    raise NotImplementedError(f"index expression {e!r}")


def cconst(value, dt):
    """C literal of `value` in the compute type of dt."""
    n = dname(dt)
    if n == "bool":
        return "true" if value else "false"
    if is_float(dt):
        v = float(value)
        ct = compute_type(dt)
        if math.isnan(v):
            return f"({ct})NAN"
        if math.isinf(v):
            return f"({ct})INFINITY" if v > 0 else f"(-({ct})INFINITY)"
        h = v.hex()
        return f"{h}f" if ct == "float" else h
    v = int(value)
    ct = compute_type(dt)
    if n == "int64" and v == -2**63:
        return "INT64_MIN"
    if n == "uint64" or v >= 2**31 or v < -2**31:
        suffix = "ULL" if n.startswith("uint") else "LL"
        if v < 0:
            return f"(({ct})(-{-v}{suffix}))" if v != -2**63 else "INT64_MIN"
        return f"(({ct}){v}{suffix})"
    return f"(({ct}){v})"


def _ipow(x, y):
    """Expression for x**y (y >= 1) by repeated squaring."""
    if y == 1:
        return x
    if y % 2 == 0:
        h = _ipow(x, y // 2)
        return f"(({h})*({h}))"
    return f"(({x})*{_ipow(x, y - 1)})"


_BIN = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^",
        "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_FUNC1 = {"exp": "jx_exp", "exp2": "jx_exp2", "log": "jx_log", "log1p": "jx_log1p", "expm1": "jx_expm1",
          "tanh": "jx_tanh", "sin": "jx_sin", "cos": "jx_cos", "tan": "jx_tan", "asin": "jx_asin",
          "acos": "jx_acos", "atan": "jx_atan", "sinh": "jx_sinh", "cosh": "jx_cosh", "asinh": "jx_asinh",
          "acosh": "jx_acosh", "atanh": "jx_atanh", "erf": "jx_erf", "erfc": "jx_erfc", "cbrt": "jx_cbrt",
          "erf_inv": "jx_erfinv", "lgamma": "jx_lgamma", "digamma": "jx_digamma", "logistic": "jx_logistic",
          "rsqrt": "jx_rsqrt", "sign": "jx_sign", "abs": "jx_abs", "floor": "std::floor",
          "ceil": "std::ceil", "sqrt": "std::sqrt"}


def compute_expr(op, args, arg_dtypes, out_dtype):
    """C expression for one Compute op (args are C names of compute-typed values)."""
    name = op.op
    ct = compute_type(out_dtype)
    a = args
    if name == "convert_element_type":
        return _convert(a[0], arg_dtypes[0], out_dtype)
    if name == "select_n":
        which, cases = a[0], a[1:]
        if dname(arg_dtypes[0]) == "bool" and len(cases) == 2:
            return f"({which} ? {cases[1]} : {cases[0]})"
        out = cases[-1]
        for i in range(len(cases) - 2, -1, -1):
            out = f"({which} == {i} ? {cases[i]} : {out})"
        return out
    in_dt = arg_dtypes[0]
    ict = compute_type(in_dt)
    if name in _BIN:
        return f"({ict})({a[0]} {_BIN[name]} {a[1]})" if name not in ("eq", "ne", "lt", "le", "gt", "ge") \
            else f"({a[0]} {_BIN[name]} {a[1]})"
    if name == "div":
        return f"({a[0]} / {a[1]})" if is_float(in_dt) else f"jx_idiv<{ict}>({a[0]}, {a[1]})"
    if name == "rem":
        return f"jx_fmod({a[0]}, {a[1]})" if is_float(in_dt) else f"jx_irem<{ict}>({a[0]}, {a[1]})"
    if name == "max":
        return f"jx_max<{ict}>({a[0]}, {a[1]})"
    if name == "min":
        return f"jx_min<{ict}>({a[0]}, {a[1]})"
    if name == "clamp":
        return f"jx_min<{ict}>(jx_max<{ict}>({a[1]}, {a[0]}), {a[2]})"
    if name == "pow":
        return f"jx_pow({a[0]}, {a[1]})"
    if name == "atan2":
        return f"jx_atan2({a[0]}, {a[1]})"
    if name == "nextafter":
        f = {"float16": "jx_nextafter_f16", "bfloat16": "jx_nextafter_bf16"}.get(dname(in_dt), "jx_nextafter")
        return f"{f}({a[0]}, {a[1]})"
    if name == "neg":
        return f"({ict})(0 - {a[0]})" if not is_float(in_dt) else f"(-{a[0]})"
    if name == "not":
        return f"(!{a[0]})" if dname(in_dt) == "bool" else f"({ict})(~{a[0]})"
    if name == "square":
        return f"({ict})({a[0]} * {a[0]})"
    if name == "integer_pow":
        y = op.param_dict["y"]
        if y == 0:
            return f"({ct})1"
        body = f"({ict})({_ipow(a[0], abs(y))})"
        return f"(({ct})1 / {body})" if y < 0 else body
    if name == "is_finite":
        return f"jx_isfinite({a[0]})"
    if name == "round":
        return f"std::nearbyint({a[0]})" if op.param_dict.get("rounding_method", 0) == 1 \
            else f"jx_round_away({a[0]})"
    if name == "population_count":
        return f"jx_popcount<{ict}>({a[0]})"
    if name == "shift_left":
        return f"jx_shl<{ict}>({a[0]}, {a[1]})"
    if name == "shift_right_logical":
        return f"jx_shr_logical<{ict}>({a[0]}, {a[1]})"
    if name == "shift_right_arithmetic":
        return f"jx_shr_arith<{ict}>({a[0]}, {a[1]})"
    if name in ("sign", "abs") and not is_float(in_dt):
        return f"{_FUNC1[name]}<{ict}>({a[0]})"
    if name in _FUNC1:
        return f"{_FUNC1[name]}({a[0]})"
    raise NotImplementedError(f"scalar op {name}")


def _convert(x, src, dst):
    d = dname(dst)
    sct, dct = compute_type(src), compute_type(dst)
    if d == "bool":
        return f"({x} != 0)"
    if is_float(src) and not is_float(dst):
        return f"jx_f2i<{dct}, {sct}>({x})"
    if d in _HALF:
        return round_half(f"(float)({x})", dst)
    return f"({dct})({x})"


_HALF_FNS = {"float16": {"round": "jx_rh", "load": "jx_h2f", "store": "jx_f2h"},
             "bfloat16": {"round": "jx_rbf", "load": "jx_bf2f", "store": "jx_f2bf"}}


def _half_call(kind, dt, expr):
    """expr through the half-precision helper of `kind` for float16/bfloat16, else unchanged."""
    fns = _HALF_FNS.get(dname(dt))
    return f"{fns[kind]}({expr})" if fns else expr


def round_half(expr, dt):
    return _half_call("round", dt, expr)


def load_expr(ptr, idx, dt):
    return _half_call("load", dt, f"{ptr}[{idx}]")


def store_value(v, dt):
    return _half_call("store", dt, v)


# ---- reductions -------------------------------------------------------------------------------
class _Acc:
    """Code pieces of one Reduce: declarations, per-element update, merges, finalization.
    Running values live in `blk_*` (a block: the simd loop's accumulator) and `acc_*` (the
    total, double for float sums); `sub` indexes per-lane arrays of a column reduction."""

    def __init__(self, op, in_dt):
        self.op = op
        self.name = op.out
        self.ct = compute_type(op.dtype)
        self.vct = compute_type(in_dt)
        self.bool_in = self.vct == "bool"
        self.fl = is_float(in_dt)
        if self.vct == "bool":
            self.vct = "int"          # bool reductions vectorize badly; accumulate in int
        self.kind = op.op
        self.wide = "double" if self.fl and self.kind == "sum" else self.vct
        self.nan = self.fl and self.kind in ("max", "min")

    @property
    def scalar_loop(self):
        return self.kind in ("argmax", "argmin")

    def identity(self):
        k, ct = self.kind, self.vct
        if k == "sum":
            return "0"
        if k == "prod":
            return "1"
        if k == "and":
            return "1" if self.bool_in else f"({ct})~({ct})0"
        if k == "or":
            return "0"
        if k in ("max", "argmax"):
            return f"(-std::numeric_limits<{ct}>::infinity())" if self.fl else f"std::numeric_limits<{ct}>::lowest()"
        return f"std::numeric_limits<{ct}>::infinity()" if self.fl else f"std::numeric_limits<{ct}>::max()"

    def combine(self, dst, src, dnan=None, snan=None):
        k = self.kind
        assign = {"sum": "+=", "prod": "*=", "and": "&=", "or": "|="}.get(k)
        if assign:
            return [f"{dst} {assign} {src};"]
        cmp = ">" if k == "max" else "<"
        out = [f"{dst} = ({src} {cmp} {dst}) ? {src} : {dst};"]
        if self.nan and dnan is not None:
            out.append(f"{dnan} |= {snan};")
        return out

    def decl_total(self):
        n = self.name
        if self.scalar_loop:
            return [f"{self.vct} bv_{n} = {self.identity()}; int64_t bi_{n} = -1;"]
        out = [f"{self.wide} acc_{n} = {self.identity()};"]
        if self.nan:
            out.append(f"int nan_{n} = 0;")
        return out

    def decl_block(self):
        n = self.name
        if self.scalar_loop:
            return []
        out = [f"{self.vct} blk_{n} = {self.identity()};"]
        if self.nan:
            out.append(f"int bnan_{n} = 0;")
        return out

    def decl_arrays(self, size):
        """Per-lane totals and blocks of a column reduction."""
        n = self.name
        out = [f"{self.wide} acc_{n}[{size}]; {self.vct} blk_{n}[{size}];"]
        if self.nan:
            out.append(f"int nan_{n}[{size}]; int bnan_{n}[{size}];")
        return out

    def init(self, which, sub=""):
        n = self.name
        out = [f"{which}_{n}{sub} = {self.identity()};"]
        if self.nan:
            out.append(f"{'' if which == 'acc' else 'b'}nan_{n}{sub} = 0;")
        return out

    def pragma_clauses(self, prefix=""):
        """OpenMP reduction clauses of the block accumulators (`prefix`: of a renamed copy)."""
        n = self.name
        op = {"sum": "+", "prod": "*", "and": "&", "or": "|", "max": "max", "min": "min"}[self.kind]
        out = [f"reduction({op}:{prefix}blk_{n})"]
        if self.nan:
            out.append(f"reduction(|:{prefix}bnan_{n})")
        return out

    def update(self, v, pos, sub=""):
        n, k = self.name, self.kind
        if not self.scalar_loop:
            out = self.combine(f"blk_{n}{sub}", v)
            if self.nan:
                out.append(f"bnan_{n}{sub} |= (int)({v} != {v});")
            return out
        cmp = ">" if k == "argmax" else "<"
        if self.fl:
            cond = f"bi_{n} < 0 || (bv_{n} == bv_{n} && ({v} {cmp} bv_{n} || {v} != {v}))"
        else:
            cond = f"bi_{n} < 0 || {v} {cmp} bv_{n}"
        return [f"if ({cond}) {{ bv_{n} = {v}; bi_{n} = {pos}; }}"]

    def decl_lanes(self):
        """Per-lane blocks: an element goes to lane (r - block start) % LANES, so the simd loop
        carries LANES independent accumulators instead of one (a reduction's add latency, not
        the loads, bounded the loop with one)."""
        n = self.name
        out = [f"{self.vct} blk_{n}[{LANES}];"]
        if self.nan:
            out.append(f"int bnan_{n}[{LANES}];")
        return out

    def merge_lanes(self):
        """Fold the lanes into the block total: a simd tree reduction, then the usual merge."""
        n = self.name
        out = [f"{self.vct} lblk_{n} = {self.identity()};"]
        clauses = self.pragma_clauses("l")
        if self.nan:
            out.append(f"int lbnan_{n} = 0;")
        body = self.combine(f"lblk_{n}", f"blk_{n}[jx_l]")
        if self.nan:
            body.append(f"lbnan_{n} |= bnan_{n}[jx_l];")
        out.append(f"#pragma omp simd {' '.join(clauses)}")
        out.append(f"for (int jx_l = 0; jx_l < {LANES}; ++jx_l) {{ {' '.join(body)} }}")
        return out + self.combine(f"acc_{n}", f"lblk_{n}", f"nan_{n}", f"lbnan_{n}")

    def merge_block(self, sub=""):
        n = self.name
        if self.scalar_loop:
            return []
        return self.combine(f"acc_{n}{sub}", f"blk_{n}{sub}", f"nan_{n}{sub}", f"bnan_{n}{sub}")

    # partial results of a parallel split (per thread), combined in thread order
    def partial_decls(self):
        n = self.name
        if self.scalar_loop:
            return [f"{self.vct} pbv_{n}[JX_MAXT]; int64_t pbi_{n}[JX_MAXT];"]
        out = [f"{self.wide} pacc_{n}[JX_MAXT];"]
        if self.nan:
            out.append(f"int pnan_{n}[JX_MAXT];")
        return out

    def partial_store(self, t):
        n = self.name
        if self.scalar_loop:
            return [f"pbv_{n}[{t}] = bv_{n}; pbi_{n}[{t}] = bi_{n};"]
        out = [f"pacc_{n}[{t}] = acc_{n};"]
        if self.nan:
            out.append(f"pnan_{n}[{t}] = nan_{n};")
        return out

    def partial_merge(self, t):
        n, k = self.name, self.kind
        if self.scalar_loop:
            cmp = ">" if k == "argmax" else "<"
            v = f"pbv_{n}[{t}]"
            if self.fl:
                cond = f"pbi_{n}[{t}] >= 0 && (bi_{n} < 0 || (bv_{n} == bv_{n} && ({v} {cmp} bv_{n} || {v} != {v})))"
            else:
                cond = f"pbi_{n}[{t}] >= 0 && (bi_{n} < 0 || {v} {cmp} bv_{n})"
            return [f"if ({cond}) {{ bv_{n} = {v}; bi_{n} = pbi_{n}[{t}]; }}"]
        return self.combine(f"acc_{n}", f"pacc_{n}[{t}]", f"nan_{n}", f"pnan_{n}[{t}]")

    def final_value(self, dt, sub=""):
        n, ct = self.name, self.ct
        if self.scalar_loop:
            return f"({ct})(bi_{n} < 0 ? 0 : bi_{n})"
        v = f"({ct})acc_{n}{sub}"
        if self.nan:
            v = f"(nan_{n}{sub} ? ({ct})NAN : ({ct})acc_{n}{sub})"
        return round_half(v, dt) if self.kind in ("sum", "prod") else v


# ---- kernels ----------------------------------------------------------------------------------
class KernelWriter:
    def __init__(self, kern, buffers):
        self.k = kern
        self.buffers = buffers
        self.dtypes = {}
        self.lines = []
        self.args = [b for b in dict.fromkeys(kern.reads + kern.writes) if buffers[b].kind != "local"]
        self.locals = sorted({op.buffer for st in kern.stages for op in st.ops
                              if type(op) in (K.Load, K.Store) and buffers[op.buffer].kind == "local"})
        for st in kern.stages:
            for op in st.ops:
                if hasattr(op, "out"):
                    self.dtypes[op.out] = op.dtype

    def w(self, line, ind):
        self.lines.append("  " * ind + line)

    # -- ops --
    def op_lines(self, ops, accs=None, sub=""):
        out = []
        for op in ops:
            t = type(op)
            if t is K.Load:
                b = self.buffers[op.buffer]
                if b.kind == "local":
                    out.append(f"const {value_type(op.dtype)} {op.out} = {op.buffer}[{cindex(op.index)}];")
                else:
                    out.append(f"const {value_type(op.dtype)} {op.out} = "
                               f"{load_expr(op.buffer, cindex(op.index), b.dtype)};")
            elif t is K.Const:
                out.append(f"const {value_type(op.dtype)} {op.out} = {cconst(op.value, op.dtype)};")
            elif t is K.IndexValue:
                out.append(f"const {value_type(op.dtype)} {op.out} = ({compute_type(op.dtype)})({cindex(op.expr)});")
            elif t is K.Compute:
                e = compute_expr(op, op.args, [self.dtypes[a] for a in op.args], op.dtype)
                if op.op not in _EXACT and op.op != "convert_element_type":
                    e = round_half(e, op.dtype)
                out.append(f"const {value_type(op.dtype)} {op.out} = {e};")
            elif t is K.Store:
                b = self.buffers[op.buffer]
                if b.kind == "local":
                    out.append(f"{op.buffer}[{cindex(op.index)}] = {op.value};")
                else:
                    out.append(f"{op.buffer}[{cindex(op.index)}] = {store_value(op.value, b.dtype)};")
            elif t is K.Reduce:
                out += accs[op.out].update(op.arg, cindex(op.index) if op.index is not None else "0", sub)
        return out

    def signature(self):
        params = []
        for b in self.args:
            buf = self.buffers[b]
            const = "const " if b not in self.k.writes else ""
            params.append(f"{const}{storage_type(buf.dtype)}* __restrict__ {b}")
        return f"static void {self.k.name}({', '.join(params)})"

    def write(self):
        k = self.k
        self.w(self.signature() + " {", 0)
        if any(d == 0 for d in k.ranges) or any(d == 0 for d in k.reduce_ranges) and \
                not any(type(op) is K.Reduce for st in k.stages for op in st.ops):
            self.w("return;", 1)
        elif not k.reduce_ranges:
            self.write_pointwise()
        else:
            self.write_reduction()
        self.w("}", 0)
        return "\n".join(self.lines)

    def _ops_count(self):
        return sum(len(st.ops) for st in self.k.stages)

    # -- pointwise kernels: the stage body runs over `ranges` --
    def write_pointwise(self):
        k = self.k
        ops = [op for st in k.stages for op in st.ops]
        P = k.ranges
        if not P:
            for line in self.op_lines(ops):
                self.w(line, 1)
            return
        total = int(np.prod(P))
        parallel = total * max(1, self._ops_count() // 4) >= PARALLEL_MIN_WORK
        inner = P[-1]
        outer = int(np.prod(P[:-1])) if len(P) > 1 else 1
        names = [f"p{i}" for i in range(len(P))]
        ind = 1
        if len(P) > 1 and P[-2] >= TILE[0] and P[-1] >= TILE[1] and self._strided_inner(ops, len(P)):
            return self.write_tiled(ops, P, parallel)
        if len(P) > 1:
            if parallel and outer >= PARALLEL_MIN_ROWS:
                self.w("#pragma omp parallel for num_threads(jx_nthreads) schedule(static)", ind)
                parallel = False
            self.w(f"for (int64_t po = 0; po < {outer}; ++po) {{", ind)
            ind += 1
            self._unravel("po", names[:-1], P[:-1], ind)
        if parallel:
            self.w("#pragma omp parallel for simd num_threads(jx_nthreads) schedule(static)", ind)
        else:
            self.w("#pragma omp simd", ind)
        self.w(f"for (int64_t {names[-1]} = 0; {names[-1]} < {inner}; ++{names[-1]}) {{", ind)
        for line in self.op_lines(ops):
            self.w(line, ind + 1)
        self.w("}", ind)
        if len(P) > 1:
            self.w("}", ind - 1)

    def _strided_inner(self, ops, nd):
        """Whether a load walks memory with a stride along the innermost loop (a transpose)."""
        last = sympy.Symbol(f"p{nd - 1}", integer=True, nonnegative=True)
        for op in ops:
            if type(op) is K.Load and op.index.has(last):
                e = op.index
                if any(isinstance(a, (FloorDiv, Mod)) and a.has(last) for a in sympy.preorder_traversal(e)):
                    return True
                c = e.coeff(last) if e.is_Add else e.as_coeff_Mul()[0] if e != last else 1
                if c != 1:
                    return True
        return False

    def write_tiled(self, ops, P, parallel):
        """Pointwise loops over tiles of the two innermost dims, so a transposed operand's
        cache lines are reused across the tile instead of re-fetched for every row."""
        names = [f"p{i}" for i in range(len(P))]
        t0, t1 = TILE
        n_t0 = -(-P[-2] // t0)
        outer = int(np.prod(P[:-2])) * n_t0
        ind = 1
        if parallel:
            self.w("#pragma omp parallel for num_threads(jx_nthreads) schedule(static)", ind)
        self.w(f"for (int64_t jx_o = 0; jx_o < {outer}; ++jx_o) {{", ind)
        ind += 1
        self.w(f"const int64_t jx_t0 = (jx_o % {n_t0}) * {t0};", ind)
        if len(P) > 2:
            self.w(f"const int64_t jx_po = jx_o / {n_t0};", ind)
            self._unravel("jx_po", names[:-2], P[:-2], ind)
        self.w(f"const int64_t jx_e0 = jx_min64(jx_t0 + {t0}, {P[-2]});", ind)
        self.w(f"for (int64_t jx_t1 = 0; jx_t1 < {P[-1]}; jx_t1 += {t1}) {{", ind)
        self.w(f"const int64_t jx_e1 = jx_min64(jx_t1 + {t1}, {P[-1]});", ind + 1)
        self.w(f"for (int64_t {names[-2]} = jx_t0; {names[-2]} < jx_e0; ++{names[-2]}) {{", ind + 1)
        self.w("#pragma omp simd", ind + 2)
        self.w(f"for (int64_t {names[-1]} = jx_t1; {names[-1]} < jx_e1; ++{names[-1]}) {{", ind + 2)
        for line in self.op_lines(ops):
            self.w(line, ind + 3)
        self.w("}", ind + 2)
        self.w("}", ind + 1)
        self.w("}", ind)
        ind -= 1
        self.w("}", ind)

    def _unravel(self, flat, names, sizes, ind):
        if len(names) == 1:
            self.w(f"const int64_t {names[0]} = {flat};", ind)
            return
        stride = 1
        for n, s in reversed(list(zip(names, sizes))):
            e = f"{flat} / {stride}" if stride != 1 else flat
            if n != names[0]:
                e = f"({e}) % {s}"
            self.w(f"const int64_t {n} = {e};", ind)
            stride *= s

    # -- reduction kernels --
    def _column_layout(self):
        """Whether the kernel reduces along a strided dimension while the outer dimension is
        contiguous (a column sum): then lanes run over outer points, not over the reduction."""
        k = self.k
        if len(k.ranges) != 1 or k.ranges[0] < 16 or self.locals:
            return False
        if [st.kind for st in k.stages] not in (["loop"], ["loop", "outer"]):
            return False
        p0 = sympy.Symbol("p0", integer=True, nonnegative=True)
        rl = sympy.Symbol(f"r{len(k.reduce_ranges) - 1}", integer=True, nonnegative=True)
        strided = False
        for op in k.stages[0].ops:
            t = type(op)
            if t is K.Reduce and op.op in ("argmax", "argmin"):
                return False
            if t in (K.Load, K.Store):
                e = op.index
                if any(isinstance(a, (FloorDiv, Mod)) and a.has(p0) for a in sympy.preorder_traversal(e)):
                    return False
                c = e.coeff(p0) if e.is_Add else (1 if e == p0 else e.as_coeff_Mul()[0] if e.has(p0) else 0)
                if c not in (0, 1):
                    return False
                if t is K.Load and c == 1 and (e.coeff(rl) if e.is_Add else 0) != 1:
                    strided = True
        return strided

    def write_column_reduction(self):
        k = self.k
        nP, R = k.ranges[0], k.reduce_ranges
        PB = 64
        loop = k.stages[0]
        outer = k.stages[1].ops if len(k.stages) > 1 else []
        accs = {op.out: _Acc(op, self.dtypes[op.arg]) for op in loop.ops if type(op) is K.Reduce}
        parallel = nP * int(np.prod(R)) >= PARALLEL_MIN_WORK and nP >= 2 * PB
        ind = 1
        if parallel:
            self.w("#pragma omp parallel for num_threads(jx_nthreads) schedule(static)", ind)
        self.w(f"for (int64_t pb = 0; pb < {nP}; pb += {PB}) {{", ind)
        ind += 1
        self.w(f"const int64_t pn = jx_min64({PB}, {nP} - pb);", ind)
        for a in accs.values():
            for line in a.decl_arrays(PB):
                self.w(line, ind)
        self.w(f"for (int64_t pl = 0; pl < {PB}; ++pl) {{", ind)
        for a in accs.values():
            for line in a.init("acc", "[pl]"):
                self.w(line, ind + 1)
        self.w("}", ind)
        inner = int(np.prod(R[1:])) if len(R) > 1 else 1
        rb = max(1, BLOCK // max(inner, 1))
        self.w(f"for (int64_t jx_b = 0; jx_b < {R[0]}; jx_b += {rb}) {{", ind)
        ind += 1
        self.w(f"for (int64_t pl = 0; pl < {PB}; ++pl) {{", ind)
        for a in accs.values():
            for line in a.init("blk", "[pl]"):
                self.w(line, ind + 1)
        self.w("}", ind)
        self.w(f"const int64_t jx_e = jx_min64(jx_b + {rb}, (int64_t){R[0]});", ind)
        self.w("for (int64_t r0 = jx_b; r0 < jx_e; ++r0) {", ind)
        depth = ind + 1
        for i in range(1, len(R)):
            self.w(f"for (int64_t r{i} = 0; r{i} < {R[i]}; ++r{i}) {{", depth)
            depth += 1
        self.w("#pragma omp simd", depth)
        self.w("for (int64_t pl = 0; pl < pn; ++pl) {", depth)
        self.w("const int64_t p0 = pb + pl;", depth + 1)
        for line in self.op_lines(loop.ops, accs, "[pl]"):
            self.w(line, depth + 1)
        self.w("}", depth)
        for i in range(len(R) - 1, -1, -1):
            depth -= 1
            self.w("}", depth)
        self.w("for (int64_t pl = 0; pl < pn; ++pl) {", ind)
        for a in accs.values():
            for line in a.merge_block("[pl]"):
                self.w(line, ind + 1)
        self.w("}", ind)
        ind -= 1
        self.w("}", ind)
        self.w("#pragma omp simd", ind)
        self.w("for (int64_t pl = 0; pl < pn; ++pl) {", ind)
        self.w("const int64_t p0 = pb + pl;", ind + 1)
        for op in loop.ops:
            if type(op) is K.Reduce:
                self.w(f"const {value_type(op.dtype)} {op.out} = {accs[op.out].final_value(op.dtype, '[pl]')};", ind + 1)
        for line in self.op_lines(outer):
            self.w(line, ind + 1)
        self.w("}", ind)
        ind -= 1
        self.w("}", ind)

    def write_reduction(self):
        k = self.k
        if self._column_layout():
            return self.write_column_reduction()
        P, R = k.ranges, k.reduce_ranges
        nP = int(np.prod(P)) if P else 1
        nR = int(np.prod(R))
        nloops = sum(1 for st in k.stages if st.kind == "loop")
        work = nP * nR * nloops
        parallel = work >= PARALLEL_MIN_WORK
        split = parallel and nP < PARALLEL_MIN_ROWS and R[0] >= 2 * BLOCK
        row_parallel = parallel and not split
        names = [f"p{i}" for i in range(len(P))]
        ind = 1
        local_bytes = sum(nR * 8 for _ in self.locals)
        if row_parallel:
            self.w("#pragma omp parallel num_threads(jx_nthreads)", ind)
            self.w("{", ind)
            ind += 1
        heap = local_bytes > STACK_LOCAL_BYTES or split
        for lb in self.locals:
            ct = compute_type(self.buffers[lb].dtype)
            if heap:
                self.w(f"{ct}* {lb} = ({ct}*)std::malloc(sizeof({ct}) * {max(nR, 1)});", ind)
            else:
                self.w(f"{ct} {lb}[{max(nR, 1)}];", ind)
        if row_parallel:
            self.w("#pragma omp for schedule(static)", ind)
        self.w(f"for (int64_t pp = 0; pp < {nP}; ++pp) {{", ind)
        ind += 1
        if P:
            self._unravel("pp", names, P, ind)
        for st in k.stages:
            if st.kind == "outer":
                for line in self.op_lines(st.ops):
                    self.w(line, ind)
            else:
                self.write_loop_stage(st, ind, split)
        ind -= 1
        self.w("}", ind)
        if heap:
            for lb in self.locals:
                self.w(f"std::free({lb});", ind)
        if row_parallel:
            ind -= 1
            self.w("}", ind)

    def write_loop_stage(self, st, ind, split):
        R = self.k.reduce_ranges
        accs = {}
        for op in st.ops:
            if type(op) is K.Reduce:
                accs[op.out] = _Acc(op, self.dtypes[op.arg])
        scalar = any(a.scalar_loop for a in accs.values())
        for a in accs.values():
            self.w(f"{a.ct} {a.name};", ind)
        self.w("{", ind)
        ind += 1
        for a in accs.values():
            for line in a.decl_total():
                self.w(line, ind)
        if split:
            for a in accs.values():
                for line in a.partial_decls():
                    self.w(line, ind)
            self.w("int jx_used = 1;", ind)
            self.w("#pragma omp parallel num_threads(jx_nthreads)", ind)
            self.w("{", ind)
            ind += 1
            self.w("const int jx_t = omp_get_thread_num(), jx_n = omp_get_num_threads();", ind)
            self.w("if (jx_t == 0) jx_used = jx_n;", ind)
            self.w(f"const int64_t jx_chunk = ({R[0]} + jx_n - 1) / jx_n;", ind)
            self.w(f"const int64_t r0_lo = jx_min64((int64_t)jx_t * jx_chunk, {R[0]});", ind)
            self.w(f"const int64_t r0_hi = jx_min64(r0_lo + jx_chunk, {R[0]});", ind)
            for a in accs.values():
                for line in a.decl_total():
                    self.w(line, ind)
            self._loop_nest(st, accs, scalar, ind, "r0_lo", "r0_hi")
            for a in accs.values():
                for line in a.partial_store("jx_t"):
                    self.w(line, ind)
            ind -= 1
            self.w("}", ind)
            self.w("for (int t = 0; t < jx_used; ++t) {", ind)
            for a in accs.values():
                for line in a.partial_merge("t"):
                    self.w(line, ind + 1)
            self.w("}", ind)
        else:
            self._loop_nest(st, accs, scalar, ind, "0", str(R[0]))
        for op in st.ops:
            if type(op) is K.Reduce:
                self.w(f"{op.out} = {accs[op.out].final_value(op.dtype)};", ind)
        ind -= 1
        self.w("}", ind)

    def _loop_nest(self, st, accs, scalar, ind, lo0, hi0):
        R = self.k.reduce_ranges
        names = [f"r{i}" for i in range(len(R))]
        depth = ind
        for i in range(len(R) - 1):
            lo, hi = (lo0, hi0) if i == 0 else ("0", str(R[i]))
            self.w(f"for (int64_t {names[i]} = {lo}; {names[i]} < {hi}; ++{names[i]}) {{", depth)
            depth += 1
        last = names[-1]
        lo, hi = (lo0, hi0) if len(R) == 1 else ("0", str(R[-1]))
        body = self.op_lines(st.ops, accs)
        if not accs:
            self.w("#pragma omp simd", depth)
            self.w(f"for (int64_t {last} = {lo}; {last} < {hi}; ++{last}) {{", depth)
            for line in body:
                self.w(line, depth + 1)
            self.w("}", depth)
        elif not scalar and int(R[-1]) >= LANES_MIN_R:
            lane_body = self.op_lines(st.ops, accs, "[jx_i]")
            tail_body = self.op_lines(st.ops, accs, f"[{last} - jx_m]")
            self.w(f"for (int64_t jx_b = {lo}; jx_b < {hi}; jx_b += {BLOCK}) {{", depth)
            d = depth + 1
            self.w(f"const int64_t jx_e = jx_min64(jx_b + {BLOCK}, (int64_t){hi});", d)
            self.w(f"const int64_t jx_m = jx_b + ((jx_e - jx_b) / {LANES}) * {LANES};", d)
            for a in accs.values():
                for line in a.decl_lanes():
                    self.w(line, d)
            self.w("#pragma omp simd", d)
            self.w(f"for (int jx_l = 0; jx_l < {LANES}; ++jx_l) {{", d)
            for a in accs.values():
                for line in a.init("blk", "[jx_l]"):
                    self.w(line, d + 1)
            self.w("}", d)
            self.w(f"for (int64_t jx_c = jx_b; jx_c < jx_m; jx_c += {LANES}) {{", d)
            self.w("#pragma omp simd", d + 1)
            self.w(f"for (int64_t jx_i = 0; jx_i < {LANES}; ++jx_i) {{", d + 1)
            self.w(f"const int64_t {last} = jx_c + jx_i;", d + 2)
            for line in lane_body:
                self.w(line, d + 2)
            self.w("}", d + 1)
            self.w("}", d)
            self.w("#pragma omp simd", d)
            self.w(f"for (int64_t {last} = jx_m; {last} < jx_e; ++{last}) {{", d)
            for line in tail_body:
                self.w(line, d + 1)
            self.w("}", d)
            for a in accs.values():
                for line in a.merge_lanes():
                    self.w(line, d)
            self.w("}", depth)
        else:
            self.w(f"for (int64_t jx_b = {lo}; jx_b < {hi}; jx_b += {BLOCK}) {{", depth)
            self.w(f"const int64_t jx_e = jx_min64(jx_b + {BLOCK}, (int64_t){hi});", depth + 1)
            for a in accs.values():
                for line in a.decl_block():
                    self.w(line, depth + 1)
            if not scalar:
                clauses = " ".join(c for a in accs.values() for c in a.pragma_clauses())
                self.w(f"#pragma omp simd {clauses}", depth + 1)
            self.w(f"for (int64_t {last} = jx_b; {last} < jx_e; ++{last}) {{", depth + 1)
            for line in body:
                self.w(line, depth + 2)
            self.w("}", depth + 1)
            for a in accs.values():
                for line in a.merge_block():
                    self.w(line, depth + 1)
            self.w("}", depth)
        for i in reversed(range(len(R) - 1)):
            depth -= 1
            self.w("}", depth)

