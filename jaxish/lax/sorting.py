"""sort (multi-operand, lexicographic over the first `num_keys` operands) and top_k: extern
torch calls in every backend, with jvp (permute the tangents like the primals), transpose (via
the gather the jvp emits) and batching rules."""
import builtins

import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero
from ..interpreters.batching import bdim_to_front, moveaxis

__all__ = ["sort", "sort_key_val", "top_k"]


def _aval(x):
    return core.get_aval(x)


def _index_dtype(n):
    return dtypes.int32 if n < 2 ** 31 else dtypes.canonicalize(np.dtype(np.int64))


# ---- sort -------------------------------------------------------------------------------------
sort_p = Primitive("sort", multiple_results=True)
sort_p.extern = "sort"


def _key_parts(t):
    """Tensors whose successive stable sorts give JAX's key order (complex: real, then imag)."""
    if t.is_complex():
        return [t.real, t.imag]
    if t.dtype == torch.bool:
        return [t.to(torch.uint8)]
    return [t]


def _sort_impl(*operands, dimension, is_stable, num_keys):
    ops = list(operands)
    parts = [p for k in range(num_keys) for p in _key_parts(ops[k])]
    if len(ops) == 1 and len(parts) == 1 and ops[0].dtype != torch.bool:
        return [torch.sort(ops[0], dim=dimension, stable=True).values]
    perm = None
    # least significant key first; stable sorts keep the earlier keys' order on ties
    for part in reversed(parts):
        cur = part if perm is None else torch.take_along_dim(part, perm, dimension)
        p = torch.sort(cur, dim=dimension, stable=True).indices
        perm = p if perm is None else torch.take_along_dim(perm, p, dimension)
    return [torch.take_along_dim(o, perm, dimension) for o in ops]


def _sort_abstract(*operands, dimension, is_stable, num_keys):
    if not operands:
        raise TypeError("sort requires at least one operand")
    shape = operands[0].shape
    for o in operands[1:]:
        if o.shape != shape:
            raise TypeError(f"sort arguments must all have the same shape, got "
                            f"{', '.join(str(x.shape) for x in operands)}")
    nd = len(shape)
    if not 0 <= dimension < builtins.max(nd, 1) or nd == 0:
        raise ValueError(f"sort dimension {dimension} is out of bounds for operand of shape {shape}")
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"sort num_keys must be in [1, {len(operands)}], got {num_keys}")
    return [ShapedArray(o.shape, o.dtype, o.weak_type) for o in operands]


def _sort_jvp(primals, tangents, dimension, is_stable, num_keys):
    shape = _aval(primals[0]).shape
    from .shape import iota_p
    iota = iota_p.bind(dtype=_index_dtype(shape[dimension]), shape=shape, dimension=dimension)
    outs = sort_p.bind(*primals, iota, dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    perm = outs[-1]
    from .indexing import take_along_axis
    t_out = [t if type(t) is Zero else take_along_axis(t, perm, dimension) for t in tangents]
    return outs[:-1], t_out


def _sort_batch(vals, dims, dimension, is_stable, num_keys):
    size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
    vals = [bdim_to_front(v, d, size) for v, d in zip(vals, dims)]
    outs = sort_p.bind(*vals, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return outs, [0] * len(outs)


sort_p.impl = _sort_impl
sort_p.abstract_eval = _sort_abstract
sort_p.jvp = _sort_jvp
sort_p.batch = _sort_batch


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """lax.sort: one array, or a sequence sorted together by its first `num_keys` arrays."""
    single = not isinstance(operand, (tuple, list))
    ops = [operand] if single else list(operand)
    nd = _aval(ops[0]).ndim
    if nd == 0:
        raise ValueError("sort requires at least a 1-D operand")
    dimension = int(dimension)
    if not -nd <= dimension < nd:
        raise ValueError(f"sort: dimension {dimension} is out of bounds for an operand of rank {nd}")
    params = dict(dimension=dimension % nd, is_stable=bool(is_stable), num_keys=int(num_keys))
    _sort_abstract(*[_aval(o) for o in ops], **params)  # JAX's errors before any kernel runs
    outs = sort_p.bind(*ops, **params)
    return outs[0] if single else type(operand)(outs) if isinstance(operand, tuple) else list(outs)


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    k, v = sort((keys, values), dimension=dimension, is_stable=is_stable, num_keys=1)
    return k, v


# ---- top_k ------------------------------------------------------------------------------------
top_k_p = Primitive("top_k", multiple_results=True)
top_k_p.extern = "top_k"


def _top_k_impl(x, k):
    if x.is_complex():
        raise TypeError("top_k does not support complex operands")
    key = x.to(torch.uint8) if x.dtype == torch.bool else x
    # stable descending sort: on ties the lower index comes first, NaN counts as largest
    idx = torch.sort(key, dim=-1, descending=True, stable=True).indices[..., :k]
    return [torch.take_along_dim(x, idx, -1), idx.to(torch.int32)]


def _top_k_abstract(x, k):
    if x.ndim == 0:
        raise TypeError("top_k operand must have >= 1 dimension, got shape ()")
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if x.shape[-1] < k:
        raise TypeError(f"k argument to top_k must be no larger than minor dimension; {k} vs {x.shape}")
    if dtypes.is_complex(x.dtype):
        raise TypeError(f"top_k does not accept dtype {x.dtype}")
    shape = x.shape[:-1] + (k,)
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, dtypes.int32, False)]


def _top_k_jvp(primals, tangents, k):
    (x,), (t,) = primals, tangents
    vals, idx = top_k_p.bind(x, k=k)
    if type(t) is Zero:
        return [vals, idx], [Zero(_aval(vals)), Zero(_aval(idx))]
    from .indexing import take_along_axis
    return [vals, idx], [take_along_axis(t, idx, _aval(x).ndim - 1), Zero(_aval(idx))]


def _top_k_batch(vals, dims, k):
    (x,), (d,) = vals, dims
    nd = _aval(x).ndim
    if d == nd - 1:
        x, d = moveaxis(x, d, 0), 0
    outs = top_k_p.bind(x, k=k)
    return outs, [d, d]


top_k_p.impl = _top_k_impl
top_k_p.abstract_eval = _top_k_abstract
top_k_p.jvp = _top_k_jvp
top_k_p.batch = _top_k_batch
top_k_p.weak_type_rule = lambda weaks, **_: False


def top_k(operand, k):
    """The k largest entries along the last axis (sorted descending) and their int32 indices."""
    k = int(k)
    _top_k_abstract(_aval(operand), k)
    outs = top_k_p.bind(operand, k=k)
    return outs[0], outs[1]
