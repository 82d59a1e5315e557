"""Shape primitives (views and data movement) and array creation: broadcast_in_dim, reshape,
transpose, squeeze, rev, concatenate, pad, slice, dynamic_slice, dynamic_update_slice, iota,
full, full_like — each with impl, abstract_eval, jvp/transpose and batch rules."""
import numpy as np
import torch

from .. import dtypes
from ..config import default_device
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import deflinear, Zero, instantiate
from ..interpreters.transpose import is_undefined
from ..interpreters.batching import moveaxis, bdim_to_front
from . import _ops as L


def _aval(x):
    return core.get_aval(x)


def _as_tensor(x, dtype=None):
    if isinstance(x, torch.Tensor):
        return x
    if dtype is None:   # a Python or numpy scalar: its canonical dtype (int32 while x64 is off)
        dtype = dtypes.to_torch_dtype(core.get_aval(x).dtype)
    return torch.tensor(x, device=default_device(), dtype=dtype)


def _shape_param(shape, name):
    try:
        shape = tuple(int(operator_index(d)) for d in shape)
    except TypeError:
        raise TypeError(f"{name}: shapes must be sequences of integers, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{name}: negative dimensions are not allowed, got {shape}")
    return shape


def operator_index(d):
    import operator
    return operator.index(d)


# ---- broadcast_in_dim -------------------------------------------------------------------------
broadcast_in_dim_p = Primitive("broadcast_in_dim")
broadcast_in_dim_p.view = True


def _bid_impl(x, shape, broadcast_dimensions):
    x = _as_tensor(x)
    view = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        view[d] = x.shape[i]
    return x.reshape(view).expand(shape)


def _bid_abstract(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim broadcast_dimensions must have length equal to operand "
                        f"ndim; got broadcast_dimensions {broadcast_dimensions} for operand ndim {x.ndim}.")
    for i, d in enumerate(broadcast_dimensions):
        if x.shape[i] not in (1, shape[d]):
            raise TypeError(f"broadcast_in_dim operand dimension sizes must either be 1, or be equal "
                            f"to their corresponding dimensions in the target broadcast shape; got "
                            f"operand of shape {x.shape}, target broadcast shape {shape}, "
                            f"broadcast_dimensions {broadcast_dimensions}")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _bid_transpose(ct, x, shape, broadcast_dimensions):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    bd = set(broadcast_dimensions)
    axes = [d for d in range(len(shape)) if d not in bd]
    axes += [d for i, d in enumerate(broadcast_dimensions) if x.aval.shape[i] == 1 and shape[d] != 1]
    if axes:
        ct = L.reduce_sum(ct, sorted(axes))
    if _aval(ct).shape != x.aval.shape:
        ct = L.reshape(ct, x.aval.shape)
    return [ct]


def _bid_batch(vals, dims, shape, broadcast_dimensions):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    B = _aval(x).shape[0]
    return broadcast_in_dim_p.bind(x, shape=(B,) + tuple(shape),
                                   broadcast_dimensions=(0,) + tuple(b + 1 for b in broadcast_dimensions)), 0


broadcast_in_dim_p.impl = _bid_impl
broadcast_in_dim_p.abstract_eval = _bid_abstract
broadcast_in_dim_p.batch = _bid_batch
broadcast_in_dim_p.unsigned_shim = False
deflinear(broadcast_in_dim_p, _bid_transpose)

# ---- reshape ----------------------------------------------------------------------------------
reshape_p = Primitive("reshape")
reshape_p.view = True
reshape_p.unsigned_shim = False


def _reshape_impl(x, new_sizes, dimensions=None):
    x = _as_tensor(x)
    if dimensions is not None:
        x = x.permute(dimensions)
    return x.reshape(new_sizes)


def _reshape_abstract(x, new_sizes, dimensions=None):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise TypeError(f"reshape total size must be unchanged, got new_sizes {tuple(new_sizes)} "
                        f"for shape {x.shape}.")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


def _reshape_transpose(ct, x, new_sizes, dimensions=None):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    if dimensions is None:
        return [L.reshape(ct, x.aval.shape)]
    inv = np.argsort(dimensions)
    permuted = tuple(x.aval.shape[d] for d in dimensions)
    return [L.transpose(L.reshape(ct, permuted), inv)]


