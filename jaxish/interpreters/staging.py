"""Staging: record primitives into a Graph (jit, make_jaxpr), optionally evaluating the parts
whose inputs are all known on the parent trace (partial evaluation, used by linearize)."""
import numpy as np
import torch

from .. import dtypes
from ..array import ArrayImpl
from ..errors import UnexpectedTracerError
from ..ir.avals import ShapedArray
from ..ir.graph import Var, Literal, Eqn, Graph, ClosedGraph
from . import core


class StagingTracer(core.Tracer):
    __slots__ = ("_aval", "_var")  # not `var`: that name is Array.var (the variance method)

    def __init__(self, trace, aval, var):
        self._trace = trace
        self._aval = aval
        self._var = var

    @property
    def aval(self):
        return self._aval


class StagingTrace(core.Trace):
    def __init__(self, parent=None, partial=False):
        self.parent = parent if parent is not None else core.current_trace()
        self.level = self.parent.level + 1
        self.partial = partial
        self.invars = []
        self.eqns = []
        self.consts = {}  # id(value) -> (value, var)

    def new_arg(self, aval):
        v = Var(aval)
        self.invars.append(v)
        return StagingTracer(self, aval, v)

    def is_own(self, x):
        return isinstance(x, StagingTracer) and x._trace is self

    def to_var(self, x):
        if isinstance(x, StagingTracer) and x._trace is self:
            if not self.alive:
                raise UnexpectedTracerError(x)
            return x._var
        if isinstance(x, core.Tracer) and not x._trace.alive:
            raise UnexpectedTracerError(x)
        if core.is_scalar_literal(x):
            return Literal(x, core.get_aval(x))
        key = id(x)
        hit = self.consts.get(key)
        if hit is not None:
            return hit[1]
        if isinstance(x, (np.ndarray, np.generic, torch.Tensor)):
            from ..numpy.creation import asarray
            x = asarray(x)
        v = Var(core.get_aval(x))
        self.consts[key] = (x, v)
        return v

    def add_eqn(self, prim, inputs, params, out_avals):
        outvars = [Var(a) for a in out_avals]
        self.eqns.append(Eqn(prim, inputs, params, outvars))
        return [StagingTracer(self, a, v) for a, v in zip(out_avals, outvars)]

    def process_primitive(self, prim, args, params):
        if self.partial:
            own = [self.is_own(a) for a in args]
            if not any(own):
                with core.set_current_trace(self.parent):
                    return prim.bind(*args, **params)
            if prim.partial_eval is not None and (not all(own) or prim.partial_eval_unknown):
                return prim.partial_eval(self, own, args, params)
        inputs = [self.to_var(a) for a in args]
        out_avals = abstract_eval(prim, [i.aval for i in inputs], params)
        outs = self.add_eqn(prim, inputs, params, out_avals if prim.multiple_results else [out_avals])
        return outs if prim.multiple_results else outs[0]

    def to_graph(self, outs):
        """Close the trace: (Graph with constvars, const values). Non-tracer outputs become consts."""
        outvars = [self.to_var(o) for o in outs]
        constvals = [c for c, _ in self.consts.values()]
        constvars = [v for _, v in self.consts.values()]
        return Graph(self.invars, constvars, self.eqns, outvars), constvals


def abstract_eval(prim, avals, params):
    if prim.abstract_eval is not None:
        return prim.abstract_eval(*avals, **params)
    return meta_abstract_eval(prim, avals, params)


def meta_abstract_eval(prim, avals, params):
    """Fallback shape rule: run the torch impl on meta tensors."""
    args = [torch.empty(a.shape, dtype=dtypes.to_torch_dtype(a.dtype), device="meta")
            for a in avals]
    try:
        out = prim.impl(*args, **params)
    except NotImplementedError:
        raise
    except Exception as e:
        raise TypeError(f"{prim.name}: invalid arguments {[a.str_short() for a in avals]}: {e}") from None
    weaks = [a.weak_type for a in avals]
    weak = prim.weak_type_rule(weaks, **params) if prim.weak_type_rule else all(weaks)
    outs = out if prim.multiple_results else [out]
    res = [ShapedArray(tuple(o.shape), dtypes.from_torch_dtype(o.dtype), weak)
           for o in outs]
    return res if prim.multiple_results else res[0]


def trace_to_graph(fn, in_avals, parent=None):
    """Trace `fn(*flat_args) -> flat outs` to (Graph, consts). consts may be outer tracers."""
    trace = StagingTrace(parent)
    args = [trace.new_arg(a) for a in in_avals]
    try:
        with core.set_current_trace(trace):
            outs = fn(*args)
        outs = list(outs)
        return trace.to_graph(outs)
    finally:
        trace.invalidate()


def close_over_consts(graph):
    """Turn constvars into leading invars (so consts travel as explicit operands)."""
    return Graph(list(graph.constvars) + list(graph.invars), [], graph.eqns, graph.outvars)


def trace_to_subgraph(fn, in_avals):
    """For higher-order primitives: a constvar-free Graph plus the consts to pass as operands."""
    graph, consts = trace_to_graph(fn, in_avals)
    return close_over_consts(graph), consts


def eval_graph(graph, consts, args):
    """Evaluate a Graph by binding each equation on the current trace."""
    env = {}
    for v, x in zip(graph.constvars, consts):
        env[v] = x
    for v, x in zip(graph.invars, args):
        env[v] = x

    def read(a):
        return a.value if type(a) is Literal else env[a]

    for eqn in graph.eqns:
        ins = [read(a) for a in eqn.inputs]
        out = eqn.primitive.bind(*ins, **eqn.params)
        if eqn.primitive.multiple_results:
            for v, o in zip(eqn.outvars, out):
                env[v] = o
        else:
            env[eqn.outvars[0]] = out
    return [read(v) for v in graph.outvars]
