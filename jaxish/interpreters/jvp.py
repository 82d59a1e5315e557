"""Forward mode: the JVP trace carries (primal, tangent) pairs; symbolic Zero tangents cost nothing.

Rules are registered beside each primitive as `prim.jvp(primals, tangents, **params) ->
(primal_out, tangent_out)`; helpers here build the common shapes of rule."""
from .. import dtypes
from ..ir.avals import ShapedArray
from . import core


class Zero:
    """A symbolic zero tangent of a given aval."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


def zero_of(x):
    return Zero(core.get_aval(x).strip_weak_type())


def is_differentiable(aval):
    return dtypes.is_inexact(aval.dtype)


def instantiate(t):
    """Materialize a symbolic Zero as an array of zeros (on the current trace)."""
    if type(t) is Zero:
        from ..lax import zeros_like_aval
        return zeros_like_aval(t.aval)
    return t


def add_tangents(a, b):
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    from ..lax.elementwise import add_p
    return add_p.bind(a, b)


class JVPTracer(core.Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    @property
    def aval(self):
        return core.get_aval(self.primal)

    def to_concrete_value(self):
        p = self.primal
        if isinstance(p, core.Tracer):
            return p.to_concrete_value()
        return p


class JVPTrace(core.Trace):
    def __init__(self, parent=None):
        self.parent = parent if parent is not None else core.current_trace()
        self.level = self.parent.level + 1

    def unpack(self, x):
        if isinstance(x, JVPTracer) and x._trace is self:
            return x.primal, x.tangent
        if isinstance(x, core.Tracer):
            core.check_alive(x)
        return x, None

    def process_primitive(self, prim, args, params):
        primals, tangents, any_t = [], [], False
        for a in args:
            p, t = self.unpack(a)
            primals.append(p)
            if t is None:
                t = zero_of(p)
            else:
                any_t = True
            tangents.append(t)
        with core.set_current_trace(self.parent):
            if not any_t:
                return prim.bind(*primals, **params)
            if prim.jvp is None:
                raise prim.missing_rule("jvp")
            p_out, t_out = prim.jvp(primals, tangents, **params)
        if prim.multiple_results:
            return [self.wrap(p, t) for p, t in zip(p_out, t_out)]
        return self.wrap(p_out, t_out)

    def wrap(self, p, t):
        if t is None or type(t) is Zero:
            return p
        if not dtypes.is_inexact(core.get_aval(p).dtype):
            return p
        return JVPTracer(self, p, t)


# ---- helpers to define rules ------------------------------------------------------------------
def defjvp(prim, *rules):
    """rules[i](g_i, *primals, **params) -> contribution of argument i's tangent (None: not differentiable)."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero(core.get_aval(out).strip_weak_type())
        for rule, t in zip(rules, tangents):
            if rule is None or type(t) is Zero:
                continue
            acc = add_tangents(acc, rule(t, *primals, **params))
        return out, acc
    prim.jvp = jvp
    return jvp


def defjvp2(prim, *rules):
    """Like defjvp, but rules also receive the primal output: rule(g, ans, *primals, **params)."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero(core.get_aval(out).strip_weak_type())
        for rule, t in zip(rules, tangents):
            if rule is None or type(t) is Zero:
                continue
            acc = add_tangents(acc, rule(t, out, *primals, **params))
        return out, acc
    prim.jvp = jvp
    return jvp


def defjvp_zero(prim):
    """A primitive whose outputs have zero derivative everywhere (comparisons, rounding, integer ops)."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero(core.get_aval(o).strip_weak_type()) for o in out]
        return out, Zero(core.get_aval(out).strip_weak_type())
    prim.jvp = jvp
    return jvp


def deflinear(prim, transpose_rule):
    """A primitive linear in all its arguments: the jvp applies it to the tangents."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            return out, (Zero(core.get_aval(out)) if not prim.multiple_results else
                         [Zero(core.get_aval(o)) for o in out])
        ref = core.get_aval(next(t for t in tangents if type(t) is not Zero)).dtype
        ts = []
        for p, t in zip(primals, tangents):
            if type(t) is Zero:
                a = t.aval
                if a.dtype != ref and core.get_aval(p).weak_type:
                    # a Python scalar's zero tangent (64-bit under x64) takes the others' dtype,
                    # as the scalar itself does in the primal computation
                    a = a.update(dtype=ref)
                t = instantiate(Zero(a))
            ts.append(t)
        t_out = prim.bind(*ts, **params)
        return out, t_out
    prim.jvp = jvp
    prim.transpose = transpose_rule
    return jvp


def jvp_flat(fn, primals, tangents):
    """Run fn under a fresh JVP trace: returns (primal_outs, tangent_outs) (Zero where symbolic)."""
    trace = JVPTrace()
    ins = [JVPTracer(trace, p, t) if type(t) is not Zero else p for p, t in zip(primals, tangents)]
    try:
        with core.set_current_trace(trace):
            outs = fn(*ins)
        p_out, t_out = [], []
        for o in outs:
            p, t = trace.unpack(o)
            p_out.append(p)
            t_out.append(zero_of(p) if t is None else t)
        return p_out, t_out
    finally:
        trace.invalidate()
