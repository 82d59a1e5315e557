"""jaxish.scipy.spatial: 3-d rotations (jax.scipy.spatial.transform: Rotation, Slerp)."""
from . import transform  # noqa: F401
