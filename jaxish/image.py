"""jax.image: resize and scale_and_translate, composed from jnp (so they differentiate, vmap
and jit through jnp's rules).

Each resized dimension gets a weight matrix (input size x output size) from the method's
kernel evaluated at half-pixel centers, widened by the inverse scale when antialiasing a
downsample, normalized per output pixel and zeroed where the sample falls outside the input;
the image is contracted with one such matrix per dimension. Nearest neighbour gathers rows
at floor((i + 0.5) * in / out), computed in float32 as JAX does."""
import enum
import operator

import numpy as np

from . import dtypes
from . import lax
from . import numpy as jnp
from .numpy._core import _promote_to_inexact

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]

_Precision = getattr(lax, "Precision", None)
_HIGHEST = _Precision.HIGHEST if _Precision is not None else None


class ResizeMethod(enum.Enum):
    """Image resize method: NEAREST, LINEAR, LANCZOS3, LANCZOS5, CUBIC (Keys, a=-0.5),
    CUBIC_PYTORCH (a=-0.75 with edge padding when not antialiasing) and AREA (box overlap)."""
    NEAREST = 0
    LINEAR = 1
    LANCZOS3 = 2
    LANCZOS5 = 3
    CUBIC = 4
    CUBIC_PYTORCH = 5
    AREA = 6

    @staticmethod
    def from_string(s: str):
        if s == "nearest":
            return ResizeMethod.NEAREST
        if s in ("linear", "bilinear", "trilinear", "triangle"):
            return ResizeMethod.LINEAR
        if s == "lanczos3":
            return ResizeMethod.LANCZOS3
        if s == "lanczos5":
            return ResizeMethod.LANCZOS5
        if s in ("cubic", "bicubic", "tricubic"):
            return ResizeMethod.CUBIC
        if s in ("cubic-pytorch", "bicubic-pytorch"):
            return ResizeMethod.CUBIC_PYTORCH
        if s == "area":
            return ResizeMethod.AREA
        raise ValueError(f'Unknown resize method "{s}"')


# ---- kernels: weight as a function of |distance| in input pixels --------------------------------
def _lanczos(radius):
    def kernel(x):
        y = radius * jnp.sin(np.pi * x) * jnp.sin(np.pi * x / radius)
        out = jnp.where(x > 1e-3, jnp.divide(y, jnp.where(x != 0, np.pi ** 2 * x ** 2, 1)), 1)
        return jnp.where(x > radius, 0., out)
    return kernel


def _keys_cubic(x):
    """Keys' cubic convolution kernel with a = -0.5 (Pillow, TensorFlow, antialiased PyTorch)."""
    out = ((1.5 * x - 2.5) * x) * x + 1.
    out = jnp.where(x >= 1., ((-0.5 * x + 2.5) * x - 4.) * x + 2., out)
    return jnp.where(x >= 2., 0., out)


def _opencv_cubic(x):
    """The cubic kernel with a = -0.75 that PyTorch (and OpenCV) use without antialiasing."""
    a = -0.75
    out = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    out = jnp.where(x >= 1.0, ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a, out)
    return jnp.where(x >= 2.0, 0.0, out)


def _triangle(x):
    return jnp.maximum(0, 1 - jnp.abs(x))


_AREA = object()

_KERNELS = {
    ResizeMethod.LINEAR: (1, _triangle),
    ResizeMethod.LANCZOS3: (3, _lanczos(3.)),
    ResizeMethod.LANCZOS5: (5, _lanczos(5.)),
    ResizeMethod.CUBIC: (2, _keys_cubic),
    ResizeMethod.CUBIC_PYTORCH: (2, _opencv_cubic),
    ResizeMethod.AREA: (1, _AREA),
}

_NORM_FLOOR = 1000. * float(np.finfo(np.float32).eps)


def _weight_matrix(in_size, out_size, scale, translation, kernel, antialias, edge_padding, radius):
    """(in_size, out_size) resampling weights for one dimension, in the dtype of scale/translation."""
    dtype = jnp.result_type(scale, translation)
    inv_scale = 1. / scale
    kernel_scale = jnp.maximum(inv_scale, 1.) if antialias else 1.
    out_pos = jnp.arange(out_size, dtype=dtype)
    sample_f = (out_pos + 0.5) * inv_scale - translation * inv_scale - 0.5
    k = radius if edge_padding else 0      # edge padding is only reached without antialiasing
    positions = jnp.arange(-k, in_size + k, dtype=dtype)
    if kernel is _AREA:
        left_out = out_pos * inv_scale - translation * inv_scale
        right_out = left_out + inv_scale
        left_in = jnp.arange(in_size, dtype=dtype)
        weights = jnp.maximum(0., jnp.minimum(right_out[None, :], left_in[:, None] + 1.)
                              - jnp.maximum(left_out[None, :], left_in[:, None]))
    else:
        weights = kernel(jnp.abs(sample_f[None, :] - positions[:, None]) / kernel_scale)
    if edge_padding:
        # mass of the pixels beyond the border moves onto the edge pixels
        clamped = np.clip(np.arange(-k, in_size + k), 0, in_size - 1)
        weights = jnp.zeros((in_size, out_size), dtype=weights.dtype).at[clamped].add(weights)
    total = jnp.sum(weights, axis=0, keepdims=True)
    weights = jnp.where(jnp.abs(total) > _NORM_FLOOR,
                        jnp.divide(weights, jnp.where(total != 0, total, 1)), 0)
    if not edge_padding:
        inside = jnp.logical_and(sample_f >= -0.5, sample_f <= in_size - 0.5)
        weights = jnp.where(inside[None, :], weights, 0)
    return weights


