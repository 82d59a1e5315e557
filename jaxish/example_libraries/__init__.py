"""jax.example_libraries: stax (layers) and optimizers, in JAX's init/apply style."""
from . import stax, optimizers  # noqa: F401
