"""jnp shape manipulation: reshape, transpose, moveaxis, squeeze, expand_dims, broadcast_to,
concatenate, stack, split and friends."""
import builtins
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ._core import _array as _arr, promote_args


def _shape_of(name, a):
    if isinstance(a, (list, tuple)):   # numpy's reading, with JAX's deprecation warning
        import warnings
        warnings.warn(f"{name} requires ndarray or scalar arguments, got {type(a)} at position 0. In a "
                      "future JAX release this will be an error.", DeprecationWarning, stacklevel=3)
        return np.shape(a)
    return core.get_aval(_arr(a)).shape


def shape(a):
    return _shape_of("shape", a)


def ndim(a):
    return len(_shape_of("ndim", a))


def size(a, axis=None):
    s = _shape_of("size", a)
    if axis is None:
        return int(np.prod(s))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    return int(np.prod([s[int(i)] for i in axes]))


def reshape(a, shape=None, order="C", *, newshape=None):
    a = _arr(a)
    if shape is None:
        shape = newshape
    if order == "F":   # reverse the axes, reshape to the reversed shape, reverse back (as JAX)
        nd = core.get_aval(a).ndim
        r = reshape(lax.transpose(a, tuple(range(nd))[::-1]), _reversed(shape))
        return lax.transpose(r, tuple(range(core.get_aval(r).ndim))[::-1])
    if order != "C":
        raise NotImplementedError(f"jnp.reshape only supports order='C' and order='F', got {order!r}")
    av = core.get_aval(a)
    if isinstance(shape, (int, np.integer)) or (hasattr(shape, "__index__") and not isinstance(shape, (tuple, list))):
        shape = (operator.index(shape),)
    try:
        shape = [operator.index(d) for d in shape]
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape!r}.") from None
    if shape.count(-1) > 1:
        raise TypeError(f"can only specify one unknown axis size with a `-1` value, got {tuple(shape)}")
    if -1 in shape:
        known = int(np.prod([d for d in shape if d != -1]))
        if known == 0 or av.size % known:
            raise TypeError(f"cannot reshape array of shape {av.shape} (size {av.size}) into shape {tuple(shape)}")
        shape[shape.index(-1)] = av.size // known
    if int(np.prod(shape, dtype=np.int64)) != av.size:
        raise TypeError(f"cannot reshape array of shape {av.shape} (size {av.size}) into shape "
                        f"{tuple(shape)} (size {int(np.prod(shape, dtype=np.int64))})")
    return lax.reshape(a, shape)


def _reversed(shape):
    return shape if isinstance(shape, (int, np.integer)) else tuple(shape)[::-1]


def ravel(a, order="C"):
    a = _arr(a)
    if order == "K":
        raise NotImplementedError("Ravel not implemented for order='K'.")
    if order == "F":
        a = lax.transpose(a, tuple(range(core.get_aval(a).ndim))[::-1])
    elif order not in ("C", "A"):
        raise ValueError(f"ravel: order must be one of 'C', 'F', 'A', 'K', got {order!r}")
    return lax.reshape(a, (core.get_aval(a).size,))


