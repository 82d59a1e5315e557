"""Shared pieces of the jaxish.scipy.stats distributions: argument promotion (JAX's
promote_args_inexact) and the numpy/special namespaces they are written in."""
from ... import numpy as jnp  # noqa: F401
from .. import special as S  # noqa: F401


def promote(name, *args):
    """The arguments as inexact arrays of their common dtype (a list, even for one argument)."""
    out = S._inexact(name, *args)
    return out if isinstance(out, list) else [out]
