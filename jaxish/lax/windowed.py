"""lax.reduce_window and lax.reduce (any binary `computation`, pytrees of operands), plus
reduce_and/or/xor and reciprocal: compositions of existing primitives, so grad, vmap and jit
(each backend) come from the primitives' own rules and the scheduler fuses the folds.

reduce_window pads the operand with the init value (interior padding gives base_dilation) and
folds `computation` over the window's strided slices; a recognised monoid whose init is its
identity is folded one axis at a time (sum(window) slices, not prod), others fold every window
offset once, masking padding out so the init value enters each window exactly once (XLA's
result). Max/min pooling folds with `select(acc >= x, acc, x)`, so a window's derivative goes
to the first of its tied maxima, as JAX's select_and_scatter_add does."""
import builtins
import itertools

import numpy as np

from .. import dtypes
from ..interpreters import core
from ..ir.avals import ShapedArray
from ..tree_util import tree_flatten, tree_unflatten
from . import _api as A
from . import reductions as R

__all__ = ["reduce_window", "reduce_window_shape_tuple", "reduce", "reduce_and", "reduce_or",
           "reduce_xor", "reciprocal"]


def _aval(x):
    return core.get_aval(x)


def _is_concrete(x):
    return not isinstance(x, core.Tracer)


# ---- monoids ----------------------------------------------------------------------------------
def _is_intlike(dtype):
    return dtype == np.bool_ or dtypes.is_int(dtype)


def _max_identity(dtype):
    if dtypes.is_inexact(dtype):
        return np.array(-np.inf).astype(dtype)
    if dtype == np.bool_:
        return np.array(False)
    return np.array(np.iinfo(dtype).min, dtype)


def _min_identity(dtype):
    if dtypes.is_inexact(dtype):
        return np.array(np.inf).astype(dtype)
    if dtype == np.bool_:
        return np.array(True)
    return np.array(np.iinfo(dtype).max, dtype)


def _monoid_table():
    """{computation: (name, accepts(init dtype))} for lax's ops and jnp's equivalents."""
    from .. import numpy as jnp
    every = lambda d: True  # noqa: E731
    ops = {
        "add": ((A.add, jnp.add), every), "mul": ((A.mul, jnp.multiply), every),
        "max": ((A.max, jnp.maximum), every), "min": ((A.min, jnp.minimum), every),
        "and": ((A.bitwise_and, jnp.bitwise_and), _is_intlike),
        "or": ((A.bitwise_or, jnp.bitwise_or), _is_intlike),
        "xor": ((A.bitwise_xor, jnp.bitwise_xor), _is_intlike),
    }
    return {f: (name, ok) for name, (fs, ok) in ops.items() for f in fs}


_MONOIDS = None


def _monoid(computation, operands, inits):
    """The monoid's name when `computation` is a recognised op and the (concrete, scalar) init
    is its identity; else None. As in JAX the identity is taken in the init's own dtype (so
    -inf starts a max over any float type, while a Python 0 is not uint8's max identity)."""
    global _MONOIDS
    if _MONOIDS is None:
        _MONOIDS = _monoid_table()
    if len(operands) != 1:
        return None
    try:
        entry = _MONOIDS.get(computation)
    except TypeError:  # unhashable callable
        return None
    init = inits[0]
    if entry is None or not _is_concrete(init) or _aval(init).shape != ():
        return None
    name, accepts = entry
    dtype = np.dtype(_aval(init).dtype)
    if not accepts(dtype):
        return None
    try:
        val = np.asarray(init)
        return name if bool(np.equal(val, _MONOID_IDENTITY[name](dtype))) else None
    except (TypeError, ValueError):
        return None


_MONOID_IDENTITY = {
    "add": lambda d: np.array(0).astype(d), "mul": lambda d: np.array(1).astype(d), "max": _max_identity,
    "min": _min_identity, "and": lambda d: np.array(-1).astype(d), "or": lambda d: np.array(0).astype(d),
    "xor": lambda d: np.array(0).astype(d)}

