"""jax.scipy.stats.dirichlet: logpdf and pdf; x holds the K components (or K - 1 of them, the last
implied) along axis 0, alpha is 1-d of length K."""
import numpy as np

from ._common import S, jnp, promote


def logpdf(x, alpha):
    x, alpha = promote("dirichlet.logpdf", x, alpha)
    if jnp.ndim(alpha) != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={jnp.shape(alpha)}")
    k = jnp.shape(alpha)[0]
    if jnp.ndim(x) < 1 or jnp.shape(x)[0] not in (k, k - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` or one entry fewer; "
                         f"got x.shape={jnp.shape(x)}, alpha.shape={jnp.shape(alpha)}")
    if jnp.shape(x)[0] != k:
        x = jnp.concatenate([x, 1 - jnp.sum(x, axis=0, keepdims=True)], axis=0)
    norm = jnp.sum(S.gammaln(alpha)) - S.gammaln(jnp.sum(alpha))
    a = jnp.reshape(alpha, (k,) + (1,) * (jnp.ndim(x) - 1))
    lp = jnp.sum(S.xlogy(a - 1, x), axis=0) - norm
    simplex = jnp.all(x > 0, axis=0) & (jnp.abs(jnp.sum(x, axis=0) - 1) < 1e-6)
    return jnp.where(simplex, lp, -np.inf)


def pdf(x, alpha):
    return jnp.exp(logpdf(x, alpha))
