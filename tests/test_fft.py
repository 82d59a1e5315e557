"""jnp.fft and lax.fft: eager against numpy.fft, jit (eager backend) against eager, vmap against
a loop, and derivatives — complex functions are checked through real-valued wrappers (real and
imaginary parts), so jvp meets finite differences and vjp meets jvp in plain real arithmetic."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64, check_jit, check_vmap, check_grads, normal as _r, x64  # noqa: F401

SETTINGS = dict(max_examples=10, deadline=None)


def _c(shape, seed=0):
    return _r(shape, seed) + 1j * _r(shape, seed + 100)


def _split(y):
    """A complex result as two real arrays (real part, imaginary part via real(-1j * y))."""
    return [jnp.real(y), jnp.real(y * -1j)] if jnp.iscomplexobj(y) else y


# (name, function of jnp arrays, numpy oracle, args(seed), complex_input)
CASES = [
    ("fft", lambda z: jnp.fft.fft(z), np.fft.fft, lambda s: [_c((3, 8), s)], True),
    ("fft_n_axis", lambda z: jnp.fft.fft(z, n=5, axis=0), lambda z: np.fft.fft(z, n=5, axis=0),
     lambda s: [_c((3, 4), s)], True),
    ("fft_real_input", lambda x: jnp.fft.fft(x, n=10), lambda x: np.fft.fft(x, n=10), lambda s: [_r((2, 7), s)],
     False),
    ("ifft_ortho", lambda z: jnp.fft.ifft(z, norm="ortho"), lambda z: np.fft.ifft(z, norm="ortho"),
     lambda s: [_c((6,), s)], True),
    ("ifft_forward", lambda z: jnp.fft.ifft(z, norm="forward"), lambda z: np.fft.ifft(z, norm="forward"),
     lambda s: [_c((2, 5), s)], True),
    ("rfft", lambda x: jnp.fft.rfft(x), np.fft.rfft, lambda s: [_r((3, 8), s)], False),
    ("rfft_odd_n", lambda x: jnp.fft.rfft(x, n=7, axis=0), lambda x: np.fft.rfft(x, n=7, axis=0),
     lambda s: [_r((9, 2), s)], False),
    ("irfft", lambda z: jnp.fft.irfft(z), np.fft.irfft, lambda s: [_c((2, 5), s)], True),
    ("irfft_odd", lambda z: jnp.fft.irfft(z, n=9), lambda z: np.fft.irfft(z, n=9), lambda s: [_c((5,), s)], True),
    ("fft2", lambda z: jnp.fft.fft2(z), np.fft.fft2, lambda s: [_c((2, 3, 4), s)], True),
    ("ifft2_s", lambda z: jnp.fft.ifft2(z, s=(4, 2)), lambda z: np.fft.ifft2(z, s=(4, 2)), lambda s: [_c((3, 5), s)],
     True),
    ("fftn_axes", lambda z: jnp.fft.fftn(z, axes=(0, 2)), lambda z: np.fft.fftn(z, axes=(0, 2)),
     lambda s: [_c((3, 2, 4), s)], True),
    ("fftn_4d", lambda z: jnp.fft.fftn(z), np.fft.fftn, lambda s: [_c((2, 3, 2, 3), s)], True),
    ("rfftn", lambda x: jnp.fft.rfftn(x), np.fft.rfftn, lambda s: [_r((3, 4, 6), s)], False),
    ("rfft2_ortho", lambda x: jnp.fft.rfft2(x, norm="ortho"), lambda x: np.fft.rfft2(x, norm="ortho"),
     lambda s: [_r((4, 5), s)], False),
    ("irfftn", lambda z: jnp.fft.irfftn(z, s=(3, 6)), lambda z: np.fft.irfftn(z, s=(3, 6), axes=(0, 1)),
     lambda s: [_c((3, 4), s)], True),
    ("irfft2", lambda z: jnp.fft.irfft2(z), np.fft.irfft2, lambda s: [_c((4, 3), s)], True),
    ("hfft", lambda z: jnp.fft.hfft(z), np.fft.hfft, lambda s: [_c((5,), s)], True),
    ("ihfft", lambda x: jnp.fft.ihfft(x), np.fft.ihfft, lambda s: [_r((6,), s)], False),
    ("fftshift", lambda x: jnp.fft.fftshift(x), np.fft.fftshift, lambda s: [_r((4, 5), s)], False),
    ("ifftshift_axis", lambda x: jnp.fft.ifftshift(x, axes=1), lambda x: np.fft.ifftshift(x, axes=1),
     lambda s: [_r((4, 5), s)], False),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_eager_matches_numpy(case):
    name, f, ref, make, _ = case
    args = make(0)
    got = np.asarray(f(*[jnp.asarray(a) for a in args]))
    want = ref(*args)
    assert got.shape == want.shape and np.iscomplexobj(got) == np.iscomplexobj(want), name
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_jit_matches_eager(case):
    check_jit(case[1], *[jnp.asarray(a) for a in case[3](0)], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vmap_matches_loop(case):
    sets = [case[3](s) for s in (0, 1, 2)]
    batched = [jnp.asarray(np.stack(p)) for p in zip(*sets)]
    check_vmap(case[1], *batched, rtol=1e-10, atol=1e-12)
    check_vmap(case[1], *[jnp.moveaxis(b, 0, -1) for b in batched], in_axes=batched[0].ndim - 1,
               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_grads_match_finite_differences(case):
    name, f, _, make, is_complex = case
    (a,) = make(7)
    if is_complex:
        check_grads(lambda re, im: _split(f(re + 1j * im)), jnp.asarray(a.real), jnp.asarray(a.imag))
    else:
        check_grads(lambda x: _split(f(x)), jnp.asarray(a))


# ---- lax.fft directly and values pinned to jax 0.10.2 -----------------------------------------
def test_lax_fft_types_and_shapes():
    x = jnp.asarray(_r((2, 4, 6)))
    z = lax.fft(x, "rfft", (4, 6))
    assert z.shape == (2, 4, 4) and z.dtype == jnp.complex128
    np.testing.assert_allclose(np.asarray(z), np.fft.rfftn(np.asarray(x), axes=(1, 2)), rtol=1e-10)
    back = lax.fft(z, lax.FftType.IRFFT, (4, 6))
    np.testing.assert_allclose(np.asarray(back), np.asarray(x), atol=1e-12)
    with pytest.raises(TypeError, match="complex operand"):
        lax.fft(x, "fft", (6,))
    with pytest.raises(ValueError, match="must match"):
        lax.fft(x.astype(jnp.complex128), "fft", (5,))
    with pytest.raises(ValueError, match="Unknown FFT type"):
        lax.fft(x, "dct", (6,))


def test_fft_gradients_as_jax():
    x = jnp.arange(8.0) / 3.0
    w = jnp.array([1.0, -2.0, 0.5, 3.0, 1.5])
    g = jax.grad(lambda x: (jnp.real(jnp.fft.rfft(x) * (1 + 2j)) * w).sum())(x)
    np.testing.assert_allclose(np.asarray(g), [4.0, -1.62132034, -8.0, 3.44974747, 2.0, 2.62132034, 12.0,
                                               -6.44974747], rtol=1e-8)
    z = jnp.arange(5.0) + 1j * jnp.arange(5.0)[::-1]
    g = jax.grad(lambda z: (jnp.fft.irfft(z) * jnp.arange(8.0)).sum())(z)
    np.testing.assert_allclose(np.asarray(g), [3.5, -1.0 - 2.41421356j, -1.0 - 1.0j, -1.0 - 0.41421356j, -0.5],
                               rtol=1e-8, atol=1e-8)


def test_fftfreq_and_dtypes():
    np.testing.assert_allclose(np.asarray(jnp.fft.fftfreq(7, 0.5)), np.fft.fftfreq(7, 0.5))
    np.testing.assert_allclose(np.asarray(jnp.fft.fftfreq(8)), np.fft.fftfreq(8))
    np.testing.assert_allclose(np.asarray(jnp.fft.rfftfreq(9, 2.0)), np.fft.rfftfreq(9, 2.0))
    assert jnp.fft.fft(jnp.arange(4)).dtype == jnp.complex128
    with enable_x64(False):
        assert jnp.fft.fft(jnp.arange(4)).dtype == jnp.complex64
        assert jnp.fft.rfft(jnp.ones(4, jnp.float32)).dtype == jnp.complex64
        assert jnp.fft.irfft(jnp.ones(3, jnp.complex64)).dtype == jnp.float32
        assert jnp.fft.fftfreq(4).dtype == jnp.float32
    with pytest.raises(ValueError, match="norm"):
        jnp.fft.fft(jnp.ones(4), norm="bogus")
    with pytest.raises(TypeError, match="complex input"):
        jnp.fft.rfft(jnp.ones(4, jnp.complex128))


@settings(**SETTINGS)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.integers(0, 1000))
def test_round_trips_over_drawn_shapes(shape, seed):
    x = _r(tuple(shape), seed)
    z = jnp.fft.fftn(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(z), np.fft.fftn(x), atol=1e-10)
    np.testing.assert_allclose(np.asarray(jnp.fft.ifftn(z)), x, atol=1e-10)
    r = jnp.fft.rfftn(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(jnp.fft.irfftn(r, s=x.shape)), x, atol=1e-10)


def test_default_backend_jit_of_a_composite():
    def f(x):
        spec = jnp.fft.rfft(x, axis=-1)
        return jnp.fft.irfft(spec * jnp.exp(-jnp.fft.rfftfreq(x.shape[-1])), n=x.shape[-1]) + x.mean()
    check_jit(f, jnp.asarray(_r((3, 16))), default_backend=True)
