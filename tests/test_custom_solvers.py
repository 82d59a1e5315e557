"""lax.custom_linear_solve and lax.custom_root: values, implicit derivatives (forward, reverse,
second order) pinned to real JAX and to jnp.linalg.solve's gradients, pytrees, has_aux, jit,
vmap, and JAX's errors."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import x64, enable_x64, check_jit, check_vmap, check_grads, normal  # noqa: F401

# Reference values below come from real JAX 0.10.2 (jax_enable_x64) running the same programs.
SPD = np.array([[3.4434009546022053, 0.3155273076854768, -0.41184977210581836],
                [0.3155273076854768, 3.4286966956565323, -0.6249996895839106],
                [-0.41184977210581836, -0.6249996895839106, 6.092621750537536]])
NS = np.array([[1.7345785289539475, -0.6232744625373522, 0.0413259793472436],
               [-2.3250307746388343, 2.781208336067454, -1.2459109472530652],
               [-0.7322673547034516, -0.5442589828573099, 2.6836998436308455]])
B = np.array([0.4116305363741328, 1.0425133694426776, -0.12853466294403426])


def cg_aux(matvec, b):
    """Conjugate gradients written with lax.while_loop (not differentiable by itself); returns
    (x, {"iters", "res"}) as a solve with has_aux=True would."""
    def cond(s):
        return (s[3] > 1e-28) & (s[4] < 50)

    def body(s):
        x, r, p, rs, k = s
        Ap = matvec(p)
        a = rs / jnp.vdot(p, Ap)
        x, r = x + a * p, r - a * Ap
        rs2 = jnp.vdot(r, r)
        return x, r, r + (rs2 / rs) * p, rs2, k + 1
    x, _, _, _, k = lax.while_loop(cond, body, (jnp.zeros_like(b), b, b, jnp.vdot(b, b), 0))
    return x, {"iters": k, "res": jnp.linalg.norm(matvec(x) - b)}


def cg(matvec, b):
    return cg_aux(matvec, b)[0]


def spd_solve(A, b):
    return lax.custom_linear_solve(lambda x: A @ x, b, cg, symmetric=True)


def ns_solve(A, b):
    return lax.custom_linear_solve(lambda x: A @ x, b, lambda mv, r: jnp.linalg.solve(A, r),
                                   transpose_solve=lambda vm, r: jnp.linalg.solve(A.T, r))


def sqrt_newton(a):
    def solve(f, x0):
        return lax.while_loop(lambda x: jnp.abs(f(x)) > 1e-12, lambda x: x - f(x) / (2 * x), x0)
    return lax.custom_root(lambda x: x * x - a, jnp.ones_like(a), solve, lambda g, y: y / g(1.0))


def sqrt_bisect(a):
    """Bisection on [0, max(a, 1)]: no derivative flows through the loop's comparisons."""
    def solve(f, x0):
        def body(s):
            lo, hi, k = s
            mid = (lo + hi) / 2
            left = f(mid) > 0
            return jnp.where(left, lo, mid), jnp.where(left, mid, hi), k + 1
        lo, hi, _ = lax.while_loop(lambda s: s[2] < 60, body, (jnp.zeros_like(x0), jnp.maximum(a, 1.0), 0))
        return (lo + hi) / 2
    return lax.custom_root(lambda x: x * x - a, jnp.ones_like(a), solve, lambda g, y: y / g(1.0))


def cubic_root(a, c):
    """x**3 + a x = c elementwise, Newton in a while_loop; `a` and `c` are closed over."""
    f = lambda x: x ** 3 + a * x - c

    def solve(f, x0):
        return lax.while_loop(lambda x: jnp.max(jnp.abs(f(x))) > 1e-13,
                              lambda x: x - f(x) / (3 * x ** 2 + a), x0)
    return lax.custom_root(f, jnp.ones_like(c), solve, lambda g, y: y / g(jnp.ones(jnp.shape(y))))


# ---- custom_root ------------------------------------------------------------------------------
@pytest.mark.parametrize("root", [sqrt_newton, sqrt_bisect])
def test_sqrt_root_value_and_gradient(root):
    for a in (2.0, 9.0, 0.25):
        np.testing.assert_allclose(root(jnp.asarray(a)), np.sqrt(a), rtol=1e-12)
        np.testing.assert_allclose(jax.grad(root)(jnp.asarray(a)), 1 / (2 * np.sqrt(a)), rtol=1e-10)
    # second order: d²/da² sqrt(a) = -a^(-3/2) / 4
    np.testing.assert_allclose(jax.grad(jax.grad(root))(jnp.asarray(2.0)), -2.0 ** -1.5 / 4, rtol=1e-9)


