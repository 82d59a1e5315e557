"""The eager trace: the outermost trace, runs each primitive's torch `impl` at once."""
import numpy as np
import torch

from .. import dtypes
from ..array import ArrayImpl
from ..config import config
from ..errors import UnexpectedTracerError
from . import core

_WIDE_U = dtypes.TORCH_WIDE_UNSIGNED
_Tensor = torch.Tensor


def to_tensor(x):
    """Torch tensor (or Python scalar, kept as is) for an eager operand."""
    t = type(x)
    if t is ArrayImpl:
        return x._t
    if t is float or t is int or t is bool or t is complex:
        return x
    if isinstance(x, core.Tracer):
        raise UnexpectedTracerError(x)
    if isinstance(x, ArrayImpl):
        return x._t
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic)):
        from ..numpy.creation import _numpy_to_tensor
        return _numpy_to_tensor(np.asarray(x))
    raise TypeError(f"Value {x!r} of type {type(x).__name__} is not a valid jaxish type")


def _is_weak(x):
    t = type(x)
    if t is ArrayImpl:
        return x._weak
    return t is float or t is int or t is complex


class EagerTrace(core.Trace):
    level = 0

    def process_primitive(self, prim, args, params):
        if config._values["jax_no_execution"]:
            raise RuntimeError(f"JAX tried to execute function {prim.name}, but the no_execution config "
                               "option is set")
        if prim.eager_check:  # shape rules torch would silently bend (slice bounds, permutations)
            from .core import get_aval
            prim.abstract_eval(*[get_aval(a) for a in args], **params)
        ts = [a._t if type(a) is ArrayImpl else to_tensor(a) for a in args]
        try:
            out = run_impl(prim, ts, params)
        except (RuntimeError, IndexError, ValueError):
            # Let abstract evaluation explain the problem in JAX's words, if it can.
            if prim.abstract_eval is not None:
                from .core import get_aval
                prim.abstract_eval(*[get_aval(a) for a in args], **params)
            raise
        if prim.weak_type_rule is not None:
            weak = prim.weak_type_rule([_is_weak(a) for a in args], **params)
        else:
            weak = True
            for a in args:
                if not _is_weak(a):
                    weak = False
                    break
        if prim.multiple_results:
            if type(weak) is list:  # higher-order primitives: one weak flag per output
                outs = [ArrayImpl(o, w) for o, w in zip(out, weak)]
            else:
                outs = [ArrayImpl(o, weak) for o in out]
            if config._values["_debug_fp"]:
                _check_nans(prim, outs)
            return outs
        res = ArrayImpl(out, weak)
        if config._values["_debug_fp"]:
            _check_nans(prim, [res])
        return res


def run_impl(prim, ts, params):
    """Call prim.impl on torch tensors / Python scalars, computing wide unsigned ints in int64."""
    shim = None
    if prim.unsigned_shim:
        for t in ts:
            if type(t) is _Tensor and t.dtype in _WIDE_U:
                shim = t.dtype
                break
    if shim is None:
        return prim.impl(*ts, **params)
    ts = [t.to(torch.int64) if type(t) is torch.Tensor and t.dtype in _WIDE_U else t for t in ts]
    if shim == torch.uint64 and prim.name in _U64_ORDER_OPS:
        return _uint64_impl(prim, ts, params)
    out = prim.impl(*ts, **params)
    if prim.multiple_results:
        return [o.to(shim) if o.dtype == torch.int64 else o for o in out]
    return out.to(shim) if out.dtype == torch.int64 else out


_U64_ORDER_OPS = frozenset(("lt", "le", "gt", "ge", "max", "min", "div", "rem"))
_SIGN64 = -(2 ** 63)


def _as_int64_bits(v):
    """A Python int operand of a uint64 op as the int64 with the same 64 bits."""
    return v - 2 ** 64 if type(v) is int and v >= 2 ** 63 else v


def _uint64_impl(prim, ts, params):
    """uint64 ops whose result depends on unsigned order: int64 holds values >= 2**63 as
    negatives, so compare with the sign bit flipped and divide in halves."""
    ts = [_as_int64_bits(t) for t in ts]
    if prim.name in ("div", "rem"):
        like = next(t for t in ts if type(t) is torch.Tensor)
        a, b = [t if type(t) is torch.Tensor else torch.full_like(like, t) for t in ts]
        a, b = torch.broadcast_tensors(a, b)
        q, r = _udivmod64(a, b)
        return (q if prim.name == "div" else r).to(torch.uint64)
    flipped = [t ^ _SIGN64 for t in ts]
    out = prim.impl(*flipped, **params)
    if out.dtype == torch.bool:
        return out
    return (out ^ _SIGN64).to(torch.uint64)


def _ult(a, b):
    return (a ^ _SIGN64) < (b ^ _SIGN64)


def _udivmod64(a, b):
    """Unsigned 64-bit quotient and remainder of int64 bit patterns (x / 0 = all ones, x % 0 = x)."""
    zero = b == 0
    big = b < 0  # divisor >= 2**63: quotient is 0 or 1
    safe = torch.where(zero | big, torch.ones_like(b), b)
    q = torch.div((a >> 1) & (2 ** 63 - 1), safe, rounding_mode="trunc") << 1
    r = a - q * safe
    fix = ~_ult(r, safe)
    q = q + fix.to(torch.int64)
    r = r - fix.to(torch.int64) * safe
    ge = ~_ult(a, b)
    q = torch.where(big, ge.to(torch.int64), q)
    r = torch.where(big, a - ge.to(torch.int64) * b, r)
    q = torch.where(zero, torch.full_like(q, -1), q)
    r = torch.where(zero, a, r)
    return q, r


def _check_nans(prim, outs):
    """jax_debug_nans / jax_debug_infs: the primitive that made a NaN (or an inf) raises."""
    v = config._values
    for o in outs:
        t = o._t
        if not (t.is_floating_point() or t.is_complex()):
            continue
        if v["jax_debug_nans"] and bool(torch.isnan(t).any()):
            raise FloatingPointError(f"invalid value (nan) encountered in {prim.name}")
        if v["jax_debug_infs"] and bool(torch.isinf(t).any()):
            raise FloatingPointError(f"invalid value (inf) encountered in {prim.name}")


eager_trace = EagerTrace()
core._default_trace[0] = eager_trace
core.state.trace = eager_trace
