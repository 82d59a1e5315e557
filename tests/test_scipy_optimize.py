"""jaxish.scipy.optimize.minimize (BFGS, experimental L-BFGS), jaxish.scipy.sparse.linalg
(cg, gmres, bicgstab) and jaxish.scipy.integrate.trapezoid.

Reference values come from real JAX 0.10.2 running the same programs (jax_enable_x64 unless a
test says float32); solutions are also checked against numpy.linalg.solve / numpy.trapezoid.
"""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.scipy.integrate import trapezoid
from jaxish.scipy.optimize import OptimizeResults, minimize
from jaxish.scipy.sparse.linalg import bicgstab, cg, gmres

from breadth_helpers import x64, enable_x64  # noqa: F401

LBFGS = "l-bfgs-experimental-do-not-rely-on-this"


def rosen(x):
    return jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def quad(x, A, b):
    return 0.5 * x @ A @ x - b @ x


QA = np.array([[3., 1., 0.], [1., 4., 1.], [0., 1., 5.]])
QB = np.array([1., 2., 3.])
X0 = np.array([-1.2, 1.0, 0.5, 2.0])


def counts(r):
    return int(r.nit), int(r.nfev), int(r.njev), int(r.status), bool(r.success)


# ----------------------------------------------------------------------------- minimize

def test_bfgs_rosenbrock_matches_jax():
    r = minimize(rosen, jnp.asarray(X0), method="BFGS")
    assert isinstance(r, OptimizeResults)
    assert r._fields == ("x", "success", "status", "fun", "jac", "hess_inv", "nfev", "njev", "nit")
    # JAX: nit 31, nfev 37, njev 37, status 0, success True (a local minimum of 4-D Rosenbrock)
    assert counts(r) == (31, 37, 37, 0, True)
    np.testing.assert_allclose(r.x, [-0.7756590917964853, 0.6130931500555755,
                                     0.3820625587661512, 0.14597177671365186], rtol=1e-9)
    np.testing.assert_allclose(float(r.fun), 3.7014286104301726, rtol=1e-12)
    assert np.max(np.abs(np.asarray(r.jac))) < 1e-5
    assert r.hess_inv.shape == (4, 4)


def test_bfgs_quadratic_with_args():
    r = minimize(quad, jnp.zeros(3), (jnp.asarray(QA), jnp.asarray(QB)), method="bfgs")
    assert counts(r) == (5, 7, 7, 0, True)           # JAX: 5, 7, 7, 0, True
    np.testing.assert_allclose(r.x, np.linalg.solve(QA, QB), rtol=1e-12)
    np.testing.assert_allclose(float(r.fun), -1.2307692307692306, rtol=1e-12)
    np.testing.assert_allclose(r.hess_inv, [[0.6153846153852633, 0.15384615384913972, -0.23076923076655786],
                                            [0.1538461538491397, 0.5384615384668002, -0.30769230769196926],
                                            [-0.23076923076655784, -0.30769230769196926, 0.46153846153260275]],
                               rtol=1e-8)


def test_bfgs_options():
    r = minimize(rosen, jnp.asarray(X0), method="BFGS", options=dict(maxiter=3))
    assert counts(r) == (3, 7, 7, 1, False)          # JAX: status 1 = maxiter reached
    np.testing.assert_allclose(r.x, [-1.0294458371944313, 1.0564413773835937,
                                     1.1351661930478492, 0.9701256613315115], rtol=1e-9)
    r = minimize(rosen, jnp.asarray(X0), method="BFGS", options=dict(gtol=1e-2, norm=2))
    assert counts(r) == (28, 34, 34, 0, True)
    np.testing.assert_allclose(float(r.fun), 3.7014286110781534, rtol=1e-10)


def test_lbfgs_matches_jax():
    r = minimize(rosen, jnp.asarray(X0), method=LBFGS)
    # JAX: stops with a failed line search (status 5) after 22 iterations
    assert counts(r) == (22, 37, 37, 5, False)
    assert r.hess_inv is None
    np.testing.assert_allclose(r.x, [-0.8433038622634764, 0.716753735283262,
                                     0.5170845207932414, 0.26488499913716756], rtol=1e-8)
    r = minimize(quad, jnp.zeros(3), (jnp.asarray(QA), jnp.asarray(QB)), method=LBFGS)
    assert counts(r) == (3, 5, 5, 0, True)
    np.testing.assert_allclose(r.x, np.linalg.solve(QA, QB), rtol=1e-12)
    r = minimize(rosen, jnp.asarray([0.5, 0.5, 0.5]), method=LBFGS, options=dict(maxcor=3))
    assert counts(r) == (24, 35, 35, 4, False)        # status 4: f decrease below ftol
    np.testing.assert_allclose(r.x, [0.9999998332435442, 0.9999996760278352, 0.9999993290451387],
                               rtol=1e-8)
    r = minimize(rosen, jnp.asarray(X0), method=LBFGS, options=dict(maxiter=3))
    assert counts(r) == (4, 13, 13, 1, False)


