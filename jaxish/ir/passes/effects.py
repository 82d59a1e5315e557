"""Which equations have side effects (debug callbacks), directly or inside their sub-graphs."""
import weakref

from ..graph import subgraphs_of

_graph_effects = weakref.WeakKeyDictionary()


def graph_has_effects(graph):
    hit = _graph_effects.get(graph)
    if hit is None:
        hit = _graph_effects[graph] = any(has_effects(e) for e in graph.eqns)
    return hit


def has_effects(eqn):
    if getattr(eqn.primitive, "effectful", False):
        return True
    return any(graph_has_effects(g) for g in subgraphs_of(eqn.params))
