"""jnp sorting and set functions on lax.sort / lax.top_k: sort, argsort (stable, descending),
lexsort, searchsorted, unique (with size=), partition, argpartition, msort."""
import builtins
import collections
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..lax import _ops as L
from ..lax.sorting import sort_p
from ._core import _array as _arr

__all__ = ["sort", "argsort", "lexsort", "searchsorted", "unique", "unique_values", "unique_counts",
           "unique_inverse", "unique_all", "partition", "argpartition", "sort_complex"]


def _axis(axis, nd, name):
    axis = operator.index(axis)
    if not -nd <= axis < nd:
        raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {nd}")
    return axis % nd


def _iota(shape, axis, dtype=None):
    return lax.broadcasted_iota(dtype or dtypes.default_int(), shape, axis)


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Sorted copy along axis (None: flattened); NaNs last, as JAX."""
    if order is not None:
        raise ValueError("The 'order' argument to sort is not supported.")
    a = _arr(a, "sort argument a")
    if axis is None:
        a = lax.reshape(a, (core.get_aval(a).size,))
        axis = 0
    nd = core.get_aval(a).ndim
    if nd == 0:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension 0")
    axis = _axis(axis, nd, "sort")
    if descending:
        return lax.rev(lax.sort(a, dimension=axis, is_stable=stable), (axis,))
    return lax.sort(a, dimension=axis, is_stable=stable)


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Indices that sort a along axis; ties keep their order (also when descending)."""
    if order is not None:
        raise ValueError("The 'order' argument to argsort is not supported.")
    a = _arr(a, "argsort argument a")
    if axis is None:
        a = lax.reshape(a, (core.get_aval(a).size,))
        axis = 0
    av = core.get_aval(a)
    if av.ndim == 0:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension 0")
    axis = _axis(axis, av.ndim, "argsort")
    if descending:
        a = lax.rev(a, (axis,))
    iota = _iota(av.shape, axis)
    _, idx = sort_p.bind(a, iota, dimension=axis, is_stable=bool(stable), num_keys=1)
    if descending:
        idx = L.sub(av.shape[axis] - 1, lax.rev(idx, (axis,)))
    return idx


def sort_complex(a):
    """Sorted along the last axis, as complex (complex64 for data of 32 bits or fewer)."""
    a = _arr(a, "sort_complex argument a")
    dt = core.get_aval(a).dtype
    if not dtypes.is_complex(dt):
        small = dtypes.to_inexact(dt) in (dtypes.float16, dtypes.bfloat16, dtypes.float32)   # by width, as JAX
        a = lax.convert_element_type(a, dtypes.complex64 if small else dtypes.default_complex())
    return sort(a, axis=-1)


def lexsort(keys, axis=-1):
    """Indices sorting by the last key first, then the one before it, ... (stable)."""
    keys = tuple(_arr(k, "lexsort key") for k in keys)
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    shapes = {core.get_aval(k).shape for k in keys}
    if len(shapes) > 1:
        raise ValueError(f"all keys need to be the same shape, got {[core.get_aval(k).shape for k in keys]}")
    shape = core.get_aval(keys[0]).shape
    if len(shape) == 0:
        return lax.full((), 0, dtypes.default_int())
    axis = _axis(axis, len(shape), "lexsort")
    iota = _iota(shape, axis)
    outs = sort_p.bind(*keys[::-1], iota, dimension=axis, is_stable=True, num_keys=len(keys))
    return outs[-1]


