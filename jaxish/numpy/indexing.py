"""numpy indexing on jaxish arrays: basic slicing (views), integer-array and concrete boolean
indexing (gather_nd), and `.at[...]` updates (scatter_nd; out-of-bounds writes dropped)."""
import builtins
import operator

import numpy as np

from .. import dtypes
from ..array import Array, ArrayImpl
from ..interpreters import core
from .. import lax
from ..lax import elementwise as E
from ..lax.indexing import gather_nd_p, scatter_nd_p
from ._core import _array, _operand, _SCALARS


class NonConcreteBooleanIndexError(IndexError):
    def __init__(self, aval):
        super().__init__(
            f"Array boolean indices must be concrete; got {aval.str_short()}. Use jnp.where or "
            "the `size=` argument of jnp.nonzero instead.")


def _arr(a):
    return _array(a, "x")


def _is_advanced(e):
    if isinstance(e, (Array, np.ndarray, list)):
        return True
    return False


def _is_int_scalar(e):
    return isinstance(e, (int, np.integer)) and not isinstance(e, (bool, np.bool_))


def _expand_bool(idx):
    out = []
    for e in idx:
        if isinstance(e, (bool, np.bool_)):
            raise TypeError("jaxish does not support indexing with a Python/numpy bool scalar")
        if isinstance(e, list):
            e = np.asarray(e)
            if e.dtype.kind not in "iub":
                raise IndexError(f"Indexer must have integer or boolean type, got indexer with type {e.dtype}")
        if isinstance(e, (np.ndarray, Array)) and e.dtype == dtypes.bool_:
            if isinstance(e, core.Tracer) and e.to_concrete_value() is None:
                raise NonConcreteBooleanIndexError(e.aval)
            m = np.asarray(e)
            out.extend(np.nonzero(m))
            continue
        if isinstance(e, (np.ndarray, Array)) and not dtypes.is_int(e.dtype):
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {e.dtype}")
        out.append(e)
    return out


def _normalize_tuple(x_ndim, idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    for e in idx:
        if isinstance(e, str):
            raise TypeError(f"JAX does not support string indexing; got idx={e!r}")
        if isinstance(e, (float, complex, np.floating, np.complexfloating)):
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                            f"{np.asarray(e).dtype}")
        if e is not None and not isinstance(e, (slice, type(Ellipsis), int, np.integer, np.bool_, bool, list, np.ndarray, Array)):
            raise TypeError(f"only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and "
                            f"integer or boolean arrays are valid indices; got {e!r}")
    n_ell = builtins.sum(1 for e in idx if e is Ellipsis)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    consumed = 0
    for e in idx:
        if e is None or e is Ellipsis:
            continue
        if isinstance(e, (np.ndarray, Array)) and e.dtype == dtypes.bool_:
            consumed += builtins.max(e.ndim, 1) if e.ndim else 0
        else:
            consumed += 1
    if consumed > x_ndim:
        raise IndexError(f"Too many indices for array: {consumed} non-None/Ellipsis indices for dim {x_ndim}.")
    out = []
    for e in idx:
        if e is Ellipsis:
            out.extend([slice(None)] * (x_ndim - consumed))
        else:
            out.append(e)
    if n_ell == 0:
        out.extend([slice(None)] * (x_ndim - consumed))
    return out


def _index_array(e, n):
    """An int32 index array with negatives wrapped (concrete ones in numpy)."""
    if isinstance(e, (np.ndarray, np.integer, int)):
        a = np.asarray(e).astype(np.int64)
        a = np.where(a < 0, a + n, a)
        from .creation import asarray
        return asarray(a.astype(np.int32))
    if not dtypes.is_int(e.dtype):
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {e.dtype}")
    from ._core import where, less, add
    if dtypes.is_unsigned(e.dtype):
        return e
    return where(less(e, 0), add(e, n), e)


def _check_bool_masks(shape, entries):
    """A boolean mask must match the shape of the axes it indexes (IndexError otherwise, as JAX)."""
    k = 0
    for pos, e in enumerate(entries):
        if e is None:
            continue
        if isinstance(e, (np.ndarray, Array)) and e.dtype == dtypes.bool_ and e.ndim:
            want = tuple(shape[k:k + e.ndim])
            if tuple(e.shape) != want:
                raise IndexError(f"boolean index did not match shape of indexed array in index {pos}: "
                                 f"got {tuple(e.shape)}, expected {list(want)}")
            k += e.ndim
        else:
            k += 1


