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
           "companion", "polar", "hessenberg", "schur", "rsf2csf", "sqrtm", "funm", "expm_frechet",
           "eigh_tridiagonal", "solve_sylvester", "qr_multiply", "convolution_matrix", "dft", "fiedler",
           "fiedler_companion", "hadamard", "helmert", "invhilbert", "invpascal", "leslie", "pascal"]


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


# ---- Schur-based functions (schur has no derivative, as JAX's) -------------------------------------
def _complex_dtype(dt):
    return {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128)}.get(
        np.dtype(dt), np.dtype(dt))


def schur(a, output="real"):
    """(t, z) with a = z t z^H, z unitary; t upper triangular (output='complex') or quasi-upper
    triangular with 2x2 blocks for complex-conjugate eigenvalue pairs (output='real', real a)."""
    if output not in ("real", "complex"):
        raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got output={output!r}.")
    a = _square("schur", a)
    if output == "complex":
        a = a.astype(_complex_dtype(_aval(a).dtype))
    return LO.schur(a)


def _rsf2csf_2d(t, z):
    n = _aval(t).shape[0]
    if n == 1:
        return t, z
    eps = float(np.finfo(_aval(t).dtype).eps)
    idx = jnp.arange(n)
    for m in range(n - 1, 0, -1):
        sub = t[m, m - 1]
        block = jnp.abs(sub) > eps * (jnp.abs(t[m - 1, m - 1]) + jnp.abs(t[m, m]))
        # the eigenvalue of the 2x2 block t[m-1:m+1, m-1:m+1] closest to ... (LAPACK's first root), shifted
        p, q, r, s = t[m - 1, m - 1], t[m - 1, m], sub, t[m, m]
        half_tr = (p + s) / 2
        disc = jnp.sqrt(((p - s) / 2) ** 2 + q * r)
        mu = half_tr + disc - s
        rad = jnp.sqrt(jnp.abs(mu) ** 2 + jnp.abs(sub) ** 2)
        safe = jnp.where(block, rad, 1.0).astype(_aval(t).dtype)
        c = jnp.where(block, mu / safe, 1.0)
        sn = jnp.where(block, sub / safe, 0.0)
        g = jnp.stack([jnp.stack([jnp.conj(c), sn]), jnp.stack([-sn, c])])  # (2, 2)
        rows = jnp.matmul(g, t[m - 1:m + 1, :])
        t = t.at[m - 1:m + 1, :].set(jnp.where(idx >= m - 1, rows, t[m - 1:m + 1, :]))
        cols = jnp.matmul(t[:, m - 1:m + 1], LO.mH(g))
        t = t.at[:, m - 1:m + 1].set(jnp.where((idx < m + 1)[:, None], cols, t[:, m - 1:m + 1]))
        z = z.at[:, m - 1:m + 1].set(jnp.matmul(z[:, m - 1:m + 1], LO.mH(g)))
        t = t.at[m, m - 1].set(0.0)
    return t, z


def rsf2csf(T, Z, check_finite=True):
    """Complex Schur form (t, z) from a real one: each 2x2 diagonal block is split by a unitary
    rotation; leading dims of T and Z broadcast."""
    T = jnp.asarray(_array(T, "rsf2csf argument T"))
    Z = jnp.asarray(_array(Z, "rsf2csf argument Z"))
    tv, zv = _aval(T), _aval(Z)
    if tv.ndim < 2 or tv.shape[-1] != tv.shape[-2]:
        raise ValueError("Input 'T' must be square.")
    if zv.ndim < 2 or zv.shape[-1] != zv.shape[-2]:
        raise ValueError("Input 'Z' must be square.")
    if tv.shape[-1] != zv.shape[-1]:
        raise ValueError(f"Input array shapes must match: Z: {zv.shape} vs. T: {tv.shape}")
    dt = _complex_dtype(jnp.result_type(T, Z, 1.0))
    T, Z = T.astype(dt), Z.astype(dt)
    return jnp.vectorize(_rsf2csf_2d, signature="(n,n),(n,n)->(n,n),(n,n)")(T, Z)


