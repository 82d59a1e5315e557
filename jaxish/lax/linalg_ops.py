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


# =================================================================================================
# More of jax.lax.linalg: eig (left/right vectors), schur (an extern primitive), and compositions of
# the primitives above and jnp: hessenberg, tridiagonal, householder_product, ormqr,
# tridiagonal_solve (a primitive with JAX's jvp/transpose), symmetric_product, cholesky_update, qdwh.
# =================================================================================================
__all__ += ["eig", "schur", "hessenberg", "tridiagonal", "householder_product", "ormqr",
            "tridiagonal_solve", "symmetric_product", "cholesky_update", "qdwh", "EigImplementation",
            "schur_p", "tridiagonal_solve_p"]

import enum  # noqa: E402
import functools  # noqa: E402


def _jnp():
    from .. import numpy as jnp
    return jnp


class EigImplementation(enum.Enum):
    """Accepted for compatibility; jaxish always calls torch.linalg.eig."""
    CUSOLVER = "cusolver"
    MAGMA = "magma"
    LAPACK = "lapack"


def _geev_normalize(v):
    """Columns scaled to unit 2-norm with their largest-magnitude component real and positive."""
    jnp = _jnp()
    v = v / jnp.linalg.norm(v, axis=-2, keepdims=True).astype(v.dtype)
    k = jnp.argmax(jnp.abs(v), axis=-2, keepdims=True)
    big = jnp.take_along_axis(v, k, axis=-2)
    mag = jnp.abs(big)
    phase = jnp.where(mag == 0, 1.0, jnp.conj(big) / jnp.where(mag == 0, 1.0, mag).astype(v.dtype))
    return v * phase


def _eig_vec_tangent(w, v, da):
    """Nondegenerate perturbation theory under geev's normalisation (unit norm, largest entry real):
    (dw, dv) for right eigenvectors v of a matrix with eigenvalues w, along da."""
    jnp = _jnp()
    n = _aval(w).shape[-1]
    eye = jnp.eye(n, dtype=_aval(w).dtype)
    fmat = 1.0 / (eye + w[..., None, :] - w[..., :, None]) - eye
    p = jnp.matmul(jnp.linalg.solve(v, da), v)
    dw = jnp.diagonal(p, axis1=-2, axis2=-1)
    u = jnp.matmul(v, fmat * p)
    k = jnp.argmax(jnp.abs(v), axis=-2, keepdims=True)
    vk = jnp.take_along_axis(v, k, axis=-2)[..., 0, :]
    uk = jnp.take_along_axis(u, k, axis=-2)[..., 0, :]
    c = lax_complex(-jnp.real(jnp.sum(jnp.conj(v) * u, axis=-2)), -jnp.imag(uk) / jnp.real(vk))
    return dw, u + v * c[..., None, :]


def lax_complex(re, im):
    from .extras import complex as make_complex
    return make_complex(re, im)


@functools.lru_cache(maxsize=None)
def _eig_fn(left, right, derivs):
    from ..custom_derivatives import custom_jvp
    from ..numpy.linalg import eig_p as np_eig_p

    def outputs(a):
        jnp = _jnp()
        w, vr = np_eig_p.bind(a, compute_eigenvectors=True)
        out = [w]
        if left:
            # rows of vr^{-1} are the left eigenvectors (conjugated), in w's order
            vl = mH(jnp.linalg.inv(vr))
            out.append(_geev_normalize(vl))
        if right:
            out.append(vr)
        return out

    if not (left or right):
        def values(a):
            from ..numpy.linalg import eig_p as p
            return [p.bind(a, compute_eigenvectors=False)[0]]
        return values

    @custom_jvp
    def fn(a):
        return outputs(a)

    @fn.defjvp
    def fn_jvp(primals, tangents):
        (a,), (da,) = primals, tangents
        if not derivs:
            raise NotImplementedError(
                "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input "
                "that JAX cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass "
                "enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in. See "
                "https://github.com/jax-ml/jax/issues/2748 for discussion.")
        jnp = _jnp()
        out = outputs(a)
        w = out[0]
        cdt = _aval(w).dtype
        w_, vr = np_eig_p.bind(a, compute_eigenvectors=True)
        da = jnp.asarray(da).astype(cdt)
        dw, dvr = _eig_vec_tangent(w, vr, da)
        touts = [dw]
        if left:
            _, dvl = _eig_vec_tangent(jnp.conj(w), out[1], mH(da))
            touts.append(dvl)
        if right:
            touts.append(dvr)
        return out, touts
    return fn


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True, enable_eigvec_derivs=False,
        implementation=None, use_magma=None):
    """[w, vl, vr] (vl, vr only when asked): eigenvalues and unit-norm left/right eigenvectors (columns)
    of a general square matrix, complex. Eigenvalues differentiate; eigenvectors only with
    enable_eigvec_derivs=True (valid for distinct eigenvalues), as JAX."""
    from ..numpy.linalg import _eig_operand
    a = _eig_operand(x, "eig")
    fn = _eig_fn(bool(compute_left_eigenvectors), bool(compute_right_eigenvectors), bool(enable_eigvec_derivs))
    return list(fn(a))


