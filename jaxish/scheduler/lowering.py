"""Lowering: each graph equation becomes a loop-level value.

Pointwise primitives and views compose lazily (a value is a function from an index — a list of
sympy expressions — to a scalar SSA value), so chains inline into their consumers. A value is
*realized* into a buffer by a scheduler node (`SNode`) where it must exist in memory: graph
outputs, extern operands, reduction results, and values worth computing once (used several
times and not cheap, or broadcast to a larger shape). Reductions inline their prologue.
Anything else (matmul, gather/scatter, cumulative ops, control flow, complex numbers, unknown
primitives) is an extern call of the primitive's torch impl."""
import numpy as np

from .. import dtypes
from ..ir.graph import Literal
from ..ir.printer import print_eqn, _Namer
from . import kernel as K
from .kernel import SCALAR_OPS
from .indexing import ZERO, syms, offset, contiguous_strides, linear_index

_IDENTITY_OPS = frozenset(["copy", "stop_gradient", "name"])
_TRANSCENDENTAL = frozenset("""exp exp2 log log1p expm1 tanh logistic sin cos tan asin acos atan
sinh cosh asinh acosh atanh pow erf erfc erf_inv lgamma digamma atan2 cbrt rem""".split())
_COMPARE = frozenset("eq ne lt le gt ge".split())
REDUCTION_OPS = {"reduce_sum": "sum", "reduce_max": "max", "reduce_min": "min",
                 "reduce_prod": "prod", "reduce_and": "and", "reduce_or": "or",
                 "argmax": "argmax", "argmin": "argmin"}
_BOOL_REDUCTION = {"sum": "or", "max": "or", "min": "and", "prod": "and"}


def supported_dtype(dt):
    return np.dtype(dt) in dtypes.SUPPORTED and not dtypes.is_complex(dt)


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


# ---- SSA bodies -------------------------------------------------------------------------------
class Body:
    """The SSA ops of one scheduler node (hash-consed: equal ops share one value)."""

    def __init__(self):
        self.ops = []
        self.cse = {}
        self.dtype = {}

    def _add(self, key, dtype, make):
        name = self.cse.get(key)
        if name is None:
            name = f"t{len(self.ops)}"
            self.ops.append(make(name))
            self.cse[key] = name
            self.dtype[name] = np.dtype(dtype)
        return name

    def load(self, buffer, index, dtype):
        return self._add(("load", buffer, index), dtype, lambda n: K.Load(n, np.dtype(dtype), buffer, index))

    def const(self, value, dtype):
        return self._add(("const", value, np.dtype(dtype).str, type(value)), dtype,
                         lambda n: K.Const(n, np.dtype(dtype), value))

    def index(self, expr, dtype):
        return self._add(("index", expr, np.dtype(dtype).str), dtype, lambda n: K.IndexValue(n, np.dtype(dtype), expr))

    def compute(self, op, args, dtype, params=()):
        if op == "convert_element_type" and self.dtype[args[0]] == np.dtype(dtype):
            return args[0]
        return self._add(("op", op, tuple(args), np.dtype(dtype).str, params), dtype,
                         lambda n: K.Compute(n, np.dtype(dtype), op, tuple(args), params))

    def reduce(self, op, arg, dtype, index=None):
        return self._add(("reduce", op, arg, index), dtype, lambda n: K.Reduce(n, np.dtype(dtype), op, arg, index))


# ---- values ---------------------------------------------------------------------------------
class Value:
    """What lowering knows about one graph value: shape, dtype and how to load an element."""
    cost = 0          # scalar ops per element to recompute it
    origin = ()


class BufferValue(Value):
    def __init__(self, buffer):
        self.buffer = buffer
        self.shape = buffer.shape
        self.dtype = buffer.dtype

    def load(self, body, idx):
        return body.load(self.buffer.name, offset(idx, self.buffer.strides), self.dtype)


class ConstValue(Value):
    def __init__(self, value, dtype, shape=()):
        self.value = _cast_scalar(value, dtype)
        self.dtype = np.dtype(dtype)
        self.shape = tuple(shape)

    def load(self, body, idx):
        return body.const(self.value, self.dtype)


