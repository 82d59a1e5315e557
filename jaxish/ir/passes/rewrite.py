"""The walk every rewriting pass shares: visit equations in order with their inputs renamed by
earlier rewrites; a rule keeps an equation, replaces it by another, or forwards its outputs."""
from ..graph import Graph, Literal, Eqn


def sub(env, a):
    return a if type(a) is Literal else env.get(a, a)


def rewrite(graph, rule, state=None):
    """rule(eqn, state) -> None (keep), an Eqn (emit instead), or a list of atoms (one per outvar:
    uses of the outvars read those instead; the equation is dropped). Returns (graph, changed)."""
    env = {}
    eqns = []
    changed = False
    for e in graph.eqns:
        ins = [sub(env, a) for a in e.inputs]
        if any(x is not y for x, y in zip(ins, e.inputs)):
            e = Eqn(e.primitive, ins, e.params, e.outvars)
            changed = True
        r = rule(e, state)
        if r is None:
            eqns.append(e)
        elif type(r) is Eqn:
            eqns.append(r)
            changed = True
        else:
            for v, a in zip(e.outvars, r):
                env[v] = a
            changed = True
    if not changed:
        return graph, False
    return Graph(graph.invars, graph.constvars, eqns, [sub(env, v) for v in graph.outvars]), True
