"""jaxish.scipy: jax.scipy on lax primitives (special functions, linalg, stats, optimize, sparse
linear solvers, signal, fft, integrate, interpolate, ndimage, cluster, spatial.transform)."""
from . import special, stats  # noqa: F401
from . import linalg  # noqa: F401
from . import cluster, fft, integrate, interpolate, ndimage, optimize, signal, sparse, spatial  # noqa: F401