def _sqrtm_triu(t):
    """The upper-triangular square root of upper-triangular t (Bjorck & Hammarling), column by column."""
    n = _aval(t).shape[-1]
    diag = jnp.sqrt(jnp.diagonal(t))
    u = jnp.diag(diag)
    for j in range(n):
        for i in range(j - 1, -1, -1):
            s = jnp.sum(u[i, i + 1:j] * u[i + 1:j, j]) if j > i + 1 else jnp.zeros((), _aval(t).dtype)
            val = jnp.where(t[i, j] == s, 0.0, (t[i, j] - s) / (diag[i] + diag[j]))
            u = u.at[i, j].set(val)
    return u


def sqrtm(A, blocksize=1):
    """A principal square root of a square matrix (complex result), from its complex Schur form."""
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    A = _square("sqrtm", A, "A")
    if _aval(A).ndim != 2:
        raise ValueError(f"sqrtm: A must have shape (n, n), got {_desc(A)}")
    t, z = schur(A, output="complex")
    return jnp.matmul(jnp.matmul(z, _sqrtm_triu(t)), jnp.conj(z.T))


def funm(A, func, disp=True):
    """func(A) for a matrix function given by its scalar func, by the Schur-Parlett recurrence (Golub &
    Van Loan 11.1.1); complex result. With disp=False also an error estimate."""
    A = jnp.asarray(_array(A, "funm argument A"))
    av = _aval(A)
    if av.ndim != 2 or av.shape[0] != av.shape[1]:
        raise ValueError("expected square array_like input")
    t, z = schur(A)
    t, z = rsf2csf(t, z)
    dt = _aval(t).dtype
    n = av.shape[0]
    f = jnp.diag(jnp.asarray(func(jnp.diagonal(t))).astype(dt))
    minden = jnp.abs(t[0, 0])
    for p in range(1, n):
        for i in range(1, n - p + 1):
            j = i + p
            s = t[i - 1, j - 1] * (f[j - 1, j - 1] - f[i - 1, i - 1])
            if j - 1 > i:
                s = s + jnp.sum(t[i - 1, i:j - 1] * f[i:j - 1, j - 1]) - jnp.sum(f[i - 1, i:j - 1] * t[i:j - 1, j - 1])
            den = t[j - 1, j - 1] - t[i - 1, i - 1]
            s = jnp.where(den != 0, s / jnp.where(den != 0, den, 1.0), s)
            f = f.at[i - 1, j - 1].set(s)
            minden = jnp.minimum(minden, jnp.abs(den))
    f = jnp.matmul(jnp.matmul(z, f), jnp.conj(z.T))
    if disp:
        return f
    tol = float(np.finfo(_real_dtype(dt)).eps)
    minden = jnp.where(minden == 0.0, tol, minden)
    err = jnp.where(jnp.any(jnp.isinf(f)), np.inf,
                    jnp.minimum(1, jnp.maximum(tol, (tol / minden) * jnp.linalg.norm(jnp.triu(t, 1), 1))))
    return f, err


def _real_dtype(dt):
    return np.finfo(np.dtype(dt)).dtype


def expm_frechet(A, E, *, method=None, compute_expm=True):
    """(expm(A), L(A, E)): the Frechet derivative of expm at A along E, i.e. jvp(expm, (A,), (E,))."""
    from ..api import jvp
    A = jnp.asarray(_array(A, "expm_frechet argument A"))
    E = jnp.asarray(_array(E, "expm_frechet argument E"))
    a, e = _aval(A), _aval(E)
    if a.ndim < 2 or a.shape[-2] != a.shape[-1]:
        raise ValueError(f"expected A to be a (batched) square matrix, got A.shape={a.shape}")
    if e.ndim < 2 or e.shape[-2] != e.shape[-1]:
        raise ValueError(f"expected E to be a (batched) square matrix, got E.shape={e.shape}")
    if a.shape != e.shape:
        raise ValueError(f"expected A and E to be the same shape, got A.shape={a.shape} E.shape={e.shape}")
    A, E = _inexact("expm_frechet", A, E)
    expm_a, frechet = jvp(lambda x: expm(x), (A,), (E,))
    return (expm_a, frechet) if compute_expm else frechet