# ---- schur: a torch extern (no derivative, as JAX's) ----------------------------------------------
schur_p = Primitive("schur", multiple_results=True)
schur_p.extern = "schur"


def _householder_to(v):
    """A unitary (n, n) numpy matrix whose first columns span the columns of v (n, k) (complete QR)."""
    q, _ = np.linalg.qr(v, mode="complete")
    return q


def _standardize_2x2(t, z, i):
    """Rotate rows/cols i, i+1 so the 2x2 block t[i:i+2, i:i+2] has equal diagonal entries (LAPACK's
    standard form for a complex-conjugate pair)."""
    p, q, r, s = t[i, i], t[i, i + 1], t[i + 1, i], t[i + 1, i + 1]
    theta = 0.5 * np.arctan2(s - p, q + r)  # zero of (p - s) cos 2t + (q + r) sin 2t
    c, sn = np.cos(theta), np.sin(theta)
    g = np.array([[c, -sn], [sn, c]])
    t[:, i:i + 2] = t[:, i:i + 2] @ g
    t[i:i + 2, :] = g.T @ t[i:i + 2, :]
    z[:, i:i + 2] = z[:, i:i + 2] @ g


def _schur_one(a):
    """(t, z) with a = z t z^H by deflation: an eigenvector (a real pair's invariant plane for real a)
    of the trailing block becomes the next Schur vector(s)."""
    n = a.shape[0]
    real = not np.iscomplexobj(a)
    z = np.eye(n, dtype=a.dtype)
    t = a.copy()
    i = 0
    blocks = []
    while i < n:
        sub = t[i:, i:]
        w, v = np.linalg.eig(sub)
        j = int(np.argmax(np.abs(w)))
        if real and w[j].imag != 0 and n - i >= 2:
            basis = np.stack([v[:, j].real, v[:, j].imag], axis=1)
            size = 2
        else:
            basis = (v[:, j].real if real else v[:, j])[:, None]
            size = 1
        q = _householder_to(basis).astype(a.dtype)
        t[:, i:] = t[:, i:] @ q
        t[i:, :] = q.conj().T @ t[i:, :]
        z[:, i:] = z[:, i:] @ q
        t[i + size:, i:i + size] = 0
        blocks.append((i, size))
        i += size
    if real:
        for i, size in blocks:
            if size == 2:
                _standardize_2x2(t, z, i)
    t = np.triu(t, -1)
    keep = np.zeros(n, dtype=bool)
    for i, size in blocks:
        if size == 2:
            keep[i] = True
    for i in range(n - 1):
        if not keep[i]:
            t[i + 1, i] = 0
    return t, z


def _schur_impl(x, compute_schur_vectors, sort_eig_vals, select_callable):
    xn = x.detach().cpu().numpy()
    flat = xn.reshape((-1,) + xn.shape[-2:])
    ts, zs = np.empty_like(flat), np.empty_like(flat)
    for b in range(flat.shape[0]):
        if not np.all(np.isfinite(flat[b])):
            ts[b] = np.nan
            zs[b] = np.nan
            continue
        ts[b], zs[b] = _schur_one(flat[b].astype(np.complex128 if np.iscomplexobj(flat) else np.float64))
    t = torch.from_numpy(ts.reshape(xn.shape)).to(x.device)
    z = torch.from_numpy(zs.reshape(xn.shape)).to(x.device)
    return [t, z] if compute_schur_vectors else [t]


