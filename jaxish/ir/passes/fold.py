"""Constant folding: an equation whose inputs are all literals or small consts is evaluated at
compile time with the primitive's torch impl (the eager reference), its result becoming a const
(or a literal, for a weakly typed scalar). Large values, effects and sub-graphs are left alone."""
from ..graph import Var, Literal, Eqn, subgraphs_of
from .effects import has_effects
from .rewrite import rewrite

MAX_ELEMENTS = 4096


def _small(aval):
    return aval.size <= MAX_ELEMENTS


def fold_constants(graph, consts):
    """Returns (graph, consts): the folded graph with its (possibly longer) const list."""
    from ...interpreters.eager import run_impl
    from ...array import ArrayImpl
    known = {}
    for v, c in zip(graph.constvars, consts):
        if type(c) is ArrayImpl and _small(v.aval):
            known[v] = c._t
    new_vars, new_vals = [], []

    def value(a):
        return a.value if type(a) is Literal else known.get(a)

    def rule(eqn, _):
        prim = eqn.primitive
        if prim.multiple_results or getattr(prim, "is_collective", False) or has_effects(eqn) or \
                any(True for _ in subgraphs_of(eqn.params)):
            return None
        if not all(_small(v.aval) for v in eqn.outvars):
            return None
        vals = [value(a) for a in eqn.inputs]
        if any(v is None for v in vals):
            return None
        if vals and all(type(a) is Literal for a in eqn.inputs):   # impls want one tensor operand
            from ...numpy.creation import asarray
            vals[0] = asarray(vals[0], dtype=eqn.inputs[0].aval.dtype)._t
        try:
            out = run_impl(prim, vals, eqn.params)
        except Exception:  # leave it to run time, where the error can be reported in context
            return None
        aval = eqn.outvars[0].aval
        import torch
        from ... import dtypes
        if not isinstance(out, torch.Tensor):
            return None
        if tuple(out.shape) != aval.shape:
            return None
        td = dtypes.to_torch_dtype(aval.dtype)
        if out.dtype != td:
            out = out.to(td)
        if not eqn.inputs:  # iota/full: remember the value for consumers, keep computing it
            known[eqn.outvars[0]] = out
            return None
        if aval.shape == () and aval.weak_type:
            return [Literal(out.item(), aval)]
        v = Var(aval)
        known[v] = out
        new_vars.append(v)
        new_vals.append(ArrayImpl(out, aval.weak_type))
        return [v]

    g, changed = rewrite(graph, rule)
    if not new_vars:
        return g, consts
    from ..graph import Graph
    return Graph(g.invars, list(g.constvars) + new_vars, g.eqns, g.outvars), list(consts) + new_vals