def eigh_tridiagonal(d, e, *, eigvals_only=False, select="a", select_range=None, tol=None, key=None):
    """Eigenvalues (ascending; and eigenvectors as columns) of the Hermitian tridiagonal matrix with
    diagonal d and superdiagonal e; select='i' keeps indices select_range[0]..select_range[1]."""
    alpha = jnp.asarray(_array(d, "eigh_tridiagonal argument d"))
    beta = jnp.asarray(_array(e, "eigh_tridiagonal argument e"))
    ad, ae = _aval(alpha), _aval(beta)
    if ad.dtype != ae.dtype:
        raise TypeError("diagonal and off-diagonal values must have same dtype, got "
                        f"{ad.dtype} and {ae.dtype}")
    if not dtypes.is_inexact(ad.dtype):
        raise TypeError("Only float32 and float64 inputs are supported as inputs to "
                        f"jax.scipy.linalg.eigh_tridiagonal, got {ad.dtype} and {ae.dtype}")
    if ad.ndim != 1 or ae.ndim != 1 or ae.shape[0] != builtins.max(ad.shape[0] - 1, 0):
        raise ValueError(f"eigh_tridiagonal: d of shape (n,) and e of shape (n - 1,) are required, got "
                         f"{ad.shape} and {ae.shape}")
    n = ad.shape[0]
    if select == "a":
        lo, hi = 0, n - 1
    elif select == "i":
        if select_range is None:
            raise ValueError("for select='i', select_range must be specified.")
        if select_range[0] > select_range[1]:
            raise ValueError("Got empty index range in select_range.")
        lo, hi = int(select_range[0]), int(select_range[1])
    elif select == "v":
        raise NotImplementedError("eigh_tridiagonal(..., select='v') is not implemented")
    else:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    if n <= 1:
        w = jnp.real(alpha)
        return w if eigvals_only else (w, jnp.eye(n, dtype=ad.dtype))
    mat = jnp.diag(alpha) + jnp.diag(beta, 1) + jnp.diag(jnp.conj(beta), -1)
    v, w = LO.eigh(mat, symmetrize_input=False)
    w, v = w[lo:hi + 1], v[:, lo:hi + 1]
    return w if eigvals_only else (w, v)


def _solve_sylvester_2d(A, B, C, method, tol):
    m, n = _aval(C).shape
    if method == "schur":
        r, u = schur(A, output="complex")
        s, v = schur(jnp.conj(B.T), output="complex")
        s = jnp.conj(s.T)  # lower triangular: B = v s v^H
        f = jnp.matmul(jnp.matmul(jnp.conj(u.T), C.astype(_aval(r).dtype)), v)
        # r y + y s = f, column by column from the last: (r + s[j, j]) y_j = f_j - sum_{k>j} s[k, j] y_k
        cols = [None] * n
        eye = jnp.eye(m, dtype=_aval(r).dtype)
        for j in range(n - 1, -1, -1):
            rhs = f[:, j]
            for k in range(j + 1, n):
                rhs = rhs - s[k, j] * cols[k]
            cols[j] = LO.triangular_solve(r + s[j, j] * eye, rhs[:, None], left_side=True, lower=False)[:, 0]
        y = jnp.stack(cols, axis=1)
        x = jnp.matmul(jnp.matmul(u, y), jnp.conj(v.T))
    elif method == "eigen":
        ra, ua = jnp.linalg.eig(A)
        rb, ub = jnp.linalg.eig(B)
        f = jnp.linalg.solve(ua, jnp.matmul(C.astype(_aval(ra).dtype), ub))
        y = f / (ra[:, None] + rb[None, :])
        x = jnp.matmul(jnp.matmul(ua, y), jnp.linalg.inv(ub))
    else:
        raise ValueError(f'Unrecognized method {method}. The two valid methods are either "schur" or "eigen".')
    if not dtypes.is_complex(_aval(C).dtype):
        x = jnp.real(x)
    bad = jnp.any(jnp.abs(jnp.linalg.eigvals(A)[:, None] + jnp.linalg.eigvals(B)[None, :]) < tol)
    return jnp.where(bad, jnp.full_like(x, np.nan), x)


