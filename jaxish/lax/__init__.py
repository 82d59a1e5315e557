"""jaxish.lax: the primitive-level API (JAX's lax names), built on the primitives by family."""
from . import elementwise as _E, reductions as _R, shape as _S, linalg as _LA, indexing as _I
from .elementwise import broadcast_shapes, unbroadcast  # noqa: F401
from .indexing import take_along_axis  # noqa: F401
from ._api import *  # noqa: F401,F403

for _m in (_E, _R, _S, _LA, _I):
    for _n in dir(_m):
        if _n.endswith("_p"):
            globals()[_n] = getattr(_m, _n)


def zeros_like_aval(aval):
    return _S.full_p.bind(shape=tuple(aval.shape), fill_value=0, dtype=aval.dtype)
