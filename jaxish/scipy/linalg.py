"""jax.scipy.linalg on the lax.linalg decompositions (cholesky, triangular_solve, lu, qr, svd, eigh)
and jnp, so every function differentiates, vmaps (leading axes batch) and jits through their rules."""
import builtins

import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core
from ..lax import linalg_ops as LO
from ..numpy import linalg as NL
from ..numpy._core import _array, _promote_to_inexact

__all__ = ["cholesky", "cho_factor", "cho_solve", "solve_triangular", "solve", "inv", "det", "lu", "lu_factor",
           "lu_solve", "qr", "svd", "eigh", "expm", "block_diag", "toeplitz", "circulant", "hankel", "hilbert",
           "companion", "polar", "hessenberg"]


def _aval(x):
    return core.get_aval(x)


def _desc(x):
    av = _aval(x)
    return f"shape {av.shape} and dtype {av.dtype}"


def _inexact(name, *xs):
    xs = [_array(x, f"{name} argument") for x in xs]
    out = [_array(x) for x in _promote_to_inexact(name, *xs)]
    return out if len(out) > 1 else out[0]


def _square(name, a, argname="a"):
    a = _inexact(name, a)
    av = _aval(a)
    if av.ndim < 2 or av.shape[-1] != av.shape[-2]:
        raise ValueError(f"{name}: argument {argname} must have shape [..., n, n], got {_desc(a)}")
    return a


def _matrix(name, a, argname="a"):
    a = _inexact(name, a)
    if _aval(a).ndim < 2:
        raise ValueError(f"{name}: argument {argname} must have at least 2 dimensions, got {_desc(a)}")
    return a


def _rhs(name, a, b, vector=None):
    """b as a (batched) matrix broadcast against a's batch dims; a (batched) vector when `vector`,
    by default when a.ndim == b.ndim + 1."""
    a, b = _inexact(name, a, b)
    av, bv = _aval(a), _aval(b)
    if bv.ndim < 1:
        raise ValueError(f"{name}: b must have at least 1 dimension, got {_desc(b)}")
    if vector is None:
        vector = av.ndim == bv.ndim + 1
    n = av.shape[-1]
    if (bv.shape[-1] if vector else bv.shape[-2] if bv.ndim >= 2 else None) != n:
        raise ValueError(f"{name}: a of {_desc(a)} and b of {_desc(b)} do not match "
                         f"(b's {'last' if vector else 'second to last'} axis must be {n})")
    if vector:
        b = lax.reshape(b, bv.shape + (1,))
    a, b = NL._bcast_batch(a, b)
    return a, b, vector


def _unvector(x, vector):
    return lax.reshape(x, _aval(x).shape[:-1]) if vector else x


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Cholesky factor of a Hermitian positive-definite matrix: upper (a = U^H U) unless lower=True."""
    a = _square("cholesky", a)
    c = LO.cholesky(a)
    return c if lower else LO.mH(c)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """(c, lower) for cho_solve; the other triangle of c is zero."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """x with a @ x = b from a's Cholesky factor (c, lower)."""
    c, lower = c_and_lower
    c = _square("cho_solve", c, "c")
    b = _array(b, "cho_solve argument b")
    c, b, vector = _rhs("cho_solve", c, b, vector=_aval(b).ndim == 1 or None)
    y = LO.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower, conjugate_a=not lower)
    x = LO.triangular_solve(c, y, left_side=True, lower=lower, transpose_a=lower, conjugate_a=lower)
    return _unvector(x, vector)


def _trans_flags(trans):
    if trans in (0, "N"):
        return False, False
    if trans in (1, "T"):
        return True, False
    if trans in (2, "C"):
        return True, True
    raise ValueError(f"Invalid 'trans' value {trans}")


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, debug=None,
                     check_finite=True):
    """x with op(a) @ x = b for triangular a (op per trans: 0/'N', 1/'T', 2/'C')."""
    transpose_a, conjugate_a = _trans_flags(trans)
    a = _square("solve_triangular", a)
    a, b, vector = _rhs("solve_triangular", a, b)
    x = LO.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                            conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return _unvector(x, vector)


