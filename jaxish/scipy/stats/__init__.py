"""jaxish.scipy.stats: distributions as pure functions of arrays."""
from . import norm  # noqa: F401
from . import (bernoulli, beta, binom, cauchy, chi2, dirichlet, expon, gamma, gennorm, geom, laplace,  # noqa: F401
               logistic, multivariate_normal, pareto, poisson, t, truncnorm, uniform)
from . import betabinom, multinomial, nbinom, vonmises  # noqa: F401
from ._extra import rankdata, mode, sem, gaussian_kde  # noqa: F401