def test_minimize_under_jit():
    f = jax.jit(lambda x0: minimize(rosen, x0, method="BFGS"))
    r = f(jnp.asarray(X0))
    assert counts(r) == (31, 37, 37, 0, True)
    np.testing.assert_allclose(float(r.fun), 3.7014286104301726, rtol=1e-12)
    g = jax.jit(lambda A, b: minimize(quad, jnp.zeros(3), (A, b), method=LBFGS).x)
    np.testing.assert_allclose(g(jnp.asarray(QA), jnp.asarray(QB)), np.linalg.solve(QA, QB),
                               rtol=1e-12)


def test_minimize_float32():
    with enable_x64(False):
        r = minimize(quad, jnp.zeros(3), (jnp.asarray(QA, jnp.float32), jnp.asarray(QB, jnp.float32)),
                     method="BFGS")
        assert r.x.dtype == np.float32 and r.nit.dtype == np.int32
        assert counts(r) == (5, 7, 7, 0, True)
        np.testing.assert_allclose(r.x, np.linalg.solve(QA, QB), rtol=1e-5)
        r = minimize(rosen, jnp.asarray([0.5, 0.5]), method="BFGS")
        assert counts(r) == (14, 23, 23, 0, True)     # JAX float32: 14, 23, 23
        np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-6)


def test_minimize_errors():
    f = lambda x: jnp.sum((x - 1.) ** 2)
    with pytest.raises(ValueError, match="Method nelder-mead not recognized"):
        minimize(f, jnp.zeros(2), method="nelder-mead")
    with pytest.raises(TypeError, match="must be a tuple"):
        minimize(f, jnp.zeros(2), [1], method="BFGS")
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        minimize(f, jnp.zeros(2), method="BFGS", options=dict(foo=1))
    with pytest.raises(TypeError, match="1-D"):
        minimize(f, jnp.zeros((2, 2)), method="BFGS")
    with pytest.raises(TypeError, match="grad requires real- or complex-valued inputs"):
        minimize(f, jnp.array([0, 0]), method="BFGS")
    with pytest.raises(TypeError):
        minimize(f, jnp.zeros(2))   # method is required


# ----------------------------------------------------------------------------- sparse.linalg

def _systems():
    rng = np.random.default_rng(0)
    n = 6
    Q = rng.standard_normal((n, n))
    spd = Q @ Q.T + n * np.eye(n)
    ns = rng.standard_normal((n, n)) + n * np.eye(n)
    b = rng.standard_normal(n)
    return spd, ns, b


SPD, NS, B = _systems()


def test_solvers_converge_to_solve():
    A, An, b = jnp.asarray(SPD), jnp.asarray(NS), jnp.asarray(B)
    x, info = cg(A, b, tol=1e-10)
    assert info is None
    np.testing.assert_allclose(x, np.linalg.solve(SPD, B), rtol=1e-8)
    x, info = bicgstab(An, b, tol=1e-10)
    assert info is None
    np.testing.assert_allclose(x, np.linalg.solve(NS, B), rtol=1e-8)
    for method in ("batched", "incremental"):
        x, info = gmres(An, b, tol=1e-10, solve_method=method)
        assert int(info) == 0
        np.testing.assert_allclose(x, np.linalg.solve(NS, B), rtol=1e-8)


