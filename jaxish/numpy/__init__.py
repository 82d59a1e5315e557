"""jaxish.numpy: JAX's numpy API on top of jaxish.lax."""
import numpy as _np
import builtins as _builtins

from .. import dtypes as _dtypes
from ..array import Array as ndarray  # noqa: F401
from .scalar_types import *  # noqa: F401,F403
from ._core import *  # noqa: F401,F403
from ._core import abs, round, divmod, pow, promote_args as _promote_args  # noqa: F401
from .creation import (asarray, array, zeros, ones, full, empty, zeros_like, ones_like, full_like,  # noqa: F401
                       empty_like, arange, linspace, logspace, eye, identity, tri)
from .reductions import (sum, prod, max, min, amax, amin, any, all, mean, var, std, argmax, argmin,  # noqa: F401
                         cumsum, cumprod, cumulative_sum, cumulative_prod, ptp, count_nonzero, average)
from .shape import *  # noqa: F401,F403
from .shape import shape, ndim, size  # noqa: F401
from .indexing import (_getitem, _IndexUpdateHelper, nonzero, flatnonzero, argwhere, take,  # noqa: F401
                       take_along_axis, NonConcreteBooleanIndexError)
from .matmul import matmul, dot, vdot, vecdot, inner, outer, tensordot, einsum  # noqa: F401

dtype = _np.dtype
generic, number, integer, signedinteger, unsignedinteger = (_np.generic, _np.number, _np.integer,
                                                            _np.signedinteger, _np.unsignedinteger)
inexact, floating, complexfloating, bool_type = _np.inexact, _np.floating, _np.complexfloating, _np.bool_
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
finfo = _dtypes.finfo
iinfo = _dtypes.iinfo
issubdtype = _dtypes.issubdtype


def promote_types(a, b):
    """The join on JAX's lattice, not canonicalized; the Python types int/float/complex are the
    weak kinds (promote_types(int, int8) is int8, promote_types(float, float) float64), as JAX."""
    def node(t):
        weak = {int: _dtypes._WEAK_INT, float: _dtypes._WEAK_FLOAT, complex: _dtypes._WEAK_COMPLEX}
        return weak[t] if (t is int or t is float or t is complex) else _dtypes.check_dtype(t)
    return _dtypes.lattice_promote(node(a), node(b))


def result_type(*args):
    from ..interpreters import core as _core
    if not args:
        raise ValueError("at least one array or dtype is required")
    pairs = []
    for a in args:
        if isinstance(a, (int, float, _builtins.bool, complex)):   # jnp.bool shadows the builtin here
            pairs.append(_dtypes.scalar_dtype(a))
        elif a is int or a is float or a is complex:   # the Python types stand for weak values, as JAX
            pairs.append(_dtypes.scalar_dtype(a(0)))
        elif isinstance(a, (_np.dtype, type)) or isinstance(a, str) or hasattr(a, "dtype") and not hasattr(a, "shape"):
            # canonical first (uint64 is uint32 without x64), as JAX
            pairs.append((_dtypes.canonicalize(_dtypes.check_dtype(a)), False))
        else:
            av = _core.get_aval(a if not isinstance(a, (list, tuple)) else asarray(a))
            pairs.append((av.dtype, av.weak_type))
    return _dtypes.promote_types(*pairs)[0]


def can_cast(from_, to, casting="safe"):
    return _np.can_cast(_dtypes.check_dtype(getattr(from_, "dtype", from_)), _dtypes.check_dtype(to), casting)


def isscalar(element):
    if isinstance(element, (int, float, _builtins.bool, complex, _np.generic, str, bytes)):
        return True   # (a string too, as JAX's and numpy's)
    if isinstance(element, (ndarray, _np.ndarray)):
        return element.ndim == 0
    return False      # not None, a function or a list (numpy's 0-d object reading)


def iscomplexobj(x):
    return _dtypes.is_complex(result_type(x))


def isrealobj(x):
    return not iscomplexobj(x)


def copy(a, order=None):
    a = asarray(a)
    return a.copy() if hasattr(a, "copy") else a


# ---- breadth: sorting, extras, linalg, fft ----------------------------------------------------
from .sorting import *  # noqa: E402,F401,F403
from .extra import *  # noqa: E402,F401,F403
from . import linalg, fft  # noqa: E402,F401
from .more import *  # noqa: E402,F401,F403
from .ufunc import ufunc, frompyfunc, _install as _install_ufuncs  # noqa: E402
_install_ufuncs(globals())   # jnp.add & co. become ufuncs (add.reduce, add.at, ...), as in JAX
