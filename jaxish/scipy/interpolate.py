"""jax.scipy.interpolate: RegularGridInterpolator (linear and nearest) on jaxish.numpy."""
import itertools

import numpy as np

from .. import numpy as jnp
from ..interpreters import core
from ..numpy._core import check_arraylike, _promote_to_inexact
from ..tree_util import register_pytree_node

__all__ = ["RegularGridInterpolator"]


def _coords(points, ndim):
    """Query points as a (..., ndim) array: a tuple of coordinate arrays is stacked on a new last
    axis (float, as JAX's empty(dtype=float)); a 1-d array is reshaped to (-1, ndim)."""
    if isinstance(points, tuple) and len(points) == 1:
        points = points[0]
    if isinstance(points, tuple):
        parts = jnp.broadcast_arrays(*points)
        return jnp.stack([jnp.asarray(p, dtype=float) for p in parts], axis=-1)
    check_arraylike("_ndim_coords_from_arrays", points)
    points = jnp.asarray(points)
    if points.ndim == 1:
        points = jnp.reshape(points, (-1, ndim))
    return points


class RegularGridInterpolator:
    """Interpolation on a rectilinear grid: `points` is a length-N sequence of strictly increasing
    1-d arrays, `values` has at least N dims (extra trailing dims are carried along). Query points
    outside the grid get fill_value (nan by default; None extrapolates). bounds_error=True is
    not supported (NotImplementedError, as JAX). A pytree of (grid, values, fill_value)."""

    def __init__(self, points, values, method="linear", bounds_error=False, fill_value=np.nan):
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        self.method = method
        self.bounds_error = bounds_error
        if bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        check_arraylike("RegularGridInterpolator", values)
        values = jnp.asarray(values)
        if len(points) > values.ndim:
            raise ValueError(f"there are {len(points)} point arrays, but values has {values.ndim} dimensions")
        values, = _promote_to_inexact("RegularGridInterpolator", values)
        if fill_value is not None:
            check_arraylike("RegularGridInterpolator", fill_value)
            fill_value = jnp.asarray(fill_value)
            if not np.can_cast(core.get_aval(fill_value).dtype, core.get_aval(values).dtype,
                               casting="same_kind"):
                raise ValueError("fill_value must be either 'None' or of a type compatible with values")
        self.fill_value = fill_value
        check_arraylike("RegularGridInterpolator", *points)
        self.grid = tuple(jnp.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method=None):
        method = self.method if method is None else method
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        ndim = len(self.grid)
        xi = _coords(xi, ndim)
        if xi.shape[-1] != ndim:
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[-1]}, "
                             f"but this RegularGridInterpolator has dimension {ndim}")
        xi_shape = tuple(xi.shape)
        xi = jnp.reshape(xi, (-1, xi_shape[-1]))
        indices, dists, outside = self._find_indices(xi.T)
        if method == "linear":
            result = self._linear(indices, dists)
        else:
            result = self._nearest(indices, dists)
        if self.fill_value is not None:
            bshape = result.shape[:1] + (1,) * (result.ndim - 1)
            result = jnp.where(jnp.reshape(outside, bshape), self.fill_value, result)
        return jnp.reshape(result, xi_shape[:-1] + tuple(self.values.shape[ndim:]))

    def _linear(self, indices, dists):
        trail = (slice(None),) + (None,) * (self.values.ndim - len(indices))
        out = jnp.asarray(0.0)
        for corner in itertools.product(*[(i, i + 1) for i in indices]):
            w = jnp.asarray(1.0)
            for ci, i, y in zip(corner, indices, dists):
                w = w * ((1 - y) if ci is i else y)
            out = out + self.values[corner] * w[trail]
        return out

    def _nearest(self, indices, dists):
        return self.values[tuple(jnp.where(y <= 0.5, i, i + 1) for i, y in zip(indices, dists))]

    def _find_indices(self, xi):
        indices, dists = [], []
        outside = jnp.zeros((xi.shape[1],), bool)
        for x, g in zip(xi, self.grid):
            i = jnp.searchsorted(g, x) - 1
            i = jnp.clip(i, 0, g.size - 2)
            indices.append(i)
            dists.append((x - g[i]) / (g[i + 1] - g[i]))
            outside = outside | (x < g[0]) | (x > g[-1])
        return indices, dists, outside


register_pytree_node(
    RegularGridInterpolator,
    lambda obj: ((obj.grid, obj.values, obj.fill_value), (obj.method, obj.bounds_error)),
    lambda aux, children: RegularGridInterpolator(children[0], children[1], aux[0], aux[1], children[2]),
)
