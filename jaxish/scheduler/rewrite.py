"""Graph rewrites applied before lowering (cheap, sympy-free, idempotent).

transpose(dot_general(a, b)) whose permutation only swaps the two groups of free dimensions is
dot_general(b, a) with the operand roles swapped: the matmul then writes the layout its consumer
reads, instead of a kernel reading the product with a stride (gradients of weights in a
backward pass look like this)."""
from ..ir.graph import Eqn, Graph, Literal


def _swapped_free_perm(eqn):
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    lhs, rhs = eqn.inputs
    nb = len(lb)
    nl = len(lhs.aval.shape) - len(lc) - nb
    nr = len(rhs.aval.shape) - len(rc) - nb
    return tuple(range(nb)) + tuple(nb + nl + i for i in range(nr)) + tuple(nb + i for i in range(nl))


def _swapped_params(params):
    (lc, rc), (lb, rb) = params["dimension_numbers"]
    out = dict(params, dimension_numbers=((tuple(rc), tuple(lc)), (tuple(rb), tuple(lb))))
    prec = params.get("precision")
    if isinstance(prec, (tuple, list)) and len(prec) == 2:
        out["precision"] = (prec[1], prec[0])
    return out


def prepare(graph):
    uses = {}
    for e in graph.eqns:
        for a in e.inputs:
            if type(a) is not Literal:
                uses[a] = uses.get(a, 0) + 1
    for v in graph.outvars:
        if type(v) is not Literal:
            uses[v] = uses.get(v, 0) + 1
    dots = {e.outvars[0]: e for e in graph.eqns if e.primitive.name == "dot_general"}
    drop, changed, eqns = set(), False, []
    for e in graph.eqns:
        if e.primitive.name == "jit_call":
            sub = prepare(e.params["graph"])
            if sub is not e.params["graph"]:
                e = Eqn(e.primitive, e.inputs, dict(e.params, graph=sub), e.outvars)
                changed = True
        elif e.primitive.name == "transpose" and type(e.inputs[0]) is not Literal:
            d = dots.get(e.inputs[0])
            if d is not None and uses.get(e.inputs[0]) == 1 and \
                    tuple(e.params["permutation"]) == _swapped_free_perm(d) and \
                    tuple(e.params["permutation"]) != tuple(range(len(e.params["permutation"]))):
                drop.add(id(d))
                e = Eqn(d.primitive, (d.inputs[1], d.inputs[0]), _swapped_params(d.params), e.outvars)
                changed = True
        eqns.append(e)
    if not changed:
        return graph
    return Graph(graph.invars, graph.constvars, [e for e in eqns if id(e) not in drop], graph.outvars)
