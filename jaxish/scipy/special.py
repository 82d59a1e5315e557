"""jax.scipy.special on lax primitives: each function differentiates, vmaps and jits through the
rules of the primitives it is built from."""
import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..numpy import _core as C
from ..numpy._core import _promote_to_inexact
from ..numpy.creation import asarray
from ..numpy import reductions as R

__all__ = ["logsumexp", "erf", "erfc", "erfinv", "expit", "logit", "gammaln", "loggamma", "digamma", "xlogy",
           "xlog1py", "entr", "ndtr", "ndtri", "log_ndtr", "softmax", "log_softmax", "betaln", "gamma",
           "polygamma", "sinc"]


def _inexact(name, *xs):
    out = [asarray(x) if not isinstance(x, core.Tracer) and not hasattr(x, "_t") else x
           for x in _promote_to_inexact(name, *xs)]
    return out if len(out) > 1 else out[0]


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) computed stably (the max is shifted out and held constant)."""
    if b is not None:
        a, b = _inexact("logsumexp", a, b)
    else:
        a = _inexact("logsumexp", a)
    amax = R.max(a, axis=axis, keepdims=True, where=where, initial=-np.inf)
    # a strong shift (JAX casts it to a's dtype): logsumexp(0.5) is not weakly typed
    amax = lax.convert_element_type(lax.stop_gradient(C.where(C.isfinite(amax), amax, 0.0)), core.get_aval(a).dtype)
    e = C.exp(C.subtract(a, amax))
    if b is not None:
        e = C.multiply(e, b)
    s = R.sum(e, axis=axis, keepdims=keepdims, where=where)
    sign = C.sign(s)
    if dtypes.is_complex(core.get_aval(s).dtype):
        s = C.abs(s)
    out = C.log(C.abs(s))
    if not keepdims:
        amax = lax.reshape(amax, core.get_aval(out).shape)
    out = C.add(out, amax)
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(core.get_aval(out).dtype):
        out = C.where(C.less(sign, 0), np.nan, out)
    return out


def erf(x):
    return lax.erf(_inexact("erf", x))


def erfc(x):
    return lax.erfc(_inexact("erfc", x))


def erfinv(x):
    return lax.erf_inv(_inexact("erfinv", x))


def expit(x):
    return lax.logistic(_inexact("expit", x))


def logit(x):
    x = _inexact("logit", x)
    return C.log(C.true_divide(x, C.subtract(1.0, x)))


def gammaln(x):
    return lax.lgamma(_inexact("gammaln", x))


loggamma = gammaln


def gamma(x):
    """Gamma function: exp(lgamma(x)) with the sign (-1)**floor(x) for negative x."""
    x = _inexact("gamma", x)
    sign = C.where(C.greater(x, 0), 1.0, C.where(C.equal(C.remainder(C.floor(x), 2), 0), 1.0, -1.0))
    return C.multiply(sign, C.exp(lax.lgamma(x)))


def betaln(a, b):
    a, b = _inexact("betaln", a, b)
    return C.subtract(C.add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(C.add(a, b)))


def digamma(x):
    return lax.digamma(_inexact("digamma", x))


def polygamma(n, x):
    """The n-th derivative of digamma; n must be a static non-negative integer."""
    if isinstance(n, core.Tracer) and n.to_concrete_value() is None:
        raise core.ConcretizationTypeError(n, "jax.scipy.special.polygamma needs a static order n here.")
    nv = np.asarray(n if not isinstance(n, core.Tracer) else n.to_concrete_value())
    if nv.size != 1 or float(nv) != int(float(nv)) or float(nv) < 0:
        raise ValueError(f"polygamma order n must be a non-negative integer, got {n}")
    m = int(float(nv))
    x = _inexact("polygamma", x)
    if m == 0:
        return lax.digamma(x)
    from ..lax.elementwise import polygamma_n_p
    return polygamma_n_p.bind(x, m=m)


def xlogy(x, y):
    """x * log(y), zero where x == 0 (also when y == 0)."""
    x, y = _inexact("xlogy", x, y)
    ok = C.not_equal(x, 0.0)
    safe_y = C.where(ok, y, 1.0)
    return C.where(ok, C.multiply(x, C.log(safe_y)), 0.0)


def xlog1py(x, y):
    """x * log1p(y), zero where x == 0."""
    x, y = _inexact("xlog1py", x, y)
    ok = C.not_equal(x, 0.0)
    safe_y = C.where(ok, y, 0.0)
    return C.where(ok, C.multiply(x, C.log1p(safe_y)), 0.0)


def entr(x):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    x = _inexact("entr", x)
    pos = C.greater(x, 0)
    safe = C.where(pos, x, 1.0)
    return C.where(pos, C.negative(C.multiply(x, C.log(safe))), C.where(C.equal(x, 0), 0.0, -np.inf))


def ndtr(x):
    """Standard normal CDF."""
    x = _inexact("ndtr", x)
    return C.multiply(lax.erfc(C.multiply(x, -float(np.sqrt(0.5)))), 0.5)


def ndtri(p):
    """Inverse of ndtr."""
    p = _inexact("ndtri", p)
    return C.multiply(lax.erf_inv(C.subtract(C.multiply(p, 2.0), 1.0)), float(np.sqrt(2.0)))


def log_ndtr(x):
    """log of the standard normal CDF, accurate in the lower tail (an asymptotic series where
    erfc would underflow: below -20 in float64, -10 in float32)."""
    x = _inexact("log_ndtr", x)
    cut = -20.0 if core.get_aval(x).dtype == np.dtype(np.float64) else -10.0
    lower = C.less(x, cut)
    mid = C.log(ndtr(C.where(lower, 0.0, x)))
    xl = C.where(lower, x, cut - 1.0)
    z2 = C.multiply(xl, xl)
    inv = C.true_divide(1.0, z2)
    # log(phi(x) / |x|) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - 945/x^10)
    t = C.multiply(inv, 945.0)
    for c in (105.0, 15.0, 3.0, 1.0):
        t = C.multiply(inv, C.subtract(c, t))
    series = C.subtract(1.0, t)
    low = C.subtract(C.subtract(C.multiply(z2, -0.5), float(0.5 * np.log(2 * np.pi))), C.log(C.negative(xl)))
    return C.where(lower, C.add(low, C.log(series)), mid)


def softmax(x, axis=None):
    from ..nn.functions import softmax as _softmax
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    from ..nn.functions import log_softmax as _log_softmax
    return _log_softmax(x, axis=axis)


def sinc(x):
    from ..numpy import sinc as _sinc
    return _sinc(x)


# ---- functions composed from the primitives above (JAX has lax primitives for some of them) --------
def _np_dtype(x):
    return np.dtype(core.get_aval(x).dtype)


def _is_f64(x):
    return _np_dtype(x) == np.dtype(np.float64)


def _real_only(name, *xs):
    xs = _inexact(name, *xs)
    xs = xs if isinstance(xs, list) else [xs]
    for x in xs:
        if dtypes.is_complex(core.get_aval(x).dtype):
            raise ValueError(f"{name} does not support complex-valued inputs, got an argument of shape "
                             f"{core.get_aval(x).shape} and dtype {core.get_aval(x).dtype}.")
    return xs if len(xs) > 1 else xs[0]


def _broadcast(*xs):
    from ..numpy import broadcast_arrays
    return list(broadcast_arrays(*xs))


def gammasgn(x):
    """Sign of the gamma function: 1 for x > 0 (and +0), -1 on (-2k-1, -2k) and -0, nan at the poles."""
    x = _real_only("gammasgn", x)
    fl = C.floor(x)
    neg = C.where(C.equal(C.remainder(fl, 2), 0), 1.0, -1.0)   # floor(x) even <=> gamma(x) > 0 for x < 0
    out = C.where(C.greater(x, 0), 1.0, neg)
    out = C.where(C.equal(x, 0), C.copysign(lax.full_like(x, 1), x), out)
    pole = C.logical_and(C.less(x, 0), C.equal(fl, x))
    return C.where(C.logical_or(pole, C.isnan(x)), np.nan, C.where(C.equal(x, -np.inf), np.nan, out))


def beta(a, b):
    """Beta function gamma(a) gamma(b) / gamma(a + b), with its sign for negative arguments."""
    a, b = _real_only("beta", a, b)
    sign = C.multiply(C.multiply(gammasgn(a), gammasgn(b)), gammasgn(C.add(a, b)))
    return C.multiply(sign, C.exp(betaln(a, b)))


def factorial(n, exact=False):
    """gamma(n + 1), 0 for n < 0 (exact=True is not supported, as in JAX)."""
    if exact:
        raise NotImplementedError("factorial with exact=True")
    n = _inexact("factorial", n)
    return C.where(C.less(n, 0), 0.0, C.exp(lax.lgamma(C.add(n, 1.0))))


def comb(N, k, *, repetition=False):
    """N choose k as a float (0 outside 0 <= k <= N); with repetition, (N + k - 1) choose k."""
    N, k = _inexact("comb", N, k)
    if repetition:
        ok = C.logical_and(C.equal(k, 0), C.greater_equal(N, 0))
        return C.where(ok, 1.0, comb(C.subtract(C.add(N, k), 1.0), k))
    ok = C.logical_and(C.logical_and(C.less_equal(k, N), C.greater_equal(N, 0)), C.greater_equal(k, 0))
    sn, sk = C.where(ok, N, 0.0), C.where(ok, k, 0.0)
    lg = C.subtract(C.subtract(gammaln(C.add(sn, 1.0)), gammaln(C.add(sk, 1.0))),
                    gammaln(C.add(C.subtract(sn, sk), 1.0)))
    return C.where(ok, C.exp(lg), 0.0)


def poch(z, m):
    """Rising factorial gamma(z + m) / gamma(z) (1 where m == 0)."""
    z, m = _real_only("poch", z, m)
    return C.where(C.equal(m, 0.0), 1.0, C.true_divide(gamma(C.add(z, m)), gamma(z)))


def multigammaln(a, d):
    """log of the multivariate gamma function of dimension d (a static positive integer)."""
    if isinstance(d, core.Tracer):
        d = d.to_concrete_value()
        if d is None:
            raise core.ConcretizationTypeError(d, "d argument of multigammaln must be static.")
    dv = np.asarray(d)
    if dv.size != 1 or float(dv) != int(float(dv)):
        raise TypeError(f"d argument of multigammaln must be an integer, got {d!r}")
    d = int(float(dv))
    if d < 1:
        raise ValueError(f"d argument of multigammaln must be a positive integer, got {d}")
    a = _inexact("multigammaln", a)
    const = 0.25 * d * (d - 1) * float(np.log(np.pi))
    from ..numpy import expand_dims
    shifts = np.arange(d, dtype=_np_dtype(a)) / 2.0
    terms = gammaln(C.subtract(expand_dims(a, -1), asarray(shifts)))
    return C.add(R.sum(terms, axis=-1), const)


def rel_entr(p, q):
    """p log(p / q) for p, q > 0; 0 where p == 0 and q >= 0; inf otherwise."""
    p, q = _real_only("rel_entr", p, q)
    both = C.logical_and(C.greater(p, 0), C.greater(q, 0))
    zero = C.logical_and(C.equal(p, 0), C.greater_equal(q, 0))
    sp, sq = C.where(both, p, 1.0), C.where(both, q, 1.0)
    val = C.multiply(sp, C.subtract(C.log(sp), C.log(sq)))
    return C.where(both, val, C.where(zero, 0.0, np.inf))


def kl_div(p, q):
    """rel_entr(p, q) - p + q."""
    p, q = _real_only("kl_div", p, q)
    return C.add(C.subtract(rel_entr(p, q), p), q)


def erfcx(x):
    """Scaled complementary error function exp(x^2) erfc(x); an asymptotic series where exp(x^2)
    would overflow (as JAX)."""
    x = _real_only("erfcx", x)
    dt = _np_dtype(x)
    nterms = 9 if dt == np.dtype(np.float64) else 5
    threshold = float(np.sqrt(np.log(np.finfo(dt).max)))
    large = C.greater(x, threshold)
    safe = C.where(large, 1.0, x)
    direct = C.multiply(C.exp(C.multiply(safe, safe)), lax.erfc(safe))
    xl = C.where(large, x, threshold + 1.0)
    coeffs = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, .75, -.5, 1.][-nterms:]
    t = C.true_divide(1.0, C.multiply(xl, xl))
    p = C.multiply(t, 0.0)
    for c in coeffs:
        p = C.add(C.multiply(p, t), c)
    asym = C.true_divide(p, C.multiply(xl, float(np.sqrt(np.pi))))
    return C.where(large, asym, direct)


# Modified Bessel functions I0, I1: the power series (a polynomial in x^2 / 4) up to |x| = 20 and
# the asymptotic expansion e^x / sqrt(2 pi x) sum_k (-1)^k a_k(nu) / x^k beyond (35 terms, whose
# smallest is below 1e-16 at x = 20).
_BESSEL_SPLIT = 20.0


def _bessel_series_coeffs(nu, n=46):
    k = np.arange(n)
    from math import lgamma
    return np.array([np.exp(-lgamma(i + 1) - lgamma(i + nu + 1)) for i in k])


def _bessel_asym_coeffs(nu, n=35):
    mu = 4.0 * nu * nu
    c = [1.0]
    for k in range(1, n):
        c.append(-c[-1] * (mu - (2 * k - 1) ** 2) / (k * 8.0))
    return np.array(c)


_I_SERIES = {nu: _bessel_series_coeffs(nu) for nu in (0, 1)}
_I_ASYM = {nu: _bessel_asym_coeffs(nu) for nu in (0, 1)}


def _horner(coeffs, t):
    """sum_k coeffs[k] t^k."""
    acc = C.multiply(t, 0.0)
    for c in coeffs[::-1]:
        acc = C.add(C.multiply(acc, t), float(c))
    return acc


def _bessel_ie(nu, x):
    """exp(-|x|) I_nu(x) for nu in (0, 1). |x| is written x sign(x) so that, as in JAX, the
    derivative at 0 takes sign(0) = 0 (i0e'(0) = 0, i1e'(0) = 1/2)."""
    sg = C.sign(x)
    ax = C.multiply(x, sg)
    small = C.less_equal(ax, _BESSEL_SPLIT)
    xs = C.where(small, x, _BESSEL_SPLIT)
    half = C.multiply(xs, 0.5)
    ser = _horner(_I_SERIES[nu], C.multiply(half, half))
    if nu == 1:
        ser = C.multiply(ser, half)
    ser = C.multiply(ser, C.exp(C.negative(C.multiply(xs, sg))))
    xl = C.where(small, 2 * _BESSEL_SPLIT, ax)
    finite = C.isfinite(xl)
    xl = C.where(finite, xl, 2 * _BESSEL_SPLIT)
    asym = C.true_divide(_horner(_I_ASYM[nu], C.true_divide(1.0, xl)),
                         C.sqrt(C.multiply(xl, float(2 * np.pi))))
    asym = C.where(finite, asym, 0.0)
    if nu == 1:
        asym = C.multiply(asym, sg)
    return C.where(C.isnan(x), np.nan, C.where(small, ser, asym))


def i0e(x):
    """Exponentially scaled modified Bessel function of order 0: exp(-|x|) I0(x)."""
    x = _real_only("i0e", x)
    return _bessel_ie(0, x)


def i1e(x):
    """Exponentially scaled modified Bessel function of order 1: exp(-|x|) I1(x) (odd in x)."""
    x = _real_only("i1e", x)
    return _bessel_ie(1, x)


def i0(x):
    """Modified Bessel function of order 0."""
    x = _real_only("i0", x)
    return C.multiply(C.exp(C.abs(x)), i0e(x))


def i1(x):
    """Modified Bessel function of order 1."""
    x = _real_only("i1", x)
    return C.multiply(C.exp(C.abs(x)), i1e(x))


# Hurwitz zeta by Euler-Maclaurin summation (Johansson 2015, formula (5)), the expansion JAX
# differentiates; coefficients are (2k)! / B_2k.
_BERNOULLI_COEFS = np.array([
    12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600, -10670622842880000 / 3617,
    5109094217170944000 / 43867, -802857662698291200000 / 174611, 14101100039391805440000 / 77683,
    -1693824136731743669452800000 / 236364091, 186134520519971831808000000 / 657931,
    -37893265687455865519472640000000 / 3392780147, 759790291646040068357842010112000000 / 1723168255201,
    -134196726836183700385281186201600000000 / 7709321041217])


def zeta(x, q=None):
    """Hurwitz zeta sum_k (k + q)^-x for x > 1 (inf at x == 1 and at non-positive integer q, nan for
    x < 1 and for negative q with non-integer x)."""
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to compute the "
                                  "Hurwitz Zeta function.")
    x, q = _real_only("zeta", x, q)
    x, q = _broadcast(x, q)
    f64 = _is_f64(x)
    n = m = 16 if f64 else 8
    q_pole = C.logical_and(C.less_equal(q, 0), C.equal(C.floor(q), q))
    bad = C.logical_or(C.less(x, 1.0), C.logical_and(C.less(q, 0), C.not_equal(C.floor(x), x)))
    one = C.equal(x, 1.0)
    ok = C.logical_not(C.logical_or(C.logical_or(q_pole, bad), one))
    s = C.where(ok, x, 2.0)
    a = C.where(ok, q, 1.0)
    total = C.multiply(s, 0.0)
    for k in range(n):
        total = C.add(total, C.power(C.add(a, float(k)), C.negative(s)))
    an = C.add(a, float(n))
    integral = C.true_divide(C.power(an, C.subtract(1.0, s)), C.subtract(s, 1.0))
    t0 = C.power(an, C.negative(s))
    tail = C.multiply(s, 0.0)
    prod = C.true_divide(s, an)              # running product (s)(s+1)...(s+2j-1) / (a+N)^(2j-1)
    for j in range(m):
        if j > 0:
            prod = C.multiply(prod, C.true_divide(C.multiply(C.add(s, 2.0 * j - 1), C.add(s, 2.0 * j)),
                                                  C.multiply(an, an)))
        tail = C.add(tail, C.true_divide(prod, float(_BERNOULLI_COEFS[j])))
    out = C.add(C.add(total, integral), C.multiply(t0, C.add(tail, 0.5)))
    nan_case = C.logical_or(C.logical_or(bad, C.isnan(x)), C.logical_or(C.isnan(q), C.isinf(q)))
    nan_case = C.logical_or(nan_case, C.equal(x, np.inf))
    out = C.where(C.logical_or(q_pole, one), np.inf, out)
    return C.where(nan_case, np.nan, out)


# ---- incomplete gamma and beta: convergent loops (lax.while_loop) for the values; derivatives by
# a custom JVP: the analytic one in x, and forward-mode through the loop in a and b ----------------
_MAXITER = 2000


def _tiny(dt):
    return float(np.finfo(dt).tiny / np.finfo(dt).eps)


def _igamma_series(a, x):
    """P(a, x) = x^a e^-x / gamma(a + 1) * sum_n x^n / ((a+1)...(a+n)): good for x < a + 1."""
    eps = float(np.finfo(_np_dtype(x)).eps)

    def cond(s):
        n, term, total = s
        return C.logical_and(C.less(n, _MAXITER), R.any(C.greater(C.abs(term), C.multiply(C.abs(total), eps))))

    def body(s):
        n, term, total = s
        term = C.multiply(term, C.true_divide(x, C.add(a, n)))
        return C.add(n, 1.0), term, C.add(total, term)
    one = C.true_divide(lax.full_like(a, 1), a)
    _, _, total = lax.while_loop(cond, body, (asarray(np.array(1.0, _np_dtype(x))), one, one))
    return C.multiply(total, C.exp(C.subtract(C.multiply(a, C.log(x)), C.add(x, lax.lgamma(a)))))


def _igammac_cf(a, x):
    """Q(a, x) by the continued fraction (modified Lentz): good for x >= a + 1."""
    dt = _np_dtype(x)
    eps, tiny = float(np.finfo(dt).eps), _tiny(dt)

    def guard(v):
        return C.where(C.less(C.abs(v), tiny), tiny, v)

    def cond(s):
        i, b, c, d, h, delta = s
        return C.logical_and(C.less(i, _MAXITER), R.any(C.greater(C.abs(C.subtract(delta, 1.0)), eps)))

    def body(s):
        i, b, c, d, h, _ = s
        an = C.multiply(C.negative(i), C.subtract(i, a))
        b = C.add(b, 2.0)
        d = C.true_divide(1.0, guard(C.add(C.multiply(an, d), b)))
        c = guard(C.add(b, C.true_divide(an, c)))
        delta = C.multiply(d, c)
        return C.add(i, 1.0), b, c, d, C.multiply(h, delta), delta
    b0 = C.subtract(C.add(x, 1.0), a)
    d0 = C.true_divide(1.0, guard(b0))
    init = (asarray(np.array(1.0, dt)), b0, lax.full_like(x, 1.0 / tiny), d0, d0, lax.full_like(x, 2.0))
    h = lax.while_loop(cond, body, init)[4]
    return C.multiply(h, C.exp(C.subtract(C.multiply(a, C.log(x)), C.add(x, lax.lgamma(a)))))


def _igamma_pq(a, x):
    """(P(a, x), Q(a, x)) with JAX's edge values: nan for a < 0, x < 0 or a == inf; P = 1 for a == 0
    or x == inf; P = 0 for x == 0."""
    valid = C.logical_and(C.greater(a, 0), C.greater(x, 0))
    valid = C.logical_and(valid, C.logical_and(C.isfinite(a), C.isfinite(x)))
    use_series = C.less(x, C.add(a, 1.0))
    sa = C.where(valid, a, 1.0)
    xs = C.where(C.logical_and(valid, use_series), x, 0.5)
    xc = C.where(C.logical_and(valid, C.logical_not(use_series)), x, 3.0)
    p_ser = _igamma_series(sa, xs)
    q_cf = _igammac_cf(sa, xc)
    p = C.where(use_series, p_ser, C.subtract(1.0, q_cf))
    q = C.where(use_series, C.subtract(1.0, p_ser), q_cf)
    nan = C.logical_or(C.logical_or(C.less(a, 0), C.less(x, 0)), C.logical_or(C.isnan(a), C.isnan(x)))
    nan = C.logical_or(nan, C.equal(a, np.inf))
    full = C.logical_or(C.equal(a, 0), C.equal(x, np.inf))
    empty = C.equal(x, 0)
    p = C.where(full, 1.0, C.where(empty, 0.0, p))
    q = C.where(full, 0.0, C.where(empty, 1.0, q))
    return C.where(nan, np.nan, p), C.where(nan, np.nan, q)


def _forward_derivative(f, args, i):
    """d f / d args[i] by forward mode (through while loops), elementwise (args broadcast)."""
    from ..api import jvp
    tangents = tuple(lax.full_like(a, 1) if j == i else lax.full_like(a, 0) for j, a in enumerate(args))
    return jvp(f, tuple(args), tangents)[1]


def _igamma_density(a, x):
    """d P(a, x) / dx = x^(a-1) e^-x / gamma(a)."""
    return C.exp(C.subtract(xlogy(C.subtract(a, 1.0), x), C.add(x, lax.lgamma(a))))


def _make_igamma(index, sign):
    from ..custom_derivatives import custom_jvp

    @custom_jvp
    def f(a, x):
        return _igamma_pq(a, x)[index]

    @f.defjvp
    def f_jvp(primals, tangents):
        a, x = primals
        ta, tx = tangents
        out = f(a, x)
        da = _forward_derivative(lambda a_: _igamma_pq(a_, x)[index], (a,), 0)
        dx = C.multiply(_igamma_density(a, x), sign)
        return out, C.add(C.multiply(da, ta), C.multiply(dx, tx))
    return f


_gammainc = _make_igamma(0, 1.0)
_gammaincc = _make_igamma(1, -1.0)


def gammainc(a, x):
    """Regularized lower incomplete gamma function P(a, x); differentiable in a and x."""
    a, x = _broadcast(*_real_only("gammainc", a, x))
    return _gammainc(a, x)


def gammaincc(a, x):
    """Regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), accurate in the upper tail."""
    a, x = _broadcast(*_real_only("gammaincc", a, x))
    return _gammaincc(a, x)


def _betainc_cf(a, b, x):
    """The continued fraction of I_x(a, b) (modified Lentz), good for x < (a + 1) / (a + b + 2)."""
    dt = _np_dtype(x)
    eps, tiny = float(np.finfo(dt).eps), _tiny(dt)
    qab, qap, qam = C.add(a, b), C.add(a, 1.0), C.subtract(a, 1.0)

    def guard(v):
        return C.where(C.less(C.abs(v), tiny), tiny, v)

    def step(aa, c, d):
        d = C.true_divide(1.0, guard(C.add(C.multiply(aa, d), 1.0)))
        c = guard(C.add(C.true_divide(aa, c), 1.0))
        return c, d

    def cond(s):
        m, c, d, h, delta = s
        return C.logical_and(C.less(m, _MAXITER), R.any(C.greater(C.abs(C.subtract(delta, 1.0)), eps)))

    def body(s):
        m, c, d, h, _ = s
        m2 = C.multiply(m, 2.0)
        aa = C.true_divide(C.multiply(C.multiply(m, C.subtract(b, m)), x),
                           C.multiply(C.add(qam, m2), C.add(a, m2)))
        c, d = step(aa, c, d)
        h = C.multiply(h, C.multiply(d, c))
        aa = C.true_divide(C.negative(C.multiply(C.multiply(C.add(a, m), C.add(qab, m)), x)),
                           C.multiply(C.add(a, m2), C.add(qap, m2)))
        c, d = step(aa, c, d)
        delta = C.multiply(d, c)
        return C.add(m, 1.0), c, d, C.multiply(h, delta), delta
    d0 = C.true_divide(1.0, guard(C.subtract(1.0, C.true_divide(C.multiply(qab, x), qap))))
    init = (asarray(np.array(1.0, dt)), lax.full_like(x, 1), d0, d0, lax.full_like(x, 2.0))
    h = lax.while_loop(cond, body, init)[3]
    front = C.exp(C.subtract(C.add(C.multiply(a, C.log(x)), C.multiply(b, C.log1p(C.negative(x)))), betaln(a, b)))
    return C.true_divide(C.multiply(front, h), a)


def _betainc_raw(a, b, x):
    valid = C.logical_and(C.logical_and(C.greater(a, 0), C.greater(b, 0)),
                          C.logical_and(C.greater(x, 0), C.less(x, 1)))
    valid = C.logical_and(valid, C.logical_and(C.isfinite(a), C.isfinite(b)))
    swap = C.greater(x, C.true_divide(C.add(a, 1.0), C.add(C.add(a, b), 2.0)))
    sa, sb = C.where(valid, C.where(swap, b, a), 1.0), C.where(valid, C.where(swap, a, b), 1.0)
    sx = C.where(valid, C.where(swap, C.subtract(1.0, x), x), 0.5)
    r = _betainc_cf(sa, sb, sx)
    out = C.where(swap, C.subtract(1.0, r), r)
    out = C.where(C.equal(x, 0), 0.0, C.where(C.equal(x, 1), 1.0, out))
    out = C.where(C.logical_and(C.equal(a, 0), C.greater(b, 0)), 1.0, out)
    out = C.where(C.logical_and(C.equal(b, 0), C.greater(a, 0)), 0.0, out)
    nan = C.logical_or(C.logical_or(C.less(a, 0), C.less(b, 0)), C.logical_or(C.less(x, 0), C.greater(x, 1)))
    nan = C.logical_or(nan, C.logical_and(C.equal(a, 0), C.equal(b, 0)))
    nan = C.logical_or(nan, C.logical_or(C.logical_or(C.isnan(a), C.isnan(b)), C.isnan(x)))
    return C.where(nan, np.nan, out)


def _make_betainc():
    from ..custom_derivatives import custom_jvp

    @custom_jvp
    def f(a, b, x):
        return _betainc_raw(a, b, x)

    @f.defjvp
    def f_jvp(primals, tangents):
        a, b, x = primals
        ta, tb, tx = tangents
        out = f(a, b, x)
        da = _forward_derivative(lambda a_, b_: _betainc_raw(a_, b_, x), (a, b), 0)
        db = _forward_derivative(lambda a_, b_: _betainc_raw(a_, b_, x), (a, b), 1)
        dx = C.exp(C.subtract(C.add(xlogy(C.subtract(a, 1.0), x), xlog1py(C.subtract(b, 1.0), C.negative(x))),
                              betaln(a, b)))
        return out, C.add(C.add(C.multiply(da, ta), C.multiply(db, tb)), C.multiply(dx, tx))
    return f


_betainc = _make_betainc()


def betainc(a, b, x):
    """Regularized incomplete beta function I_x(a, b). Differentiable in x, and (where JAX raises)
    also in a and b, by forward mode through the continued fraction."""
    a, b, x = _broadcast(*_real_only("betainc", a, b, x))
    return _betainc(a, b, x)


__all__ += ["gammasgn", "beta", "factorial", "comb", "poch", "multigammaln", "rel_entr", "kl_div", "erfcx",
            "i0", "i0e", "i1", "i1e", "zeta", "gammainc", "gammaincc", "betainc"]


from .special_more import *  # noqa: E402,F401,F403  (the rest of jax.scipy.special)
from . import special_more as _special_more  # noqa: E402
__all__ += _special_more.__all__