def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """Insertion indices (int32) of v into the sorted 1-D a, by a branch-free binary search."""
    if side not in ("left", "right"):
        raise ValueError(f"{side!r} is an invalid value for keyword 'side'. Expected one of ['left', 'right'].")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"{method!r} is an invalid value for keyword 'method'. Expected one of "
                         "['sort', 'scan', 'scan_unrolled', 'compare_all'].")
    from ._core import promote_args
    a = _arr(a, "searchsorted argument a")
    v = _arr(v, "searchsorted argument v")
    if core.get_aval(a).ndim != 1:
        raise ValueError(f"a should be 1-dimensional, got shape {core.get_aval(a).shape}")
    if sorter is not None:
        from .indexing import take
        a = take(a, sorter)
    a, v = promote_args("searchsorted", a, v)
    n = core.get_aval(a).shape[0]
    vshape = core.get_aval(v).shape
    i32 = dtypes.int32
    if n == 0:
        return lax.full(vshape, 0, i32)
    go_right = L.le if side == "right" else L.lt  # a[mid] (<|<=) v: the answer lies right of mid
    lo = lax.full(vshape, 0, i32)
    hi = lax.full(vshape, n, i32)
    from ..lax.indexing import gather_nd_p
    for _ in range(int(n).bit_length()):
        active = L.lt(lo, hi)
        mid = L.div(L.add(lo, hi), 2)
        am = gather_nd_p.bind(a, mid, mode="clip", fill_value=None)
        right = go_right(am, v)
        lo = L.select(L.and_(active, right), L.add(mid, 1), lo)
        hi = L.select(L.and_(active, L.not_(right)), mid, hi)
    return lo


def _unique_sorted_mask(s, equal_nan):
    """True where a sorted 1-D array starts a new distinct value."""
    n = core.get_aval(s).shape[0]
    first = lax.full((1,), True, dtypes.bool_)
    if n <= 1:
        return lax.full((n,), True, dtypes.bool_)
    prev, cur = lax.slice(s, (0,), (n - 1,)), lax.slice(s, (1,), (n,))
    ne = L.ne(cur, prev)
    if equal_nan and dtypes.is_inexact(core.get_aval(s).dtype):
        both_nan = L.and_(L.ne(cur, cur), L.ne(prev, prev))
        ne = L.and_(ne, L.not_(both_nan))
    return lax.concatenate([first, ne], 0)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):
    """Sorted distinct values (of the flattened array or the slices along axis). Under jit, pass a
    static `size`: results are cut or padded (fill_value, default the smallest value) to it."""
    ar = _arr(ar, "unique argument ar")
    av = core.get_aval(ar)
    if axis is not None:
        return _unique_axis(ar, _axis(axis, av.ndim, "unique"), return_index, return_inverse,
                            return_counts, size, fill_value)
    flat = lax.reshape(ar, (av.size,))
    n = av.size
    idt = dtypes.default_int()
    iota = _iota((n,), 0)
    s, perm = sort_p.bind(flat, iota, dimension=0, is_stable=True, num_keys=1)
    mask = _unique_sorted_mask(s, equal_nan)
    return _unique_finish(s, perm, mask, n, av.shape, return_index, return_inverse, return_counts, size,
                          fill_value, idt, lambda x, idx: _take0(x, idx))


def _take0(x, idx):
    from ..lax.indexing import gather_nd_p
    return gather_nd_p.bind(x, idx, mode="clip", fill_value=None)


