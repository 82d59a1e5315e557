"""Reductions over axes (sum, max, min, prod, and, or, argmax, argmin) and cumulative ops,
with their rules. Axes are normalized non-negative tuples."""
import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import deflinear, defjvp, defjvp_zero, Zero
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import moveaxis
from . import _ops as L


def _aval(x):
    return core.get_aval(x)


def _check_axes(name, x, axes):
    for a in axes:
        if not 0 <= a < x.ndim:
            raise ValueError(f"{name}: axis {a} is out of bounds for array of dimension {x.ndim}")


def _reduced_shape(shape, axes):
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _make_reduction(name, impl, kinds=None, out_dtype=None):
    p = Primitive(name)

    def abstract_eval(x, axes, **params):
        _check_axes(name, x, axes)
        if kinds is not None and not kinds(x.dtype):
            raise TypeError(f"{name} does not accept dtype {x.dtype}")
        od = out_dtype(x.dtype, **params) if out_dtype else x.dtype
        return ShapedArray(_reduced_shape(x.shape, axes), od, x.weak_type and od == x.dtype)

    def batch(vals, dims, axes, **params):
        (x,), (d,) = vals, dims
        x = moveaxis(x, d, 0)
        return p.bind(x, axes=tuple(a + 1 for a in axes), **params), 0

    p.impl = impl
    p.abstract_eval = abstract_eval
    p.batch = batch
    p.reduction = name
    return p


def _sum_impl(x, axes):
    if not axes:
        return x
    if x.dtype == torch.bool:
        return x.sum(dim=axes).to(torch.bool)
    return torch.sum(x, dim=axes, dtype=x.dtype)


def _extreme_impl(fn, identity_kind):
    def impl(x, axes):
        if not axes:
            return x
        if x.numel() == 0:
            shape = _reduced_shape(x.shape, axes)
            if x.is_floating_point() or x.is_complex():
                v = float("-inf") if identity_kind == "max" else float("inf")
            elif x.dtype == torch.bool:
                v = identity_kind != "max"
            else:
                info = torch.iinfo(x.dtype)
                v = info.min if identity_kind == "max" else info.max
            return torch.full(shape, v, dtype=x.dtype, device=x.device)
        if x.is_complex():  # lexicographic: extreme real part, then extreme imaginary part
            re = fn(x.real, dim=axes, keepdim=True)
            sentinel = float("-inf") if identity_kind == "max" else float("inf")
            im = fn(torch.where(x.real == re, x.imag, torch.full_like(x.imag, sentinel)), dim=axes)
            return torch.complex(re.squeeze(axes) if axes else re, im)
        return fn(x, dim=axes)
    return impl


def _prod_impl(x, axes):
    for a in sorted(axes, reverse=True):
        x = torch.prod(x, dim=a, dtype=x.dtype)
    return x


def _and_impl(x, axes):
    if x.dtype == torch.bool:
        return torch.all(x, dim=axes) if axes else x
    out = x
    for a in sorted(axes, reverse=True):
        parts = out.unbind(a)
        acc = torch.full_like(parts[0], -1) if parts else out.sum(a)
        for q in parts:
            acc = acc & q
        out = acc
    return out


def _or_impl(x, axes):
    if x.dtype == torch.bool:
        return torch.any(x, dim=axes) if axes else x
    out = x
    for a in sorted(axes, reverse=True):
        parts = out.unbind(a)
        acc = torch.zeros_like(parts[0]) if parts else out.sum(a)
        for q in parts:
            acc = acc | q
        out = acc
    return out


reduce_sum_p = _make_reduction("reduce_sum", _sum_impl)
reduce_max_p = _make_reduction("reduce_max", _extreme_impl(torch.amax, "max"))
reduce_min_p = _make_reduction("reduce_min", _extreme_impl(torch.amin, "min"))
reduce_prod_p = _make_reduction("reduce_prod", _prod_impl)
reduce_and_p = _make_reduction("reduce_and", _and_impl)
reduce_or_p = _make_reduction("reduce_or", _or_impl)