_COMBINE = {"add": A.add, "mul": A.mul, "max": A.max, "min": A.min, "and": A.bitwise_and,
            "or": A.bitwise_or, "xor": A.bitwise_xor}


def _chooser(name, dtype):
    """max/min as select(acc >= x, acc, x): the first of tied extremes wins (and carries the
    derivative); NaN still propagates. Other monoids (and bool/complex extremes): the op."""
    op = _COMBINE[name]
    if name not in ("max", "min") or dtype == np.bool_ or dtypes.is_complex(dtype):
        return op
    keep = A.ge if name == "max" else A.le
    floating = dtypes.is_float(dtype)

    def choose(acc, x):
        pred = keep(acc, x)
        if floating:
            pred = A.bitwise_or(pred, A.ne(acc, acc))
        return A.select(pred, acc, x)
    return choose


# ---- argument checks --------------------------------------------------------------------------
def _as_array(x):
    """Python and numpy scalars/arrays as jaxish arrays (weak types kept); tracers and arrays as is."""
    if isinstance(x, core.Tracer) or hasattr(x, "_t"):
        return x
    from ..numpy import asarray
    return asarray(x)


def _flatten_pair(fname, operands, init_values):
    flat_ops, op_tree = tree_flatten(operands)
    flat_inits, init_tree = tree_flatten(init_values)
    if op_tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: {op_tree} vs. {init_tree}")
    if len(flat_ops) != len(flat_inits):
        raise ValueError(f"Must have same total number of operands as init_values: "
                         f"{len(flat_ops)} vs. {len(flat_inits)}")
    if not flat_ops:
        raise ValueError(f"{fname} must have at least one operand.")
    return flat_ops, flat_inits, op_tree


def _check_shapelike(fname, arg, obj, positive):
    if not isinstance(obj, (tuple, list, np.ndarray)):
        raise TypeError(f"{fname} {arg} must be of type tuple/list/ndarray, got {type(obj)}.")
    vals = list(obj)
    for v in vals:
        if isinstance(v, core.Tracer) or not isinstance(v, (int, np.integer)) or isinstance(v, bool):
            raise TypeError(f"{fname} {arg} must have every element be an integer type, "
                            f"got {tuple(type(v) for v in vals)}.")
    if not all(v >= (1 if positive else 0) for v in vals):
        bound = "strictly positive" if positive else "nonnegative"
        raise TypeError(f"{fname} {arg} must have every element be {bound}, got {tuple(obj)}.")
    return tuple(builtins.int(v) for v in vals)