def _unique_finish(s, perm, mask, n, in_shape, return_index, return_inverse, return_counts, size,
                   fill_value, idt, take, inv_shape=None):
    from .indexing import nonzero
    if size is None:
        try:
            count = int(np.asarray(mask).sum())
        except Exception:
            from ..errors import ConcretizationTypeError
            raise ConcretizationTypeError(
                mask, "The error arose in jnp.unique(): the size of the result is data-dependent; "
                      "pass a static `size=` to use it under jit.") from None
        size_ = count
    else:
        size_ = operator.index(size)
    (starts,) = nonzero(mask, size=size_, fill_value=n if n else 0)
    starts = lax.convert_element_type(starts, idt)
    safe = L.min(starts, max(n - 1, 0))
    vals = take(s, safe)
    if size is not None:
        valid = L.lt(starts, n)
        if fill_value is None:
            fill = take(s, lax.full((1,), 0, idt)) if n else None
            if fill is not None:
                vshape = core.get_aval(vals).shape
                fill = lax.broadcast_in_dim(lax.reshape(fill, vshape[1:]), vshape, tuple(range(1, len(vshape))))
                vals = _where_rows(valid, vals, fill)
        else:
            vals = _where_rows(valid, vals, lax.full_like(vals, fill_value))
    outs = [vals]
    if return_index:
        index = _take0(perm, safe)
        if n:  # padded slots repeat the first unique element's index, as JAX does
            index = L.select(L.lt(starts, n), index, lax.broadcast_in_dim(lax.slice(perm, (0,), (1,)), (size_,), (0,)))
        outs.append(index)
    group = L.sub(lax.cumsum(lax.convert_element_type(mask, idt), 0), 1)  # sorted position -> slot
    from ..lax.indexing import scatter_nd_p
    if return_inverse:
        inv = scatter_nd_p.bind(lax.full((n,), 0, idt), group, perm, mode="set")
        outs.append(lax.reshape(inv, in_shape if inv_shape is None else inv_shape))
    if return_counts:
        outs.append(scatter_nd_p.bind(lax.full((size_,), 0, idt), lax.full((n,), 1, idt), group, mode="add"))
    return outs[0] if len(outs) == 1 else tuple(outs)


def _where_rows(valid, x, y):
    shape = core.get_aval(x).shape
    v = lax.broadcast_in_dim(valid, shape, (0,)) if len(shape) > 1 else valid
    return L.select(v, x, y)


def _unique_axis(ar, axis, return_index, return_inverse, return_counts, size, fill_value):
    """unique over slices along `axis`: lexicographic sort of the rows, then the 1-D logic."""
    av = core.get_aval(ar)
    moved = lax.transpose(ar, (axis,) + tuple(i for i in range(av.ndim) if i != axis))
    n = av.shape[axis]
    rest = int(np.prod(av.shape[:axis] + av.shape[axis + 1:], dtype=np.int64))
    rows = lax.reshape(moved, (n, rest))
    idt = dtypes.default_int()
    iota = _iota((n,), 0)
    cols = [lax.reshape(lax.slice(rows, (0, j), (n, j + 1)), (n,)) for j in range(rest)]
    outs = sort_p.bind(*cols, iota, dimension=0, is_stable=True, num_keys=builtins.max(rest, 1)) if rest else [iota]
    perm = outs[-1]
    srows = _take0(rows, perm)
    if n <= 1:
        mask = lax.full((n,), True, dtypes.bool_)
    else:
        diff = L.ne(lax.slice(srows, (1, 0), (n, rest)), lax.slice(srows, (0, 0), (n - 1, rest)))
        anyd = lax.reduce_max(lax.convert_element_type(diff, dtypes.int32), (1,)) if rest else lax.full((n - 1,), 0, dtypes.int32)
        mask = lax.concatenate([lax.full((1,), True, dtypes.bool_), L.gt(anyd, 0)], 0)
    res = _unique_finish(srows, perm, mask, n, (n,), return_index, return_inverse, return_counts, size,
                         fill_value, idt, _take0)
    vals = res[0] if isinstance(res, tuple) else res
    k = core.get_aval(vals).shape[0]
    other = av.shape[:axis] + av.shape[axis + 1:]
    vals = lax.reshape(vals, (k,) + other)
    vals = lax.transpose(vals, tuple(range(1, axis + 1)) + (0,) + tuple(range(axis + 1, av.ndim)))
    return (vals,) + tuple(res[1:]) if isinstance(res, tuple) else vals


class _UniqueAllResult(collections.namedtuple("_UniqueAllResult", "values indices inverse_indices counts")):
    """Struct returned by jnp.unique_all."""


class _UniqueCountsResult(collections.namedtuple("_UniqueCountsResult", "values counts")):
    """Struct returned by jnp.unique_counts."""


class _UniqueInverseResult(collections.namedtuple("_UniqueInverseResult", "values inverse_indices")):
    """Struct returned by jnp.unique_inverse."""


