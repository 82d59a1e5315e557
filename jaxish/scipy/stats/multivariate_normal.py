"""jax.scipy.stats.multivariate_normal: logpdf and pdf of a normal with a full (or scalar) covariance."""
import numpy as np

from ... import lax
from ...lax import linalg_ops as LO
from ._common import jnp, promote


def logpdf(x, mean, cov, allow_singular=None):
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    x, mean, cov = promote("multivariate_normal.logpdf", x, mean, cov)
    if jnp.ndim(mean) == 0:
        return -0.5 * jnp.square(x - mean) / cov - 0.5 * (np.log(2 * np.pi) + jnp.log(cov))
    n = jnp.shape(mean)[-1]
    y = x - mean
    if jnp.ndim(cov) == 0:
        return -0.5 * jnp.sum(y * y, axis=-1) / cov - n / 2 * (np.log(2 * np.pi) + jnp.log(cov))
    if jnp.ndim(cov) < 2 or jnp.shape(cov)[-2:] != (n, n):
        raise ValueError(f"multivariate_normal.logpdf got incompatible shapes: mean of shape "
                         f"{jnp.shape(mean)} and cov of shape {jnp.shape(cov)} (cov must end in ({n}, {n}))")
    if jnp.shape(y)[-1] != n:
        raise ValueError(f"multivariate_normal.logpdf got incompatible shapes: x of shape {jnp.shape(x)} "
                         f"and mean of shape {jnp.shape(mean)}")
    L = LO.cholesky(cov)
    batch = np.broadcast_shapes(jnp.shape(L)[:-2], jnp.shape(y)[:-1])
    L = jnp.broadcast_to(L, batch + (n, n))
    yb = jnp.broadcast_to(y, batch + (n,))[..., None]
    z = LO.triangular_solve(L, yb, left_side=True, lower=True)[..., 0]
    logdet = jnp.sum(jnp.log(LO.diagonal(L)), axis=-1)
    return -0.5 * jnp.sum(z * z, axis=-1) - n / 2 * np.log(2 * np.pi) - logdet


def pdf(x, mean, cov):
    return lax.exp(logpdf(x, mean, cov))
