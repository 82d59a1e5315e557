"""Integer-array indexing on leading axes: gather_nd (x[i0, i1, ...], reads clamped or filled)
and scatter_nd (.at[...] updates: set/add/mul/min/max, out-of-bounds writes dropped)."""
import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import bdim_to_front
from . import _ops as L


def _aval(x):
    return core.get_aval(x)


# ---- gather_nd --------------------------------------------------------------------------------
gather_nd_p = Primitive("gather_nd")
gather_nd_p.extern = "gather"


def _gather_impl(x, *idx, mode="clip", fill_value=None):
    k = len(idx)
    shape = x.shape
    tens = []
    valid = None
    for i, ix in enumerate(idx):
        if not isinstance(ix, torch.Tensor):
            ix = torch.tensor(ix, device=x.device)
        ix = ix.to(torch.int64)
        n = shape[i]
        if mode == "fill":
            ok = (ix >= 0) & (ix < n)
            valid = ok if valid is None else valid & ok
        tens.append(torch.clamp(ix, 0, max(n - 1, 0)))
    if tens:
        tens = torch.broadcast_tensors(*tens)
    if x.numel() == 0:
        out_shape = tuple(tens[0].shape if tens else ()) + tuple(shape[k:])
        return torch.zeros(out_shape, dtype=x.dtype, device=x.device)
    out = x[tuple(tens)]
    if valid is not None:
        fv = fill_value
        if fv is None:
            fv = float("nan") if (x.is_floating_point() or x.is_complex()) else (
                False if x.dtype == torch.bool else (torch.iinfo(x.dtype).min if x.dtype.is_signed else torch.iinfo(x.dtype).max))
        v = valid.reshape(tuple(valid.shape) + (1,) * (out.dim() - valid.dim()))
        out = torch.where(v, out, torch.scalar_tensor(fv, dtype=x.dtype))   # a CPU scalar: no copy to the device
    return out


def _gather_abstract(x, *idx, mode="clip", fill_value=None):
    if len(idx) > x.ndim:
        raise IndexError(f"Too many indices for array: {len(idx)} non-None/Ellipsis indices for dim {x.ndim}.")
    for i in idx:
        if not dtypes.is_int(i.dtype):
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {i.dtype}")
    from .elementwise import broadcast_shapes
    ishape = broadcast_shapes("gather", *[i.shape for i in idx]) if idx else ()
    return ShapedArray(tuple(ishape) + x.shape[len(idx):], x.dtype, x.weak_type)


def _gather_jvp(primals, tangents, mode="clip", fill_value=None):
    x, *idx = primals
    out = gather_nd_p.bind(x, *idx, mode=mode, fill_value=fill_value)
    if type(tangents[0]) is Zero:
        return out, Zero(_aval(out))
    return out, gather_nd_p.bind(tangents[0], *idx, mode=mode, fill_value=0)


def _gather_transpose(ct, x, *idx, mode="clip", fill_value=None):
    if type(ct) is Zero:
        return [Zero(x.aval)] + [None] * len(idx)
    zeros = L.full_like(ct, 0, shape=x.aval.shape)
    if mode == "clip":
        # clamped reads all land in bounds: clamp the scatter's indices the same way
        idx = [L.max(L.min(i, x.aval.shape[d] - 1), 0) for d, i in enumerate(idx)]
    # "promise_in_bounds" (jnp indexing's default, as JAX): reads clamp, but the transpose drops
    # out-of-bounds entries like any scatter; "fill": out-of-bounds reads got no value either.
    return [scatter_nd_p.bind(zeros, ct, *idx, mode="add")] + [None] * len(idx)


