"""Reverse mode: linearize (JVP with the tangent part staged by partial evaluation) and the
backward pass that transposes a linear graph, one transpose rule per linear primitive."""
from ..ir.graph import Literal
from . import core
from .jvp import JVPTrace, JVPTracer, Zero, zero_of, add_tangents, instantiate
from .staging import StagingTrace


class UndefinedPrimal:
    """Marks a linear input of a transpose rule (its value is what we solve for)."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined(x):
    return type(x) is UndefinedPrimal


def linearize_flat(fn, primals, diff_mask=None):
    """Returns (primal_outs, linear Graph, consts, out_zero_flags).

    The graph maps tangents of the differentiable inputs (diff_mask) to output tangents.
    """
    parent = core.current_trace()
    lin = StagingTrace(parent, partial=True)
    jt = JVPTrace(parent=lin)
    diff_mask = diff_mask or [True] * len(primals)
    ins = []
    for p, d in zip(primals, diff_mask):
        if d:
            t = lin.new_arg(core.get_aval(p).strip_weak_type())
            ins.append(JVPTracer(jt, p, t))
        else:
            ins.append(p)
    try:
        with core.set_current_trace(jt):
            outs = fn(*ins)
        p_out, t_out = [], []
        for o in outs:
            p, t = jt.unpack(o)
            p_out.append(p)
            t_out.append(t)
        zero_flags = [t is None or type(t) is Zero for t in t_out]
        with core.set_current_trace(lin):
            t_vals = [instantiate(zero_of(p)) if z else t for p, t, z in zip(p_out, t_out, zero_flags)]
        graph, consts = lin.to_graph(t_vals)
        return p_out, graph, consts, zero_flags
    finally:
        jt.invalidate()
        lin.invalidate()


def backward_pass(graph, consts, args, cts_out, consume=False):
    """Transpose `graph` w.r.t. the inputs given as UndefinedPrimal; others are known values.

    Equations with no linear input are evaluated forward first (on the current trace).
    Returns the cotangents of the UndefinedPrimal inputs (Zero where none flowed).
    consume: the caller hands `consts` over (the list is emptied), so each residual is freed as
    soon as the last equation that reads it has been transposed (as torch frees saved tensors)."""
    env = {}
    linear = set()
    for v, x in zip(graph.constvars, consts):
        env[v] = x
    if consume:
        consts.clear()
    for v, x in zip(graph.invars, args):
        if is_undefined(x):
            linear.add(v)
        else:
            env[v] = x

    def read(a):
        return a.value if type(a) is Literal else env[a]

    lin_eqns = []
    for eqn in graph.eqns:
        if any(type(a) is not Literal and a in linear for a in eqn.inputs):
            linear.update(eqn.outvars)
            lin_eqns.append(eqn)
        else:
            out = eqn.primitive.bind(*[read(a) for a in eqn.inputs], **eqn.params)
            if eqn.primitive.multiple_results:
                env.update(zip(eqn.outvars, out))
            else:
                env[eqn.outvars[0]] = out

    ct_env = {}

    def write_ct(v, ct):
        if type(v) is Literal or v not in linear or ct is None or type(ct) is Zero:
            return
        ct_env[v] = add_tangents(ct_env[v], ct) if v in ct_env else ct

    for v, ct in zip(graph.outvars, cts_out):
        write_ct(v, ct)

    last_reader = {}
    if consume:
        for i, eqn in enumerate(lin_eqns):
            for a in eqn.inputs:
                if type(a) is not Literal and a not in linear and a not in last_reader:
                    last_reader[a] = i
    for i in range(len(lin_eqns) - 1, -1, -1):
        eqn = lin_eqns[i]
        prim = eqn.primitive
        cts = [ct_env.pop(v, None) for v in eqn.outvars]
        if all(c is None for c in cts):
            if consume:
                _release(env, eqn, last_reader, i)
            continue
        cts = [Zero(v.aval) if c is None else c for v, c in zip(eqn.outvars, cts)]
        invals = [UndefinedPrimal(a.aval) if type(a) is not Literal and a in linear else read(a)
                  for a in eqn.inputs]
        if prim.transpose is None:
            raise NotImplementedError(f"primitive '{prim.name}' has no transpose rule "
                                      "(needed by grad/vjp/linear_transpose)")
        cts_in = prim.transpose(cts if prim.multiple_results else cts[0], *invals, **eqn.params)
        del invals, cts
        for a, ct in zip(eqn.inputs, cts_in):
            write_ct(a, ct)
        if consume:
            _release(env, eqn, last_reader, i)

    res = []
    for v, x in zip(graph.invars, args):
        if is_undefined(x):
            ct = ct_env.get(v)
            res.append(Zero(v.aval) if ct is None else ct)
    return res


def _release(env, eqn, last_reader, i):
    """Drop the known values that no equation still to be transposed reads."""
    for a in eqn.inputs:
        if type(a) is not Literal and last_reader.get(a) == i:
            env.pop(a, None)
