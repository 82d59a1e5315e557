"""Matrix decompositions as extern primitives (torch.linalg in every backend): cholesky,
triangular_solve, lu, qr, svd, eigh. Each acts on the two trailing axes (leading axes batch)
and carries JAX's forward-mode rule; reverse mode comes from transposing those linear rules
(triangular_solve is linear in its right-hand side and has a transpose rule)."""
import builtins

import numpy as np
import torch

from .. import dtypes
from ..ir.avals import ShapedArray
from ..interpreters import core
from ..interpreters.core import Primitive
from ..interpreters.jvp import Zero
from ..interpreters.transpose import is_undefined
from . import _ops as L

__all__ = ["cholesky", "triangular_solve", "lu", "lu_pivots_to_permutation", "qr", "svd", "eigh"]


def _aval(x):
    return core.get_aval(x)


# ---- small matrix helpers (bind primitives; usable inside rules on any trace) ----------------
def mT(x):
    """Swap the two trailing axes."""
    nd = _aval(x).ndim
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    return L.transpose(x, perm)


def conj(x):
    return L.conj(x) if dtypes.is_complex(_aval(x).dtype) else x


def mH(x):
    return conj(mT(x))


def real(x):
    from .elementwise import real_p
    return real_p.bind(x) if dtypes.is_complex(_aval(x).dtype) else x


