"""lax.gather and the lax.scatter family with XLA dimension numbers (JAX's general forms).

No new primitives: each call builds, for every operand dimension, an int32 index array over
(batch dims of the indices) + (window dims) = clamped start + iota over the window, and hands
them to gather_nd / scatter_nd (jaxish/lax/indexing.py), which carry the jvp, transpose, batch
and lowering rules. The out-of-bounds modes are expressed around that: CLIP clamps each start so
the whole window fits; FILL_OR_DROP masks whole windows (gather: fill_value; scatter: the window
is sent out of bounds, which scatter_nd drops); PROMISE_IN_BOUNDS clamps gathers like CLIP but,
as JAX, drops the cotangent of out-of-bounds windows, and drops out-of-bounds scatter windows.
ONE_HOT, as in JAX, is refused by gather and drops like FILL_OR_DROP in scatters."""
import builtins
import enum
import operator
from typing import NamedTuple, Sequence

import numpy as np

from .. import dtypes
from ..interpreters import core
from . import _ops as L
from .indexing import gather_nd_p, scatter_nd_p
from .shape import full_p, iota_p

__all__ = ["GatherDimensionNumbers", "ScatterDimensionNumbers", "GatherScatterMode", "gather",
           "scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max",
           "scatter_apply"]


class GatherDimensionNumbers(NamedTuple):
    """XLA gather dimension numbers; the index vector is always the last axis of the indices."""
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """XLA scatter dimension numbers; the index vector is always the last axis of the indices."""
    update_window_dims: Sequence[int]
    inserted_window_dims: Sequence[int]
    scatter_dims_to_operand_dims: Sequence[int]
    operand_batching_dims: Sequence[int] = ()
    scatter_indices_batching_dims: Sequence[int] = ()


class GatherScatterMode(enum.Enum):
    """How gather/scatter treat out-of-bounds indices (see the module docstring)."""
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s):
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        if s == "one_hot":
            return GatherScatterMode.ONE_HOT
        raise ValueError(f'Unknown gather mode "{s}"')


# ---- argument checks (JAX's shape rules, with its messages) -----------------------------------
def _array(x):
    if isinstance(x, core.Array):
        return x
    from ..numpy import asarray
    return asarray(x)


def _dims(v):
    return tuple(operator.index(d) for d in v)


def _is_sorted(dims, op, name):
    if any(dims[i] < dims[i - 1] for i in range(1, len(dims))):
        raise TypeError(f"{name} in {op} op must be sorted; got {dims}")


def _dims_in_range(dims, rank, op, name):
    for d in dims:
        if d < 0 or d >= rank:
            raise TypeError(f"Invalid {name} set in {op} op; valid range is [0, {rank}); got: {d}.")


def _sorted_dims_in_range(dims, rank, op, name):
    if dims and (dims[0] < 0 or dims[-1] >= rank):
        bad = dims[0] if dims[0] < 0 else dims[-1]
        raise TypeError(f"Invalid {name} set in {op} op; valid range is [0, {rank}); got: {bad}.")


def _no_duplicates(dims, op, name):
    if len(set(dims)) != len(dims):
        raise TypeError(f"{name} in {op} op must not repeat; got: {dims}.")


def _disjoint(d1, d2, op, n1, n2):
    if set(d1) & set(d2):
        raise TypeError(f"{n1} and {n2} in {op} op must be disjoint; got: {d1} and {d2}.")


def _check_indices(indices, op):
    a = core.get_aval(indices)
    if not dtypes.is_int(a.dtype) or a.dtype == np.bool_:
        raise ValueError(f"indices must have an integer type (lax.{op} got start_indices of shape "
                         f"{a.shape} and dtype {a.dtype})")
    if a.ndim < 1:
        raise TypeError(f"{op.capitalize()} index leaf dimension must be within [0, rank(indices) + 1). "
                        f"rank(indices) is 0 and {op} index leaf dimension is -1.")
    return a


def _canonical_gather_dnums(dn):
    try:
        return GatherDimensionNumbers(*(_dims(getattr(dn, f)) for f in GatherDimensionNumbers._fields))
    except AttributeError:
        raise TypeError(f"lax.gather: dimension_numbers must be a lax.GatherDimensionNumbers, got {dn!r}")


def _canonical_scatter_dnums(dn):
    try:
        return ScatterDimensionNumbers(*(_dims(getattr(dn, f)) for f in ScatterDimensionNumbers._fields))
    except AttributeError:
        raise TypeError(f"lax.scatter: dimension_numbers must be a lax.ScatterDimensionNumbers, got {dn!r}")