def _schur_abstract(x, compute_schur_vectors, sort_eig_vals, select_callable):
    if x.ndim < 2:
        raise TypeError(f"Input 0 to schur must have rank at least 2, but got shape={x.shape}")
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"The input to schur must be a square matrix. Got shape {x.shape}.")
    if not dtypes.is_inexact(x.dtype):
        raise TypeError(f"schur does not accept dtype {x.dtype}: a floating-point or complex operand is required")
    out = ShapedArray(x.shape, x.dtype, False)
    return [out, out] if compute_schur_vectors else [out]


def _schur_jvp(primals, tangents, **params):
    raise NotImplementedError("Differentiation rule for 'schur' not implemented")


schur_p.impl = _schur_impl
schur_p.abstract_eval = _schur_abstract
schur_p.jvp = _schur_jvp
_batch_front(schur_p)


def schur(x, *, compute_schur_vectors=True, sort_eig_vals=False, select_callable=None):
    """(t, q) with x = q t q^H: t upper triangular (complex x) or quasi-upper triangular with 2x2
    blocks for complex-conjugate pairs (real x); [t] alone without compute_schur_vectors."""
    outs = schur_p.bind(x, compute_schur_vectors=bool(compute_schur_vectors), sort_eig_vals=bool(sort_eig_vals),
                        select_callable=None)
    return tuple(outs) if compute_schur_vectors else list(outs)


# ---- Householder reflectors in LAPACK's convention: H = I - tau u u^H, u = [0.., 1, v] ------------
def _larfg(alpha, x):
    """LAPACK larfg: (beta, tau, v) with H^H [alpha; x] = [beta; 0], beta real; tau = 0 (H = I) when
    x is zero and alpha is real."""
    jnp = _jnp()
    dt = _aval(alpha).dtype
    xnorm2 = jnp.sum(jnp.real(x * jnp.conj(x)), axis=-1)
    ar, ai = jnp.real(alpha), jnp.imag(alpha)
    trivial = (xnorm2 == 0) & (ai == 0)
    norm = jnp.sqrt(jnp.where(trivial, 1.0, ar * ar + ai * ai + xnorm2))
    beta = jnp.where(ar < 0, norm, -norm)
    beta_c = beta.astype(dt)
    tau = jnp.where(trivial, jnp.zeros_like(alpha), (beta_c - alpha) / beta_c)
    denom = jnp.where(trivial, jnp.ones_like(alpha), alpha - beta_c)
    v = jnp.where(trivial[..., None], x, x / denom[..., None])
    return jnp.where(trivial, ar, beta), tau, v


def _reflector(n, start, v, dt, batch):
    """u of length n: zeros before `start`, 1 at start, v after."""
    jnp = _jnp()
    head = jnp.zeros(batch + (start,), dt)
    return jnp.concatenate([head, jnp.ones(batch + (1,), dt), v.astype(dt)], axis=-1)


def _apply_left(tau, u, a):
    """(I - tau u u^H) @ a."""
    jnp = _jnp()
    w = jnp.matmul(jnp.conj(u)[..., None, :], a)  # u^H a, (..., 1, n)
    return a - (tau[..., None, None] * u[..., :, None]) * w


def _apply_right(a, tau, u):
    """a @ (I - tau u u^H)."""
    jnp = _jnp()
    w = jnp.matmul(a, u[..., :, None])  # a u, (..., m, 1)
    return a - (w * tau[..., None, None]) * jnp.conj(u)[..., None, :]


def _float_operand(name, x, square=True):
    jnp = _jnp()
    x = jnp.asarray(x)
    _check_float(name, _aval(x), square=square)
    return x