# the Array API set functions: NaNs are all distinct (equal_nan=False), results are named tuples
def unique_values(x, /, *, size=None, fill_value=None):
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size=None, fill_value=None):
    return _UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False, size=size, fill_value=fill_value))


def unique_inverse(x, /, *, size=None, fill_value=None):
    return _UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False, size=size,
                                        fill_value=fill_value))


def unique_all(x, /, *, size=None, fill_value=None):
    return _UniqueAllResult(*unique(x, return_index=True, return_inverse=True, return_counts=True,
                                    equal_nan=False, size=size, fill_value=fill_value))


def _partition_operand(a, kth, axis, name):
    """(aval of a, normalized axis, axis length, normalized kth, a with that axis moved last)."""
    a = _arr(a, f"{name} argument a")
    av = core.get_aval(a)
    axis = _axis(axis, av.ndim, name)
    n = av.shape[axis]
    kth = operator.index(kth)
    if not -n <= kth < n:
        raise ValueError(f"kth(={kth}) out of bounds {n}")
    kth = kth % n
    x = lax.transpose(a, tuple(i for i in range(av.ndim) if i != axis) + (axis,)) if axis != av.ndim - 1 else a
    return av, axis, n, kth, x


def partition(a, kth, axis=-1):
    """The kth smallest at position kth, smaller ones (ascending) before, larger ones after."""
    av, axis, n, kth, x = _partition_operand(a, kth, axis, "partition")
    neg = _neg_for_topk(x)
    bottom = _unneg_for_topk(lax.top_k(neg, kth + 1)[0], x)
    top = lax.top_k(x, n - kth - 1)[0]
    out = lax.concatenate([bottom, top], av.ndim - 1)
    if axis != av.ndim - 1:
        inv = tuple(range(axis)) + (av.ndim - 1,) + tuple(range(axis, av.ndim - 1))
        out = lax.transpose(out, inv)
    return out


def _neg_for_topk(x):
    dt = core.get_aval(x).dtype
    if dt == dtypes.bool_:
        return L.not_(x)
    if dtypes.is_unsigned(dt):
        return L.not_(x)  # bitwise complement reverses the order of unsigned values
    if dtypes.is_int(dt):
        return L.sub(L.neg(x), 1)  # -x-1 never overflows and reverses the order
    return L.neg(x)


def _unneg_for_topk(y, x):
    dt = core.get_aval(x).dtype
    if dt == dtypes.bool_ or dtypes.is_unsigned(dt):
        return L.not_(y)
    if dtypes.is_int(dt):
        return L.neg(L.add(y, 1))
    return L.neg(y)


def argpartition(a, kth, axis=-1):
    """Indices that partition a (see partition); the rest follow in index order."""
    av, axis, n, kth, x = _partition_operand(a, kth, axis, "argpartition")
    xs = core.get_aval(x).shape
    bottom_ind = lax.top_k(_neg_for_topk(x), kth + 1)[1]
    # mark the bottom indices, then take the others in index order
    rows = int(np.prod(xs[:-1], dtype=np.int64))
    from ..lax.indexing import scatter_nd_p
    r = _iota((rows, kth + 1), 0, dtypes.int32)
    hit = scatter_nd_p.bind(lax.full((rows, n), False, dtypes.bool_), True, r,
                            lax.reshape(bottom_ind, (rows, kth + 1)), mode="set")
    hit = lax.reshape(hit, xs)
    key = lax.convert_element_type(L.not_(hit), dtypes.int32)
    top_ind = lax.top_k(key, n - kth - 1)[1]
    out = lax.concatenate([bottom_ind, top_ind], len(xs) - 1)
    if axis != av.ndim - 1:
        inv = tuple(range(axis)) + (av.ndim - 1,) + tuple(range(axis, av.ndim - 1))
        out = lax.transpose(out, inv)
    return out


