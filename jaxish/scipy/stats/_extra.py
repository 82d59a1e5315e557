"""jax.scipy.stats' non-distribution functions: rankdata, mode, sem and the gaussian_kde class.

Written on jaxish.numpy/lax so they trace under jit, vmap and (where differentiable) grad."""
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ... import dtypes
from ... import random
from ...api import vmap
from ...interpreters import core
from ...numpy._core import check_arraylike
from ...tree_util import register_pytree_node_class
from .. import linalg as _linalg
from ._common import S, jnp, promote

__all__ = ["rankdata", "mode", "ModeResult", "sem", "gaussian_kde"]

_NAN_POLICIES = ("propagate", "omit", "raise")


def _dtype(x):
    return core.get_aval(x).dtype


def _check_nan_policy(name, nan_policy):
    if nan_policy not in _NAN_POLICIES:
        raise ValueError(f"Illegal nan_policy value {nan_policy!r}; expected one of "
                         "{'propagate', 'omit', 'raise'}")
    if nan_policy == "omit":
        raise NotImplementedError(f"Logic for `nan_policy` of {nan_policy} is not implemented")
    if nan_policy == "raise":
        raise NotImplementedError(
            f"In order to best JIT compile `{name}`, we cannot know whether `x` contains nans. "
            f"Please check if nans exist in `x` outside of the `{name}` function.")


def _canon_axis(axis, ndim):
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int or None, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return int(axis) % ndim


# ---- mode ----------------------------------------------------------------------------------------
class ModeResult(NamedTuple):
    mode: object
    count: object


def mode(a, axis=0, nan_policy="propagate", keepdims=False):
    """The most common value along `axis` (the smallest on ties) and its count; axis=None
    flattens. Counts are the default int dtype; an empty reduction gives (nan, 0.0)."""
    check_arraylike("mode", a)
    x = jnp.atleast_1d(a)
    _check_nan_policy("mode", nan_policy)
    shape = tuple(x.shape)
    if axis is not None:
        axis = _canon_axis(axis, len(shape))
    if axis is None:
        out_shape = (1,) * len(shape) if keepdims else ()
        x = jnp.ravel(x)
        axis = 0
    else:
        out_shape = tuple(1 if i == axis else s for i, s in enumerate(shape)) if keepdims else \
            tuple(s for i, s in enumerate(shape) if i != axis)
    x = jnp.moveaxis(x, axis, 0)
    n = x.shape[0]
    x = jnp.reshape(x, (n, int(np.prod(x.shape[1:], dtype=int))))

    if n == 0:
        f = dtypes.default_float()
        m = x.shape[1]
        return ModeResult(jnp.reshape(jnp.full((m,), np.nan, f), out_shape),
                          jnp.reshape(jnp.zeros((m,), f), out_shape))

    def one(col):
        vals, counts = jnp.unique(col, return_counts=True, size=n)
        return vals[jnp.argmax(counts)], jnp.max(counts)

    vals, counts = vmap(one, in_axes=1)(x)
    return ModeResult(jnp.reshape(vals, out_shape), jnp.reshape(counts, out_shape))


# ---- rankdata ------------------------------------------------------------------------------------
def _rank1d(a, method, out_dtype):
    n = a.shape[0]
    sorter = jnp.argsort(a, stable=True)
    arr = a[sorter]
    inv = jnp.zeros((n,), _dtype(sorter)).at[sorter].set(jnp.arange(n, dtype=_dtype(sorter)))
    if method == "ordinal":
        ranks = (inv + 1).astype(out_dtype)
    else:
        new = jnp.concatenate([jnp.ones((1,), bool), arr[1:] != arr[:-1]])
        dense = jnp.cumsum(new)[inv]
        if method == "dense":
            ranks = dense.astype(out_dtype)
        else:
            # starts[g] = sorted index where group g (0-based) begins; starts[#groups] = n
            starts = jnp.nonzero(new, size=n + 1, fill_value=n)[0].astype(out_dtype)
            if method == "max":
                ranks = starts[dense]
            elif method == "min":
                ranks = starts[dense - 1] + 1
            else:
                ranks = 0.5 * (starts[dense] + starts[dense - 1] + 1)
    if dtypes.is_inexact(_dtype(a)):
        ranks = jnp.where(jnp.any(jnp.isnan(a)), jnp.full_like(ranks, np.nan), ranks)
    return ranks


