"""jaxish.scipy.sparse.linalg: cg, gmres and bicgstab as jax.scipy.sparse.linalg.

A is a square matrix, a function computing A @ x, or any object with __matmul__; b (and x0)
may be pytrees of arrays of any shapes. The iterations are lax.while_loop programs wrapped in
lax.custom_linear_solve, so they work under jit and are differentiated implicitly (by another
solve with the transposed operator), not through the iterations. Tolerances are SciPy's
non-legacy ones: stop when norm(residual) <= max(tol * norm(b), atol).
"""
from __future__ import annotations

import operator
from functools import partial

import numpy as np

from ... import lax
from ... import numpy as jnp
from ... import dtypes as _dtypes
from ...array import Array
from ...tree_util import Partial, tree_leaves, tree_map, tree_structure
from .. import linalg as _sp_linalg

__all__ = ["cg", "gmres", "bicgstab"]


# ----------------------------------------------------------------------------- tree vector algebra

def _dot(a, b):
    return jnp.dot(a, b, precision=lax.Precision.HIGHEST)


def _vdot(a, b):
    return jnp.vdot(a, b, precision=lax.Precision.HIGHEST)


def _real_vdot(x, y):
    """Re <x, y> without the imaginary cross terms: real for the z^H M z forms CG needs."""
    out = _vdot(jnp.real(x), jnp.real(y))
    if jnp.iscomplexobj(x) or jnp.iscomplexobj(y):
        out = out + _vdot(jnp.imag(x), jnp.imag(y))
    return out


def _tree_real_vdot(x, y):
    return sum(tree_leaves(tree_map(_real_vdot, x, y)))


def _tree_vdot(x, y):
    return sum(tree_leaves(tree_map(_vdot, x, y)))


def _tree_norm(x):
    return jnp.sqrt(sum(_real_vdot(l, l) for l in tree_leaves(x)))


def _scale(c, tree):
    return tree_map(lambda v: c * v, tree)


_add = partial(tree_map, operator.add)
_sub = partial(tree_map, operator.sub)


def _leaf_dtype(tree):
    return _dtypes.result_type(*(jnp.result_type(l) for l in tree_leaves(tree)))


@Partial
def _identity(x):
    return x


def _as_operator(A, what="linear operator"):
    """A function x -> A @ x, from a function, a square 2-D array, or a matmul-able object."""
    if callable(A):
        return A
    if isinstance(A, (np.ndarray, Array)):
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ValueError(f"{what} must be a square matrix, but has shape: {A.shape}")
        return partial(_dot, A)
    if hasattr(A, "__matmul__"):
        shape = getattr(A, "shape", None)
        if shape is not None and (len(shape) != 2 or shape[0] != shape[1]):
            raise ValueError(f"{what} must be a square matrix, but has shape: {shape}")
        return partial(operator.matmul, A)
    raise TypeError(f"{what} must be either a function or ndarray: {A}")


def _shapes(tree):
    return [np.shape(l) for l in tree_leaves(tree)]


def _prepare(A, b, x0, M):
    b = tree_map(jnp.asarray, b)
    x0 = tree_map(jnp.zeros_like, b) if x0 is None else tree_map(jnp.asarray, x0)
    A = _as_operator(A)
    M = _identity if M is None else _as_operator(M, "preconditioner M")
    if tree_structure(x0) != tree_structure(b):
        raise ValueError("x0 and b must have matching tree structure: "
                         f"{tree_structure(x0)} vs {tree_structure(b)}")
    return A, b, x0, M


def _check_shapes(b, x0):
    if _shapes(x0) != _shapes(b):
        raise ValueError(f"arrays in x0 and b must have matching shapes: {_shapes(x0)} vs {_shapes(b)}")


# ----------------------------------------------------------------------------- CG

def _cg_iterate(A, b, x0, *, maxiter, tol, atol, M):
    """Preconditioned conjugate gradients from x0, until |r|^2 <= max(tol^2 |b|^2, atol^2)."""
    limit = jnp.maximum(jnp.square(tol) * _tree_real_vdot(b, b), jnp.square(atol))
    r0 = _sub(b, A(x0))
    z0 = M(r0)
    dtype = _leaf_dtype(z0)
    gamma0 = _tree_real_vdot(r0, z0).astype(dtype)

    def cond(state):
        _, r, gamma, _, k = state
        rs = jnp.real(gamma) if M is _identity else _tree_real_vdot(r, r)
        return (rs > limit) & (k < maxiter)

    def body(state):
        x, r, gamma, p, k = state
        Ap = A(p)
        alpha = gamma / _tree_real_vdot(p, Ap).astype(dtype)
        x = _add(x, _scale(alpha, p))
        r = _sub(r, _scale(alpha, Ap))
        z = M(r)
        gamma_new = _tree_real_vdot(r, z).astype(dtype)
        p = _add(z, _scale(gamma_new / gamma, p))
        return x, r, gamma_new, p, k + 1

    return lax.while_loop(cond, body, (x0, r0, gamma0, z0, 0))[0]


