"""More of jax.scipy.special: exponential, sine/cosine and Fresnel integrals, Dawson, Faddeeva,
Spence, Owen's T, hypergeometric 1F1/2F1, Bessel J_n, spherical harmonics, Box-Cox, Bernoulli.
Built from jnp / lax (while loops for series and continued fractions) with custom JVPs where the
derivative is known in closed form."""
import operator

import numpy as np

from .. import dtypes
from .. import lax
from .. import numpy as jnp
from ..interpreters import core
from ..custom_derivatives import custom_jvp
from .special import _real_only, _broadcast, _np_dtype, gamma, erf, erfc, ndtr

__all__ = ["bernoulli", "bessel_jn", "boxcox", "boxcox1p", "dawsn", "exp1", "expi", "expn", "fresnel",
           "hyp1f1", "hyp2f1", "owens_t", "sici", "spence", "sph_harm_y", "wofz"]

_EULER = float(np.euler_gamma)


def _eps(x):
    return float(np.finfo(_np_dtype(jnp.real(x)) if dtypes.is_complex(core.get_aval(x).dtype)
                          else _np_dtype(x)).eps)


def _static_int(value, what):
    """operator.index of a concrete value (TypeError for floats, ConcretizationTypeError for tracers)."""
    from ..numpy.extra import _concrete_ints
    if isinstance(value, core.Tracer) or hasattr(value, "_t") or isinstance(value, np.ndarray):
        arr = _concrete_ints(value, what)
        if arr.ndim != 0 or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{what} must be an integer, got {value!r}")
        return int(arr)
    return operator.index(value)


def _iterate(step, carry, like, max_iter):
    """Run carry, converged = step(k, carry) for k = 1, 2, ... until every element has converged (or
    max_iter); converged elements keep their carry. Returns the final carry."""
    def cond(s):
        k, done = s[0], s[1]
        return jnp.logical_and(k <= max_iter, jnp.any(jnp.logical_not(done)))

    def body(s):
        k, done, c = s[0], s[1], s[2:]
        new, conv = step(k, c)
        new = tuple(jnp.where(done, old, nw) for old, nw in zip(c, new))
        return (k + 1, jnp.logical_or(done, conv)) + new
    k0 = jnp.asarray(np.array(1, _np_dtype(jnp.real(like))))
    done0 = jnp.zeros(jnp.shape(like), bool)
    return lax.while_loop(cond, body, (k0, done0) + tuple(carry))[2:]


def _unrolled_sum(terms, start=0):
    acc = None
    for t in terms:
        acc = t if acc is None else acc + t
    return acc


# ---- Box-Cox, Bernoulli -----------------------------------------------------------------------

def boxcox(x, lmbda):
    """(x^lmbda - 1) / lmbda, log(x) at lmbda == 0 (nan for x < 0)."""
    x, lmbda = _real_only("boxcox", x, lmbda)
    return _boxcox_from_log(jnp.log(x), lmbda)


def boxcox1p(x, lmbda):
    """((1 + x)^lmbda - 1) / lmbda, log1p(x) at lmbda == 0 (nan for x < -1)."""
    x, lmbda = _real_only("boxcox1p", x, lmbda)
    return _boxcox_from_log(jnp.log1p(x), lmbda)


def _boxcox_from_log(logx, lmbda):
    zero = lmbda == 0
    lam = jnp.where(zero, 1.0, lmbda)
    return jnp.where(zero, logx, jnp.expm1(lam * logx) / lam)


