"""jax.scipy.stats.multinomial: the multinomial distribution of n trials over len(p) outcomes."""
import numpy as np

from ... import dtypes
from ...interpreters import core
from ...numpy._core import promote_args
from ._common import S, jnp, promote


def logpmf(x, n, p):
    """log(n! prod_i p_i**x_i / x_i!) for integer counts x (last axis) summing to n, else -inf.
    As JAX, the sum compared with n is over all of x."""
    p, = promote("multinomial.logpmf", p)
    x, n = promote_args("multinomial.logpmf", x, n)
    x, n = jnp.asarray(x), jnp.asarray(n)
    xd, nd = core.get_aval(x).dtype, core.get_aval(n).dtype
    if not dtypes.issubdtype(xd, np.integer):
        raise ValueError(f"x and n must be of integer type; got x.dtype={xd}, n.dtype={nd}")
    pd = core.get_aval(p).dtype
    x = x.astype(pd)
    n = n.astype(pd)
    logprobs = S.gammaln(n + 1) + jnp.sum(S.xlogy(x, p) - S.gammaln(x + 1), axis=-1)
    return jnp.where(jnp.equal(jnp.sum(x), n), logprobs, -np.inf)


def pmf(x, n, p):
    return jnp.exp(logpmf(x, n, p))