def solve_sylvester(A, B, C, *, method="schur", tol=1e-8):
    """x with A @ x + x @ B = C (Bartels-Stewart on Schur forms, or method='eigen'); NaNs when some
    eigenvalue sum of A and B is within tol of zero. Leading dims broadcast."""
    A, B, C = _inexact("solve_sylvester", A, B, C)
    m, n = _aval(C).shape[-2:]
    if _aval(A).shape[-2:] != (m, m) or _aval(B).shape[-2:] != (n, n):
        raise ValueError(f"Incompatible shapes for Sylvester equation:\nA: {_aval(A).shape}\nB: {_aval(B).shape}\n"
                         f"C: {_aval(C).shape}")
    if method not in ("schur", "eigen"):
        raise ValueError(f'Unrecognized method {method}. The two valid methods are either "schur" or "eigen".')
    return jnp.vectorize(lambda a, b, c: _solve_sylvester_2d(a, b, c, method, tol),
                         signature="(m,m),(n,n),(m,n)->(m,n)")(A, B, C)


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False, overwrite_c=False):
    """(q @ c, r) for mode='left' or (c @ q, r) for mode='right', q and r the economic QR factors of a
    (conj(q) when conjugate); 1-d c is a column (left) or row (right) and comes back 1-d."""
    a, c = _inexact("qr_multiply", a, c)
    if mode not in ("right", "left"):
        raise ValueError(f"mode must be 'right' or 'left', got {mode!r}")
    if pivoting:
        raise NotImplementedError("jax.scipy.linalg.qr_multiply(pivoting=True) is not supported by jaxish")
    if _aval(a).ndim < 2:
        raise ValueError(f"qr_multiply: a must have at least 2 dimensions, got {_desc(a)}")
    onedim = _aval(c).ndim == 1
    if onedim:
        c = c[:, None] if mode == "left" else c[None, :]
    m, n = _aval(a).shape[-2:]
    k = builtins.min(m, n)
    cs = _aval(c).shape
    if mode == "left" and cs[-2] != k:
        raise ValueError(f"Array shapes are not compatible for Q @ c operation: a has shape {_aval(a).shape} so Q "
                         f"has {k} columns, but c has {cs[-2]} rows (expected {k}).")
    if mode == "right" and cs[-1] != m:
        raise ValueError(f"Array shapes are not compatible for c @ Q operation: a has shape {_aval(a).shape} so Q "
                         f"has {m} rows, but c has {cs[-1]} columns (expected {m}).")
    batch = np.broadcast_shapes(_aval(a).shape[:-2], cs[:-2])
    a = jnp.broadcast_to(a, batch + (m, n))
    c = jnp.broadcast_to(c, batch + cs[-2:])
    q, r = LO.qr(a, full_matrices=False)
    if conjugate:
        q = jnp.conj(q)
    out = jnp.matmul(q, c) if mode == "left" else jnp.matmul(c, q)
    if onedim:
        out = jnp.ravel(out)
    return out, r


# ---- more structured matrices ----------------------------------------------------------------------
def _float_default():
    return dtypes.canonicalize(np.dtype(np.float64))


