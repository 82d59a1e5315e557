"""jnp.linalg on the lax.linalg decompositions (cholesky, lu, qr, svd, eigh, triangular_solve), so
every function differentiates, vmaps (leading axes batch) and jits through their rules."""
import builtins
import collections
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..lax import linalg_ops as LO
from . import _core as C
from ._core import _operand, _SCALARS, _promote_to_inexact
from .creation import asarray
from . import reductions as R
import importlib as _importlib
S = _importlib.import_module(".shape", __package__)  # (the package attribute `shape` is the function)

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "solve", "det", "slogdet", "cholesky", "qr", "svd",
           "svdvals", "eigh", "eigvalsh", "pinv", "matrix_power", "matrix_rank", "lstsq", "multi_dot",
           "outer", "trace", "diagonal", "matrix_transpose", "cross", "tensorsolve", "tensorinv", "cond",
           "vecdot", "matmul", "tensordot", "EighResult", "SVDResult", "QRResult", "SlogdetResult"]

EighResult = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
SVDResult = collections.namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = collections.namedtuple("QRResult", ["Q", "R"])
SlogdetResult = collections.namedtuple("SlogdetResult", ["sign", "logabsdet"])


def _aval(x):
    return core.get_aval(x)


def _mat(a, name, square=False):
    a = _operand(a, f"{name} argument a")
    if type(a) in _SCALARS:
        a = asarray(a)
    (a,) = _promote_to_inexact(name, a)
    if type(a) in _SCALARS:
        a = asarray(a)
    av = _aval(a)
    if av.ndim < 2:
        raise ValueError(f"{name}: argument must have at least 2 dimensions, got shape {av.shape}")
    if square and av.shape[-1] != av.shape[-2]:
        raise ValueError(f"{name}: last 2 dimensions of the array must be square, got shape {av.shape}")
    return a


def _lu_solve(lu, perm, b, trans=0):
    """Solve a @ x = b from a's LU factors; b has shape (..., n, k)."""
    bs = _aval(b).shape
    idx = lax.broadcast_in_dim(lax.reshape(perm, _aval(perm).shape + (1,)), bs, tuple(range(len(bs))))
    pb = lax.take_along_axis(b, idx, len(bs) - 2)
    y = LO.triangular_solve(lu, pb, left_side=True, lower=True, unit_diagonal=True)
    return LO.triangular_solve(lu, y, left_side=True, lower=False)


def _bcast_batch(a, b):
    """Broadcast the leading (batch) dims of a (..., n, n) and b (..., n, k) against each other."""
    sa, sb = _aval(a).shape, _aval(b).shape
    batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    if sa[:-2] != batch:
        a = S.broadcast_to(a, batch + sa[-2:])
    if sb[:-2] != batch:
        b = S.broadcast_to(b, batch + sb[-2:])
    return a, b


def solve(a, b):
    """x with a @ x = b; b is a vector (n,) or a stack of matrices (..., n, k) (leading dims broadcast)."""
    a = _mat(a, "solve", square=True)
    a, b = C.promote_args("solve", a, b)
    b = asarray(b) if type(b) in _SCALARS else b
    av, bv = _aval(a), _aval(b)
    vector = bv.ndim == 1
    if vector:
        if bv.shape[-1] != av.shape[-1]:
            raise ValueError(f"solve: a of shape {av.shape} and b of shape {bv.shape} do not match")
        b = lax.reshape(b, bv.shape + (1,))
    elif bv.ndim < 2 or bv.shape[-2] != av.shape[-1]:
        raise ValueError(f"Invalid shapes for solve: {av.shape}, {bv.shape}")
    a, b = _bcast_batch(a, b)
    lu, _, perm = LO.lu(a)
    x = _lu_solve(lu, perm, b)
    if vector:
        x = lax.reshape(x, _aval(x).shape[:-1])
    return x


def inv(a):
    a = _mat(a, "inv", square=True)
    av = _aval(a)
    eye = S.broadcast_to(LO.eye_like(a), av.shape)
    return solve(a, eye)


def _lu_det_parts(a):
    lu, piv, _ = LO.lu(a)
    diag = LO.diagonal(lu)
    n = _aval(a).shape[-1]
    swaps = R.sum(C.not_equal(piv, lax.iota(dtypes.int32, n)), axis=-1)
    parity = C.remainder(swaps, 2)
    return diag, parity