def _reshape_batch(vals, dims, new_sizes, dimensions=None):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    if dimensions is not None:
        x = L.transpose(x, (0,) + tuple(i + 1 for i in dimensions))
    B = _aval(x).shape[0]
    return reshape_p.bind(x, new_sizes=(B,) + tuple(new_sizes), dimensions=None), 0


reshape_p.impl = _reshape_impl
reshape_p.abstract_eval = _reshape_abstract
reshape_p.batch = _reshape_batch
deflinear(reshape_p, _reshape_transpose)

# ---- transpose --------------------------------------------------------------------------------
transpose_p = Primitive("transpose")
transpose_p.view = True
transpose_p.unsigned_shim = False


def _transpose_abstract(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, got "
                        f"permutation {tuple(permutation)} for operand shape {x.shape}.")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


def _transpose_batch(vals, dims, permutation):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    return transpose_p.bind(x, permutation=(0,) + tuple(p + 1 for p in permutation)), 0


transpose_p.impl = lambda x, permutation: _as_tensor(x).permute(permutation)
transpose_p.abstract_eval = _transpose_abstract
transpose_p.batch = _transpose_batch
deflinear(transpose_p, lambda ct, x, permutation: [
    Zero(x.aval) if type(ct) is Zero else L.transpose(ct, tuple(int(i) for i in np.argsort(permutation)))])

# ---- squeeze ----------------------------------------------------------------------------------
squeeze_p = Primitive("squeeze")
squeeze_p.view = True
squeeze_p.unsigned_shim = False


def _squeeze_abstract(x, dimensions):
    for d in dimensions:
        if x.shape[d] != 1:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal to "
                             f"one, got shape={x.shape} and dimensions={tuple(dimensions)}")
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype, x.weak_type)


def _squeeze_batch(vals, dims, dimensions):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    return squeeze_p.bind(x, dimensions=tuple(i + 1 for i in dimensions)), 0


squeeze_p.impl = lambda x, dimensions: _as_tensor(x).reshape(
    [s for i, s in enumerate(x.shape) if i not in dimensions])
squeeze_p.abstract_eval = _squeeze_abstract
squeeze_p.batch = _squeeze_batch
deflinear(squeeze_p, lambda ct, x, dimensions: [
    Zero(x.aval) if type(ct) is Zero else L.reshape(ct, x.aval.shape)])

