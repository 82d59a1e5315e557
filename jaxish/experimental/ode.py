"""jax.experimental.ode.odeint: adaptive Dormand-Prince (RK45) integration of dy/dt = func(y, t, *args).

Step-size control and dense output follow JAX (and Hairer, Norsett & Wanner, Solving ODEs I, II.4):
each accepted step fits a quartic through y0, y1, the step's midpoint and both end slopes, and
the solution at a requested time is read off that polynomial. Reverse-mode derivatives use the
adjoint method (Chen et al. 2018, appendix C): an augmented system is integrated backwards."""
import functools
import numbers
import operator

import numpy as np

from .. import lax
from .. import numpy as jnp
from ..array import Array
from ..custom_derivatives import custom_vjp, closure_convert
from ..flatten_util import ravel_pytree
from ..interpreters import core
from ..tree_util import tree_leaves, tree_map

__all__ = ["odeint"]

# Dormand-Prince 5(4) tableau: nodes, stage weights, 5th-order solution weights, and the
# difference between the 5th- and 4th-order weights (the local error estimate).
_DP_NODES = (1 / 5, 3 / 10, 4 / 5, 8 / 9, 1., 1.)
_DP_STAGES = (
    (1 / 5, 0, 0, 0, 0, 0, 0),
    (3 / 40, 9 / 40, 0, 0, 0, 0, 0),
    (44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0),
    (35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0),
)
_DP_SOLUTION = (35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0)
_DP_ERROR = (35 / 384 - 1951 / 21600, 0, 500 / 1113 - 22642 / 50085, 125 / 192 - 451 / 720,
             -2187 / 6784 + 12231 / 42400, 11 / 84 - 649 / 6300, -1 / 60)
# Weights giving y(t0 + dt/2) from the seven stages (Shampine's dense output for DOPRI5).
_DP_MIDPOINT = (6025192743 / 30085553152 / 2, 0, 51252292925 / 65400821598 / 2,
                -2691868925 / 45128329728 / 2, 187940372067 / 1594534317056 / 2,
                -1776094331 / 19743644256 / 2, 11237099 / 235043384 / 2)

_HIGHEST = "highest"


def _weighted(coefs, k):
    """sum_i coefs[i] * k[i] for the stage matrix k (7, n)."""
    return jnp.dot(jnp.asarray(coefs, dtype=k.dtype), k, precision=_HIGHEST)


def _quartic_fit(y0, y1, k, dt):
    """Coefficients (highest power first) of the quartic in s = (t - t0)/dt through the step."""
    dt = dt.astype(y0.dtype)
    y_mid = y0 + dt * _weighted(_DP_MIDPOINT, k)
    dy0, dy1 = dt * k[0], dt * k[-1]
    a = -2. * dy0 + 2. * dy1 - 8. * y0 - 8. * y1 + 16. * y_mid
    b = 5. * dy0 - 3. * dy1 + 18. * y0 + 14. * y1 - 32. * y_mid
    c = -4. * dy0 + dy1 - 11. * y0 - 5. * y1 + 16. * y_mid
    return jnp.stack([a, b, c, dy0, y0])


def _horner(coefs, s):
    """coefs[0] * s**4 + ... + coefs[4], each coefficient a vector."""
    out = jnp.zeros_like(coefs[0])
    for c in range(coefs.shape[0]):
        out = out * s + coefs[c]    # from zero, as jnp.polyval: a degenerate step gives nan, not inf
    return out


def _first_step(fun, t0, y0, order, rtol, atol, f0):
    """Hairer-Norsett-Wanner's starting step: a trial Euler step probes the second derivative."""
    scale = (atol + jnp.abs(y0) * rtol).astype(y0.dtype)
    d0 = jnp.linalg.norm(y0 / scale)
    d1 = jnp.linalg.norm(f0 / scale)
    h0 = jnp.where((d0 < 1e-5) | (d1 < 1e-5), 1e-6, 0.01 * d0 / d1)
    f1 = fun(y0 + h0.astype(y0.dtype) * f0, t0 + h0)
    d2 = jnp.linalg.norm((f1 - f0) / scale) / h0
    h1 = jnp.where((d1 <= 1e-15) & (d2 <= 1e-15), jnp.maximum(1e-6, h0 * 1e-3),
                   (0.01 / jnp.maximum(d1, d2)) ** (1. / (order + 1.)))
    return jnp.minimum(100. * h0, h1)


