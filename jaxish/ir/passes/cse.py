"""Common-subexpression elimination: an equation equal to an earlier one (same primitive, same
inputs, same params) reuses the earlier outputs. Effectful equations are never merged."""
from ..graph import Literal
from .effects import has_effects
from .rewrite import rewrite


def _atom_key(a):
    if type(a) is Literal:
        # repr keeps 0.0 and -0.0 apart (they compare equal)
        return ("lit", type(a.value).__name__, repr(a.value), a.aval)
    return a


def _rule(eqn, seen):
    if has_effects(eqn):
        return None
    try:
        key = (eqn.primitive, tuple(_atom_key(a) for a in eqn.inputs),
               tuple(sorted(eqn.params.items())))
        hash(key)
        prev = seen.get(key)
    except (TypeError, ValueError):
        return None
    if prev is not None:
        return list(prev)
    seen[key] = eqn.outvars
    return None


def cse(graph):
    return rewrite(graph, _rule, {})[0]
