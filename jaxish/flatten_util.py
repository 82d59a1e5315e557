"""jax.flatten_util: ravel_pytree, a pytree of arrays as one flat vector and back."""
import numpy as np

from . import dtypes
from .interpreters import core
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["ravel_pytree"]


def _aval(x):
    from .numpy import asarray
    return core.get_aval(x if isinstance(x, core.Tracer) else asarray(x))


def ravel_pytree(pytree):
    """(flat, unravel): the leaves raveled and concatenated into one 1-D array of their promoted
    dtype (float32 for an empty tree), and the function that splits such a vector back into the
    pytree, each leaf in its own shape and dtype."""
    from . import numpy as jnp
    from . import lax
    leaves, tree = tree_flatten(pytree)
    leaves = [jnp.asarray(x) for x in leaves]
    avals = [core.get_aval(x) for x in leaves]
    sizes = [int(np.prod(a.shape)) for a in avals]
    if leaves:
        dtype = dtypes.promote_types(*((a.dtype, False) for a in avals))[0]
        flat = jnp.concatenate([lax.convert_element_type(jnp.ravel(x), dtype) for x in leaves]) \
            if len(leaves) > 1 else lax.convert_element_type(jnp.ravel(leaves[0]), dtype)
    else:
        dtype = dtypes.default_float()
        flat = jnp.zeros((0,), dtype)
    total = sum(sizes)
    offsets = np.cumsum([0] + sizes)

    def unravel(vec):
        va = _aval(vec)
        if va.shape != (total,):
            raise ValueError(f"Sum of sizes {total} must be equal to dimension 0 of the operand shape "
                             f"{list(va.shape)}")
        if va.dtype != dtype:
            raise TypeError(f"unravel function given array of dtype {va.dtype}, but expected dtype {dtype}")
        parts = []
        for a, lo, hi in zip(avals, offsets[:-1], offsets[1:]):
            piece = lax.slice(vec, (int(lo),), (int(hi),)).reshape(a.shape)
            parts.append(piece if a.dtype == dtype else lax.convert_element_type(piece, a.dtype))
        return tree_unflatten(tree, parts)
    return flat, unravel