def _advanced_adjacent(raw, ints_as_advanced):
    """numpy's rule: advanced indices (and ints, when any array is present) that are adjacent in
    the index expression keep their place; separated ones (by a slice, None or Ellipsis) go first."""
    arrays = any(_is_advanced(e) or isinstance(e, core.Tracer) for e in raw)
    pos = [i for i, e in enumerate(raw)
           if _is_advanced(e) or isinstance(e, core.Tracer)
           or ((arrays or ints_as_advanced) and _is_int_scalar(e))]
    return not pos or pos == list(range(pos[0], pos[0] + len(pos)))


def _getitem(x, idx, mode=None, fill_value=None, ints_as_advanced=False):
    x = _arr(x)
    xav = core.get_aval(x)
    entries = _normalize_tuple(xav.ndim, idx)
    _check_bool_masks(xav.shape, entries)
    raw_adjacent = _advanced_adjacent(idx if isinstance(idx, tuple) else (idx,), ints_as_advanced)
    # None -> a size-1 axis of x, indexed by a full slice
    if any(e is None for e in entries):
        shape, k, new = [], 0, []
        for e in entries:
            if e is None:
                shape.append(1)
                new.append(slice(None))
            else:
                if isinstance(e, (np.ndarray, Array)) and e.dtype == dtypes.bool_:
                    nd = e.ndim
                    shape.extend(xav.shape[k:k + nd])
                    k += nd
                else:
                    shape.append(xav.shape[k])
                    k += 1
                new.append(e)
        shape.extend(xav.shape[k:])
        x = lax.reshape(x, shape)
        entries = new
        xav = core.get_aval(x)
    entries = _expand_bool(entries)
    entries.extend([slice(None)] * (xav.ndim - len(entries)))
    has_adv = ints_as_advanced or any(_is_advanced(e) or isinstance(e, core.Tracer) for e in entries)
    squeeze_dims = []
    starts, limits, strides, rev_dims = [], [], [], []
    adv_axes, adv_idx = [], []
    for ax, e in enumerate(entries):
        n = xav.shape[ax]
        if isinstance(e, slice):
            st, sp, step = e.indices(n)
            if step < 0:
                rev_dims.append(ax)
                cnt = len(range(st, sp, step))
                st = n - 1 - st
                sp = st + (cnt - 1) * (-step) + 1 if cnt else st
                step = -step
            cnt = len(range(st, sp, step))
            sp = st + (cnt - 1) * step + 1 if cnt else st
            starts.append(st)
            limits.append(sp)
            strides.append(step)
        elif _is_int_scalar(e) and not has_adv and (mode != "fill" or -n <= e < n):
            i = operator.index(e)
            if n == 0:
                raise IndexError(f"index {i} is out of bounds for axis {ax} with size 0")
            i = i + n if i < 0 else i
            i = builtins.min(builtins.max(i, 0), n - 1)  # JAX clamps out-of-bounds reads
            starts.append(i)
            limits.append(i + 1)
            strides.append(1)
            squeeze_dims.append(ax)
        else:
            starts.append(0)
            limits.append(n)
            strides.append(1)
            adv_axes.append(ax)
            adv_idx.append(_index_array(e, n))
    if rev_dims:
        x = lax.rev(x, rev_dims)
    if starts != [0] * xav.ndim or limits != list(xav.shape) or any(s != 1 for s in strides):
        x = lax.slice(x, starts, limits, strides if any(s != 1 for s in strides) else None)
    if squeeze_dims:
        x = lax.squeeze(x, squeeze_dims)
    if not adv_axes:
        return x
    nd = core.get_aval(x).ndim
    rest = [a for a in range(nd) if a not in adv_axes]
    perm = adv_axes + rest
    if perm != list(range(nd)):
        x = lax.transpose(x, perm)
    from .shape import broadcast_arrays
    adv_idx = broadcast_arrays(*adv_idx) if len(adv_idx) > 1 else adv_idx
    gmode = {"fill": "fill", "drop": "fill", "clip": "clip"}.get(mode, "promise_in_bounds")  # as JAX
    out = gather_nd_p.bind(x, *adv_idx, mode=gmode, fill_value=fill_value)
    contiguous = raw_adjacent and adv_axes == list(range(adv_axes[0], adv_axes[0] + len(adv_axes)))
    if contiguous and adv_axes[0] > 0:
        bnd = core.get_aval(adv_idx[0]).ndim
        ond = core.get_aval(out).ndim
        pos = adv_axes[0]
        order = list(range(bnd, bnd + pos)) + list(range(bnd)) + list(range(bnd + pos, ond))
        out = lax.transpose(out, order)
    return out


