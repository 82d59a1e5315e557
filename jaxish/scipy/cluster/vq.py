"""jax.scipy.cluster.vq: assign observations to their nearest code."""
from ... import numpy as jnp
from ...numpy._core import check_arraylike, _promote_to_inexact

__all__ = ["vq"]


def vq(obs, code_book, check_finite=True):
    """(code, dist): for each row of obs (M, N) the index of the nearest row of code_book (K, N)
    in Euclidean distance (the first on ties) and that distance. 1-d inputs are length-1
    vectors. check_finite is unused, as in JAX."""
    del check_finite
    check_arraylike("scipy.cluster.vq.vq", obs, code_book)
    o, cb = (jnp.asarray(a) for a in _promote_to_inexact("scipy.cluster.vq.vq", obs, code_book))
    if o.ndim != cb.ndim:
        raise ValueError("Observation and code_book should have the same rank")
    if o.ndim == 1:
        o, cb = o[:, None], cb[:, None]
    if o.ndim != 2:
        raise ValueError("ndim different than 1 or 2 are not supported")
    dist = jnp.linalg.norm(o[:, None, :] - cb[None, :, :], axis=-1)     # (M, K)
    code = jnp.argmin(dist, axis=-1)
    return code, jnp.take_along_axis(dist, code[:, None], axis=-1)[:, 0]