def _rk_step(fun, y0, f0, t0, dt):
    """One Dormand-Prince step: (y1, f1 = fun(y1, t1), error estimate, the seven stages)."""
    nodes = jnp.asarray(_DP_NODES, dtype=dt.dtype)
    stages = jnp.asarray(_DP_STAGES, dtype=f0.dtype)
    dty = dt.astype(f0.dtype)

    def stage(i, k):
        yi = y0 + dty * jnp.dot(stages[i - 1], k, precision=_HIGHEST)
        return k.at[i].set(fun(yi, t0 + dt * nodes[i - 1]))

    k = jnp.zeros((7,) + f0.shape, f0.dtype).at[0].set(f0)
    k = lax.fori_loop(1, 7, stage, k)
    y1 = y0 + dty * _weighted(_DP_SOLUTION, k)
    err = dty * _weighted(_DP_ERROR, k)
    return y1, k[-1], err, k


def _error_ratio(err, rtol, atol, y0, y1):
    """RMS of the error estimate over the mixed tolerance (<= 1: accept the step)."""
    tol = (atol + rtol * jnp.maximum(jnp.abs(y0), jnp.abs(y1))).astype(err.dtype)
    r = err / tol
    sq = r.real ** 2 + r.imag ** 2 if jnp.iscomplexobj(r) else r ** 2
    return jnp.sqrt(jnp.mean(sq))


def _next_step(dt, ratio, safety=0.9, grow=10.0, shrink=0.2, order=5.0):
    """Scale the step by safety * ratio^(-1/order), at most `grow`, and after an accepted step
    never below 1 (after a rejected one never below `shrink`)."""
    floor = jnp.where(ratio < 1, 1.0, shrink)
    factor = jnp.minimum(grow, jnp.maximum(ratio ** (-1.0 / order) * safety, floor))
    return jnp.where(ratio == 0, dt * grow, dt * factor)


def _is_jax_value(x):
    if isinstance(x, (Array, core.Tracer, np.ndarray, np.generic)):
        return True
    return isinstance(x, numbers.Number)


def odeint(func, y0, t, *args, rtol=1.4e-8, atol=1.4e-8, mxstep=jnp.inf, hmax=jnp.inf):
    """Integrate dy/dt = func(y, t, *args) from y(t[0]) = y0; the solution at every time in t
    (increasing floats), each leaf of y0 gaining a leading axis of len(t)."""
    if not callable(func):
        raise TypeError(f"odeint func must be callable, got {func!r}")
    for a in tree_leaves(args):
        if not _is_jax_value(a):
            raise TypeError(f"The contents of odeint *args must be arrays or scalars, but got {a}.")
    if not hasattr(t, "dtype"):
        raise TypeError(f"t must be an array of floats, but got {t!r} (a {type(t).__name__}; "
                        "pass jnp.asarray(t)).")
    t = jnp.asarray(t)
    if not jnp.issubdtype(t.dtype, jnp.floating):
        raise TypeError(f"t must be an array of floats, but got {t}.")
    if t.ndim == 0:
        raise IndexError("odeint t must be a 1-D array of times, but got a 0-dimensional array.")
    if t.ndim != 1:
        raise ValueError(f"odeint t must be a 1-D array of times, but got shape {t.shape}.")
    if not isinstance(t, core.Tracer) and t.shape[0] > 1:
        steps = np.diff(np.asarray(t))
        if not np.all(steps > 0):
            raise ValueError(f"odeint t must be strictly increasing, but got {np.asarray(t)}.")
    for leaf in tree_leaves(y0):
        dt = jnp.result_type(leaf)
        if not jnp.issubdtype(dt, jnp.inexact):
            raise TypeError(f"odeint y0 leaves must be floating or complex arrays, but got dtype {dt} "
                            f"(use e.g. jnp.asarray(y0, float)).")
    args = tree_map(jnp.asarray, args)
    y0 = tree_map(jnp.asarray, y0)
    converted, consts = closure_convert(func, y0, t[0], *args)
    return _odeint_wrapper(converted, rtol, atol, mxstep, hmax, y0, t, *args, *consts)