# ----------------------------------------------------------------------------- BiCGSTAB

def _bicgstab_iterate(A, b, x0, *, maxiter, tol, atol, M):
    """Preconditioned BiCGSTAB; k becomes -10 / -11 on breakdown (rho == 0 / alpha or omega == 0)."""
    limit = jnp.maximum(jnp.square(tol) * _tree_real_vdot(b, b), jnp.square(atol))
    r0 = _sub(b, A(x0))
    one = jnp.ones((), _leaf_dtype(b))

    def cond(state):
        _, r, *_, k = state
        return (_tree_real_vdot(r, r) > limit) & (k < maxiter) & (k >= 0)

    def body(state):
        x, r, rhat, alpha, omega, rho, p, q, k = state
        rho_new = _tree_vdot(rhat, r)
        beta = rho_new / rho * alpha / omega
        p = _add(r, _scale(beta, _sub(p, _scale(omega, q))))
        phat = M(p)
        q = A(phat)
        alpha = rho_new / _tree_vdot(rhat, q)
        s = _sub(r, _scale(alpha, q))
        small_s = _tree_real_vdot(s, s) < limit
        shat = M(s)
        t = A(shat)
        omega = _tree_vdot(t, s) / _tree_vdot(t, t)
        x_half = _add(x, _scale(alpha, phat))
        x = tree_map(partial(jnp.where, small_s), x_half, _add(x_half, _scale(omega, shat)))
        r = tree_map(partial(jnp.where, small_s), s, _sub(s, _scale(omega, t)))
        k = jnp.where((omega == 0) | (alpha == 0), -11, k + 1)
        k = jnp.where(rho_new == 0, -10, k)
        return x, r, rhat, alpha, omega, rho_new, p, q, k

    init = (x0, r0, r0, one, one, one, r0, r0, 0)
    return lax.while_loop(cond, body, init)[0]


def _krylov(iterate, A, b, x0, *, tol, atol, maxiter, M, check_symmetric):
    A, b, x0, M = _prepare(A, b, x0, M)
    if maxiter is None:
        maxiter = 10 * sum(int(np.size(l)) for l in tree_leaves(b))   # SciPy's default
    _check_shapes(b, x0)
    solve = partial(iterate, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)
    # a real operator for CG is symmetric positive definite, so it is its own transpose
    symmetric = check_symmetric and all(not jnp.iscomplexobj(l) for l in tree_leaves(b))
    x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve, symmetric=symmetric)
    return x, None