def hessenberg(a):
    """(a, taus) as LAPACK gehrd: the upper Hessenberg form on and above the first subdiagonal, the
    Householder vectors below it, and their scale factors taus (shape (..., n - 1))."""
    jnp = _jnp()
    a = _float_operand("hessenberg", a)
    av = _aval(a)
    n = av.shape[-1]
    batch = av.shape[:-2]
    taus, vecs = [], []
    for k in range(n - 1):  # the last reflector (empty x) makes a complex subdiagonal entry real
        beta, tau, v = _larfg(a[..., k + 1, k], a[..., k + 2:, k])
        u = _reflector(n, k + 1, v, av.dtype, batch)
        a = _apply_left(jnp.conj(tau), u, a)
        a = _apply_right(a, tau, u)
        taus.append(tau)
        vecs.append((k, beta, v))
    for k, beta, v in vecs:  # later reflections must not touch the stored vectors
        a = a.at[..., k + 1:, k].set(jnp.concatenate([beta.astype(av.dtype)[..., None], v], axis=-1))
    t = jnp.stack(taus, axis=-1) if taus else jnp.zeros(batch + (0,), av.dtype)
    return a, t


def tridiagonal(a, *, lower=True):
    """(a, d, e, taus) as LAPACK sytrd/hetrd of a Hermitian matrix read from one triangle: d the real
    diagonal, e the real off-diagonal, Householder vectors beyond it in that triangle (the other
    triangle is returned untouched), taus their scale factors."""
    jnp = _jnp()
    a = _float_operand("tridiagonal", a)
    av = _aval(a)
    n = av.shape[-1]
    batch = av.shape[:-2]
    dt = av.dtype
    rdt = _real_dtype(dt)
    orig = a
    half = jnp.tril(a, -1) if lower else jnp.triu(a, 1)
    s = half + jnp.conj(jnp.swapaxes(half, -1, -2)) + \
        jnp.real(jnp.diagonal(a, axis1=-2, axis2=-1)).astype(dt)[..., None, :] * jnp.eye(n, dtype=dt)
    taus, es = [], []
    steps = range(n - 1) if lower else range(n - 2, -1, -1)
    vecs = []
    for k in steps:
        if lower:
            beta, tau, v = _larfg(s[..., k + 1, k], s[..., k + 2:, k])
            u = _reflector(n, k + 1, v, dt, batch)
        else:
            beta, tau, v = _larfg(s[..., k, k + 1], s[..., :k, k + 1])
            u = jnp.concatenate([v.astype(dt), jnp.ones(batch + (1,), dt), jnp.zeros(batch + (n - k - 1,), dt)],
                                axis=-1)
        s = _apply_left(jnp.conj(tau), u, s)
        s = _apply_right(s, tau, u)
        taus.append(tau)
        es.append(beta.astype(rdt))
        vecs.append((k, beta, v))
    if not lower:
        taus, es = taus[::-1], es[::-1]
    d = jnp.real(jnp.diagonal(s, axis1=-2, axis2=-1)).astype(rdt)
    out = orig
    for k, beta, v in vecs:
        col = jnp.concatenate([beta.astype(dt)[..., None], v], axis=-1)
        if lower:
            out = out.at[..., k + 1:, k].set(col)
        else:
            out = out.at[..., :k + 1, k + 1].set(jnp.concatenate([v, beta.astype(dt)[..., None]], axis=-1))
    idx = jnp.arange(n)
    out = out.at[..., idx, idx].set(d.astype(dt))
    e = jnp.stack(es, axis=-1) if es else jnp.zeros(batch + (0,), rdt)
    t = jnp.stack(taus, axis=-1) if taus else jnp.zeros(batch + (0,), dt)
    return out, d, e, t


