"""torch.nn.Module interop: parameters round-trip exactly, apply matches forward, and the module
composes with grad, vmap and jit."""
import numpy as np
import pytest
import torch

import jaxish as jax
import jaxish.numpy as jnp
from jaxish.interop.torch import from_module, to_module


def _model():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))


def test_params_share_memory_and_roundtrip():
    m = _model()
    params, _ = from_module(m)
    for name, p in m.named_parameters():
        assert jax.to_torch(params[name]).data_ptr() == p.data_ptr()
    new = {k: v * 2 for k, v in params.items()}
    to_module(new, m)
    for name, p in m.named_parameters():
        np.testing.assert_array_equal(p.detach().numpy(), np.asarray(new[name]))


def test_apply_matches_forward_and_grad_matches_autograd():
    m = _model()
    params, apply = from_module(m)
    x = torch.randn(5, 4)
    np.testing.assert_allclose(np.asarray(apply(params, jax.from_torch(x))), m(x).detach().numpy(), rtol=1e-6)

    def loss(p, x):
        return jnp.sum(jnp.tanh(apply(p, x)))

    g = jax.grad(loss)(params, jax.from_torch(x))
    m.zero_grad()
    torch.tanh(m(x)).sum().backward()
    for name, p in m.named_parameters():
        np.testing.assert_allclose(np.asarray(g[name]), p.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_jit_and_vmap_of_module():
    m = _model()
    params, apply = from_module(m)
    x = jax.from_torch(torch.randn(6, 4))
    out = jax.jit(apply)(params, x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(apply(params, x)), rtol=1e-6)
    per_row = jax.vmap(lambda r: apply(params, r))(x)
    np.testing.assert_allclose(np.asarray(per_row), np.asarray(apply(params, x)), rtol=1e-5, atol=1e-6)
    gj = jax.jit(jax.grad(lambda p, x: jnp.sum(apply(p, x) ** 2)))(params, x)
    ge = jax.grad(lambda p, x: jnp.sum(apply(p, x) ** 2))(params, x)
    for k in ge:
        np.testing.assert_allclose(np.asarray(gj[k]), np.asarray(ge[k]), rtol=1e-5, atol=1e-6)


def test_to_module_shape_error():
    m = _model()
    params, _ = from_module(m)
    bad = dict(params)
    bad["0.weight"] = jnp.zeros((2, 2))
    with pytest.raises(ValueError, match="0.weight"):
        to_module(bad, m)