class LazyValue(Value):
    def __init__(self, shape, dtype, fn, cost, origin=()):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.fn = fn
        self.cost = cost
        self.origin = tuple(origin)

    def load(self, body, idx):
        return self.fn(body, idx)


def _cast_scalar(value, dtype):
    dtype = np.dtype(dtype)
    if hasattr(value, "item") and not isinstance(value, np.generic):
        value = value.item() if getattr(value, "ndim", 0) == 0 else value
    if not supported_dtype(dtype):
        return value
    v = np.asarray(value).astype(dtype)
    if dtype == dtypes.bool_:
        return bool(v)
    if dtypes.is_float(dtype):
        return float(v.astype(np.float64))
    return int(v)


# ---- scheduler nodes ------------------------------------------------------------------------
class SNode:
    """A realization point: a loop nest that stores values into buffers, or an extern call.

    pointwise: `shape`, local symbols i0.. over it, `body`, `stores` [(buffer, index, value)].
    reduction: `shape` is the full (input) shape, `axes` the reduced ones; the body's last op is
    the Reduce and `stores` index only kept dimensions. extern: `prim`, `params`, `inputs`."""

    def __init__(self, kind, shape=(), axes=(), origin=()):
        self.kind = kind
        self.shape = tuple(shape)
        self.axes = tuple(axes)
        self.body = Body()
        self.stores = []
        self.origin = list(origin)
        self.prim = self.params = None
        self.inputs = []
        self.outputs = []

    @property
    def reads(self):
        if self.kind == "extern":
            return {x for x in self.inputs if isinstance(x, str)}
        return {op.buffer for op in self.body.ops if type(op) is K.Load}

    @property
    def writes(self):
        if self.kind == "extern":
            return set(self.outputs)
        return {b for b, _, _ in self.stores}