def convolution_matrix(a, n, mode="full"):
    """Toeplitz A (..., k, n) with A @ v == jnp.convolve(a, v, mode) for v of length n."""
    import operator
    n = operator.index(n)
    if n <= 0:
        raise ValueError(f"n must be a positive integer; got {n}.")
    a = jnp.asarray(_array(a, "convolution_matrix argument a"))
    av = _aval(a)
    if av.ndim == 0:
        raise ValueError("convolution_matrix: a must be at least 1-dimensional, got a scalar.")
    m = av.shape[-1]
    if m < 1:
        raise ValueError(f"len(a) must be at least 1; got shape {av.shape}.")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be one of 'full', 'valid', 'same'; got {mode!r}.")
    pads = [(0, 0)] * (av.ndim - 1) + [(0, n - 1)]
    az = jnp.pad(a, pads)
    raz = jnp.pad(jnp.flip(a, -1), pads)
    total = m + n - 1
    if mode == "same":
        trim = builtins.min(n, m) - 1
        tb = trim // 2
        te = trim - tb
    elif mode == "valid":
        tb = te = builtins.min(n, m) - 1
    else:
        tb = te = 0
    return toeplitz(az[..., tb:total - te], raz[..., total - n - tb:total - tb])


def dft(n, scale=None, *, dtype=None):
    """The n x n DFT matrix W[i, j] = exp(-2 pi i ij / n), scaled by 1/sqrt(n) ('sqrtn') or 1/n ('n')."""
    if scale is not None and scale not in ("sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}.")
    if dtype is None:
        dtype = dtypes.canonicalize(np.dtype(np.complex128))
    else:
        dtype = dtypes.canonicalize(np.dtype(dtype))
        if not np.issubdtype(dtype, np.complexfloating):
            raise ValueError(f"dtype must be a complex floating-point type; got {dtype}.")
    n = int(n)
    ij = np.outer(np.arange(n), np.arange(n)) % builtins.max(n, 1)  # exact phases
    w = np.exp(-2j * np.pi * ij / builtins.max(n, 1))
    if scale == "sqrtn":
        w = w / np.sqrt(n)
    elif scale == "n":
        w = w / n
    return jnp.asarray(w.astype(dtype))


def fiedler(a):
    """F[..., i, j] = |a[..., i] - a[..., j]|."""
    a = jnp.atleast_1d(jnp.asarray(_array(a, "fiedler argument a")))
    return jnp.abs(a[..., :, None] - a[..., None, :])


def _fiedler_companion_1d(a):
    n = _aval(a).shape[0] - 1
    if n == 0:
        return jnp.zeros((0, 0), _aval(a).dtype)
    a = a / a[0]
    if n == 1:
        return -a[1:].reshape(1, 1)
    out = jnp.zeros((n, n), _aval(a).dtype)
    out = out.at[0, 0].set(-a[1]).at[1, 0].set(1.0)
    for i in range(0, n, 2):
        if i + 1 < n:
            out = out.at[i, i + 1].set(-a[i + 2])
        if i + 2 < n:
            out = out.at[i, i + 2].set(1.0)
        if i >= 2:
            out = out.at[i, i - 1].set(-a[i + 1])
    for i in range(3, n, 2):
        out = out.at[i, i - 2].set(1.0)
    return out


def fiedler_companion(a):
    """The pentadiagonal Fiedler companion matrix (..., N - 1, N - 1) of the polynomial a (highest
    degree first); its eigenvalues are the polynomial's roots."""
    a = jnp.atleast_1d(_inexact("fiedler_companion", a))
    if _aval(a).shape[-1] == 0:
        raise ValueError("fiedler_companion requires the last axis of 'a' to have nonzero length, but got an "
                         f"array of shape {_aval(a).shape}.")
    return jnp.vectorize(_fiedler_companion_1d, signature="(n)->(m,m)")(a)