def _sum_transpose(ct, x, axes):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    shape = x.aval.shape
    kept = [i for i in range(len(shape)) if i not in axes]
    return [L.broadcast_in_dim(ct, shape, kept)]


deflinear(reduce_sum_p, _sum_transpose)


def _extreme_jvp(p):
    def rule(g, x, axes):
        ans = p.bind(x, axes=axes)
        shape = _aval(x).shape
        kept = [i for i in range(len(shape)) if i not in axes]
        loc = L.convert(L.eq(x, L.broadcast_in_dim(ans, shape, kept)), _aval(g).dtype)
        counts = reduce_sum_p.bind(loc, axes=axes)
        return L.div(reduce_sum_p.bind(L.mul(g, loc), axes=axes), counts)
    return rule


defjvp(reduce_max_p, _extreme_jvp(reduce_max_p))
defjvp(reduce_min_p, _extreme_jvp(reduce_min_p))


def _prod_jvp(g, x, axes):
    """d prod = sum_i g_i * prod_{j != i} x_j, computed with exclusive cumulative products."""
    shape = _aval(x).shape
    kept = [i for i in range(len(shape)) if i not in axes]
    perm = kept + list(axes)
    n = int(np.prod([shape[a] for a in axes])) if axes else 1
    xr = L.reshape(L.transpose(x, perm), [shape[i] for i in kept] + [n])
    gr = L.reshape(L.transpose(g, perm), [shape[i] for i in kept] + [n])
    last = len(kept)
    one = L.full_like(xr, 1, shape=[shape[i] for i in kept] + [1])
    if n == 0:
        return L.full_like(x, 0, shape=[shape[i] for i in kept])
    from .shape import concatenate_p, slice_p
    lo = [0] * (last + 1)
    hi_excl = [shape[i] for i in kept] + [n - 1]
    shifted_fwd = concatenate_p.bind(one, slice_p.bind(xr, start_indices=tuple(lo), limit_indices=tuple(hi_excl), strides=None), dimension=last)
    lo2 = [0] * last + [1]
    hi2 = [shape[i] for i in kept] + [n]
    shifted_bwd = concatenate_p.bind(slice_p.bind(xr, start_indices=tuple(lo2), limit_indices=tuple(hi2), strides=None), one, dimension=last)
    left = cumprod_p.bind(shifted_fwd, axis=last, reverse=False)
    right = cumprod_p.bind(shifted_bwd, axis=last, reverse=True)
    return reduce_sum_p.bind(L.mul(gr, L.mul(left, right)), axes=(last,))


defjvp(reduce_prod_p, _prod_jvp)


# ---- argmax / argmin --------------------------------------------------------------------------
def _make_arg(name, fn):
    p = Primitive(name)

    def impl(x, axes, index_dtype):
        (a,) = axes
        if x.dtype == torch.bool:
            x = x.to(torch.int8)
        if x.is_floating_point():
            nan = torch.isnan(x)
            if bool(nan.any()):
                # JAX returns the first NaN's index.
                first_nan = torch.argmax(nan.to(torch.int8), dim=a)
                out = torch.where(nan.any(dim=a), first_nan, fn(torch.nan_to_num(x), dim=a))
                return out.to(dtypes.to_torch_dtype(index_dtype))
        return fn(x, dim=a).to(dtypes.to_torch_dtype(index_dtype))

    def abstract_eval(x, axes, index_dtype):
        _check_axes(name, x, axes)
        if x.shape[axes[0]] == 0:
            raise ValueError(f"attempt to get {name[3:]} of an empty sequence")
        return ShapedArray(_reduced_shape(x.shape, axes), index_dtype, False)

    def batch(vals, dims, axes, index_dtype):
        (x,), (d,) = vals, dims
        x = moveaxis(x, d, 0)
        return p.bind(x, axes=tuple(a + 1 for a in axes), index_dtype=index_dtype), 0

    p.impl = impl
    p.abstract_eval = abstract_eval
    p.batch = batch
    p.weak_type_rule = lambda weaks, **_: False
    p.reduction = name
    return p


def _first_argmax(x, dim):
    # torch.argmax returns the first maximal index on CPU and CUDA
    return torch.argmax(x, dim=dim)