def householder_product(a, taus):
    """The first n columns of Q = H_0 H_1 ... H_{k-1} (LAPACK orgqr), H_i = I - taus_i u_i u_i^H with u_i
    read from column i of a below its diagonal (unit diagonal implied); shape of a (..., m, n)."""
    jnp = _jnp()
    a = _float_operand("householder_product", a, square=False)
    taus = jnp.asarray(taus)
    av, tv = _aval(a), _aval(taus)
    m, n = av.shape[-2:]
    if tv.ndim != av.ndim - 1 or tv.shape[:-1] != av.shape[:-2] or tv.shape[-1] > builtins.min(m, n):
        raise ValueError(f"householder_product: taus of shape {tv.shape} must be (..., k) with k <= min(m, n) "
                         f"and batch dims matching a of shape {av.shape}")
    if m < n:
        raise ValueError(f"householder_product requires m >= n, got a of shape {av.shape}")
    if tv.dtype != av.dtype:
        raise TypeError(f"householder_product requires a and taus of the same dtype, got {av.dtype} and {tv.dtype}")
    batch = av.shape[:-2]
    q = jnp.broadcast_to(jnp.eye(m, n, dtype=av.dtype), av.shape)
    for i in range(tv.shape[-1] - 1, -1, -1):
        u = _reflector(m, i, a[..., i + 1:, i], av.dtype, batch)
        q = _apply_left(taus[..., i], u, q)
    return q


def ormqr(a, taus, c, *, left=True, transpose=False):
    """Q @ c, Q^H @ c (transpose), c @ Q or c @ Q^H (left=False), Q = H_0 ... H_{k-1} the (full) orthogonal
    matrix of the reflectors in a (..., m, k') and taus (..., k), without forming Q."""
    jnp = _jnp()
    a = _float_operand("ormqr", a, square=False)
    taus, c = jnp.asarray(taus), jnp.asarray(c)
    av, tv, cv = _aval(a), _aval(taus), _aval(c)
    m = av.shape[-2]
    k = tv.shape[-1]
    nq = cv.shape[-2] if left else cv.shape[-1]
    if cv.ndim < 2 or nq != m or k > builtins.min(av.shape[-2:]):
        raise ValueError(f"ormqr: incompatible shapes a {av.shape}, taus {tv.shape}, c {cv.shape} "
                         f"(left={left})")
    batch = av.shape[:-2]
    order = range(k)
    # Q c = H0 (H1 (... c)): apply the last reflector first; Q^H c applies H0^H first.
    if left != bool(transpose):
        order = range(k - 1, -1, -1)
    for i in order:
        u = _reflector(m, i, a[..., i + 1:, i], av.dtype, batch)
        t = jnp.conj(taus[..., i]) if transpose else taus[..., i]
        c = _apply_left(t, u, c) if left else _apply_right(c, t, u)
    return c


# ---- tridiagonal_solve: a primitive (torch Gaussian elimination with partial pivoting, gtsv) -------
tridiagonal_solve_p = Primitive("tridiagonal_solve")
tridiagonal_solve_p.extern = "tridiagonal_solve"


def _gtsv_torch(dl, d, du, b):
    """Solve the tridiagonal systems (leading axes batch) like LAPACK gtsv; NaN where singular."""
    m = d.shape[-1]
    if m == 0 or b.numel() == 0:
        return b.clone()
    dl = [dl[..., i] for i in range(m)]
    d = [d[..., i] for i in range(m)]
    du = [du[..., i] for i in range(m)]
    du2 = [torch.zeros_like(d[0]) for _ in range(m)]
    b = [b[..., i, :] for i in range(m)]
    for i in range(m - 1):
        swap = d[i].abs() < dl[i + 1].abs()
        sw = swap[..., None]
        last = i == m - 2
        # without an interchange: eliminate row i + 1 with row i
        f1 = dl[i + 1] / torch.where(swap, torch.ones_like(d[i]), d[i])
        # with rows i and i + 1 interchanged
        f2 = d[i] / torch.where(swap, dl[i + 1], torch.ones_like(dl[i + 1]))
        d_i, d_next, du_i = d[i], d[i + 1], du[i]
        b_i, b_next = b[i], b[i + 1]
        d[i] = torch.where(swap, dl[i + 1], d_i)
        d[i + 1] = torch.where(swap, du_i - f2 * d_next, d_next - f1 * du_i)
        du[i] = torch.where(swap, d_next, du_i)
        if not last:
            du2[i] = torch.where(swap, du[i + 1], du2[i])
            du[i + 1] = torch.where(swap, -f2 * du[i + 1], du[i + 1])
        b[i] = torch.where(sw, b_next, b_i)
        b[i + 1] = torch.where(sw, b_i - f2[..., None] * b_next, b_next - f1[..., None] * b_i)
    x = [None] * m
    x[m - 1] = b[m - 1] / d[m - 1][..., None]
    if m > 1:
        x[m - 2] = (b[m - 2] - du[m - 2][..., None] * x[m - 1]) / d[m - 2][..., None]
    for i in range(m - 3, -1, -1):
        x[i] = (b[i] - du[i][..., None] * x[i + 1] - du2[i][..., None] * x[i + 2]) / d[i][..., None]
    out = torch.stack(x, dim=-2)
    bad = torch.stack([di == 0 for di in d], -1).any(-1)
    if bool(bad.any()):
        out = torch.where(bad[..., None, None], torch.full_like(out, float("nan")), out)
    return out


