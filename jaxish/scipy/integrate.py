"""jaxish.scipy.integrate: trapezoid (jax.scipy.integrate.trapezoid)."""
from __future__ import annotations

import numpy as np

from .. import numpy as jnp

__all__ = ["trapezoid"]


def trapezoid(y, x=None, dx=1.0, axis: int = -1):
    """Integrate y along `axis` by the composite trapezoidal rule (scipy.integrate.trapezoid).

    x: sample points (1-D along `axis`, or y's shape); without it the samples are `dx` apart.
    Computed by jnp.trapezoid; bad axes and sample counts raise ValueError.
    """
    y = jnp.asarray(y)
    ndim = y.ndim
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    if x is not None:
        x = jnp.asarray(x)
        if x.ndim == 1 and x.shape[0] != y.shape[axis]:
            raise ValueError(f"trapezoid: x has {x.shape[0]} sample points but y has "
                             f"{y.shape[axis]} along axis {axis}")
    return jnp.trapezoid(y, x, dx, axis)