def hadamard(n, dtype=int):
    """The Sylvester-construction Hadamard matrix of order n (a power of 2): H H^T = n I."""
    n = int(n)
    if n < 1 or (n & (n - 1)) != 0:
        raise ValueError(f"n must be a positive power of 2; got {n}.")
    h = np.ones((1, 1))
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return jnp.asarray(h).astype(dtypes.canonicalize(np.dtype(dtype)))


def helmert(n, full=False):
    """The Helmert matrix: (n - 1, n) orthonormal contrasts, with a first row 1/sqrt(n) when full."""
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be a positive integer; got {n}.")
    h = np.zeros((n - 1, n))
    for i in range(n - 1):
        k = i + 1
        h[i, :k] = 1.0 / np.sqrt(k * (k + 1))
        h[i, k] = -k / np.sqrt(k * (k + 1))
    if full:
        h = np.concatenate([np.full((1, n), 1.0 / np.sqrt(n)), h], axis=0)
    return jnp.asarray(h.astype(_float_default()))


def _binom_table(n):
    """Exact binomial coefficients C(i, j) for 0 <= i, j < n, as Python ints."""
    import math
    return [[math.comb(i, j) for j in range(n)] for i in range(n)]


def invhilbert(n):
    """The inverse of the n x n Hilbert matrix (closed form; float, so huge for large n)."""
    import math
    n = int(n)
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = i + j
            out[i, j] = float((-1) ** s * (s + 1) * math.comb(n + i, n - j - 1) * math.comb(n + j, n - i - 1)
                              * math.comb(s, i) ** 2)
    return jnp.asarray(out.astype(_float_default()))


def _pascal_kind(kind):
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of: ['symmetric', 'lower', 'upper']; got {kind}")
    return kind


def pascal(n, kind=None):
    """The n x n Pascal matrix: binomial coefficients, 'lower', 'upper' or 'symmetric' (default);
    float32, as JAX's."""
    kind = _pascal_kind(kind)
    n = int(n)
    low = np.array(_binom_table(n), dtype=np.float64).reshape(n, n)
    out = {"lower": low, "upper": low.T, "symmetric": low @ low.T}[kind]
    return jnp.asarray(out.astype(np.float32))


def invpascal(n, kind=None):
    """The inverse of pascal(n, kind): L^{-1}[i, j] = (-1)^(i - j) C(i, j), U^{-1} = (L^{-1})^T,
    symmetric: U^{-1} L^{-1}."""
    kind = _pascal_kind(kind)
    n = int(n)
    low = np.array([[(-1) ** (i - j) * c for j, c in enumerate(row)] for i, row in enumerate(_binom_table(n))],
                   dtype=np.float64).reshape(n, n)
    out = {"lower": low, "upper": low.T, "symmetric": low.T @ low}[kind]
    return jnp.asarray(out.astype(_float_default()))


def _leslie_1d(f, s):
    n = _aval(f).shape[0]
    return (jnp.zeros((n, n), _aval(f).dtype).at[0].set(f)
            .at[jnp.arange(1, n), jnp.arange(n - 1)].set(s))


def leslie(f, s):
    """The Leslie matrix: fecundities f (..., N) on the first row, survivals s (..., N - 1) on the
    first subdiagonal."""
    f = jnp.atleast_1d(jnp.asarray(_array(f, "leslie argument f")))
    s = jnp.atleast_1d(jnp.asarray(_array(s, "leslie argument s")))
    fv, sv = _aval(f), _aval(s)
    if fv.shape[-1] < 2:
        raise ValueError(f"The length of f along the last axis must be at least 2; got shape {fv.shape}.")
    if sv.shape[-1] != fv.shape[-1] - 1:
        raise ValueError("Incorrect lengths for f and s. The length of s along the last axis must be one less "
                         f"than the length of f; got f shape {fv.shape} and s shape {sv.shape}.")
    dt = jnp.result_type(f, s)
    return jnp.vectorize(_leslie_1d, signature="(n),(m)->(n,n)")(f.astype(dt), s.astype(dt))
