"""Primitives, traces and tracers: the seam every transformation plugs into.

One *current trace* is held in a context; `Primitive.bind` hands the call to it. A Trace
processes primitives; a Tracer belongs to one trace and has an aval. Eager evaluation is the
outermost trace (see eager.py).
"""
import functools
import threading
import weakref

import numpy as np
import torch

from .. import dtypes
from ..array import Array
from ..errors import (ConcretizationTypeError, TracerBoolConversionError,
                      TracerIntegerConversionError, TracerArrayConversionError,
                      UnexpectedTracerError)
from ..ir.avals import ShapedArray


_default_trace = [None]  # the eager trace, set by eager.py


class _State(threading.local):
    def __init__(self):
        self.trace = _default_trace[0]
        self.axis_env = ()  # ((name, size), ...) of the named axes in scope, innermost last


state = _State()


def current_trace():
    return state.trace


class set_current_trace:
    """Context manager: make `trace` current for the block."""
    __slots__ = ("trace", "prev")

    def __init__(self, trace):
        self.trace = trace

    def __enter__(self):
        self.prev = state.trace
        state.trace = self.trace

    def __exit__(self, *exc):
        state.trace = self.prev


class extend_axis_env:
    """Context manager: bind the named axis `name` of size `size` for the block (vmap, pmap).

    Staging reads it, so a collective traced under jit inside vmap knows its axis size; jit
    keys its cache on it."""
    __slots__ = ("entry", "prev")

    def __init__(self, name, size):
        self.entry = (name, size)

    def __enter__(self):
        self.prev = state.axis_env
        state.axis_env = self.prev + (self.entry,)

    def __exit__(self, *exc):
        state.axis_env = self.prev


def axis_size(name):
    """Size of the innermost bound axis called `name`; NameError (as JAX) when unbound."""
    for n, size in reversed(state.axis_env):
        if n == name:
            return size
    raise NameError(f"unbound axis name: {name}")


def graph_out_weak_types(weaks, graph, **_):
    """weak_type_rule of a primitive that calls `graph` (jit_call, remat, custom_jvp/vjp calls):
    its outputs are weak exactly where the graph's outputs are."""
    return [a.weak_type for a in graph.out_avals]


class Primitive:
    """A named operation. Rules live as attributes set beside the primitive's definition."""
    multiple_results = False
    unsigned_shim = True  # eager: compute uint16/32/64 in int64 (torch lacks most kernels)
    eager_check = False  # eager: run abstract_eval first (for impls torch would not reject)
    partial_eval_unknown = False  # partial_eval also when every operand is unknown (full_like)

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results
        self.impl = self._missing("impl (eager evaluation)")
        self.abstract_eval = None
        self.jvp = None
        self.transpose = None
        self.batch = None
        self.lower = None
        self.partial_eval = None
        self.weak_type_rule = None
        self.is_collective = False
        # specialize(in_avals, **params): a function of the operands' tensors for exactly these
        # avals (the compiled backends' extern calls), or None to run impl through run_impl
        self.specialize = None

    def _missing(self, what):
        name = self.name

        def rule(*a, **k):
            raise NotImplementedError(f"primitive '{name}' has no {what} rule")
        return rule

    def bind(self, *args, **params):
        return state.trace.process_primitive(self, args, params)

    def __repr__(self):
        return self.name

    # registration helpers -------------------------------------------------
    def def_impl(self, fn):
        self.impl = fn
        return fn

    def def_abstract_eval(self, fn):
        self.abstract_eval = fn
        return fn

    def missing_rule(self, transformation):
        return NotImplementedError(
            f"primitive '{self.name}' has no {transformation} rule (needed by {transformation})")


class Trace:
    """Base class: subclasses implement process_primitive(prim, args, params)."""
    level = 0
    alive = True

    def process_primitive(self, prim, args, params):
        raise NotImplementedError

    def invalidate(self):
        self.alive = False


class Tracer(Array):
    """A value being traced by a transformation; supports the whole Array surface."""
    __slots__ = ("_trace",)
    __array_priority__ = 1000

    @property
    def aval(self):
        raise NotImplementedError

    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def weak_type(self):
        return self.aval.weak_type

    @property
    def ndim(self):
        return len(self.aval.shape)

    @property
    def size(self):
        return self.aval.size

    def to_concrete_value(self):
        """The concrete Array behind this tracer, if the transformation knows one (else None)."""
        return None

    def _concrete(self, what, err=ConcretizationTypeError):
        v = self.to_concrete_value()
        if v is None:
            raise err(self, f"The problem arose with the `{what}` function.")
        return v

    def __bool__(self):
        return bool(self._concrete("bool", TracerBoolConversionError))

    def __int__(self):
        return int(self._concrete("int", TracerIntegerConversionError))

    def __index__(self):
        return self._concrete("__index__", TracerIntegerConversionError).__index__()

    def __float__(self):
        return float(self._concrete("float"))

    def __complex__(self):
        return complex(self._concrete("complex"))

    def item(self):
        return self._concrete("item").item()

    def tolist(self):
        return self._concrete("tolist").tolist()

    def __array__(self, dtype=None, copy=None):
        v = self.to_concrete_value()
        if v is None:
            raise TracerArrayConversionError(self)
        return v.__array__(dtype)

    def __hash__(self):
        raise TypeError(f"unhashable type: {type(self).__name__}")

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}>with<{type(self._trace).__name__}>"

    @property
    def device(self):
        v = self.to_concrete_value()
        return v.device if v is not None else None


def check_alive(tracer):
    if not tracer._trace.alive:
        raise UnexpectedTracerError(tracer)


# ---- avals of arbitrary values ------------------------------------------------------------
def get_aval(x):
    """ShapedArray of an Array, tracer, Python scalar, numpy value or torch tensor."""
    if isinstance(x, Array):
        return x.aval
    t = type(x)
    if t is float or t is int or t is bool or t is complex:
        d, w = dtypes.scalar_dtype(x)
        return ShapedArray((), d, w)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype), False)
    if isinstance(x, torch.Tensor):
        return ShapedArray(tuple(x.shape), dtypes.from_torch_dtype(x.dtype), False)
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid jaxish type")


def is_scalar_literal(x):
    t = type(x)
    return t is float or t is int or t is bool or t is complex


def memo_by_graph(fn):
    """Cache fn(graph, ...) per graph (held weakly) and per the other arguments (lists read as
    tuples; unhashable arguments skip the cache); results holding a tracer (consts captured
    from an enclosing trace) are not kept. Each call gets fresh copies of the result's lists."""
    import inspect
    cache = weakref.WeakKeyDictionary()
    sig = inspect.signature(fn)

    def frozen(v):
        return tuple(frozen(u) for u in v) if isinstance(v, (list, tuple)) else v

    @functools.wraps(fn)
    def wrapped(graph, *args, **kwargs):
        bound = sig.bind(graph, *args, **kwargs)
        bound.apply_defaults()
        key = tuple(frozen(v) for v in list(bound.arguments.values())[1:])
        try:
            hash(key)
        except TypeError:
            return fn(graph, *args, **kwargs)
        per = cache.get(graph)
        if per is None:
            per = cache[graph] = {}
        hit = per.get(key)
        if hit is None:
            hit = fn(graph, *args, **kwargs)
            if not any(isinstance(c, Tracer) for part in hit if isinstance(part, list) for c in part):
                per[key] = hit
        return tuple(list(p) if isinstance(p, list) else p for p in hit)
    wrapped.cache = cache
    return wrapped