def test_root_jit_vmap_and_grad_compositions():
    a = jnp.array([2.0, 3.0, 5.0])
    check_jit(sqrt_newton, a[0])
    check_vmap(sqrt_newton, a)
    check_vmap(jax.grad(sqrt_newton), a)
    np.testing.assert_allclose(jax.vmap(jax.grad(sqrt_newton))(a), 1 / (2 * np.sqrt(a)), rtol=1e-10)
    np.testing.assert_allclose(jax.jit(jax.grad(sqrt_newton))(a[1]), 1 / (2 * np.sqrt(3.0)), rtol=1e-10)
    np.testing.assert_allclose(jax.grad(jax.jit(sqrt_newton))(a[2]), 1 / (2 * np.sqrt(5.0)), rtol=1e-10)
    _, t = jax.jvp(sqrt_newton, (a[0],), (jnp.asarray(3.0),))
    np.testing.assert_allclose(t, 3 / (2 * np.sqrt(2.0)), rtol=1e-10)


def test_root_closed_over_vector_params_match_jax():
    a, c = jnp.asarray(0.7), jnp.array([0.5, 2.0, 3.5])
    np.testing.assert_allclose(cubic_root(a, c), [0.5169411276927437, 1.076247482651109, 1.3651904274064652],
                               rtol=1e-12)
    ga, gc = jax.grad(lambda a, c: jnp.sum(cubic_root(a, c) ** 2), (0, 1))(a, c)
    np.testing.assert_allclose(ga, -1.5032821434183798, rtol=1e-10)
    np.testing.assert_allclose(gc, [0.6884817231253918, 0.5155768031568079, 0.4339976142997601], rtol=1e-10)
    check_grads(cubic_root, a, c)


def test_root_pytree_guess_with_jacobian_tangent_solve_and_aux():
    """A coupled 2-leaf system; tangent_solve builds the Jacobian of g; solve returns aux."""
    def system(p):
        def f(z):
            return {"u": z["u"] + 0.5 * jnp.sin(z["v"]) - p, "v": z["v"] - 0.3 * z["u"] ** 2}

        def solve(f, z0):
            def body(s):
                z, k = s
                return jax.tree_util.tree_map(lambda a, b: a - b, z, f(z)), k + 1
            z, k = lax.while_loop(lambda s: s[1] < 200, body, (z0, 0))
            return z, k

        def tangent_solve(g, y):
            flat, unravel = jax.flatten_util.ravel_pytree(y)
            J = jax.jacobian(lambda v: jax.flatten_util.ravel_pytree(g(unravel(v)))[0])(flat)
            return unravel(jnp.linalg.solve(J, flat))
        z0 = {"u": jnp.zeros(()), "v": jnp.zeros(())}
        return lax.custom_root(f, z0, solve, tangent_solve, has_aux=True)

    (z, k) = system(jnp.asarray(0.8))
    assert int(k) == 200 and set(z) == {"u", "v"}
    # at the root: u + sin(v)/2 = p, v = 0.3 u^2; implicit derivative by hand
    u, v = float(z["u"]), float(z["v"])
    np.testing.assert_allclose([u + 0.5 * np.sin(v), v - 0.3 * u * u], [0.8, 0.0], atol=1e-12)
    du = 1 / (1 + 0.5 * np.cos(v) * 0.6 * u)
    g = jax.grad(lambda p: system(p)[0]["u"])(jnp.asarray(0.8))
    np.testing.assert_allclose(g, du, rtol=1e-10)
    gv = jax.grad(lambda p: system(p)[0]["v"])(jnp.asarray(0.8))
    np.testing.assert_allclose(gv, 0.6 * u * du, rtol=1e-10)
    _, (tz, tk) = jax.jvp(system, (jnp.asarray(0.8),), (jnp.asarray(1.0),))
    np.testing.assert_allclose(tz["u"], du, rtol=1e-10)


