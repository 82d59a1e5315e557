"""Graph passes. `optimize(graph, consts)` runs the default pipeline; each pass returns a new
graph and never changes a result (no float reassociation):

inline nested jit calls -> algebraic simplification -> constant folding -> CSE -> DCE,
applied to sub-graphs of control flow too (there without new consts, keeping their signature).
"""
import weakref

from ..graph import Graph, Eqn, subgraphs_of
from .dce import dce
from .cse import cse
from .simplify import simplify
from .fold import fold_constants
from .inline import inline_calls
from .effects import has_effects, graph_has_effects  # noqa: F401

_sub_cache = weakref.WeakKeyDictionary()


def _optimize_params(graph):
    """Optimize the sub-graphs held in the equations' params (memoized per sub-graph)."""
    eqns, changed = [], False
    for e in graph.eqns:
        if not any(True for _ in subgraphs_of(e.params)):
            eqns.append(e)
            continue
        params = {}
        for k, v in e.params.items():
            if isinstance(v, Graph):
                v2 = optimize_subgraph(v)
            elif isinstance(v, tuple) and any(isinstance(u, Graph) for u in v):
                v2 = tuple(optimize_subgraph(u) if isinstance(u, Graph) else u for u in v)
            else:
                v2 = v
            params[k] = v2
        if any(params[k] is not e.params[k] for k in params):
            e = Eqn(e.primitive, e.inputs, params, e.outvars)
            changed = True
        eqns.append(e)
    if not changed:
        return graph
    return Graph(graph.invars, graph.constvars, eqns, graph.outvars)


def optimize_subgraph(graph):
    """The same pipeline for a closed sub-graph (no consts: its invars and outvars stay)."""
    if graph.constvars:
        return graph
    hit = _sub_cache.get(graph)
    if hit is not None:
        return hit
    g = inline_calls(graph) or graph
    g = _optimize_params(g)
    g = simplify(g)
    g = cse(g)
    g = dce(g)
    if len(g.eqns) == len(graph.eqns) and all(a is b for a, b in zip(g.eqns, graph.eqns)) and \
            all(a is b for a, b in zip(g.outvars, graph.outvars)):
        g = graph  # keep the identity: compile caches key on it
    _sub_cache[graph] = g
    return g


def optimize(graph, consts):
    g = inline_calls(graph) or graph
    g = _optimize_params(g)
    g = simplify(g)
    g, consts = fold_constants(g, consts)
    g = simplify(g)
    g = cse(g)
    return dce(g, consts)