def cg(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """Solve A x = b by (preconditioned) conjugate gradients (jax.scipy.sparse.linalg.cg).

    A must be Hermitian positive definite: a square array, a function x -> A @ x, or an object
    with __matmul__. b and x0 are arrays or pytrees of arrays (x0 defaults to zeros). Stops
    when norm(r) <= max(tol * norm(b), atol) or after maxiter (default 10 * size) steps.
    M approximates A's inverse. Returns (x, None); derivatives come from another cg solve.
    """
    return _krylov(_cg_iterate, A, b, x0, tol=tol, atol=atol, maxiter=maxiter, M=M,
                   check_symmetric=True)


def bicgstab(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """Solve A x = b by BiCGSTAB for a general square A (jax.scipy.sparse.linalg.bicgstab).

    Arguments as cg. Returns (x, None); derivatives come from a bicgstab solve with A^T.
    """
    return _krylov(_bicgstab_iterate, A, b, x0, tol=tol, atol=atol, maxiter=maxiter, M=M,
                   check_symmetric=False)


# ----------------------------------------------------------------------------- GMRES

def _normalize(x, thresh=None):
    """(x / |x|, |x|), or (0, 0) where |x| <= thresh (default: the dtype's epsilon)."""
    norm = _tree_norm(x)
    dtype = _leaf_dtype(x)
    if thresh is None:
        thresh = jnp.asarray(_dtypes.finfo(jnp.result_type(norm)).eps)
    thresh = jnp.real(jnp.asarray(thresh).astype(dtype))
    ok = norm > thresh
    norm_c = norm.astype(dtype)
    unit = tree_map(lambda v: jnp.where(ok, v / norm_c, 0.0), x)
    return unit, jnp.where(ok, norm, 0.0)


def _project(Q, v):
    """Q^H v, summed over the leaves (each leaf of Q has the Krylov index last)."""
    parts = tree_map(lambda X, y: jnp.einsum("...n,...->n", jnp.conj(X), y,
                                             precision=lax.Precision.HIGHEST), Q, v)
    out = None
    for p in tree_leaves(parts):
        out = p if out is None else out + p
    return out


def _gram_schmidt(Q, x, xnorm, max_iterations=2):
    """Orthogonalize x against Q's columns by classical Gram-Schmidt, repeated ("twice is
    enough") while the overlap is not small; returns (q, overlaps)."""
    Q0 = tree_leaves(Q)[0]
    r = jnp.zeros(Q0.shape[-1], dtype=Q0.dtype)

    def one_pass(carry):
        k, q, r, qnorm_scaled = carry
        h = _project(Q, q)
        q = _sub(q, tree_map(lambda X: _dot(X, h), Q))
        r = r + h

        def inner_cond(c):
            kk, not_done, _, _ = c
            return jnp.logical_and(not_done, kk < (max_iterations - 1))

        def inner(c):
            kk, _, q, _ = c
            _, qn = _normalize(q)
            return kk, False, q, qn / jnp.sqrt(2.0)

        _, _, q, qnorm_scaled = lax.while_loop(inner_cond, inner, (k, True, q, qnorm_scaled))
        return k + 1, q, r, qnorm_scaled

    def cond(carry):
        k, _, r, qnorm_scaled = carry
        _, rnorm = _normalize(r)
        return jnp.logical_and(k < (max_iterations - 1), rnorm < qnorm_scaled)

    carry = one_pass((0, x, r, xnorm / jnp.sqrt(2.0)))
    _, q, r, _ = lax.while_loop(cond, one_pass, carry)
    return q, r


def _arnoldi_step(k, A, M, V, H):
    """Append the orthonormalized Krylov vector M(A(V[:, k])) as V[:, k+1] and its overlaps as
    H[k, :]; a (numerically) zero new vector signals breakdown (an invariant subspace)."""
    dtype = _leaf_dtype(V)
    eps = _dtypes.finfo(dtype).eps
    v = M(A(tree_map(lambda X: X[..., k], V)))
    _, norm0 = _normalize(v)
    v, h = _gram_schmidt(V, v, norm0)
    unit, norm1 = _normalize(v, thresh=eps * norm0)
    V = tree_map(lambda X, y: X.at[..., k + 1].set(y), V, unit)
    h = h.at[k + 1].set(norm1.astype(dtype))
    return V, H.at[k, :].set(h), norm1 == 0.


def _rotate(H, i, cs, sn):
    x, y = H[i], H[i + 1]
    H = H.at[i].set(jnp.conj(cs) * x - jnp.conj(sn) * y)
    return H.at[i + 1].set(sn * x + cs * y)


def _givens(a, b):
    b_zero = jnp.abs(b) == 0
    swap = jnp.abs(a) < jnp.abs(b)
    t = -jnp.where(swap, a, b) / jnp.where(swap, b, a)
    r = lax.rsqrt(1 + jnp.abs(t) ** 2).astype(jnp.result_type(t))
    cs = jnp.where(b_zero, 1, jnp.where(swap, r * t, r))
    sn = jnp.where(b_zero, 0, jnp.where(swap, r, r * t))
    return cs, sn


def _krylov_basis(unit_residual, restart):
    return tree_map(lambda x: jnp.pad(x[..., None], ((0, 0),) * x.ndim + ((0, restart),)),
                    unit_residual)


def _finish_restart(A, b, x0, M, V, y):
    x = _add(x0, tree_map(lambda X: _dot(X[..., :-1], y), V))
    unit, norm = _normalize(M(_sub(b, A(x))))
    return x, unit, norm


def _gmres_incremental(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
    """One GMRES restart, QR-factorizing the Hessenberg matrix by Givens rotations as the
    Arnoldi process runs (which gives the residual norm, so the restart can stop early)."""
    V = _krylov_basis(unit_residual, restart)
    dtype = _leaf_dtype(b)
    R = jnp.eye(restart, restart + 1, dtype=dtype)   # identity rows keep an early stop solvable
    givens = jnp.zeros((restart, 2), dtype=dtype)
    beta = jnp.zeros((restart + 1,), dtype=dtype).at[0].set(residual_norm.astype(dtype))

    def cond(carry):
        k, err, *_ = carry
        return jnp.logical_and(k < restart, err > ptol)

    def body(carry):
        k, _, V, R, beta, givens = carry
        V, H, _ = _arnoldi_step(k, A, M, V, R)
        row = lax.fori_loop(0, k, lambda i, row: _rotate(row, i, givens[i, 0], givens[i, 1]),
                            H[k, :])
        cs, sn = _givens(row[k], row[k + 1])
        givens = givens.at[k, :].set(jnp.stack([cs, sn]).astype(dtype))
        row = _rotate(row, k, givens[k, 0], givens[k, 1])
        R = R.at[k, :].set(row)
        beta = _rotate(beta, k, givens[k, 0], givens[k, 1])
        return k + 1, jnp.abs(beta[k + 1]), V, R, beta, givens

    _, _, V, R, beta, _ = lax.while_loop(cond, body, (0, residual_norm, V, R, beta, givens))
    y = _sp_linalg.solve_triangular(R[:, :-1].T, beta[:-1])
    return _finish_restart(A, b, x0, M, V, y)


def _gmres_batched(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
    """One GMRES restart: the full Arnoldi process (stopping only at breakdown), then the small
    least-squares problem by its normal equations."""
    del ptol
    V = _krylov_basis(unit_residual, restart)
    dtype = _leaf_dtype(b)
    H = jnp.eye(restart, restart + 1, dtype=dtype)

    def cond(carry):
        _, _, breakdown, k = carry
        return jnp.logical_and(k < restart, jnp.logical_not(breakdown))

    def body(carry):
        V, H, _, k = carry
        V, H, breakdown = _arnoldi_step(k, A, M, V, H)
        return V, H, breakdown, k + 1

    V, H, _, _ = lax.while_loop(cond, body, (V, H, False, 0))
    beta = jnp.zeros((restart + 1,), dtype=dtype).at[0].set(residual_norm.astype(dtype))
    Ht = H.T
    HtH = _dot(jnp.conj(Ht.T), Ht)
    y = _sp_linalg.solve(HtH, _dot(jnp.conj(Ht.T), beta), assume_a="pos")
    return _finish_restart(A, b, x0, M, V, y)


def _gmres_iterate(A, b, x0, atol, ptol, restart, maxiter, M, restart_fn):
    unit, norm = _normalize(M(_sub(b, A(x0))))

    def cond(carry):
        _, k, _, norm = carry
        return jnp.logical_and(k < maxiter, norm > atol)

    def body(carry):
        x, k, unit, norm = carry
        x, unit, norm = restart_fn(A, b, x, unit, norm, ptol, restart, M)
        return x, k + 1, unit, norm

    return lax.while_loop(cond, body, (x0, 0, unit, norm))[0]


def gmres(A, b, x0=None, *, tol=1e-5, atol=0.0, restart=20, maxiter=None, M=None,
          solve_method="batched"):
    """Solve A x = b by restarted GMRES for a general square A (jax.scipy.sparse.linalg.gmres).

    restart: Krylov subspace dimension per restart (capped at b's size); maxiter: number of
    restarts (default 10 * size); solve_method: 'batched' (solve the least-squares problem at
    the end of each restart) or 'incremental' (Givens QR as it goes, stopping early).
    Returns (x, info) with info = -1 where x has a NaN, else 0 (as JAX).
    """
    if solve_method == "incremental":
        restart_fn = _gmres_incremental
    elif solve_method == "batched":
        restart_fn = _gmres_batched
    else:
        raise ValueError(f"invalid solve_method {solve_method}, must be either "
                         "'incremental' or 'batched'")
    A, b, x0, M = _prepare(A, b, x0, M)
    size = sum(int(np.size(l)) for l in tree_leaves(b))
    if maxiter is None:
        maxiter = 10 * size
    restart = min(restart, size)
    _check_shapes(b, x0)

    b_norm = _tree_norm(b)
    atol = jnp.maximum(tol * b_norm, atol)
    ptol = _tree_norm(M(b)) * jnp.minimum(1.0, atol / b_norm)

    def solve(A, b):
        return _gmres_iterate(A, b, x0, atol, ptol, restart, maxiter, M, restart_fn)

    x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve)
    info = jnp.where(jnp.isnan(_tree_norm(x)), -1, 0)
    return x, info