def slogdet(a, *, method=None):
    """(sign, log|det|) via LU."""
    a = _mat(a, "slogdet", square=True)
    dt = _aval(a).dtype
    if _aval(a).shape[-1] == 0:
        sh = _aval(a).shape[:-2]
        return SlogdetResult(lax.full(sh, 1, dt), lax.full(sh, 0, LO._real_dtype(dt)))
    diag, parity = _lu_det_parts(a)
    absd = C.abs(diag)
    is_zero = R.any(C.equal(diag, 0), axis=-1)
    sign_diag = C.true_divide(diag, C.where(C.equal(absd, 0), 1, absd).astype(dt)) if dtypes.is_complex(dt) \
        else C.sign(diag)
    sign = R.prod(sign_diag, axis=-1)
    sign = C.where(C.equal(parity, 1), C.negative(sign), sign)
    logdet = R.sum(C.log(absd), axis=-1)
    sign = C.where(is_zero, lax.full_like(sign, 0), sign)
    logdet = C.where(is_zero, -np.inf, logdet)
    return SlogdetResult(sign, logdet)


def det(a):
    """Determinant via LU (product of U's diagonal times the permutation's sign)."""
    a = _mat(a, "det", square=True)
    n = _aval(a).shape[-1]
    if n == 0:
        return lax.full(_aval(a).shape[:-2], 1, _aval(a).dtype)
    diag, parity = _lu_det_parts(a)
    d = R.prod(diag, axis=-1)
    return C.where(C.equal(parity, 1), C.negative(d), d)


def cholesky(a, *, upper=False, symmetrize_input=True):
    a = _mat(a, "cholesky", square=True)
    c = LO.cholesky(a, symmetrize_input=symmetrize_input)
    return LO.mH(c) if upper else c


def qr(a, mode="reduced"):
    a = _mat(a, "qr")
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    if mode == "raw":
        raise NotImplementedError("jnp.linalg.qr(mode='raw') is not supported")
    q, r = LO.qr(a, full_matrices=(mode == "complete"))
    return r if mode == "r" else QRResult(q, r)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    a = _mat(a, "svd")
    if hermitian:
        # singular values are |eigenvalues|; sort them descending and carry the vectors along
        w, v = eigh(a)
        s = C.abs(w)
        last = _aval(s).ndim - 1
        idx = lax.broadcasted_iota(dtypes.int32, _aval(s).shape, last)
        s, idx, sign = lax.sort((s, idx, C.sign(w)), dimension=last, num_keys=1)
        s, idx, sign = (lax.rev(t, (last,)) for t in (s, idx, sign))
        if not compute_uv:
            return s
        vi = lax.broadcast_in_dim(lax.reshape(idx, _aval(idx).shape[:-1] + (1, _aval(idx).shape[-1])),
                                  _aval(v).shape, tuple(range(_aval(v).ndim)))
        u = lax.take_along_axis(v, vi, _aval(v).ndim - 1)
        sg = lax.reshape(sign, _aval(sign).shape[:-1] + (1, _aval(sign).shape[-1]))
        vh = LO.mH(C.multiply(u, lax.convert_element_type(sg, _aval(u).dtype)))
        return SVDResult(u, s, vh)
    if not compute_uv:
        return LO.svd(a, full_matrices=full_matrices, compute_uv=False)
    u, s, vh = LO.svd(a, full_matrices=full_matrices, compute_uv=True)
    return SVDResult(u, s, vh)


def svdvals(x):
    return svd(x, compute_uv=False)


def eigh(a, UPLO=None, symmetrize_input=True):
    """(eigenvalues ascending, eigenvectors as columns) of a Hermitian matrix."""
    a = _mat(a, "eigh", square=True)
    lower = UPLO is None or UPLO == "L"
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"UPLO must be 'L' or 'U', got {UPLO!r}")
    v, w = LO.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """Moore-Penrose pseudo-inverse from the SVD; singular values <= rtol * max(s) are dropped."""
    a = _mat(a, "pinv")
    if rcond is not None:
        rtol = rcond
    av = _aval(a)
    m, n = av.shape[-2:]
    if rtol is None:
        rtol = 10.0 * builtins.max(m, n) * float(np.finfo(np.dtype(LO._real_dtype(av.dtype))).eps)
    u, s, vh = svd(a, full_matrices=False)
    cutoff = C.multiply(R.max(s, axis=-1, keepdims=True), rtol)
    keep = C.greater(s, cutoff)
    s_inv = C.where(keep, C.true_divide(1.0, C.where(keep, s, 1.0)), 0.0)
    s_inv = lax.convert_element_type(s_inv, av.dtype)
    k = _aval(s).shape[-1]
    v = LO.mH(vh)
    vs = C.multiply(v, lax.reshape(s_inv, _aval(s_inv).shape[:-1] + (1, k)))
    return LO.matmul(vs, LO.mH(u))


