"""jax.typing: the annotations JAX code writes for array-like and dtype-like arguments."""
from typing import Any, Union

import numpy as np

from .array import Array

__all__ = ["ArrayLike", "DTypeLike"]

# What jnp functions accept as arrays: jaxish/numpy arrays and scalars (as in jax.typing).
ArrayLike = Union[Array, np.ndarray, np.bool_, np.number, bool, int, float, complex]
# What they accept as dtypes: names, numpy dtypes and scalar types, and objects with a .dtype.
DTypeLike = Union[str, type, np.dtype, Any]
