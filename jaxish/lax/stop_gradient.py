"""Re-export: stop_gradient_p lives with the elementwise primitives."""
from .elementwise import stop_gradient_p  # noqa: F401
