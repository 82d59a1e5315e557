"""Dead-code elimination: drop equations (and consts) whose outputs nothing uses.
Effectful equations (debug callbacks, also inside sub-graphs) always stay."""
from ..graph import Graph, Literal
from .effects import has_effects


def dce(graph, consts=None):
    live = {v for v in graph.outvars if type(v) is not Literal}
    keep = []
    for eqn in reversed(graph.eqns):
        if any(v in live for v in eqn.outvars) or has_effects(eqn):
            keep.append(eqn)
            for a in eqn.inputs:
                if type(a) is not Literal:
                    live.add(a)
    keep.reverse()
    if consts is None:
        return Graph(graph.invars, graph.constvars, keep, graph.outvars)
    cv, cs = [], []
    for v, c in zip(graph.constvars, consts):
        if v in live:
            cv.append(v)
            cs.append(c)
    return Graph(graph.invars, cv, keep, graph.outvars), cs
