"""jaxish.scipy.spatial.transform: Rotation and Slerp (jax.scipy.spatial.transform).

Rotations are stored as unit quaternions in scalar-last order ``(x, y, z, w)`` in the single
field ``quat``; a quaternion array of shape ``(..., 4)`` holds a batch of rotations and a 1-d one
a single rotation. Both classes are NamedTuples and pytrees, so they pass through jit, vmap and
grad. The kernels work on the last axis with broadcast leading axes (JAX maps them with
jnp.vectorize; the results and the errors for mismatched core sizes are the same).
"""
from __future__ import annotations

import re
import typing

import numpy as np

from ... import numpy as jnp
from ... import tree_util as _tu

__all__ = ["Rotation", "Slerp"]

Array = typing.Any


# ---------------------------------------------------------------------------------------------
# helpers

def _as_inexact(x):
    """x as an array; integer and bool input is promoted to the default float type."""
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        x = x.astype(jnp.result_type(x.dtype, float))
    return x


def _core_mismatch(got: int, want: int, signature: str):
    return ValueError(f"inconsistent size for core dimension 'm': {got} vs {want} on vectorized "
                      f"function with excluded=frozenset() and signature={signature!r}")


def _batch_shape(*shapes):
    """Broadcast the loop (leading) shapes as jnp.vectorize does, with its error message."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={list(shapes)}") from None


def _norm(v):
    return jnp.sqrt(jnp.sum(v * v, axis=-1))


def _normalize_quaternion(q):
    return q / _norm(q)[..., None]


def _parts(q):
    return q[..., 0], q[..., 1], q[..., 2], q[..., 3]


def _compose_quat(p, q):
    """Hamilton product p * q of scalar-last quaternions (applying q first, then p)."""
    _batch_shape(tuple(p.shape[:-1]), tuple(q.shape[:-1]))
    px, py, pz, pw = _parts(p)
    qx, qy, qz, qw = _parts(q)
    # cross(p[:3], q[:3]) written out
    cx = py * qz - pz * qy
    cy = pz * qx - px * qz
    cz = px * qy - py * qx
    return jnp.stack([pw * qx + qw * px + cx,
                      pw * qy + qw * py + cy,
                      pw * qz + qw * pz + cz,
                      pw * qw - px * qx - py * qy - pz * qz], axis=-1)


def _as_matrix(q):
    x, y, z, w = _parts(q)
    x2, y2, z2, w2 = x * x, y * y, z * z, w * w
    xy, zw, xz, yw, yz, xw = x * y, z * w, x * z, y * w, y * z, x * w
    rows = [jnp.stack([x2 - y2 - z2 + w2, 2 * (xy - zw), 2 * (xz + yw)], axis=-1),
            jnp.stack([2 * (xy + zw), -x2 + y2 - z2 + w2, 2 * (yz - xw)], axis=-1),
            jnp.stack([2 * (xz - yw), 2 * (yz + xw), -x2 - y2 + z2 + w2], axis=-1)]
    return jnp.stack(rows, axis=-2)


def _as_mrp(q):
    w = q[..., 3:4]
    sign = jnp.where(w < 0, -1., 1.).astype(q.dtype)
    return sign * q[..., :3] / (1. + sign * w)


def _as_rotvec(q, degrees):
    q = jnp.where(q[..., 3:4] < 0, -q, q)  # w >= 0 so that 0 <= angle <= pi
    angle = 2. * jnp.arctan2(_norm(q[..., :3]), q[..., 3])
    angle2 = angle * angle
    small_scale = 2 + angle2 / 12 + 7 * angle2 * angle2 / 2880
    large_scale = angle / jnp.sin(angle / 2)
    scale = jnp.where(angle <= 1e-3, small_scale, large_scale)
    if degrees:
        scale = jnp.rad2deg(scale)
    return scale[..., None] * q[..., :3]


def _from_rotvec(rotvec, degrees):
    if degrees:
        rotvec = jnp.deg2rad(rotvec)
    angle = _norm(rotvec)
    angle2 = angle * angle
    small_scale = 0.5 - angle2 / 48 + angle2 * angle2 / 3840
    large_scale = jnp.sin(angle / 2) / angle
    scale = jnp.where(angle <= 1e-3, small_scale, large_scale)
    return jnp.concatenate([scale[..., None] * rotvec, jnp.cos(angle / 2)[..., None]], axis=-1)


def _from_mrp(mrp):
    sq1 = jnp.sum(mrp * mrp, axis=-1)[..., None] + 1
    return jnp.concatenate([2 * mrp[..., :3], 2 - sq1], axis=-1) / sq1


def _from_matrix(m):
    """Quaternion of a rotation matrix by the largest of (m00, m11, m22, trace) (Shepperd)."""
    tr = m[..., 0, 0] + m[..., 1, 1] + m[..., 2, 2]
    choice = jnp.argmax(jnp.stack([m[..., 0, 0], m[..., 1, 1], m[..., 2, 2], tr], axis=-1),
                        axis=-1)
    quat = jnp.stack([m[..., 2, 1] - m[..., 1, 2], m[..., 0, 2] - m[..., 2, 0],
                      m[..., 1, 0] - m[..., 0, 1], 1 + tr], axis=-1)
    for i in range(3):
        j, k = (i + 1) % 3, (i + 2) % 3
        comp = [None] * 4
        comp[i] = 1 - tr + 2 * m[..., i, i]
        comp[j] = m[..., j, i] + m[..., i, j]
        comp[k] = m[..., k, i] + m[..., i, k]
        comp[3] = m[..., k, j] - m[..., j, k]
        quat = jnp.where((choice == i)[..., None], jnp.stack(comp, axis=-1), quat)
    return _normalize_quaternion(quat)


def _inv(q):
    return q * jnp.array([-1, -1, -1, 1], dtype=q.dtype)


def _magnitude(q):
    return 2. * jnp.arctan2(_norm(q[..., :3]), jnp.abs(q[..., 3]))


def _make_canonical(q):
    x, y, z, w = _parts(q)
    neg = ((w < 0) | ((w == 0) & (x < 0)) | ((w == 0) & (x == 0) & (y < 0))
           | ((w == 0) & (x == 0) & (y == 0) & (z < 0)))
    return jnp.where(neg[..., None], -q, q)


def _elementary_quat(axis: int, angle):
    zero = jnp.zeros_like(angle)
    comps = [zero, zero, zero, jnp.cos(angle / 2.)]
    comps[axis] = jnp.sin(angle / 2.)
    return jnp.stack(comps, axis=-1)


def _axis_index(axis: str) -> int:
    try:
        return "xyz".index(axis)
    except ValueError:
        raise ValueError(f"Expected axis to be from ['x', 'y', 'z'], got {axis}") from None


def _check_seq_letters(seq: str):
    intrinsic = re.match(r'^[XYZ]{1,3}$', seq) is not None
    extrinsic = re.match(r'^[xyz]{1,3}$', seq) is not None
    if not (intrinsic or extrinsic):
        raise ValueError("Expected axes from `seq` to be from ['x', 'y', 'z'] or "
                         f"['X', 'Y', 'Z'], got {seq}")
    if any(seq[i] == seq[i + 1] for i in range(len(seq) - 1)):
        raise ValueError(f"Expected consecutive axes to be different, got {seq}")
    return intrinsic, extrinsic


def _euler_from_quat(q, axes, extrinsic: bool, degrees: bool):
    """Euler angles (Bernardes & Viollet's quaternion method, as JAX and scipy use)."""
    first, third = (0, 2) if extrinsic else (2, 0)
    if not extrinsic:
        axes = axes[::-1]
    i, j, k = axes
    symmetric = i == k
    if symmetric:
        k = 3 - i - j
    sign = (i - j) * (j - k) * (k - i) // 2
    qi, qj, qk, qw = q[..., i], q[..., j], q[..., k], q[..., 3]
    if symmetric:
        a, b, c, d = qw, qi, qj, qk * sign
    else:
        a, b, c, d = qw - qj, qi + qk * sign, qj + qw, qk * sign - qi
    middle = 2 * jnp.arctan2(jnp.hypot(c, d), jnp.hypot(a, b))
    eps = 1e-7
    case = jnp.where(jnp.abs(middle - np.pi) <= eps, 2, 0)
    case = jnp.where(jnp.abs(middle) <= eps, 1, case)
    half_sum = jnp.arctan2(b, a)
    half_diff = jnp.arctan2(d, c)
    # degenerate cases (gimbal lock) put the whole rotation in angles[0] and zero in the third
    zero = jnp.zeros_like(middle)
    angles = [None, middle, zero]
    angles[0] = jnp.where(case == 1, 2 * half_sum, 2 * half_diff * (-1 if extrinsic else 1))
    angles[first] = jnp.where(case == 0, half_sum - half_diff, angles[first])
    angles[third] = jnp.where(case == 0, half_sum + half_diff, angles[third])
    if not symmetric:
        angles[third] = angles[third] * sign
        angles[1] = angles[1] - np.pi / 2
    out = jnp.stack(angles, axis=-1)
    out = (out + np.pi) % (2 * np.pi) - np.pi
    return jnp.rad2deg(out) if degrees else out


# ---------------------------------------------------------------------------------------------
# Rotation

class Rotation(typing.NamedTuple):
    """Rotation(s) in 3 dimensions (jax.scipy.spatial.transform.Rotation).

    ``quat`` holds scalar-last unit quaternions, shape (4,) for one rotation or (N, 4)
    (any leading shape) for several. ``Rotation.from_euler('z', 90, degrees=True).as_rotvec()``
    is ``[0, 0, 1.5707964]``.
    """
    quat: Array

    @classmethod
    def concatenate(cls, rotations: typing.Sequence):
        """Concatenate a sequence of Rotations along the first axis of their quaternions."""
        return cls(jnp.concatenate([r.quat for r in rotations]))

    @classmethod
    def from_euler(cls, seq: str, angles: Array, degrees: bool = False):
        """Rotation from Euler angles: seq of 1-3 axes, 'xyz' letters extrinsic, 'XYZ' intrinsic;
        angles has len(seq) as its last axis (a scalar for one axis)."""
        num_axes = len(seq)
        if num_axes < 1 or num_axes > 3:
            raise ValueError("Expected axis specification to be a non-empty string of upto 3 "
                             f"characters, got {seq}")
        intrinsic, _ = _check_seq_letters(seq)
        if isinstance(angles, (list, tuple)):
            raise TypeError("atleast_1d requires ndarray or scalar arguments, got "
                            f"{type(angles)} at position 0.")
        angles = _as_inexact(jnp.atleast_1d(angles))
        if angles.shape[-1] != num_axes:
            raise _core_mismatch(num_axes, angles.shape[-1], '(m),(m),(),()->(n)')
        if degrees:
            angles = jnp.deg2rad(angles)
        axes = [_axis_index(a) for a in seq.lower()]
        result = _elementary_quat(axes[0], angles[..., 0])
        for n in range(1, num_axes):
            q = _elementary_quat(axes[n], angles[..., n])
            result = _compose_quat(result, q) if intrinsic else _compose_quat(q, result)
        return cls(result)

    @classmethod
    def from_matrix(cls, matrix: Array):
        """Rotation from 3x3 rotation matrices, shape (..., 3, 3)."""
        return cls(_from_matrix(_as_inexact(matrix)))

    @classmethod
    def from_mrp(cls, mrp: Array):
        """Rotation from Modified Rodrigues Parameters, shape (..., 3)."""
        return cls(_from_mrp(_as_inexact(mrp)))

    @classmethod
    def from_quat(cls, quat: Array):
        """Rotation from scalar-last quaternions (x, y, z, w), normalized here."""
        return cls(_normalize_quaternion(_as_inexact(quat)))

    @classmethod
    def from_rotvec(cls, rotvec: Array, degrees: bool = False):
        """Rotation from rotation vectors (axis * angle), shape (..., 3)."""
        return cls(_from_rotvec(_as_inexact(rotvec), degrees))

    @classmethod
    def identity(cls, num: int | None = None, dtype=float):
        """The identity rotation; as in JAX, only a single one (num must be None)."""
        assert num is None
        return cls(jnp.array([0., 0., 0., 1.], dtype=dtype))

    @classmethod
    def random(cls, random_key: Array, num: int | None = None):
        """Not implemented, as in JAX."""
        raise NotImplementedError()

    def __getitem__(self, indexer):
        """The rotation(s) at the given index(es)."""
        if self.single:
            raise TypeError("Single rotation is not subscriptable.")
        return Rotation(self.quat[indexer])

    def __len__(self):
        """The number of rotations held."""
        if self.single:
            raise TypeError("Single rotation has no len().")
        return self.quat.shape[0]

    def __mul__(self, other) -> Rotation:
        """Composition: (self * other) applies other first, then self."""
        return Rotation.from_quat(_compose_quat(self.quat, other.quat))

    def apply(self, vectors: Array, inverse: bool = False) -> Array:
        """Rotate vectors of shape (..., 3) (by the inverse rotation when inverse=True); the
        rotations' and the vectors' leading shapes broadcast."""
        matrix = self.as_matrix()
        vectors = jnp.asarray(vectors)
        if vectors.ndim == 0 or vectors.shape[-1] != matrix.shape[-1]:
            got = vectors.shape[-1] if vectors.ndim else 0
            raise _core_mismatch(got, matrix.shape[-1], '(m,m),(m),()->(m)')
        _batch_shape(tuple(matrix.shape[:-2]), tuple(vectors.shape[:-1]), ())
        if isinstance(inverse, (bool, np.bool_)):
            if inverse:
                matrix = jnp.swapaxes(matrix, -1, -2)
        else:
            matrix = jnp.where(jnp.asarray(inverse), jnp.swapaxes(matrix, -1, -2), matrix)
        return jnp.matmul(matrix, vectors[..., None])[..., 0]

    def as_euler(self, seq: str, degrees: bool = False):
        """Euler angles for a 3-axis seq ('xyz' extrinsic, 'XYZ' intrinsic), in (-pi, pi]."""
        if len(seq) != 3:
            raise ValueError(f"Expected 3 axes, got {seq}.")
        _, extrinsic = _check_seq_letters(seq)
        axes = [_axis_index(a) for a in seq.lower()]
        return _euler_from_quat(self.quat, axes, extrinsic, degrees)

    def as_matrix(self) -> Array:
        """Rotation matrices, shape (..., 3, 3)."""
        return _as_matrix(self.quat)

    def as_mrp(self) -> Array:
        """Modified Rodrigues Parameters (norm <= 1)."""
        return _as_mrp(self.quat)

    def as_rotvec(self, degrees: bool = False) -> Array:
        """Rotation vectors (axis * angle, angle in [0, pi])."""
        return _as_rotvec(self.quat, degrees)

    def as_quat(self, canonical: bool = False, scalar_first: bool = False) -> Array:
        """Quaternions: canonical=True picks the sign with w > 0 (ties broken by x, y, z);
        scalar_first=True returns (w, x, y, z)."""
        quat = _make_canonical(self.quat) if canonical else self.quat
        if scalar_first:
            return jnp.roll(quat, shift=1, axis=-1)
        return quat

    def inv(self):
        """The inverse rotation(s)."""
        return Rotation(_inv(self.quat))

    def magnitude(self) -> Array:
        """Rotation angle(s) in radians, in [0, pi]."""
        return _magnitude(self.quat)

    def mean(self, weights: Array | None = None):
        """Weighted mean rotation: eigenvector of the largest eigenvalue of sum w q q^T.
        (Its sign is whichever eigh returns.)"""
        q = self.quat
        if weights is None:
            w = jnp.ones(q.shape[0], dtype=q.dtype)
        else:
            w = jnp.asarray(weights, dtype=q.dtype)
        if w.ndim != 1:
            raise ValueError(f"Expected `weights` to be 1 dimensional, got shape {w.shape}.")
        if w.shape[0] != len(self):
            raise ValueError("Expected `weights` to have number of values equal to number of "
                             f"rotations, got {w.shape[0]} values and {len(self)} rotations.")
        k = jnp.dot(w[None, :] * q.T, q)
        _, v = jnp.linalg.eigh(k)
        return Rotation(v[:, -1])

    @property
    def single(self) -> bool:
        """Whether this holds one rotation (quat is 1-d)."""
        return self.quat.ndim == 1


def _rotation_flatten_with_keys(r):
    return [(_tu.GetAttrKey("quat"), r.quat)], None


# Registered explicitly (rather than found as a namedtuple) because Rotation.__len__ raises for a
# single rotation and the generic namedtuple path measures nodes with len().
_tu.register_pytree_with_keys(Rotation, _rotation_flatten_with_keys,
                              lambda aux, children: Rotation(*children),
                              lambda r: ((r.quat,), None))


# ---------------------------------------------------------------------------------------------
# Slerp

class Slerp(typing.NamedTuple):
    """Spherical linear interpolation of rotations (jax.scipy.spatial.transform.Slerp).

    Build with ``Slerp.init(times, rotations)``; call with times (scalar or 1-d). Times must
    increase (not checked, as in JAX: it cannot be checked under jit).
    """
    times: Array
    timedelta: Array
    rotations: Rotation
    rotvecs: Array

    @classmethod
    def init(cls, times: Array, rotations: Rotation):
        if not isinstance(rotations, Rotation):
            raise TypeError("`rotations` must be a `Rotation` instance.")
        if rotations.single or len(rotations) == 1:
            raise ValueError("`rotations` must be a sequence of at least 2 rotations.")
        times = jnp.asarray(times, dtype=rotations.quat.dtype)
        if times.ndim != 1:
            raise ValueError("Expected times to be specified in a 1 dimensional array, got "
                             f"{times.ndim} dimensions.")
        if times.shape[0] != len(rotations):
            raise ValueError("Expected number of rotations to be equal to number of timestamps "
                             f"given, got {len(rotations)} rotations and {times.shape[0]} "
                             "timestamps.")
        timedelta = jnp.diff(times)
        quat = rotations.as_quat()
        starts = Rotation(quat[:-1])
        rotvecs = (starts.inv() * Rotation(quat[1:])).as_rotvec()
        return cls(times=times, timedelta=timedelta, rotations=starts, rotvecs=rotvecs)

    def __call__(self, times: Array):
        """The interpolated rotation(s) at times (a single Rotation for a scalar time)."""
        t = jnp.asarray(times, dtype=self.times.dtype)
        if t.ndim > 1:
            raise ValueError("`times` must be at most 1-dimensional.")
        single_time = t.ndim == 0
        t = jnp.atleast_1d(t)
        ind = jnp.maximum(jnp.searchsorted(self.times, t) - 1, 0)
        alpha = (t - self.times[ind]) / self.timedelta[ind]
        result = self.rotations[ind] * Rotation.from_rotvec(self.rotvecs[ind] * alpha[:, None])
        if single_time:
            return result[0]
        return result
