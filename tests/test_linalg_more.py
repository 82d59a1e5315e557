"""jax.lax.linalg's eig/schur/hessenberg/tridiagonal/householder_product/ormqr/tridiagonal_solve/
symmetric_product/cholesky_update/qdwh and jax.scipy.linalg's schur-based functions and structured
matrices. Values pinned to jax 0.10.2 / scipy 1.17 (computed elsewhere: scipy is not a dependency);
reconstruction identities; jit, vmap and grads (float64) where JAX defines them; JAX's errors."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
import jaxish.scipy.linalg as SL
from jaxish.lax import linalg as LL

from breadth_helpers import check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401

A3 = np.array([[2., -1., 0.5], [1., 3., -2.], [0.25, 1.5, 1.]])


def _close(got, want, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol)


# ---- lax.linalg: Householder forms, pinned to LAPACK's (via jax) ----------------------------------
def test_hessenberg_matches_lapack_gehrd():
    h, taus = LL.hessenberg(A3)
    _close(h, [[2., 0.8488746876271656, 0.7276068751089989], [-1.0307764064044151, 2.7647058823529425,
               2.441176470588236], [0.12310562561766053, -1.058823529411765, 1.2352941176470589]])
    _close(taus, [1.970142500145332, 0.])
    # Q from the reflectors (orghr: shifted one row down): a = Q H Q^T
    q = np.eye(3)
    q[1:, 1:] = np.asarray(LL.householder_product(h[1:, :2], taus))
    hh = np.triu(np.asarray(h), -1)
    _close(np.asarray(q) @ hh @ np.asarray(q).T, A3, atol=1e-12)


def test_hessenberg_complex_reconstructs_and_batches():
    a = _r((2, 4, 4), 1) + 1j * _r((2, 4, 4), 2)
    h, taus = LL.hessenberg(a)
    assert taus.shape == (2, 3) and h.dtype == np.complex128
    q = np.broadcast_to(np.eye(4, dtype=complex), (2, 4, 4)).copy()
    q[:, 1:, 1:] = np.asarray(LL.householder_product(h[:, 1:, :3], taus))
    hh = np.triu(np.asarray(h), -1)
    _close(q @ hh @ np.conj(np.swapaxes(q, -1, -2)), a, atol=1e-12)
    _close(np.imag(np.diagonal(hh, -1, -2, -1)), np.zeros((2, 3)), atol=1e-14)  # real subdiagonal
    check_vmap(LL.hessenberg, a)


@pytest.mark.parametrize("lower", [True, False])
def test_tridiagonal_matches_lapack_sytrd(lower):
    s = A3 + A3.T
    a, d, e, taus = LL.tridiagonal(s, lower=lower)
    if lower:
        _close(a, [[4., 0., 0.75], [-0.75, 2., -0.5], [1., -0.5, 6.]])
        _close(d, [4., 2., 6.]), _close(e, [-0.75, -0.5]), _close(taus, [1., 0.])
    else:
        _close(a, [[5.384615384615383, -0.9230769230769217, -0.5351837584879964],
                   [0., 4.615384615384613, 0.9013878188659974], [0.75, -0.5, 2.]])
        _close(d, [5.384615384615383, 4.615384615384613, 2.])
        _close(e, [-0.9230769230769217, 0.9013878188659974]), _close(taus, [0., 1.5547001962252291])


def test_tridiagonal_hermitian_eigenvalues_and_dtypes():
    x = _r((5, 5), 3) + 1j * _r((5, 5), 4)
    h = x + x.conj().T
    _, d, e, taus = LL.tridiagonal(h)
    assert d.dtype == e.dtype == np.float64 and taus.dtype == np.complex128
    t = np.diag(np.asarray(d)) + np.diag(np.asarray(e), 1) + np.diag(np.asarray(e), -1)
    _close(np.linalg.eigvalsh(t), np.linalg.eigvalsh(h), atol=1e-12)


def test_ormqr_applies_q_without_forming_it():
    h, taus = _r((4, 3), 5), _r(3, 6)
    q = np.eye(4)
    for i in range(3):  # the full Q = H_0 H_1 H_2 from the reflectors, by numpy
        u = np.concatenate([np.zeros(i), [1.], h[i + 1:, i]])
        q = q @ (np.eye(4) - taus[i] * np.outer(u, u))
    _close(LL.householder_product(h, taus), q[:, :3], atol=1e-13)
    check_grads(LL.householder_product, h, taus)
    c = _r((4, 2), 6)
    _close(LL.ormqr(h, taus, c), q @ c, atol=1e-13)
    _close(LL.ormqr(h, taus, c, transpose=True), q.T @ c, atol=1e-13)
    _close(LL.ormqr(h, taus, c.T, left=False), c.T @ q, atol=1e-13)
    _close(LL.ormqr(h, taus, c.T, left=False, transpose=True), c.T @ q.T, atol=1e-13)
    with pytest.raises(ValueError):
        LL.ormqr(h, taus, _r((3, 2), 0))


# ---- tridiagonal_solve ------------------------------------------------------------------------------
def _dense(dl, d, du):
    return np.diag(d) + np.diag(dl[1:], -1) + np.diag(du[:-1], 1)


def test_tridiagonal_solve_values_grads_and_singular():
    dl, d, du, b = _r(6, 1), _r(6, 2), _r(6, 3), _r((6, 2), 4)
    d = d + 0.1  # row interchanges happen: |d| is not dominant
    x = LL.tridiagonal_solve(dl, d, du, b)
    _close(x, np.linalg.solve(_dense(dl, d, du), b), rtol=1e-9, atol=1e-10)
    check_grads(lambda dl, d, du, b: LL.tridiagonal_solve(dl, d, du, b), dl, d + 3, du, b)
    g = jax.grad(lambda dl, du: jnp.sum(LL.tridiagonal_solve(dl, d + 3, du, b)), argnums=(0, 1))(dl, du)
    assert float(g[0][0]) == 0.0 and float(g[1][-1]) == 0.0  # dl[0] and du[-1] are not read
    assert np.isnan(np.asarray(LL.tridiagonal_solve(dl, np.zeros(6), np.zeros(6), b))).all()


def test_tridiagonal_solve_jit_vmap_and_errors():
    dl, d, du, b = _r((3, 5), 1), _r((3, 5), 2) + 4, _r((3, 5), 3), _r((3, 5, 2), 4)
    check_jit(LL.tridiagonal_solve, dl, d, du, b)
    check_vmap(LL.tridiagonal_solve, dl, d, du, b)
    check_vmap(LL.tridiagonal_solve, dl[0], d[0], du[0], b, in_axes=(None, None, None, 0))
    with pytest.raises(TypeError, match="same shape"):
        LL.tridiagonal_solve(dl[0, :4], d[0], du[0], b[0])
    with pytest.raises(TypeError, match="leading"):
        LL.tridiagonal_solve(dl[0], d[0], du[0], b[0, :4])


# ---- symmetric_product, cholesky_update, qdwh -----------------------------------------------------
def test_symmetric_product():
    a, c = _r((2, 4, 3), 1), _r((2, 4, 4), 2)
    want = 2.0 * a @ np.swapaxes(a, -1, -2) + 3.0 * c
    _close(LL.symmetric_product(a, c, alpha=2.0, beta=3.0), want, atol=1e-12)
    sym = np.asarray(LL.symmetric_product(a, c, alpha=2.0, beta=3.0, symmetrize_output=True))
    _close(sym, np.tril(want) + np.swapaxes(np.tril(want, -1), -1, -2), atol=1e-12)
    with pytest.raises(TypeError, match="floating"):
        LL.symmetric_product(a + 0j, c + 0j)


def test_cholesky_update():
    a = _r((5, 5), 1)
    spd = a @ a.T + 5 * np.eye(5)
    w = _r(5, 2)
    r = np.linalg.cholesky(spd).T
    _close(LL.cholesky_update(r, w), np.linalg.cholesky(spd + np.outer(w, w)).T, atol=1e-12)
    check_jit(LL.cholesky_update, r, w)
    with pytest.raises(TypeError):
        LL.cholesky_update(r, w[:4])


def test_qdwh_polar():
    u, h, iters, ok = LL.qdwh(A3)
    _close(u, [[0.9354645080677957, -0.3164983813028396, 0.15727342044401357],
               [0.34178534094196655, 0.6969110229458197, -0.6304742713337277],
               [0.08993850600638661, 0.6435400537101739, 0.760110034408207]], atol=1e-12)
    assert int(iters) == 6 and iters.dtype == np.int32 and bool(ok)
    _close(np.asarray(u) @ np.asarray(h), A3, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(np.asarray(h)) > 0)
    x = _r((6, 3), 7)
    u2, h2, _, _ = jax.jit(LL.qdwh)(x)
    _close(np.asarray(u2).T @ np.asarray(u2), np.eye(3), atol=1e-12)
    _close(np.asarray(u2) @ np.asarray(h2), x, atol=1e-12)
    with pytest.raises(ValueError, match="M >= N"):
        LL.qdwh(x.T)


# ---- eig ----------------------------------------------------------------------------------------------
def test_eig_left_and_right_vectors():
    a = _r((4, 4), 3)
    w, vl, vr = (np.asarray(t) for t in LL.eig(a))
    assert w.dtype == vl.dtype == vr.dtype == np.complex128
    _close(a @ vr, vr * w, atol=1e-12)
    _close(vl.conj().T @ a, w[:, None] * vl.conj().T, atol=1e-12)
    _close(np.linalg.norm(vl, axis=0), np.ones(4))
    assert len(LL.eig(a, compute_left_eigenvectors=False)) == 2
    assert len(LL.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)) == 1
    check_vmap(lambda x: LL.eig(x)[0], _r((3, 4, 4), 4))


def test_eig_derivatives():
    a = _r((4, 4), 3)
    check_grads(lambda x: jnp.real(LL.eig(x, compute_left_eigenvectors=False,
                                         compute_right_eigenvectors=False)[0]), a)
    with pytest.raises(NotImplementedError, match="enable_eigvec_derivs"):
        jax.grad(lambda x: jnp.sum(jnp.abs(LL.eig(x)[2])))(a)
    # opted in: the geev-normalised right eigenvectors' jvp matches finite differences
    f = lambda x: LL.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)[1]
    da = _r((4, 4), 9)
    _, t = jax.jvp(f, (a,), (da,))
    eps = 1e-6
    fd = (np.asarray(f(a + eps * da)) - np.asarray(f(a - eps * da))) / (2 * eps)
    _close(t, fd, rtol=1e-5, atol=1e-6)


# ---- schur ---------------------------------------------------------------------------------------------
def _check_schur(a, t, z, real):
    t, z = np.asarray(t), np.asarray(z)
    _close(z @ t @ z.conj().T, a, atol=1e-11)
    _close(z.conj().T @ z, np.eye(len(a)), atol=1e-12)
    assert not np.any(np.tril(t, -2))
    sub = np.diagonal(t, -1)
    if not real:
        assert not np.any(sub)
    for i in np.nonzero(sub)[0]:  # 2x2 blocks: standard form, complex pair, isolated
        assert abs(t[i, i] - t[i + 1, i + 1]) < 1e-10 and t[i, i + 1] * t[i + 1, i] < 0
        assert i + 1 >= len(sub) or sub[i + 1] == 0


def test_schur_real_and_complex():
    a = _r((6, 6), 11)
    t, z = LL.schur(a)
    _check_schur(a, t, z, real=True)
    _close(np.sort_complex(np.linalg.eigvals(np.asarray(t))), np.sort_complex(np.linalg.eigvals(a)), atol=1e-10)
    tc, zc = SL.schur(a, output="complex")
    assert tc.dtype == np.complex128
    _check_schur(a, tc, zc, real=False)
    jordan = np.array([[1., 1., 0.], [0., 1., 1.], [0., 0., 1.]])  # defective
    _check_schur(jordan, *LL.schur(jordan), real=True)
    (only_t,) = LL.schur(a, compute_schur_vectors=False)
    _close(only_t, t)


def test_schur_batch_jit_and_errors():
    a = _r((3, 4, 4), 12)
    t, z = jax.vmap(SL.schur)(a)
    for i in range(3):
        _check_schur(a[i], t[i], z[i], real=True)
    check_jit(lambda x: SL.schur(x)[0], a[0])
    with pytest.raises(NotImplementedError):
        jax.grad(lambda x: jnp.sum(LL.schur(x)[0]))(a[0])
    with pytest.raises(ValueError):
        SL.schur(a[0], output="bad")
    with pytest.raises(ValueError):
        LL.schur(np.ones((3, 4)))


def test_rsf2csf():
    a = _r((5, 5), 13)
    t, z = SL.schur(a)
    tc, zc = SL.rsf2csf(t, z)
    assert tc.dtype == np.complex128
    _check_schur(a, tc, zc, real=False)
    with pytest.raises(ValueError, match="must match"):
        SL.rsf2csf(t, z[:4, :4])


def test_sqrtm_and_funm_match_scipy():
    s = SL.sqrtm(A3)
    assert s.dtype == np.complex128
    _close(np.real(s), [[1.4474711403128404, -0.31946846482486563, 0.10915106251084562],
                        [0.3102715248427588, 1.85431053496772, -0.675724689578158],
                        [0.03618165129120941, 0.5021950471925646, 1.1555934954342946]], atol=1e-12)
    _close(np.asarray(s) @ np.asarray(s), A3, atol=1e-12)
    f = SL.funm(A3, jnp.sin)
    _close(np.real(f), [[1.4224607392659594, 0.7843051449806802, -1.1828645787403047],
                        [-0.9280709642988559, 2.003930877807946, 0.9935470126886583],
                        [-0.8789639280065029, -0.8170431691755807, 2.6380633422011632]], atol=1e-12)
    fe, err = SL.funm(A3, jnp.exp, disp=False)
    _close(np.real(fe), np.asarray(SL.expm(A3)), atol=1e-12)
    assert 0 < float(err) < 1e-10
    with pytest.raises(NotImplementedError):
        SL.sqrtm(A3, blocksize=2)


# ---- expm_frechet, eigh_tridiagonal, solve_sylvester, qr_multiply -----------------------------------------
def test_expm_frechet():
    a, e = 0.5 * _r((3, 3), 1), _r((3, 3), 2)
    ea, le = SL.expm_frechet(a, e)
    _close(ea, SL.expm(a))
    eps = 1e-6
    _close(le, (np.asarray(SL.expm(a + eps * e)) - np.asarray(SL.expm(a - eps * e))) / (2 * eps), rtol=1e-7,
           atol=1e-8)
    _close(SL.expm_frechet(a, e, compute_expm=False), le)
    check_grads(lambda a, e: SL.expm_frechet(a, e, compute_expm=False), a, e)
    with pytest.raises(ValueError, match="same shape"):
        SL.expm_frechet(a, np.eye(2))


def test_eigh_tridiagonal():
    d, e = _r(6, 1), _r(5, 2)
    full = np.diag(d) + np.diag(e, 1) + np.diag(e, -1)
    w, v = SL.eigh_tridiagonal(d, e)
    _close(w, np.linalg.eigvalsh(full), atol=1e-12)
    _close(full @ np.asarray(v), np.asarray(v) * np.asarray(w), atol=1e-12)
    _close(SL.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(1, 3)),
           np.linalg.eigvalsh(full)[1:4], atol=1e-12)
    with pytest.raises(NotImplementedError):
        SL.eigh_tridiagonal(d, e, select="v", select_range=(0., 1.))
    with pytest.raises(TypeError, match="same dtype"):
        SL.eigh_tridiagonal(d, e.astype(np.float32))


@pytest.mark.parametrize("method", ["schur", "eigen"])
def test_solve_sylvester(method):
    a, b, c = _r((4, 4), 1), _r((3, 3), 2), _r((4, 3), 3)
    x = np.asarray(SL.solve_sylvester(a, b, c, method=method))
    assert x.dtype == np.float64
    _close(a @ x + x @ b, c, atol=1e-10)
    batched = SL.solve_sylvester(np.stack([a, 2 * a]), b, c, method=method)
    _close(batched[0], x, atol=1e-10)
    # eigenvalue sums near zero: NaNs, as JAX
    assert np.isnan(np.asarray(SL.solve_sylvester(np.eye(2), -np.eye(2), np.ones((2, 2))))).all()
    with pytest.raises(ValueError, match="Incompatible"):
        SL.solve_sylvester(a, b, c.T)


def test_qr_multiply():
    a, c = _r((5, 3), 1), _r((2, 5), 2)
    q, r = np.linalg.qr(a)
    cq, r2 = SL.qr_multiply(a, c)
    _close(np.asarray(cq) @ np.asarray(r2), c @ a, atol=1e-12)  # c Q R = c a for any sign convention
    _close(np.abs(r2), np.abs(r), atol=1e-12)
    ql, _ = SL.qr_multiply(a, _r((3, 2), 3), mode="left")
    _close(np.asarray(ql), np.asarray(SL.qr(a, mode="economic")[0]) @ _r((3, 2), 3), atol=1e-12)
    v, _ = SL.qr_multiply(a, _r(5, 4))
    assert v.shape == (3,)
    check_grads(lambda a, c: SL.qr_multiply(a, c)[0], a, c)
    with pytest.raises(ValueError, match="not compatible"):
        SL.qr_multiply(a, _r((2, 4), 0))


# ---- structured matrices (values from scipy) -------------------------------------------------------------
def test_structured_matrices():
    _close(SL.convolution_matrix(np.array([1., 2., 3.]), 4, "same"),
           [[2, 1, 0, 0], [3, 2, 1, 0], [0, 3, 2, 1], [0, 0, 3, 2]])
    assert SL.convolution_matrix(np.array([1., 2., 3.]), 4).shape == (6, 4)
    _close(SL.convolution_matrix(np.array([1., 2., 3., 4., 5.]), 2, "valid"), [[2, 1], [3, 2], [4, 3], [5, 4]])
    v = _r(4, 1)
    _close(np.asarray(SL.dft(4)) @ v, np.fft.fft(v), atol=1e-12)
    assert SL.dft(3).dtype == np.complex128
    with pytest.raises(ValueError):
        SL.dft(3, dtype=np.float32)
    _close(SL.fiedler(np.array([1., 4., 12.])), [[0, 3, 11], [3, 0, 8], [11, 8, 0]])
    fc = np.asarray(SL.fiedler_companion(np.array([1., 2., 3., 4., 5., 6.])))
    _close(np.sort_complex(np.linalg.eigvals(fc)), np.sort_complex(np.roots([1., 2., 3., 4., 5., 6.])), atol=1e-10)
    _close(fc, [[-2, -3, 1, 0, 0], [1, 0, 0, 0, 0], [0, -4, 0, -5, 1], [0, 1, 0, 0, 0], [0, 0, 0, -6, 0]])
    h = SL.hadamard(4)
    assert h.dtype == np.int64
    _close(np.asarray(h) @ np.asarray(h).T, 4 * np.eye(4))
    with pytest.raises(ValueError):
        SL.hadamard(6)
    _close(SL.helmert(3), [[2 ** -0.5, -2 ** -0.5, 0], [6 ** -0.5, 6 ** -0.5, -2 / 6 ** 0.5]])
    hf = np.asarray(SL.helmert(4, full=True))
    _close(hf @ hf.T, np.eye(4), atol=1e-14)
    _close(SL.invhilbert(3), [[9, -36, 30], [-36, 192, -180], [30, -180, 180]])
    _close(np.asarray(SL.invhilbert(4)) @ np.asarray(SL.hilbert(4)), np.eye(4), atol=1e-9)
    _close(SL.pascal(4), [[1, 1, 1, 1], [1, 2, 3, 4], [1, 3, 6, 10], [1, 4, 10, 20]])
    assert SL.pascal(3).dtype == np.float32
    _close(SL.pascal(3, "upper"), [[1, 1, 1], [0, 1, 2], [0, 0, 1]])
    for kind in (None, "lower", "upper"):
        _close(np.asarray(SL.invpascal(5, kind)) @ np.asarray(SL.pascal(5, kind), np.float64), np.eye(5))
    with pytest.raises(ValueError):
        SL.pascal(3, "bad")
    _close(SL.leslie(np.array([0.1, 2., 1., 0.1]), np.array([0.2, 0.8, 0.7])),
           [[0.1, 2, 1, 0.1], [0.2, 0, 0, 0], [0, 0.8, 0, 0], [0, 0, 0.7, 0]])
    assert SL.leslie(np.ones((2, 3)), np.ones((2, 2))).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="one less"):
        SL.leslie(np.ones(3), np.ones(3))