def bernoulli(n):
    """The Bernoulli numbers B_0 .. B_n (B_1 = -1/2): exact rationals up to B_60, then
    B_2k = (-1)^(k+1) 2 (2k)! zeta(2k) / (2 pi)^2k."""
    n = _static_int(n, "Argument n of bernoulli")
    if n < 0:
        raise ValueError(f"bernoulli: n must be a non-negative integer, got {n}.")
    out = np.zeros(n + 1)
    out[:61] = _BERNOULLI_EXACT[:n + 1]
    ratio = 4.0 / (2 * np.pi) ** 2           # 2 (2k)! / (2 pi)^2k at k = 1
    j = np.arange(1, 40, dtype=np.float64)
    with np.errstate(over="ignore"):
        for k in range(2, n // 2 + 1):
            ratio *= -(2 * k - 1) * (2 * k) / (2 * np.pi) ** 2
            if 2 * k > 60:
                out[2 * k] = ratio * np.sum(j ** (-2.0 * k))
    return jnp.asarray(out.astype(dtypes.default_float()))


def _bernoulli_exact(n):
    """B_0 .. B_n as floats, from sum_{k<=m} C(m+1, k) B_k = 0 in exact rationals."""
    from fractions import Fraction
    from math import comb
    b = [Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return np.array([float(v) for v in b])


_BERNOULLI_EXACT = _bernoulli_exact(60)


# ---- Dawson, Faddeeva ---------------------------------------------------------------------------

_DAWSN_H = 0.25          # Rybicki's sampling step: error ~ exp(-(pi / 2h)^2) ~ 1e-17
_DAWSN_K = 14


def _dawsn_raw(x):
    ax = jnp.abs(x)
    small = ax < 0.5
    # Taylor: sum_k (-2)^k x^(2k+1) / (2k+1)!!
    xs = jnp.where(small, x, 0.0)
    term, taylor = xs, xs
    for k in range(1, 16):
        term = term * (-2.0 * xs * xs) / (2 * k + 1)
        taylor = taylor + term
    # Rybicki: D(x) ~ 1/sqrt(pi) sum_{n odd} exp(-(x - n h)^2) / n, centred on the nearest even n0
    big = ax > 1e6
    xr = jnp.where(small | big, 1.0, ax)
    n0 = 2.0 * jnp.round(xr / (2 * _DAWSN_H))
    xi = xr - n0 * _DAWSN_H
    ryb = _unrolled_sum(jnp.exp(-jnp.square(xi - k * _DAWSN_H)) / (n0 + k)
                        for k in range(-2 * _DAWSN_K + 1, 2 * _DAWSN_K, 2))
    ryb = ryb * float(1 / np.sqrt(np.pi))
    xa = jnp.where(big, ax, 2.0)
    asym = 0.5 / xa * (1.0 + 0.5 / (xa * xa))
    mid = jnp.where(big, asym, ryb)
    return jnp.where(small, taylor, jnp.sign(x) * mid)


@custom_jvp
def _dawsn(x):
    return _dawsn_raw(x)


@_dawsn.defjvp
def _dawsn_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    d = _dawsn(x)
    return d, (1.0 - 2.0 * x * d) * t


def dawsn(x):
    """Dawson's integral exp(-x^2) int_0^x exp(t^2) dt."""
    x = _real_only("dawsn", x)
    return _dawsn(x)


def _weideman_coefficients(n=32):
    """Coefficients (highest degree first) of Weideman's (1994) rational approximation of w(z)."""
    m = 2 * n
    scale = np.sqrt(n / np.sqrt(2.0))
    theta = np.arange(-m + 1, m) * np.pi / m
    t = scale * np.tan(theta / 2)
    f = np.concatenate([[0.0], np.exp(-t * t) * (scale * scale + t * t)])
    a = np.real(np.fft.fft(np.fft.fftshift(f))) / (2 * m)
    return float(scale), a[1:n + 1][::-1].copy()


_WOFZ_L, _WOFZ_COEFFS = _weideman_coefficients()


def _wofz_upper(z):
    iz = 1j * z
    den = _WOFZ_L - iz
    zz = (_WOFZ_L + iz) / den
    p = jnp.polyval(jnp.asarray(_WOFZ_COEFFS.astype(_np_dtype(zz))), zz)
    return 2.0 * p / (den * den) + float(1 / np.sqrt(np.pi)) / den


@custom_jvp
def _wofz(z):
    upper = jnp.imag(z) >= 0
    zu = jnp.where(upper, z, -z)
    w = _wofz_upper(zu)
    return jnp.where(upper, w, 2.0 * jnp.exp(-z * z) - w)


@_wofz.defjvp
def _wofz_jvp(primals, tangents):
    (z,), (t,) = primals, tangents
    w = _wofz(z)
    return w, (-2.0 * z * w + 2j / np.sqrt(np.pi)) * t


def wofz(z):
    """Faddeeva function w(z) = exp(-z^2) erfc(-i z); real input is promoted to complex."""
    z = jnp.asarray(z)
    dt = np.dtype(core.get_aval(z).dtype)
    if not dtypes.is_complex(dt):
        if not np.issubdtype(dt, np.floating) or dt.itemsize < 4:
            z = z.astype(dtypes.default_float())
        z = lax.complex(z, jnp.zeros_like(z))
    return _wofz(z)


# ---- exponential integrals ------------------------------------------------------------------------

def _expn_series(n, x):
    """E_n(x) for 0 < x <= 1 (and integer n >= 1): the power series, whose term i = n - 1 carries
    psi(n) - log(x) with psi(n) = -gamma + H_{n-1} (harm accumulates the harmonic number)."""
    nm1 = n - 1.0
    eps = _eps(x)
    logx = jnp.log(x)
    ans0 = jnp.where(nm1 != 0, 1.0 / jnp.where(nm1 != 0, nm1, 1.0), -logx - _EULER)

    def step(i, c):
        fact, harm, ans = c
        fact = fact * (-x / i)
        harm = harm + jnp.where(i <= nm1, 1.0 / i, 0.0)
        at_log = i == nm1
        delta = jnp.where(at_log, fact * (-logx - _EULER + harm), -fact / jnp.where(at_log, 1.0, i - nm1))
        ans = ans + delta
        return (fact, harm, ans), (jnp.abs(delta) <= jnp.abs(ans) * eps) & (i > nm1)
    return _iterate(step, (jnp.ones_like(x), jnp.zeros_like(x), ans0), x, 10000)[2]


def _expn_cf(n, x):
    """E_n(x) for x > 1: the continued fraction (modified Lentz)."""
    eps = _eps(x)
    tiny = float(np.finfo(_np_dtype(x)).tiny) * 1e10
    b0 = x + n
    d0 = 1.0 / b0

    def step(i, c):
        b, cc, d, h = c
        an = -i * (n - 1.0 + i)
        b = b + 2.0
        d = a_d = an * d + b
        d = 1.0 / jnp.where(jnp.abs(a_d) < tiny, tiny, a_d)
        cc = b + an / cc
        cc = jnp.where(jnp.abs(cc) < tiny, tiny, cc)
        delta = cc * d
        h = h * delta
        return (b, cc, d, h), jnp.abs(delta - 1.0) <= eps
    h = _iterate(step, (b0, jnp.full_like(x, 1.0 / tiny), d0, d0), x, 10000)[3]
    return h * jnp.exp(-x)


def _expn_large_n(n, x):
    """E_n(x) for n >= 5000: the first terms of the expansion in 1 / (x + n) (DLMF 8.20.iii)."""
    s = x + n
    y = 1.0 / (s * s)
    series = 1.0 + y * (n + y * (n * (n - 2.0 * x) + y * n * (6.0 * x * x - 8.0 * n * x + n * n)))
    return series * jnp.exp(-x) / s


def _expn_raw(n, x):
    bad = (n < 0) | (x < 0) | (jnp.round(n) != n) | jnp.isnan(x) | jnp.isnan(n)
    ok = jnp.logical_not(bad) & (x > 0) & (n > 0) & (n < 5000)
    xs = jnp.where(ok, x, 1.0)
    ns = jnp.where(ok, n, 1.0)
    inf_x = jnp.isinf(xs)
    xs = jnp.where(inf_x, 1.0, xs)
    low, high = xs <= 1.0, xs > 1.0
    ser = _expn_series(ns, jnp.where(low, xs, 0.5))
    cf = _expn_cf(ns, jnp.where(high, xs, 2.0))
    out = jnp.where(low, ser, cf)
    out = jnp.where(inf_x, 0.0, out)
    xpos = jnp.where(x > 0, x, 1.0)
    out = jnp.where(n >= 5000, _expn_large_n(n, xpos), out)
    out = jnp.where(n == 0, jnp.exp(-xpos) / xpos, out)
    out = jnp.where(x == 0, jnp.where(n < 2, np.inf, 1.0 / jnp.where(n < 2, 1.0, n - 1.0)), out)
    return jnp.where(bad, np.nan, out)


@custom_jvp
def _expn(n, x):
    return _expn_raw(n, x)


@_expn.defjvp
def _expn_jvp(primals, tangents):
    (n, x), (_, tx) = primals, tangents
    out = _expn(n, x)
    # d/dx E_n = -E_{n-1}; for n == 0, E_0 = exp(-x) / x has derivative -exp(-x)(x + 1) / x^2
    lower = _expn(jnp.maximum(n - 1.0, 0.0), x)
    d0 = -jnp.exp(-x) * (x + 1.0) / (x * x)
    return out, jnp.where(n == 0, d0, -lower) * tx


def expn(n, x):
    """Generalized exponential integral E_n(x) = int_1^inf exp(-x t) / t^n dt, for integer n >= 0 and
    x >= 0 (nan elsewhere, as JAX)."""
    n, x = _broadcast(*_real_only("expn", n, x))
    return _expn(n, x)


def exp1(x):
    """Exponential integral E_1(x) = int_x^inf exp(-t) / t dt (nan for x < 0)."""
    x = _real_only("exp1", x)
    return _expn(jnp.ones_like(x), x)


_EXPI_SPLIT = 40.0


def _expi_pos(x):
    """Ei(x) for x > 0: the power series (all terms positive) up to 40, the asymptotic series beyond."""
    eps = _eps(x)
    small = x <= _EXPI_SPLIT
    xs = jnp.where(small, x, 1.0)

    def series_step(k, c):
        t, total = c
        t = t * xs / k
        total = total + t / k
        return (t, total), t / k <= eps * total
    total = _iterate(series_step, (jnp.ones_like(xs), jnp.zeros_like(xs)), xs, 2000)[1]
    ser = _EULER + jnp.log(xs) + total

    xl = jnp.where(small, 2 * _EXPI_SPLIT, x)

    def asym_step(k, c):
        t, total = c
        t = t * k / xl
        total = total + t
        return (t, total), t <= eps * total
    total = _iterate(asym_step, (jnp.ones_like(xl), jnp.ones_like(xl)), xl, 200)[1]
    asym = jnp.exp(xl - jnp.log(xl)) * total
    return jnp.where(small, ser, asym)


def _expi_raw(x):
    pos = x > 0
    fin = jnp.isfinite(x)
    xp = jnp.where(pos & fin, x, 1.0)
    xn = jnp.where(pos | ~fin | (x == 0), 1.0, -x)
    out = jnp.where(pos, _expi_pos(xp), -_expn_raw(jnp.ones_like(xn), xn))
    out = jnp.where(x == 0, -np.inf, out)
    out = jnp.where(x == np.inf, np.inf, jnp.where(x == -np.inf, 0.0, out))
    return jnp.where(jnp.isnan(x), np.nan, out)


@custom_jvp
def _expi(x):
    return _expi_raw(x)


@_expi.defjvp
def _expi_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _expi(x), jnp.exp(x) / x * t


def expi(x):
    """Exponential integral Ei(x) = int_-inf^x exp(t) / t dt (principal value); Ei(x) = -E_1(-x) for
    x < 0."""
    x = _real_only("expi", x)
    return _expi(x)


# ---- sine / cosine and Fresnel integrals ---------------------------------------------------------

def _sici_raw(x):
    ax = jnp.abs(x)
    eps = _eps(x)
    small = ax <= 4.0
    xs = jnp.where(small, ax, 1.0)
    # power series: x^k / k! with alternating signs, odd k -> Si, even k >= 2 -> Ci
    si, ci, term = xs, jnp.zeros_like(xs), xs
    for k in range(2, 44):
        term = term * xs / k
        if k % 2:
            si = si + (term / k if k % 4 == 1 else -term / k)
        else:
            ci = ci + (term / k if k % 4 == 0 else -term / k)
    ci = ci + _EULER + jnp.log(xs)
    # continued fraction for E_1(i x) (modified Lentz)
    inf = jnp.isinf(ax)
    xl = jnp.where(small | inf, 5.0, ax)
    b0 = lax.complex(jnp.ones_like(xl), xl)
    h0 = 1.0 / b0
    tiny = float(np.finfo(_np_dtype(x)).tiny) * 1e10

    def step(i, c):
        b, cc, d, h = c
        a = -jnp.square(i)
        b = b + 2.0
        d = 1.0 / (a * d + b)
        cc = b + a / cc
        delta = cc * d
        return (b, cc, d, h * delta), jnp.abs(delta - 1.0) <= eps
    h = _iterate(step, (b0, jnp.full_like(b0, 1.0 / tiny), h0, h0), b0, 1000)[3]
    h = lax.complex(jnp.cos(xl), -jnp.sin(xl)) * h
    si_l = float(np.pi / 2) + jnp.imag(h)
    ci_l = -jnp.real(h)
    si_out = jnp.where(small, si, jnp.where(inf, float(np.pi / 2), si_l))
    ci_out = jnp.where(small, ci, jnp.where(inf, 0.0, ci_l))
    si_out = jnp.sign(x) * si_out
    ci_out = jnp.where(x == 0, -np.inf, jnp.where(x == -np.inf, np.nan, ci_out))
    return si_out, ci_out


@custom_jvp
def _sici(x):
    return _sici_raw(x)


@_sici.defjvp
def _sici_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    out = _sici(x)
    return out, (jnp.sinc(x / np.pi) * t, jnp.cos(x) / x * t)


def sici(x):
    """Sine and cosine integrals (Si(x), Ci(x)); Ci(-x) is Ci(x) (the real part), Ci(-inf) nan."""
    x = _real_only("sici", x)
    return _sici(x)


def _half_pi_square_sincos(x):
    """sin and cos of pi x^2 / 2, with x^2 reduced mod 4 first so that large x keeps its phase."""
    xi = jnp.floor(x)
    xf = x - xi
    r = jnp.remainder(jnp.remainder(xi, 2.0) + jnp.remainder(2.0 * xi * xf, 4.0) + xf * xf, 4.0)
    ang = float(np.pi / 2) * r
    return jnp.sin(ang), jnp.cos(ang)


def _fresnel_raw(x):
    ax = jnp.abs(x)
    eps = _eps(x)
    small = ax < 1.5
    xs = jnp.where(small, ax, 0.0)
    t = float(np.pi / 2) * xs * xs
    s, c, term = jnp.zeros_like(xs), xs, xs
    for n in range(1, 36):
        term = term * t / n
        val = term / (2 * n + 1)
        sign = 1.0 if (n // 2) % 2 == 0 else -1.0
        if n % 2:
            s = s + sign * val
        else:
            c = c + sign * val
    inf = jnp.isinf(ax)
    huge = ax > 1e8
    xl = jnp.where(small | inf | huge, 2.0, ax)
    pix2 = float(np.pi) * xl * xl
    b0 = lax.complex(jnp.ones_like(xl), -pix2)
    h0 = 1.0 / b0
    tiny = float(np.finfo(_np_dtype(x)).tiny) * 1e10

    def step(k, carry):
        b, cc, d, h = carry
        n = 2.0 * k - 1.0
        a = -n * (n + 1.0)
        b = b + 4.0
        d = 1.0 / (a * d + b)
        cc = b + a / cc
        delta = cc * d
        return (b, cc, d, h * delta), jnp.abs(delta - 1.0) <= eps
    h = _iterate(step, (b0, jnp.full_like(b0, 1.0 / tiny), h0, h0), b0, 1000)[3]
    h = h * lax.complex(xl, -xl)
    sn, cs = _half_pi_square_sincos(xl)
    cs_l = (0.5 + 0.5j) * (1.0 - lax.complex(cs, sn) * h)
    xh = jnp.where(huge & ~inf, ax, 2.0)
    sn_h, cs_h = _half_pi_square_sincos(xh)
    s_h = 0.5 - cs_h / (float(np.pi) * xh)
    c_h = 0.5 + sn_h / (float(np.pi) * xh)
    s_out = jnp.where(small, s, jnp.where(inf, 0.5, jnp.where(huge, s_h, jnp.imag(cs_l))))
    c_out = jnp.where(small, c, jnp.where(inf, 0.5, jnp.where(huge, c_h, jnp.real(cs_l))))
    sg = jnp.where(x < 0, -1.0, 1.0)
    return sg * s_out, sg * c_out


@custom_jvp
def _fresnel(x):
    return _fresnel_raw(x)


@_fresnel.defjvp
def _fresnel_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    out = _fresnel(x)
    sn, cs = _half_pi_square_sincos(jnp.abs(x))
    return out, (sn * t, cs * t)


def fresnel(x):
    """Fresnel integrals (S(x), C(x)) = int_0^x (sin, cos)(pi t^2 / 2) dt."""
    x = _real_only("fresnel", x)
    return _fresnel(x)


# ---- Spence ---------------------------------------------------------------------------------------

def _li2_series(u):
    """Li2(1 - exp(-u)) = sum_n B_n u^(n+1) / (n+1)! for |u| < 2 pi (here |u| <= log 2)."""
    b = _BERNOULLI_EXACT
    out = u + b[1] * u * u / 2
    fact = 1.0
    u2 = u * u
    p = u
    for n in range(2, 41, 2):
        p = p * u2
        fact *= n * (n + 1)
        out = out + float(b[n] / fact) * p
    return out


def _spence_raw(x):
    """spence(x) = Li2(1 - x) for x >= 0, with the reflections x -> 1 - x (x < 1/2) and
    x -> x / (x - 1) (x > 2) that keep log(x) within [-log 2, log 2]."""
    low = x < 0.5
    high = x > 2.0
    mid_arg = jnp.where(low, 1.0 - x, jnp.where(high, x / jnp.where(high, x - 1.0, 1.0), x))
    base = _li2_series(-jnp.log(jnp.where(jnp.isfinite(mid_arg), mid_arg, 1.0)))
    xl = jnp.where(low & (x > 0), x, 0.5)
    low_val = float(np.pi ** 2 / 6) - jnp.log(xl) * jnp.log1p(-xl) - base
    xh = jnp.where(high, x, 3.0)
    lh = jnp.log(xh - 1.0)
    high_val = float(-np.pi ** 2 / 6) - 0.5 * lh * lh - base
    out = jnp.where(low, low_val, jnp.where(high, high_val, base))
    out = jnp.where(x == 0, float(np.pi ** 2 / 6), jnp.where(x == 1, 0.0, out))
    return jnp.where((x < 0) | jnp.isinf(x) | jnp.isnan(x), np.nan, out)


@custom_jvp
def _spence(x):
    return _spence_raw(x)


@_spence.defjvp
def _spence_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    one = x == 1
    d = jnp.where(one, -1.0, jnp.log(x) / jnp.where(one, 0.5, 1.0 - x))
    return _spence(x), d * t


def spence(x):
    """Spence's function int_1^x log(t) / (1 - t) dt = Li2(1 - x) for x >= 0 (nan for x < 0). As in JAX,
    only float32 and float64 arrays are accepted."""
    x = jnp.asarray(x)
    dt = np.dtype(core.get_aval(x).dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"spence: x.dtype={dt} is not supported; pass a float32 or float64 array.")
    return _spence(x)


# ---- Owen's T -------------------------------------------------------------------------------------

_OWENS_NODES, _OWENS_WEIGHTS = np.polynomial.legendre.leggauss(48)
_OWENS_NODES = (_OWENS_NODES + 1) / 2
_OWENS_WEIGHTS = _OWENS_WEIGHTS / 2
_OWENS_CUT = 9.0          # exp(-u^2 / 2) is below 1e-17 beyond u = h x = 9


def _owens_small_a(h, a):
    """T(h, a) for h >= 0, 0 <= a <= 1: Gauss-Legendre on [0, min(a, 9 / h)]."""
    hs = jnp.where(h > 0, h, 1.0)
    top = jnp.where(h > 0, jnp.minimum(a, _OWENS_CUT / hs), a)
    nodes = jnp.asarray(_OWENS_NODES.astype(_np_dtype(h)))
    weights = jnp.asarray(_OWENS_WEIGHTS.astype(_np_dtype(h)))
    xs = top[..., None] * nodes
    hh = jnp.square(h)[..., None]
    integrand = jnp.exp(-0.5 * hh * (1.0 + xs * xs)) / (1.0 + xs * xs)
    return top * jnp.sum(integrand * weights, axis=-1) / float(2 * np.pi)


def _owens_raw(h, a):
    h0, a0 = h, a
    h, aa = jnp.abs(h), jnp.abs(a)
    inv = aa > 1.0
    am = jnp.where(inv, 1.0 / jnp.where(inv, aa, 1.0), aa)
    hm = jnp.where(inv, aa * h, h)
    fin = jnp.isfinite(hm)
    t = _owens_small_a(jnp.where(fin, hm, 0.0), am)
    t = jnp.where(fin, t, 0.0)
    r2 = float(np.sqrt(2))
    ah = aa * h
    erf_form = 0.25 - 0.25 * erf(h / r2) * erf(ah / r2)
    qh, qah = erfc(h / r2), erfc(ah / r2)
    erfc_form = 0.25 * (qh + qah - qh * qah)
    t = jnp.where(inv, jnp.where(ah <= 0.67, erf_form, erfc_form) - t, t)
    t = jnp.where(jnp.isinf(aa), jnp.where(h == 0, 0.25, 0.5 * ndtr(-h)), t)
    t = jnp.sign(a0) * t
    return jnp.where(jnp.isnan(a0) | jnp.isnan(h0), np.nan, t)


@custom_jvp
def _owens_t(h, a):
    return _owens_raw(h, a)


@_owens_t.defjvp
def _owens_t_jvp(primals, tangents):
    (h, a), (th, ta) = primals, tangents
    hh = jnp.square(h)
    dh = -jnp.exp(-0.5 * hh) * erf(a * h / float(np.sqrt(2))) / float(2 * np.sqrt(2 * np.pi))
    da = jnp.exp(-0.5 * hh * (1.0 + a * a)) / (float(2 * np.pi) * (1.0 + a * a))
    return _owens_t(h, a), dh * th + da * ta


def owens_t(h, a):
    """Owen's T function (1 / 2 pi) int_0^a exp(-h^2 (1 + x^2) / 2) / (1 + x^2) dx."""
    h, a = _broadcast(*_real_only("owens_t", h, a))
    return _owens_t(h, a)


# ---- confluent and Gauss hypergeometric functions --------------------------------------------------

def _forward_derivative(f, args, i):
    from .special import _forward_derivative as fd
    return fd(f, args, i)


def _is_nonpos_int(v):
    return (v <= 0) & (jnp.round(v) == v)


def _hyp_series(num, den, x, max_iter):
    """sum_k prod_j (num_j)_k / prod_j (den_j)_k x^k / k!, summed until the terms fall below eps."""
    eps = _eps(x)

    def step(k, c):
        term, total = c
        ratio = x / k
        for p in num:
            ratio = ratio * (p + k - 1.0)
        for q in den:
            ratio = ratio / (q + k - 1.0)
        term = term * ratio
        total = total + term
        return (term, total), jnp.abs(term) <= eps * jnp.abs(total)
    return _iterate(step, (jnp.ones_like(x), jnp.ones_like(x)), x, max_iter)[1]


_HYP1F1_SPLIT = 100.0


def _hyp1f1_raw(a, b, x):
    """1F1 for real arguments: Kummer's transformation e^x 1F1(b - a, b, -x) for x < 0, then the power
    series for |x| < 100 (or a terminating series) and the large-x asymptotic series beyond."""
    neg = x < 0
    y = jnp.abs(x)
    ap = jnp.where(neg, b - a, a)
    use_series = (y < _HYP1F1_SPLIT) | _is_nonpos_int(ap)
    ys = jnp.where(use_series, y, 0.0)
    ser = _hyp_series([ap], [b], ys, 2000)
    ser = jnp.where(neg, jnp.exp(x) * ser, ser)
    yl = jnp.where(use_series, 2 * _HYP1F1_SPLIT, y)
    asum = _hyp_series([b - ap, 1.0 - ap], [], 1.0 / yl, 500)
    expo = jnp.where(neg, 0.0, yl) + (ap - b) * jnp.log(yl)
    asym = gamma(b) / gamma(ap) * jnp.exp(expo) * asum
    out = jnp.where(use_series, ser, asym)
    out = jnp.where(a == b, jnp.exp(x), out)
    out = jnp.where((b == 0) & (a != 0), np.inf, out)
    return jnp.where(a == 0, 1.0, out)


@custom_jvp
def _hyp1f1(a, b, x):
    return _hyp1f1_raw(a, b, x)


@_hyp1f1.defjvp
def _hyp1f1_jvp(primals, tangents):
    (a, b, x), (ta, tb, tx) = primals, tangents
    out = _hyp1f1(a, b, x)
    da = _forward_derivative(lambda a_, b_: _hyp1f1_raw(a_, b_, x), (a, b), 0)
    db = _forward_derivative(lambda a_, b_: _hyp1f1_raw(a_, b_, x), (a, b), 1)
    dx = a / b * _hyp1f1(a + 1.0, b + 1.0, x)
    return out, da * ta + db * tb + dx * tx


def hyp1f1(a, b, x):
    """Confluent hypergeometric function 1F1(a; b; x) for real arguments (1 at a == b == 0, as JAX)."""
    a, b, x = _broadcast(*_real_only("hyp1f1", a, b, x))
    return _hyp1f1(a, b, x)


def _hyp2f1_unit(a, b, c, z):
    """2F1 for 0 <= z < 1: the series up to 0.9; beyond, the transformation to 1 - z when c - a - b is
    not an integer, else (and for terminating series) the direct series, summed longer."""
    d = c - a - b
    eps50 = 50 * _eps(z)
    int_d = jnp.abs(d - jnp.round(d)) < eps50
    terminating = _is_nonpos_int(a) | _is_nonpos_int(b)
    near = (z > 0.9) & ~int_d & ~terminating
    zs = jnp.where(near, 0.0, z)
    direct = _hyp_series([a, b], [c], zs, 20000)
    w = jnp.where(near, 1.0 - z, 0.05)
    ds = jnp.where(near, d, 0.5)
    g = gamma(c)
    first = g * gamma(ds) / (gamma(c - a) * gamma(c - b)) * _hyp_series([a, b], [1.0 - ds], w, 500)
    second = (g * gamma(-ds) / (gamma(a) * gamma(b)) * jnp.power(w, ds)
              * _hyp_series([c - a, c - b], [1.0 + ds], w, 500))
    return jnp.where(near, first + second, direct)


def _hyp2f1_raw(a, b, c, x):
    d = c - a - b
    s = 1.0 - x
    neg = x < 0
    # Pfaff: 2F1(a, b; c; x) = (1 - x)^-a 2F1(a, c - b; c; x / (x - 1)) maps x < 0 into (0, 1)
    zn = jnp.where(neg, x / jnp.where(neg, x - 1.0, -1.0), 0.0)
    pfaff = jnp.power(jnp.where(neg, s, 1.0), -a) * _hyp2f1_unit(a, c - b, c, zn)
    inside = (x >= 0) & (x < 1)
    zp = jnp.where(inside, x, 0.0)
    direct = _hyp2f1_unit(a, b, c, zp)
    euler = (d <= -1) & inside
    sp = jnp.where(inside, s, 1.0)
    euler_val = jnp.power(sp, d) * _hyp2f1_unit(c - a, c - b, c, jnp.where(euler, zp, 0.0))
    out = jnp.where(neg, pfaff, jnp.where(euler, euler_val, direct))
    gauss = gamma(c) * gamma(jnp.where(d > 0, d, 1.0)) / (gamma(c - a) * gamma(c - b))
    out = jnp.where(x == 1, jnp.where(d > 0, gauss, np.inf), out)
    out = jnp.where((b == c) & (x < 1), jnp.power(s, -a), jnp.where((a == c) & (x < 1), jnp.power(s, -b), out))
    out = jnp.where(x > 1, np.inf, out)
    out = jnp.where((c == 0) | _is_nonpos_int(c), np.inf, out)
    return jnp.where((x == 0) | (((a == 0) | (b == 0)) & (c != 0)), 1.0, out)


@custom_jvp
def _hyp2f1(a, b, c, x):
    return _hyp2f1_raw(a, b, c, x)


@_hyp2f1.defjvp
def _hyp2f1_jvp(primals, tangents):
    a, b, c, x = primals
    out = _hyp2f1(a, b, c, x)
    fn = lambda a_, b_, c_: _hyp2f1_raw(a_, b_, c_, x)   # noqa: E731
    parts = [_forward_derivative(fn, (a, b, c), i) * t for i, t in enumerate(tangents[:3])]
    dx = a * b / c * _hyp2f1(a + 1.0, b + 1.0, c + 1.0, x)
    return out, parts[0] + parts[1] + parts[2] + dx * tangents[3]


def hyp2f1(a, b, c, x):
    """Gauss hypergeometric function 2F1(a, b; c; x) for real arguments and x <= 1 (inf for x > 1 and
    for non-positive integer c, as JAX)."""
    a, b, c, x = _broadcast(*_real_only("hyp2f1", a, b, c, x))
    return _hyp2f1(a, b, c, x)


# ---- Bessel J_n, spherical harmonics -----------------------------------------------------------------

def bessel_jn(z, *, v, n_iter=50):
    """J_0(z) .. J_v(z) stacked on a new leading axis, by Miller's backward recurrence from order n_iter
    normalised with J_0 + 2 sum_k J_2k = 1 (Zhang & Jin, BJNDD)."""
    z = jnp.asarray(z)
    dt = np.dtype(core.get_aval(z).dtype)
    if dtypes.is_complex(dt):
        raise ValueError(f"bessel_jn: complex input not supported, got z of dtype {dt}.")
    z = _real_only("bessel_jn", z)
    v = _static_int(v, "Argument v of bessel_jn")
    n_iter = _static_int(n_iter, "Argument n_iter of bessel_jn")
    if v < 0:
        raise ValueError(f"bessel_jn: the order v must be non-negative, got {v}.")
    if n_iter < v:
        raise ValueError(f"bessel_jn: n_iter ({n_iter}) must be at least the order v ({v}).")

    def body(carry, k):
        f_next2, f_next, norm = carry
        f = 2.0 * (k + 1.0) * f_next / z - f_next2
        norm = norm + jnp.where(jnp.remainder(k, 2.0) == 0, 2.0 * f, 0.0)
        return (f_next, f, norm), f
    ks = jnp.arange(n_iter + 1, dtype=dt if np.issubdtype(dt, np.floating) else None).astype(core.get_aval(z).dtype)
    init = (jnp.zeros_like(z), jnp.full_like(z, 1e-16), jnp.zeros_like(z))
    (_, _, norm), fs = lax.scan(body, init, ks, reverse=True)
    return fs[:v + 1] / (norm - fs[0])


def sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None):
    """Spherical harmonics Y_n^m(theta, phi) (theta polar, phi azimuthal), orthonormal on the sphere with
    the Condon-Shortley phase, as scipy.special.sph_harm_y. n_max (static) bounds n; larger n are
    clipped to it, as JAX."""
    if diff_n is not None:
        raise NotImplementedError("The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
    if np.ndim(theta) == 0 and not isinstance(theta, core.Tracer):
        theta = jnp.asarray(theta)[None]
    if n_max is None:
        if isinstance(n, core.Tracer) and n.to_concrete_value() is None:
            raise core.ConcretizationTypeError(n, "The n_max argument of sph_harm_y must be statically "
                                                  "specified to use it within JAX transformations.")
        n_max = int(np.max(np.asarray(n.to_concrete_value() if isinstance(n, core.Tracer) else n)))
    n_max = _static_int(n_max, "The n_max argument of sph_harm_y")
    theta, phi = _real_only("sph_harm_y", theta, phi)
    n, m, theta, phi = _broadcast(jnp.asarray(n), jnp.asarray(m), theta, phi)
    n = jnp.minimum(n, n_max).astype(core.get_aval(theta).dtype)
    am = jnp.abs(m).astype(core.get_aval(theta).dtype)
    x, sx = jnp.cos(theta), jnp.sin(theta)
    # normalised P_l^|m|: first the diagonal l = |m|, then the three-term recurrence upward in l
    pmm = jnp.full_like(theta, float(np.sqrt(1 / (4 * np.pi))))
    for j in range(1, n_max + 1):
        pmm = jnp.where(j <= am, pmm * (-float(np.sqrt((2 * j + 1) / (2 * j)))) * sx, pmm)
    p_prev, p_cur = jnp.zeros_like(pmm), pmm
    out = jnp.where(n == am, pmm, 0.0)
    for l in range(1, n_max + 1):
        active = l > am
        l2, m2 = float(l * l), am * am
        a_l = jnp.sqrt((4.0 * l2 - 1.0) / jnp.where(active, l2 - m2, 1.0))
        a_prev = jnp.sqrt((4.0 * (l - 1) ** 2 - 1.0) / jnp.where(l - 1 > am, (l - 1.0) ** 2 - m2, 1.0))
        nxt = a_l * (x * p_cur - jnp.where(l - 1 > am, p_prev / a_prev, 0.0))
        p_prev, p_cur = jnp.where(active, p_cur, p_prev), jnp.where(active, nxt, p_cur)
        out = jnp.where(active & (n == l), p_cur, out)
    angle = am * phi
    y = lax.complex(out * jnp.cos(angle), out * jnp.sin(angle))
    sign = jnp.where(jnp.remainder(am, 2.0) == 1, -1.0, 1.0)
    return jnp.where(m < 0, sign * jnp.conj(y), y)
