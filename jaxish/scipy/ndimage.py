"""jax.scipy.ndimage: map_coordinates (nearest and linear interpolation) on jaxish.numpy."""
import functools
import itertools
import operator

import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core

__all__ = ["map_coordinates"]


def _mirror(index, size):
    # a triangular wave of half-period size - 1: ... 2 1 0 1 2 ... size-1 size-2 ...
    s = size - 1
    return jnp.abs((index + s) % (2 * s) - s)


def _reflect(index, size):
    # the mirror wave over the half-integer grid: ... 1 0 0 1 ... size-1 size-1 ...
    return jnp.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_FIXERS = {
    "constant": lambda index, size: index,
    "nearest": lambda index, size: jnp.clip(index, 0, size - 1),
    "wrap": lambda index, size: index % size,
    "mirror": _mirror,
    "reflect": _reflect,
}


def _round(x):
    """Round half away from zero (JAX's lax.round default); integers unchanged."""
    if dtypes.issubdtype(core.get_aval(x).dtype, np.integer):
        return x
    return lax.round(x)


def _nearest(coordinate):
    return [(_round(coordinate).astype(np.int32), None)]


def _linear(coordinate):
    lower = jnp.floor(coordinate)
    upper_w = coordinate - lower
    index = lower.astype(np.int32)
    return [(index, 1 - upper_w), (index + 1, upper_w)]


def map_coordinates(input, coordinates, order, mode="constant", cval=0.0):
    """Values of `input` at fractional `coordinates` (a length-input.ndim sequence of same-shape
    arrays), by nearest (order=0) or linear (order=1) interpolation. Modes 'constant' (cval
    outside; SciPy's 'grid-constant'), 'nearest', 'wrap' (SciPy's 'grid-wrap'), 'mirror',
    'reflect'. Integer inputs are rounded half away from zero; the result has input's dtype."""
    x = jnp.asarray(input)
    coords = [jnp.asarray(c) for c in coordinates]
    xd = core.get_aval(x).dtype
    cval = jnp.asarray(cval, xd)
    if len(coords) != x.ndim:
        raise ValueError("coordinates must be a sequence of length input.ndim, but "
                         f"{len(coords)} != {x.ndim}")
    fixer = _FIXERS.get(mode)
    if fixer is None:
        raise NotImplementedError(
            f"jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. "
            f"Currently supported modes are {set(_FIXERS)}.")
    if order == 0:
        nodes_of = _nearest
    elif order == 1:
        nodes_of = _linear
    else:
        raise NotImplementedError("jax.scipy.ndimage.map_coordinates currently requires order<=1")

    per_axis = []
    for c, size in zip(coords, x.shape):
        items = []
        for index, weight in nodes_of(c):
            valid = ((index >= 0) & (index < size)) if mode == "constant" else None
            items.append((fixer(index, size), valid, weight))
        per_axis.append(items)

    total = None
    for combo in itertools.product(*per_axis):
        idx = tuple(i for i, _, _ in combo)
        valids = [v for _, v, _ in combo if v is not None]
        weights = [w for _, _, w in combo if w is not None]
        val = x[idx]
        if valids:
            val = jnp.where(functools.reduce(operator.and_, valids), val, cval)
        if weights:
            val = functools.reduce(operator.mul, weights) * val
        total = val if total is None else total + val
    if dtypes.issubdtype(xd, np.integer):
        total = _round(total)
    return total.astype(xd)
