"""Collectives over named axes: psum, pmax, pmin (pmean), all_gather, axis_index, ppermute,
all_to_all and reduce_scatter (psum_scatter), with abstract_eval, jvp, transpose and the vmap
rule `batch_collective(trace, vals, dims, params)` that BatchTrace calls for every collective.

Params follow JAX's primitives: psum/pmax/pmin carry `axes` (a tuple of names) and
`axis_index_groups`; the others carry `axis_name` (a tuple; a single name for axis_index).
A name that is not the vmap trace's own is forwarded to the parent trace (nested vmap, pmap);
the named axes in scope live in `core.state.axis_env` (see core.extend_axis_env), so a name
bound nowhere raises NameError("unbound axis name: i") as JAX does, at eager and staging level.
pmap lowers these same primitives to torch.distributed (it sets their `impl`/`lower`)."""
import math

import numpy as np
import torch

from .. import dtypes
from ..array import Array, ArrayImpl
from ..config import default_device
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, deflinear
from ..interpreters.batching import moveaxis, bdim_to_front
from ..tree_util import tree_map
from . import _ops as L

__all__ = ["psum", "pmean", "pmax", "pmin", "all_gather", "axis_index", "axis_size", "ppermute",
           "pshuffle", "all_to_all", "psum_scatter", "pbroadcast", "pargmax", "pargmin"]


def _aval(x):
    return core.get_aval(x)