def _solve_pos(a, b):
    """Cholesky solve whose derivative is that of a generic solve (as JAX's custom_linear_solve):
    one refinement step through a constant factorization, x = x0 + S(b - a x0)."""
    a, b, vector = _rhs("solve", a, b)
    fac = (LO.cholesky(lax.stop_gradient(a)), True)
    x0 = lax.stop_gradient(cho_solve(fac, b))
    x = jnp.add(x0, cho_solve(fac, jnp.subtract(b, jnp.matmul(a, x0))))
    return _unvector(x, vector)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False, check_finite=True,
          assume_a="gen"):
    """x with a @ x = b; assume_a='pos' uses a Cholesky factorization, the others LU."""
    if assume_a not in ("gen", "sym", "her", "pos"):
        raise ValueError(f"Expected assume_a to be one of ['gen', 'sym', 'her', 'pos']; got {assume_a!r}")
    a = _square("solve", a)
    if assume_a == "pos":
        return _solve_pos(a, b)
    b = _array(b, "solve argument b")
    a, b, vector = _rhs("solve", a, b, vector=_aval(b).ndim == 1)
    lu_, _, perm = LO.lu(a)
    return _unvector(NL._lu_solve(lu_, perm, b), vector)


def inv(a, overwrite_a=False, check_finite=True):
    a = _square("inv", a)
    return NL.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    a = _square("det", a)
    return NL.det(a)


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """(p, l, u) with a = p @ l @ u (p a permutation matrix, l unit lower, u upper); (p @ l, u) if
    permute_l. a may be rectangular (m, n): l is (m, k), u is (k, n), k = min(m, n)."""
    a = _matrix("lu", a)
    av = _aval(a)
    m, n = av.shape[-2:]
    k = builtins.min(m, n)
    lu_, _, perm = LO.lu(a)
    rows = lax.broadcasted_iota(dtypes.int32, (m, m), 0)
    p = lax.convert_element_type(jnp.equal(jnp.expand_dims(perm, -2), rows), av.dtype)
    l = jnp.add(jnp.tril(lu_, -1)[..., :, :k], jnp.eye(m, k, dtype=av.dtype))
    u = jnp.triu(lu_)[..., :k, :]
    if permute_l:
        return jnp.matmul(p, l), u
    return p, l, u


def lu_factor(a, overwrite_a=False, check_finite=True):
    """(lu, piv): l and u packed in one matrix, and LAPACK-style int32 row-swap pivots."""
    a = _matrix("lu_factor", a)
    lu_, piv, _ = LO.lu(a)
    return lu_, piv


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """x with op(a) @ x = b from lu_factor's (lu, piv); trans 0: a, 1: a^T, 2: a^H."""
    lu_, piv = lu_and_piv
    if trans not in (0, 1, 2):
        raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans}")
    lu_ = _square("lu_solve", lu_, "lu")
    piv = _array(piv, "lu_solve argument piv")
    m = _aval(lu_).shape[-1]
    perm = LO.lu_pivots_to_permutation(piv, m)
    lu_, b, vector = _rhs("lu_solve", lu_, b)
    perm = jnp.broadcast_to(perm, _aval(b).shape[:-2] + (m,))
    if trans == 0:
        x = NL._lu_solve(lu_, perm, b)
    else:
        conj = trans == 2
        y = LO.triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
        y = LO.triangular_solve(lu_, y, left_side=True, lower=True, unit_diagonal=True, transpose_a=True,
                                conjugate_a=conj)
        inv_perm = jnp.argsort(perm, axis=-1)
        x = jnp.take_along_axis(y, jnp.expand_dims(inv_perm, -1), axis=-2)
    return _unvector(x, vector)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """(q, r) for mode 'full' or 'economic'; (r,) for mode 'r'."""
    if mode not in ("full", "r", "economic"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    if pivoting:
        raise NotImplementedError("jax.scipy.linalg.qr(pivoting=True) is not supported by jaxish")
    a = _matrix("qr", a)
    q, r = LO.qr(a, full_matrices=(mode != "economic"))
    return (r,) if mode == "r" else (q, r)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    a = _matrix("svd", a)
    if not compute_uv:
        return LO.svd(a, full_matrices=full_matrices, compute_uv=False)
    return tuple(LO.svd(a, full_matrices=full_matrices, compute_uv=True))


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, turbo=True,
         eigvals=None, type=1, check_finite=True):
    """(w ascending, v) of a Hermitian matrix (reading its lower triangle unless lower=False)."""
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    a = _square("eigh", a)
    v, w = LO.eigh(a, lower=lower, symmetrize_input=False)
    return w if eigvals_only else (w, v)