class Lowering:
    def __init__(self, graph, input_strides=None):
        self.graph = graph
        self.buffers = {}
        self.nodes = []
        self.uses = {}
        self.eqn_index = -1           # position of the current equation (jit calls inlined)
        self._count_uses(graph)
        self.input_strides = input_strides or {}

    # -- buffers and realization --
    def new_buffer(self, shape, dtype, kind="temp", strides=None, arg=None, extern=False):
        name = f"{kind[:3]}{len(self.buffers)}" if kind != "input" else f"in{arg}"
        if name in self.buffers:
            name = f"{name}_{len(self.buffers)}"
        b = K.Buffer(name, tuple(shape), np.dtype(dtype),
                     tuple(strides) if strides is not None else contiguous_strides(shape),
                     kind, arg=arg, extern=extern)
        self.buffers[name] = b
        return b

    def realize(self, value, kind="temp"):
        """A BufferValue holding `value` (a new node stores it unless it is a buffer already)."""
        if isinstance(value, BufferValue):
            return value
        buf = self.new_buffer(value.shape, value.dtype, kind)
        if numel(value.shape) > 0:
            node = SNode("pointwise", value.shape, origin=value.origin)
            idx = syms("i", len(value.shape))
            v = value.load(node.body, idx)
            node.stores.append((buf.name, linear_index(idx, value.shape), v))
            self.nodes.append(node)
        return BufferValue(buf)

    def _count_uses(self, graph):
        for eqn in graph.eqns:
            for a in eqn.inputs:
                if type(a) is not Literal:
                    self.uses[a] = self.uses.get(a, 0) + 1
            if eqn.primitive.name == "jit_call":
                self._count_uses(eqn.params["graph"])
        for v in graph.outvars:
            if type(v) is not Literal:
                self.uses[v] = self.uses.get(v, 0) + 1

    def text(self, eqn):
        try:
            return print_eqn(eqn, self.namer)
        except Exception:  # noqa: BLE001 - the text is only for reports
            return eqn.primitive.name

    # -- driver --
    def lower_graph(self):
        g = self.graph
        self.namer = _Namer()
        for v in g.invars:
            self.namer(v)
        env = {}
        inputs = []
        for i, v in enumerate(g.invars):
            st = self.input_strides.get(i)
            b = self.new_buffer(v.aval.shape, v.aval.dtype, "input", strides=st, arg=i)
            env[v] = BufferValue(b)
            inputs.append(b.name)
        outs = self._lower_eqns(g, env)
        outputs = []
        for v, val in zip(g.outvars, outs):
            if isinstance(val, ConstValue) and val.shape == () and type(v) is Literal:
                outputs.append(("const", val.value, val.dtype))
                continue
            if isinstance(val, BufferValue) and val.buffer.kind in ("temp", "output"):
                val.buffer.kind = "output"
                outputs.append(val.buffer.name)
            elif isinstance(val, BufferValue):
                outputs.append(val.buffer.name)  # an input returned as is
            else:
                outputs.append(self.realize(val, "output").buffer.name)
        return inputs, outputs

    def _read(self, env, a):
        if type(a) is Literal:
            return ConstValue(a.value, a.aval.dtype)
        return env[a]

    def _lower_eqns(self, graph, env):
        for eqn in graph.eqns:
            self.eqn_index += 1
            ins = [self._read(env, a) for a in eqn.inputs]
            outs = self.lower_eqn(eqn, ins)
            for v, o in zip(eqn.outvars, outs):
                if isinstance(o, LazyValue) and self.uses.get(v, 0) > 1 and _worth_keeping(o):
                    o = self.realize(o)
                env[v] = o
        return [self._read(env, v) for v in graph.outvars]

    def lower_eqn(self, eqn, ins):
        prim = eqn.primitive
        avals = [a.aval for a in eqn.inputs] + [v.aval for v in eqn.outvars]
        if prim.name == "jit_call":
            sub = eqn.params["graph"]
            senv = dict(zip(sub.invars, ins))
            return self._lower_eqns(sub, senv)
        if all(supported_dtype(a.dtype) for a in avals):
            name = getattr(prim, "pointwise", None)
            if name in _IDENTITY_OPS:
                return [ins[0]]
            if name in SCALAR_OPS:
                return [self.lower_pointwise(eqn, name, ins)]
            if prim.name in REDUCTION_OPS:
                return [self.lower_reduction(eqn, REDUCTION_OPS[prim.name], ins[0])]
            view = _VIEWS.get(prim.name)
            if view is not None:
                out = view(self, eqn, ins)
                if out is not None:
                    return [out]
        return self.lower_extern(eqn, ins)

    # -- pointwise --
    def _expanded(self, value, out_shape):
        """Realize a costly value before it is broadcast to more elements (compute it once)."""
        if isinstance(value, LazyValue) and value.cost >= 1 and numel(value.shape) < numel(out_shape):
            return self.realize(value)
        return value

    def lower_pointwise(self, eqn, name, ins):
        out = eqn.outvars[0].aval
        shape = out.shape
        avals = [a.aval for a in eqn.inputs]
        params = ()
        if name == "convert_element_type":
            operand_dtypes = [avals[0].dtype]
        elif name == "select_n":
            case_dt = dtypes.promote_types(*((a.dtype, a.weak_type) for a in avals[1:]))[0]
            operand_dtypes = [avals[0].dtype] + [case_dt] * (len(avals) - 1)
        else:
            dt = dtypes.promote_types(*((a.dtype, a.weak_type) for a in avals))[0]
            operand_dtypes = [dt] * len(avals)
        if name == "integer_pow":
            params = (("y", int(eqn.params["y"])),)
        elif name == "round":
            params = (("rounding_method", int(eqn.params.get("rounding_method", 0))),)
        operands = []
        for v, dt in zip(ins, operand_dtypes):
            v = self._expanded(v, shape)
            if isinstance(v, ConstValue) and v.dtype != dt:
                v = ConstValue(v.value, dt, v.shape)
            operands.append((v, dt))
        cost = (4 if name in _TRANSCENDENTAL else 1) + sum(v.cost for v, _ in operands)
        origin = sum((v.origin for v, _ in operands), ()) + (self.text(eqn),)
        out_dtype = out.dtype
        nd = len(shape)

        def fn(body, idx):
            args = []
            for v, dt in operands:
                k = len(v.shape)
                sub = [ZERO if v.shape[j] == 1 else idx[nd - k + j] for j in range(k)]
                a = v.load(body, sub)
                if body.dtype[a] != dt:
                    a = body.compute("convert_element_type", [a], dt)
                args.append(a)
            return body.compute(name, args, out_dtype, params)
        return LazyValue(shape, out_dtype, fn, cost, origin)

    # -- reductions --
    def lower_reduction(self, eqn, op, x):
        out = eqn.outvars[0].aval
        axes = tuple(sorted(eqn.params["axes"]))
        shape = x.shape
        if x.dtype == dtypes.bool_ and op in _BOOL_REDUCTION:
            op = _BOOL_REDUCTION[op]
        rsize = numel([shape[a] for a in axes])
        kept = [d for d in range(len(shape)) if d not in axes]
        if rsize == 0 and op not in ("argmax", "argmin"):
            return ConstValue(_identity(op, out.dtype), out.dtype, out.shape)
        if rsize == 1:
            if op in ("argmax", "argmin"):
                return ConstValue(0, out.dtype, out.shape)
            return _remap(x, out.shape, out.dtype,
                          lambda idx: _scatter_kept(idx, kept, len(shape)), (self.text(eqn),))
        node = SNode("reduction", shape, axes, origin=x.origin + (self.text(eqn),))
        idx = syms("i", len(shape))
        v = x.load(node.body, idx)
        if op in ("argmax", "argmin"):
            pos = linear_index([idx[a] for a in axes], [shape[a] for a in axes])
            red = node.body.reduce(op, v, out.dtype, pos)
        else:
            if node.body.dtype[v] != out.dtype:
                v = node.body.compute("convert_element_type", [v], out.dtype)
            red = node.body.reduce(op, v, out.dtype)
        buf = self.new_buffer(out.shape, out.dtype)
        node.stores.append((buf.name, linear_index([idx[d] for d in kept], out.shape), red))
        self.nodes.append(node)
        return BufferValue(buf)

    # -- extern calls --
    def lower_extern(self, eqn, ins):
        node = SNode("extern", origin=[self.text(eqn)])
        node.eqn_index = self.eqn_index
        node.prim = eqn.primitive
        node.params = eqn.params
        for a, v in zip(eqn.inputs, ins):
            if type(a) is Literal:
                node.inputs.append(("literal", a.value))
            else:
                node.inputs.append(self.realize(v).buffer.name)
        outs = []
        for ov in eqn.outvars:
            b = self.new_buffer(ov.aval.shape, ov.aval.dtype, "temp", extern=True)
            node.outputs.append(b.name)
            outs.append(BufferValue(b))
        self.nodes.append(node)
        return outs


