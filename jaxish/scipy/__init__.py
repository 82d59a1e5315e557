"""jaxish.scipy: the parts of jax.scipy that sit on lax primitives (special functions, stats.norm)."""
from . import special, stats  # noqa: F401
from . import linalg  # noqa: F401
