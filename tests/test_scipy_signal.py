"""Tests for jaxish.scipy.signal and jaxish.scipy.fft (DCTs).

Reference values: numpy re-implementations in this file (direct convolution, cosine-matrix DCT,
polyfit detrend), and figures pasted from scipy 1.x (scipy.signal.stft/welch/csd/detrend/
correlate2d, computed in float64 with the oracle venv). Where JAX differs from scipy (float32
results, nperseg=None meaning the whole signal, hann window built in-library) the tests follow
JAX 0.10.2, whose outputs were checked against the same figures.
"""
import importlib
import warnings

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp

signal = importlib.import_module("jaxish.scipy.signal")
sfft = importlib.import_module("jaxish.scipy.fft")

# ---------------------------------------------------------------- scipy figures (float64)
# n = arange(24.); x = sin(0.7 n) + 0.05 n; y = cos(0.3 n) - 0.02 n^2 / 24
STFT_F = np.array([0.   , 0.125, 0.25 , 0.375, 0.5  ])
STFT_T = np.array([ 0.,  4.,  8., 12., 16., 20., 24.])
STFT_Z = np.array([[ 3.20914451e-01+0.j        ,  3.94943710e-01+0.j        ,  3.26393629e-02+0.j        ,  1.09732709e+00+0.j        ,  2.30175249e-01+0.j        ,
   1.57647613e+00+0.j        ,  4.08663230e-01+0.j        ],
 [-7.85190434e-02+0.26666089j, -2.69822514e-01-0.40956199j,  1.20021134e-01+0.42436655j, -7.33239609e-01-0.20424188j,  9.63949435e-02+0.14640739j,
  -1.00218920e+00+0.11423667j, -6.67937220e-02-0.34033902j],
 [-1.35681216e-01-0.1110427j ,  6.95127928e-02+0.18914145j, -1.30993013e-01-0.17456594j,  1.77336293e-01+0.09959368j, -2.03187422e-01-0.05333757j,
   2.05559163e-01-0.03930672j, -1.75389795e-01+0.09446059j],
 [ 7.85190434e-02-0.00470154j,  2.32843920e-03+0.00469438j, -4.38781486e-03-0.00777404j,  5.94015518e-03+0.00162455j, -6.80607897e-03-0.00361816j,
   6.88552414e-03-0.00313716j,  6.67937220e-02+0.01044057j],
 [-4.95520180e-02+0.j        ,  1.01885465e-03+0.j        , -1.91997523e-03+0.j        ,  2.59923246e-03+0.j        , -2.97813455e-03+0.j        ,
   3.01289736e-03+0.j        , -5.78836407e-02+0.j        ]])
STFT2_T = np.array([ 0.,  2.,  4.,  6.,  8., 10., 12.])
STFT2_Z = np.array([[-0.18574573+0.j        ,  0.08054684+0.j        , -0.19387035+0.j        ,  0.28479112+0.j        , -0.34280275+0.j        ,
   0.36120171+0.j        ,  0.17692651+0.j        ],
 [ 0.03709413+0.23760352j,  0.07672839-0.12649887j, -0.02822226+0.23693781j, -0.02354511-0.31999732j,  0.07259171+0.36607944j,
  -0.11324996-0.36985913j, -0.31387582-0.03644222j],
 [ 0.23983094-0.16923579j, -0.16394508-0.03633475j,  0.21354844-0.05513535j, -0.23847514+0.14023427j,  0.23584477-0.20912837j,
  -0.20596128+0.25385658j,  0.27721805+0.31582036j],
 [-0.22077122-0.11492376j,  0.0284475 +0.0948241j , -0.07254774-0.0798347j ,  0.1082647 +0.05561998j, -0.1314711 -0.02497808j,
   0.13948531-0.00855018j, -0.00060826-0.27665928j],
 [-0.02143795+0.15640822j,  0.01014833-0.01294742j, -0.00830833+0.0105446j ,  0.00550825-0.00692329j, -0.00207167+0.00250197j,
  -0.00160431+0.00220848j,  0.02541358+0.01316733j],
 [ 0.11631395+0.j        ,  0.01669488+0.j        , -0.01506988+0.j        ,  0.01170348+0.j        , -0.00698468+0.j        ,
   0.00145876+0.j        , -0.15322161+0.j        ]])