def _worth_keeping(value):
    return value.cost >= 2


def _identity(op, dtype):
    dtype = np.dtype(dtype)
    if op in ("sum", "or"):
        return 0
    if op == "prod":
        return 1
    if op == "and":
        return True if dtype == dtypes.bool_ else -1
    if dtype == dtypes.bool_:
        return op == "min"
    if dtypes.is_float(dtype):
        return float("-inf") if op == "max" else float("inf")
    info = np.iinfo(dtype)
    return int(info.min) if op == "max" else int(info.max)


def _scatter_kept(idx, kept, nd):
    full = [ZERO] * nd
    for i, d in zip(idx, kept):
        full[d] = i
    return full


# ---- views: index remaps ---------------------------------------------------------------------
def _remap(x, shape, dtype, idx_fn, origin=()):
    """A value of `shape` whose element idx is x's element idx_fn(idx)."""
    if isinstance(x, ConstValue):
        return ConstValue(x.value, x.dtype, shape)
    return LazyValue(shape, dtype, lambda body, idx: x.load(body, idx_fn(idx)), x.cost,
                     x.origin + tuple(origin))


def _view_broadcast(low, eqn, ins):
    (x,) = ins
    shape, bd = eqn.params["shape"], eqn.params["broadcast_dimensions"]
    x = low._expanded(x, shape)

    def idx_fn(idx):
        return [ZERO if x.shape[i] == 1 else idx[d] for i, d in enumerate(bd)]
    return _remap(x, shape, x.dtype, idx_fn, (low.text(eqn),))


def _view_transpose(low, eqn, ins):
    (x,) = ins
    perm = eqn.params["permutation"]
    shape = eqn.outvars[0].aval.shape

    def idx_fn(idx):
        src = [ZERO] * len(perm)
        for k, p in enumerate(perm):
            src[p] = idx[k]
        return src
    return _remap(x, shape, x.dtype, idx_fn, (low.text(eqn),))