def _odeint_wrapper(func, rtol, atol, mxstep, hmax, y0, ts, *args):
    y0_flat, unravel = ravel_pytree(y0)
    size = y0_flat.shape[0]

    def flat_func(y, t, *a):
        out, _ = ravel_pytree(func(unravel(y), t, *a))
        if out.shape != (size,):
            raise ValueError(f"odeint func must return a pytree like y0 ({size} values in all), "
                             f"but it returned {out.shape[0]} values")
        return out
    ys = _odeint(flat_func, rtol, atol, mxstep, hmax, y0_flat, ts, *args)
    from ..api import vmap
    return vmap(unravel)(ys)


@functools.partial(custom_vjp, nondiff_argnums=(0, 1, 2, 3, 4))
def _odeint(func, rtol, atol, mxstep, hmax, y0, ts, *args):
    fun = lambda y, t: func(y, t, *args)

    def to_target(carry, target):
        def more_steps(state):
            i, _, _, t, dt, _, _ = state
            return (t < target) & (i < mxstep) & (dt > 0)

        def attempt(state):
            i, y, f, t, dt, t_prev, poly = state
            y1, f1, err, k = _rk_step(fun, y, f, t, dt)
            ratio = _error_ratio(err, rtol, atol, y, y1)
            poly1 = _quartic_fit(y, y1, k, dt)
            dt1 = jnp.clip(_next_step(dt, ratio), 0., hmax)
            ok = ratio <= 1.
            pick = lambda new, old: jnp.where(ok, new, old)
            return [i + 1, pick(y1, y), pick(f1, f), pick(t + dt, t), dt1, pick(t, t_prev), pick(poly1, poly)]

        _, *carry = lax.while_loop(more_steps, attempt, [0] + carry)
        _, _, t, _, t_prev, poly = carry
        s = (target - t_prev) / (t - t_prev)
        return carry, _horner(poly, s.astype(poly.dtype))

    f0 = fun(y0, ts[0])
    dt0 = jnp.clip(_first_step(fun, ts[0], y0, 4, rtol, atol, f0), 0., hmax)
    poly0 = jnp.stack([y0] * 5)
    _, ys = lax.scan(to_target, [y0, f0, ts[0], dt0, ts[0], poly0], ts[1:])
    return jnp.concatenate([y0[None], ys])


def _odeint_fwd(func, rtol, atol, mxstep, hmax, y0, ts, *args):
    ys = _odeint(func, rtol, atol, mxstep, hmax, y0, ts, *args)
    return ys, (ys, ts, args)


def _odeint_bwd(func, rtol, atol, mxstep, hmax, res, g):
    """Adjoint sweep: between consecutive output times integrate (y, a = dL/dy, dL/dt0, dL/dargs)
    backwards in time (as forwards in -t), adding each output's cotangent on the way."""
    from ..api import vjp
    ys, ts, args = res

    def augmented(state, minus_t, *a):
        y, y_bar = state[0], state[1]
        y_dot, pullback = vjp(func, y, -minus_t, *a)
        return (-y_dot, *pullback(y_bar))

    def back_one_interval(carry, i):
        y_bar, t0_bar, args_bar = carry
        t_bar = jnp.dot(func(ys[i], ts[i], *args), g[i], precision=_HIGHEST).real.astype(ts.dtype)
        t0_bar = t0_bar - t_bar
        _, y_bar, t0_bar, args_bar = odeint(
            augmented, (ys[i], y_bar, t0_bar, args_bar), jnp.stack([-ts[i], -ts[i - 1]]), *args,
            rtol=rtol, atol=atol, mxstep=mxstep, hmax=hmax)
        y_bar, t0_bar, args_bar = tree_map(operator.itemgetter(1), (y_bar, t0_bar, args_bar))
        return (y_bar + g[i - 1], t0_bar, args_bar), t_bar

    start = (g[-1], jnp.zeros((), ts.dtype), tree_map(jnp.zeros_like, args))
    (y_bar, t0_bar, args_bar), ts_bar_rev = lax.scan(
        back_one_interval, start, jnp.arange(ts.shape[0] - 1, 0, -1))
    ts_bar = jnp.concatenate([t0_bar[None], ts_bar_rev[::-1]])
    return (y_bar, ts_bar, *args_bar)


_odeint.defvjp(_odeint_fwd, _odeint_bwd)
