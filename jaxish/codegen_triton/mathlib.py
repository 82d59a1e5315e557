"""Device helpers every generated Triton module starts with: reduction combiners and the scalar
math that `tl` lacks, written with Triton builtins only (no `tl.math.tanh`, no libdevice), so
the same text compiles on CUDA and ROCm with triton 3.6 and 3.9 and runs in the interpreter
(one exception: compiled kernels take float `rem` from libdevice's fmod, see emit.scalar_op).
Constants are plain literals: a `tl.constexpr` on the left of tensor arithmetic breaks the
interpreter, so only INF is a constexpr (used in comparisons and `tl.where`), and NaN is written
`float("nan")` (a NaN global fails Triton's check that a global keeps its value, as NaN != NaN).

Helpers take float32 or float64 tensors (callers widen float16/bfloat16 first). Where a
polynomial is only float32-accurate, float64 inputs get Newton steps (`atan`, `erf_inv`) or the
helper computes in float64 throughout (`pow`, `lgamma`, `digamma`). Only builtins appear, never
`tl.zeros`/`tl.sum`/`tl.max` (those are `@jit` functions bound to interpreter-or-not when triton
was imported), so modules compiled for the GPU and for the interpreter can share a process."""

PRELUDE = r'''
import triton
import triton.language as tl
from triton.language.extra import libdevice  # backend-neutral dispatcher (only exact fmod is used)

INF: tl.constexpr = tl.constexpr(float("inf"))


# ---- reduction combiners (max/min propagate NaN; arg* keep the first extremum, NaN first) ----
@triton.jit
def _jx_sum(a, b):
    return a + b


@triton.jit
def _jx_prod(a, b):
    return a * b


@triton.jit
def _jx_max(a, b):
    return tl.where((a > b) | (a != a), a, b)


@triton.jit
def _jx_min(a, b):
    return tl.where((a < b) | (a != a), a, b)


@triton.jit
def _jx_and(a, b):
    return a & b


@triton.jit
def _jx_or(a, b):
    return a | b


@triton.jit
def _jx_argmax(v1, i1, v2, i2):
    n1 = v1 != v1
    n2 = v2 != v2
    first = i1 < i2
    pick = (n1 & (first | (v2 == v2))) | ((~n1) & (~n2) & ((v1 > v2) | ((v1 == v2) & first)))
    return tl.where(pick, v1, v2), tl.where(pick, i1, i2)


@triton.jit
def _jx_argmin(v1, i1, v2, i2):
    n1 = v1 != v1
    n2 = v2 != v2
    first = i1 < i2
    pick = (n1 & (first | (v2 == v2))) | ((~n1) & (~n2) & ((v1 < v2) | ((v1 == v2) & first)))
    return tl.where(pick, v1, v2), tl.where(pick, i1, i2)


# ---- float helpers --------------------------------------------------------------------------
@triton.jit
def _jx_round_bf16(x):
    # float32 -> nearest bfloat16 (ties to even), kept in float32; bit arithmetic, because the
    # interpreter's float32 -> bfloat16 cast truncates
    b = x.to(tl.uint32, bitcast=True)
    r = (b + 0x7FFF + ((b >> 16) & 1)) & 0xFFFF0000
    return tl.where(x != x, x, r.to(tl.float32, bitcast=True))


@triton.jit
def _jx_signbit(x):
    if x.dtype == tl.float64:
        s = x.to(tl.int64, bitcast=True) < 0
    else:
        s = x.to(tl.int32, bitcast=True) < 0
    return s


@triton.jit
def _jx_expm1(x):
    # Kahan: (u - 1) * x / log(u) cancels the rounding error of u = exp(x).
    u = tl.exp(x)
    d = u - 1.0
    r = d * (x / tl.log(u))
    r = tl.where(d == 0.0, x, r)
    r = tl.where(d == -1.0, -1.0, r)
    return tl.where(u == INF, INF, r)


@triton.jit
def _jx_log1p(x):
    u = 1.0 + x
    d = u - 1.0
    r = tl.log(u) * (x / d)
    r = tl.where(d == 0.0, x, r)
    return tl.where(x == INF, x, r)


@triton.jit
def _jx_tanh(x):
    # |x| < 0.625: Cephes' odd polynomial; else 1 - 2 / (exp(2|x|) + 1) (exp overflowing to inf
    # gives exactly 1). One exp and one division: the expm1 form (exp, log, three divisions) made
    # a GELU chain compute-bound on an H200 (66% of copy bandwidth). float64 keeps the expm1 form
    # (the polynomial is a float32 one).
    if x.dtype == tl.float64:
        e = _jx_expm1(-2.0 * tl.abs(x))
        r = -e / (2.0 + e)
        r = tl.where(x < 0.0, -r, r)
    else:
        a = tl.abs(x)
        z = x * x
        p = -5.70498872745e-3 * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        p = x + x * (p * z)
        t = 1.0 - 2.0 / (tl.exp(2.0 * a) + 1.0)
        t = tl.where(x < 0.0, -t, t)
        r = tl.where(a < 0.625, tl.where(z == 0.0, x, p), t)
    return r


@triton.jit
def _jx_logistic(x):
    return 1.0 / (1.0 + tl.exp(-x))


@triton.jit
def _jx_sinh(x):
    a = tl.abs(x)
    e = _jx_expm1(a)
    h = tl.exp(0.5 * a)
    s = tl.where(a < 20.0, 0.5 * (e + e / (e + 1.0)), (0.5 * h) * h)
    return tl.where(x < 0.0, -s, s)


@triton.jit
def _jx_cosh(x):
    a = tl.abs(x)
    u = tl.exp(a)
    h = tl.exp(0.5 * a)
    return tl.where(a < 20.0, 0.5 * (u + 1.0 / u), (0.5 * h) * h)


@triton.jit
def _jx_asinh(x):
    a = tl.abs(x)
    small = _jx_log1p(a + a * a / (1.0 + tl.sqrt(1.0 + a * a)))
    r = tl.where(a > 1e18, tl.log(a) + 0.6931471805599453, small)
    return tl.where(x < 0.0, -r, r)


@triton.jit
def _jx_acosh(x):
    t = x - 1.0
    small = _jx_log1p(t + tl.sqrt(2.0 * t + t * t))
    r = tl.where(x > 1e18, tl.log(x) + 0.6931471805599453, small)
    return tl.where(x < 1.0, float("nan"), r)


@triton.jit
def _jx_atanh(x):
    a = tl.abs(x)
    r = 0.5 * _jx_log1p(2.0 * a / (1.0 - a))
    return tl.where(x < 0.0, -r, r)


@triton.jit
def _jx_atan(x):
    # Cephes atanf: reduce to |t| <= tan(pi/8), odd polynomial; float64 refines atan(t) by Newton.
    a = tl.abs(x)
    big = a > 2.414213562373095
    mid = a > 0.41421356237309503
    t = tl.where(big, -1.0 / a, tl.where(mid, (a - 1.0) / (a + 1.0), a))
    # (a where of two Python floats would be float32: build the multiple of pi/4 from `a`)
    y0 = tl.where(big, 2.0, tl.where(mid, 1.0, 0.0 * a)) * 0.7853981633974483
    z = t * t
    p = (((0.0805374449538 * z - 0.138776856032) * z + 0.199777106478) * z - 0.333329491539) * z * t + t
    if x.dtype == tl.float64:
        for _ in tl.static_range(2):
            c = tl.cos(p)
            p = p - c * (tl.sin(p) - t * c)
    r = y0 + p
    return tl.where(x < 0.0, -r, r)


@triton.jit
def _jx_atan2(y, x):
    ax = tl.abs(x)
    ay = tl.abs(y)
    swap = ay > ax
    num = tl.where(swap, ax, ay)
    den = tl.where(swap, ay, ax)
    q = tl.where(den == 0.0, 0.0, num / den)
    q = tl.where((ax == INF) & (ay == INF), 1.0, q)
    r = _jx_atan(q)
    r = tl.where(swap, 1.5707963267948966 - r, r)
    r = tl.where(_jx_signbit(x), 3.141592653589793 - r, r)
    r = tl.where(_jx_signbit(y), -r, r)
    return tl.where((x != x) | (y != y), x + y, r)


@triton.jit
def _jx_asin(x):
    return _jx_atan2(x, tl.sqrt((1.0 - x) * (1.0 + x)))


@triton.jit
def _jx_acos(x):
    return _jx_atan2(tl.sqrt((1.0 - x) * (1.0 + x)), x)


@triton.jit
def _jx_tan(x):
    return tl.sin(x) / tl.cos(x)


@triton.jit
def _jx_cbrt(x):
    a = tl.abs(x)
    y = tl.exp(tl.log(a) * (1.0 / 3.0))
    y = y - (y * y * y - a) / (3.0 * y * y)
    if x.dtype == tl.float64:
        y = y - (y * y * y - a) / (3.0 * y * y)
    y = tl.where((a == 0.0) | (a == INF), a, y)
    return tl.where(x < 0.0, -y, y)


@triton.jit
def _jx_rint(x):
    f = tl.floor(x)
    d = x - f
    half = f * 0.5
    even = tl.floor(half) == half
    return tl.where(d > 0.5, f + 1.0, tl.where(d < 0.5, f, tl.where(even, f, f + 1.0)))


@triton.jit
def _jx_round_away(x):
    t = tl.where(x < 0.0, tl.ceil(x), tl.floor(x))
    return tl.where(tl.abs(x - t) >= 0.5, tl.where(x < 0.0, t - 1.0, t + 1.0), t)


@triton.jit
def _jx_pow(x_in, y_in):
    x = x_in.to(tl.float64)
    y = y_in.to(tl.float64)
    ax = tl.abs(x)
    r = tl.exp(y * tl.log(ax))
    yint = tl.floor(y) == y
    yodd = yint & (tl.floor(y * 0.5) * 2.0 != y)
    r = tl.where((x < 0.0) & (~yint), float("nan"), r)
    r = tl.where(_jx_signbit(x) & yodd, -r, r)
    r = tl.where((ax == 1.0) & (tl.abs(y) == INF), 1.0, r)
    r = tl.where((y == 0.0) | (x == 1.0), 1.0, r)
    return r.to(x_in.dtype)


@triton.jit
def _jx_erfc(x):
    # float32 only: Numerical Recipes' erfcc (relative error < 1.2e-7) away from 0.
    z = tl.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    p = -0.82215223 + t * 0.17087277
    p = 1.48851587 + t * p
    p = -1.13520398 + t * p
    p = 0.27886807 + t * p
    p = -0.18628806 + t * p
    p = 0.09678418 + t * p
    p = 0.37409196 + t * p
    p = 1.00002368 + t * p
    r = t * tl.exp(-z * z - 1.26551223 + t * p)
    r = tl.where(x < 0.0, 2.0 - r, r)
    return tl.where(z < 0.5, 1.0 - tl.math.erf(x), r)


@triton.jit
def _jx_erf_inv(x):
    # Giles (2010) single-precision approximation; float64 gets two Newton steps on erf.
    w = -tl.log((1.0 - x) * (1.0 + x))
    wc = w - 2.5
    p1 = 2.81022636e-08
    p1 = 3.43273939e-07 + p1 * wc
    p1 = -3.5233877e-06 + p1 * wc
    p1 = -4.39150654e-06 + p1 * wc
    p1 = 0.00021858087 + p1 * wc
    p1 = -0.00125372503 + p1 * wc
    p1 = -0.00417768164 + p1 * wc
    p1 = 0.246640727 + p1 * wc
    p1 = 1.50140941 + p1 * wc
    wt = tl.sqrt(w) - 3.0
    p2 = -0.000200214257
    p2 = 0.000100950558 + p2 * wt
    p2 = 0.00134934322 + p2 * wt
    p2 = -0.00367342844 + p2 * wt
    p2 = 0.00573950773 + p2 * wt
    p2 = -0.0076224613 + p2 * wt
    p2 = 0.00943887047 + p2 * wt
    p2 = 1.00167406 + p2 * wt
    p2 = 2.83297682 + p2 * wt
    r = tl.where(w < 5.0, p1, p2) * x
    if x.dtype == tl.float64:
        for _ in tl.static_range(2):
            r = r - (tl.math.erf(r) - x) / (1.1283791670955126 * tl.exp(-r * r))
    return tl.where(tl.abs(x) == 1.0, x * INF, r)


@triton.jit
def _jx_lgamma(x_in):
    # Lanczos (g=7, n=9) in float64, reflection below 1/2.
    x = x_in.to(tl.float64)
    refl = x < 0.5
    z = tl.where(refl, 1.0 - x, x) - 1.0
    a = 0.99999999999980993 + 676.5203681218851 / (z + 1.0)
    a = a - 1259.1392167224028 / (z + 2.0)
    a = a + 771.32342877765313 / (z + 3.0)
    a = a - 176.61502916214059 / (z + 4.0)
    a = a + 12.507343278686905 / (z + 5.0)
    a = a - 0.13857109526572012 / (z + 6.0)
    a = a + 9.9843695780195716e-6 / (z + 7.0)
    a = a + 1.5056327351493116e-7 / (z + 8.0)
    t = z + 7.5
    lg = 0.91893853320467274 + (z + 0.5) * tl.log(t) - t + tl.log(a)
    r = tl.where(refl, tl.log(3.141592653589793 / tl.abs(tl.sin(3.141592653589793 * x))) - lg, lg)
    r = tl.where((x <= 0.0) & (tl.floor(x) == x), INF, r)
    r = tl.where(tl.abs(x) == INF, INF, r)
    return r.to(x_in.dtype)


@triton.jit
def _jx_digamma(x_in):
    # float64: reflection below 1/2, recurrence up by 10, asymptotic series.
    x = x_in.to(tl.float64)
    refl = x < 0.5
    y = tl.where(refl, 1.0 - x, x)
    s = 1.0 / y
    for k in tl.static_range(1, 10):
        s = s + 1.0 / (y + k)
    w = y + 10.0
    iw2 = 1.0 / (w * w)
    series = iw2 * (0.08333333333333333 - iw2 * (0.008333333333333333 - iw2 * (
        0.003968253968253968 - iw2 * (0.004166666666666667 - iw2 * 0.007575757575757576))))
    psi = tl.log(w) - 0.5 / w - series - s
    px = 3.141592653589793 * x
    r = tl.where(refl, psi - 3.141592653589793 * tl.cos(px) / tl.sin(px), psi)
    r = tl.where((x <= 0.0) & (tl.floor(x) == x), float("nan"), r)
    r = tl.where(x == 0.0, float("nan"), r)
    r = tl.where(x == INF, INF, r)
    return r.to(x_in.dtype)


@triton.jit
def _jx_nextafter(x, y):
    if x.dtype == tl.float64:
        b = x.to(tl.int64, bitcast=True)
        tiny = tl.where(y > 0.0, 1, -9223372036854775807).to(tl.int64)
        step = tl.where((y > x) == (x > 0.0), 1, -1).to(tl.int64)
        r = tl.where(x == 0.0, tiny, b + step).to(tl.float64, bitcast=True)
    else:
        b = x.to(tl.int32, bitcast=True)
        tiny = tl.where(y > 0.0, 1, -2147483647).to(tl.int32)
        step = tl.where((y > x) == (x > 0.0), 1, -1).to(tl.int32)
        r = tl.where(x == 0.0, tiny, b + step).to(tl.float32, bitcast=True)
    r = tl.where(x == y, y, r)
    return tl.where((x != x) | (y != y), x + y, r)


@triton.jit
def _jx_nextafter_bf16(x, y):
    # bfloat16 values held in float32: one bfloat16 ulp is 1 << 16 in the float32 bit pattern
    b = x.to(tl.int32, bitcast=True)
    tiny = tl.where(y > 0.0, 65536, -2147418112).to(tl.int32)
    step = tl.where((y > x) == (x > 0.0), 65536, -65536).to(tl.int32)
    r = tl.where(x == 0.0, tiny, b + step).to(tl.float32, bitcast=True)
    r = tl.where(x == y, y, r)
    return tl.where((x != x) | (y != y), x + y, r)


@triton.jit
def _jx_nextafter_f16(x, y):
    # float16 values held in float32: step the float16 bit pattern
    h = x.to(tl.float16).to(tl.int16, bitcast=True)
    tiny = tl.where(y > 0.0, 1, -32767).to(tl.int16)
    step = tl.where((y > x) == (x > 0.0), 1, -1).to(tl.int16)
    r = tl.where(x == 0.0, tiny, h + step).to(tl.float16, bitcast=True).to(tl.float32)
    r = tl.where(x == y, y, r)
    return tl.where((x != x) | (y != y), x + y, r)


@triton.jit
def _jx_popcount32(v):
    v = v - ((v >> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >> 2) & 0x33333333)
    v = (v + (v >> 4)) & 0x0F0F0F0F
    return (v * 0x01010101) >> 24


@triton.jit
def _jx_popcount64(v):
    v = v - ((v >> 1) & 0x5555555555555555)
    v = (v & 0x3333333333333333) + ((v >> 2) & 0x3333333333333333)
    v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0F
    return (v * 0x0101010101010101) >> 56
'''