# ---- custom_linear_solve ----------------------------------------------------------------------
def test_spd_cg_solve_matches_jax_and_linalg_solve_gradients():
    A, b = jnp.asarray(SPD), jnp.asarray(B)
    np.testing.assert_allclose(spd_solve(A, b), [0.09410649810939826, 0.2982868340046988, 0.01586382012101356],
                               rtol=1e-12)
    loss = lambda f: (lambda A, b: jnp.sum(jnp.sin(f(A, b))))
    gA, gb = jax.grad(loss(spd_solve), (0, 1))(A, b)
    wA, wb = jax.grad(loss(jnp.linalg.solve), (0, 1))(A, b)
    np.testing.assert_allclose(gA, wA, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(gb, wb, rtol=1e-10)
    np.testing.assert_allclose(gb, [0.2879733259834345, 0.2911846062354139, 0.21344935935293954], rtol=1e-10)
    np.testing.assert_allclose(gA[0], [-0.02710016125721721, -0.08589865168540174, -0.00456835704305121],
                               rtol=1e-10)
    # forward mode: the tangent of solve(A, b) is A^{-1}(db - dA x)
    dA, db = jnp.asarray(normal((3, 3), 1)), jnp.asarray(normal(3, 2))
    _, t = jax.jvp(spd_solve, (A, b), (dA, db))
    _, w = jax.jvp(jnp.linalg.solve, (A, b), (dA, db))
    np.testing.assert_allclose(t, w, rtol=1e-10)


def test_nonsymmetric_solve_uses_transpose_solve():
    A, b = jnp.asarray(NS), jnp.asarray(B)
    gA, gb = jax.grad(lambda A, b: jnp.sum(jnp.sin(ns_solve(A, b))), (0, 1))(A, b)
    np.testing.assert_allclose(gb, [1.6817159137176463, 0.693665724084161, 0.6498173920640986], rtol=1e-10)
    np.testing.assert_allclose(gA[0], [-0.9997637541190096, -1.707398077923711, -0.5385111587918258], rtol=1e-10)
    wA, wb = jax.grad(lambda A, b: jnp.sum(jnp.sin(jnp.linalg.solve(A, b))), (0, 1))(A, b)
    np.testing.assert_allclose(gA, wA, rtol=1e-10)
    check_grads(ns_solve, A, b)
    # the reverse pass calls transpose_solve with vecmat = x -> A^T x: a "solve" that just
    # applies vecmat makes the gradient of sum(x) w.r.t. b equal A^T 1
    g = jax.grad(lambda b: jnp.sum(lax.custom_linear_solve(lambda x: A @ x, b, lambda mv, r: jnp.linalg.solve(A, r),
                                                           transpose_solve=lambda vm, r: vm(r))))(b)
    np.testing.assert_allclose(g, NS.T @ np.ones(3), rtol=1e-12)


def test_second_order_through_transposed_solve():
    b = jnp.asarray(B)
    d2 = jax.grad(jax.grad(lambda s: jnp.sum(jnp.sin(ns_solve(s * jnp.asarray(NS), b)))))(1.3)
    np.testing.assert_allclose(d2, 1.107238197240287, rtol=1e-9)
    H = jax.hessian(lambda b: jnp.sum(spd_solve(jnp.asarray(SPD), b) ** 2))(b)
    Ai = np.linalg.inv(SPD)
    np.testing.assert_allclose(H, 2 * Ai.T @ Ai, rtol=1e-9)
    # w.r.t. the matrix: exact with a true transpose_solve ...
    loss = lambda f: (lambda A: jnp.sum(jnp.sin(f(A, b))))
    N = jnp.asarray(NS)
    np.testing.assert_allclose(jax.hessian(loss(ns_solve))(N), jax.hessian(loss(jnp.linalg.solve))(N),
                               rtol=1e-9, atol=1e-13)
    # ... while symmetric=True differentiates vecmat as matvec itself (A^T taken as A), as JAX does
    H = jax.hessian(loss(spd_solve))(jnp.asarray(SPD))
    np.testing.assert_allclose(H[0, 1], [[0.0244311211111719, 0.02279846729049538, 0.01861405292069807],
                                         [0.00612864185324152, 0.0238637838892452, -0.0001442414047341],
                                         [0.00227891609882943, 0.00398510708968432, 0.00124326306741883]],
                               rtol=1e-9, atol=1e-14)


def test_pytree_b_and_has_aux():
    A1, A2 = jnp.asarray(SPD), jnp.asarray(SPD[:2, :2] + np.eye(2))

    def mv(x):
        return {"p": A1 @ x["p"], "q": A2 @ x["q"]}

    def solve(matvec, r):
        return {"p": jnp.linalg.solve(A1, r["p"]), "q": jnp.linalg.solve(A2, r["q"])}
    b = {"p": jnp.asarray(B), "q": jnp.array([1.0, -2.0])}
    x = lax.custom_linear_solve(mv, b, solve, symmetric=True)
    np.testing.assert_allclose(x["q"], np.linalg.solve(np.asarray(A2), [1.0, -2.0]), rtol=1e-12)
    g = jax.grad(lambda b: jnp.sum(lax.custom_linear_solve(mv, b, solve, symmetric=True)["q"] ** 2))(b)
    np.testing.assert_allclose(g["p"], 0.0)
    np.testing.assert_allclose(g["q"], 2 * np.linalg.solve(np.asarray(A2).T, np.asarray(x["q"])), rtol=1e-10)

    def with_aux(A, b):
        return lax.custom_linear_solve(lambda x: A @ x, b, cg_aux, symmetric=True, has_aux=True)
    A, b = jnp.asarray(SPD), jnp.asarray(B)
    x, aux = with_aux(A, b)
    assert set(aux) == {"iters", "res"} and 1 <= int(aux["iters"]) <= 50 and float(aux["res"]) < 1e-12
    np.testing.assert_allclose(x, np.linalg.solve(SPD, B), rtol=1e-12)
    (x2, aux2), (tx, taux) = jax.jvp(with_aux, (A, b), (jnp.zeros((3, 3)), b))
    np.testing.assert_allclose(tx, np.linalg.solve(SPD, B), rtol=1e-12)
    np.testing.assert_allclose(taux["res"], 0.0)
    gb = jax.grad(lambda b: jnp.sum(with_aux(A, b)[0]))(b)
    np.testing.assert_allclose(gb, np.linalg.solve(SPD, np.ones(3)), rtol=1e-10)
    j = jax.jit(with_aux)(A, b)
    np.testing.assert_allclose(j[0], x, rtol=1e-12)
    assert int(j[1]["iters"]) == int(aux["iters"])


def test_linear_solve_jit_and_vmap():
    A, b = jnp.asarray(SPD), jnp.asarray(B)
    check_jit(spd_solve, A, b, default_backend=True)
    check_jit(jax.grad(lambda A, b: jnp.sum(spd_solve(A, b) ** 2)), A, b)
    As = jnp.stack([A, A + jnp.eye(3), 2 * A])
    bs = jnp.stack([b, -b, b + 1.0])
    check_vmap(spd_solve, As, bs)
    check_vmap(spd_solve, A, bs, in_axes=(None, 0))
    check_vmap(spd_solve, As, b, in_axes=(0, None))
    check_vmap(ns_solve, jnp.stack([jnp.asarray(NS)] * 3) + jnp.arange(3.0)[:, None, None], bs)
    g = lambda A, b: jax.grad(lambda A: jnp.sum(jnp.sin(spd_solve(A, b))))(A)
    check_vmap(g, As, bs)
    # grad of a vmapped solve (batch rule, then transpose of the batched primitive)
    gv = jax.grad(lambda As: jnp.sum(jax.vmap(spd_solve, (0, None))(As, b)))(As)
    for i in range(3):
        w = jax.grad(lambda A: jnp.sum(jnp.linalg.solve(A, b)))(As[i])
        np.testing.assert_allclose(gv[i], w, rtol=1e-10)


def test_forward_mode_needs_no_transpose_solve_but_reverse_does():
    A, b = jnp.asarray(NS), jnp.asarray(B)
    f = lambda b: lax.custom_linear_solve(lambda x: A @ x, b, lambda mv, r: jnp.linalg.solve(A, r))
    _, t = jax.jvp(f, (b,), (b,))
    np.testing.assert_allclose(t, np.linalg.solve(NS, B), rtol=1e-12)
    J = jax.jacfwd(f)(b)
    np.testing.assert_allclose(J, np.linalg.inv(NS), rtol=1e-10)
    with pytest.raises(TypeError, match="transpose_solve required for backwards mode automatic "
                                        "differentiation of custom_linear_solve"):
        jax.grad(lambda b: jnp.sum(f(b)))(b)


def test_linear_solve_errors():
    A, b = jnp.asarray(SPD), jnp.asarray(B)
    mv = lambda x: A @ x
    solve = lambda m, r: jnp.linalg.solve(A, r)
    with pytest.raises(ValueError, match=r"matvec\(\) output shapes must match b, "
                                         r"got \[\(3,\), \(3,\)\] and \[\(3,\)\]"):
        lax.custom_linear_solve(lambda x: (x, x), b, solve)
    with pytest.raises(ValueError, match=r"matvec\(\) output shapes must match b, got \[\(1,\)\] and \[\(3,\)\]"):
        lax.custom_linear_solve(lambda x: x[:1], b, solve)
    with pytest.raises(ValueError, match=r"solve\(\) output shapes must match b"):
        lax.custom_linear_solve(mv, b, lambda m, r: r[:2])
    # has_aux=True but solve returns x alone: x itself is unpacked as (x, aux), as in JAX
    with pytest.raises(ValueError, match=r"solve\(\) output shapes must match b, got \[\(\)\] and \[\(2,\)\]"):
        lax.custom_linear_solve(lambda x: x, jnp.ones(2), lambda m, r: r, has_aux=True)
    with pytest.raises(ValueError, match="too many values to unpack"):
        lax.custom_linear_solve(mv, b, solve, has_aux=True)
    with pytest.raises(ValueError, match=r"transpose_solve\(\) output shapes must match b"):
        lax.custom_linear_solve(mv, b, solve, transpose_solve=lambda m, r: (r, r))
    with pytest.raises(TypeError, match=r"matvec\(\) output pytree structure must match b, "
                                        r"got PyTreeDef\(\[\*\]\) and PyTreeDef\(\(\*,\)\)"):
        lax.custom_linear_solve(lambda x: [x[0]], (b,), lambda m, r: r)


def test_root_errors():
    ident = lambda g, y: y
    with pytest.raises(TypeError, match=r"f\(\) output pytree structure must match initial_guess, "
                                        r"got PyTreeDef\(\(\*, \*\)\) and PyTreeDef\(\*\)\."):
        lax.custom_root(lambda x: (x, x), 1.0, lambda f, x: x, ident)
    with pytest.raises(TypeError, match=r"solve\(\) output pytree structure must match initial_guess"):
        lax.custom_root(lambda x: x, 1.0, lambda f, x: (x, x), ident)
    with pytest.raises(TypeError, match=r"tangent_solve\(\) output pytree structure must match x, "
                                        r"got PyTreeDef\(\(\*, \*\)\) and PyTreeDef\(\*\)\."):
        lax.custom_root(lambda x: x, 1.0, lambda f, x: x, lambda g, y: (y, y))
    with pytest.raises(ValueError, match=r"solve\(\) produced a pytree with structure PyTreeDef\(\*\), but a "
                                         r"pytree tuple with auxiliary output was expected because has_aux"):
        lax.custom_root(lambda x: x, 1.0, lambda f, x: x, ident, has_aux=True)


def test_float32_and_integer_closures():
    """Without x64: float32 in, float32 values and gradients out; f may close over integers."""
    with enable_x64(False):
        A, b = jnp.asarray(SPD, jnp.float32), jnp.asarray(B, jnp.float32)
        x = spd_solve(A, b)
        g = jax.grad(lambda A: jnp.sum(spd_solve(A, b)))(A)
        assert x.dtype == jnp.float32 and g.dtype == jnp.float32
        np.testing.assert_allclose(x, np.linalg.solve(SPD, B), rtol=1e-5)
        n = jnp.array([2, 3])

        def r(a):
            f = lambda x: x * x - a * n
            def solve(f, x):
                return lax.while_loop(lambda x: jnp.max(jnp.abs(f(x))) > 1e-5, lambda x: x - f(x) / (2 * x), x)
            return lax.custom_root(f, jnp.ones(2), solve, lambda g, y: y / g(jnp.ones(2)))
        ga = jax.grad(lambda a: jnp.sum(r(a)))(2.0)
        assert ga.dtype == jnp.float32
        np.testing.assert_allclose(ga, np.sum(np.sqrt([2.0, 3.0]) / (2 * np.sqrt(2.0))), rtol=1e-5)