def test_solver_iterates_match_jax():
    """Truncated and default-tolerance solves pin the iterations themselves, not only the answer."""
    A, An, b = jnp.asarray(SPD), jnp.asarray(NS), jnp.asarray(B)
    want = {
        "cg": [0.170537400567, -0.002722565969, 0.112294107531, -0.126393848331, -0.060314646373, 0.087894220897],
        "cg_maxiter2": [0.166996727253, -0.004837144282, 0.112386846861, -0.134932095152, -0.05432262156, 0.080589614028],
        "cg_M": [0.172557849488, -0.004452473125, 0.111809415756, -0.125343004404, -0.059403022983, 0.087574879683],
        "bicg_maxiter2": [0.146110327879, -0.111623291913, 0.229105180067, -0.205342562133, -0.195467069572, 0.045056126692],
        "bicg": [0.154351215493, -0.110029118363, 0.222587712884, -0.205141431109, -0.189918961694, 0.037821671853],
        "gm": [0.154350069072, -0.110029131414, 0.222587996565, -0.205141953001, -0.189918945719, 0.037822136075],
        "gm_r2": [0.144242982115, -0.144209327216, 0.231603002638, -0.189303264802, -0.168217475949, 0.061197740176],
        "gm_r3m2": [0.154374103046, -0.109460632062, 0.222681932239, -0.205259442298, -0.190371064851, 0.03766094417],
    }
    got = {
        "cg": cg(A, b)[0],
        "cg_maxiter2": cg(A, b, maxiter=2)[0],
        "cg_M": cg(A, b, M=jnp.diag(1 / jnp.diag(A)), maxiter=3)[0],
        "bicg_maxiter2": bicgstab(An, b, maxiter=2)[0],
        "bicg": bicgstab(lambda v: An @ v, b)[0],
        "gm": gmres(An, b)[0],
        "gm_r2": gmres(An, b, restart=2, maxiter=1)[0],
        "gm_r3m2": gmres(An, b, restart=3, maxiter=2)[0],
    }
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-9, atol=1e-11, err_msg=k)
    np.testing.assert_allclose(gmres(An, b, restart=2, maxiter=1, solve_method="incremental")[0],
                               want["gm_r2"], rtol=1e-9, atol=1e-11)


def test_solvers_pytree():
    A = jnp.asarray(SPD)

    def mv(t):
        y = A @ jnp.concatenate([t["a"], t["b"].ravel()])
        return {"a": y[:2], "b": y[2:].reshape(2, 2)}

    b = jnp.asarray(B)
    tb = {"a": b[:2], "b": b[2:].reshape(2, 2)}
    x0 = {"a": jnp.ones(2), "b": jnp.ones((2, 2))}
    want = np.linalg.solve(SPD, B)
    for solver in (cg, bicgstab, gmres):
        x, _ = solver(mv, tb, x0=x0, tol=1e-10)
        assert x["b"].shape == (2, 2)
        np.testing.assert_allclose(np.concatenate([x["a"], np.ravel(x["b"])]), want, rtol=1e-8,
                                   err_msg=solver.__name__)


def test_solvers_grad_and_jit():
    A, An, b = jnp.asarray(SPD), jnp.asarray(NS), jnp.asarray(B)
    # d/db sum(x^2) = 2 A^-T x, d/dA sum(x) = -(A^-T 1) x^T (implicit differentiation)
    xs = np.linalg.solve(SPD, B)
    g = jax.grad(lambda b: jnp.sum(cg(A, b, tol=1e-10)[0] ** 2))(b)
    np.testing.assert_allclose(g, 2 * np.linalg.solve(SPD.T, xs), rtol=1e-7)
    g = jax.grad(lambda M: jnp.sum(cg(lambda v: M @ v, b, tol=1e-10)[0]))(A)
    np.testing.assert_allclose(g, -np.outer(np.linalg.solve(SPD.T, np.ones(6)), xs), rtol=1e-7, atol=1e-10)
    xn = np.linalg.solve(NS, B)
    gn = -np.outer(np.linalg.solve(NS.T, np.ones(6)), xn)
    for solver in (bicgstab, gmres):
        g = jax.grad(lambda M: jnp.sum(solver(lambda v: M @ v, b, tol=1e-10)[0]))(An)
        np.testing.assert_allclose(g, gn, rtol=1e-7, atol=1e-10, err_msg=solver.__name__)
    # JAX: jvp of incremental gmres with tangent ones
    t = jax.jvp(lambda b: gmres(An, b, solve_method="incremental")[0], (b,), (jnp.ones(6),))[1]
    np.testing.assert_allclose(t, [0.101139409346, 0.048678927306, 0.139634471162, 0.201555705536,
                                   0.158258040368, 0.168025970453], rtol=1e-9)
    # grad of cg w.r.t. b, JAX: (first entries)
    g = jax.grad(lambda b: jnp.sum(cg(A, b)[0] ** 2))(b)
    np.testing.assert_allclose(g[:2], [0.05379847048, 0.011220422578], rtol=1e-8)
    np.testing.assert_allclose(jax.jit(lambda b: cg(A, b)[0])(b), cg(A, b)[0], rtol=1e-12)
    np.testing.assert_allclose(jax.jit(lambda M, b: gmres(M, b)[0])(An, b), gmres(An, b)[0], rtol=1e-12)
    np.testing.assert_allclose(jax.jit(lambda b: bicgstab(An, b)[0])(b), xn, rtol=1e-4)


