"""lax.linalg decompositions (cholesky, triangular_solve, lu, qr, svd, eigh) and jnp.linalg.

Eager against numpy.linalg (or reconstruction where numpy has no twin), jit (eager backend)
against eager, vmap against a loop, jvp against finite differences and vjp against jvp in
float64; gradient values of a few decompositions are pinned to jax 0.10.2's."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401

LA = lax.linalg
SETTINGS = dict(max_examples=10, deadline=None)


def _spd(n, seed=0, batch=()):
    a = _r(batch + (n, n), seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _wellcond(n, seed=0, batch=()):
    return _r(batch + (n, n), seed) + 2 * n * np.eye(n) * (1 - 2 * (seed % 2))


# ---- (name, function, numpy oracle or None, args(seed), differentiable) -----------------------
def _tri_case(left, lower, trans, unit):
    def f(a, b):
        return LA.triangular_solve(a, b, left_side=left, lower=lower, transpose_a=trans, unit_diagonal=unit)

    def ref(a, b):
        t = np.tril(a) if lower else np.triu(a)
        if unit:
            t = t - np.diag(np.diag(t)) + np.eye(len(t))
        if trans:
            t = t.T
        return np.linalg.solve(t, b) if left else np.linalg.solve(t.T, b.T).T
    bshape = (4, 3) if left else (3, 4)
    return (f"triangular_solve_l{int(left)}_lo{int(lower)}_t{int(trans)}_u{int(unit)}", f, ref,
            lambda s: [_wellcond(4, s), _r(bshape, s + 1)], True)


def _lu_reconstruct(a):
    lu, piv, perm = LA.lu(a)
    n = a.shape[-1]
    l = jnp.tril(lu, -1) + jnp.eye(n)
    u = jnp.triu(lu)
    return l @ u, perm


CASES = [
    ("cholesky", lambda a: LA.cholesky(a), np.linalg.cholesky, lambda s: [_spd(4, s)], True),
    ("cholesky_batched", lambda a: LA.cholesky(a), np.linalg.cholesky, lambda s: [_spd(3, s, (2,))], True),
] + [_tri_case(*flags) for flags in [(True, True, False, False), (True, False, True, False),
                                     (False, True, False, True), (False, False, True, False)]] + [
    ("lu_reconstruct", lambda a: _lu_reconstruct(a)[0], None, lambda s: [_r((4, 4), s)], True),
    ("lu_rect", lambda a: LA.lu(a)[0], None, lambda s: [_r((5, 3), s)], True),
    ("qr_reduced", lambda a: LA.qr(a, full_matrices=False), None, lambda s: [_r((5, 3), s)], True),
    ("qr_square_full", lambda a: LA.qr(a), None, lambda s: [_r((4, 4), s)], True),
    ("svd_values", lambda a: LA.svd(a, compute_uv=False), lambda a: np.linalg.svd(a, compute_uv=False),
     lambda s: [_r((4, 6), s)], True),
    ("svd_vectors_tall", lambda a: LA.svd(a, full_matrices=False), None, lambda s: [_r((5, 3), s)], True),
    ("svd_vectors_wide", lambda a: LA.svd(a, full_matrices=False), None, lambda s: [_r((3, 5), s)], True),
    ("eigh", lambda a: LA.eigh(a)[1], lambda a: np.linalg.eigvalsh(a), lambda s: [_spd(4, s)], True),
    ("eigh_vectors", lambda a: LA.eigh(a)[0], None, lambda s: [_spd(4, s)], True),
    ("inv", jnp.linalg.inv, np.linalg.inv, lambda s: [_wellcond(4, s)], True),
    ("solve_matrix", jnp.linalg.solve, np.linalg.solve, lambda s: [_wellcond(4, s), _r((4, 2), s + 1)], True),
    ("solve_vector", jnp.linalg.solve, np.linalg.solve, lambda s: [_wellcond(3, s), _r((3,), s + 1)], True),
    ("solve_batched", jnp.linalg.solve, np.linalg.solve, lambda s: [_wellcond(3, s, (2,)), _r((2, 3, 1), s + 1)],
     True),
    ("det", jnp.linalg.det, np.linalg.det, lambda s: [_r((4, 4), s)], True),
    ("slogdet", lambda a: tuple(jnp.linalg.slogdet(a)), lambda a: tuple(np.linalg.slogdet(a)),
     lambda s: [_r((2, 3, 3), s)], True),
    ("pinv", jnp.linalg.pinv, np.linalg.pinv, lambda s: [_r((5, 3), s)], True),
    ("matrix_power", lambda a: jnp.linalg.matrix_power(a, 3), lambda a: np.linalg.matrix_power(a, 3),
     lambda s: [_r((3, 3), s)], True),
    ("matrix_power_neg", lambda a: jnp.linalg.matrix_power(a, -2), lambda a: np.linalg.matrix_power(a, -2),
     lambda s: [_wellcond(3, s)], True),
    ("eigvalsh", jnp.linalg.eigvalsh, np.linalg.eigvalsh, lambda s: [_spd(3, s)], True),
    ("norm_fro", jnp.linalg.norm, np.linalg.norm, lambda s: [_r((3, 4), s)], True),
    ("norm_vec_ords", lambda x: [jnp.linalg.norm(x, o) for o in (1, 2, 3, np.inf, -np.inf)],
     lambda x: [np.linalg.norm(x, o) for o in (1, 2, 3, np.inf, -np.inf)], lambda s: [_r((5,), s)], True),
    ("norm_mat_ords", lambda x: [jnp.linalg.norm(x, o) for o in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)],
     lambda x: [np.linalg.norm(x, o) for o in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf)],
     lambda s: [_r((3, 4), s)], True),
    ("norm_axis", lambda x: jnp.linalg.norm(x, axis=1, keepdims=True), lambda x: np.linalg.norm(x, axis=1, keepdims=True),
     lambda s: [_r((3, 4), s)], True),
    ("lstsq", lambda a, b: jnp.linalg.lstsq(a, b)[0], lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0],
     lambda s: [_r((6, 3), s), _r((6, 2), s + 1)], True),
    ("cond", jnp.linalg.cond, np.linalg.cond, lambda s: [_r((3, 3), s)], True),
    ("multi_dot", lambda a, b, c: jnp.linalg.multi_dot([a, b, c]), lambda a, b, c: np.linalg.multi_dot([a, b, c]),
     lambda s: [_r((2, 3), s), _r((3, 4), s + 1), _r((4, 2), s + 2)], True),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("case", [c for c in CASES if c[2] is not None], ids=[c[0] for c in CASES if c[2]])
def test_eager_matches_numpy(case):
    name, f, ref, make, _ = case
    args = make(0)
    got = jax.tree_util.tree_leaves(f(*[jnp.asarray(a) for a in args]))
    want = jax.tree_util.tree_leaves(ref(*args))
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-9, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jit_matches_eager(case):
    check_jit(case[1], *[jnp.asarray(a) for a in case[3](0)], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vmap_matches_loop(case):
    sets = [case[3](s) for s in (0, 2, 4)]
    batched = [jnp.asarray(np.stack(p)) for p in zip(*sets)]
    check_vmap(case[1], *batched, rtol=1e-8, atol=1e-10)
    if len(batched) > 1:  # second operand shared, first batched on its last axis
        moved = jnp.moveaxis(batched[0], 0, -1)
        check_vmap(case[1], moved, *[jnp.asarray(a) for a in sets[0][1:]],
                   in_axes=(moved.ndim - 1,) + (None,) * (len(batched) - 1), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("case", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_grads_match_finite_differences(case):
    check_grads(case[1], *[jnp.asarray(a) for a in case[3](5)], rtol=2e-5)


# ---- decomposition invariants over drawn shapes ----------------------------------------------
@settings(**SETTINGS)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 1000), st.booleans())
def test_qr_svd_lu_reconstruct(m, n, seed, full):
    a = _r((m, n), seed)
    q, r = LA.qr(jnp.asarray(a), full_matrices=full)
    np.testing.assert_allclose(np.asarray(q @ r), a, atol=1e-10)
    np.testing.assert_allclose(np.asarray(q.T @ q), np.eye(q.shape[1]), atol=1e-10)
    assert np.allclose(np.tril(np.asarray(r), -1), 0)
    u, s, vh = LA.svd(jnp.asarray(a), full_matrices=full)
    k = min(m, n)
    np.testing.assert_allclose(np.asarray(u[:, :k] * s) @ np.asarray(vh[:k]), a, atol=1e-10)
    np.testing.assert_allclose(np.asarray(s), np.linalg.svd(a, compute_uv=False), atol=1e-10)
    lu, piv, perm = LA.lu(jnp.asarray(a))
    lu = np.asarray(lu)
    l = np.tril(lu, -1)[:, :k] + np.eye(m, k)
    uu = np.triu(lu)[:k]
    np.testing.assert_allclose(l @ uu, a[np.asarray(perm)], atol=1e-10)
    assert sorted(np.asarray(perm).tolist()) == list(range(m))


@settings(**SETTINGS)
@given(st.integers(1, 5), st.integers(0, 1000))
def test_eigh_and_cholesky_reconstruct(n, seed):
    a = _spd(n, seed)
    v, w = LA.eigh(jnp.asarray(a))
    np.testing.assert_allclose(np.asarray(v * w) @ np.asarray(v).T, a, atol=1e-9)
    assert np.all(np.diff(np.asarray(w)) >= -1e-12)
    c = np.asarray(LA.cholesky(jnp.asarray(a)))
    np.testing.assert_allclose(c @ c.T, a, atol=1e-9)
    assert np.allclose(np.triu(c, 1), 0)


# ---- values pinned to jax 0.10.2 --------------------------------------------------------------
A3 = np.array([[2.0, -1.0, 0.5], [0.3, 1.5, -0.7], [1.1, 0.2, 3.0]])


def test_lu_pivots_and_permutation_as_jax():
    lu, piv, perm = LA.lu(jnp.asarray(A3))
    np.testing.assert_array_equal(np.asarray(piv), [0, 1, 2])
    np.testing.assert_array_equal(np.asarray(perm), [0, 1, 2])
    _, piv, perm = LA.lu(jnp.asarray(A3[::-1]))
    np.testing.assert_array_equal(np.asarray(piv), [2, 1, 2])
    np.testing.assert_array_equal(np.asarray(perm), [2, 1, 0])
    assert piv.dtype == jnp.int32 and perm.dtype == jnp.int32
    np.testing.assert_array_equal(np.asarray(LA.lu_pivots_to_permutation(jnp.array([2, 2, 2]), 4)), [2, 0, 1, 3])


def test_decomposition_gradients_as_jax():
    a = jnp.asarray(A3)
    g = jax.grad(lambda a: LA.cholesky(a @ a.T).sum())(a)
    np.testing.assert_allclose(np.asarray(g), [[0.9033619117, 0.0718860336, 1.1129001154],
                                               [1.3331821214, 1.2073932668, 1.6646337431],
                                               [1.3469160848, 0.7816404001, 0.758192156]], atol=1e-9)
    g = jax.grad(lambda a: jnp.linalg.det(a))(a)
    np.testing.assert_allclose(np.asarray(g), np.linalg.det(A3) * np.linalg.inv(A3).T, rtol=1e-10)
    g = jax.grad(lambda a: jnp.linalg.slogdet(a)[1])(a)
    np.testing.assert_allclose(np.asarray(g), np.linalg.inv(A3).T, rtol=1e-10)


def test_errors_are_raised_before_kernels():
    with pytest.raises(ValueError, match="square"):
        jnp.linalg.inv(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        jnp.linalg.det(jnp.ones(3))
    with pytest.raises(ValueError, match="Invalid shapes for solve"):
        jnp.linalg.solve(jnp.eye(3), jnp.ones((2, 3)))
    with pytest.raises(TypeError, match="floating-point"):
        lax.cholesky_p.bind(jnp.eye(2, dtype=jnp.int32))
    with pytest.raises(TypeError, match="triangular_solve"):
        LA.triangular_solve(jnp.eye(3), jnp.ones((2, 2)), left_side=True)
    with pytest.raises(ValueError, match="Unsupported QR"):
        jnp.linalg.qr(jnp.eye(2), mode="bogus")


def test_non_positive_definite_cholesky_is_nan():
    c = jnp.linalg.cholesky(jnp.array([[1.0, 2.0], [2.0, 1.0]]))
    assert np.isnan(np.asarray(c)).all()
    good = jnp.linalg.cholesky(jnp.stack([jnp.eye(2), -jnp.eye(2)]))
    assert np.isfinite(np.asarray(good[0])).all() and np.isnan(np.asarray(good[1])).all()


def test_integer_input_promotes_and_float32_stays():
    assert jnp.linalg.inv(jnp.eye(2, dtype=jnp.int32)).dtype == jnp.float32  # as JAX, even under x64
    assert jnp.linalg.inv(jnp.eye(2, dtype=jnp.int64)).dtype == jnp.float64
    with enable_x64(False):
        x = jnp.eye(3, dtype=jnp.float32) * 2
        for out in (jnp.linalg.inv(x), jnp.linalg.det(x), jnp.linalg.svd(x)[1], jnp.linalg.eigh(x)[0],
                    jnp.linalg.norm(x), jnp.linalg.qr(x)[0], jnp.linalg.cholesky(x)):
            assert out.dtype == jnp.float32


def test_named_results_and_modes():
    a = jnp.asarray(_r((4, 3)))
    res = jnp.linalg.svd(a, full_matrices=False)
    assert res.U.shape == (4, 3) and res.S.shape == (3,) and res.Vh.shape == (3, 3)
    q, r = jnp.linalg.qr(a, mode="complete")
    assert q.shape == (4, 4) and r.shape == (4, 3)
    assert jnp.linalg.qr(a, mode="r").shape == (3, 3)
    e = jnp.linalg.eigh(jnp.asarray(_spd(3)))
    assert e.eigenvalues.shape == (3,) and e.eigenvectors.shape == (3, 3)
    h = jnp.linalg.svd(jnp.asarray(_spd(3)), hermitian=True)
    np.testing.assert_allclose(np.asarray(h.S), np.linalg.svd(_spd(3), compute_uv=False), rtol=1e-10)
    np.testing.assert_allclose(np.asarray((h.U * h.S) @ h.Vh), _spd(3), atol=1e-10)
    assert int(jnp.linalg.matrix_rank(jnp.ones((3, 3)))) == 1


def test_grad_of_solve_through_jit_and_vmap():
    def loss(a, b):
        return (jnp.linalg.solve(a, b) ** 2).sum()
    a = jnp.asarray(_wellcond(3, 1, (4,)))
    b = jnp.asarray(_r((4, 3, 2), 2))
    per = jax.vmap(jax.grad(loss, (0, 1)))(a, b)
    whole = jax.jit(jax.grad(lambda a, b: jax.vmap(loss)(a, b).sum(), (0, 1)))(a, b)
    for x, y in zip(per, whole):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=1e-10)


def test_default_backend_jit_of_a_composite():
    def f(a, b):
        x = jnp.linalg.solve(a, b)
        return jnp.linalg.norm(x, axis=0) + jnp.linalg.slogdet(a)[1] + jnp.linalg.svd(a, compute_uv=False)[0]
    check_jit(f, jnp.asarray(_wellcond(4, 3)), jnp.asarray(_r((4, 2), 4)), default_backend=True)
