"""Algebraic rewrites that never change a result bit: x*1, x/1, x-0, x+0 (integers; for floats
only x + -0.0, since -0.0 + 0.0 is +0.0), -(-x), transpose of transpose, reshape of reshape,
a cast to the same type, and broadcasts / transposes / reshapes that change nothing."""
import math

from ..graph import Eqn, Literal
from .rewrite import rewrite


def _is_lit(a, value):
    if type(a) is not Literal:
        return False
    v = a.value
    if isinstance(v, complex) or getattr(a.aval, "shape", ()) != ():
        return False
    try:
        return v == value and not isinstance(v, bool)
    except (TypeError, ValueError):
        return False


def _is_float(aval):
    return aval.dtype.kind in "fc" or aval.dtype.name == "bfloat16"


def _same_type(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and a.weak_type == b.weak_type


def _pos_zero(a):
    return _is_lit(a, 0) and math.copysign(1.0, float(a.value)) > 0


def _neg_zero(a):
    return _is_lit(a, 0) and math.copysign(1.0, float(a.value)) < 0


def _identity_operand(eqn):
    """The input this equation merely returns, or None."""
    if len(eqn.outvars) != 1:
        return None
    name = eqn.primitive.name
    ins, out = eqn.inputs, eqn.outvars[0].aval
    if name in ("mul", "add", "sub", "div") and len(ins) == 2:
        x, y = ins
        flt = _is_float(out)
        if name == "mul":
            cand = x if _is_lit(y, 1) else y if _is_lit(x, 1) else None
        elif name == "div":
            cand = x if _is_lit(y, 1) else None
        elif name == "sub":
            cand = x if (_pos_zero(y) if flt else _is_lit(y, 0)) else None
        else:
            zero = _neg_zero if flt else (lambda a: _is_lit(a, 0))
            cand = x if zero(y) else y if zero(x) else None
        if cand is not None and type(cand) is not Literal and _same_type(cand.aval, out):
            return cand
        return None
    if len(ins) != 1 or type(ins[0]) is Literal:
        return None
    x = ins[0]
    if not _same_type(x.aval, out):
        return None
    p = eqn.params
    if name == "convert_element_type":
        return x
    if name == "transpose" and tuple(p["permutation"]) == tuple(range(out.ndim)):
        return x
    if name == "reshape" and p.get("dimensions") is None:
        return x
    if name == "broadcast_in_dim" and tuple(p["broadcast_dimensions"]) == tuple(range(out.ndim)):
        return x
    if name in ("squeeze", "rev") and not tuple(p.get("dimensions", ())):
        return x
    return None


def _rule(eqn, prod):
    ident = _identity_operand(eqn)
    if ident is not None:
        return [ident]
    name = eqn.primitive.name
    x = eqn.inputs[0] if eqn.inputs else None
    src = prod.get(x) if x is not None and type(x) is not Literal else None
    new = None
    if src is not None and src.primitive is eqn.primitive:
        inner = src.inputs[0]
        if name == "neg" and type(inner) is not Literal and _same_type(inner.aval, eqn.outvars[0].aval):
            return [inner]
        if name == "transpose":
            p1, p2 = src.params["permutation"], eqn.params["permutation"]
            perm = tuple(int(p1[i]) for i in p2)
            if perm == tuple(range(len(perm))) and _same_type(inner.aval, eqn.outvars[0].aval):
                return [inner]
            new = Eqn(eqn.primitive, [inner], dict(eqn.params, permutation=perm), eqn.outvars)
        elif name == "reshape" and src.params.get("dimensions") is None and \
                eqn.params.get("dimensions") is None:
            if type(inner) is not Literal and _same_type(inner.aval, eqn.outvars[0].aval):
                return [inner]
            new = Eqn(eqn.primitive, [inner], eqn.params, eqn.outvars)
    res = new if new is not None else eqn
    for v in res.outvars:
        prod[v] = res
    return new


def simplify(graph):
    return rewrite(graph, _rule, {})[0]