def _check_gather(op, ind, dn, slice_sizes):
    """Validates as JAX's _gather_shape_rule; returns the output shape."""
    r, ivd = op.ndim, ind.ndim - 1
    offset, collapsed, smap, obatch, ibatch = dn
    _is_sorted(offset, "gather", "offset_dims")
    _no_duplicates(offset, "gather", "offset_dims")
    out_rank = len(offset) + ind.ndim - 1
    for i, d in enumerate(offset):
        if d < 0 or d >= out_rank:
            raise TypeError(f"Offset dimension {i} in gather op is out of bounds; got {d}, but should "
                            f"have been in [0, {out_rank})")
    if len(smap) != ind.shape[ivd]:
        raise TypeError(f"Gather op has {len(smap)} elements in start_index_map and the bound of "
                        f"dimension index_vector_dim={ivd} of indices is {ind.shape[ivd]}. These two "
                        f"numbers must be equal.")
    for i, d in enumerate(smap):
        if d < 0 or d >= r:
            raise TypeError(f"Invalid start_index_map; domain is [0, {r}), got: {i}->{d}.")
    _no_duplicates(smap, "gather", "start_index_map")
    _is_sorted(collapsed, "gather", "collapsed_slice_dims")
    _sorted_dims_in_range(collapsed, r, "gather", "collapsed_slice_dims")
    _no_duplicates(collapsed, "gather", "collapsed_slice_dims")
    _no_duplicates(obatch, "gather", "operand_batching_dims")
    _is_sorted(obatch, "gather", "operand_batching_dims")
    _sorted_dims_in_range(obatch, r, "gather", "operand_batching_dims")
    _disjoint(collapsed, obatch, "gather", "collapsed_slice_dims", "operand_batching_dims")
    _disjoint(smap, obatch, "gather", "start_index_map", "operand_batching_dims")
    _no_duplicates(ibatch, "gather", "start_indices_batching_dims")
    _dims_in_range(ibatch, ind.ndim, "gather", "start_indices_batching_dims")
    if ivd in ibatch:
        raise TypeError(f"Gather op cannot have the index vector dimension as a batching dimension; "
                        f"got {ibatch}.")
    if len(obatch) != len(ibatch):
        raise TypeError(f"Gather op requires equal numbers of operand_batching_dims and "
                        f"start_indices_batching_dims, got {obatch} and{ibatch}.")
    ob = tuple(op.shape[i] for i in obatch)
    ib = tuple(ind.shape[i] for i in ibatch)
    if ob != ib:
        raise TypeError(f"Gather op requires operand batching dimensions and indices batching "
                        f"dimensions to have the same shape, got {ob} and {ib}.")
    if r != len(slice_sizes):
        raise TypeError(f"Gather op must have one slice size for every input dimension; got: "
                        f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={r}")
    if len(slice_sizes) != len(offset) + len(collapsed) + len(obatch):
        raise TypeError(f"All components of the offset index in a gather op must either be a offset "
                        f"dimension or explicitly collapsed/batching; got len(slice_sizes)="
                        f"{len(slice_sizes)}, output_slice_sizes={offset}, collapsed_slice_dims="
                        f"{collapsed}, operand_batching_dims={obatch}.")
    if ind.size:
        for i, s in enumerate(slice_sizes):
            if not 0 <= s <= op.shape[i]:
                raise TypeError(f"Slice size at index {i} in gather op is out of range, must be within "
                                f"[0, {op.shape[i]} + 1), got {s}.")
    for i, d in enumerate(collapsed):
        if slice_sizes[d] != 1:
            raise TypeError(f"Gather op can only collapse slice dims with bound 1, but bound is "
                            f"{slice_sizes[d]} for index {d} at position {i}.")
    for i, d in enumerate(obatch):
        if slice_sizes[d] > 1:
            raise TypeError(f"Gather op can only have operand batching dims with bound 0/1, but bound "
                            f"is {slice_sizes[d]} for index {d} at position {i}.")
    batch = iter(ind.shape[:-1])
    window = iter(s for i, s in enumerate(slice_sizes) if i not in collapsed and i not in obatch)
    return tuple(next(window) if i in offset else next(batch) for i in range(out_rank))


def _check_scatter(op, ind, upd, dn):
    """Validates as JAX's scatter shape and dtype rules."""
    r, ivd = op.ndim, ind.ndim - 1
    window, inserted, smap, obatch, ibatch = dn
    want_rank = ind.ndim - 1 + len(window)
    if upd.ndim != want_rank:
        raise TypeError(f"Updates tensor must be of rank {want_rank}; got {upd.ndim}.")
    _is_sorted(window, "scatter", "update_window_dims")
    _no_duplicates(window, "scatter", "update_window_dims")
    _sorted_dims_in_range(window, upd.ndim, "scatter", "update_window_dims")
    _is_sorted(inserted, "scatter", "inserted_window_dims")
    _no_duplicates(inserted, "scatter", "inserted_window_dims")
    _sorted_dims_in_range(inserted, r, "scatter", "inserted_window_dims")
    _is_sorted(obatch, "scatter", "operand_batching_dims")
    _no_duplicates(obatch, "scatter", "operand_batching_dims")
    _sorted_dims_in_range(obatch, r, "scatter", "operand_batching_dims")
    _disjoint(inserted, obatch, "scatter", "inserted_window_dims", "operand_batching_dims")
    _disjoint(smap, obatch, "scatter", "scatter_dims_to_operand_dims", "operand_batching_dims")
    _no_duplicates(ibatch, "scatter", "scatter_indices_batching_dims")
    _dims_in_range(ibatch, ind.ndim, "scatter", "scatter_indices_batching_dims")
    if ivd in ibatch:
        raise TypeError(f"Scatter op cannot have the index vector dimension as a batching dimension; "
                        f"got {ibatch}.")
    if len(obatch) != len(ibatch):
        raise TypeError(f"Scatter op requires equal numbers of operand_batching_dims and "
                        f"scatter_indices_batching_dims, got {obatch} and {ibatch}.")
    ob = tuple(op.shape[i] for i in obatch)
    ib = tuple(ind.shape[i] for i in ibatch)
    if ob != ib:
        raise TypeError(f"Scatter op requires operand batching dimensions and indices batching "
                        f"dimensions to have the same shape, got {ob} and {ib}.")
    scatter_dims = [d for d in range(upd.ndim) if d not in window]
    ub = tuple(upd.shape[scatter_dims[i]] for i in ibatch)
    if ob != ub:
        raise TypeError(f"Scatter op requires operand batching dimensions and updates batching "
                        f"dimensions to have the same shape, got {ob} and {ub}.")
    size = len(window) + len(inserted) + len(obatch)
    if r != size:
        raise TypeError(f"Scatter op has window of size {size}; doesn't match operand of rank {r}.")
    if len(smap) != ind.shape[ivd]:
        raise TypeError(f"Scatter op has {len(smap)} elements in scatter_dims_to_operand_dims and the "
                        f"bound of dimension index_vector_dim={ivd} of indices is {ind.shape[ivd]}. "
                        f"These two numbers must be equal")
    for i, d in enumerate(smap):
        if d < 0 or d >= r:
            raise TypeError(f"Invalid scatter_dims_to_operand_dims mapping; domain is [0, {r}), got: "
                            f"{i}->{d}.")
    _no_duplicates(smap, "scatter", "scatter_dims_to_operand_dims")
    free = [op.shape[i] for i in range(r) if i not in inserted and i not in obatch]
    for i, d in enumerate(window):
        if free[i] < upd.shape[d]:
            raise TypeError(f"Bounds of the window dimensions of updates must not exceed the bounds of "
                            f"the corresponding dimensions of operand. For dimension {d}, updates "
                            f"bound is {upd.shape[d]}, operand bound is {free[i]}.")
    for i, d in enumerate(scatter_dims):
        if upd.shape[d] != ind.shape[i]:
            raise TypeError(f"Bounds of the scatter dimensions of updates must be the same as the "
                            f"bounds of the corresponding dimensions of scatter indices. For scatter "
                            f"dimension {d}, updates bound is {upd.shape[d]}, indices bound is "
                            f"{ind.shape[i]}.")
    if upd.dtype != op.dtype:
        raise TypeError(f"lax.scatter requires arguments to have the same dtypes, got {op.dtype}, "
                        f"{upd.dtype}.")


# ---- the index grid ---------------------------------------------------------------------------
def _iota(shape, dim):
    return iota_p.bind(dtype=np.dtype(np.int32), shape=tuple(shape), dimension=dim)


def _window_grid(indices, shape, index_map, operand_batching, indices_batching, windows):
    """For each operand dim, an int32 index array of shape batch + window sizes: the start (clamped
    so the window fits, else 0, or the batch position for a batching dim) plus an iota over the
    window. `windows` maps each windowed operand dim to its size (all others have size 1).
    Also returns the (batch-shaped) mask of windows whose unclamped start fitted, or None.
    Trailing dims read whole and unindexed get no index array: gather_nd/scatter_nd carry them
    through as they are, after the indexed ones (so x[i]-like rows cost one index per row)."""
    ia = core.get_aval(indices)
    batch = ia.shape[:-1]
    nb = len(batch)
    t = len(shape)
    while t > 1 and t - 1 not in index_map and windows.get(t - 1) == shape[t - 1]:
        t -= 1
    wdims = sorted(d for d in windows if d < t)
    full = tuple(batch) + tuple(windows[d] for d in wdims)
    info = np.iinfo(ia.dtype)
    starts, ok = {}, None
    for j, d in enumerate(index_map):
        from ._api import index_in_dim
        s = index_in_dim(indices, j, axis=nb, keepdims=False)
        hi = builtins.max(builtins.min(shape[d] - windows.get(d, 1), int(info.max)), 0)
        lo_c, hi_c = L.full_like(s, 0, shape=()), L.full_like(s, hi, shape=())
        fits = L.and_(L.ge(s, lo_c), L.le(s, hi_c))
        ok = fits if ok is None else L.and_(ok, fits)
        starts[d] = L.convert(L.min(L.max(s, lo_c), hi_c), np.int32)
    idx = []
    for d in range(t):
        if d in starts:
            v = starts[d] if full == tuple(batch) else L.broadcast_in_dim(starts[d], full, range(nb))
        elif d in operand_batching:
            v = _iota(full, indices_batching[operand_batching.index(d)])
        else:
            v = None
        if d in windows:
            w = _iota(full, nb + wdims.index(d))
            v = w if v is None else L.add(v, w)
        idx.append(v if v is not None else full_p.bind(shape=full, fill_value=0, dtype=np.dtype(np.int32)))
    return idx, ok


def _moveaxes(x, perm):
    perm = tuple(perm)
    return x if perm == tuple(range(len(perm))) else L.transpose(x, perm)


# ---- gather -----------------------------------------------------------------------------------
def _default_fill(dtype):
    dtype = np.dtype(dtype)
    if dtypes.is_int(dtype) and dtype != np.bool_:
        info = np.iinfo(dtype)
        return int(info.min) if info.min < 0 else int(info.max)
    if dtype == np.bool_:
        return True
    return float("nan")


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """XLA's gather (JAX's lax.gather); mode defaults to PROMISE_IN_BOUNDS."""
    mode = GatherScatterMode.from_any(GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    if mode == GatherScatterMode.ONE_HOT:
        raise NotImplementedError("lax.gather: mode=GatherScatterMode.ONE_HOT is not supported for "
                                  "gather (as JAX)")
    operand, start_indices = _array(operand), _array(start_indices)
    dn = _canonical_gather_dnums(dimension_numbers)
    slice_sizes = _dims(slice_sizes)
    op, ind = core.get_aval(operand), _check_indices(start_indices, "gather")
    out_shape = _check_gather(op, ind, dn, slice_sizes)
    batch = ind.shape[:-1]
    nb = len(batch)
    if op.ndim == 0:
        return L.broadcast_in_dim(operand, out_shape, ())
    windows = {d: slice_sizes[d] for d in range(op.ndim)
               if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims}
    idx, ok = _window_grid(start_indices, op.shape, dn.start_index_map, dn.operand_batching_dims,
                           dn.start_indices_batching_dims, windows)
    out = gather_nd_p.bind(operand, *idx, mode="promise_in_bounds", fill_value=None)
    if ok is not None and mode != GatherScatterMode.CLIP:
        okb = L.broadcast_in_dim(ok, core.get_aval(out).shape, range(nb))
        if mode == GatherScatterMode.FILL_OR_DROP:
            fv = _default_fill(op.dtype) if fill_value is None else fill_value
            out = L.select(okb, out, L.full_like(out, fv))
        else:  # PROMISE_IN_BOUNDS: reads clamp, but (as XLA's dropping scatter) no cotangent flows back
            from .elementwise import stop_gradient_p
            out = L.select(okb, out, stop_gradient_p.bind(out))
    # grid is batch + window; the output puts the window axes at offset_dims
    rest = iter(range(nb))
    perm = [nb + dn.offset_dims.index(p) if p in dn.offset_dims else next(rest) for p in range(len(out_shape))]
    return _moveaxes(out, perm)


# ---- scatter ----------------------------------------------------------------------------------
def _scatter(nd_mode, operand, scatter_indices, updates, dimension_numbers, mode,
             negate=False):
    mode = GatherScatterMode.from_any(mode)
    operand, scatter_indices, updates = _array(operand), _array(scatter_indices), _array(updates)
    dn = _canonical_scatter_dnums(dimension_numbers)
    op, ind = core.get_aval(operand), _check_indices(scatter_indices, "scatter")
    upd = core.get_aval(updates)
    _check_scatter(op, ind, upd, dn)
    if negate:
        updates = L.neg(updates)
    batch = ind.shape[:-1]
    nb = len(batch)
    window = dn.update_window_dims
    # updates in batch-major order, then the window axes
    updates = _moveaxes(updates, [d for d in range(upd.ndim) if d not in window] + list(window))
    if op.ndim == 0:
        flat = L.reshape(operand, (1,))
        zero = L.full_like(flat, 0, np.int32, batch)
        return L.reshape(scatter_nd_p.bind(flat, updates, zero, mode=nd_mode), ())
    free = [d for d in range(op.ndim) if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
    windows = {d: upd.shape[window[i]] for i, d in enumerate(free)}
    idx, ok = _window_grid(scatter_indices, op.shape, dn.scatter_dims_to_operand_dims,
                           dn.operand_batching_dims, dn.scatter_indices_batching_dims, windows)
    if ok is not None and mode != GatherScatterMode.CLIP:
        # a window that does not fit is dropped whole: send it past the end of dim 0
        grid = core.get_aval(idx[0]).shape
        okb = L.broadcast_in_dim(ok, grid, range(nb))
        idx[0] = L.select(okb, idx[0], L.full_like(idx[0], op.shape[0]))
    return scatter_nd_p.bind(operand, updates, *idx, mode=nd_mode)


def scatter(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
            unique_indices=False, mode=None):
    """XLA's scatter with updates replacing operand values (JAX's lax.scatter)."""
    return _scatter("set", operand, scatter_indices, updates, dimension_numbers, mode)


def scatter_add(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                unique_indices=False, mode=None):
    """Scatter combining by addition (JAX's lax.scatter_add)."""
    return _scatter("add", operand, scatter_indices, updates, dimension_numbers, mode)


def scatter_sub(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                unique_indices=False, mode=None):
    """Scatter combining by subtraction (JAX's lax.scatter_sub)."""
    return _scatter("add", operand, scatter_indices, updates, dimension_numbers, mode,
                    negate=True)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                unique_indices=False, mode=None):
    """Scatter combining by multiplication (JAX's lax.scatter_mul). With unique_indices the
    product is operand * (updates set over ones), whose derivatives are exact at zero updates,
    as JAX's; otherwise scatter_nd's multiplicative rule (JAX has no updates-gradient there)."""
    if unique_indices:
        operand = _array(operand)
        factors = _scatter("set", L.ones_like(operand), scatter_indices, updates,
                           dimension_numbers, mode)
        return L.mul(operand, factors)
    return _scatter("mul", operand, scatter_indices, updates, dimension_numbers, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                unique_indices=False, mode=None):
    """Scatter combining by minimum (JAX's lax.scatter_min); ties share the tangent equally."""
    return _scatter("min", operand, scatter_indices, updates, dimension_numbers, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                unique_indices=False, mode=None):
    """Scatter combining by maximum (JAX's lax.scatter_max); ties share the tangent equally."""
    return _scatter("max", operand, scatter_indices, updates, dimension_numbers, mode)


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(),
                  indices_are_sorted=False, unique_indices=False, mode=None):
    """Replace operand values at the scattered positions by func(value), once per index that hits
    them (JAX's lax.scatter_apply); func is applied elementwise (vmapped over scalars)."""
    from ..api import vmap
    from .control_flow import while_loop
    operand = _array(operand)
    op = core.get_aval(operand)
    ones = L.full_like(operand, 1, np.int32, _dims(update_shape))
    hits = scatter_add(L.full_like(operand, 0, np.int32), scatter_indices, ones, dimension_numbers,
                       mode=mode)
    apply = vmap(func)

    def step(x):
        y = apply(L.reshape(x, (op.size,)))
        ya = core.get_aval(y)
        if ya.shape != (op.size,) or ya.dtype != op.dtype:
            raise TypeError(f"lax.scatter_apply: func must map a {op.dtype} scalar to a {op.dtype} "
                            f"scalar, got shape {ya.shape[1:]} and dtype {ya.dtype}")
        return L.reshape(y, op.shape)

    if unique_indices:
        return L.select(L.gt(hits, L.full_like(hits, 0, shape=())), step(operand), operand)

    def body(carry):
        k, x = carry
        return L.add(k, L.full_like(k, 1, shape=())), L.select(L.gt(hits, L.broadcast_in_dim(k, op.shape, ())),
                                                               step(x), x)

    from .reductions import reduce_max_p
    most = reduce_max_p.bind(hits, axes=tuple(range(op.ndim))) if op.ndim else hits
    k0 = L.full_like(most, 0, shape=())
    return while_loop(lambda c: L.lt(c[0], most), body, (k0, operand))[1]
