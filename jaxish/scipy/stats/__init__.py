"""jaxish.scipy.stats: distributions as pure functions of arrays."""
from . import norm  # noqa: F401