def _set_last(out, value):
    """out with its last element along axis 0 replaced by value (used by linspace)."""
    n = core.get_aval(out).shape[0]
    return _update(out, n - 1, value, "set")


def _basic_region(xav, idx):
    """If idx is only in-bounds ints and step-1 slices: (starts, sizes, squeezed dims), else None."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    if any(e is None or isinstance(e, (Array, np.ndarray, list, bool, np.bool_)) for e in idx):
        return None
    try:
        entries = _normalize_tuple(xav.ndim, idx)
    except IndexError:
        return None
    starts, sizes, sq = [], [], []
    for ax, e in enumerate(entries):
        n = xav.shape[ax]
        if isinstance(e, slice):
            if e.step not in (None, 1):
                return None
            st, sp, _ = e.indices(n)
            starts.append(st)
            sizes.append(builtins.max(sp - st, 0))
        elif _is_int_scalar(e):
            i = operator.index(e)
            if not -n <= i < n:
                return None
            starts.append(i + n if i < 0 else i)
            sizes.append(1)
            sq.append(ax)
        else:
            return None
    return starts, sizes, sq


def _update(x, idx, values, mode, indices_are_sorted=False, unique_indices=False):
    x = _arr(x)
    xav = core.get_aval(x)
    from .creation import asarray
    values = _operand(values)
    if type(values) in _SCALARS:
        values = asarray(values)
    if core.get_aval(values).dtype != xav.dtype:
        values = lax.convert_element_type(values, xav.dtype)
    from .shape import broadcast_to
    region = _basic_region(xav, idx)
    if region is not None:
        starts, sizes, sq = region
        vshape = [s for i, s in enumerate(sizes) if i not in sq]
        v = broadcast_to(values, vshape)
        v = lax.reshape(v, sizes)
        if builtins.any(s == 0 for s in sizes):
            return x
        if mode == "set":
            return lax.dynamic_update_slice(x, v, starts)
        cur = lax.slice(x, starts, [s + n for s, n in zip(starts, sizes)])
        from . import _core as C
        op = {"add": E.add_p, "mul": E.mul_p, "min": E.min_p, "max": E.max_p}[mode]
        return lax.dynamic_update_slice(x, op.bind(cur, v), starts)
    ids = lax.reshape(lax.iota(dtypes.int32, xav.size), xav.shape)
    ids = _getitem(ids, idx, mode="fill", fill_value=-1, ints_as_advanced=True)
    iav = core.get_aval(ids)
    v = broadcast_to(values, iav.shape)
    flat = lax.reshape(x, (xav.size,))
    out = scatter_nd_p.bind(flat, v, ids, mode=mode)
    return lax.reshape(out, xav.shape)


class _IndexUpdateRef:
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def get(self, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None):
        return _getitem(self.array, self.index, mode=mode, fill_value=fill_value)

    def set(self, values, indices_are_sorted=False, unique_indices=False, mode=None):
        return _update(self.array, self.index, values, "set")

    def add(self, values, indices_are_sorted=False, unique_indices=False, mode=None):
        return _update(self.array, self.index, values, "add")

    def subtract(self, values, **kw):
        from ._core import negative
        return _update(self.array, self.index, negative(values), "add")

    def multiply(self, values, indices_are_sorted=False, unique_indices=False, mode=None):
        return _update(self.array, self.index, values, "mul")

    mul = multiply

    def divide(self, values, **kw):
        from ._core import true_divide
        return _update(self.array, self.index, true_divide(1.0, values), "mul")

    def power(self, values, **kw):
        from ._core import power
        cur = self.get()
        return self.set(power(cur, values))

    def min(self, values, indices_are_sorted=False, unique_indices=False, mode=None):
        return _update(self.array, self.index, values, "min")

    def max(self, values, indices_are_sorted=False, unique_indices=False, mode=None):
        return _update(self.array, self.index, values, "max")

    def apply(self, ufunc, **kw):
        return self.set(ufunc(self.get()))


class _IndexUpdateHelper:
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        if type(index) is list:
            from ..array import list_index_error
            raise list_index_error(index)
        return _IndexUpdateRef(self.array, index)


def nonzero(a, *, size=None, fill_value=None):
    a = _arr(a)
    av = core.get_aval(a)
    if av.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() instead.")
    if size is not None:
        size = operator.index(size)
    if size is None:
        if isinstance(a, core.Tracer) and a.to_concrete_value() is None:
            raise core.ConcretizationTypeError(
                a, "The size argument of jnp.nonzero must be statically specified to use jnp.nonzero "
                "within JAX transformations.")
        from .creation import asarray
        # the default int (int64 under x64), as JAX
        return tuple(asarray(i.astype(dtypes.default_int())) for i in np.nonzero(np.asarray(a)))
    from ._core import not_equal, where, subtract
    from .reductions import cumsum
    n = av.size
    mask = lax.reshape(E.ne_p.bind(a, 0.0 if dtypes.is_inexact(av.dtype) else (False if av.dtype == dtypes.bool_ else 0)), (n,))
    idt = dtypes.default_int()
    pos = subtract(cumsum(lax.convert_element_type(mask, idt)), 1)
    pos = where(mask, pos, size)
    flat = scatter_nd_p.bind(lax.full((size,), -1, idt), lax.iota(idt, n), pos, mode="set")
    valid = E.ge_p.bind(flat, 0)
    out = []
    stride = 1
    strides = []
    for d in reversed(av.shape):
        strides.append(stride)
        stride *= d
    strides = strides[::-1]
    for d, s in zip(av.shape, strides):
        coord = E.rem_p.bind(E.div_p.bind(flat, s), d)
        fv = 0 if fill_value is None else (fill_value[len(out)] if isinstance(fill_value, (tuple, list)) else fill_value)
        out.append(where(valid, coord, fv))
    return tuple(out)


def flatnonzero(a, *, size=None, fill_value=None):
    from .shape import ravel
    return nonzero(ravel(a), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    from .shape import stack, atleast_1d
    a = _arr(a)
    if core.get_aval(a).ndim == 0:   # as numpy/JAX: one row per nonzero, no columns
        r = argwhere(atleast_1d(a), size=size, fill_value=fill_value)
        return lax.slice(r, (0, 0), (core.get_aval(r).shape[0], 0))
    return stack(nonzero(a, size=size, fill_value=fill_value), axis=1)


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False, fill_value=None):
    a = _arr(a)
    if axis is None:
        from .shape import ravel
        a = ravel(a)
        axis = 0
    nd = core.get_aval(a).ndim
    axis = operator.index(axis)
    if not -nd <= axis < builtins.max(nd, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {nd}")
    axis = axis % nd
    idx = (slice(None),) * axis + (_arr(indices) if not isinstance(indices, (int, np.integer)) else indices,)
    if isinstance(indices, (int, np.integer)):
        idx = (slice(None),) * axis + (np.asarray(indices),)
        res = _getitem(a, idx, mode="fill" if mode in (None, "fill") else mode, fill_value=fill_value)
        return res
    return _getitem(a, idx, mode="fill" if mode in (None, "fill") else mode, fill_value=fill_value)


def take_along_axis(arr, indices, axis, mode=None, fill_value=None):
    arr = _arr(arr)
    indices = _arr(indices)
    av, iv = core.get_aval(arr), core.get_aval(indices)
    if axis is None:
        from .shape import ravel
        if iv.ndim != 1:
            raise ValueError(f"take_along_axis indices must be 1D if axis=None, got shape {iv.shape}")
        arr = ravel(arr)
        av, iv = core.get_aval(arr), core.get_aval(indices)
        axis = 0
    if iv.ndim != av.ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; {iv.ndim} vs. {av.ndim}")
    axis = axis % av.ndim
    shape = [builtins.max(a, b) if i != axis else b for i, (a, b) in enumerate(zip(av.shape, iv.shape))]
    from .shape import broadcast_to
    ashape = list(shape)
    ashape[axis] = av.shape[axis]
    arr = broadcast_to(arr, ashape)
    if mode not in (None, "fill", "clip", "promise_in_bounds"):
        raise ValueError(f"Invalid mode {mode!r} for take_along_axis")
    n = av.shape[axis]
    from ._core import where, logical_or, less, greater_equal, clip
    if mode == "clip":
        indices = clip(indices, -n, n - 1)
    idx = broadcast_to(_index_array(indices, n), shape)
    out = lax.take_along_axis(arr, idx, axis)
    if mode in (None, "fill"):   # JAX's default: out-of-bounds indices give the fill value
        oob = broadcast_to(logical_or(less(indices, -n), greater_equal(indices, n)), shape)
        out = where(oob, _gather_fill(av.dtype) if fill_value is None else fill_value, out)
        out = lax.convert_element_type(out, av.dtype) if out.dtype != av.dtype else out
    return out


def _gather_fill(dt):
    """JAX's default fill for out-of-bounds gathers: NaN, the signed minimum, the unsigned maximum, True."""
    if dtypes.is_inexact(dt):
        return np.nan
    if dt == dtypes.bool_:
        return True
    return int(np.iinfo(dt).max if dtypes.is_unsigned(dt) else np.iinfo(dt).min)
