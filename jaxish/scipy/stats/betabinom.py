"""jax.scipy.stats.betabinom: the beta-binomial distribution on 0..n with shapes a, b, shifted by
loc."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, n, a, b, loc=0):
    """log C(n, y) + betaln(y + a, n - y + b) - betaln(a, b) at y = floor(k) - loc; -inf outside
    the support, nan for n < 0, a <= 0 or b <= 0 (as JAX)."""
    k, n, a, b, loc = promote("betabinom.logpmf", k, n, a, b, loc)
    y = jnp.floor(k) - loc
    combiln = -(jnp.log1p(n) + S.betaln(n - y + 1, y + 1))
    lp = combiln + (S.betaln(y + a, n - y + b) - S.betaln(a, b))
    lp = jnp.where((y == 0) & (n == 0), 0.0, lp)
    lp = jnp.where((y < -loc) | (y > n) | (y + a <= 0), -np.inf, lp)
    return jnp.where((n < 0) | (a <= 0) | (b <= 0), np.nan, lp)


def pmf(k, n, a, b, loc=0):
    return jnp.exp(logpmf(k, n, a, b, loc))
