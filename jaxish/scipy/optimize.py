"""jaxish.scipy.optimize: minimize (BFGS, and JAX's experimental L-BFGS) as jax.scipy.optimize.

Both solvers are lax.while_loop programs, so they run under jit. They follow the algorithms JAX
uses (Nocedal & Wright's BFGS, Algorithm 6.1, with the strong-Wolfe line search of Algorithms
3.5/3.6 - cubic, then quadratic, then bisection interpolation in the zoom phase - and L-BFGS's
two-loop recursion, Algorithm 7.4), step for step, so that iterates, iteration and evaluation
counts agree with JAX's up to floating-point rounding.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import lax
from .. import numpy as jnp
from .. import dtypes as _dtypes
from ..api import value_and_grad

__all__ = ["minimize", "OptimizeResults"]


class OptimizeResults(NamedTuple):
    """Object holding optimization results (jax.scipy.optimize.OptimizeResults).

    x: final solution. success: True if optimization succeeded. status: solver return code
    (0 converged, 1 max BFGS iterations reached, 3 zoom failed, 4 saddle point reached,
    5 max line search iterations reached, -1 undefined). fun: final function value. jac: final
    gradient. hess_inv: final inverse Hessian estimate (None for L-BFGS). nfev / njev: number of
    function / gradient evaluations. nit: number of iterations.
    """
    x: Any
    success: Any
    status: Any
    fun: Any
    jac: Any
    hess_inv: Any
    nfev: Any
    njev: Any
    nit: Any


def _dot(a, b):
    return jnp.dot(a, b, precision=lax.Precision.HIGHEST)


def _where_all(pred, new: dict, old: dict) -> dict:
    """{k: where(pred, new[k], old[k])} for each key of `new`."""
    return {k: jnp.where(pred, v, old[k]) for k, v in new.items()}


def _is_low_precision(dtype) -> bool:
    return _dtypes.finfo(dtype).bits < 64


# ----------------------------------------------------------------------------- line search

class _Zoom(NamedTuple):
    done: Any
    failed: Any
    j: Any
    a_lo: Any
    phi_lo: Any
    dphi_lo: Any
    a_hi: Any
    phi_hi: Any
    dphi_hi: Any
    a_rec: Any
    phi_rec: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any
    nfev: Any
    ngev: Any


def _cubic_minimizer(a, fa, fpa, b, fb, c, fc):
    """Minimizer of the cubic through (a, fa) with slope fpa at a, (b, fb) and (c, fc)."""
    dtype = jnp.result_type(a, fa, fpa, b, fb, c, fc)
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    m = jnp.array([[dc ** 2, -db ** 2], [-dc ** 3, db ** 3]], dtype=dtype)
    v = jnp.array([fb - fa - fpa * db, fc - fa - fpa * dc], dtype=dtype)
    coef = _dot(m, v) / denom
    A, B = coef[0], coef[1]
    return a + (-B + jnp.sqrt(B * B - 3. * A * fpa)) / (3. * A)


def _quadratic_minimizer(a, fa, fpa, b, fb):
    """Minimizer of the quadratic through (a, fa) with slope fpa at a, and (b, fb)."""
    db = b - a
    B = (fb - fa - fpa * db) / (db ** 2)
    return a - fpa / (2. * B)


def _zoom(phi_dphi, armijo_fails, curvature_ok, a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi,
          g_0, skip):
    """Zoom phase (Nocedal & Wright Algorithm 3.6) on the bracket [a_lo, a_hi]; `skip` makes it
    a no-op (it is always traced, and its while_loop exits at once when skipped)."""
    init = _Zoom(done=False, failed=False, j=0,
                 a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo,
                 a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi,
                 a_rec=(a_lo + a_hi) / 2., phi_rec=(phi_lo + phi_hi) / 2.,
                 a_star=1., phi_star=phi_lo, dphi_star=dphi_lo, g_star=g_0,
                 nfev=0, ngev=0)

    def step(s: _Zoom) -> _Zoom:
        width = s.a_hi - s.a_lo
        lo = jnp.minimum(s.a_hi, s.a_lo)
        hi = jnp.maximum(s.a_hi, s.a_lo)
        tiny = 1e-5 if _is_low_precision(jnp.result_type(width)) else 1e-10
        failed = s.failed | (width <= tiny)

        # cubic (after the first step), else quadratic, else bisection - each only when it lands
        # safely inside the bracket
        cubic = _cubic_minimizer(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
        use_cubic = (s.j > 0) & (cubic > lo + 0.2 * width) & (cubic < hi - 0.2 * width)
        quad = _quadratic_minimizer(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
        use_quad = ~use_cubic & (quad > lo + 0.1 * width) & (quad < hi - 0.1 * width)
        bisect = (s.a_lo + s.a_hi) / 2.
        a_j = jnp.where(use_cubic, cubic, s.a_rec)
        a_j = jnp.where(use_quad, quad, a_j)
        a_j = jnp.where(~use_cubic & ~use_quad, bisect, a_j)

        phi_j, dphi_j, g_j = phi_dphi(a_j)
        phi_j = phi_j.astype(jnp.result_type(s.phi_lo))
        dphi_j = dphi_j.astype(jnp.result_type(s.dphi_lo))
        g_j = g_j.astype(jnp.result_type(s.g_star))

        new_hi = armijo_fails(a_j, phi_j) | (phi_j >= s.phi_lo)
        accept = curvature_ok(dphi_j) & ~new_hi
        swap = (dphi_j * (s.a_hi - s.a_lo) >= 0.) & ~new_hi & ~accept
        new_lo = ~new_hi & ~accept

        d = s._asdict()
        d.update(nfev=s.nfev + 1, ngev=s.ngev + 1, failed=failed)
        d.update(_where_all(new_hi, dict(a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j,
                                         a_rec=d["a_hi"], phi_rec=d["phi_hi"]), d))
        d.update(_where_all(accept, dict(a_star=a_j, phi_star=phi_j, dphi_star=dphi_j,
                                         g_star=g_j), d))
        d["done"] = accept | d["done"]
        d.update(_where_all(swap, dict(a_hi=d["a_lo"], phi_hi=d["phi_lo"], dphi_hi=d["dphi_lo"],
                                       a_rec=d["a_hi"], phi_rec=d["phi_hi"]), d))
        d.update(_where_all(new_lo & ~swap, dict(a_rec=d["a_lo"], phi_rec=d["phi_lo"]), d))
        d.update(_where_all(new_lo, dict(a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j), d))
        d["j"] = s.j + 1
        # JAX allows 30 zoom steps (more than SciPy's 10)
        d["failed"] = d["failed"] | (d["j"] >= 30)
        return _Zoom(**d)

    return lax.while_loop(lambda s: ~s.done & ~skip & ~s.failed, step, init)


class _LS(NamedTuple):
    done: Any
    failed: Any
    i: Any
    a_prev: Any
    phi_prev: Any
    dphi_prev: Any
    nfev: Any
    ngev: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any


class _LineSearchResults(NamedTuple):
    failed: Any
    nit: Any
    nfev: Any
    ngev: Any
    k: Any
    a_k: Any
    f_k: Any
    g_k: Any
    status: Any


def _line_search(f, xk, pk, old_fval, gfk, old_old_fval=None, c1=1e-4, c2=0.9, maxiter=20):
    """Inexact line search for the strong Wolfe conditions (Nocedal & Wright Algorithm 3.5), as
    JAX's: the trial step starts from SciPy's interpolated guess and doubles."""
    dtype = jnp.result_type(xk, pk)
    xk, pk = jnp.asarray(xk, dtype), jnp.asarray(pk, dtype)

    def phi_dphi(t):
        t = jnp.asarray(t, dtype=pk.dtype)
        val, g = value_and_grad(f)(xk + t * pk)
        return val, jnp.real(_dot(g, pk)), g

    phi_0 = old_fval
    dphi_0 = jnp.real(_dot(gfk, pk))
    if old_old_fval is not None:
        guess = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
        start = jnp.where(guess > 1, 1.0, guess)
    else:
        start = 1

    def armijo_fails(a, phi):
        return phi > phi_0 + c1 * a * dphi_0

    def curvature_ok(dphi):
        return jnp.abs(dphi) <= -c2 * dphi_0

    init = _LS(done=jnp.array(False), failed=jnp.array(False), i=1,
               a_prev=0., phi_prev=phi_0, dphi_prev=dphi_0, nfev=0, ngev=0,
               a_star=0., phi_star=phi_0, dphi_star=dphi_0, g_star=gfk)

    def step(s: _LS) -> _LS:
        a_i = jnp.where(s.i == 1, start, s.a_prev * 2.)
        phi_i, dphi_i, g_i = phi_dphi(a_i)
        bracket_up = armijo_fails(a_i, phi_i) | ((phi_i >= s.phi_prev) & (s.i > 1))
        accept = curvature_ok(dphi_i) & ~bracket_up
        bracket_down = (dphi_i >= 0.) & ~bracket_up & ~accept

        z1 = _zoom(phi_dphi, armijo_fails, curvature_ok, s.a_prev, s.phi_prev, s.dphi_prev,
                   a_i, phi_i, dphi_i, gfk, ~bracket_up)
        z2 = _zoom(phi_dphi, armijo_fails, curvature_ok, a_i, phi_i, dphi_i,
                   s.a_prev, s.phi_prev, s.dphi_prev, gfk, ~bracket_down)

        d = s._asdict()
        d["nfev"] = s.nfev + 1 + z1.nfev + z2.nfev
        d["ngev"] = s.ngev + 1 + z1.ngev + z2.ngev
        star = ("a_star", "phi_star", "dphi_star", "g_star")
        d.update(_where_all(bracket_up, {k: getattr(z1, k) for k in star}, d))
        d.update(_where_all(accept, dict(a_star=a_i, phi_star=phi_i, dphi_star=dphi_i,
                                         g_star=g_i), d))
        d.update(_where_all(bracket_down, {k: getattr(z2, k) for k in star}, d))
        d["done"] = s.done | bracket_up | accept | bracket_down
        d["failed"] = s.failed | (bracket_up & z1.failed) | (bracket_down & z2.failed)
        d.update(i=s.i + 1, a_prev=a_i, phi_prev=phi_i, dphi_prev=dphi_i)
        return _LS(**d)

    s = lax.while_loop(lambda s: ~s.done & (s.i <= maxiter) & ~s.failed, step, init)
    status = jnp.where(s.failed, 1, jnp.where(s.i > maxiter, 3, 0))
    a_k = jnp.asarray(s.a_star)
    # a floor on tiny steps below 64 bits (as JAX), which otherwise stall the search direction
    if _dtypes.finfo(jnp.result_type(a_k)).bits != 64:
        a_k = jnp.where(jnp.abs(a_k) < 1e-8, jnp.sign(a_k) * 1e-8, a_k)
    return _LineSearchResults(failed=s.failed | ~s.done, nit=s.i - 1, nfev=s.nfev, ngev=s.ngev,
                              k=s.i, a_k=a_k, f_k=s.phi_star, g_k=s.g_star, status=status)


# ----------------------------------------------------------------------------- BFGS

class _BFGS(NamedTuple):
    converged: Any
    failed: Any
    k: Any
    nfev: Any
    ngev: Any
    x_k: Any
    f_k: Any
    g_k: Any
    H_k: Any
    old_old_fval: Any
    ls_status: Any


def _bfgs(fun, x0, maxiter=None, norm=np.inf, gtol=1e-5, line_search_maxiter=10):
    if maxiter is None:
        maxiter = int(np.size(x0)) * 200
    n = x0.shape[0]
    f_0, g_0 = value_and_grad(fun)(x0)
    init = _BFGS(converged=jnp.linalg.norm(g_0, ord=norm) < gtol, failed=False, k=0,
                 nfev=1, ngev=1, x_k=x0, f_k=f_0, g_k=g_0, H_k=jnp.eye(n, dtype=x0.dtype),
                 old_old_fval=f_0 + jnp.linalg.norm(g_0) / 2, ls_status=0)

    def step(s: _BFGS) -> _BFGS:
        p = -_dot(s.H_k, s.g_k)
        ls = _line_search(fun, s.x_k, p, s.f_k, s.g_k, old_old_fval=s.old_old_fval,
                          maxiter=line_search_maxiter)
        sk = ls.a_k * p
        yk = ls.g_k - s.g_k
        rho = jnp.reciprocal(_dot(yk, sk))
        # H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T
        W = jnp.eye(n, dtype=rho.dtype) - rho * jnp.outer(sk, yk)
        H_new = _dot(_dot(W, s.H_k), W.T) + rho * jnp.outer(sk, sk)
        H_new = jnp.where(jnp.isfinite(rho), H_new, s.H_k)
        return _BFGS(converged=jnp.linalg.norm(ls.g_k, ord=norm) < gtol, failed=ls.failed,
                     k=s.k + 1, nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev,
                     x_k=s.x_k + sk, f_k=ls.f_k, g_k=ls.g_k, H_k=H_new,
                     old_old_fval=s.f_k, ls_status=ls.status)

    s = lax.while_loop(lambda s: ~s.converged & ~s.failed & (s.k < maxiter), step, init)
    status = jnp.where(s.converged, 0,
                       jnp.where(s.k == maxiter, 1,
                                 jnp.where(s.failed, 2 + s.ls_status, -1)))
    return s, status


# ----------------------------------------------------------------------------- L-BFGS

class _LBFGS(NamedTuple):
    converged: Any
    failed: Any
    k: Any
    nfev: Any
    ngev: Any
    x_k: Any
    f_k: Any
    g_k: Any
    s_hist: Any
    y_hist: Any
    rho_hist: Any
    gamma: Any
    status: Any
    ls_status: Any


def _push(history, new):
    """Drop the oldest row of a history buffer and append `new` as the last."""
    return jnp.concatenate([history[1:], jnp.expand_dims(new, 0)], axis=0)


def _two_loop(s: _LBFGS):
    """-H_k g_k by the L-BFGS two-loop recursion over the stored (s, y, rho) pairs."""
    m = s.rho_hist.shape[0]
    dtype = s.rho_hist.dtype
    used = jnp.minimum(s.k, m)
    q = -jnp.conj(s.g_k)

    def backward(j, carry):
        q, alphas = carry
        i = m - 1 - j
        a = s.rho_hist[i] * jnp.real(_dot(jnp.conj(s.s_hist[i]), q)).astype(dtype)
        return q - a * jnp.conj(s.y_hist[i]), alphas.at[i].set(a)

    q, alphas = lax.fori_loop(0, used, backward, (q, jnp.zeros_like(s.rho_hist)))
    q = s.gamma * q

    def forward(j, q):
        i = m - used + j
        b = s.rho_hist[i] * jnp.real(_dot(s.y_hist[i], q)).astype(dtype)
        return q + (alphas[i] - b) * s.s_hist[i]

    return lax.fori_loop(0, used, forward, q)


def _lbfgs(fun, x0, maxiter=None, norm=np.inf, maxcor=10, ftol=2.220446049250313e-09, gtol=1e-05,
           maxfun=None, maxgrad=None, maxls=20):
    n = len(x0)
    dtype = x0.dtype
    if maxiter is None and maxfun is None and maxgrad is None:
        maxiter = n * 200
    maxiter = np.inf if maxiter is None else maxiter
    maxfun = np.inf if maxfun is None else maxfun
    maxgrad = np.inf if maxgrad is None else maxgrad

    f_0, g_0 = value_and_grad(fun)(x0)
    init = _LBFGS(converged=jnp.array(False), failed=jnp.array(False), k=0, nfev=1, ngev=1,
                  x_k=x0, f_k=f_0, g_k=g_0,
                  s_hist=jnp.zeros((maxcor, n), dtype=dtype),
                  y_hist=jnp.zeros((maxcor, n), dtype=dtype),
                  rho_hist=jnp.zeros((maxcor,), dtype=dtype),
                  gamma=1., status=0, ls_status=0)

    def step(s: _LBFGS) -> _LBFGS:
        p = _two_loop(s)
        ls = _line_search(fun, s.x_k, p, s.f_k, s.g_k, maxiter=maxls)
        sk = jnp.asarray(ls.a_k).astype(p.dtype) * p
        yk = ls.g_k - s.g_k
        sy = jnp.real(_dot(yk, sk))
        rho = jnp.reciprocal(sy).astype(yk.dtype)
        gamma = sy / jnp.real(_dot(jnp.conj(yk), yk))

        status = jnp.array(0)
        status = jnp.where(s.f_k - ls.f_k < ftol, 4, status)
        status = jnp.where(s.ngev >= maxgrad, 3, status)
        status = jnp.where(s.nfev >= maxfun, 2, status)
        status = jnp.where(s.k >= maxiter, 1, status)
        status = jnp.where(ls.failed, 5, status)
        converged = jnp.linalg.norm(ls.g_k, ord=norm) < gtol
        return _LBFGS(converged=converged, failed=(status > 0) & ~converged, k=s.k + 1,
                      nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev,
                      x_k=(s.x_k + sk).astype(s.x_k.dtype),
                      f_k=ls.f_k.astype(jnp.result_type(s.f_k)),
                      g_k=ls.g_k.astype(s.g_k.dtype),
                      s_hist=_push(s.s_hist, sk), y_hist=_push(s.y_hist, yk),
                      rho_hist=_push(s.rho_hist, rho), gamma=gamma.astype(s.g_k.dtype),
                      status=jnp.where(converged, 0, status), ls_status=ls.status)

    return lax.while_loop(lambda s: ~s.converged & ~s.failed, step, init)


# ----------------------------------------------------------------------------- minimize

def minimize(fun: Callable, x0, args: tuple = (), *, method: str, tol: float | None = None,
             options: Mapping[str, Any] | None = None) -> OptimizeResults:
    """Minimization of a scalar function of one or more variables (jax.scipy.optimize.minimize).

    fun(x, *args) -> scalar, differentiable; x0: 1-D initial guess; method: "BFGS" or
    "l-bfgs-experimental-do-not-rely-on-this" (case-insensitive); options: solver keywords
    (BFGS: maxiter, norm, gtol, line_search_maxiter; L-BFGS: maxiter, norm, maxcor, ftol, gtol,
    maxfun, maxgrad, maxls). As in JAX, `tol` is accepted and ignored (use options["gtol"]).
    Works under jit; not differentiable (as JAX).
    """
    if options is None:
        options = {}
    if not isinstance(args, tuple):
        raise TypeError(f"args argument to jax.scipy.optimize.minimize must be a tuple, got {args}")
    if not isinstance(method, str):
        raise TypeError(f"method must be a string, got {method!r}")

    if not hasattr(x0, "shape"):
        x0 = jnp.asarray(x0)   # JAX needs an array here (a list raises AttributeError there)
    if len(x0.shape) != 1:
        raise TypeError(f"x0 must be a 1-D array of shape (n,), got shape {tuple(x0.shape)}")

    def f(x):
        return fun(x, *args)

    name = method.lower()
    if name == "bfgs":
        s, status = _bfgs(f, x0, **options)
        return OptimizeResults(x=s.x_k, success=s.converged & jnp.logical_not(s.failed),
                               status=status, fun=s.f_k, jac=s.g_k, hess_inv=s.H_k,
                               nfev=s.nfev, njev=s.ngev, nit=s.k)
    if name == "l-bfgs-experimental-do-not-rely-on-this":
        s = _lbfgs(f, x0, **options)
        return OptimizeResults(x=s.x_k, success=s.converged & jnp.logical_not(s.failed),
                               status=s.status, fun=s.f_k, jac=s.g_k, hess_inv=None,
                               nfev=s.nfev, njev=s.ngev, nit=s.k)
    raise ValueError(f"Method {method} not recognized")
