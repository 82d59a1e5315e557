"""Inline nested jit calls: a jit_call equation is replaced by the equations of its graph
(fresh variables each time, so one graph may be inlined at several call sites)."""
from ..graph import Graph, Var, Literal, Eqn


def inline_calls(graph):
    """Graph with every jit_call (at any depth of jit_call nesting) spliced in; None if unchanged."""
    if not any(e.primitive.name == "jit_call" for e in graph.eqns):
        return None
    env = {}
    eqns = []
    _splice(graph.eqns, env, eqns)
    return Graph(graph.invars, graph.constvars, eqns, [_sub(env, v) for v in graph.outvars])


def _sub(env, a):
    return a if type(a) is Literal else env.get(a, a)


def _splice(src_eqns, env, out):
    for e in src_eqns:
        ins = [_sub(env, a) for a in e.inputs]
        g = e.params.get("graph") if e.primitive.name == "jit_call" else None
        if g is not None and not g.constvars:
            inner = dict(zip(g.invars, ins))
            renamed = []
            for ie in g.eqns:
                outs = [Var(v.aval) for v in ie.outvars]
                renamed.append(Eqn(ie.primitive, [_sub(inner, a) for a in ie.inputs], ie.params, outs))
                inner.update(zip(ie.outvars, outs))
            _splice(renamed, env, out)
            for v, o in zip(e.outvars, g.outvars):
                env[v] = _sub(env, _sub(inner, o))
        elif any(x is not y for x, y in zip(ins, e.inputs)):
            out.append(Eqn(e.primitive, ins, e.params, e.outvars))
        else:
            out.append(e)
