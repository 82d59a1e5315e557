"""jax.scipy.stats.vonmises: the von Mises distribution on the circle, concentration kappa."""
import numpy as np

from ... import lax
from ._common import jnp, promote


def logpdf(x, kappa):
    """kappa (cos x - 1) - log(2 pi i0e(kappa)) (not wrapped into [-pi, pi], as JAX); nan for
    kappa <= 0."""
    x, kappa = promote("vonmises.logpdf", x, kappa)
    lp = kappa * (jnp.cos(x) - 1) - jnp.log(2 * np.pi * lax.bessel_i0e(kappa))
    return jnp.where(kappa > 0, lp, np.nan)


def pdf(x, kappa):
    return jnp.exp(logpdf(x, kappa))