def _norm_axis(axis, ndim, name="axis"):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name} {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def transpose(a, axes=None):
    a = _arr(a)
    nd = core.get_aval(a).ndim
    if axes is None:
        axes = tuple(range(nd - 1, -1, -1))
    axes = tuple(_norm_axis(ax, nd) for ax in axes)
    if sorted(axes) != list(range(nd)):
        raise TypeError(f"transpose permutation isn't a permutation of operand dimensions, got permutation "
                        f"{axes} for operand shape {core.get_aval(a).shape}.")
    return lax.transpose(a, axes)


permute_dims = transpose


def matrix_transpose(x):
    return swapaxes(x, -1, -2)


def moveaxis(a, source, destination):
    a = _arr(a)
    nd = core.get_aval(a).ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError("Inconsistent number of elements in source and destination")
    src = [_norm_axis(s, nd, "source") for s in src]
    dst = [_norm_axis(d, nd, "destination") for d in dst]
    perm = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(a, perm)


def swapaxes(a, axis1, axis2):
    a = _arr(a)
    nd = core.get_aval(a).ndim
    perm = list(range(nd))
    i, j = _norm_axis(axis1, nd), _norm_axis(axis2, nd)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def rollaxis(a, axis, start=0):
    nd = ndim(a)
    axis = _norm_axis(axis, nd)
    start = start % (nd + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(a, axis, start)


def expand_dims(a, axis):
    a = _arr(a)
    av = core.get_aval(a)
    axes = [axis] if isinstance(axis, int) else list(axis)
    nd = av.ndim + len(axes)
    axes = sorted(_norm_axis(x, nd) for x in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in expand_dims: {axis}")
    shp = list(av.shape)
    for x in axes:
        shp.insert(x, 1)
    return lax.reshape(a, shp)


def squeeze(a, axis=None):
    a = _arr(a)
    av = core.get_aval(a)
    if axis is None:
        dims = [i for i, d in enumerate(av.shape) if d == 1]
    else:
        axes = [axis] if isinstance(axis, int) else list(axis)
        dims = [_norm_axis(x, av.ndim) for x in axes]
        for d in dims:
            if av.shape[d] != 1:
                raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one, "
                                 f"got shape={av.shape} and dimensions={tuple(dims)}")
    return lax.squeeze(a, dims) if dims else a


def broadcast_shapes(*shapes):
    from ..lax.elementwise import broadcast_shapes as bs
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    if not shapes:
        return ()
    try:
        return bs("broadcast_shapes", *shapes)
    except TypeError as e:
        raise ValueError(str(e).replace("got incompatible shapes for broadcasting", "Incompatible shapes for broadcasting")) from None


def broadcast_to(array, shape):
    a = _arr(array, "array")
    av = core.get_aval(a)
    shape = (shape,) if isinstance(shape, int) else tuple(operator.index(d) for d in shape)
    if av.shape == shape:
        return a
    nd = len(shape)
    if av.ndim > nd:
        raise ValueError(f"Incompatible shapes for broadcasting: {av.shape} and requested shape {shape}")
    lead = nd - av.ndim
    for i, d in enumerate(av.shape):
        if d != 1 and d != shape[lead + i]:
            raise ValueError(f"Incompatible shapes for broadcasting: {av.shape} and requested shape {shape}")
    return lax.broadcast_in_dim(a, shape, tuple(range(lead, nd)))


def broadcast_arrays(*args):
    arrs = [_arr(a) for a in args]
    shp = broadcast_shapes(*[core.get_aval(a).shape for a in arrs])
    return [broadcast_to(a, shp) for a in arrs]


def atleast_1d(*arys):
    out = [reshape(_arr(a), (1,)) if ndim(a) == 0 else _arr(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = _arr(a)
        n = ndim(a)
        out.append(reshape(a, (1, 1)) if n == 0 else (expand_dims(a, 0) if n == 1 else a))
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = _arr(a)
        n = ndim(a)
        s = shape(a)
        out.append(reshape(a, (1, 1, 1)) if n == 0 else reshape(a, (1, s[0], 1)) if n == 1 else
                   expand_dims(a, 2) if n == 2 else a)
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0, dtype=None):
    if not isinstance(arrays, (list, tuple)):
        arrays = list(arrays)
    if len(arrays) == 0:
        raise ValueError("Need at least one array to concatenate.")
    arrs = [_arr(a) for a in arrays]
    if axis is None:
        arrs = [ravel(a) for a in arrs]
        axis = 0
    nd = core.get_aval(arrs[0]).ndim
    if nd == 0:
        raise ValueError("Zero-dimensional arrays cannot be concatenated.")
    for a in arrs:
        if core.get_aval(a).ndim != nd:
            raise TypeError(f"Cannot concatenate arrays with different numbers of dimensions: got "
                            f"{', '.join(str(core.get_aval(x).shape) for x in arrs)}.")
    axis = _norm_axis(axis, nd)
    arrs = promote_args("concatenate", *arrs)
    if dtype is not None:
        arrs = [lax.convert_element_type(a, dtype) for a in arrs]
    return lax.concatenate(arrs, axis)


concat = concatenate


def stack(arrays, axis=0, out=None, dtype=None):
    arrays = list(arrays)
    if not arrays:
        raise ValueError("Need at least one array to stack.")
    arrs = [_arr(a) for a in arrays]
    shp = core.get_aval(arrs[0]).shape
    for a in arrs:
        if core.get_aval(a).shape != shp:
            raise ValueError("All input arrays must have the same shape, got "
                             f"{', '.join(str(core.get_aval(x).shape) for x in arrs)}")
    axis = _norm_axis(axis, len(shp) + 1)
    return concatenate([expand_dims(a, axis) for a in arrs], axis, dtype)


def hstack(tup, dtype=None):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, 0 if ndim(arrs[0]) == 1 else 1, dtype)


def vstack(tup, dtype=None):
    return concatenate([atleast_2d(a) for a in tup], 0, dtype)


def dstack(tup, dtype=None):
    return concatenate([atleast_3d(a) for a in tup], 2, dtype)


def column_stack(tup):
    arrs = [a if ndim(a) >= 2 else reshape(a, (-1, 1)) for a in map(_arr, tup)]
    return concatenate(arrs, 1)


def split(ary, indices_or_sections, axis=0):
    return _split("split", ary, indices_or_sections, axis, strict=True)


def array_split(ary, indices_or_sections, axis=0):
    return _split("array_split", ary, indices_or_sections, axis, strict=False)


def _split(name, ary, ios, axis, strict):
    a = _arr(ary)
    av = core.get_aval(a)
    axis = _norm_axis(axis, av.ndim)
    n = av.shape[axis]
    if isinstance(ios, (int, np.integer)):
        k = int(ios)
        if strict and n % k:
            raise ValueError("array split does not result in an equal division")
        q, r = builtins.divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        bounds = list(np.cumsum([0] + sizes))
    else:
        idx = [operator.index(i) for i in (ios.tolist() if hasattr(ios, "tolist") else ios)]
        idx = [builtins.min(builtins.max(i + n if i < 0 else i, 0), n) for i in idx]
        bounds = [0] + idx + [n]
    out = []
    for s, e in zip(bounds[:-1], bounds[1:]):
        e = builtins.max(e, s)
        out.append(lax.slice_in_dim(a, int(s), int(e), 1, axis))
    return out


def hsplit(ary, ios):
    return split(ary, ios, 1 if ndim(ary) > 1 else 0)


def vsplit(ary, ios):
    return split(ary, ios, 0)


def flip(m, axis=None):
    a = _arr(m)
    nd = core.get_aval(a).ndim
    if axis is None:
        dims = tuple(range(nd))
    else:
        axes = [axis] if isinstance(axis, int) else list(axis)
        dims = tuple(_norm_axis(x, nd) for x in axes)
    return lax.rev(a, dims) if dims else a


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)