def _first_argmin(x, dim):
    return torch.argmin(x, dim=dim)


argmax_p = _make_arg("argmax", _first_argmax)
argmin_p = _make_arg("argmin", _first_argmin)
for _p in (argmax_p, argmin_p, reduce_and_p, reduce_or_p):
    defjvp_zero(_p)


# ---- cumulative -------------------------------------------------------------------------------
def _make_cumulative(name, fn):
    p = Primitive(name)

    def impl(x, axis, reverse=False):
        if reverse:
            x = torch.flip(x, (axis,))
        out = fn(x, axis)
        if reverse:
            out = torch.flip(out, (axis,))
        return out

    def abstract_eval(x, axis, reverse=False):
        if not 0 <= axis < max(x.ndim, 1):
            raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {x.ndim}")
        return x

    def batch(vals, dims, axis, reverse=False):
        (x,), (d,) = vals, dims
        x = moveaxis(x, d, 0)
        return p.bind(x, axis=axis + 1, reverse=reverse), 0

    p.impl = impl
    p.abstract_eval = abstract_eval
    p.batch = batch
    return p


def _cumsum(x, axis):
    if x.dtype == torch.bool:
        return torch.cumsum(x.to(torch.int32), axis).to(torch.bool)
    return torch.cumsum(x, axis, dtype=x.dtype)


cumsum_p = _make_cumulative("cumsum", _cumsum)
cumprod_p = _make_cumulative("cumprod", lambda x, a: torch.cumprod(x, a, dtype=x.dtype))
cummax_p = _make_cumulative("cummax", lambda x, a: torch.cummax(x, a).values)
cummin_p = _make_cumulative("cummin", lambda x, a: torch.cummin(x, a).values)
cumlogsumexp_p = _make_cumulative("cumlogsumexp", lambda x, a: torch.logcumsumexp(x, a))

deflinear(cumsum_p, lambda ct, x, axis, reverse=False: [
    Zero(x.aval) if type(ct) is Zero else cumsum_p.bind(ct, axis=axis, reverse=not reverse)])


def _cumprod_jvp(g, x, axis, reverse=False):
    # d cumprod_i = sum_{j<=i} g_j * prod_{k<=i, k!=j} x_k  (safe where x has no zeros)
    ans = cumprod_p.bind(x, axis=axis, reverse=reverse)
    return L.mul(ans, cumsum_p.bind(L.div(g, x), axis=axis, reverse=reverse))


def _cumextreme_jvp(p):
    def rule(g, x, axis, reverse=False):
        ans = p.bind(x, axis=axis, reverse=reverse)
        # tangent follows the element that currently holds the running extreme
        n = _aval(x).shape[axis]
        from .shape import iota_p
        idx = iota_p.bind(dtype=dtypes.int32, shape=_aval(x).shape, dimension=axis)
        hit = L.eq(x, ans)
        pos = L.select(hit, idx, L.full_like(idx, -1 if not reverse else n))
        src = (cummax_p if not reverse else cummin_p).bind(pos, axis=axis, reverse=reverse)
        from .indexing import take_along_axis
        return take_along_axis(g, src, axis)
    return rule


def _cumlogsumexp_jvp(g, x, axis, reverse=False):
    ans = cumlogsumexp_p.bind(x, axis=axis, reverse=reverse)
    # d/dx_j lse_i = exp(x_j - lse_i) for j <= i
    m = reduce_max_p.bind(x, axes=(axis,)) if _aval(x).shape[axis] else None
    shape = _aval(x).shape
    kept = [i for i in range(len(shape)) if i != axis]
    mb = L.broadcast_in_dim(m, shape, kept)
    w = cumsum_p.bind(L.mul(g, L.exp(L.sub(x, mb))), axis=axis, reverse=reverse)
    return L.mul(w, L.exp(L.sub(mb, ans)))


defjvp(cumprod_p, _cumprod_jvp)
defjvp(cummax_p, _cumextreme_jvp(cummax_p))
defjvp(cummin_p, _cumextreme_jvp(cummin_p))
defjvp(cumlogsumexp_p, _cumlogsumexp_jvp)