def _dilate(shape, dilation):
    return tuple(0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation))


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    """The output shape of reduce_window for explicit (lo, hi) padding."""
    if base_dilation is not None:
        operand_shape = _dilate(operand_shape, base_dilation)
    if window_dilation is not None:
        window_dimensions = _dilate(window_dimensions, window_dilation)
    padded = tuple(d + lo + hi for d, (lo, hi) in zip(operand_shape, padding))
    return tuple(builtins.max(0, (d - w) // s + 1) for d, w, s in zip(padded, window_dimensions, window_strides))


def _pads(padding, shape, window, strides):
    if isinstance(padding, str):
        mode = padding.upper()
        if mode not in ("VALID", "SAME", "SAME_LOWER"):
            raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', "
                               f"got {padding}.")
        from .conv import padtype_to_pads
        return tuple(tuple(p) for p in padtype_to_pads(shape, window, strides, mode))
    try:
        pads = tuple((builtins.int(lo), builtins.int(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise TypeError(f"reduce_window padding must be 'VALID', 'SAME', 'SAME_LOWER' or a sequence of "
                        f"(low, high) integer pairs, got {padding!r}") from None
    if len(pads) != len(shape):
        raise ValueError(f"reduce_window got {len(pads)} padding pairs {pads} for an operand of rank "
                         f"{len(shape)} (shape {shape})")
    return pads


def _init_array(init, dtype):
    """The init value as a 0-d array of the operand's dtype (under jit, possibly a tracer)."""
    if _aval(init).dtype == dtype and not _aval(init).weak_type:
        return init
    return A.convert_element_type(init, dtype)


def _call_comp(fname, computation, tree, xs, ys, avals):
    """computation(xs, ys) on the operand tree; flat results checked against the operands'."""
    out = computation(tree_unflatten(tree, list(xs)), tree_unflatten(tree, list(ys)))
    flat, out_tree = tree_flatten(out)
    if out_tree != tree:
        raise ValueError(f"{fname} output must have the same tree structure as the operands {tree} vs. {out_tree}")
    for o, a in zip(flat, avals):
        oa = _aval(o)
        if oa.dtype != a.dtype or oa.shape != a.shape:
            raise ValueError(f"{fname} computation must return {a.dtype.name}{list(a.shape)} values like its "
                             f"inputs, got {oa.dtype.name}{list(oa.shape)}")
    return flat


# ---- reduce_window ----------------------------------------------------------------------------
def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduce `computation` over (padded, dilated) windows of `operand` (an array or a pytree of
    same-shape arrays, with a matching tree of scalar init values)."""
    flat_ops, flat_inits, tree = _flatten_pair("reduce_window", operand, init_value)
    flat_ops = [_as_array(x) for x in flat_ops]
    avals = [_aval(x) for x in flat_ops]
    shape = avals[0].shape
    nd = len(shape)
    wd = _check_shapelike("reduce_window", "window_dimensions", window_dimensions, True)
    ws = (1,) * len(wd) if window_strides is None else \
        _check_shapelike("reduce_window", "window_strides", window_strides, True)
    bd = (1,) * len(wd) if base_dilation is None else \
        _check_shapelike("reduce_window", "base_dilation", base_dilation, False)
    wdl = (1,) * len(wd) if window_dilation is None else \
        _check_shapelike("reduce_window", "window_dilation", window_dilation, False)
    if nd != len(wd):
        raise TypeError(f"reduce_window got the wrong number of window_dimensions for operand: got operand "
                        f"shape {shape} with window_dimensions {wd}.")
    for name, v in (("window_strides", ws), ("base_dilation", bd), ("window_dilation", wdl)):
        if len(v) != len(wd):
            raise TypeError(f"reduce_window got inconsistent {name} and window_dimensions: got {name} {v} "
                            f"and window_dimensions {wd}.")
    if not all(d >= 1 for d in bd + wdl):
        raise TypeError(f"All dilations must be positive, got {bd if not all(d >= 1 for d in bd) else wdl}.")
    for a in avals[1:]:
        if a.shape != shape:
            raise ValueError(f"reduce_window operands must all have the same shape, got "
                             f"{', '.join(str(b.shape) for b in avals)}")
    if any(_aval(i).ndim != 0 for i in flat_inits):
        raise TypeError(f"reduce_window expected init_values to be scalars but init_values have shapes "
                        f"{[_aval(i).shape for i in flat_inits]}.")
    pads = _pads(padding, shape, _dilate(wd, wdl), ws)
    monoid = _monoid(computation, flat_ops, flat_inits)
    # like JAX, only lax.add/max/min with their identity skip the operand/init dtype check
    lax_monoid = monoid in ("add", "max", "min") and computation in (A.add, A.max, A.min)
    if not lax_monoid and any(_aval(i).dtype != a.dtype for i, a in zip(flat_inits, avals)):
        raise TypeError(f"reduce_window got inconsistent dtypes for operands and init_values: got operand "
                        f"dtypes {[a.dtype.name for a in avals]} and init_value dtypes "
                        f"{[_aval(i).dtype.name for i in flat_inits]}.")
    if monoid is not None:  # padding takes the identity in the operand's dtype, as JAX's monoid path
        flat_inits = [_MONOID_IDENTITY[monoid](np.dtype(avals[0].dtype))]
    inits = [_init_array(i, a.dtype) for i, a in zip(flat_inits, avals)]
    out_shape = reduce_window_shape_tuple(shape, wd, ws, pads, bd, wdl)
    if any(d == 0 for d in out_shape):
        outs = [A.full(out_shape, i, a.dtype) for i, a in zip(inits, avals)]
    elif monoid is not None:
        outs = [_fold_separable(flat_ops[0], inits[0], _chooser(monoid, np.dtype(avals[0].dtype)),
                                wd, ws, pads, bd, wdl, out_shape)]
    else:
        outs = _fold_masked(flat_ops, inits, computation, tree, avals, wd, ws, pads, bd, wdl, out_shape)
    return tree_unflatten(tree, outs)


def _pad_operand(x, init, pads, bd):
    config = [(lo, hi, b - 1) for (lo, hi), b in zip(pads, bd)]
    if all(c == (0, 0, 0) for c in config):
        return x
    return A.pad(x, init, config)


def _window_slice(x, axis_offsets, ws, out_shape):
    """The strided slice meeting window offset `axis_offsets` (already times window dilation)."""
    start = list(axis_offsets)
    limit = [o + (n - 1) * s + 1 for o, n, s in zip(start, out_shape, ws)]
    if start == [0] * len(start) and limit == list(_aval(x).shape) and all(s == 1 for s in ws):
        return x
    return A.slice(x, start, limit, None if all(s == 1 for s in ws) else ws)


def _fold_separable(x, init, combine, wd, ws, pads, bd, wdl, out_shape):
    """Monoid with identity init: pad with the identity, then a 1-D windowed fold per axis, last
    axis first (so a tie goes to the row-major first element of the window)."""
    x = _pad_operand(x, init, pads, bd)
    for axis in reversed(range(len(wd))):
        if wd[axis] == 1 and ws[axis] == 1 and _aval(x).shape[axis] == out_shape[axis]:
            continue
        shape = list(_aval(x).shape)
        shape[axis] = out_shape[axis]
        strides = [1] * len(wd)
        strides[axis] = ws[axis]
        acc = None
        for k in range(wd[axis]):
            offs = [0] * len(wd)
            offs[axis] = k * wdl[axis]
            piece = _window_slice(x, offs, strides, shape)
            acc = piece if acc is None else combine(acc, piece)
        x = acc
    return x


def _valid_mask(offsets, ws, pads, bd, in_shape, out_shape):
    """Bool mask (numpy, out_shape) of the outputs whose window element at `offsets` is a real
    operand element (not padding, not a base-dilation hole); None when all are."""
    per_axis = []
    for o, s, (lo, _), b, n, m in zip(offsets, ws, pads, bd, in_shape, out_shape):
        q = o + s * np.arange(m) - lo
        per_axis.append((q >= 0) & (q <= (n - 1) * b) & (q % b == 0))
    if all(v.all() for v in per_axis):
        return None
    mask = np.ones(out_shape, bool)
    for axis, v in enumerate(per_axis):
        mask &= v.reshape([-1 if i == axis else 1 for i in range(len(out_shape))])
    return mask


def _fold_masked(xs, inits, computation, tree, avals, wd, ws, pads, bd, wdl, out_shape):
    """Any computation: acc = init, then acc = computation(acc, slice) for every window offset in
    row-major order, keeping acc where that offset falls on padding."""
    from ..numpy import asarray
    padded = [_pad_operand(x, i, pads, bd) for x, i in zip(xs, inits)]
    out_avals = [ShapedArray(tuple(out_shape), a.dtype) for a in avals]
    acc = [A.full(out_shape, i, a.dtype) for i, a in zip(inits, avals)]
    for k in itertools.product(*[range(w) for w in wd]):
        offs = [ki * d for ki, d in zip(k, wdl)]
        mask = _valid_mask(offs, ws, pads, bd, avals[0].shape, out_shape)
        if mask is not None and not mask.any():
            continue
        pieces = [_window_slice(p, offs, ws, out_shape) for p in padded]
        new = _call_comp("reduce_window", computation, tree, acc, pieces, out_avals)
        if mask is None:
            acc = new
        else:
            m = asarray(mask)
            acc = [A.select(m, n, a) for n, a in zip(new, acc)]
    return acc


# ---- reduce -----------------------------------------------------------------------------------
_MONOID_REDUCERS = {"add": R.reduce_sum_p, "mul": R.reduce_prod_p, "max": R.reduce_max_p,
                    "min": R.reduce_min_p, "and": R.reduce_and_p, "or": R.reduce_or_p}


def _check_dims(fname, dims, aval, error=ValueError):
    try:
        dims = tuple(builtins.int(d) for d in dims)
    except TypeError:
        raise TypeError(f"{fname} dimensions must be a sequence of integers, got {dims!r}") from None
    bad = [d for d in dims if not 0 <= d < aval.ndim]
    if bad:
        err = IndexError if error is IndexError and all(d >= 0 for d in bad) else ValueError
        raise err(f"{fname}: reduction axes {dims} contains out-of-bounds indices for "
                  f"{aval.dtype.name}{list(aval.shape)}.")
    if len(set(dims)) != len(dims):
        raise ValueError(f"{fname}: duplicate value in 'axes' of reduction: {dims}")
    return dims


def reduce(operands, init_values, computation, dimensions):
    """Reduce `dimensions` of `operands` (an array or pytree of same-shape arrays) with the
    binary `computation`, starting from `init_values` (scalars, same tree)."""
    flat_ops, flat_inits, tree = _flatten_pair("reduce", operands, init_values)
    flat_ops = [_as_array(x) for x in flat_ops]
    avals = [_aval(x) for x in flat_ops]
    dims = _check_dims("reduce", dimensions, avals[0])
    for a in avals[1:]:
        if a.shape != avals[0].shape:
            raise ValueError(f"reduce operands must all have the same shape, got "
                             f"{', '.join(str(b.shape) for b in avals)}")
    if any(_aval(i).ndim != 0 for i in flat_inits):
        raise ValueError(f"reduce found non-scalar initial value: {[_aval(i).shape for i in flat_inits]}")
    monoid = _monoid(computation, flat_ops, flat_inits)
    if monoid is not None:
        x, init = flat_ops[0], flat_inits[0]
        if monoid == "xor":
            out = _tree_reduce([x], [init], _xor_pairs, dims, avals, apply_init=False)[0]
        elif monoid in ("and", "or"):
            out = _logical(_MONOID_REDUCERS[monoid], -1 if monoid == "and" else 0, "reduce", x, dims)
        else:
            out = _MONOID_REDUCERS[monoid].bind(x, axes=dims) if dims else x
        if _aval(out).weak_type and not _aval(init).weak_type:
            out = A.convert_element_type(out, _aval(out).dtype)
        return tree_unflatten(tree, [out])
    if any(_aval(i).dtype != a.dtype for i, a in zip(flat_inits, avals)):
        raise TypeError(f"reduce operand dtypes should match corresponding initial value dtypes, got "
                        f"operands={[str(a) for a in avals]} and initial_values="
                        f"{[str(_aval(i)) for i in flat_inits]}")
    inits = [_init_array(i, a.dtype) for i, a in zip(flat_inits, avals)]

    def combine(xs, ys):
        out_avals = [ShapedArray(tuple(_aval(v).shape), a.dtype) for v, a in zip(xs, avals)]
        return _call_comp("reduce", computation, tree, xs, ys, out_avals)
    return tree_unflatten(tree, _tree_reduce(flat_ops, inits, combine, dims, avals))


def _xor_pairs(xs, ys):
    return [A.bitwise_xor(xs[0], ys[0])]


def _tree_reduce(xs, inits, combine, dims, avals, apply_init=True):
    """Move `dims` last and flatten them to one axis of length n, then combine adjacent pairs
    (an odd last element carried over) until one is left; finally combine the init in once.
    `combine(xs, ys)` takes and returns lists of arrays (one per operand)."""
    shape = avals[0].shape
    kept = [i for i in range(len(shape)) if i not in dims]
    kept_shape = [shape[i] for i in kept]
    n = builtins.int(np.prod([shape[d] for d in dims])) if dims else 1

    if n == 0:
        return [A.full(kept_shape, i, a.dtype) for i, a in zip(inits, avals)]
    if dims:
        xs = [A.reshape(A.transpose(x, kept + list(dims)), kept_shape + [n]) for x in xs]
        last = len(kept)
        while n > 1:
            half = n // 2
            lo, hi = [0] * (last + 1), kept_shape + [2 * half]
            strides = [1] * last + [2]
            evens = [A.slice(x, lo, hi, strides) for x in xs]
            odds = [A.slice(x, lo[:-1] + [1], hi, strides) for x in xs]
            pairs = combine(evens, odds)
            if n % 2:
                rest = [A.slice(x, lo[:-1] + [n - 1], kept_shape + [n], None) for x in xs]
                pairs = [A.concatenate([p, r], last) for p, r in zip(pairs, rest)]
            xs, n = pairs, half + n % 2
        xs = [A.reshape(x, kept_shape) for x in xs]
    if not apply_init:
        return xs
    return combine([A.full(kept_shape, i, a.dtype) for i, a in zip(inits, avals)], xs)


# ---- logical reductions and reciprocal -------------------------------------------------------
def _check_logical(fname, operand, axes):
    aval = _aval(operand)
    if not _is_intlike(np.dtype(aval.dtype)):
        raise TypeError(f"logical reduction requires operand dtype bool or int, got {aval.dtype.name}.")
    return _check_dims(fname, axes, aval, error=IndexError)


def _logical(prim, identity, fname, operand, axes):
    axes = _check_logical(fname, operand, axes)
    if not axes:
        return operand
    aval = _aval(operand)
    if any(aval.shape[a] == 0 for a in axes):  # an empty reduction is the identity
        kept = [d for i, d in enumerate(aval.shape) if i not in axes]
        return A.full(kept, np.array(identity).astype(np.dtype(aval.dtype)), aval.dtype)
    return prim.bind(operand, axes=axes)


def reduce_and(operand, axes):
    """Bitwise (logical, for bool) AND over `axes`."""
    return _logical(R.reduce_and_p, -1, "reduce_and", operand, axes)


def reduce_or(operand, axes):
    """Bitwise (logical, for bool) OR over `axes`."""
    return _logical(R.reduce_or_p, 0, "reduce_or", operand, axes)


def reduce_xor(operand, axes):
    """Bitwise (logical, for bool) XOR over `axes`, as a pairwise tree of bitwise_xor."""
    axes = _check_logical("reduce_xor", operand, axes)
    if not axes:
        return operand
    aval = _aval(operand)
    zero = np.array(0, np.dtype(aval.dtype))
    return _tree_reduce([operand], [zero], _xor_pairs, axes, [aval], apply_init=False)[0]


def reciprocal(x):
    """1 / x, as integer_pow(x, -1) (integers raise TypeError, as in JAX)."""
    x = _as_array(x)
    aval = _aval(x)
    if _is_intlike(np.dtype(aval.dtype)):
        raise TypeError(f"Integers cannot be raised to negative powers, got "
                        f"integer_pow({aval.dtype.name}{list(aval.shape)}, -1)")
    return A.integer_pow(x, -1)