# ---- set operations ---------------------------------------------------------------------------
__all__ += ["isin", "intersect1d", "union1d", "setdiff1d", "setxor1d"]


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """element-wise membership of element in test_elements (compares against every test value)."""
    from ._core import promote_args
    e = _arr(element, "isin argument element")
    t = _arr(test_elements, "isin argument test_elements")
    e, t = promote_args("isin", e, t)
    ev, tv = core.get_aval(e), core.get_aval(t)
    flat = lax.reshape(t, (tv.size,))
    eb = lax.broadcast_in_dim(e, ev.shape + (tv.size,), tuple(range(ev.ndim)))
    hit = lax.reduce_or_p.bind(L.eq(eb, flat), axes=(ev.ndim,)) if tv.size else lax.full(ev.shape, False, dtypes.bool_)
    return L.not_(hit) if invert else hit


def _unique_of_masked(x, keep, size, fill_value, default_fill):
    """Sorted distinct values of x where keep holds; static `size` pads with fill_value."""
    n = core.get_aval(x).shape[0]
    idt = dtypes.default_int()
    drop = lax.convert_element_type(L.not_(keep), dtypes.int32)
    _, s = sort_p.bind(drop, x, dimension=0, is_stable=True, num_keys=2)
    _, kept_sorted = sort_p.bind(drop, lax.convert_element_type(keep, dtypes.int32), dimension=0, is_stable=True,
                                 num_keys=1)
    valid = L.gt(kept_sorted, 0)
    mask = L.and_(_unique_sorted_mask(s, True), valid)
    iota = _iota((n,), 0)
    fill = fill_value
    if fill is None and default_fill == "zero":
        fill = 0
    res = _unique_finish(s, iota, mask, n, (n,), False, False, False, size, fill, idt, _take0)
    if size is not None and fill is None and n:
        # pad with the smallest kept value (the first result), as JAX does
        cnt = lax.reduce_sum(lax.convert_element_type(mask, idt), (0,))
        first = L.reshape(lax.slice(res, (0,), (1,)), ())
        slot = _iota((operator.index(size),), 0)
        res = L.select(L.lt(slot, cnt), res, lax.broadcast_in_dim(first, (operator.index(size),), ()))
    return res


def _flat(a, name):
    a = _arr(a, name)
    return lax.reshape(a, (core.get_aval(a).size,))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None, fill_value=None):
    """Sorted values present in both arrays (with return_indices: their first positions)."""
    from ._core import promote_args
    a, b = promote_args("intersect1d", _flat(ar1, "ar1"), _flat(ar2, "ar2"))
    vals = _unique_of_masked(a, isin(a, b), size, fill_value, "min")
    if not return_indices:
        return vals
    k = core.get_aval(vals).shape[0]
    idt = dtypes.default_int()

    def first_index(arr):
        m = core.get_aval(arr).shape[0]
        eq = L.eq(lax.broadcast_in_dim(vals, (k, m), (0,)), lax.broadcast_in_dim(arr, (k, m), (1,)))
        pos = L.select(eq, _iota((k, m), 1), lax.full((k, m), m, idt))
        return lax.reduce_min(pos, (1,))
    return vals, first_index(a), first_index(b)


def union1d(ar1, ar2, *, size=None, fill_value=None):
    from ._core import promote_args
    a, b = promote_args("union1d", _flat(ar1, "ar1"), _flat(ar2, "ar2"))
    x = lax.concatenate([a, b], 0)
    return _unique_of_masked(x, lax.full(core.get_aval(x).shape, True, dtypes.bool_), size, fill_value, "min")


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Sorted values of ar1 not in ar2; padding defaults to 0, as JAX."""
    from ._core import promote_args
    a, b = promote_args("setdiff1d", _flat(ar1, "ar1"), _flat(ar2, "ar2"))
    return _unique_of_masked(a, isin(a, b, invert=True), size, fill_value, "zero")


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    from ._core import promote_args
    a, b = promote_args("setxor1d", _flat(ar1, "ar1"), _flat(ar2, "ar2"))
    x = lax.concatenate([a, b], 0)
    keep = lax.concatenate([isin(a, b, invert=True), isin(b, a, invert=True)], 0)
    return _unique_of_masked(x, keep, size, fill_value, "min")