def _gather_batch(vals, dims, mode="clip", fill_value=None):
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    x, *idx = vals
    dx, *didx = dims
    from .elementwise import broadcast_shapes
    idx = [bdim_to_front(i, d, size) for i, d in zip(idx, didx)]
    ishape = broadcast_shapes("gather", *[_aval(i).shape[1:] for i in idx]) if idx else ()
    full = (size,) + tuple(ishape)
    idx = [i if _aval(i).shape == full else
           L.broadcast_in_dim(i, full, (0,) + tuple(range(len(full) - _aval(i).ndim + 1, len(full))))
           for i in idx]
    if dx is None:
        return gather_nd_p.bind(x, *idx, mode=mode, fill_value=fill_value), 0
    x = bdim_to_front(x, dx, size)
    from .shape import iota_p
    b = iota_p.bind(dtype=dtypes.int32, shape=full, dimension=0)
    return gather_nd_p.bind(x, b, *idx, mode=mode, fill_value=fill_value), 0


gather_nd_p.impl = _gather_impl
gather_nd_p.abstract_eval = _gather_abstract
gather_nd_p.jvp = _gather_jvp
gather_nd_p.transpose = _gather_transpose
gather_nd_p.batch = _gather_batch
gather_nd_p.weak_type_rule = lambda weaks, **_: weaks[0]

# ---- scatter_nd -------------------------------------------------------------------------------
scatter_nd_p = Primitive("scatter_nd")
scatter_nd_p.extern = "scatter"
_REDUCE = {"mul": "prod", "min": "amin", "max": "amax"}


def _scatter_impl(x, updates, *idx, mode="set"):
    """Out-of-bounds updates are dropped by sending them to a spare row past the end (no boolean
    mask: that would read the mask back to the host, a sync on GPUs and no CUDA graph)."""
    k = len(idx)
    shape = x.shape
    if not isinstance(updates, torch.Tensor):
        updates = torch.tensor(updates, dtype=x.dtype, device=x.device)
    tens = [ix.to(torch.int64) if isinstance(ix, torch.Tensor) else torch.tensor(ix, device=x.device)
            for ix in idx]
    if not tens:   # no index: the whole array is the one target
        upd = torch.broadcast_to(updates.to(x.dtype), shape)
        if mode == "set":
            return upd.clone()
        op = {"add": torch.add, "mul": torch.mul, "min": torch.minimum, "max": torch.maximum}[mode]
        return op(x, upd) if x.dtype != torch.bool or mode != "add" else x | upd
    tens = list(torch.broadcast_tensors(*tens))
    ishape = tuple(tens[0].shape)
    updates = torch.broadcast_to(updates.to(x.dtype), ishape + tuple(shape[k:]))
    lead = int(np.prod(shape[:k], dtype=np.int64))
    rest = int(np.prod(shape[k:], dtype=np.int64))
    lin = None
    valid = None
    for i, ix in enumerate(tens):
        ok = (ix >= 0) & (ix < shape[i])
        valid = ok if valid is None else valid & ok
        lin = ix if lin is None else lin * shape[i] + ix
    lin = torch.where(valid, lin, lead).reshape(-1)
    flat = torch.cat([x.reshape(lead, rest), x.new_zeros((1, rest))])
    src = updates.reshape(lin.numel(), rest)
    if mode == "set":
        flat[lin] = src
    elif mode == "add":
        flat.index_put_((lin,), src, accumulate=True)
    else:
        flat.scatter_reduce_(0, lin.reshape(-1, 1).expand(-1, rest), src, reduce=_REDUCE[mode], include_self=True)
    return flat[:lead].reshape(shape)


def _scatter_abstract(x, updates, *idx, mode="set"):
    from .elementwise import broadcast_shapes
    if len(idx) > x.ndim:
        raise IndexError(f"Too many indices for array: {len(idx)} indices for dim {x.ndim}.")
    ishape = broadcast_shapes("scatter", *[i.shape for i in idx]) if idx else ()
    want = tuple(ishape) + x.shape[len(idx):]
    broadcast_shapes("scatter", updates.shape, want)
    return x


