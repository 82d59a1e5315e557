"""jaxish.scipy.linalg, the newer jaxish.scipy.special functions and jaxish.scipy.stats distributions.

Values are pinned to scipy 1.17.1 / jax 0.10.2 (computed in a separate environment: scipy is not a
dependency); jit (eager backend, and the fused default on a subset) against eager, vmap against a
loop, jvp against finite differences and vjp against jvp in float64; bad input raises JAX's errors."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
import jaxish.scipy.linalg as SL
import jaxish.scipy.special as SS
import jaxish.scipy.stats as ST

from breadth_helpers import check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401


def _spd(n, seed=0, batch=()):
    a = _r(batch + (n, n), seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _close(got, want, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=atol)


# ---- scipy.linalg ------------------------------------------------------------------------------------
def test_cholesky_upper_by_default():
    a = _spd(4)
    u = SL.cholesky(a)
    _close(np.triu(u), u)
    _close(u.T @ u, a)
    l = SL.cholesky(a, lower=True)
    _close(l, np.linalg.cholesky(a))
    c, lower = SL.cho_factor(a)
    assert lower is False
    _close(c, u)


@pytest.mark.parametrize("lower", [False, True])
def test_cho_solve(lower):
    a = _spd(4, 1)
    fac = SL.cho_factor(a, lower=lower)
    b, bm = _r((4,), 2), _r((4, 3), 3)
    _close(SL.cho_solve(fac, b), np.linalg.solve(a, b))
    _close(SL.cho_solve(fac, bm), np.linalg.solve(a, bm))
    check_grads(lambda a, b: SL.cho_solve(SL.cho_factor(a, lower=lower), b), a, bm)


@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(trans, lower):
    a = _r((4, 4), 0) + 4 * np.eye(4)
    b = _r((4, 2), 1)
    t = np.tril(a) if lower else np.triu(a)
    op = t if trans in (0, "N") else t.T
    _close(SL.solve_triangular(a, b, trans=trans, lower=lower), np.linalg.solve(op, b))
    _close(SL.solve_triangular(a, b[:, 0], trans=trans, lower=lower), np.linalg.solve(op, b[:, 0]))


def test_solve_triangular_unit_diagonal_complex_and_batched():
    a = _r((4, 4), 0) + 1j * _r((4, 4), 1)
    b = _r((4, 2), 2) + 0j
    t = np.tril(a, -1) + np.eye(4)
    _close(SL.solve_triangular(a, b, lower=True, unit_diagonal=True), np.linalg.solve(t, b))
    _close(SL.solve_triangular(a, b, trans="C", lower=True, unit_diagonal=True), np.linalg.solve(t.conj().T, b))
    ab = _r((3, 4, 4), 3) + 4 * np.eye(4)
    bb = _r((3, 4), 4)        # a.ndim == b.ndim + 1: a batch of vectors
    want = np.stack([np.linalg.solve(np.triu(ab[i]), bb[i]) for i in range(3)])
    _close(SL.solve_triangular(ab, bb), want)
    check_grads(lambda a, b: SL.solve_triangular(a, b, trans=1, lower=True), ab, bb)
    check_vmap(lambda a, b: SL.solve_triangular(a, b, lower=True), ab, bb)


@pytest.mark.parametrize("assume_a", ["gen", "sym", "her", "pos"])
def test_solve(assume_a):
    a = _spd(4, 5)
    b, bm = _r((4,), 6), _r((4, 2), 7)
    _close(SL.solve(a, b, assume_a=assume_a), np.linalg.solve(a, b))
    _close(SL.solve(a, bm, assume_a=assume_a), np.linalg.solve(a, bm))
    # the derivative is a generic solve's, also along non-symmetric directions of a
    check_grads(lambda a, b: SL.solve(a, b, assume_a=assume_a), a, bm)


def test_solve_pos_gradient_matches_jax():
    a = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    g = jax.grad(lambda a: SL.solve(a, b, assume_a="pos")[0])(a)
    # jax 0.10.2: jax.grad(lambda a: jax.scipy.linalg.solve(a, b, assume_a='pos')[0])(a)
    want = np.array([[-0.11978799997617283, 0.23076612509130992, -0.063115521392495],
                     [0.03818744965683362, -0.07356638215998136, 0.02012071990700344],
                     [0.02612825502835984, -0.05033489305682933, 0.0137668083574234]])
    _close(g, want, rtol=1e-8)


def test_inv_det():
    a = _r((3, 4, 4), 8)
    _close(SL.inv(a), np.linalg.inv(a))
    _close(SL.det(a), np.linalg.det(a))
    check_grads(SL.det, a[0])
    check_grads(SL.inv, a[0] + 4 * np.eye(4))


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5), (2, 4, 4)])
def test_lu(shape):
    a = _r(shape, 9)
    p, l, u = SL.lu(a)
    m, n = shape[-2:]
    k = min(m, n)
    assert p.shape == shape[:-2] + (m, m) and l.shape == shape[:-2] + (m, k) and u.shape == shape[:-2] + (k, n)
    _close(p @ l @ u, a)
    _close(np.tril(l, -1) + np.eye(m, k), l)
    _close(np.triu(u), u)
    assert np.all(np.abs(np.asarray(l)) <= 1 + 1e-12)       # partial pivoting
    pl, u2 = SL.lu(a, permute_l=True)
    _close(pl @ u2, a)


def test_lu_matches_scipy_values():
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 10.0]])
    p, l, u = SL.lu(a)
    _close(p, [[0, 1, 0], [0, 0, 1], [1, 0, 0]])        # scipy.linalg.lu(a)
    _close(l, [[1, 0, 0], [1 / 7, 1, 0], [4 / 7, 0.5, 1]])
    _close(u, [[7, 8, 10], [0, 6 / 7, 11 / 7], [0, 0, -0.5]])
    lu, piv = SL.lu_factor(a)
    assert piv.dtype == np.int32
    np.testing.assert_array_equal(piv, [2, 2, 2])


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_solve(trans):
    a = _r((4, 4), 10) + 1j * _r((4, 4), 11)
    b = _r((4, 3), 12) + 0j
    op = [a, a.T, a.conj().T][trans]
    fac = SL.lu_factor(a)
    _close(SL.lu_solve(fac, b, trans=trans), np.linalg.solve(op, b))
    _close(SL.lu_solve(fac, b[:, 1], trans=trans), np.linalg.solve(op, b[:, 1]))


def test_lu_solve_grads_and_vmap():
    a = _r((4, 4), 13) + 4 * np.eye(4)
    b = _r((4, 2), 14)
    check_grads(lambda a, b: SL.lu_solve(SL.lu_factor(a), b, trans=1), a, b)
    check_vmap(lambda b: SL.lu_solve(SL.lu_factor(a), b), b, in_axes=1)


def test_qr_modes():
    a = _r((5, 3), 15)
    q, r = SL.qr(a)
    assert q.shape == (5, 5) and r.shape == (5, 3)
    _close(q @ r, a)
    q, r = SL.qr(a, mode="economic")
    assert q.shape == (5, 3) and r.shape == (3, 3)
    _close(q @ r, a)
    out = SL.qr(a, mode="r")
    assert isinstance(out, tuple) and len(out) == 1 and out[0].shape == (5, 3)
    _close(out[0], np.vstack([r, np.zeros((2, 3))]))


def test_svd_eigh():
    a = _r((4, 3), 16)
    u, s, vh = SL.svd(a, full_matrices=False)
    _close(u * s @ vh, a)
    _close(SL.svd(a, compute_uv=False), np.linalg.svd(a, compute_uv=False))
    h = _spd(4, 17)
    w, v = SL.eigh(h)
    _close(w, np.linalg.eigvalsh(h))
    _close(v @ np.diag(w) @ v.T, h)
    _close(SL.eigh(h, eigvals_only=True), np.linalg.eigvalsh(h))
    # lower=False reads the upper triangle only
    hu = np.triu(h) + np.tril(_r((4, 4), 18), -1)
    _close(SL.eigh(hu, lower=False, eigvals_only=True), np.linalg.eigvalsh(h))


EXPM_CASES = [
    (np.array([[1.0, 2.0], [3.0, -1.0]]),
     [[9.732603725180551, 5.300225316626119], [7.9503379749391785, 4.432378408554433]]),
    (np.array([[0.1, 0.02, 0.0], [-0.03, 0.05, 0.01], [0.0, 0.2, -0.1]]),
     [[1.1048447884513668, 2.1564612348538501e-02, 1.0178338224696420e-04],
      [-3.2346918522807744e-02, 1.0519510914024903, 9.7644723517996065e-03],
      [-3.0535014674089259e-03, 1.9528944703599213e-01, 9.0578935627223700e-01]]),
    (np.array([[10.0, -3.0], [4.0, 2.0]]),
     [[4444.137905546062, -2194.76987775646], [2926.3598370086142, -1408.5817684711633]]),
]


@pytest.mark.parametrize("case", range(len(EXPM_CASES)))
def test_expm_values(case):
    a, want = EXPM_CASES[case]          # scipy.linalg.expm
    _close(SL.expm(a), want, rtol=1e-12)
    _close(SL.expm(a.astype(np.float32)), want, rtol=2e-5)
    assert SL.expm(a.astype(np.float32)).dtype == np.float32


def test_expm_properties_grads_and_transforms():
    a = _r((3, 3), 19, scale=0.7)
    _close(SL.expm(a) @ SL.expm(-a), np.eye(3), atol=1e-12)
    d = np.diag([0.5, -1.0, 2.0])
    _close(SL.expm(np.triu(a) + d, upper_triangular=True), SL.expm(np.triu(a) + d))
    big = np.array([[0.0, 1e6], [-1e6, 0.0]])
    assert np.all(np.isnan(np.asarray(SL.expm(big, max_squarings=4))))
    check_grads(SL.expm, a)
    check_grads(SL.expm, 4 * a)           # several squarings and the order-13 approximant
    stack = np.stack([a * s for s in (0.01, 0.3, 1.0, 6.0)])
    check_vmap(SL.expm, stack)
    _close(SL.expm(stack), np.stack([np.asarray(SL.expm(x)) for x in stack]))
    check_jit(SL.expm, a)


def test_structured_matrices():
    _close(SL.block_diag(np.ones((1, 1)), 2 * np.ones((2, 2)), np.arange(3.0)),
           [[1, 0, 0, 0, 0, 0], [0, 2, 2, 0, 0, 0], [0, 2, 2, 0, 0, 0], [0, 0, 0, 0, 1, 2]])
    assert SL.block_diag().shape == (1, 0)
    assert SL.block_diag(np.ones(2, np.int32), np.ones((1, 1), np.float32)).dtype == np.float32
    t = SL.toeplitz(jnp.array([1, 2, 3]))
    assert t.dtype == jnp.array(1).dtype
    np.testing.assert_array_equal(t, [[1, 2, 3], [2, 1, 2], [3, 2, 1]])
    np.testing.assert_array_equal(SL.toeplitz(jnp.array([1, 2, 3]), jnp.array([-1, -2, -3, -4])),
                                  [[1, -2, -3, -4], [2, 1, -2, -3], [3, 2, 1, -2]])
    c = np.array([1 + 1j, 2 - 1j])
    _close(SL.toeplitz(c), [[1 + 1j, 2 + 1j], [2 - 1j, 1 + 1j]])
    assert SL.toeplitz(np.arange(6.0).reshape(2, 3)).shape == (2, 3, 3)
    np.testing.assert_array_equal(SL.circulant(jnp.array([1, 2, 3])), [[1, 3, 2], [2, 1, 3], [3, 2, 1]])
    np.testing.assert_array_equal(SL.hankel(jnp.array([1, 2, 3]), jnp.array([3, 4, 5, 6])),
                                  [[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]])
    _close(SL.hilbert(3), [[1, 1 / 2, 1 / 3], [1 / 2, 1 / 3, 1 / 4], [1 / 3, 1 / 4, 1 / 5]])
    _close(SL.companion(jnp.array([1.0, -10.0, 31.0, -30.0])), [[10, -31, 30], [1, 0, 0], [0, 1, 0]])
    check_grads(lambda c, r: SL.toeplitz(c, r), _r((3,), 1), _r((4,), 2))
    check_jit(lambda x, y: SL.block_diag(x, y), _r((2, 2), 3), _r((1, 3), 4))


@pytest.mark.parametrize("side", ["right", "left"])
def test_polar(side):
    a = _r((4, 4), 20)
    u, p = SL.polar(a, side=side)
    _close(u @ p if side == "right" else p @ u, a)
    _close(u.T @ u, np.eye(4), atol=1e-12)
    _close(p, p.T, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(np.asarray(p)) > 0)
    if side == "right":
        b = np.array([[1.0, 2.0, 0.5, -1.0], [3.0, -1.0, 2.0, 0.0], [0.0, 1.0, 4.0, 2.0], [2.0, -2.0, 1.0, 1.0]])
        _close(SL.polar(b)[1][0], [3.4034974466207024, -0.9005965834343805, 1.2353055354625355,
                                   -0.28133815739832935], rtol=1e-12)     # scipy.linalg.polar
    check_grads(lambda a: SL.polar(a, side=side), a)


def test_hessenberg():
    a = _r((5, 5), 21)
    h, q = SL.hessenberg(a, calc_q=True)
    _close(np.tril(h, -2), np.zeros((5, 5)))
    _close(q @ h @ q.T, a)
    _close(q.T @ q, np.eye(5), atol=1e-12)
    b = np.array([[1.0, 2.0, 0.5, -1.0], [3.0, -1.0, 2.0, 0.0], [0.0, 1.0, 4.0, 2.0], [2.0, -2.0, 1.0, 1.0]])
    _close(SL.hessenberg(b), [     # scipy.linalg.hessenberg (LAPACK's Householder signs)
        [1.0, -1.1094003924504583, -0.9354678035239254, -1.7731696923309093],
        [-3.6055512754639896, -1.3076923076923075, 1.8028213594267428, -2.009919394999977],
        [0.0, 1.9955571955496687, 3.6687621442450546, -1.6706943502950065],
        [0.0, 0.0, -0.28394385973193376, 1.6389301634472515]], rtol=1e-12)
    check_grads(SL.hessenberg, a)


def test_linalg_jit_and_vmap():
    a = _spd(3, 22, (4,))
    b = _r((4, 3, 2), 23)
    check_jit(lambda a, b: SL.cho_solve(SL.cho_factor(a), b), a, b, default_backend=True)
    check_jit(lambda a: SL.lu(a), a[0])
    check_vmap(lambda a, b: SL.solve(a, b, assume_a="pos"), a, b)
    check_vmap(lambda a: SL.lu(a), a)
    check_vmap(lambda a: SL.polar(a), a)


def test_linalg_errors():
    sq, rect = _r((3, 3), 0), _r((4, 3), 1)
    with pytest.raises(ValueError, match="assume_a"):
        SL.solve(sq, np.ones(3), assume_a="foo")
    with pytest.raises(ValueError, match="trans"):
        SL.solve_triangular(sq, np.ones(3), trans=3)
    with pytest.raises(ValueError, match="trans"):
        SL.lu_solve(SL.lu_factor(sq), np.ones(3), trans=5)
    with pytest.raises(ValueError, match="mode"):
        SL.qr(rect, mode="bad")
    for f in (SL.inv, SL.det, SL.expm, SL.cholesky, SL.eigh):
        with pytest.raises(ValueError, match=r"\(4, 3\)"):
            f(rect)
    with pytest.raises(ValueError, match=r"\(4,\)"):
        SL.solve(sq, np.ones(4))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        SL.cho_solve(SL.cho_factor(_spd(3)), np.ones(4))
    with pytest.raises(ValueError, match=r"\(4,\)"):
        SL.solve_triangular(sq, np.ones(4))
    with pytest.raises(ValueError, match="at least 2"):
        SL.lu(np.ones(3))
    with pytest.raises(ValueError, match="at most 2 dimensions"):
        SL.block_diag(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="side"):
        SL.polar(sq, side="up")
    with pytest.raises(NotImplementedError):
        SL.eigh(sq, sq)
