"""jaxish.scipy.cluster: vector quantization (jax.scipy.cluster.vq)."""
from . import vq  # noqa: F401