def matmul(a, b):
    """a @ b for operands of equal rank >= 2 with equal leading (batch) shapes."""
    from .linalg import dot_general_p
    nd = _aval(a).ndim
    nb = nd - 2
    dn = (((nd - 1,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    return dot_general_p.bind(a, b, dimension_numbers=dn, precision=None, preferred_element_type=None)


def _mask(shape, k, lower):
    from .shape import iota_p
    m, n = shape[-2:]
    r = iota_p.bind(dtype=dtypes.int32, shape=(m, n), dimension=0)
    c = iota_p.bind(dtype=dtypes.int32, shape=(m, n), dimension=1)
    d = L.sub(c, r)  # column - row
    return L.le(d, k) if lower else L.ge(d, k)


def tril(x, k=0):
    a = _aval(x)
    return L.select(_mask(a.shape, k, True), x, L.zeros_like(x))


def triu(x, k=0):
    a = _aval(x)
    return L.select(_mask(a.shape, k, False), x, L.zeros_like(x))


def eye_like(x, n=None, dtype=None):
    """An identity of x's trailing size (or n) and x's dtype, shaped (n, n)."""
    a = _aval(x)
    n = a.shape[-1] if n is None else n
    from .shape import iota_p
    r = iota_p.bind(dtype=dtypes.int32, shape=(n, n), dimension=0)
    c = iota_p.bind(dtype=dtypes.int32, shape=(n, n), dimension=1)
    return L.convert(L.eq(r, c), dtype or a.dtype)


def diagonal(x):
    """The main diagonal over the two trailing axes: shape (..., min(m, n))."""
    a = _aval(x)
    m, n = a.shape[-2:]
    k = builtins.min(m, n)
    from .shape import iota_p
    from .indexing import take_along_axis
    sl = x
    if m != k or n != k:
        from .shape import slice_p
        sl = slice_p.bind(x, start_indices=(0,) * a.ndim, limit_indices=a.shape[:-2] + (k, k), strides=None)
    idx = iota_p.bind(dtype=dtypes.int32, shape=a.shape[:-2] + (1, k), dimension=a.ndim - 1)
    out = take_along_axis(sl, idx, a.ndim - 2)
    return L.reshape(out, a.shape[:-2] + (k,))


def _batch_front(prim):
    """Batch rule for primitives acting on trailing axes: move the batch axis to the front."""
    def rule(vals, dims, **params):
        size = next(_aval(v).shape[d] for v, d in zip(vals, dims) if d is not None)
        from ..interpreters.batching import bdim_to_front
        vals = [bdim_to_front(v, d, size) for v, d in zip(vals, dims)]
        out = prim.bind(*vals, **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    prim.batch = rule
    return rule


def _check_float(name, aval, square=True):
    if aval.ndim < 2:
        raise ValueError(f"{name} requires an operand of rank >= 2, got shape {aval.shape}")
    if square and aval.shape[-1] != aval.shape[-2]:
        raise ValueError(f"{name} requires square matrices, got shape {aval.shape}")
    if not dtypes.is_inexact(aval.dtype):
        raise TypeError(f"{name} requires a floating-point or complex operand, got {aval.dtype}")


def _real_dtype(dtype):
    return {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}.get(np.dtype(dtype), np.dtype(dtype))


# ---- cholesky ---------------------------------------------------------------------------------
cholesky_p = Primitive("cholesky")
cholesky_p.extern = "cholesky"


def _cholesky_impl(x):
    if x.numel() == 0:
        return x.clone()
    c, info = torch.linalg.cholesky_ex(x)
    bad = (info != 0)
    if bool(bad.any()):
        c = torch.where(bad[..., None, None], torch.full_like(c, float("nan")), c)
    return c


def _cholesky_abstract(x):
    _check_float("cholesky", x)
    return ShapedArray(x.shape, x.dtype, x.weak_type)


def _cholesky_jvp(primals, tangents):
    (x,), (sigma_dot,) = primals, tangents
    c = cholesky_p.bind(x)
    if type(sigma_dot) is Zero:
        return c, Zero(_aval(c))
    # L^{-1} dA L^{-H}, keep its lower triangle with the diagonal halved, then multiply by L
    tmp = triangular_solve(c, sigma_dot, left_side=False, lower=True, transpose_a=True, conjugate_a=True)
    inner = triangular_solve(c, tmp, left_side=True, lower=True)
    n = _aval(x).shape[-1]
    phi = L.mul(tril(inner), L.sub(1.0, L.mul(eye_like(x, n), 0.5)))
    return c, matmul(c, phi)


cholesky_p.impl = _cholesky_impl
cholesky_p.abstract_eval = _cholesky_abstract
cholesky_p.jvp = _cholesky_jvp
_batch_front(cholesky_p)


def cholesky(x, symmetrize_input=True):
    """Lower Cholesky factor (NaNs where x is not positive definite)."""
    if symmetrize_input:
        x = L.div(L.add(x, mH(x)), 2.0)
    return cholesky_p.bind(x)


# ---- triangular_solve -------------------------------------------------------------------------
triangular_solve_p = Primitive("triangular_solve")
triangular_solve_p.extern = "triangular_solve"


def _tri_impl(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    if b.numel() == 0 or a.numel() == 0:
        return b.clone()
    if conjugate_a and a.is_complex():
        a = a.conj()
    upper = not lower
    if transpose_a:
        a = a.mT
        upper = not upper
    if b.dtype != a.dtype:
        b = b.to(a.dtype)
    shape = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = a.expand(shape + a.shape[-2:])
    b = b.expand(shape + b.shape[-2:])
    return torch.linalg.solve_triangular(a, b, upper=upper, left=left_side, unitriangular=unit_diagonal)


def _tri_abstract(a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    _check_float("triangular_solve", a)
    if b.ndim != a.ndim:
        raise TypeError(f"triangular_solve requires a and b to have equal ranks, got {a.shape} and {b.shape}")
    if a.shape[:-2] != b.shape[:-2]:
        raise TypeError(f"triangular_solve requires equal batch dimensions, got {a.shape} and {b.shape}")
    m = b.shape[-2] if left_side else b.shape[-1]
    if m != a.shape[-1]:
        side = "left" if left_side else "right"
        raise TypeError(f"triangular_solve ({side}_side) requires a of shape (..., {m}, {m}) to match "
                        f"b of shape {b.shape}, got a of shape {a.shape}")
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve requires a and b of the same dtype, got {a.dtype} and {b.dtype}")
    return ShapedArray(b.shape, b.dtype, b.weak_type)


def _tri_jvp(primals, tangents, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a, b = primals
    ga, gb = tangents
    kw = dict(left_side=left_side, lower=lower, transpose_a=transpose_a, conjugate_a=conjugate_a,
              unit_diagonal=unit_diagonal)
    ans = triangular_solve_p.bind(a, b, **kw)
    t = Zero(_aval(ans))
    if type(gb) is not Zero:
        t = triangular_solve_p.bind(a, gb, **kw)
    if type(ga) is not Zero:
        k = 1 if unit_diagonal else 0
        g = tril(ga, -k) if lower else triu(ga, k)
        g = L.neg(g)
        if transpose_a:
            g = mT(g)
        if conjugate_a:
            g = conj(g)
        m, n = _aval(b).shape[-2:]
        inv = lambda rhs: triangular_solve_p.bind(a, rhs, **kw)
        if left_side:
            ta = inv(matmul(g, ans)) if m > n else matmul(inv(g), ans)
        else:
            ta = inv(matmul(ans, g)) if m < n else matmul(ans, inv(g))
        from ..interpreters.jvp import add_tangents
        t = add_tangents(t, ta)
    return ans, t


def _tri_transpose(ct, a, b, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    if is_undefined(a):
        raise NotImplementedError("triangular_solve is not linear in its matrix argument")
    if type(ct) is Zero:
        return [None, Zero(b.aval)]
    return [None, triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower,
                                          transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                          unit_diagonal=unit_diagonal)]


triangular_solve_p.impl = _tri_impl
triangular_solve_p.abstract_eval = _tri_abstract
triangular_solve_p.jvp = _tri_jvp
triangular_solve_p.transpose = _tri_transpose
_batch_front(triangular_solve_p)


def triangular_solve(a, b, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                     unit_diagonal=False):
    """Solve op(a) @ x = b (left_side) or x @ op(a) = b with a triangular; as lax.linalg."""
    aa, ba = _aval(a), _aval(b)
    if ba.dtype != aa.dtype and ba.weak_type:
        b = L.convert(b, aa.dtype)
    return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                   transpose_a=bool(transpose_a), conjugate_a=bool(conjugate_a),
                                   unit_diagonal=bool(unit_diagonal))


# ---- lu ---------------------------------------------------------------------------------------
lu_p = Primitive("lu", multiple_results=True)
lu_p.extern = "lu"


def _pivots_to_perm_torch(piv, m):
    batch = piv.shape[:-1]
    perm = torch.arange(m, device=piv.device).expand(batch + (m,)).clone()
    for i in range(piv.shape[-1]):
        j = piv[..., i].to(torch.int64)
        pi = perm[..., i].clone()
        pj = torch.take_along_dim(perm, j[..., None], -1)[..., 0]
        perm[..., i] = pj
        perm.scatter_(-1, j[..., None], pi[..., None])
    return perm


def _lu_impl(x):
    m, n = x.shape[-2:]
    k = builtins.min(m, n)
    if x.numel() == 0:
        batch = x.shape[:-2]
        return [x.clone(), torch.zeros(batch + (k,), dtype=torch.int32, device=x.device),
                torch.arange(m, dtype=torch.int32, device=x.device).expand(batch + (m,)).clone()]
    lu, piv, _ = torch.linalg.lu_factor_ex(x)
    piv = piv.to(torch.int64) - 1
    perm = _pivots_to_perm_torch(piv, m)
    return [lu, piv.to(torch.int32), perm.to(torch.int32)]


def _lu_abstract(x):
    _check_float("lu", x, square=False)
    m, n = x.shape[-2:]
    batch = x.shape[:-2]
    return [ShapedArray(x.shape, x.dtype, x.weak_type),
            ShapedArray(batch + (builtins.min(m, n),), dtypes.int32, False),
            ShapedArray(batch + (m,), dtypes.int32, False)]


def _lu_jvp(primals, tangents):
    (a,), (a_dot,) = primals, tangents
    lu, piv, perm = lu_p.bind(a)
    zeros_i = [Zero(_aval(piv)), Zero(_aval(perm))]
    if type(a_dot) is Zero:
        return [lu, piv, perm], [Zero(_aval(lu))] + zeros_i
    shape = _aval(a).shape
    m, n = shape[-2:]
    k = builtins.min(m, n)
    nd = len(shape)
    from .indexing import take_along_axis
    from .shape import pad_p, slice_p
    # x = P A': permute the tangent's rows like the factorization did
    idx = L.broadcast_in_dim(L.reshape(perm, shape[:-2] + (m, 1)), shape[:-2] + (m, n), tuple(range(nd)))
    x = take_along_axis(a_dot, idx, nd - 2)
    zero = 0.0
    l_part = slice_p.bind(lu, start_indices=(0,) * nd, limit_indices=shape[:-1] + (k,), strides=None)
    l = pad_p.bind(tril(l_part, -1), zero, padding_config=((0, 0, 0),) * (nd - 1) + ((0, m - k, 0),))
    l = L.add(l, eye_like(a, m))
    u_part = slice_p.bind(lu, start_indices=(0,) * nd, limit_indices=shape[:-2] + (k, n), strides=None)
    u = pad_p.bind(triu(u_part), zero, padding_config=((0, 0, 0),) * (nd - 2) + ((0, n - k, 0), (0, 0, 0)))
    if n > k:
        u_eye = pad_p.bind(eye_like(a, n - k), zero, padding_config=((k, 0, 0), (k, 0, 0)))
        u = L.add(u, u_eye)
    la = triangular_solve(l, x, left_side=True, lower=True, unit_diagonal=True)
    lau = triangular_solve(u, la, left_side=False, lower=False)
    l_dot = matmul(l, tril(lau, -1))
    u_dot = matmul(triu(lau), u)
    lu_dot = L.add(l_dot, u_dot)
    return [lu, piv, perm], [lu_dot] + zeros_i


lu_p.impl = _lu_impl
lu_p.abstract_eval = _lu_abstract
lu_p.jvp = _lu_jvp
lu_p.weak_type_rule = lambda weaks, **_: False
_batch_front(lu_p)


def lu(x):
    """(lu, pivots, permutation): PA = LU with L unit lower (below lu's diagonal), U upper."""
    lu_, piv, perm = lu_p.bind(x)
    return lu_, piv, perm


def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation made by applying the row swaps i <-> pivots[..., i] in order (traceable)."""
    from .indexing import gather_nd_p, scatter_nd_p
    from .shape import iota_p
    pa = _aval(pivots)
    m = int(permutation_size)
    k = pa.shape[-1]
    batch = pa.shape[:-1]
    nb = int(np.prod(batch, dtype=np.int64))
    piv = L.reshape(L.convert(pivots, dtypes.int32), (nb, k))
    perm = iota_p.bind(dtype=dtypes.int32, shape=(nb, m), dimension=1)
    rows = iota_p.bind(dtype=dtypes.int32, shape=(nb,), dimension=0)
    for i in range(k):
        col = L.full_like(rows, i)
        j = gather_nd_p.bind(piv, rows, col, mode="clip", fill_value=None)
        pj = gather_nd_p.bind(perm, rows, j, mode="clip", fill_value=None)
        pi = gather_nd_p.bind(perm, rows, col, mode="clip", fill_value=None)
        perm = scatter_nd_p.bind(perm, pj, rows, col, mode="set")
        perm = scatter_nd_p.bind(perm, pi, rows, j, mode="set")
    return L.reshape(perm, batch + (m,))


# ---- qr ---------------------------------------------------------------------------------------
qr_p = Primitive("qr", multiple_results=True)
qr_p.extern = "qr"


def _qr_impl(x, full_matrices):
    if x.numel() == 0:
        m, n = x.shape[-2:]
        k = m if full_matrices else builtins.min(m, n)
        batch = x.shape[:-2]
        q = torch.eye(m, k, dtype=x.dtype, device=x.device).expand(batch + (m, k)).clone()
        return [q, torch.zeros(batch + (k, n), dtype=x.dtype, device=x.device)]
    q, r = torch.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return [q, r]


def _qr_abstract(x, full_matrices):
    _check_float("qr", x, square=False)
    m, n = x.shape[-2:]
    k = m if full_matrices else builtins.min(m, n)
    batch = x.shape[:-2]
    return [ShapedArray(batch + (m, k), x.dtype, x.weak_type), ShapedArray(batch + (k, n), x.dtype, x.weak_type)]


def _qr_jvp(primals, tangents, full_matrices):
    (x,), (dx,) = primals, tangents
    q, r = qr_p.bind(x, full_matrices=full_matrices)
    if type(dx) is Zero:
        return [q, r], [Zero(_aval(q)), Zero(_aval(r))]
    m, n = _aval(x).shape[-2:]
    if m < n or (full_matrices and m != n):
        raise NotImplementedError("Unimplemented case of QR decomposition derivative "
                                  f"(shape {_aval(x).shape}, full_matrices={full_matrices})")
    dx_rinv = triangular_solve(r, dx)  # dx @ r^{-1}
    qt_dx_rinv = matmul(mH(q), dx_rinv)
    low = tril(qt_dx_rinv, -1)
    do = L.sub(low, mH(low))  # skew-symmetric
    if dtypes.is_complex(_aval(x).dtype):
        im = L.sub(qt_dx_rinv, L.convert(real(qt_dx_rinv), _aval(x).dtype))
        do = L.add(do, L.mul(eye_like(x, n), im))
    dq = L.add(matmul(q, L.sub(do, qt_dx_rinv)), dx_rinv)
    dr = matmul(L.sub(qt_dx_rinv, do), r)
    return [q, r], [dq, dr]


qr_p.impl = _qr_impl
qr_p.abstract_eval = _qr_abstract
qr_p.jvp = _qr_jvp
_batch_front(qr_p)


def qr(x, full_matrices=True):
    """(q, r) with x = q @ r; full_matrices picks complete (m, m) or reduced (m, k) q."""
    q, r = qr_p.bind(x, full_matrices=bool(full_matrices))
    return q, r


# ---- svd --------------------------------------------------------------------------------------
svd_p = Primitive("svd", multiple_results=True)
svd_p.extern = "svd"


def _svd_impl(x, full_matrices, compute_uv):
    if not compute_uv:
        return [torch.linalg.svdvals(x)]
    u, s, vh = torch.linalg.svd(x, full_matrices=full_matrices)
    return [s, u, vh]


def _svd_abstract(x, full_matrices, compute_uv):
    _check_float("svd", x, square=False)
    m, n = x.shape[-2:]
    k = builtins.min(m, n)
    batch = x.shape[:-2]
    s = ShapedArray(batch + (k,), _real_dtype(x.dtype), x.weak_type)
    if not compute_uv:
        return [s]
    um, vn = (m, n) if full_matrices else (k, k)
    return [s, ShapedArray(batch + (m, um), x.dtype, x.weak_type), ShapedArray(batch + (vn, n), x.dtype, x.weak_type)]


def _svd_jvp(primals, tangents, full_matrices, compute_uv):
    (A,), (dA,) = primals, tangents
    outs = svd_p.bind(A, full_matrices=full_matrices, compute_uv=compute_uv)
    if type(dA) is Zero:
        return outs, [Zero(_aval(o)) for o in outs]
    if compute_uv and full_matrices:
        m, n = _aval(A).shape[-2:]
        if m != n:
            raise NotImplementedError("Singular value decomposition JVP not implemented for full matrices")
    s, U, Vt = svd_p.bind(A, full_matrices=False, compute_uv=True)
    dt = _aval(A).dtype
    Ut, V = mH(U), mH(Vt)
    k = _aval(s).shape[-1]
    batch = _aval(s).shape[:-1]
    s_row = L.reshape(s, batch + (1, k))  # s[..., None, :]
    s_col = L.reshape(s, batch + (k, 1))
    dS = matmul(matmul(Ut, dA), V)
    ds = real(diagonal(dS))
    if not compute_uv:
        return outs, [ds]
    eye = eye_like(s, k)
    s_diffs = L.mul(L.add(s_row, s_col), L.sub(s_row, s_col))
    F = L.sub(L.div(1.0, L.add(s_diffs, eye)), eye)
    s_row_c = L.convert(s_row, dt)
    s_col_c = L.convert(s_col, dt)
    dSS = L.mul(s_row_c, dS)
    SdS = L.mul(s_col_c, dS)
    s_zeros = L.convert(L.eq(s, 0.0), _aval(s).dtype)
    s_inv = L.sub(L.div(1.0, L.add(s, s_zeros)), s_zeros)
    s_inv_mat = L.mul(eye, L.reshape(s_inv, batch + (1, k)))
    Fc = L.convert(F, dt)
    dUdV_diag = L.mul(L.mul(L.sub(dS, mH(dS)), L.convert(s_inv_mat, dt)), 0.5)
    dU = matmul(U, L.add(L.mul(Fc, L.add(dSS, mH(dSS))), dUdV_diag))
    dV = matmul(V, L.mul(Fc, L.add(SdS, mH(SdS))))
    m, n = _aval(A).shape[-2:]
    if m > n:
        dAV = matmul(dA, V)
        dU = L.add(dU, L.div(L.sub(dAV, matmul(U, matmul(Ut, dAV))), s_row_c))
    if n > m:
        dAHU = matmul(mH(dA), U)
        dV = L.add(dV, L.div(L.sub(dAHU, matmul(V, matmul(Vt, dAHU))), s_row_c))
    return [s, U, Vt], [ds, dU, mH(dV)]


svd_p.impl = _svd_impl
svd_p.abstract_eval = _svd_abstract
svd_p.jvp = _svd_jvp
_batch_front(svd_p)


def svd(x, full_matrices=True, compute_uv=True):
    """lax.linalg.svd: (u, s, vh) when compute_uv, else s (singular values, descending)."""
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if not compute_uv:
        return outs[0]
    s, u, vh = outs
    return u, s, vh


# ---- eigh -------------------------------------------------------------------------------------
eigh_p = Primitive("eigh", multiple_results=True)
eigh_p.extern = "eigh"


def _eigh_impl(x, lower, sort_eigenvalues):
    if x.numel() == 0:
        batch, n = x.shape[:-2], x.shape[-1]
        return [x.clone(), torch.zeros(batch + (n,), dtype=x.real.dtype if x.is_complex() else x.dtype,
                                       device=x.device)]
    w, v = torch.linalg.eigh(x, UPLO="L" if lower else "U")
    return [v, w]


def _eigh_abstract(x, lower, sort_eigenvalues):
    _check_float("eigh", x)
    return [ShapedArray(x.shape, x.dtype, x.weak_type),
            ShapedArray(x.shape[:-1], _real_dtype(x.dtype), x.weak_type)]


def _eigh_jvp(primals, tangents, lower, sort_eigenvalues):
    (a,), (a_dot,) = primals, tangents
    v, w_real = eigh_p.bind(a, lower=lower, sort_eigenvalues=sort_eigenvalues)
    if type(a_dot) is Zero:
        return [v, w_real], [Zero(_aval(v)), Zero(_aval(w_real))]
    # The rule assumes a symmetric tangent, like JAX's (the public eigh symmetrizes its input).
    dt = _aval(a).dtype
    n = _aval(a).shape[-1]
    batch = _aval(w_real).shape[:-1]
    w = L.convert(w_real, dt)
    eye = eye_like(a, n)
    diff = L.sub(L.reshape(w, batch + (1, n)), L.reshape(w, batch + (n, 1)))
    Fmat = L.sub(L.integer_pow(L.add(eye, diff), -1), eye)
    vdag_adot_v = matmul(matmul(mH(v), a_dot), v)
    dv = matmul(v, L.mul(Fmat, vdag_adot_v))
    dw = real(diagonal(vdag_adot_v))
    return [v, w_real], [dv, dw]


eigh_p.impl = _eigh_impl
eigh_p.abstract_eval = _eigh_abstract
eigh_p.jvp = _eigh_jvp
_batch_front(eigh_p)


def eigh(x, lower=True, symmetrize_input=True, sort_eigenvalues=True):
    """lax.linalg.eigh: (v, w), eigenvectors as columns of v, eigenvalues w ascending."""
    if symmetrize_input:
        x = L.div(L.add(x, mH(x)), 2.0)
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues))
    return v, w