# ---- rev --------------------------------------------------------------------------------------
rev_p = Primitive("rev")  # torch.flip has no uint16/32/64 kernels: keep the int64 shim
rev_p.impl = lambda x, dimensions: torch.flip(x, dimensions) if dimensions else x
def _rev_abstract(x, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise TypeError(f"rev dimensions must be unique and less than operand ndim, got dimensions "
                        f"{tuple(dimensions)} for operand ndim {x.ndim}.")
    return x


rev_p.abstract_eval = _rev_abstract


def _rev_batch(vals, dims, dimensions):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    return rev_p.bind(x, dimensions=tuple(i + 1 for i in dimensions)), 0


rev_p.batch = _rev_batch
deflinear(rev_p, lambda ct, x, dimensions: [
    Zero(x.aval) if type(ct) is Zero else rev_p.bind(ct, dimensions=dimensions)])

# ---- concatenate ------------------------------------------------------------------------------
concatenate_p = Primitive("concatenate")
concatenate_p.unsigned_shim = False


def _concat_impl(*xs, dimension):
    return torch.cat([_as_tensor(x) for x in xs], dim=dimension)


def _concat_abstract(*xs, dimension):
    if not xs:
        raise ValueError("concatenate requires at least one operand")
    nd = xs[0].ndim
    if not 0 <= dimension < max(nd, 1):
        raise ValueError(f"concatenate dimension out of bounds: dimension {dimension} for shapes "
                         f"{', '.join(str(x.shape) for x in xs)}.")
    for x in xs:
        if x.ndim != nd or any(a != b for i, (a, b) in enumerate(zip(x.shape, xs[0].shape)) if i != dimension):
            raise TypeError(f"Cannot concatenate arrays with shapes that differ in dimensions other "
                            f"than the one being concatenated: concatenating along dimension "
                            f"{dimension} for shapes {', '.join(str(x.shape) for x in xs)}.")
    if len({x.dtype for x in xs}) > 1:
        raise TypeError(f"Cannot concatenate arrays with different dtypes: "
                        f"{', '.join(str(x.dtype) for x in xs)}.")
    shape = list(xs[0].shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return ShapedArray(shape, xs[0].dtype, all(x.weak_type for x in xs))


def _concat_transpose(ct, *xs, dimension):
    res, start = [], 0
    for x in xs:
        n = x.aval.shape[dimension] if is_undefined(x) else _aval(x).shape[dimension]
        if is_undefined(x):
            if type(ct) is Zero:
                res.append(Zero(x.aval))
            else:
                shp = _aval(ct).shape
                st = [0] * len(shp)
                lim = list(shp)
                st[dimension], lim[dimension] = start, start + n
                res.append(slice_p.bind(ct, start_indices=tuple(st), limit_indices=tuple(lim), strides=None))
        else:
            res.append(None)
        start += n
    return res


def _concat_batch(vals, dims, dimension):
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    xs = [bdim_to_front(v, d, size) for v, d in zip(vals, dims)]
    return concatenate_p.bind(*xs, dimension=dimension + 1), 0


concatenate_p.impl = _concat_impl
concatenate_p.abstract_eval = _concat_abstract
concatenate_p.batch = _concat_batch
deflinear(concatenate_p, _concat_transpose)

# ---- slice ------------------------------------------------------------------------------------
slice_p = Primitive("slice")
slice_p.view = True
slice_p.unsigned_shim = False


def _slice_impl(x, start_indices, limit_indices, strides=None):
    idx = tuple(slice(s, l, 1 if strides is None else st)
                for s, l, st in zip(start_indices, limit_indices, strides or [1] * len(start_indices)))
    return x[idx]


def _slice_abstract(x, start_indices, limit_indices, strides=None):
    if not (len(start_indices) == len(limit_indices) == x.ndim):
        raise TypeError(f"slice start_indices/limit_indices must have length equal to the operand "
                        f"rank {x.ndim}, got {start_indices}, {limit_indices}")
    strides = strides or (1,) * x.ndim
    shape = []
    for d, s, l, st in zip(x.shape, start_indices, limit_indices, strides):
        if not (0 <= s <= l <= d):
            raise TypeError(f"slice indices out of bounds: start {tuple(start_indices)}, limit "
                            f"{tuple(limit_indices)} for operand shape {x.shape}")
        shape.append(max(0, -(-(l - s) // st)))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice_transpose(ct, x, start_indices, limit_indices, strides=None):
    if type(ct) is Zero:
        return [Zero(x.aval)]
    shape = x.aval.shape
    strides = strides or (1,) * len(shape)
    cshape = _aval(ct).shape
    cfg = []
    for d, s, st, n in zip(shape, start_indices, strides, cshape):
        real_end = s + (n - 1) * st + 1 if n > 0 else s
        cfg.append((s, d - real_end, st - 1) if n > 0 else (s, d - s, 0))
    if any(n == 0 for n in cshape):
        return [L.full_like(ct, 0, shape=shape)]
    zero = 0.0 if dtypes.is_inexact(x.aval.dtype) else 0
    return [pad_p.bind(ct, zero, padding_config=tuple(cfg))]


def _slice_batch(vals, dims, start_indices, limit_indices, strides=None):
    (x,), (d,) = vals, dims
    x = moveaxis(x, d, 0)
    B = _aval(x).shape[0]
    return slice_p.bind(x, start_indices=(0,) + tuple(start_indices), limit_indices=(B,) + tuple(limit_indices),
                        strides=None if strides is None else (1,) + tuple(strides)), 0


slice_p.impl = _slice_impl
slice_p.abstract_eval = _slice_abstract
slice_p.batch = _slice_batch
deflinear(slice_p, _slice_transpose)

# ---- pad --------------------------------------------------------------------------------------
pad_p = Primitive("pad")


_FPAD_DTYPES = frozenset((torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
                          torch.complex128, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8,
                          torch.bool))


def fpad_widths(shape, padding_config):
    """torch.nn.functional.pad's flat (last axis first) widths for `padding_config` on an operand
    of `shape`, or None where F.pad cannot do it: interior padding, or a crop reaching past the
    operand into the other edge's padding (F.pad crops before it pads)."""
    if any(i != 0 or n + min(lo, 0) + min(hi, 0) < 0 for n, (lo, hi, i) in zip(shape, padding_config)):
        return None
    return [w for lo, hi, _ in reversed(padding_config) for w in (lo, hi)]


def _pad_impl(x, padding_value, padding_config):
    x = _as_tensor(x)
    if isinstance(padding_value, torch.Tensor):
        padding_value = padding_value.item()
    if isinstance(padding_value, complex) and padding_value.imag == 0:
        padding_value = padding_value.real
    flat = fpad_widths(x.shape, padding_config) if x.dtype in _FPAD_DTYPES and \
        not isinstance(padding_value, complex) else None
    if flat is not None:   # one torch call (F.pad crops too)
        return torch.nn.functional.pad(x, flat, value=padding_value) if any(flat) else x
    # interior padding first
    for ax, (lo, hi, interior) in enumerate(padding_config):
        if interior > 0 and x.shape[ax] > 1:
            n = x.shape[ax]
            shape = list(x.shape)
            shape[ax] = n + (n - 1) * interior
            out = torch.full(shape, padding_value, dtype=x.dtype, device=x.device)
            idx = [slice(None)] * x.dim()
            idx[ax] = slice(0, None, interior + 1)
            out[tuple(idx)] = x
            x = out
    for ax, (lo, hi, interior) in enumerate(padding_config):
        # pad first, then crop (a negative edge may reach into the other edge's padding)
        if lo > 0 or hi > 0:
            parts = []
            shp = list(x.shape)
            if lo > 0:
                shp[ax] = lo
                parts.append(torch.full(shp, padding_value, dtype=x.dtype, device=x.device))
            parts.append(x)
            if hi > 0:
                shp[ax] = hi
                parts.append(torch.full(shp, padding_value, dtype=x.dtype, device=x.device))
            x = torch.cat(parts, dim=ax)
        if lo < 0 or hi < 0:
            start = -min(lo, 0)
            x = x.narrow(ax, start, x.shape[ax] - start + min(hi, 0))
    return x


def _pad_abstract(x, padding_value, padding_config):
    if len(padding_config) != x.ndim:
        raise ValueError(f"length of padding_config must equal the number of axes of operand, got "
                         f"padding_config {padding_config} for operand shape {x.shape}")
    shape = []
    for d, (lo, hi, it) in zip(x.shape, padding_config):
        if it < 0:
            raise ValueError(f"interior padding in padding_config must be nonnegative, got {padding_config}")
        n = lo + hi + d + max(0, d - 1) * it
        if n < 0:
            raise ValueError(f"Dimension size after padding is not at least 0, got {padding_config} for {x.shape}")
        shape.append(n)
    return ShapedArray(shape, x.dtype, x.weak_type)


def _pad_transpose(ct, x, padding_value, padding_config):
    res = []
    if type(ct) is Zero:
        return [Zero(x.aval) if is_undefined(x) else None,
                Zero(padding_value.aval) if is_undefined(padding_value) else None]
    # un-pad: negative lo/hi padding then strided slice
    unpad_cfg = tuple((-lo, -hi, 0) for lo, hi, _ in padding_config)
    t = pad_p.bind(ct, 0.0 if dtypes.is_inexact(_aval(ct).dtype) else 0, padding_config=unpad_cfg)
    shp = _aval(t).shape
    t_x = slice_p.bind(t, start_indices=(0,) * len(shp), limit_indices=shp,
                       strides=tuple(it + 1 for _, _, it in padding_config))
    res.append(t_x if is_undefined(x) else None)
    if is_undefined(padding_value):
        total = L.reduce_sum(ct, range(len(shp)))
        inner = L.reduce_sum(t_x, range(len(shp)))
        res.append(L.sub(total, inner))
    else:
        res.append(None)
    return res


def _pad_batch(vals, dims, padding_config):
    (x, pv), (dx, dp) = vals, dims
    cfg = ((0, 0, 0),) + tuple(padding_config)
    if dp is None:
        return pad_p.bind(moveaxis(x, dx, 0), pv, padding_config=cfg), 0
    # batched padding value: pad with zero, then select each lane's value where a mask says "pad"
    size = _aval(pv).shape[dp]
    x = bdim_to_front(x, dx, size)
    out = pad_p.bind(x, L.full_like(pv, 0, shape=()), padding_config=cfg)
    inner = L.full_like(x, False, dtype=np.dtype(bool), shape=_aval(x).shape[1:])
    mask = pad_p.bind(inner, True, padding_config=tuple(padding_config))
    pv = L.reshape(moveaxis(pv, dp, 0), (size,) + (1,) * (_aval(out).ndim - 1))
    return L.select(mask, pv, out), 0


pad_p.impl = _pad_impl
pad_p.abstract_eval = _pad_abstract
pad_p.batch = _pad_batch
deflinear(pad_p, _pad_transpose)

# ---- dynamic_slice / dynamic_update_slice ------------------------------------------------------
dynamic_slice_p = Primitive("dynamic_slice")


def _clamped_starts(starts, shape, sizes):
    out = []
    for s, d, n in zip(starts, shape, sizes):
        s = int(s)
        if s < 0:
            s = 0  # JAX clamps into [0, d - n]
        out.append(min(max(s, 0), d - n))
    return out


def _ds_impl(x, *starts, slice_sizes):
    st = _clamped_starts([int(s) for s in starts], x.shape, slice_sizes)
    idx = tuple(slice(s, s + n) for s, n in zip(st, slice_sizes))
    return x[idx]


def _ds_abstract(x, *starts, slice_sizes):
    if len(starts) != x.ndim or len(slice_sizes) != x.ndim:
        raise TypeError(f"dynamic_slice: start_indices and slice_sizes must have length equal to the "
                        f"operand rank {x.ndim}; got {len(starts)} indices, slice_sizes {slice_sizes}")
    for d, n in zip(x.shape, slice_sizes):
        if not 0 <= n <= d:
            raise TypeError(f"slice slice_sizes must be less than or equal to operand shape, got "
                            f"slice_sizes {tuple(slice_sizes)} for operand shape {x.shape}")
    for s in starts:
        if not dtypes.is_int(s.dtype) or s.ndim != 0:
            raise TypeError(f"index arguments to dynamic_slice must be integer scalars, got {s.str_short()}")
    return ShapedArray(slice_sizes, x.dtype, x.weak_type)


def _ds_jvp(primals, tangents, slice_sizes):
    x, *starts = primals
    out = dynamic_slice_p.bind(x, *starts, slice_sizes=slice_sizes)
    if type(tangents[0]) is Zero:
        return out, Zero(_aval(out))
    return out, dynamic_slice_p.bind(tangents[0], *starts, slice_sizes=slice_sizes)


def _ds_transpose(ct, x, *starts, slice_sizes):
    if type(ct) is Zero:
        return [Zero(x.aval)] + [None] * len(starts)
    zeros = L.full_like(ct, 0, shape=x.aval.shape)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


def _batched_window_indices(starts, dims, operand_shape, window, size):
    """Index arrays (size, *window) per operand axis for windows whose (clamped) starts differ
    per lane: start_k + iota along axis k. Lowers dynamic_(update_)slice to gather/scatter."""
    full = (size,) + tuple(window)
    idx = []
    for k, (s, d) in enumerate(zip(starts, dims)):
        s = L.convert(s if d is None else moveaxis(s, d, 0), dtypes.int32)
        s = L.max(L.min(s, operand_shape[k] - window[k]), 0)
        s = L.broadcast_in_dim(s, full, () if d is None else (0,))
        idx.append(L.add(s, iota_p.bind(dtype=dtypes.int32, shape=full, dimension=k + 1)))
    return idx, full


def _ds_batch(vals, dims, slice_sizes):
    (x, *starts), (dx, *ds) = vals, dims
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    if all(d is None for d in ds):
        x = moveaxis(x, dx, 0)
        return dynamic_slice_p.bind(x, 0, *starts, slice_sizes=(size,) + tuple(slice_sizes)), 0
    from .indexing import gather_nd_p
    oshape = _aval(x).shape if dx is None else _aval(x).shape[:dx] + _aval(x).shape[dx + 1:]
    idx, full = _batched_window_indices(starts, ds, oshape, slice_sizes, size)
    if dx is None:
        return gather_nd_p.bind(x, *idx, mode="clip", fill_value=None), 0
    lane = iota_p.bind(dtype=dtypes.int32, shape=full, dimension=0)
    return gather_nd_p.bind(moveaxis(x, dx, 0), lane, *idx, mode="clip", fill_value=None), 0


dynamic_slice_p.batch = _ds_batch
dynamic_slice_p.impl = _ds_impl
dynamic_slice_p.abstract_eval = _ds_abstract
dynamic_slice_p.jvp = _ds_jvp
dynamic_slice_p.transpose = _ds_transpose
dynamic_slice_p.weak_type_rule = lambda weaks, **_: weaks[0]

dynamic_update_slice_p = Primitive("dynamic_update_slice")


def _dus_impl(x, update, *starts):
    st = _clamped_starts([int(s) for s in starts], x.shape, update.shape)
    out = x.clone()
    idx = tuple(slice(s, s + n) for s, n in zip(st, update.shape))
    out[idx] = update
    return out


def _dus_abstract(x, update, *starts):
    if update.ndim != x.ndim or any(u > d for u, d in zip(update.shape, x.shape)):
        raise TypeError(f"dynamic_update_slice update shape must be smaller than operand shape, got "
                        f"update shape {update.shape} for operand shape {x.shape}.")
    if update.dtype != x.dtype:
        raise TypeError(f"dynamic_update_slice update dtype {update.dtype} must match operand dtype {x.dtype}")
    return x


def _dus_jvp(primals, tangents):
    x, u, *starts = primals
    tx, tu = tangents[0], tangents[1]
    out = dynamic_update_slice_p.bind(x, u, *starts)
    if type(tx) is Zero and type(tu) is Zero:
        return out, Zero(_aval(out))
    tx = instantiate(tx) if type(tx) is not Zero else L.zeros_like(x)
    tu = instantiate(tu) if type(tu) is not Zero else L.zeros_like(u)
    return out, dynamic_update_slice_p.bind(tx, tu, *starts)


def _dus_transpose(ct, x, u, *starts):
    ua = u.aval if is_undefined(u) else _aval(u)
    if type(ct) is Zero:
        return [Zero(x.aval) if is_undefined(x) else None, Zero(ua) if is_undefined(u) else None] + [None] * len(starts)
    ct_x = dynamic_update_slice_p.bind(ct, L.full_like(ct, 0, shape=ua.shape), *starts) if is_undefined(x) else None
    ct_u = dynamic_slice_p.bind(ct, *starts, slice_sizes=ua.shape) if is_undefined(u) else None
    return [ct_x, ct_u] + [None] * len(starts)


def _dus_batch(vals, dims):
    (x, u, *starts), (dx, du, *ds) = vals, dims
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    x, u = bdim_to_front(x, dx, size), bdim_to_front(u, du, size)
    if all(d is None for d in ds):
        return dynamic_update_slice_p.bind(x, u, 0, *starts), 0
    from .indexing import scatter_nd_p
    idx, full = _batched_window_indices(starts, ds, _aval(x).shape[1:], _aval(u).shape[1:], size)
    lane = iota_p.bind(dtype=dtypes.int32, shape=full, dimension=0)
    return scatter_nd_p.bind(x, u, lane, *idx, mode="set"), 0


dynamic_update_slice_p.batch = _dus_batch
dynamic_update_slice_p.impl = _dus_impl
dynamic_update_slice_p.abstract_eval = _dus_abstract
dynamic_update_slice_p.jvp = _dus_jvp
dynamic_update_slice_p.transpose = _dus_transpose
dynamic_update_slice_p.weak_type_rule = lambda weaks, **_: weaks[0]

# ---- creation ---------------------------------------------------------------------------------
iota_p = Primitive("iota")


def _iota_impl(dtype, shape, dimension):
    td = dtypes.to_torch_dtype(dtype)
    n = shape[dimension]
    r = torch.arange(n, device=default_device(), dtype=torch.int64 if td in dtypes.TORCH_WIDE_UNSIGNED else td)
    view = [1] * len(shape)
    view[dimension] = n
    r = r.reshape(view).expand(shape)
    return r.to(td) if r.dtype != td else r


iota_p.impl = _iota_impl
def _check_shape_nonneg(name, shape):
    if any(d < 0 for d in shape):
        raise TypeError(f"{name} shape must have every element be nonnegative, got {tuple(shape)}.")


def _iota_abstract(dtype, shape, dimension):
    _check_shape_nonneg("iota", shape)
    if not 0 <= dimension < max(len(shape), 1):
        raise TypeError(f"iota dimension {dimension} is out of range for shape {tuple(shape)}")
    return ShapedArray(shape, dtype, False)


iota_p.abstract_eval = _iota_abstract
iota_p.weak_type_rule = lambda weaks, **_: False
iota_p.batch = None

full_p = Primitive("full")


def _full_impl(shape, fill_value, dtype):
    td = dtypes.to_torch_dtype(dtype)
    if td in dtypes.TORCH_WIDE_UNSIGNED:
        return torch.full(shape, int(fill_value), dtype=torch.int64, device=default_device()).to(td)
    return torch.full(shape, fill_value, dtype=td, device=default_device())


full_p.impl = _full_impl
def _full_abstract(shape, fill_value, dtype):
    _check_shape_nonneg("full", shape)
    return ShapedArray(shape, dtype, False)


full_p.abstract_eval = _full_abstract
full_p.weak_type_rule = lambda weaks, **_: False

full_like_p = Primitive("full_like")
full_like_p.unsigned_shim = False


def _full_like_impl(x, fill_value, dtype, shape, weak_type=False):
    td = dtypes.to_torch_dtype(dtype)
    dev = x.device if isinstance(x, torch.Tensor) else default_device()
    if td in dtypes.TORCH_WIDE_UNSIGNED:
        return torch.full(shape, int(fill_value), dtype=torch.int64, device=dev).to(td)
    return torch.full(shape, fill_value, dtype=td, device=dev)


def _full_like_batch(vals, dims, fill_value, dtype, shape, **weak):
    (x,), (d,) = vals, dims
    B = _aval(x).shape[d]
    x = moveaxis(x, d, 0)
    return full_like_p.bind(x, fill_value=fill_value, dtype=dtype, shape=(B,) + tuple(shape), **weak), 0


def _full_like_jvp(primals, tangents, fill_value, dtype, shape, **weak):
    out = full_like_p.bind(*primals, fill_value=fill_value, dtype=dtype, shape=shape, **weak)
    return out, Zero(_aval(out).strip_weak_type())


full_like_p.impl = _full_like_impl
def _full_like_abstract(x, fill_value, dtype, shape, weak_type=False):
    _check_shape_nonneg("full_like", shape)
    return ShapedArray(shape, dtype, weak_type)


full_like_p.abstract_eval = _full_like_abstract


def _full_like_partial_eval(trace, own, args, params):
    """Only the operand's shape and dtype matter: the result is known even when the operand
    is not (ones_like of a tangent is a constant, not a tangent)."""
    with core.set_current_trace(trace.parent):
        out = full_p.bind(shape=tuple(params["shape"]), fill_value=params["fill_value"], dtype=params["dtype"])
        if params.get("weak_type"):
            from .elementwise import convert_element_type_p
            out = convert_element_type_p.bind(out, new_dtype=params["dtype"], weak_type=True)
        return out


full_like_p.partial_eval = _full_like_partial_eval
full_like_p.partial_eval_unknown = True
# weak_type=True (passed only then): a full_like of a weak value keeping its dtype is weak, as JAX
full_like_p.weak_type_rule = lambda weaks, weak_type=False, **_: weak_type
full_like_p.batch = _full_like_batch
full_like_p.jvp = _full_like_jvp
full_like_p.transpose = lambda ct, x, **params: [Zero(x.aval) if is_undefined(x) else None]  # output ignores x's values


# Eager mode runs these shape rules before the torch impl: torch would clamp slice bounds,
# accept partial permutations or negative sizes with its own (or no) message.
for _p in (slice_p, dynamic_slice_p, dynamic_update_slice_p, transpose_p, rev_p, iota_p, full_p,
           full_like_p, pad_p):
    _p.eager_check = True