def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """Ranks from 1 with ties by `method` ('average', 'min', 'max', 'dense', 'ordinal'), in the
    default float dtype; axis=None ranks the flattened array. A nan makes every rank (of the
    flattened array, or of its slice along `axis`) nan."""
    check_arraylike("rankdata", a)
    _check_nan_policy("rankdata", nan_policy)
    if method not in ("average", "min", "max", "dense", "ordinal"):
        raise ValueError(f"unknown method '{method}'")
    a = jnp.asarray(a)
    out_dtype = dtypes.default_float()
    if axis is None:
        a = jnp.ravel(a)
        if a.shape[0] == 0:
            return jnp.zeros((0,), out_dtype)
        return _rank1d(a, method, out_dtype)
    axis = _canon_axis(axis, a.ndim)
    x = jnp.moveaxis(a, axis, -1)
    lead, n = tuple(x.shape[:-1]), x.shape[-1]
    if n == 0 or 0 in lead:
        return jnp.zeros(a.shape, out_dtype)
    flat = jnp.reshape(x, (int(np.prod(lead, dtype=int)), n))
    out = vmap(lambda r: _rank1d(r, method, out_dtype))(flat)
    return jnp.moveaxis(jnp.reshape(out, lead + (n,)), -1, axis)


# ---- sem -----------------------------------------------------------------------------------------
def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """Standard error of the mean: std(a, ddof) / sqrt(count) along `axis` (None: all);
    nan_policy 'propagate' or 'omit' (nans left out of both the std and the count)."""
    b, = promote("sem", a)
    if nan_policy == "propagate":
        size = b.size if axis is None else b.shape[axis]
        return jnp.std(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(size).astype(_dtype(b))
    if nan_policy == "omit":
        count = jnp.sum(~jnp.isnan(b), axis, keepdims=keepdims)
        return jnp.nanstd(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(count).astype(_dtype(b))
    raise ValueError(f"{nan_policy} is not supported")


# ---- gaussian_kde --------------------------------------------------------------------------------
def _weighted_cov(x, w):
    """numpy.cov(x, rowvar=True, bias=False, aweights=w) for w summing to 1."""
    v1 = jnp.sum(w)
    v2 = jnp.sum(w * w)
    mean = jnp.sum(x * w, axis=1, keepdims=True) / v1
    xc = x - mean
    return (xc * w) @ xc.T / (v1 - v2 / v1)


def _kernel_sum(log, points, weights, xi, precision):
    """sum_j w_j N(xi; points_j, precision^-1) for each row of xi (its log when `log`)."""
    d = points.shape[1]
    if xi.shape[1] != d:
        raise ValueError("points and xi must have same trailing dim")
    if precision.shape != (d, d):
        raise ValueError("precision matrix must match data dims")
    whiten = _linalg.cholesky(precision, lower=True)
    p = points @ whiten
    q = xi @ whiten
    log_norm = jnp.sum(jnp.log(jnp.diag(whiten))) - 0.5 * d * np.log(2 * np.pi)
    sq = jnp.sum(jnp.square(q[:, None, :] - p[None, :, :]), axis=-1)       # (m, n)
    arg = log_norm - 0.5 * sq
    if log:
        return S.logsumexp(jnp.log(weights)[None, :] + arg, axis=1)
    return jnp.sum(weights[None, :] * jnp.exp(arg), axis=1)


def _convolve(chol, norm, target, weights, mean):
    diff = target - mean[:, None]
    alpha = _linalg.cho_solve(chol, diff)
    return norm * jnp.sum(jnp.exp(-0.5 * jnp.sum(diff * alpha, axis=0)) * weights)


@register_pytree_node_class
@dataclass(frozen=True, init=False, slots=True)
class gaussian_kde:
    """Gaussian kernel density estimate of `dataset` ((n,) or (d, n)); bw_method 'scott'
    (default), 'silverman', a scalar factor, or a callable of the kde; optional weights (n,).
    A pytree of (neff, dataset, weights, covariance, inv_cov), as JAX."""
    neff: object
    dataset: object
    weights: object
    covariance: object
    inv_cov: object

    def __init__(self, dataset, bw_method=None, weights=None):
        check_arraylike("gaussian_kde", dataset)
        dataset = jnp.atleast_2d(dataset)
        if dtypes.is_complex(_dtype(dataset)):
            raise NotImplementedError("gaussian_kde does not support complex data")
        if not dataset.size > 1:
            raise ValueError("`dataset` input should have multiple elements.")
        d, n = dataset.shape
        if weights is not None:
            check_arraylike("gaussian_kde", weights)
            dataset, weights = promote("gaussian_kde", dataset, weights)
            weights = jnp.atleast_1d(weights)
            weights = weights / jnp.sum(weights)
            if weights.ndim != 1:
                raise ValueError("`weights` input should be one-dimensional.")
            if len(weights) != n:
                raise ValueError("`weights` input should be of length n")
        else:
            dataset, = promote("gaussian_kde", dataset)
            weights = jnp.full((n,), 1.0 / n, dtype=_dtype(dataset))
        self._set("dataset", dataset)
        self._set("weights", weights)
        neff = self._set("neff", 1 / jnp.sum(weights ** 2))

        if bw_method is None or (isinstance(bw_method, str) and bw_method == "scott"):
            factor = jnp.power(neff, -1.0 / (d + 4))
        elif isinstance(bw_method, str) and bw_method == "silverman":
            factor = jnp.power(neff * (d + 2) / 4.0, -1.0 / (d + 4))
        elif callable(bw_method):
            factor = bw_method(self)
        elif not isinstance(bw_method, str) and jnp.isscalar(bw_method):
            factor = bw_method
        else:
            raise ValueError("`bw_method` should be 'scott', 'silverman', a scalar, or a callable.")

        cov = jnp.atleast_2d(_weighted_cov(dataset, weights))
        inv = jnp.linalg.inv(cov)
        self._set("covariance", cov * factor ** 2)
        self._set("inv_cov", inv / factor ** 2)

    def _set(self, name, value):
        object.__setattr__(self, name, value)
        return value

    def tree_flatten(self):
        return (self.neff, self.dataset, self.weights, self.covariance, self.inv_cov), None

    @classmethod
    def tree_unflatten(cls, aux_data, children):
        kde = cls.__new__(cls)
        for name, value in zip(("neff", "dataset", "weights", "covariance", "inv_cov"), children):
            kde._set(name, value)
        return kde

    @property
    def d(self):
        return self.dataset.shape[0]

    @property
    def n(self):
        return self.dataset.shape[1]

    def _reshape_points(self, points):
        if dtypes.is_complex(_dtype(jnp.asarray(points))):
            raise NotImplementedError("gaussian_kde does not support complex coordinates")
        points = jnp.atleast_2d(points)
        d, m = points.shape
        if d != self.d:
            if d == 1 and m == self.d:
                points = jnp.reshape(points, (self.d, 1))
            else:
                raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        return points

    def _eval(self, points, log, name):
        check_arraylike(name, points)
        points = self._reshape_points(points)
        ds, w, xi, prec = promote(name, self.dataset.T, self.weights, points.T, self.inv_cov)
        return _kernel_sum(log, ds, w, xi, prec)

    def evaluate(self, points):
        """The density at `points` ((d, m), or (m,) for d == 1): shape (m,)."""
        return self._eval(points, False, "evaluate")

    def __call__(self, points):
        return self.evaluate(points)

    def pdf(self, x):
        return self.evaluate(x)

    def logpdf(self, x):
        """log of the density, by logsumexp over the kernels."""
        return self._eval(x, True, "logpdf")

    def integrate_gaussian(self, mean, cov):
        """The integral of the density times the Gaussian N(mean, cov)."""
        mean = jnp.atleast_1d(jnp.squeeze(mean))
        cov = jnp.atleast_2d(cov)
        if mean.shape != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if cov.shape != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        chol = _linalg.cho_factor(self.covariance + cov)
        norm = 1.0 / (np.sqrt(2 * np.pi) ** self.d * jnp.prod(jnp.diag(chol[0])))
        return _convolve(chol, norm, self.dataset, self.weights, mean)

    def integrate_box_1d(self, low, high):
        """The mass between scalar limits `low` and `high` (1-d data only)."""
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        if np.ndim(low) != 0 or np.ndim(high) != 0:
            raise ValueError("the limits of integration in integrate_box_1d must be scalars")
        sigma = jnp.squeeze(jnp.sqrt(self.covariance))
        lo = jnp.squeeze((low - self.dataset) / sigma)
        hi = jnp.squeeze((high - self.dataset) / sigma)
        return jnp.sum(self.weights * (S.ndtr(hi) - S.ndtr(lo)))

    def integrate_kde(self, other):
        """The integral of the product of this density and `other`'s."""
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        chol = _linalg.cho_factor(self.covariance + other.covariance)
        norm = 1.0 / (np.sqrt(2 * np.pi) ** self.d * jnp.prod(jnp.diag(chol[0])))
        sm, lg = (self, other) if self.n < other.n else (other, self)
        res = vmap(lambda m: _convolve(chol, norm, lg.dataset, lg.weights, m), in_axes=1)(sm.dataset)
        return jnp.sum(res * sm.weights)

    def resample(self, key, shape=()):
        """Samples of shape (d,) + shape: a data point drawn by weight plus N(0, covariance)
        noise, with JAX's key use (split; choice; multivariate_normal), so the same key gives
        JAX's samples. As JAX, the noise of an n-d `shape` is transposed (.T) before the sum."""
        shape = tuple(shape)
        ind_key, eps_key = random.split(key)
        ind = random.choice(ind_key, self.n, shape=shape, p=self.weights)
        eps = random.multivariate_normal(eps_key, jnp.zeros((self.d,), _dtype(self.covariance)),
                                         self.covariance, shape=shape, dtype=_dtype(self.dataset)).T
        return self.dataset[:, ind] + eps

    def integrate_box(self, low_bounds, high_bounds, maxpts=None):
        raise NotImplementedError("only 1D box integrations are supported; use `integrate_box_1d`")

    def set_bandwidth(self, bw_method=None):
        raise NotImplementedError("dynamically changing the bandwidth method is not supported")