def _tds_impl(dl, d, du, b, perturb_singular):
    dtype = b.dtype
    return _gtsv_torch(dl.to(dtype), d.to(dtype), du.to(dtype), b)


def _tds_abstract(dl, d, du, b, perturb_singular):
    for name, x in (("dl", dl), ("d", d), ("du", du), ("b", b)):
        if not dtypes.is_inexact(x.dtype):
            raise TypeError(f"tridiagonal_solve does not accept dtype {x.dtype} for {name}: floating-point "
                            "or complex arrays are required")
    if dl.shape != d.shape or dl.shape != du.shape:
        raise TypeError("tridiagonal_solve requires that all diagonal arguments have the same shape, got "
                        f"{dl.shape}, {d.shape} and {du.shape}")
    if b.ndim < 2 or dl.shape != b.shape[:-1]:
        raise TypeError("tridiagonal_solve requires that the leading ndim-1 dimensions of b equal the "
                        f"dimensions of the diagonal arguments, got b of shape {b.shape} and diagonals "
                        f"of shape {d.shape}")
    if not (dl.dtype == d.dtype == du.dtype == b.dtype):
        raise TypeError("tridiagonal_solve requires arguments of one dtype, got "
                        f"{dl.dtype}, {d.dtype}, {du.dtype} and {b.dtype}")
    return ShapedArray(b.shape, b.dtype, False)


def _tridiagonal_product(dl, d, du, x):
    """A @ x for the tridiagonal A with diagonals (dl, d, du) (dl[0], du[-1] unused)."""
    jnp = _jnp()
    y = d[..., :, None] * x
    y = y.at[..., 1:, :].add(dl[..., 1:, None] * x[..., :-1, :])
    y = y.at[..., :-1, :].add(du[..., :-1, None] * x[..., 1:, :])
    return jnp.asarray(y)


def _tds_jvp(primals, tangents, perturb_singular):
    from ..interpreters.jvp import add_tangents, instantiate as instantiate_zeros
    dl, d, du, b = primals
    *diag_dots, b_dot = tangents
    ans = tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=perturb_singular)
    if all(type(t) is Zero for t in diag_dots):
        rhs = b_dot
    else:
        diag_dots = [instantiate_zeros(t) for t in diag_dots]
        rhs = add_tangents(b_dot, L.neg(_tridiagonal_product(*diag_dots, ans)))
    if type(rhs) is Zero:
        return ans, Zero(_aval(ans))
    return ans, tridiagonal_solve_p.bind(dl, d, du, rhs, perturb_singular=perturb_singular)


def _tds_transpose(ct, dl, d, du, b, perturb_singular):
    if is_undefined(dl) or is_undefined(d) or is_undefined(du):
        raise NotImplementedError("tridiagonal_solve is not linear in its diagonals")
    if type(ct) is Zero:
        return [None, None, None, Zero(b.aval)]
    jnp = _jnp()
    dl_t = jnp.concatenate([jnp.zeros_like(du[..., -1:]), du[..., :-1]], axis=-1)
    du_t = jnp.concatenate([dl[..., 1:], jnp.zeros_like(dl[..., :1])], axis=-1)
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct, perturb_singular=perturb_singular)]