def _names(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _total_size(names):
    return math.prod(core.axis_size(n) for n in names)


def _groups(axis_index_groups):
    if axis_index_groups is None:
        return None
    groups = tuple(tuple(int(i) for i in g) for g in axis_index_groups)
    flat = sorted(i for g in groups for i in g)
    if flat != list(range(len(flat))):
        raise ValueError("axis_index_groups must cover all indices exactly once")
    return groups


def _unbound_impl(name):
    def impl(*args, **params):
        names = _names(params.get("axes", params.get("axis_name")))
        for n in names:
            if not any(n == m for m, _ in core.state.axis_env):
                raise NameError(f"unbound axis name: {n}")
        raise NotImplementedError(f"collective '{name}' over axes {names} has no eager implementation "
                                  f"outside the vmap/pmap that binds them")
    return impl


def _const(np_value):
    """A concrete array (index tables and masks used by batching rules)."""
    return ArrayImpl(torch.as_tensor(np_value, device=default_device()), False)


def _lane_mask(mask, nd):
    """bool (n,) -> (n, 1, ..., 1) of rank nd + 1."""
    return L.reshape(_const(mask), (len(mask),) + (1,) * nd)


def _split_axis(x, axis, parts):
    shp = _aval(x).shape
    return L.reshape(x, shp[:axis] + (parts, shp[axis] // parts) + shp[axis + 1:])


def _fold_axis(x, axis):
    """Merge axes axis and axis+1."""
    shp = _aval(x).shape
    return L.reshape(x, shp[:axis] + (shp[axis] * shp[axis + 1],) + shp[axis + 2:])


def _rebind_on(trace, x, d, fn):
    """Run fn on the batched value (x, d) under `trace` itself: decomposes a collective over several
    names into single-name ones, each then handled by the trace that owns its name."""
    with core.set_current_trace(trace):
        out = fn(trace.wrap(x, d))
    return trace.unpack(out)


def _wrap(trace, out, d):
    return trace.wrap(out, d)


# ---- psum / pmax / pmin -----------------------------------------------------------------------
def _reduce_abstract(name):
    def abstract_eval(x, axes, axis_index_groups=None):
        for n in axes:
            core.axis_size(n)
        return x
    return abstract_eval


def _group_table(groups, n):
    """Index table (n, group size): row k lists the members of k's group."""
    sizes = {len(g) for g in groups}
    if len(sizes) != 1:
        raise NotImplementedError("vmap of a collective with axis_index_groups of unequal sizes")
    if sum(len(g) for g in groups) != n:
        raise ValueError(f"axis_index_groups {groups} do not cover the axis of size {n}")
    table = np.zeros((n, sizes.pop()), np.int32)
    for g in groups:
        for k in g:
            table[k] = g
    return table


def _make_reduce_batcher(prim, reducer, if_unmapped):
    def batch_collective(trace, vals, dims, params):
        (x,), (d,) = vals, dims
        axes, groups = params["axes"], params.get("axis_index_groups")
        name, n = trace.axis_name, trace.axis_size
        with core.set_current_trace(trace.parent):
            if name is None or name not in axes:
                return _wrap(trace, prim.bind(x, **params), d)
            rest = tuple(a for a in axes if a != name)
            if groups is not None:
                if rest:
                    raise NotImplementedError("axis_index_groups with several axis names under vmap")
                table = _group_table(groups, n)
                x = bdim_to_front(x, d, n)
                from .indexing import gather_nd_p
                g = gather_nd_p.bind(x, _const(table), mode="clip", fill_value=None)
                return _wrap(trace, reducer(g, axes=(1,)), 0)
            out = if_unmapped(x, n) if d is None else reducer(x, axes=(d,))
            if rest:
                out = prim.bind(out, axes=rest, axis_index_groups=None)
            return out
    return batch_collective


psum_p = Primitive("psum")
pmax_p = Primitive("pmax")
pmin_p = Primitive("pmin")


def _times_size(x, n):
    return L.mul(x, L.full_like(x, n, shape=()))


def _red(p):
    from . import reductions as R
    prim = {"sum": R.reduce_sum_p, "max": R.reduce_max_p, "min": R.reduce_min_p}[p]
    return lambda x, axes: prim.bind(x, axes=tuple(axes))


for _p, _kind, _unmapped in ((psum_p, "sum", _times_size), (pmax_p, "max", lambda x, n: x),
                             (pmin_p, "min", lambda x, n: x)):
    _p.is_collective = True
    _p.impl = _unbound_impl(_p.name)
    _p.abstract_eval = _reduce_abstract(_p.name)
    _p.batch_collective = _make_reduce_batcher(_p, _red(_kind), _unmapped)


def _psum_transpose(ct, x, axes, axis_index_groups=None):
    """psum is its own transpose under named axes (JAX treats it as psum + pbroadcast)."""
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [psum_p.bind(ct, axes=axes, axis_index_groups=axis_index_groups)]


deflinear(psum_p, _psum_transpose)


def _pextreme_jvp(prim):
    """Tangent of pmax/pmin: the mean of the tangents of the lanes holding the extreme."""
    def jvp(primals, tangents, axes, axis_index_groups=None):
        (x,), (t,) = primals, tangents
        out = prim.bind(x, axes=axes, axis_index_groups=axis_index_groups)
        if type(t) is Zero:
            return out, Zero(_aval(out).strip_weak_type())
        hit = L.convert(L.eq(x, out), _aval(t).dtype)
        num = psum_p.bind(L.mul(t, hit), axes=axes, axis_index_groups=axis_index_groups)
        cnt = psum_p.bind(hit, axes=axes, axis_index_groups=axis_index_groups)
        return out, L.div(num, cnt)
    return jvp


pmax_p.jvp = _pextreme_jvp(pmax_p)
pmin_p.jvp = _pextreme_jvp(pmin_p)


def _reduce_leaf(prim, leaf, names, groups, pos_reduce):
    pos = tuple(a for a in names if isinstance(a, int))
    named = tuple(a for a in names if not isinstance(a, int))
    if pos and groups is not None:
        raise ValueError("axis_index_groups only supported for sums over just named axes")
    if pos:
        nd = _aval(leaf).ndim
        leaf = pos_reduce(leaf, axes=tuple(sorted(a % nd for a in pos)))
    if not named:
        return leaf
    if prim is psum_p and not isinstance(leaf, core.Tracer):
        size = len(groups[0]) if groups is not None else _total_size(named)
        return leaf * size
    if not isinstance(leaf, core.Tracer):
        for n in named:
            core.axis_size(n)
        return leaf
    return prim.bind(leaf, axes=named, axis_index_groups=groups)


def _as_operand(leaf):
    if isinstance(leaf, Array) or core.is_scalar_literal(leaf):
        return leaf
    from ..numpy import asarray
    return asarray(leaf)


def psum(x, axis_name, *, axis_index_groups=None):
    """All-reduce sum of x (a pytree) over the named axis or axes."""
    names = _names(axis_name)
    if not names:
        return x
    groups = _groups(axis_index_groups)

    def leaf_fn(v):
        v = _as_operand(v)
        if _aval(v).dtype == dtypes.bool_:
            v = L.convert(v, dtypes.int32)
        return _reduce_leaf(psum_p, v, names, groups, _red("sum"))
    return tree_map(leaf_fn, x)


def pmax(x, axis_name, *, axis_index_groups=None):
    """All-reduce max of x (a pytree) over the named axis or axes."""
    names, groups = _names(axis_name), _groups(axis_index_groups)
    return tree_map(lambda v: _reduce_leaf(pmax_p, _as_operand(v), names, groups, _red("max")), x)


def pmin(x, axis_name, *, axis_index_groups=None):
    """All-reduce min of x (a pytree) over the named axis or axes."""
    names, groups = _names(axis_name), _groups(axis_index_groups)
    return tree_map(lambda v: _reduce_leaf(pmin_p, _as_operand(v), names, groups, _red("min")), x)


def axis_size(axis_name):
    """Size of the named axis (the product for a tuple of names)."""
    return _total_size(_names(axis_name))


def pmean(x, axis_name, *, axis_index_groups=None):
    """All-reduce mean: psum divided by the axis (or group) size; integers become floats."""
    groups = _groups(axis_index_groups)
    s = psum(x, axis_name, axis_index_groups=groups)
    names = tuple(a for a in _names(axis_name) if not isinstance(a, int))
    n = len(groups[0]) if groups is not None else _total_size(names)
    from ..numpy import true_divide
    return tree_map(lambda v: true_divide(v, n), s)


# ---- axis_index -------------------------------------------------------------------------------
axis_index_p = Primitive("axis_index")
axis_index_p.is_collective = True
axis_index_p.impl = _unbound_impl("axis_index")


def _axis_index_abstract(axis_name):
    core.axis_size(axis_name)
    return ShapedArray((), dtypes.int32, False)


def _axis_index_batch(trace, vals, dims, params):
    name = params["axis_name"]
    if trace.axis_name is not None and trace.axis_name == name:
        with core.set_current_trace(trace.parent):
            from .shape import iota_p
            return _wrap(trace, iota_p.bind(dtype=dtypes.int32, shape=(trace.axis_size,), dimension=0), 0)
    with core.set_current_trace(trace.parent):
        return axis_index_p.bind(**params)


axis_index_p.abstract_eval = _axis_index_abstract
axis_index_p.weak_type_rule = lambda weaks, **_: False
axis_index_p.batch_collective = _axis_index_batch


def axis_index(axis_name):
    """Index of this lane along the named axis; for a tuple, the row-major linear index."""
    if not isinstance(axis_name, (tuple, list)):
        return axis_index_p.bind(axis_name=axis_name)
    index, inner = None, 1
    for name in reversed(axis_name):
        i = axis_index_p.bind(axis_name=name)
        term = i if inner == 1 else L.mul(i, inner)
        index = term if index is None else L.add(index, term)
        inner *= core.axis_size(name)
    if index is None:
        from ..numpy import asarray
        return asarray(0, dtype=dtypes.int32)
    return index


def _forward_outer(trace, prim, x, d, params, dim_key, untiled_shift):
    """all_gather / psum_scatter under a vmap whose axis they do not name: bind at the outer
    trace. A batch dim at or before the collective's dimension pushes that dimension right; one
    after it moves by `untiled_shift` when untiled (+1: gather inserts a dimension, -1: scatter
    removes one)."""
    dim = params[dim_key]
    with core.set_current_trace(trace.parent):
        if d is None:
            return prim.bind(x, **params)
        if d <= dim:
            dim += 1
        elif not params["tiled"]:
            d += untiled_shift
        return _wrap(trace, prim.bind(x, **dict(params, **{dim_key: dim})), d)


# ---- all_gather -------------------------------------------------------------------------------
all_gather_p = Primitive("all_gather")
all_gather_p.is_collective = True
all_gather_p.impl = _unbound_impl("all_gather")


def _all_gather_abstract(x, all_gather_dimension, axis_name, axis_index_groups, axis_size, tiled):
    for n in axis_name:
        core.axis_size(n)
    shape = list(x.shape)
    if tiled:
        shape[all_gather_dimension] *= axis_size
    else:
        shape.insert(all_gather_dimension, axis_size)
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


def _all_gather_batch(trace, vals, dims, params):
    (x,), (d,) = vals, dims
    names, dim, tiled = params["axis_name"], params["all_gather_dimension"], params["tiled"]
    name, n = trace.axis_name, trace.axis_size
    if name is None or name not in names:
        return _forward_outer(trace, all_gather_p, x, d, params, "all_gather_dimension", +1)
    if params["axis_index_groups"] is not None:
        raise NotImplementedError("axis_index_groups not supported in vmap collectives")
    if len(names) > 1:
        return _wrap(trace, *_rebind_on(trace, x, d, lambda v: all_gather(
            v, names, axis=dim, tiled=tiled)))
    with core.set_current_trace(trace.parent):
        if d is None:
            shape = list(_aval(x).shape)
            shape.insert(dim, n)
            y = L.broadcast_in_dim(x, shape, [i for i in range(len(shape)) if i != dim])
        else:
            y = moveaxis(x, d, dim)
        if tiled:
            y = _fold_axis(y, dim)
        return y


def _all_gather_transpose(ct, x, all_gather_dimension, axis_name, axis_index_groups, axis_size, tiled):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [reduce_scatter_p.bind(ct, scatter_dimension=all_gather_dimension, axis_name=axis_name,
                                  axis_index_groups=axis_index_groups, axis_size=axis_size, tiled=tiled)]


all_gather_p.abstract_eval = _all_gather_abstract
all_gather_p.batch_collective = _all_gather_batch
deflinear(all_gather_p, _all_gather_transpose)


def _canon_axis(axis, nd, what):
    if not -nd <= axis < nd:
        raise ValueError(f"{what}: axis {axis} is out of bounds for array of dimension {nd}")
    return axis % nd


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False):
    """Gather x from every lane of the named axis: a new axis `axis` (or, tiled, concatenated)."""
    names = _names(axis_name)
    if not names:
        return x
    groups = _groups(axis_index_groups)
    if len(names) > 1 and groups is None:
        return _all_gather_many(x, names, axis, tiled)
    size = len(groups[0]) if groups is not None else _total_size(names)

    def leaf_fn(v):
        v = _as_operand(v)
        nd = _aval(v).ndim
        dim = _canon_axis(axis, nd if tiled else nd + 1, "all_gather")
        if tiled and nd == 0:
            raise ValueError("all_gather with tiled=True requires an operand of rank >= 1")
        return all_gather_p.bind(v, all_gather_dimension=dim, axis_name=names,
                                 axis_index_groups=groups, axis_size=size, tiled=bool(tiled))
    return tree_map(leaf_fn, x)


def _all_gather_many(x, names, axis, tiled):
    """all_gather over several names: nested single-name gathers, major name outermost."""
    def leaf_fn(v):
        v = _as_operand(v)
        nd = _aval(v).ndim
        dim = _canon_axis(axis, nd if tiled else nd + 1, "all_gather")
        y = v
        for name in reversed(names):
            y = all_gather(y, name, axis=0)
        shp = _aval(y).shape
        k = len(names)
        y = L.reshape(y, (math.prod(shp[:k]),) + shp[k:])
        y = moveaxis(y, 0, dim)
        return _fold_axis(y, dim) if tiled else y
    return tree_map(leaf_fn, x)


# ---- reduce_scatter (psum_scatter) -----------------------------------------------------------
reduce_scatter_p = Primitive("reduce_scatter")
reduce_scatter_p.is_collective = True
reduce_scatter_p.impl = _unbound_impl("reduce_scatter")
psum_scatter_p = reduce_scatter_p


def _reduce_scatter_abstract(x, scatter_dimension, axis_name, axis_index_groups, axis_size, tiled):
    for n in axis_name:
        core.axis_size(n)
    shape = list(x.shape)
    m = x.shape[scatter_dimension]
    if tiled:
        if m % axis_size:
            raise ValueError(f"tiled reduce_scatter operand scatter dimension size {m} must be "
                             f"divisible by shard_count {axis_size}")
        shape[scatter_dimension] = m // axis_size
    else:
        if m != axis_size:
            raise ValueError(f"reduce_scatter operand scatter dimension size {m} must match shard "
                             f"count {axis_size}")
        del shape[scatter_dimension]
    return ShapedArray(tuple(shape), x.dtype, x.weak_type)


def _reduce_scatter_batch(trace, vals, dims, params):
    (x,), (d,) = vals, dims
    names, dim, tiled = params["axis_name"], params["scatter_dimension"], params["tiled"]
    name, n = trace.axis_name, trace.axis_size
    if name is None or name not in names:
        return _forward_outer(trace, reduce_scatter_p, x, d, params, "scatter_dimension", -1)
    if params["axis_index_groups"] is not None:
        raise NotImplementedError("axis_index_groups not supported in vmap collectives")
    if len(names) > 1:
        return _wrap(trace, *_rebind_on(trace, x, d, lambda v: _psum_scatter_many(v, names, dim, tiled)))
    with core.set_current_trace(trace.parent):
        y = _times_size(x, n) if d is None else _red("sum")(x, axes=(d,))
        if tiled:
            y = _split_axis(y, dim, n)
        return _wrap(trace, y, dim)


def _psum_scatter_many(v, names, dim, tiled):
    s = psum(v, names)
    idx = axis_index(names)
    n = _total_size(names)
    from .shape import dynamic_slice_p
    shp = _aval(s).shape
    sizes = list(shp)
    sizes[dim] = shp[dim] // n if tiled else 1
    start = L.mul(idx, sizes[dim]) if tiled else idx
    zero = _const(np.int32(0))
    starts = [start if i == dim else zero for i in range(len(shp))]
    out = dynamic_slice_p.bind(s, *starts, slice_sizes=tuple(sizes))
    if not tiled:
        from .shape import squeeze_p
        out = squeeze_p.bind(out, dimensions=(dim,))
    return out


def _reduce_scatter_transpose(ct, x, scatter_dimension, axis_name, axis_index_groups, axis_size, tiled):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [all_gather_p.bind(ct, all_gather_dimension=scatter_dimension, axis_name=axis_name,
                              axis_index_groups=axis_index_groups, axis_size=axis_size, tiled=tiled)]


reduce_scatter_p.abstract_eval = _reduce_scatter_abstract
reduce_scatter_p.batch_collective = _reduce_scatter_batch
deflinear(reduce_scatter_p, _reduce_scatter_transpose)


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """psum, then each lane keeps its own slice of `scatter_dimension` (index, or block if tiled)."""
    names = _names(axis_name)
    if not names:
        return x
    groups = _groups(axis_index_groups)
    size = len(groups[0]) if groups is not None else _total_size(names)

    def leaf_fn(v):
        v = _as_operand(v)
        dim = _canon_axis(scatter_dimension, _aval(v).ndim, "psum_scatter")
        _reduce_scatter_abstract(_aval(v), dim, names, groups, size, bool(tiled))  # shape checks
        return reduce_scatter_p.bind(v, scatter_dimension=dim, axis_name=names,
                                     axis_index_groups=groups, axis_size=size, tiled=bool(tiled))
    return tree_map(leaf_fn, x)


# ---- ppermute ---------------------------------------------------------------------------------
ppermute_p = Primitive("ppermute")
ppermute_p.is_collective = True
ppermute_p.impl = _unbound_impl("ppermute")


def _check_perm(perm, n, names):
    srcs, dsts = [s for s, _ in perm], [t for _, t in perm]
    if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
        raise ValueError(f"ppermute sources and destinations must be unique, got {perm}.")
    for s, t in perm:
        if not (0 <= s < n and 0 <= t < n):
            raise ValueError(f"ppermute permutation {perm} has an index out of range for axis "
                             f"{names} of size {n}")


def _ppermute_abstract(x, axis_name, perm):
    _check_perm(perm, _total_size(axis_name), axis_name)
    return x


def _src_table(perm, n):
    src = np.full((n,), -1, np.int64)
    for s, t in perm:
        src[t] = s
    return src


def _ppermute_batch(trace, vals, dims, params):
    (x,), (d,) = vals, dims
    names, perm = params["axis_name"], params["perm"]
    name, n = trace.axis_name, trace.axis_size
    if name is None or name not in names:
        with core.set_current_trace(trace.parent):
            return _wrap(trace, ppermute_p.bind(x, **params), d)
    if len(names) > 1:
        return _wrap(trace, *_rebind_on(trace, x, d, lambda v: _ppermute_many(v, names, perm)))
    src = _src_table(perm, n)
    missing = src < 0
    with core.set_current_trace(trace.parent):
        if d is None:
            if not missing.any():
                return x
            x = bdim_to_front(x, None, n)
        else:
            x = moveaxis(x, d, 0)
            from .indexing import gather_nd_p
            x = gather_nd_p.bind(x, _const(np.maximum(src, 0).astype(np.int32)), mode="clip", fill_value=None)
        if missing.any():
            nd = _aval(x).ndim - 1
            x = L.select(_lane_mask(~missing, nd), x, L.full_like(x, 0, shape=()))
        return _wrap(trace, x, 0)


def _ppermute_many(v, names, perm):
    """ppermute over several names: gather every lane, then each lane picks its source."""
    n = _total_size(names)
    src = _src_table(perm, n)
    g = all_gather(v, names)
    me = axis_index(names)
    from .indexing import gather_nd_p
    s = gather_nd_p.bind(_const(src.astype(np.int32)), me, mode="clip", fill_value=None)
    out = gather_nd_p.bind(g, L.max(s, 0), mode="clip", fill_value=None)
    return L.select(L.ge(s, 0), out, L.full_like(out, 0, shape=()))


def _ppermute_transpose(ct, x, axis_name, perm):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [ppermute_p.bind(ct, axis_name=axis_name, perm=tuple((t, s) for s, t in perm))]


ppermute_p.abstract_eval = _ppermute_abstract
ppermute_p.batch_collective = _ppermute_batch
deflinear(ppermute_p, _ppermute_transpose)


def ppermute(x, axis_name, perm):
    """Send lane src's value to lane dst for each (src, dst) in perm; lanes with no source get 0."""
    names = _names(axis_name)
    perm = tuple((int(s), int(t)) for s, t in perm)
    _check_perm(perm, _total_size(names), names)
    return tree_map(lambda v: ppermute_p.bind(_as_operand(v), axis_name=names, perm=perm), x)


def pshuffle(x, axis_name, perm):
    """Lane i receives the value of lane perm[i]."""
    if set(perm) != set(range(len(perm))):
        raise ValueError(f"`perm` does not represent a permutation: {perm}")
    return ppermute(x, axis_name, list(zip(perm, range(len(perm)))))


def pbroadcast(x, axis_name, source):
    """Every lane gets lane `source`'s value."""
    def leaf_fn(v):
        v = _as_operand(v)
        me = axis_index(axis_name)
        return psum(L.select(L.eq(me, source), v, L.full_like(v, 0, shape=())), axis_name)
    return tree_map(leaf_fn, x)


# ---- all_to_all -------------------------------------------------------------------------------
all_to_all_p = Primitive("all_to_all")
all_to_all_p.is_collective = True
all_to_all_p.impl = _unbound_impl("all_to_all")


def _all_to_all_abstract(x, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
    n = len(axis_index_groups[0]) if axis_index_groups is not None else _total_size(axis_name)
    shape = list(x.shape)
    if shape[split_axis] % n:
        raise ValueError(f"The size of all_to_all split_axis ({shape[split_axis]}) has to be "
                         f"divisible by the size of the named axis {axis_name} ({n})")
    shape[split_axis] //= n
    shape[concat_axis] *= n
    return ShapedArray(tuple(shape), x.dtype, False)


def _all_to_all_batch(trace, vals, dims, params):
    (x,), (d,) = vals, dims
    names, sa, ca = params["axis_name"], params["split_axis"], params["concat_axis"]
    name, n = trace.axis_name, trace.axis_size
    if name is None or name not in names:
        with core.set_current_trace(trace.parent):
            if d is None:
                return all_to_all_p.bind(x, **params)
            p2 = dict(params, split_axis=sa + (d <= sa), concat_axis=ca + (d <= ca))
            return _wrap(trace, all_to_all_p.bind(x, **p2), d)
    if params["axis_index_groups"] is not None:
        raise NotImplementedError("axis_index_groups not supported in vmap collectives")
    if len(names) > 1:
        return _wrap(trace, *_rebind_on(trace, x, d, lambda v: _all_to_all_many(v, names, sa, ca)))
    with core.set_current_trace(trace.parent):
        x = bdim_to_front(x, d, n)
        shp = _aval(x).shape[1:]
        r = len(shp)
        # (src, *S) -> (src, S[:sa], chunk, S[sa]/n, S[sa+1:])
        y = L.reshape(x, (n,) + shp[:sa] + (n, shp[sa] // n) + shp[sa + 1:])
        ydim = [i + 1 if i < sa else i + 2 for i in range(r)]
        perm = [sa + 1] + ydim[:ca] + [0] + ydim[ca:]
        y = L.transpose(y, perm)
        return _wrap(trace, _fold_axis(y, ca + 1), 0)


def _all_to_all_many(v, names, sa, ca):
    """all_to_all over several names: gather all lanes, each lane keeps its chunk of each."""
    n = _total_size(names)
    g = all_gather(v, names)  # (src, *S)
    y = _split_axis(g, sa + 1, n)  # (src, S[:sa], chunk, m, ...)
    y = moveaxis(y, sa + 1, 0)  # (chunk, src, S'...)
    me = axis_index(names)
    from .indexing import gather_nd_p
    y = gather_nd_p.bind(y, me, mode="clip", fill_value=None)  # (src, S'...)
    y = moveaxis(y, 0, ca)
    return _fold_axis(y, ca)


def _all_to_all_transpose(ct, x, axis_name, split_axis, concat_axis, axis_index_groups, tiled):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    return [all_to_all_p.bind(ct, axis_name=axis_name, split_axis=concat_axis, concat_axis=split_axis,
                              axis_index_groups=axis_index_groups, tiled=tiled)]


all_to_all_p.abstract_eval = _all_to_all_abstract
all_to_all_p.batch_collective = _all_to_all_batch
deflinear(all_to_all_p, _all_to_all_transpose)


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    """Split `split_axis` into one chunk per lane, send chunk k to lane k, and stack (or, tiled,
    concatenate) what arrives along `concat_axis`, in source-lane order."""
    names = _names(axis_name)
    groups = _groups(axis_index_groups)

    def leaf_fn(v):
        v = _as_operand(v)
        nd = _aval(v).ndim
        n = len(groups[0]) if groups is not None else _total_size(names)
        sa = _canon_axis(split_axis, nd, "all_to_all split_axis")
        if tiled:
            ca = _canon_axis(concat_axis, nd, "all_to_all concat_axis")
            if _aval(v).shape[sa] % n:
                raise ValueError(f"The size of all_to_all split_axis ({_aval(v).shape[sa]}) has to be "
                                 f"divisible by the size of the named axis {axis_name} ({n})")
            return all_to_all_p.bind(v, axis_name=names, split_axis=sa, concat_axis=ca,
                                     axis_index_groups=groups, tiled=True)
        ca = _canon_axis(concat_axis, nd, "all_to_all concat_axis")
        if _aval(v).shape[sa] != n:
            raise ValueError(f"all_to_all requires the size of the mapped axis axis_name to equal "
                             f"x.shape[split_axis], but they are {n} and {_aval(v).shape[sa]} respectively.")
        if sa < ca:
            ca += 1
            v = L.reshape(v, _aval(v).shape[:ca] + (1,) + _aval(v).shape[ca:])
        elif sa > ca:
            v = L.reshape(v, _aval(v).shape[:ca] + (1,) + _aval(v).shape[ca:])
            sa += 1
        out = all_to_all_p.bind(v, axis_name=names, split_axis=sa, concat_axis=ca,
                                axis_index_groups=groups, tiled=False)
        if sa != ca:
            from .shape import squeeze_p
            out = squeeze_p.bind(out, dimensions=(sa,))
        return out
    return tree_map(leaf_fn, x)


# ---- pargmax / pargmin ------------------------------------------------------------------------
def _axis_index_of_val(x, val, axis_name):
    mask = L.eq(val, x)
    idx = L.add(L.full_like(mask, 0, dtype=dtypes.int32), axis_index(axis_name))
    big = L.full_like(mask, np.iinfo(np.int32).max, dtype=dtypes.int32)
    return pmin(L.select(mask, idx, big), axis_name)


def pargmax(x, axis_name):
    if isinstance(axis_name, (tuple, list)):
        raise TypeError(f"pargmax only accepts a single axis, got {axis_name}")
    return _axis_index_of_val(x, pmax(x, axis_name), axis_name)


def pargmin(x, axis_name):
    if isinstance(axis_name, (tuple, list)):
        raise TypeError(f"pargmin only accepts a single axis, got {axis_name}")
    return _axis_index_of_val(x, pmin(x, axis_name), axis_name)