def matrix_power(a, n):
    a = _operand(a, "matrix_power argument a")
    a = asarray(a) if type(a) in _SCALARS else a
    av = _aval(a)
    if av.ndim < 2 or av.shape[-1] != av.shape[-2]:
        raise ValueError(f"matrix_power: the last 2 dimensions must be square, got shape {av.shape}")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"exponent must be an integer, got {n}") from None
    if n == 0:
        return S.broadcast_to(LO.eye_like(a), av.shape)
    if n < 0:
        a = inv(a)
        n = -n
    from .matmul import matmul
    result = None
    z = a
    while True:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if not n:
            break
        z = matmul(z, z)
    return result


def matrix_rank(M, rtol=None, *, tol=None):
    M = _operand(M, "matrix_rank argument M")
    M = asarray(M) if type(M) in _SCALARS else M
    (M,) = _promote_to_inexact("matrix_rank", M)
    av = _aval(M)
    if av.ndim < 2:
        return lax.convert_element_type(R.any(C.not_equal(M, 0)), dtypes.default_int())
    s = svd(M, compute_uv=False)
    if tol is not None:
        cutoff = tol
    else:
        if rtol is None:
            rtol = builtins.max(av.shape[-2:]) * float(np.finfo(np.dtype(LO._real_dtype(av.dtype))).eps)
        cutoff = C.multiply(R.max(s, axis=-1, keepdims=True), rtol)
    return R.sum(C.greater(s, cutoff), axis=-1)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """(x, residuals, rank, singular values) of the least-squares problem a @ x ~= b, via the SVD."""
    a = _mat(a, "lstsq")
    a, b = C.promote_args("lstsq", a, b)
    av, bv = _aval(a), _aval(b)
    if av.ndim != 2:
        raise TypeError(f"{av.ndim}-dimensional array given. Array must be two-dimensional")
    vector = bv.ndim == 1
    if vector:
        b = lax.reshape(b, bv.shape + (1,))
    m, n = av.shape
    dt = av.dtype
    if rcond is None:
        rcond = float(np.finfo(np.dtype(LO._real_dtype(dt))).eps) * builtins.max(n, m)
    u, s, vh = svd(a, full_matrices=False)
    mask = C.greater_equal(s, C.multiply(R.max(s), rcond)) if _aval(s).shape[0] else s
    rank = R.sum(mask)
    safe_s = C.where(mask, s, 1.0)
    s_inv = lax.convert_element_type(C.where(mask, C.true_divide(1.0, safe_s), 0.0), dt)
    from .matmul import matmul
    uTb = matmul(LO.mH(u), b)
    x = matmul(LO.mH(vh), C.multiply(s_inv[:, None], uTb))
    if numpy_resid and (m <= n or int(rank) != n if not isinstance(rank, core.Tracer) else False):
        resid = asarray(np.zeros((0,), dtype=np.dtype(LO._real_dtype(dt))))
    else:
        r = C.subtract(b, matmul(a, x))
        resid = R.sum(C.real(C.multiply(r, C.conj(r))), axis=0)
    if vector:
        x = lax.reshape(x, (n,))
    return x, resid, rank, s


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    x = _operand(x, "vector_norm argument x")
    x = asarray(x) if type(x) in _SCALARS else x
    (x,) = _promote_to_inexact("vector_norm", x)
    if axis is None:
        out = vector_norm(S.ravel(x), axis=0, ord=ord)
        return lax.reshape(out, (1,) * _aval(x).ndim) if keepdims else out
    ab = C.abs(x)
    if ord == 2 or ord is None:
        return C.sqrt(R.sum(C.real(C.multiply(x, C.conj(x))), axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return R.max(ab, axis=axis, keepdims=keepdims, initial=0.0)
    if ord == -np.inf:
        return R.min(ab, axis=axis, keepdims=keepdims)
    if ord == 0:
        return R.sum(lax.convert_element_type(C.not_equal(x, 0), _aval(ab).dtype), axis=axis, keepdims=keepdims)
    if ord == 1:
        return R.sum(ab, axis=axis, keepdims=keepdims)
    p = float(ord)
    dt = _aval(ab).dtype
    s = R.sum(C.power(ab, lax.full((), p, dt)), axis=axis, keepdims=keepdims)
    return C.power(s, lax.full((), 1.0 / p, dt))


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector norms (1-D or an int axis) and matrix norms ('fro', 'nuc', 1, -1, 2, -2, inf, -inf)."""
    x = _operand(x, "norm argument x")
    x = asarray(x) if type(x) in _SCALARS else x
    (x,) = _promote_to_inexact("norm", x)
    nd = _aval(x).ndim
    if axis is None:
        if ord is None:
            return C.sqrt(R.sum(C.real(C.multiply(x, C.conj(x))), keepdims=keepdims))
        axis = tuple(range(nd))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axis = tuple(axis)
    if len(axis) == 1:
        return vector_norm(x, axis=axis[0], keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axis) != 2:
        raise ValueError("Invalid axis values for norm: improper number of dimensions to norm.")
    r, c = (a % nd for a in axis)
    if r == c:
        raise ValueError("Duplicate axes given.")
    if ord is None or ord == "fro":
        return C.sqrt(R.sum(C.real(C.multiply(x, C.conj(x))), axis=axis, keepdims=keepdims))
    ab = C.abs(x)
    if ord in (1, -1):
        col = R.sum(ab, axis=r, keepdims=True)
        f = R.max if ord == 1 else R.min
        out = f(col, axis=c, keepdims=True)
    elif ord in (np.inf, -np.inf):
        row = R.sum(ab, axis=c, keepdims=True)
        f = R.max if ord == np.inf else R.min
        out = f(row, axis=r, keepdims=True)
    elif ord in (2, -2, "nuc"):
        y = S.moveaxis(x, (r, c), (-2, -1))
        s = svd(y, compute_uv=False)
        out = R.max(s, axis=-1) if ord == 2 else R.min(s, axis=-1) if ord == -2 else R.sum(s, axis=-1)
        if keepdims:
            out = S.expand_dims(S.expand_dims(out, r if r < c else r), c)
            shape = [1 if i in (r, c) else d for i, d in enumerate(_aval(x).shape)]
            out = lax.reshape(out, shape)
        return out
    else:
        raise ValueError(f"Invalid order '{ord}' for matrix norm.")
    if not keepdims:
        out = lax.reshape(out, tuple(d for i, d in enumerate(_aval(x).shape) if i not in (r, c)))
    return out


def cond(x, p=None):
    x = _mat(x, "cond")
    if p is None or p == 2:
        s = svd(x, compute_uv=False)
        return C.true_divide(s[..., 0], s[..., -1])
    if p == -2:
        s = svd(x, compute_uv=False)
        return C.true_divide(s[..., -1], s[..., 0])
    return C.multiply(norm(x, ord=p, axis=(-2, -1)), norm(inv(x), ord=p, axis=(-2, -1)))


def multi_dot(arrays, *, precision=None):
    from .matmul import matmul
    arrays = list(arrays)
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    out = arrays[0]
    for a in arrays[1:]:
        out = matmul(out, a)
    return out


def outer(x1, x2, /):
    from .matmul import outer as _outer
    x1, x2 = _operand(x1), _operand(x2)
    if _aval(asarray(x1)).ndim != 1 or _aval(asarray(x2)).ndim != 1:
        raise ValueError("Input arrays must be one-dimensional")
    return _outer(x1, x2)


def trace(x, /, *, offset=0, dtype=None):
    from .extra import trace as _trace
    return _trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)


def diagonal(x, /, *, offset=0):
    from .extra import diagonal as _diagonal
    return _diagonal(x, offset=offset, axis1=-2, axis2=-1)


def matrix_transpose(x, /):
    return S.matrix_transpose(x)


def cross(x1, x2, /, *, axis=-1):
    from .extra import cross as _cross
    return _cross(x1, x2, axis=axis)


def vecdot(x1, x2, /, *, axis=-1):
    from .matmul import vecdot as _vecdot
    return _vecdot(x1, x2, axis=axis)


def matmul(x1, x2, /):
    from .matmul import matmul as _matmul
    return _matmul(x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    from .matmul import tensordot as _td
    return _td(x1, x2, axes)


def tensorsolve(a, b, axes=None):
    a = _operand(a)
    b = asarray(_operand(b))
    a = asarray(a)
    if axes is not None:
        a = S.moveaxis(a, axes, tuple(range(_aval(a).ndim - len(axes), _aval(a).ndim)))
    bs = _aval(b).shape
    out_shape = _aval(a).shape[len(bs):]
    n = int(np.prod(bs))
    x = solve(lax.reshape(a, (n, int(np.prod(out_shape)))), lax.reshape(b, (n,)))
    return lax.reshape(x, out_shape)


def tensorinv(a, ind=2):
    a = asarray(_operand(a))
    sh = _aval(a).shape
    out_shape = sh[ind:] + sh[:ind]
    n = int(np.prod(sh[:ind]))
    return lax.reshape(inv(lax.reshape(a, (n, int(np.prod(sh[ind:]))))), out_shape)


# ---- eig: general (non-symmetric) eigendecomposition, an extern torch.linalg.eig call ---------
import torch  # noqa: E402

from ..ir.avals import ShapedArray  # noqa: E402
from ..interpreters.core import Primitive  # noqa: E402
from ..interpreters.jvp import Zero  # noqa: E402

__all__ += ["eig", "eigvals", "EigResult"]

EigResult = collections.namedtuple("EigResult", ["eigenvalues", "eigenvectors"])

eig_p = Primitive("eig", multiple_results=True)
eig_p.extern = "eig"

_EIG_COMPLEX = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128),
                np.dtype(np.complex64): np.dtype(np.complex64), np.dtype(np.complex128): np.dtype(np.complex128)}


def _eig_impl(x, compute_eigenvectors):
    """[w] or [w, v] from torch.linalg.eig; a matrix with a non-finite entry gives NaNs (as LAPACK
    in JAX) instead of torch's convergence error."""
    n = x.shape[-1]
    cdt = torch.complex64 if x.dtype in (torch.float32, torch.complex64) else torch.complex128
    if x.numel() == 0:
        w = torch.zeros(x.shape[:-1], dtype=cdt, device=x.device)
        v = torch.zeros(x.shape, dtype=cdt, device=x.device)
    else:
        bad = ~torch.isfinite(x).reshape(x.shape[:-2] + (n * n,)).all(-1)
        xs = torch.where(bad[..., None, None], torch.zeros_like(x), x) if bool(bad.any()) else x
        w, v = torch.linalg.eig(xs)
        if bool(bad.any()):
            nan = torch.tensor(complex(float("nan"), float("nan")), dtype=cdt, device=x.device)
            w = torch.where(bad[..., None], nan, w)
            v = torch.where(bad[..., None, None], nan, v)
    return [w, v] if compute_eigenvectors else [w]


def _eig_abstract(x, compute_eigenvectors):
    if x.ndim < 2:
        raise TypeError(f"Input 0 to eig must have rank at least 2, but got shape={x.shape}")
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"The input to eig must be a square matrix. Got shape {x.shape}.")
    if np.dtype(x.dtype) not in _EIG_COMPLEX:
        raise NotImplementedError(f"eig: unsupported dtype {x.dtype} (float32, float64, complex64 or "
                                  "complex128 are supported)")
    cdt = _EIG_COMPLEX[np.dtype(x.dtype)]
    w = ShapedArray(x.shape[:-1], cdt, False)
    return [w, ShapedArray(x.shape, cdt, False)] if compute_eigenvectors else [w]


def _eig_jvp(primals, tangents, compute_eigenvectors):
    (a,), (a_dot,) = primals, tangents
    if type(a_dot) is Zero:
        outs = eig_p.bind(a, compute_eigenvectors=compute_eigenvectors)
        return outs, [Zero(_aval(o)) for o in outs]
    if compute_eigenvectors:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that "
            "cannot be checked (see https://github.com/jax-ml/jax/issues/2748); jnp.linalg.eigvals is "
            "differentiable, jnp.linalg.eig is not.")
    w, v = eig_p.bind(a, compute_eigenvectors=True)
    cdt = _aval(w).dtype
    # dw_i = (V^-1 dA V)_ii, with V's columns the right eigenvectors
    da = lax.convert_element_type(a_dot, cdt)
    dw = LO.diagonal(solve(v, LO.matmul(da, v)))
    return [w], [dw]


eig_p.impl = _eig_impl
eig_p.abstract_eval = _eig_abstract
eig_p.jvp = _eig_jvp
LO._batch_front(eig_p)


def _eig_operand(a, name):
    a = _operand(a, f"{name} argument a")
    a = asarray(a) if type(a) in _SCALARS else a
    av = _aval(a)
    if not dtypes.is_inexact(av.dtype):
        a = lax.convert_element_type(a, dtypes.to_inexact(av.dtype))
    _eig_abstract(_aval(a), True)  # shape and dtype errors before any kernel runs
    return a


def eig(a):
    """EigResult(eigenvalues, eigenvectors) of a general square matrix (complex; eigenvectors are
    unit-norm columns). Not differentiable (as JAX's, for eigenvectors); use eigvals for gradients."""
    w, v = eig_p.bind(_eig_operand(a, "eig"), compute_eigenvectors=True)
    return EigResult(w, v)


def eigvals(a):
    """Eigenvalues (complex) of a general square matrix; differentiable."""
    (w,) = eig_p.bind(_eig_operand(a, "eigvals"), compute_eigenvectors=False)
    return w