tridiagonal_solve_p.impl = _tds_impl
tridiagonal_solve_p.abstract_eval = _tds_abstract
tridiagonal_solve_p.jvp = _tds_jvp
tridiagonal_solve_p.transpose = _tds_transpose
_batch_front(tridiagonal_solve_p)


def tridiagonal_solve(dl, d, du, b, *, perturb_singular=False):
    """x with A @ x = b for the tridiagonal A: dl[i] = A[i, i-1] (dl[0] unused), d[i] = A[i, i],
    du[i] = A[i, i+1] (du[-1] unused); b of shape (..., m, k). Differentiable in all four."""
    if perturb_singular:
        raise NotImplementedError("tridiagonal_solve(perturb_singular=True) is not supported by jaxish")
    jnp = _jnp()
    dl, d, du, b = (jnp.asarray(x) for x in (dl, d, du, b))
    return tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=False)


# ---- symmetric_product, cholesky_update ----------------------------------------------------------
def symmetric_product(a_matrix, c_matrix, *, alpha=1.0, beta=0.0, symmetrize_output=False):
    """alpha * a @ a^T + beta * c (real floating a, c); with symmetrize_output the upper triangle
    mirrors the lower one."""
    jnp = _jnp()
    a, c = jnp.asarray(a_matrix), jnp.asarray(c_matrix)
    av, cv = _aval(a), _aval(c)
    for name, x in (("a_matrix", av), ("c_matrix", cv)):
        if not dtypes.issubdtype(x.dtype, np.floating):
            raise TypeError(f"symmetric_product does not accept dtype {x.dtype} for {name}: subtypes of "
                            "floating are required")
    if av.ndim < 2 or cv.ndim < 2 or cv.shape[-1] != cv.shape[-2] or cv.shape[-1] != av.shape[-2] \
            or av.shape[:-2] != cv.shape[:-2]:
        raise TypeError(f"symmetric_product requires a of shape (..., m, n) and c of shape (..., m, m), got "
                        f"{av.shape} and {cv.shape}")
    if av.dtype != cv.dtype:
        raise TypeError(f"symmetric_product requires equal dtypes, got {av.dtype} and {cv.dtype}")
    out = alpha * jnp.matmul(a, jnp.swapaxes(a, -1, -2)) + beta * c
    out = out.astype(av.dtype)
    if symmetrize_output:
        out = jnp.tril(out) + jnp.swapaxes(jnp.tril(out, -1), -1, -2)
    return out


def cholesky_update(r_matrix, w_vector):
    """Upper R' with R'^T R' = R^T R + w w^T, for upper-triangular R (Givens rotations, O(n^2))."""
    jnp = _jnp()
    r, w = jnp.asarray(r_matrix), jnp.asarray(w_vector)
    rv, wv = _aval(r), _aval(w)
    if rv.ndim != 2 or rv.shape[0] != rv.shape[1] or wv.shape != (rv.shape[0],):
        raise TypeError(f"cholesky_update requires r of shape (n, n) and w of shape (n,), got {rv.shape} "
                        f"and {wv.shape}")
    if not dtypes.issubdtype(rv.dtype, np.floating) or rv.dtype != wv.dtype:
        raise TypeError(f"cholesky_update requires floating r and w of one dtype, got {rv.dtype} and {wv.dtype}")
    n = rv.shape[0]
    r = jnp.triu(r)
    for k in range(n):
        rkk, wk = r[k, k], w[k]
        rad = jnp.sqrt(rkk * rkk + wk * wk)
        c, s = rad / rkk, wk / rkk
        row = (r[k, k + 1:] + s * w[k + 1:]) / c
        w = w.at[k + 1:].set(c * w[k + 1:] - s * row)
        r = r.at[k, k].set(rad).at[k, k + 1:].set(row)
    return r