# ---- expm: Pade approximants with scaling and squaring (Higham 2005), as JAX ----------------------
_PADE = {
    3: (120., 60., 12., 1.),
    5: (30240., 15120., 3360., 420., 30., 1.),
    7: (17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.),
    9: (17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160., 110880., 3960., 90., 1.),
    13: (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
         10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.),
}


def _pade(m):
    b = _PADE[m]

    def uv(a):
        ident = jnp.eye(_aval(a).shape[-1], dtype=_aval(a).dtype)
        a2 = jnp.matmul(a, a)
        if m == 13:
            a4 = jnp.matmul(a2, a2)
            a6 = jnp.matmul(a4, a2)
            u_in = jnp.matmul(a6, b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 \
                + b[1] * ident
            v = jnp.matmul(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
                + b[0] * ident
            return jnp.matmul(a, u_in), v
        powers = [ident, a2]
        while len(powers) < (m + 1) // 2:
            powers.append(jnp.matmul(powers[-1], a2))
        u_in = sum(b[2 * i + 1] * p for i, p in enumerate(powers))
        v = sum(b[2 * i] * p for i, p in enumerate(powers))
        return jnp.matmul(a, u_in), v
    return uv


def _expm_one(a, upper_triangular, max_squarings):
    dt = _aval(a).dtype
    norm1 = jnp.max(jnp.sum(jnp.abs(a), axis=0))
    if dt in (np.dtype(np.float64), np.dtype(np.complex128)):
        maxnorm, conds, orders = 5.371920351148152, (1.495585217958292e-2, 2.539398330063230e-1,
                                                     9.504178996162932e-1, 2.097847961257068e0), (3, 5, 7, 9, 13)
    else:
        maxnorm, conds, orders = 3.925724783138660, (4.258730016922831e-1, 1.880152677804762e0), (3, 5, 7)
    n_sq = jnp.maximum(0.0, jnp.floor(jnp.log2(norm1 / maxnorm)))
    scaled = a / lax.convert_element_type(jnp.exp2(n_sq), dt)
    idx = jnp.digitize(norm1, jnp.asarray(np.array(conds, dtype=_aval(norm1).dtype)))
    u, v = lax.switch(idx, [_pade(m) for m in orders], scaled)
    p, q = u + v, v - u
    if upper_triangular:
        r = solve_triangular(q, p)
    else:
        r = jnp.linalg.solve(q, p)

    def body(i, r):
        return lax.cond(i < n_sq, lambda r: jnp.matmul(r, r), lambda r: r, r)
    r = lax.fori_loop(0, max_squarings, body, r)
    return jnp.where(n_sq > max_squarings, jnp.full_like(r, np.nan), r)


def expm(A, *, upper_triangular=False, max_squarings=16):
    """Matrix exponential: a Pade approximant (order chosen from the 1-norm) of A / 2**s, squared s
    times; NaN where more than max_squarings squarings would be needed."""
    A = _square("expm", A, "A")
    av = _aval(A)
    if av.ndim == 2:
        return _expm_one(A, upper_triangular, max_squarings)
    flat = lax.reshape(A, (int(np.prod(av.shape[:-2])),) + av.shape[-2:])
    from ..api import vmap
    out = vmap(lambda x: _expm_one(x, upper_triangular, max_squarings))(flat)
    return lax.reshape(out, av.shape)


# ---- structured matrices ---------------------------------------------------------------------------
def block_diag(*arrs):
    """The arrays (each at most 2-d; 0-d and 1-d ones are rows) along the diagonal of one matrix."""
    if not arrs:
        arrs = (jnp.zeros((1, 0)),)
    arrs = [_array(a, f"block_diag argument {i}") for i, a in enumerate(arrs)]
    for i, a in enumerate(arrs):
        if _aval(a).ndim > 2:
            raise ValueError(f"Arguments to jax.scipy.linalg.block_diag must have at most 2 dimensions, "
                             f"got {_desc(a)} at argument {i}.")
    arrs = [jnp.atleast_2d(a) for a in arrs]
    dt = jnp.result_type(*arrs)
    total = builtins.sum(_aval(a).shape[1] for a in arrs)
    rows, col = [], 0
    for a in arrs:
        r, c = _aval(a).shape
        rows.append(jnp.pad(a.astype(dt), ((0, 0), (col, total - col - c))))
        col += c
    return jnp.concatenate(rows, axis=0)


def toeplitz(c, r=None):
    """A[..., i, j] = c[..., i - j] for i >= j, r[..., j - i] for i < j (r[0] ignored; r defaults to
    conj(c)); leading dims of c and r broadcast."""
    c = _array(c, "toeplitz argument c")
    if r is None:
        r = jnp.conj(c)
    r = _array(r, "toeplitz argument r")
    c, r = jnp.asarray(c), jnp.asarray(r)
    if _aval(c).ndim == 0:
        c = lax.reshape(c, (1,))
    if _aval(r).ndim == 0:
        r = lax.reshape(r, (1,))
    dt = jnp.result_type(c, r)
    c, r = c.astype(dt), r.astype(dt)
    n, m = _aval(c).shape[-1], _aval(r).shape[-1]
    batch = np.broadcast_shapes(_aval(c).shape[:-1], _aval(r).shape[:-1])
    c, r = jnp.broadcast_to(c, batch + (n,)), jnp.broadcast_to(r, batch + (m,))
    # vals = [c reversed, r[1:]]: A[i, j] = vals[n - 1 - i + j]
    vals = jnp.concatenate([jnp.flip(c, -1), r[..., 1:]], axis=-1)
    idx = (n - 1) - np.arange(n)[:, None] + np.arange(m)[None, :]
    return jnp.take(vals, jnp.asarray(idx.astype(np.int32)), axis=-1)


def circulant(c):
    """A[..., i, j] = c[..., (i - j) mod n]."""
    c = jnp.asarray(_array(c, "circulant argument c"))
    if _aval(c).ndim == 0:
        c = lax.reshape(c, (1,))
    n = _aval(c).shape[-1]
    idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    return jnp.take(c, jnp.asarray(idx.astype(np.int32)), axis=-1)


def hankel(c, r=None):
    """A[..., i, j] = c[i + j] for i + j < n, r[i + j - n + 1] beyond (r[0] ignored; r defaults to zeros)."""
    c = jnp.ravel(jnp.asarray(_array(c, "hankel argument c")))
    r = jnp.zeros_like(c) if r is None else jnp.ravel(jnp.asarray(_array(r, "hankel argument r")))
    dt = jnp.result_type(c, r)
    n, m = _aval(c).shape[0], _aval(r).shape[0]
    vals = jnp.concatenate([c.astype(dt), r[1:].astype(dt)])
    idx = np.arange(n)[:, None] + np.arange(m)[None, :]
    return jnp.take(vals, jnp.asarray(idx.astype(np.int32)))


def hilbert(n):
    """The n x n Hilbert matrix 1 / (i + j + 1)."""
    n = int(n)
    i = jnp.arange(n, dtype=dtypes.canonicalize(np.dtype(np.float64)))
    return 1.0 / (i[:, None] + i[None, :] + 1.0)


def companion(a):
    """Companion matrix of the polynomial with coefficients a (highest degree first)."""
    a = jnp.asarray(_array(a, "companion argument a"))
    if _aval(a).ndim != 1:
        raise ValueError(f"Incorrect shape for `a`. `a` must be one-dimensional, got {_desc(a)}")
    n = _aval(a).shape[0]
    if n < 2:
        raise ValueError("The length of `a` must be at least 2.")
    a = a.astype(jnp.result_type(a, 1.0))
    first = -a[1:] / a[0]
    below = jnp.eye(n - 2, n - 1, dtype=_aval(first).dtype)
    return jnp.concatenate([first[None, :], below], axis=0)


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """(u, p): a = u @ p (side='right') or p @ u (side='left'), u unitary, p positive semidefinite,
    from the SVD (the QDWH iteration JAX may use converges to the same factors)."""
    if side not in ("right", "left"):
        raise ValueError("The argument `side` must be either 'right' or 'left'.")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    a = _matrix("polar", a)
    u_svd, s, vh = LO.svd(a, full_matrices=False, compute_uv=True)
    u = jnp.matmul(u_svd, vh)
    s = lax.convert_element_type(s, _aval(a).dtype)
    if side == "right":
        v = LO.mH(vh)
        p = jnp.matmul(v * jnp.expand_dims(s, -2), vh)
    else:
        p = jnp.matmul(u_svd * jnp.expand_dims(s, -2), LO.mH(u_svd))
    return u, p


def hessenberg(a, *, calc_q=False, overwrite_a=False, check_finite=True):
    """Upper Hessenberg h with a = q @ h @ q^H, by Householder reflections (q returned if calc_q)."""
    a = _square("hessenberg", a)
    av = _aval(a)
    n = av.shape[-1]
    h = a
    q = jnp.broadcast_to(jnp.eye(n, dtype=av.dtype), av.shape)
    real = dtypes.is_complex(av.dtype) is False
    for k in range(n - 2):
        x = h[..., k + 1:, k]
        alpha = jnp.linalg.norm(x, axis=-1, keepdims=True).astype(av.dtype)
        x0 = x[..., :1]
        phase = jnp.where(x0 == 0, 1.0, x0 / jnp.where(x0 == 0, 1.0, jnp.abs(x0))) if not real \
            else jnp.where(x0 < 0, -1.0, 1.0).astype(av.dtype)
        v = x + jnp.concatenate([phase * alpha, jnp.zeros_like(x[..., 1:])], axis=-1)
        vnorm2 = jnp.sum(jnp.real(v * jnp.conj(v)), axis=-1, keepdims=True)
        safe = vnorm2 > 0
        v = jnp.where(safe, v / jnp.sqrt(jnp.where(safe, vnorm2, 1.0)).astype(av.dtype), 0.0)
        full_v = jnp.concatenate([jnp.zeros(av.shape[:-2] + (k + 1,), av.dtype), v], axis=-1)
        vc = jnp.expand_dims(full_v, -1)
        vr = jnp.conj(jnp.expand_dims(full_v, -2))
        # H = I - 2 v v^H applied on both sides
        h = h - 2.0 * jnp.matmul(vc, jnp.matmul(vr, h))
        h = h - 2.0 * jnp.matmul(jnp.matmul(h, vc), vr)
        q = q - 2.0 * jnp.matmul(jnp.matmul(q, vc), vr)
    h = jnp.triu(h, -1)
    return (h, q) if calc_q else h
