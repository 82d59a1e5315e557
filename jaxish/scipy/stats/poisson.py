"""jax.scipy.stats.poisson: the Poisson distribution with mean mu."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, mu, loc=0):
    k, mu, loc = promote("poisson.logpmf", k, mu, loc)
    x = k - loc
    lp = S.xlogy(x, mu) - S.gammaln(x + 1) - mu
    return jnp.where((x < 0) | (jnp.round(k) != k), -np.inf, lp)


def pmf(k, mu, loc=0):
    return jnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    k, mu, loc = promote("poisson.cdf", k, mu, loc)
    x = k - loc
    return jnp.where(x < 0, 0.0, S.gammaincc(jnp.floor(1 + jnp.maximum(x, 0.0)), mu))


def entropy(mu, loc=0):
    """-sum_k pmf log pmf: a sum over k < mu + 10 sqrt(mu) + 20 (at most 250 terms) for mu < 100,
    the asymptotic 0.5 log(2 pi e mu) - 1 / (12 mu) beyond."""
    mu, loc = promote("poisson.entropy", mu, loc)
    shape = np.broadcast_shapes(jnp.shape(mu), jnp.shape(loc))
    m = jnp.ravel(mu)
    k = jnp.arange(250, dtype=m.dtype)[:, None]
    small = m < 100
    ms = jnp.where(small, m, 1.0)
    probs = pmf(k, ms[None, :], 0)
    bound = jnp.where(ms < 10, jnp.ceil(ms + 20), jnp.ceil(ms + 10 * jnp.sqrt(ms) + 20))
    probs = jnp.where(k < bound[None, :], probs, 0.0)
    summed = jnp.sum(S.entr(probs), axis=0)
    ml = jnp.where(small, 100.0, m)
    large = 0.5 * jnp.log(2 * np.pi * np.e * ml) - 1.0 / (12 * ml)
    out = jnp.where(m == 0, 0.0, jnp.where(small, summed, large))
    return jnp.broadcast_to(jnp.reshape(out, jnp.shape(mu)), shape)
