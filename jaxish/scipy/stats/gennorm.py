"""jax.scipy.stats.gennorm: the generalized normal distribution with shape beta."""

from ._common import S, jnp, promote


def logpdf(x, beta):
    x, beta = promote("gennorm.logpdf", x, beta)
    return jnp.log(0.5 * beta) - S.gammaln(1 / beta) - jnp.abs(x) ** beta


def pdf(x, beta):
    return jnp.exp(logpdf(x, beta))


def cdf(x, beta):
    x, beta = promote("gennorm.cdf", x, beta)
    return 0.5 * (1 + jnp.sign(x) * S.gammainc(1 / beta, jnp.abs(x) ** beta))