def _reshape_index(in_shape, out_shape):
    """idx over out_shape -> idx over in_shape, matching groups of dims with equal products."""
    from .indexing import FloorDiv, Mod
    from sympy import Integer
    ins = [d for d in range(len(in_shape)) if in_shape[d] != 1]
    outs = [d for d in range(len(out_shape)) if out_shape[d] != 1]
    groups = []
    i = j = 0
    while i < len(ins) or j < len(outs):
        gi, gj = [ins[i]] if i < len(ins) else [], [outs[j]] if j < len(outs) else []
        i += bool(gi)
        j += bool(gj)
        pi = numel([in_shape[d] for d in gi])
        pj = numel([out_shape[d] for d in gj])
        while pi != pj:
            if pi < pj:
                gi.append(ins[i])
                pi *= in_shape[ins[i]]
                i += 1
            else:
                gj.append(outs[j])
                pj *= out_shape[outs[j]]
                j += 1
        groups.append((gi, gj))

    def idx_fn(idx):
        src = [ZERO] * len(in_shape)
        for gi, gj in groups:
            lin = linear_index([idx[d] for d in gj], [out_shape[d] for d in gj])
            if len(gi) == 1:
                src[gi[0]] = lin
                continue
            sizes = [in_shape[d] for d in gi]
            strides = contiguous_strides(sizes)
            for k, d in enumerate(gi):
                e = FloorDiv(lin, Integer(strides[k]))
                if k > 0:
                    e = Mod(e, Integer(sizes[k]))
                src[d] = e
        return src
    return idx_fn


def _view_reshape(low, eqn, ins):
    (x,) = ins
    dims = eqn.params.get("dimensions")
    if dims is not None:
        perm_shape = tuple(x.shape[d] for d in dims)
        xt = x

        def tfn(idx):
            src = [ZERO] * len(dims)
            for k, p in enumerate(dims):
                src[p] = idx[k]
            return src
        x = _remap(xt, perm_shape, x.dtype, tfn)
    shape = tuple(eqn.params["new_sizes"])
    return _remap(x, shape, x.dtype, _reshape_index(x.shape, shape), (low.text(eqn),))


def _view_squeeze(low, eqn, ins):
    (x,) = ins
    dims = set(d % max(len(x.shape), 1) for d in eqn.params["dimensions"])
    kept = [d for d in range(len(x.shape)) if d not in dims]
    shape = eqn.outvars[0].aval.shape
    return _remap(x, shape, x.dtype, lambda idx: _scatter_kept(idx, kept, len(x.shape)), (low.text(eqn),))


def _view_slice(low, eqn, ins):
    (x,) = ins
    start = eqn.params["start_indices"]
    strides = eqn.params.get("strides") or (1,) * len(start)
    shape = eqn.outvars[0].aval.shape
    return _remap(x, shape, x.dtype, lambda idx: [s + i * st for i, s, st in zip(idx, start, strides)],
                  (low.text(eqn),))


def _view_rev(low, eqn, ins):
    (x,) = ins
    dims = set(eqn.params["dimensions"])
    shape = x.shape
    return _remap(x, shape, x.dtype,
                  lambda idx: [(shape[k] - 1 - i) if k in dims else i for k, i in enumerate(idx)],
                  (low.text(eqn),))


def _view_iota(low, eqn, ins):
    p = eqn.params
    dt, shape, dim = np.dtype(p["dtype"]), tuple(p["shape"]), p["dimension"]
    return LazyValue(shape, dt, lambda body, idx: body.index(idx[dim], dt), 0, (low.text(eqn),))


def _view_full(low, eqn, ins):
    out = eqn.outvars[0].aval
    fill = eqn.params["fill_value"]
    if hasattr(fill, "shape") and tuple(getattr(fill, "shape", ())) != ():
        return None
    return ConstValue(fill, out.dtype, out.shape)


_VIEWS = {
    "broadcast_in_dim": _view_broadcast,
    "transpose": _view_transpose,
    "reshape": _view_reshape,
    "squeeze": _view_squeeze,
    "slice": _view_slice,
    "rev": _view_rev,
    "iota": _view_iota,
    "full": _view_full,
    "full_like": _view_full,
}