def _scatter_jvp(primals, tangents, mode="set"):
    x, u, *idx = primals
    tx, tu = tangents[0], tangents[1]
    out = scatter_nd_p.bind(x, u, *idx, mode=mode)
    if type(tx) is Zero and type(tu) is Zero:
        return out, Zero(_aval(out))
    from ..interpreters.jvp import add_tangents
    if mode == "add":
        tx = instantiate(tx) if type(tx) is not Zero else L.zeros_like(x)
        tu = instantiate(tu) if type(tu) is not Zero else L.zeros_like(u)
        return out, scatter_nd_p.bind(tx, tu, *idx, mode=mode)
    if mode == "mul":
        # out[p] = x[p] * prod_j u_j over the updates j landing at p. d/du_j is x[p] times the
        # product of the *other* updates there: the product of the nonzero ones, divided by u_j
        # when no update there is zero, or itself when u_j is that slot's only zero (else 0).
        # No division by a zero update, so no NaN (JAX only differentiates unique indices).
        ones = L.ones_like(x)
        pu = scatter_nd_p.bind(ones, u, *idx, mode="mul")
        t = Zero(_aval(out))
        if type(tx) is not Zero:
            t = add_tangents(t, L.mul(tx, pu))
        if type(tu) is not Zero:
            is0 = L.eq(u, L.zeros_like(u))
            nonzero = L.select(is0, L.ones_like(u), u)
            pnz = scatter_nd_p.bind(ones, nonzero, *idx, mode="mul")
            zeros_at = scatter_nd_p.bind(L.zeros_like(x), L.convert(is0, _aval(x).dtype), *idx, mode="add")

            def at_updates(v):     # each update's slot value (0 for a dropped update: no derivative)
                return gather_nd_p.bind(v, *idx, mode="fill", fill_value=0)
            xp, pz, nz = at_updates(x), at_updates(pnz), at_updates(zeros_at)
            others = L.select(is0, L.select(L.eq(nz, L.ones_like(nz)), pz, L.zeros_like(pz)),
                              L.select(L.eq(nz, L.zeros_like(nz)), L.div(pz, nonzero), L.zeros_like(pz)))
            t = add_tangents(t, scatter_nd_p.bind(L.zeros_like(x), L.mul(instantiate(tu), L.mul(xp, others)),
                                                  *idx, mode="add"))
        return out, t
    zeros_x = L.zeros_like(x)
    got = gather_nd_p.bind(out, *idx, mode="fill", fill_value=None)  # value each update met (NaN: dropped)
    if mode == "set":
        # As JAX: only the update that landed carries its tangent (with duplicate indices, the winner).
        ishape = _aval(got).shape[:len(_aval(got).shape) - (_aval(x).ndim - len(idx))]
        n = int(np.prod(ishape, dtype=np.int64))
        from .shape import iota_p
        ids = L.reshape(iota_p.bind(dtype=dtypes.int32, shape=(n,), dimension=0), ishape)
        slots = L.full_like(x, -1, dtype=dtypes.int32, shape=_aval(x).shape[:len(idx)])
        won = L.eq(gather_nd_p.bind(scatter_nd_p.bind(slots, ids, *idx, mode="set"), *idx,
                                    mode="fill", fill_value=-2), ids)
        won = L.broadcast_in_dim(L.convert(won, _aval(got).dtype), _aval(got).shape, range(len(ishape)))
        t = Zero(_aval(out))
        if type(tx) is not Zero:
            t = scatter_nd_p.bind(instantiate(tx), L.full_like(x, 0, shape=()), *idx, mode="set")
        if type(tu) is not Zero:
            t = add_tangents(t, scatter_nd_p.bind(zeros_x, L.mul(tu, won), *idx, mode="add"))
        return out, t
    # min/max, as JAX: the tangent is the mean of the tangents of all values that tie for the result
    dt = _aval(got).dtype
    won = L.convert(L.eq(L.mul(u, L.ones_like(got)), got), dt)  # updates that hold the result
    kept = L.convert(L.eq(x, out), dt)  # operand entries that hold the result
    denom = L.add(scatter_nd_p.bind(zeros_x, won, *idx, mode="add"), kept)
    t = Zero(_aval(out))
    if type(tx) is not Zero:
        t = L.mul(instantiate(tx), kept)
    if type(tu) is not Zero:
        t = add_tangents(t, scatter_nd_p.bind(zeros_x, L.mul(tu, won), *idx, mode="add"))
    return out, L.div(t, denom)