def _contract(image, out_shape, spatial_dims, scales, translations, kernel, antialias, precision,
              edge_padding, radius):
    """Resample each spatial dimension in turn by its weight matrix."""
    x = image
    dt = x.dtype
    for d, s, t in zip(spatial_dims, scales, translations):
        w = _weight_matrix(x.shape[d], out_shape[d], s, t, kernel, antialias, edge_padding, radius)
        x = jnp.tensordot(x, w.astype(dt), axes=([d], [0]), precision=precision)
        x = jnp.moveaxis(x, -1, d)
    return x


# ---- argument checks ---------------------------------------------------------------------------
def _image(image, fname):
    if isinstance(image, (list, tuple)):
        raise TypeError(f"{fname} requires an array for `image`, got {type(image).__name__}.")
    x = jnp.asarray(image)
    if not (dtypes.is_inexact(x.dtype) or dtypes.is_int(x.dtype) or x.dtype == dtypes.bool_):
        raise TypeError(f"{fname}: unsupported image dtype {x.dtype} (image shape {x.shape}).")
    return x


def _shape(shape, x, fname):
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        raise TypeError(f"Shapes must be 1D sequences of concrete values of integer type, got {shape}.") from None
    if len(shape) != x.ndim:
        raise ValueError("shape must have length equal to the number of dimensions of x; "
                         f" {shape} vs {x.shape}")
    if any(s < 0 for s in shape):
        raise ValueError(f"{fname}: shape {shape} has a negative size (image shape {x.shape}, dtype {x.dtype}).")
    return shape


def _method(method):
    if isinstance(method, str):
        return ResizeMethod.from_string(method)
    if not isinstance(method, ResizeMethod):
        raise TypeError(f"method must be a ResizeMethod or one of its string names, got {method!r}.")
    return method


def _kernel_for(method, antialias):
    if method == ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    radius, kernel = _KERNELS[method]
    return kernel, radius, method == ResizeMethod.CUBIC_PYTORCH      # edge padding: PyTorch's cubic


def _resize_nearest(x, shape):
    for d, (m, n) in enumerate(zip(x.shape, shape)):
        if m == n:
            continue
        pos = (np.arange(n, dtype=np.float32) + np.float32(0.5)) * np.float32(m) / np.float32(n)
        idx = np.floor(pos).astype(np.int32)
        x = jnp.take(x, jnp.asarray(idx), axis=d, mode="clip")
    return x


def resize(image, shape, method, antialias=True, precision=_HIGHEST):
    """Resize `image` to `shape` (every dimension, batch and channel ones included: leave those
    unchanged) with `method`. NEAREST keeps the dtype; the other methods promote to inexact."""
    x = _image(image, "resize")
    shape = _shape(shape, x, "resize")
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        return _resize_nearest(x, shape)
    (x,) = _promote_to_inexact("resize", x)
    dims = tuple(d for d in range(x.ndim) if x.shape[d] != shape[d])
    kernel, radius, edge_padding = _kernel_for(method, antialias)
    scales = [1.0 if shape[d] == 0 else shape[d] / x.shape[d] for d in dims]
    return _contract(x, shape, dims, scales, [0.] * len(dims), kernel, antialias, precision,
                     edge_padding, radius)


def _vector(v, name, k):
    if np.ndim(v) != 1 or np.shape(v)[0] != k:
        raise ValueError(f"scale_and_translate: `{name}` must be an array of shape ({k},) (one entry per "
                        f"spatial dimension), got {type(v).__name__} with shape {np.shape(v)}.")
    return jnp.asarray(v)


def scale_and_translate(image, shape, spatial_dims, scale, translation, method, antialias=True,
                        precision=_HIGHEST):
    """Resample `image` onto `shape`, mapping input location x of spatial dimension i to
    x * scale[i] + translation[i] (half-pixel centers); outside samples become zero."""
    x = _image(image, "scale_and_translate")
    shape = _shape(shape, x, "scale_and_translate")
    method = _method(method)
    if method == ResizeMethod.NEAREST:
        raise ValueError("Nearest neighbor resampling is not currently supported for scale_and_translate.")
    spatial_dims = tuple(operator.index(d) for d in spatial_dims)
    for d in spatial_dims:
        if not -x.ndim <= d < x.ndim:
            raise ValueError(f"scale_and_translate: spatial dimension {d} is out of bounds for an image "
                             f"of shape {x.shape}.")
    spatial_dims = tuple(d % x.ndim for d in spatial_dims)
    k = len(spatial_dims)
    if isinstance(scale, (list, tuple)) or isinstance(translation, (list, tuple)):
        raise TypeError("scale_and_translate: `scale` and `translation` must be arrays, got "
                        f"{type(scale).__name__} and {type(translation).__name__}.")
    scale = _vector(scale, "scale", k)
    translation = _vector(translation, "translation", k)
    (x,) = _promote_to_inexact("scale_and_translate", x)
    scale, translation = _promote_to_inexact("scale_and_translate", scale, translation)
    if k == 0:
        return x
    kernel, radius, edge_padding = _kernel_for(method, antialias)
    return _contract(x, shape, spatial_dims, [scale[i] for i in range(k)],
                     [translation[i] for i in range(k)], kernel, antialias, precision, edge_padding, radius)