def test_solvers_float32_complex():
    with enable_x64(False):
        x, _ = cg(jnp.asarray(SPD, jnp.float32), jnp.asarray(B, jnp.float32))
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, [0.17053739726543427, -0.0027225634548813105, 0.11229411512613297,
                                       -0.1263938546180725, -0.06031465157866478, 0.08789423108100891],
                                   rtol=1e-5, atol=1e-7)
        rng = np.random.default_rng(1)
        Ac = (NS + 0.3j * rng.standard_normal((6, 6))).astype(np.complex64)
        bc = (B + 1j).astype(np.complex64)
        want = np.linalg.solve(Ac.astype(np.complex128), bc)
        for solver in (gmres, bicgstab):
            x, _ = solver(jnp.asarray(Ac), jnp.asarray(bc))
            assert x.dtype == np.complex64
            np.testing.assert_allclose(x, want, rtol=1e-4, atol=1e-5, err_msg=solver.__name__)


def test_gmres_info_nan():
    A = jnp.asarray(NS)
    # JAX: a NaN start stays NaN and reports info -1; a NaN in b stops at once (its tolerance is
    # NaN) and returns x0 with info 0
    x, info = gmres(A, jnp.asarray(B), x0=jnp.full(6, jnp.nan), maxiter=1)
    assert int(info) == -1 and np.isnan(np.asarray(x)).all()
    x, info = gmres(A, jnp.asarray(B).at[0].set(jnp.nan), maxiter=1)
    assert int(info) == 0 and (np.asarray(x) == 0).all()
    assert int(gmres(A, jnp.asarray(B))[1]) == 0


def test_solver_errors():
    b = jnp.ones(3)
    with pytest.raises(ValueError, match="must be a square matrix, but has shape: \\(3, 2\\)"):
        cg(jnp.ones((3, 2)), b)
    with pytest.raises(TypeError, match="must be either a function or ndarray"):
        bicgstab(3, b)
    with pytest.raises(ValueError, match="matching tree structure"):
        cg(jnp.eye(3), b, x0=[b])
    with pytest.raises(ValueError, match="matching tree structure"):
        gmres(jnp.eye(3), b, x0=(b,))
    with pytest.raises(ValueError, match="matching shapes"):
        cg(jnp.eye(3), b, x0=jnp.ones(2))
    with pytest.raises(ValueError, match="invalid solve_method foo"):
        gmres(jnp.eye(3), b, solve_method="foo")
    with pytest.raises(TypeError):
        cg(jnp.eye(3), b, None, 1e-5)   # tol is keyword-only


# ----------------------------------------------------------------------------- integrate

def test_trapezoid():
    y = jnp.array([1, 2, 3, 2, 3, 2, 1])
    r = trapezoid(y)
    assert r.dtype == np.float64 and float(r) == 13.0             # JAX docstring example
    assert float(trapezoid(y, jnp.array([0, 2, 5, 7, 10, 15, 20]))) == 43.0
    y2 = np.arange(12.).reshape(3, 4) ** 1.5
    np.testing.assert_allclose(trapezoid(y2, dx=0.5, axis=0), np.trapezoid(y2, dx=0.5, axis=0), rtol=1e-12)
    xs = np.cumsum(np.arange(1., 13.)).reshape(3, 4)
    np.testing.assert_allclose(trapezoid(y2, xs, axis=0), np.trapezoid(y2, xs, axis=0), rtol=1e-12)
    np.testing.assert_allclose(trapezoid(y2, np.array([0., 1., 3., 7.])),
                               np.trapezoid(y2, np.array([0., 1., 3., 7.])), rtol=1e-12)
    xg = jnp.linspace(0, 2 * jnp.pi, 1000)
    np.testing.assert_allclose(float(jax.jit(trapezoid)(jnp.sin(xg) ** 2, xg)), np.pi, rtol=1e-6)
    g = jax.grad(lambda y: trapezoid(y, dx=0.5))(jnp.ones(4))
    np.testing.assert_allclose(g, [0.25, 0.5, 0.5, 0.25])
    with pytest.raises(ValueError, match="out of bounds"):
        trapezoid(y2, axis=2)
    with pytest.raises(ValueError):
        trapezoid(y2, jnp.arange(3.))