def _scatter_transpose(ct, x, u, *idx, mode="set"):
    ua = u.aval if is_undefined(u) else _aval(u)
    if mode not in ("set", "add"):
        raise NotImplementedError(f"transpose of scatter with mode={mode!r}")
    if type(ct) is Zero:
        return [Zero(x.aval) if is_undefined(x) else None, Zero(ua) if is_undefined(u) else None] + [None] * len(idx)
    ct_x = None
    if is_undefined(x):
        ct_x = ct if mode == "add" else scatter_nd_p.bind(ct, L.full_like(ct, 0, shape=()), *idx, mode="set")
    ct_u = None
    if is_undefined(u):
        g = gather_nd_p.bind(ct, *idx, mode="fill", fill_value=0)
        from .elementwise import unbroadcast
        ct_u = unbroadcast(g, ua)
    return [ct_x, ct_u] + [None] * len(idx)


def _scatter_batch(vals, dims, mode="set"):
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    x, u, *idx = vals
    dx, du, *didx = dims
    x = bdim_to_front(x, dx, size)
    from .elementwise import broadcast_shapes
    # per-example index shapes broadcast together (right-aligned), then the batch axis leads
    idx = [i if d is None else bdim_to_front(i, d, size) for i, d in zip(idx, didx)]
    per = [_aval(i).shape if d is None else _aval(i).shape[1:] for i, d in zip(idx, didx)]
    ishape = (size,) + tuple(broadcast_shapes("scatter", *per) if idx else ())
    idx = [i if _aval(i).shape == ishape else
           L.broadcast_in_dim(i, ishape, (() if d is None else (0,)) + tuple(range(len(ishape) - len(p), len(ishape))))
           for i, d, p in zip(idx, didx, per)]
    from .shape import iota_p
    b = iota_p.bind(dtype=dtypes.int32, shape=tuple(ishape), dimension=0)
    rest = _aval(x).shape[1 + len(idx):]
    if du is None:
        ua = _aval(u)
        full = tuple(ishape) + tuple(rest)
        u = L.broadcast_in_dim(u, full, range(len(full) - ua.ndim, len(full)))
    else:
        u = bdim_to_front(u, du, size)
        ua = _aval(u)
        full = tuple(ishape) + tuple(rest)
        if ua.shape != full:
            # updates broadcast against (index shape, rest) with the batch axis leading
            u = L.broadcast_in_dim(u, full, (0,) + tuple(range(len(full) - (ua.ndim - 1), len(full))))
    return scatter_nd_p.bind(x, u, b, *idx, mode=mode), 0


scatter_nd_p.impl = _scatter_impl
scatter_nd_p.abstract_eval = _scatter_abstract
scatter_nd_p.jvp = _scatter_jvp
scatter_nd_p.transpose = _scatter_transpose
scatter_nd_p.batch = _scatter_batch
scatter_nd_p.weak_type_rule = lambda weaks, **_: weaks[0]


def take_along_axis(x, idx, axis):
    """x[..., idx, ...] along `axis` with idx of x's shape: gather with iotas for other axes."""
    from .shape import iota_p
    shape = _aval(idx).shape
    nd = len(shape)
    perm = [axis] + [i for i in range(nd) if i != axis]
    xt = L.transpose(x, perm) if axis != 0 else x
    it = L.transpose(idx, perm) if axis != 0 else idx
    tshape = tuple(shape[p] for p in perm)
    others = [iota_p.bind(dtype=dtypes.int32, shape=tshape, dimension=d) for d in range(1, nd)]
    # gather_nd indexes leading axes; move the indexed axis first and index all axes
    out = gather_nd_p.bind(xt, it, *others, mode="clip", fill_value=None)
    inv = list(np.argsort(perm))
    return L.transpose(out, inv) if axis != 0 else out
