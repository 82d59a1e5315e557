"""jaxish.lax: the primitive-level API (JAX's lax names), built on the primitives by family."""
from . import elementwise as _E, reductions as _R, shape as _S, linalg as _LA, indexing as _I
from .elementwise import broadcast_shapes, unbroadcast  # noqa: F401
from .indexing import take_along_axis  # noqa: F401
from ._api import *  # noqa: F401,F403
from .control_flow import (cond, switch, scan, while_loop, fori_loop, map,  # noqa: F401
                           cond_p, scan_p, while_p)
from .associative_scan import associative_scan  # noqa: F401
from . import collectives as _C
from .collectives import (psum, pmean, pmax, pmin, all_gather, axis_index, axis_size, ppermute,  # noqa: F401
                          pshuffle, all_to_all, psum_scatter, pbroadcast, pargmax, pargmin)

for _m in (_E, _R, _S, _LA, _I, _C):
    for _n in dir(_m):
        if _n.endswith("_p"):
            globals()[_n] = getattr(_m, _n)


def zeros_like_aval(aval):
    return _S.full_p.bind(shape=tuple(aval.shape), fill_value=0, dtype=aval.dtype)


# ---- breadth: sort/top_k, decompositions (lax.linalg.*), fft, conv ----------------------------
from . import sorting as _SO, linalg_ops as _LO, fft as _FFT, conv as _CV  # noqa: E402
from .sorting import sort, sort_key_val, top_k  # noqa: E402,F401
from .gather_scatter import *  # noqa: E402,F401,F403  (gather, scatter*, their dimension numbers)
from .conv import (conv_general_dilated, conv, conv_with_general_padding, conv_transpose,  # noqa: E402,F401
                   conv_dimension_numbers, ConvDimensionNumbers, padtype_to_pads,
                   conv_general_dilated_patches, conv_general_dilated_local, conv_shape_tuple,
                   conv_general_shape_tuple, conv_transpose_shape_tuple, conv_general_permutations)
from .fft import FftType  # noqa: E402,F401

for _m in (_SO, _LO, _FFT, _CV):
    for _n in dir(_m):
        if _n.endswith("_p"):
            globals()[_n] = getattr(_m, _n)
for _n in _LO.__all__:  # jax.lax.linalg.cholesky & co. live beside dot_general's module
    setattr(linalg, _n, getattr(_LO, _n))
fft = _FFT.fft  # noqa: F811  (jax.lax.fft is the function)


def with_sharding_constraint(x, shardings):
    """Semantically the identity; lays concrete values out by `shardings` (see jaxish.distributed)."""
    from ..distributed.sharded_jit import with_sharding_constraint as constrain
    return constrain(x, shardings)
from .windowed import (reduce_window, reduce_window_shape_tuple, reduce, reduce_and, reduce_or,  # noqa: E402,F401
                       reduce_xor, reciprocal)
from .extras import *  # noqa: E402,F401,F403  (split, stack, tile, complex, clz, reduce_precision, Precision, ...)
from .custom_solvers import custom_linear_solve, custom_root, linear_solve_p  # noqa: E402,F401
from .rng import *  # noqa: E402,F401,F403  (rng_bit_generator, rng_uniform, RandomAlgorithm)