# ---- qdwh: QR-based dynamically weighted Halley iteration for the polar decomposition ------------
def _qdwh_coefficients(eps, max_iterations):
    """The static (a, b, c) schedule: the iterate's smallest singular value bound l grows to 1."""
    l, tol_l = eps, 10.0 * eps / 2.0
    coefs, k = [], 0
    while l + tol_l < 1 and k < max_iterations:
        k += 1
        l2 = l * l
        dd = (4 * (1 / l2 - 1) / l2) ** (1 / 3)
        sqd = (1.0 + dd) ** 0.5
        a = sqd + (2 - dd + 2 * (2 - l2) / (l2 * sqd)) ** 0.5
        b = (a - 1) ** 2 / 4
        c = a + b - 1
        l = l * (a + b * l2) / (1 + c * l2)
        coefs.append((a, b, c))
    return coefs


def _qdwh_qr_step(u, a, b, c):
    jnp = _jnp()
    m, n = _aval(u).shape
    e = b / c
    sqrt_c = c ** 0.5
    y = jnp.concatenate([sqrt_c * u, jnp.eye(n, dtype=_aval(u).dtype)], axis=0)
    q, _ = qr(y, full_matrices=False)
    q1, q2 = q[:m], q[m:]
    return e * u + ((a - e) / sqrt_c) * jnp.matmul(q1, mH(q2))


def _qdwh_chol_step(u, a, b, c):
    jnp = _jnp()
    n = _aval(u).shape[1]
    e = b / c
    x = c * jnp.matmul(mH(u), u) + jnp.eye(n, dtype=_aval(u).dtype)
    y = cholesky(x, symmetrize_input=False)
    # z = u x^{-1}: solve x z^H = u^H with x = y y^H
    z = triangular_solve(y, mH(u), left_side=True, lower=True)
    z = triangular_solve(y, z, left_side=True, lower=True, transpose_a=True, conjugate_a=True)
    return e * u + (a - e) * mH(z)


def qdwh(x, *, is_hermitian=False, max_iterations=None, eps=None, dynamic_shape=None):
    """(u, h, num_iters, is_converged): x = u @ h with u having orthonormal columns and h Hermitian
    positive semidefinite, by QDWH (Nakatsukasa, Bai, Gygi 2010); x of shape (m, n), m >= n."""
    jnp = _jnp()
    from .control_flow import while_loop
    if dynamic_shape is not None:
        raise NotImplementedError("qdwh(dynamic_shape=...) is not supported by jaxish")
    x = _float_operand("qdwh", x, square=False)
    xv = _aval(x)
    if xv.ndim != 2:
        raise ValueError(f"qdwh requires a matrix of rank 2, got shape {xv.shape}")
    m, n = xv.shape
    if m < n:
        raise ValueError("The input matrix of shape M x N must have M >= N.")
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    if eps is None:
        eps = float(np.finfo(_real_dtype(xv.dtype)).eps)
    one_norm = jnp.max(jnp.sum(jnp.abs(x), axis=0))
    inf_norm = jnp.max(jnp.sum(jnp.abs(x), axis=1))
    scale = jnp.where(one_norm == 0, 1.0, 1.0 / jnp.sqrt(jnp.where(one_norm == 0, 1.0, one_norm * inf_norm)))
    u = x * scale.astype(xv.dtype)
    tol_norm = (10.0 * eps / 2.0) ** (1 / 3)
    coefs = _qdwh_coefficients(eps, max_iterations)
    not_converged = jnp.asarray(True)
    for a, b, c in coefs:
        if c > 100:
            u = _qdwh_qr_step(u, a, b, c)
        else:
            prev = u
            u = _qdwh_chol_step(u, a, b, c)
            not_converged = jnp.linalg.norm(u - prev) > tol_norm

    def cond_fun(state):
        k, _, nc = state
        return jnp.logical_and(nc, k < max_iterations)

    def body_fun(state):
        k, u, _ = state
        new = _qdwh_chol_step(u, 3.0, 1.0, 3.0)
        return k + 1, new, jnp.linalg.norm(new - u) > tol_norm

    k0 = jnp.asarray(len(coefs), dtype=dtypes.int32)
    num_iters, u, not_converged = while_loop(cond_fun, body_fun, (k0, u, not_converged))
    u = 1.5 * u - 0.5 * jnp.matmul(u, jnp.matmul(mH(u), u))
    h = jnp.matmul(mH(u), x)
    h = (h + mH(h)) / 2
    return u, h, num_iters, jnp.logical_not(not_converged)
