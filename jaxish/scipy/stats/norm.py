"""jax.scipy.stats.norm: the normal distribution's pdf, logpdf, cdf, logcdf, sf, logsf, ppf, isf."""
import numpy as np

from ...numpy import _core as C
from .. import special as S

_LOG_SQRT_2PI = float(0.5 * np.log(2 * np.pi))


def _std(x, loc, scale):
    x, loc, scale = S._inexact("norm", x, loc, scale)
    return C.true_divide(C.subtract(x, loc), scale), scale


def logpdf(x, loc=0, scale=1):
    z, scale = _std(x, loc, scale)
    return C.subtract(C.subtract(C.multiply(C.multiply(z, z), -0.5), _LOG_SQRT_2PI), C.log(scale))


def pdf(x, loc=0, scale=1):
    return C.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    z, _ = _std(x, loc, scale)
    return S.ndtr(z)


def logcdf(x, loc=0, scale=1):
    z, _ = _std(x, loc, scale)
    return S.log_ndtr(z)


def sf(x, loc=0, scale=1):
    z, _ = _std(x, loc, scale)
    return S.ndtr(C.negative(z))


def logsf(x, loc=0, scale=1):
    z, _ = _std(x, loc, scale)
    return S.log_ndtr(C.negative(z))


def ppf(q, loc=0, scale=1):
    q, loc, scale = S._inexact("norm.ppf", q, loc, scale)
    return C.add(C.multiply(S.ndtri(q), scale), loc)


def isf(q, loc=0, scale=1):
    q, loc, scale = S._inexact("norm.isf", q, loc, scale)
    return ppf(C.subtract(1.0, q), loc, scale)