WELCH_F = np.array([0.   , 0.125, 0.25 , 0.375, 0.5  ])
WELCH_P = np.array([7.06136567e-01, 2.24030741e+00, 4.64076005e-01, 5.58374646e-04, 3.13890294e-05])
WELCH2_F = np.array([0. , 0.4, 0.8, 1.2, 1.6, 2. ])
WELCH2_P = np.array([8.84941255e-02, 7.39868110e-01, 1.58088108e-01, 1.65128843e-04, 2.14887847e-05, 6.57108839e-06])
WELCH_FULL_P = np.array([1.32446673e-01, 4.71499068e-01, 3.99897894e+00, 7.10285190e+00, 5.68834105e-01, 4.88403131e-03, 4.06856657e-04, 7.01207052e-05, 1.82270525e-05,
 6.39879168e-06, 2.94769102e-06, 1.81021960e-06, 7.65197098e-07])
WELCH3_F = np.array([ 0.        ,  0.11111111,  0.22222222,  0.33333333,  0.44444444, -0.44444444, -0.33333333, -0.22222222, -0.11111111])
WELCH3_P = np.array([2.96676373e-01, 6.27466619e-01, 2.78195635e-01, 6.95349694e-04, 3.54050475e-05, 3.54050475e-05, 6.95349694e-04, 2.78195635e-01, 6.27466619e-01])
CSD_P = np.array([3.02941671e-02+0.00000000e+00j, 1.55368664e-01+4.69147047e-02j, 2.41754771e-02+1.76903126e-03j, 1.11620649e-04+1.41306151e-05j,
 7.03608753e-06+0.00000000e+00j])
CSD2_P = np.array([-4.88597974e-02+0.j        ,  1.73130869e-01-0.04564725j,  4.62065281e-02-0.01389781j,  1.07457279e-04+0.j        ])
DETREND_BP = np.array([-0.79241414,  0.03948893,  0.56840636,  0.63385138,  0.29331554, -0.20477045, -0.53787761, -0.59321206, -0.38379009,  0.12252645,  0.62093515,
  0.81035278,  0.53501945, -0.14224509, -0.96958658, -0.22972916, -0.49124676, -0.29224178,  0.19748275,  0.67139384,  0.8303958 ,  0.52349964,
 -0.18116446, -1.02838986])
K2C_VALID = np.array([[-3.876206+4.437739j,  1.063356-1.748481j],
                      [ 6.593529+0.184916j,  5.256754-2.863976j]])
K2C_SAME = np.array([[-3.876206-4.437739j,  1.063356+1.748481j,  1.586996+1.575243j],
                     [ 6.593529-0.184916j,  5.256754+2.863976j,  2.729389-1.058194j]])
K2C_FULL_SWAP = np.array([[-1.218319-0.416437j, -0.136568+0.182533j, -0.155844+4.506249j, -3.679321+2.451729j, -0.06847 -1.628429j,  0.830713+0.105996j],
                          [-0.356753+0.695014j,  2.729389+1.058194j,  5.256754-2.863976j,  6.593529+0.184916j, -4.515354-2.115735j,  0.398259-4.5285j  ]])


_n = np.arange(24.0)
X = (np.sin(0.7 * _n) + 0.05 * _n).astype(np.float32)
Y = (np.cos(0.3 * _n) - 0.02 * _n * _n / 24).astype(np.float32)
RS = np.random.RandomState(0)


def close(a, b, rtol=2e-5, atol=2e-5):
    a = np.asarray(a)
    np.testing.assert_allclose(a, np.asarray(b), rtol=rtol, atol=atol)


# ---------------------------------------------------------------- numpy references

def np_conv_full(a, b):
    """Direct N-d full convolution."""
    a, b = np.asarray(a), np.asarray(b)
    out = np.zeros(tuple(s + t - 1 for s, t in zip(a.shape, b.shape)), np.result_type(a, b, np.float64))
    for idx in np.ndindex(*b.shape):
        sl = tuple(slice(i, i + s) for i, s in zip(idx, a.shape))
        out[sl] += a * b[idx]
    return out


def np_conv(a, b, mode):
    full = np_conv_full(a, b)
    a, b = np.asarray(a), np.asarray(b)
    if mode == "full":
        return full
    if mode == "same":
        out = a.shape
    else:
        out = tuple(abs(s - t) + 1 for s, t in zip(a.shape, b.shape))
    sl = tuple(slice((f - o) // 2, (f - o) // 2 + o) for f, o in zip(full.shape, out))
    return full[sl]


def np_corr(a, b, mode):
    b = np.asarray(b)
    return np_conv(a, np.conj(b[(slice(None, None, -1),) * b.ndim]), mode)


def np_corr2d(a, b, mode):
    """scipy.signal.correlate2d for real inputs: as correlate, except that 'same' keeps the
    window starting at ceil((full - out) / 2) rather than floor."""
    if mode != "same":
        return np_corr(a, b, mode)
    full = np_corr(a, b, "full")
    sl = tuple(slice((f - o + 1) // 2, (f - o + 1) // 2 + o) for f, o in zip(full.shape, np.shape(a)))
    return full[sl]


def np_dct_matrix(N):
    n = np.arange(N)
    return 2 * np.cos(np.pi * np.outer(n, 2 * n + 1) / (2 * N))


def np_dct(x, axis=-1, norm=None, n=None):
    x = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    if n is not None:
        x = x[..., :n] if n <= x.shape[-1] else np.concatenate(
            [x, np.zeros(x.shape[:-1] + (n - x.shape[-1],))], -1)
    N = x.shape[-1]
    M = np_dct_matrix(N)
    if norm == "ortho":
        f = np.full(N, np.sqrt(1 / (2 * N)))
        f[0] = np.sqrt(1 / (4 * N))
        M = M * f[:, None]
    return np.moveaxis(x @ M.T, -1, axis)


def np_idct(x, axis=-1, norm=None):
    x = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    N = x.shape[-1]
    M = np_dct_matrix(N)
    if norm == "ortho":
        f = np.full(N, np.sqrt(1 / (2 * N)))
        f[0] = np.sqrt(1 / (4 * N))
        M = M * f[:, None]
    return np.moveaxis(np.linalg.solve(M, x[..., None])[..., 0] if x.ndim == 1 else
                       np.einsum("ij,...j->...i", np.linalg.inv(M), x), -1, axis)


def np_detrend_linear(x, bps):
    x = np.asarray(x, np.float64).copy()
    edges = [0] + list(bps) + [len(x)]
    for lo, hi in zip(edges[:-1], edges[1:]):
        t = np.arange(hi - lo)
        c = np.polyfit(t, x[lo:hi], 1)
        x[lo:hi] -= np.polyval(c, t)
    return x


# ---------------------------------------------------------------- convolve / correlate

A1 = RS.randn(13).astype(np.float32)
B1 = RS.randn(4).astype(np.float32)
A2 = RS.randn(6, 7).astype(np.float32)
B2 = RS.randn(3, 2).astype(np.float32)
A3 = RS.randn(4, 5, 3).astype(np.float32)
B3 = RS.randn(2, 3, 2).astype(np.float32)
AC = (RS.randn(9) + 1j * RS.randn(9)).astype(np.complex64)
BC = (RS.randn(3) + 1j * RS.randn(3)).astype(np.complex64)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("method", ["auto", "direct", "fft"])
def test_convolve_correlate_1d(mode, method):
    for a, b in [(A1, B1), (B1, A1), (AC, BC)]:
        r = signal.convolve(a, b, mode, method=method)
        assert r.dtype == (np.complex64 if a.dtype == np.complex64 else np.float32)
        close(r, np_conv(a, b, mode), rtol=1e-4, atol=1e-5)
        close(signal.correlate(a, b, mode, method=method), np_corr(a, b, mode), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_nd(mode):
    close(signal.convolve(A2, B2, mode), np_conv(A2, B2, mode), rtol=1e-4, atol=1e-5)
    close(signal.convolve(B2, A2, mode), np_conv(B2, A2, mode), rtol=1e-4, atol=1e-5)
    close(signal.convolve(A3, B3, mode), np_conv(A3, B3, mode), rtol=1e-4, atol=1e-5)
    close(signal.convolve(A3, B3, mode, method="fft"), np_conv(A3, B3, mode), rtol=1e-4, atol=1e-5)
    close(signal.correlate(A3, B3, mode), np_corr(A3, B3, mode), rtol=1e-4, atol=1e-5)


def test_convolve_int_inputs_promote_to_float32():
    r = signal.convolve(np.arange(5), np.array([1, 2, 3]))
    assert r.dtype == np.float32
    close(r, np.convolve(np.arange(5), [1, 2, 3]))


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve2d_correlate2d(mode):
    for a, b in [(A2, B2), (B2, A2)]:
        close(signal.convolve2d(a, b, mode), np_conv(a, b, mode), rtol=1e-4, atol=1e-5)
        r = signal.correlate2d(a, b, mode)
        assert r.dtype == np.float32
        close(r, np_corr2d(a, b, mode), rtol=1e-4, atol=1e-5)


def test_correlate2d_complex_matches_scipy():
    rs = np.random.RandomState(3)
    a = rs.randn(2, 3) + 1j * rs.randn(2, 3)
    b = rs.randn(3, 4) + 1j * rs.randn(3, 4)
    a, b = a.astype(np.complex64), b.astype(np.complex64)
    close(signal.correlate2d(a, b, "valid"), K2C_VALID, rtol=1e-4, atol=1e-4)
    close(signal.correlate2d(a, b, "same"), K2C_SAME, rtol=1e-4, atol=1e-4)
    close(signal.correlate2d(b, a, "full")[:2], K2C_FULL_SWAP, rtol=1e-4, atol=1e-4)
    # the non-swapped full result is the plain correlation
    close(signal.correlate2d(a, b, "full"), np_corr(a, b, "full"), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve(mode):
    close(signal.fftconvolve(A2, B2, mode), np_conv(A2, B2, mode), rtol=1e-4, atol=1e-5)
    close(signal.fftconvolve(AC, BC, mode), np_conv(AC, BC, mode), rtol=1e-4, atol=1e-5)
    # axes: convolve rows only, batching over axis 0 (equal sizes there)
    c = RS.randn(2, 9).astype(np.float32)
    a = A2[:2]
    r = signal.fftconvolve(a, c, mode, axes=1)
    ref = np.stack([np_conv(a[i], c[i], mode) for i in range(2)])
    close(r, ref, rtol=1e-4, atol=1e-5)
    r0 = signal.fftconvolve(a.T, c.T, mode, axes=[0])
    close(r0, ref.T, rtol=1e-4, atol=1e-5)
    # size-1 broadcasting shortcut
    close(signal.fftconvolve(a, np.full((1, 1), 2.0, np.float32), mode), 2 * a)


def test_convolutions_under_jit():
    f = jax.jit(lambda a, b: signal.convolve(a, b, mode="same"))
    close(f(A1, B1), np_conv(A1, B1, "same"), rtol=1e-4, atol=1e-5)
    g = jax.jit(lambda a, b: signal.correlate2d(a, b, mode="same"))
    close(g(A2, B2), np_corr2d(A2, B2, "same"), rtol=1e-4, atol=1e-5)
    h = jax.jit(lambda a, b: signal.fftconvolve(a, b, mode="full"))
    close(h(A2, B2), np_conv(A2, B2, "full"), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("method", ["direct", "fft"])
def test_convolve_grad(method):
    w = RS.randn(16).astype(np.float32)
    loss = lambda a, b: jnp.sum(signal.convolve(a, b, "full", method=method) * w)
    ga, gb = jax.grad(loss, argnums=(0, 1))(A1, B1)
    # d/da sum(w * (a * b)) = valid cross-correlation of w with b
    close(ga, np.correlate(w, B1, "valid"), rtol=1e-4, atol=1e-4)
    close(gb, np.correlate(w, A1, "valid"), rtol=1e-4, atol=1e-4)


def test_convolve2d_grad_and_jit_grad():
    W = RS.randn(8, 8).astype(np.float32)
    loss = lambda a: jnp.sum(signal.convolve2d(a, B2, "full") * W)
    g = jax.jit(jax.grad(loss))(A2)
    close(g, np_corr(W, B2, "valid"), rtol=1e-4, atol=1e-4)
    loss2 = lambda b: jnp.sum(signal.correlate2d(A2, b, "valid") ** 2)
    gb = jax.grad(loss2)(B2)
    # finite-difference check of one entry
    eps = 1e-2
    bp = B2.astype(np.float64).copy(); bp[1, 0] += eps
    bm = B2.astype(np.float64).copy(); bm[1, 0] -= eps
    fd = ((np_corr(A2, bp, "valid") ** 2).sum() - (np_corr(A2, bm, "valid") ** 2).sum()) / (2 * eps)
    np.testing.assert_allclose(float(gb[1, 0]), fd, rtol=1e-3)


def test_convolution_errors():
    with pytest.raises(ValueError, match="mode must be one of"):
        signal.convolve(A1, B1, mode="bad")
    with pytest.raises(ValueError, match="expected 'auto', 'fft', or 'direct'"):
        signal.convolve(A1, B1, method="bad")
    with pytest.raises(ValueError, match="same number of dimensions"):
        signal.convolve(A2, B1)
    with pytest.raises(ValueError, match="smaller than the other in every dimension"):
        signal.convolve(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="zero-size arrays"):
        signal.convolve(np.ones(0), np.ones(2))
    with pytest.raises(TypeError):
        signal.convolve([1.0, 2.0], [1.0])
    with pytest.raises(NotImplementedError, match="boundary='fill', fillvalue=0"):
        signal.convolve2d(A2, B2, boundary="wrap")
    with pytest.raises(NotImplementedError, match="boundary='fill', fillvalue=0"):
        signal.convolve2d(A2, B2, fillvalue=1)
    with pytest.raises(NotImplementedError, match="boundary='fill', fillvalue=0"):
        signal.correlate2d(A2, B2, boundary="symm")
    with pytest.raises(ValueError, match="2-dimensional"):
        signal.convolve2d(A1, B1)
    with pytest.raises(ValueError, match="same dimensionality"):
        signal.fftconvolve(A2, B1)
    with pytest.raises(ValueError, match="mode must be one of"):
        signal.fftconvolve(A1, B1, mode="nope")
    with pytest.raises(ValueError, match="mapped axes must have same shape"):
        signal.fftconvolve(A2, B2, axes=1)
    with pytest.raises(ValueError, match="at least as large"):
        signal.fftconvolve(np.ones((3, 2)), np.ones((2, 3)), mode="valid")


# ---------------------------------------------------------------- detrend

def test_detrend():
    d = RS.randn(4, 20).astype(np.float32)
    r = signal.detrend(d)
    assert r.dtype == np.float32
    close(r, np.stack([np_detrend_linear(row, []) for row in d]), atol=1e-5)
    close(signal.detrend(d, axis=0), np.stack([np_detrend_linear(c, []) for c in d.T]).T, atol=1e-5)
    close(signal.detrend(d, type="constant", axis=0), d - d.mean(0), atol=1e-6)
    close(signal.detrend(d, bp=[5, 12]), np.stack([np_detrend_linear(row, [5, 12]) for row in d]), atol=1e-5)
    close(signal.detrend(X, bp=[7, 15]), DETREND_BP, atol=2e-6)
    i = signal.detrend(np.arange(6) ** 2)
    assert i.dtype == np.float32
    close(i, np_detrend_linear(np.arange(6.0) ** 2, []), atol=1e-5)
    # jit and grad: detrending is linear, so grad of sum(w * detrend(x)) = detrend^T w
    w = RS.randn(20).astype(np.float32)
    g = jax.grad(lambda v: jnp.sum(jax.jit(signal.detrend)(v) * w))(d[0])
    P = np.stack([np_detrend_linear(e, []) for e in np.eye(20)]).T  # detrend matrix (columns)
    close(g, P.T @ w, atol=1e-4)


def test_detrend_errors():
    with pytest.raises(ValueError, match="Trend type"):
        signal.detrend(X, type="quadratic")
    with pytest.raises(ValueError, match="Breakpoints"):
        signal.detrend(X, bp=30)
    with pytest.raises(NotImplementedError, match="overwrite_data"):
        signal.detrend(X, overwrite_data=True)


# ---------------------------------------------------------------- stft / istft

def test_stft_matches_scipy():
    f, t, Z = signal.stft(X, nperseg=8)
    assert Z.dtype == np.complex64 and f.dtype == np.float32 and t.dtype == np.float32
    close(f, STFT_F)
    close(t, STFT_T)
    close(Z, STFT_Z, atol=2e-6, rtol=1e-5)
    f, t, Z = signal.stft(X, fs=2.0, nperseg=7, noverlap=3, nfft=10, boundary="even",
                          padded=True, detrend="linear")
    close(t, STFT2_T)
    close(Z, STFT2_Z, atol=2e-6, rtol=1e-5)


def test_stft_axis_and_batch():
    xb = np.stack([X, Y, 2 * X])
    _, _, Z = signal.stft(xb, nperseg=8)
    assert Z.shape == (3, 5, 7)
    close(Z[0], STFT_Z, atol=2e-6, rtol=1e-5)
    close(Z[2], 2 * STFT_Z, atol=4e-6, rtol=1e-5)
    _, _, Zt = signal.stft(xb.T, nperseg=8, axis=0)
    assert Zt.shape == (5, 3, 7)
    close(Zt[:, 0], STFT_Z, atol=2e-6, rtol=1e-5)
    Zj = jax.jit(lambda v: signal.stft(v, nperseg=8)[2])(X)
    close(Zj, STFT_Z, atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("nperseg,noverlap", [(8, None), (7, 3), (10, 6)])
def test_istft_roundtrip(nperseg, noverlap):
    sig = RS.randn(2, 50).astype(np.float32)
    _, _, Z = signal.stft(sig, nperseg=nperseg, noverlap=noverlap)
    t, rec = signal.istft(Z, nperseg=nperseg, noverlap=noverlap)
    assert rec.dtype == np.float32
    close(rec[:, :50], sig, atol=1e-5)
    close(t, np.arange(rec.shape[0]), atol=0)  # JAX/scipy: times from x.shape[0]


def test_istft_twosided_and_axes():
    sig = RS.randn(40).astype(np.float32)
    _, _, Z = signal.stft(sig, nperseg=16, return_onesided=False)
    t, rec = signal.istft(Z, input_onesided=False)
    assert rec.dtype == np.complex64
    close(rec[:40], sig, atol=1e-5)
    close(t, np.arange(rec.shape[0]))
    _, _, Z = signal.stft(sig, nperseg=16)
    _, rec = signal.istft(Z.T, time_axis=0, freq_axis=1)
    close(rec[:40], sig, atol=1e-5)
    rec = jax.jit(lambda z: signal.istft(z)[1])(Z)
    close(rec[:40], sig, atol=1e-5)


def test_stft_istft_errors():
    with pytest.raises(ValueError, match="Unknown boundary option"):
        signal.stft(X, nperseg=4, boundary="x")
    with pytest.raises(ValueError, match="noverlap must be less than nperseg"):
        signal.stft(X, nperseg=4, noverlap=4)
    with pytest.raises(ValueError, match="at least 2d"):
        signal.istft(np.ones(10))
    with pytest.raises(ValueError, match="differing time and frequency axes"):
        signal.istft(np.ones((3, 10)), time_axis=0, freq_axis=0)
    with pytest.raises(ValueError, match=r"FFT length \(2\) must be longer than nperseg \(4\)"):
        signal.istft(np.ones((3, 10)), nfft=2)
    with pytest.raises(ValueError, match="noverlap must be less than nperseg"):
        signal.istft(np.ones((3, 10)), nperseg=4, noverlap=4)
    with pytest.raises(ValueError, match="window must have length of 4"):
        signal.istft(np.ones((3, 10)), window=np.ones(5))


# ---------------------------------------------------------------- welch / csd

def test_welch_matches_scipy():
    f, P = signal.welch(X, nperseg=8)
    assert P.dtype == np.float32 and f.dtype == np.float32
    close(f, WELCH_F)
    close(P, WELCH_P, rtol=1e-5, atol=1e-8)
    f, P = signal.welch(X, fs=4.0, nperseg=10, noverlap=4, window="hamming",
                        scaling="spectrum", average="median")
    close(f, WELCH2_F)
    close(P, WELCH2_P, rtol=1e-5, atol=1e-8)
    f, P = signal.welch(X, nperseg=9, return_onesided=False, detrend="linear")
    close(f, WELCH3_F)
    close(P, WELCH3_P, rtol=1e-5, atol=1e-8)


def test_welch_jax_defaults_and_warnings():
    # JAX (unlike scipy's 256) uses the whole signal when nperseg is None
    _, P = signal.welch(X)
    close(P, WELCH_FULL_P, rtol=1e-4, atol=1e-8)
    with pytest.warns(UserWarning, match="nperseg=40 is greater than input_length=24"):
        _, P2 = signal.welch(X, nperseg=40)
    close(P2, WELCH_FULL_P, rtol=1e-4, atol=1e-8)
    with pytest.warns(UserWarning, match="switching to return_onesided=False"):
        f, P3 = signal.welch(X.astype(np.complex64), nperseg=9, detrend="linear")
    assert P3.dtype == np.float32 and f.shape == (9,)
    close(P3, WELCH3_P, rtol=1e-5, atol=1e-8)
    # batch + axis, jit
    xb = np.stack([X, 3 * X], axis=1)
    _, Pb = jax.jit(lambda v: signal.welch(v, nperseg=8, axis=0))(xb)
    assert Pb.shape == (5, 2)
    close(Pb[:, 1], 9 * WELCH_P, rtol=1e-5, atol=1e-7)
    # a callable detrend receives segments with time last (as scipy; JAX 0.10.2 transposes them)
    _, Pc = signal.welch(X, nperseg=8, detrend=lambda d: d - jnp.mean(d, axis=-1, keepdims=True))
    close(Pc, WELCH_P, rtol=1e-5, atol=1e-8)
    # array window
    _, Pw = signal.welch(X, window=np.sin(np.linspace(0, np.pi, 8, endpoint=False)) ** 2)
    close(Pw, WELCH_P, rtol=1e-5, atol=1e-8)


def test_csd_matches_scipy():
    f, P = signal.csd(X, Y, nperseg=8)
    assert P.dtype == np.complex64
    close(f, WELCH_F)
    close(P, CSD_P, rtol=1e-5, atol=1e-7)
    _, P = signal.csd(X, Y, nperseg=6, window="blackman", average="median")
    close(P, CSD2_P, rtol=1e-5, atol=1e-7)
    # y=None is the PSD (real-valued); csd(x, x) is the PSD as complex
    _, Pxx = signal.csd(X, None, nperseg=8)
    assert Pxx.dtype == np.float32
    close(Pxx, WELCH_P, rtol=1e-5, atol=1e-8)
    _, Pxx2 = signal.csd(X, X, nperseg=8)
    close(Pxx2, WELCH_P, rtol=1e-5, atol=1e-8)
    # unequal lengths: the shorter input is zero-padded
    _, Ps = signal.csd(np.stack([X, X]), np.stack([Y[:20], Y[:20]]), nperseg=8)
    _, Pr = signal.csd(X, np.concatenate([Y[:20], np.zeros(4, np.float32)]), nperseg=8)
    close(Ps[1], Pr, rtol=1e-5, atol=1e-7)


def test_spectral_errors():
    with pytest.raises(ValueError, match="Unknown scaling: x"):
        signal.welch(X, scaling="x")
    with pytest.raises(ValueError, match='average must be "median" or "mean"'):
        signal.welch(X, nperseg=8, average="x")
    with pytest.raises(ValueError, match="nperseg must be a positive integer"):
        signal.welch(X, nperseg=0)
    with pytest.raises(ValueError, match="nfft must be greater than or equal to nperseg"):
        signal.welch(X, nperseg=4, nfft=3)
    with pytest.raises(ValueError, match="Unsupported detrend type: 3"):
        signal.welch(X, detrend=3)
    with pytest.raises(ValueError, match="same rank"):
        signal.csd(np.ones((2, 10)), np.ones(10))
    with pytest.raises(ValueError, match="cannot be broadcast together"):
        signal.csd(np.ones((2, 10)), np.ones((3, 10)))
    with pytest.raises(ValueError, match="window must be 1-D"):
        signal.welch(X, window=np.ones((2, 2)))
    with pytest.raises(ValueError, match="window is longer than input signal"):
        signal.welch(X, window=np.ones(30))
    with pytest.raises(ValueError, match="different from length of window"):
        signal.welch(X, window=np.ones(4), nperseg=5)


# ---------------------------------------------------------------- DCT

XD = RS.randn(3, 5, 6).astype(np.float32)


@pytest.mark.parametrize("norm", [None, "backward", "ortho"])
def test_dct_idct(norm):
    for axis in (-1, 0, 1):
        r = sfft.dct(XD, axis=axis, norm=norm)
        assert r.dtype == np.float32
        close(r, np_dct(XD, axis=axis, norm=norm), rtol=1e-4, atol=1e-4)
        close(sfft.idct(XD, axis=axis, norm=norm), np_idct(XD, axis=axis, norm=norm), rtol=1e-4, atol=1e-5)
        close(sfft.idct(sfft.dct(XD, axis=axis, norm=norm), axis=axis, norm=norm), XD, atol=1e-5)


def test_dct_n_and_complex_and_int():
    close(sfft.dct(XD, n=8, axis=1), np_dct(XD, axis=1, n=8), rtol=1e-4, atol=1e-4)
    close(sfft.dct(XD, n=3), np_dct(XD, n=3), rtol=1e-4, atol=1e-4)
    close(sfft.idct(XD, n=4, axis=0), np_idct(XD[:4] if XD.shape[0] >= 4 else
                                              np.concatenate([XD, np.zeros((1, 5, 6))]), axis=0),
          rtol=1e-4, atol=1e-5)
    z = XD + 1j * XD[::-1]
    rz = sfft.dct(z.astype(np.complex64))
    assert rz.dtype == np.complex64
    close(rz, np_dct(XD) + 1j * np_dct(XD[::-1]), rtol=1e-4, atol=1e-4)
    ri = sfft.dct(np.arange(4))
    assert ri.dtype == np.float32
    close(ri, np_dct(np.arange(4.0)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dctn_idctn(norm):
    ref = np_dct(np_dct(np_dct(XD, 0, norm), 1, norm), 2, norm)
    close(sfft.dctn(XD, norm=norm), ref, rtol=1e-4, atol=1e-3)
    close(sfft.idctn(sfft.dctn(XD, norm=norm), norm=norm), XD, atol=1e-5)
    ref02 = np_dct(np_dct(XD, 0, norm), 2, norm)
    close(sfft.dctn(XD, axes=(0, 2), norm=norm), ref02, rtol=1e-4, atol=1e-4)
    close(sfft.idctn(XD, axes=(2, 0), norm=norm), np_idct(np_idct(XD, 2, norm), 0, norm), rtol=1e-4, atol=1e-5)
    # s: last len(s) axes, padded / truncated
    padded = np.zeros((3, 4, 7)); padded[:, :4, :6] = XD[:, :4]
    close(sfft.dctn(XD, s=(4, 7), norm=norm), np_dct(np_dct(padded, 1, norm), 2, norm), rtol=1e-4, atol=1e-4)
    close(sfft.dctn(XD, s=[2], axes=[0], norm=norm), np_dct(XD[:2], 0, norm), rtol=1e-4, atol=1e-4)


def test_dct_jit_grad():
    close(jax.jit(sfft.dctn)(XD), sfft.dctn(XD), rtol=1e-6, atol=1e-5)
    w = RS.randn(6).astype(np.float32)
    g = jax.grad(lambda v: jnp.sum(sfft.dct(v, norm="ortho") * w))(XD[0, 0])
    # the ortho DCT-II matrix is orthogonal: grad = M^T w = idct(w)
    close(g, np_idct(w, norm="ortho"), atol=1e-5)


def test_dct_errors():
    for fn in (sfft.dct, sfft.idct, sfft.dctn, sfft.idctn):
        for t in (1, 3, 4):
            with pytest.raises(NotImplementedError, match="Only DCT type 2 is implemented"):
                fn(XD, type=t)
    with pytest.raises(ValueError, match=r"jax.scipy.fft.dct: norm='forward' is not implemented"):
        sfft.dct(XD, norm="forward")
    with pytest.raises(ValueError, match=r"jax.scipy.fft.idctn: norm='forward' is not implemented"):
        sfft.idctn(XD, norm="forward")
    with pytest.raises(ValueError, match=r"s must have at most x.ndim \(3\) elements, got 4"):
        sfft.dctn(XD, s=[1, 2, 3, 4])
    with pytest.raises(TypeError, match="requires ndarray or scalar arguments"):
        sfft.dct([1.0, 2.0])
