"""Common JAX idioms (tree utilities, transformations, control flow, random, custom rules,
callbacks, indexing, linear algebra, scipy) run under jaxish, each result pinned to what JAX
0.10.2 returns for the same code (captured once with real JAX on CPU, x64 off; values rounded
to 4 decimals, complex values as (re, im) pairs)."""
import dataclasses
import functools
import math

import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax
from jaxish.example_libraries import optimizers, stax
from jaxish.flatten_util import ravel_pytree

CASES = {}


def case(name):
    def deco(f):
        CASES[name] = f
        return f
    return deco


key = jax.random.PRNGKey(0)


@case("tree_map_none")
def _(): return jax.tree.map(lambda x: x * 2, {"a": 1.0, "b": None, "c": (2.0, 3.0)})

@case("value_and_grad_aux")
def _():
    def loss(w, x): y = jnp.tanh(x @ w); return jnp.sum(y ** 2), {"y": y}
    (l, aux), g = jax.value_and_grad(loss, has_aux=True)(jnp.ones((3, 2)) * 0.1, jnp.arange(6.0).reshape(2, 3))
    return l, aux["y"], g

@case("jit_static_argnames")
def _():
    f = jax.jit(lambda x, n: x * n, static_argnames="n")
    return f(jnp.ones(3), n=3), f(jnp.ones(3), n=4)

@case("vmap_dict_in_axes")
def _():
    f = lambda d: d["a"] * d["b"]
    return jax.vmap(f, in_axes=({"a": 0, "b": None},))({"a": jnp.arange(3.0), "b": 2.0})

@case("vmap_out_axes")
def _(): return jax.vmap(lambda x: jnp.stack([x, 2 * x]), out_axes=1)(jnp.arange(3.0))

@case("vmap_axis_name_psum")
def _(): return jax.vmap(lambda x: x / lax.psum(x, "i"), axis_name="i")(jnp.arange(1.0, 4.0))

@case("scan_unroll")
def _():
    def body(c, x): c = c * 0.9 + x; return c, c * 2
    return lax.scan(body, 0.0, jnp.arange(5.0), unroll=2)

@case("scan_reverse_length")
def _(): return lax.scan(lambda c, _: (c + 1, c), 0, None, length=4, reverse=True)

@case("fori_traced_bounds")
def _():
    f = jax.jit(lambda n: lax.fori_loop(0, n, lambda i, acc: acc + i, 0))
    return f(5), f(7)

@case("while_in_vmap")
def _():
    def collatz(n):
        return lax.while_loop(lambda s: s[0] > 1, lambda s: (jnp.where(s[0] % 2 == 0, s[0] // 2, 3 * s[0] + 1), s[1] + 1), (n, 0))[1]
    return jax.vmap(collatz)(jnp.array([1, 2, 3, 6, 7]))

@case("cond_tuple_operands")
def _(): return lax.cond(True, lambda a, b: a + b, lambda a, b: a - b, 1.0, 2.0)

@case("switch")
def _(): return [lax.switch(i, [lambda x: x, lambda x: x * 2, lambda x: x * 3], 5.0) for i in range(4)]

@case("custom_vjp_nondiff")
def _():
    @functools.partial(jax.custom_vjp, nondiff_argnums=(0,))
    def clip_grad(c, x): return x
    def fwd(c, x): return x, None
    def bwd(c, res, g): return (jnp.clip(g, -c, c),)
    clip_grad.defvjp(fwd, bwd)
    return jax.grad(lambda x: jnp.sum(clip_grad(0.5, x) * jnp.array([3.0, 0.1])))(jnp.ones(2))

@case("custom_jvp")
def _():
    @jax.custom_jvp
    def f(x): return jnp.log1p(jnp.exp(x))
    @f.defjvp
    def f_jvp(primals, tangents):
        x, = primals; t, = tangents
        return f(x), t * jax.nn.sigmoid(x)
    return jax.grad(f)(100.0), jax.vmap(jax.grad(f))(jnp.arange(3.0))

@case("at_drop_mode")
def _():
    x = jnp.zeros(4)
    return x.at[jnp.array([0, 5, 2])].add(1.0, mode="drop"), x.at[jnp.array([1, 9])].get(mode="fill", fill_value=-1.0)

@case("take_along_axis")
def _():
    x = jnp.array([[3, 1, 2], [9, 7, 8]])
    return jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1)

@case("where_size")
def _(): return jnp.where(jnp.array([0, 1, 0, 1, 1]) > 0, size=4, fill_value=-1)

@case("slogdet")
def _(): return jnp.linalg.slogdet(jnp.array([[2.0, 1.0], [1.0, 3.0]]))

@case("one_hot")
def _(): return jax.nn.one_hot(jnp.array([0, 2, -1, 3]), 3)

@case("random_split_unpack")
def _():
    k1, k2, k3 = jax.random.split(key, 3)
    return jax.random.normal(k1, (2,)), jax.random.uniform(k2, (2,)), jax.random.randint(k3, (3,), 0, 10)

@case("typed_key")
def _():
    k = jax.random.key(42)
    return jax.random.key_data(k), jax.random.normal(jax.random.fold_in(k, 3), (2,))

@case("hessian")
def _(): return jax.hessian(lambda x: jnp.sum(x ** 3 * jnp.sin(x)))(jnp.array([0.5, 1.0]))

@case("jacfwd_dict")
def _(): return jax.jacfwd(lambda x: {"a": x ** 2, "b": jnp.sum(x)})(jnp.array([1.0, 2.0]))

@case("tree_flatten_with_path")
def _():
    leaves, _ = jax.tree_util.tree_flatten_with_path({"a": [1, 2], "b": (3,)})
    return [jax.tree_util.keystr(p) for p, _ in leaves]

@case("register_dataclass")
def _():
    @functools.partial(jax.tree_util.register_dataclass, data_fields=["w"], meta_fields=["n"])
    @dataclasses.dataclass
    class P:
        w: object
        n: int
    p = P(jnp.ones(2), 3)
    return jax.jit(lambda p: p.w * p.n)(p)

@case("register_pytree_node_class")
def _():
    @jax.tree_util.register_pytree_node_class
    class Box:
        def __init__(self, v): self.v = v
        def tree_flatten(self): return (self.v,), None
        @classmethod
        def tree_unflatten(cls, aux, ch): return cls(*ch)
    return jax.grad(lambda b: jnp.sum(b.v ** 2))(Box(jnp.arange(3.0))).v

@case("glorot")
def _(): return jax.nn.initializers.glorot_normal()(key, (3, 2)).shape

@case("logsumexp_b_sign")
def _():
    from importlib import import_module
    sp = import_module("jaxish.scipy.special")
    return sp.logsumexp(jnp.array([1.0, 2.0, 3.0]), b=jnp.array([1.0, -1.0, 0.5]), return_sign=True)

@case("jit_method_static_self")
def _():
    class M:
        def __init__(self, s): self.s = s
        def __hash__(self): return hash(self.s)
        def __eq__(self, o): return self.s == o.s
        @functools.partial(jax.jit, static_argnums=0)
        def f(self, x): return x * self.s
    return M(2.0).f(jnp.ones(2)), M(3.0).f(jnp.ones(2))

@case("debug_print_in_jit")
def _():
    @jax.jit
    def f(x):
        jax.debug.print("x={x}", x=x)
        return x + 1
    return f(jnp.arange(2.0))

@case("pure_callback")
def _():
    def host(x): return np.sin(np.asarray(x))
    f = jax.jit(lambda x: jax.pure_callback(host, jax.ShapeDtypeStruct(x.shape, x.dtype), x))
    return f(jnp.arange(3.0))

@case("einsum_optimize")
def _(): return jnp.einsum("ij,jk,kl->il", jnp.ones((2, 3)), jnp.ones((3, 4)), jnp.ones((4, 2)), optimize="optimal")

@case("stop_gradient")
def _(): return jax.grad(lambda x: x * lax.stop_gradient(x) + x ** 2)(3.0)

@case("checkpoint_static")
def _():
    f = jax.checkpoint(lambda x, n: jnp.sin(x) * n, static_argnums=(1,))
    return jax.grad(lambda x: f(x, 3))(1.0)

@case("grad_int_argnums_tuple")
def _(): return jax.grad(lambda a, b, c: a * b * c, argnums=(0, 2))(1.0, 2.0, 3.0)

@case("jit_donate")
def _():
    f = jax.jit(lambda x: x * 2, donate_argnums=0)
    return f(jnp.ones(3))

@case("device_put_devices")
def _(): return jax.device_put(jnp.ones(2), jax.devices()[0]) + 1, int(len(jax.devices()) >= 1)

@case("linear_transpose")
def _():
    f = lambda x: jnp.array([2.0, 3.0]) * x
    return jax.linear_transpose(f, 1.0)(jnp.array([1.0, 1.0]))

@case("vjp_multiple")
def _():
    y, vjp = jax.vjp(lambda a, b: (a * b, a + b), 2.0, 3.0)
    return y, vjp((1.0, 1.0))

@case("jnp_vectorize")
def _(): return jnp.vectorize(lambda a, b: a @ b, signature="(n),(n)->()")(jnp.ones((3, 4)), jnp.ones(4))

@case("lax_reduce_window_avgpool")
def _():
    x = jnp.arange(16.0).reshape(1, 4, 4, 1)
    return lax.reduce_window(x, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID") / 4

@case("conv_nhwc")
def _():
    x = jnp.ones((1, 5, 5, 2)); w = jnp.ones((3, 3, 2, 4))
    return lax.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")).sum(axis=(0, 3))

@case("nn_softmax_where")
def _(): return jax.nn.softmax(jnp.array([1.0, 2.0, 3.0]), where=jnp.array([True, False, True]))

@case("random_categorical_choice")
def _(): return jax.random.categorical(key, jnp.log(jnp.array([0.1, 0.2, 0.7])), shape=(5,)), jax.random.choice(key, 5, (3,), replace=False)

@case("tree_reduce_leaves")
def _(): return jax.tree_util.tree_reduce(lambda a, b: a + b, {"x": jnp.ones(2), "y": [jnp.ones(2), 2.0]})

@case("eval_shape")
def _(): return str(jax.eval_shape(lambda x: x @ x.T, jax.ShapeDtypeStruct((3, 4), jnp.float32)).shape)

@case("jnp_unique_size")
def _(): return jnp.unique(jnp.array([3, 1, 3, 2]), size=4, fill_value=0)

@case("argmax_keepdims")
def _(): return jnp.argmax(jnp.array([[1, 5, 2], [7, 0, 1]]), axis=1, keepdims=True)

@case("cumsum_reverse_lax")
def _(): return lax.cumsum(jnp.arange(4.0), reverse=True)

@case("lax_map_batch")
def _(): return lax.map(lambda x: x ** 2, jnp.arange(5.0), batch_size=2)

@case("jnp_pad_reflect")
def _(): return jnp.pad(jnp.arange(4.0), (2, 1), mode="reflect")

@case("segment_sum")
def _(): return jax.ops.segment_sum(jnp.arange(5.0), jnp.array([0, 0, 1, 2, 2]), num_segments=3)

@case("jnp_interp")
def _(): return jnp.interp(jnp.array([0.5, 1.5]), jnp.array([0.0, 1.0, 2.0]), jnp.array([0.0, 10.0, 0.0]))

@case("dtype_promotion_mixed")
def _(): return (jnp.ones(2, jnp.bfloat16) + jnp.ones(2, jnp.float16)).dtype.name, (jnp.int8(1) + 1.0).dtype.name

@case("astype_and_view")
def _(): return jnp.arange(3).astype(jnp.float32) / 2, jnp.array([1.0], jnp.float32).view(jnp.int32)


key1 = jax.random.PRNGKey(1)

A = jnp.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
@case("eigh")
def _(): w, v = jnp.linalg.eigh(A); return w, jnp.abs(v)
@case("svd")
def _(): return jnp.linalg.svd(A, compute_uv=False)
@case("qr_abs")
def _(): q, r = jnp.linalg.qr(A); return jnp.abs(r)
@case("cholesky_solve")
def _(): return jnp.linalg.cholesky(A), jnp.linalg.solve(A, jnp.ones(3)), jnp.linalg.inv(A)
@case("norms")
def _(): return jnp.linalg.norm(A), jnp.linalg.norm(A, ord=2), jnp.linalg.norm(A, ord="nuc"), jnp.linalg.norm(A[0], ord=1)
@case("lstsq")
def _(): return jnp.linalg.lstsq(A[:, :2], jnp.ones(3))[0]
@case("rfft")
def _(): return jnp.abs(jnp.fft.rfft(jnp.arange(8.0))), jnp.fft.irfft(jnp.fft.rfft(jnp.arange(8.0)))
@case("dynamic_slice_update")
def _():
    x = jnp.arange(10.0)
    return lax.dynamic_slice(x, (8,), (4,)), lax.dynamic_update_slice(x, jnp.ones(3), (9,)), lax.dynamic_slice_in_dim(x, 2, 3)
@case("clamp_select")
def _(): return lax.clamp(0.0, jnp.array([-1.0, 0.5, 2.0]), 1.0), lax.select(jnp.array([True, False]), jnp.ones(2), jnp.zeros(2))
@case("sort_multi_topk")
def _():
    k, v = lax.sort((jnp.array([3, 1, 2]), jnp.array([10.0, 20.0, 30.0])), num_keys=1)
    return k, v, lax.top_k(jnp.array([1.0, 5.0, 3.0, 4.0]), 2), lax.argmax(jnp.array([1, 5, 3]), 0, jnp.int32)
@case("histogram_bincount")
def _(): return jnp.histogram(jnp.array([0.1, 0.5, 0.7, 0.9]), bins=2), jnp.bincount(jnp.array([0, 2, 2]), length=4)
@case("searchsorted_digitize")
def _(): return jnp.searchsorted(jnp.array([1.0, 2.0, 3.0]), jnp.array([2.0, 2.5]), side="right"), jnp.digitize(jnp.array([0.5, 1.5]), jnp.array([1.0, 2.0]))
@case("nn_funcs")
def _():
    x = jnp.array([-2.0, 0.0, 3.0])
    return jax.nn.gelu(x, approximate=False), jax.nn.relu6(x * 3), jax.nn.log_softmax(x), jax.nn.standardize(x), jax.nn.silu(x), jax.nn.softplus(x), jax.nn.glu(jnp.arange(4.0))
@case("random_dists")
def _():
    ks = jax.random.split(key1, 8)
    return (jax.random.permutation(ks[0], 5), jax.random.bernoulli(ks[1], 0.3, (4,)), jax.random.truncated_normal(ks[2], -1.0, 1.0, (3,)),
            jax.random.gumbel(ks[3], (2,)), jax.random.beta(ks[4], 2.0, 3.0, (2,)), jax.random.dirichlet(ks[5], jnp.ones(3)),
            jax.random.multivariate_normal(ks[6], jnp.zeros(2), jnp.eye(2), (2,)), jax.random.exponential(ks[7], (2,)))
@case("partial_tree_transpose")
def _():
    p = jax.tree_util.Partial(lambda a, b: a * b, 3.0)
    t = jax.tree_util.tree_transpose(jax.tree_util.tree_structure([0, 0]), jax.tree_util.tree_structure((0, 0)), [(1, 2), (3, 4)])
    return jax.jit(lambda f, x: f(x))(p, 2.0), t
@case("associative_scan")
def _(): return lax.associative_scan(jnp.add, jnp.arange(1.0, 6.0)), lax.associative_scan(jnp.maximum, jnp.array([1, 3, 2, 5, 4]), reverse=True)
@case("at_apply_min")
def _():
    x = jnp.arange(5.0)
    return x.at[1:3].apply(jnp.sin), x.at[jnp.array([0, 0])].min(-1.0), x.at[::2].multiply(2.0)
@case("convolve_same")
def _(): return jnp.convolve(jnp.arange(5.0), jnp.array([1.0, 0.5]), mode="same"), jnp.correlate(jnp.arange(5.0), jnp.array([1.0, 2.0]), mode="valid"), jnp.diff(jnp.arange(6.0) ** 2, n=2)
@case("scipy_stats")
def _():
    from importlib import import_module
    st = import_module("jaxish" + ".scipy.stats")
    x = jnp.array([0.5, 1.5])
    return st.norm.logpdf(x), st.norm.cdf(x), st.poisson.logpmf(jnp.array([1, 2]), 2.0), st.beta.pdf(jnp.array([0.3]), 2.0, 3.0), st.gamma.logpdf(x, 2.0)
@case("scipy_linalg")
def _():
    from importlib import import_module
    la = import_module("jaxish" + ".scipy.linalg")
    return la.expm(A * 0.1), la.solve_triangular(jnp.triu(A), jnp.ones(3)), la.cho_solve(la.cho_factor(A), jnp.ones(3))
@case("special")
def _():
    from importlib import import_module
    sp = import_module("jaxish" + ".scipy.special")
    x = jnp.array([0.5, 2.0])
    return sp.gammaln(x), sp.erfinv(jnp.array([0.3])), sp.xlogy(x, x), sp.digamma(x), sp.expit(x), sp.logit(jnp.array([0.3]))
@case("scan_pytree_xs")
def _():
    def body(c, xs): return c + xs["a"] * xs["b"], (c, xs["a"])
    return lax.scan(body, 0.0, {"a": jnp.arange(3.0), "b": jnp.ones(3)})
@case("fori_tuple_carry")
def _(): return lax.fori_loop(0, 4, lambda i, c: (c[0] + i, c[1] * 2), (0, 1.0))
@case("sgd_tree")
def _():
    params = {"w": jnp.ones((2, 2)), "b": jnp.zeros(2)}
    def loss(p, x): return jnp.sum((x @ p["w"] + p["b"]) ** 2)
    for _ in range(3):
        g = jax.grad(loss)(params, jnp.array([[1.0, 2.0]]))
        params = jax.tree.map(lambda p, g: p - 0.01 * g, params, g)
    return params
@case("jit_none_out")
def _(): return jax.jit(lambda x: (x, None, ()))(1.0)
@case("where_one_arg_nonzero_size")
def _(): return jnp.nonzero(jnp.array([0, 3, 0, 4]), size=3, fill_value=9), jnp.argwhere(jnp.array([[0, 1], [1, 0]]))
@case("cummax_accumulate")
def _(): return lax.cummax(jnp.array([1, 3, 2, 5])), jnp.maximum.accumulate(jnp.array([1, 3, 2, 5])), jnp.cumprod(jnp.array([1.0, 2.0, 3.0]))
@case("round_isclose_nan_to_num")
def _(): return jnp.round(jnp.array([1.2345, -2.5]), 2), jnp.isclose(jnp.array([1.0, 1.1]), 1.0), jnp.nan_to_num(jnp.array([jnp.nan, jnp.inf]))
@case("key_data_wrap")
def _():
    k = jax.random.key(7)
    d = jax.random.key_data(k)
    k2 = jax.random.wrap_key_data(d)
    return d, jax.random.uniform(k2, (2,)), jax.random.uniform(jax.random.split(k)[1], (2,))
@case("named_scope_jvp")
def _():
    with jax.named_scope("blk"):
        y, t = jax.jvp(lambda x: jnp.sin(x) * x, (1.0,), (1.0,))
    return y, t
@case("matrix_power_kron_trace")
def _(): return jnp.linalg.matrix_power(A, 3), jnp.kron(jnp.eye(2), jnp.ones((2, 2))), jnp.trace(A), jnp.tril_indices(3)
@case("grad_of_while_error")
def _():
    try:
        jax.grad(lambda x: lax.while_loop(lambda c: c < 10, lambda c: c * 2, x))(1.0)
        return "no error"
    except Exception as e:
        return type(e).__name__
@case("vmap_in_axes_neg_out_none")
def _(): return jax.vmap(lambda x, y: x + y, in_axes=(-1, None))(jnp.arange(6.0).reshape(2, 3), 1.0)
@case("jacrev_holomorphic")
def _(): return jax.jacrev(lambda z: z ** 2, holomorphic=True)(jnp.array([1.0 + 1j, 2.0]))
@case("checkpoint_policy_dots")
def _(): return jax.grad(jax.checkpoint(lambda x: jnp.sum(jnp.tanh(x @ x)), policy=jax.checkpoint_policies.dots_saveable))(A)


A2 = jnp.array([[2.0, 0.5], [0.5, 1.0]])

@case("jit_grad_scan_remat")
def _():
    def f(x):
        def body(c, _): return jax.checkpoint(lambda c: jnp.sin(c) * 1.1)(c), c
        return lax.scan(body, x, None, length=5)[0].sum()
    return jax.jit(jax.grad(f))(jnp.array([0.3, 0.7]))
@case("vmap_cond_batched_pred")
def _(): return jax.vmap(lambda x: lax.cond(x > 0, lambda v: v * 2, lambda v: -v, x))(jnp.array([-1.0, 2.0, 0.5]))
@case("nested_vmap_in_axes")
def _(): return jax.vmap(jax.vmap(lambda a, b: a * b, in_axes=(0, None)), in_axes=(None, 0))(jnp.arange(3.0), jnp.arange(2.0))
@case("jvp_while")
def _(): return jax.jvp(lambda x: lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5), (0, x))[1], (2.0,), (1.0,))
@case("custom_vjp_pytree_res_vmap")
def _():
    @jax.custom_vjp
    def f(x): return jnp.sin(x)
    def fwd(x): return jnp.sin(x), {"c": jnp.cos(x), "x": x}
    def bwd(res, g): return (g * res["c"] * 2,)
    f.defvjp(fwd, bwd)
    return jax.vmap(jax.grad(f))(jnp.array([0.1, 0.5]))
@case("grad_sort_gather_neg")
def _():
    return jax.grad(lambda x: jnp.sort(x)[-1] * 3 + x[-2])(jnp.array([3.0, 1.0, 2.0]))
@case("grad_norm_at_zero")
def _(): return jax.grad(lambda x: jnp.linalg.norm(x))(jnp.zeros(2))
@case("eigh_grad")
def _(): return jax.grad(lambda a: jnp.linalg.eigh(a)[0][-1])(A2)
@case("svd_grad")
def _(): return jax.grad(lambda a: jnp.linalg.svd(a, compute_uv=False).sum())(A2)
@case("double_where")
def _():
    def f(x):
        safe = jnp.where(x > 0, x, 1.0)
        return jnp.where(x > 0, jnp.log(safe), 0.0)
    return jax.grad(lambda x: f(x).sum())(jnp.array([0.0, 2.0]))
@case("vmap_random_split")
def _():
    keys = jax.random.split(jax.random.PRNGKey(3), 3)
    return jax.vmap(lambda k: jax.random.normal(k, (2,)))(keys)
@case("dot_product_attention")
def _():
    q = jnp.arange(24.0).reshape(1, 3, 2, 4) / 10
    return jax.nn.dot_product_attention(q, q, q, is_causal=True)
@case("einsum_grad")
def _(): return jax.grad(lambda a, b: jnp.einsum("ij,jk->", a, b), argnums=(0, 1))(A2, A2 * 2)
@case("linearize")
def _():
    y, f_jvp = jax.linearize(lambda x: jnp.sin(x) * x, 1.0)
    return y, f_jvp(2.0)
@case("vjp_has_aux")
def _():
    y, vjp, aux = jax.vjp(lambda x: (x ** 2, x + 10), 3.0, has_aux=True)
    return y, vjp(1.0), aux
@case("jacfwd_of_vmap")
def _(): return jax.jacfwd(jax.vmap(lambda x: jnp.sin(x) * x))(jnp.array([0.5, 1.0]))
@case("hessian_dict")
def _(): return jax.hessian(lambda p: p["a"] ** 2 * p["b"])({"a": 1.0, "b": 2.0})
@case("scatter_add_lax")
def _():
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
    return lax.scatter_add(jnp.zeros(4), jnp.array([[1], [1], [3]]), jnp.array([1.0, 2.0, 3.0]), dn)
@case("grad_of_grad_custom_jvp_softplus")
def _(): return jax.grad(jax.grad(jax.nn.softplus))(0.3)
@case("jit_static_tuple_arg")
def _(): return jax.jit(lambda x, shape: jnp.reshape(x, shape), static_argnums=1)(jnp.arange(6.0), (2, 3))
@case("vmap_of_jit_with_consts")
def _():
    c = jnp.array([1.0, 2.0])
    return jax.vmap(jax.jit(lambda x: x * c))(jnp.ones((3, 2)))
@case("lax_reduce_custom")
def _(): return lax.reduce(jnp.arange(1.0, 5.0), 1.0, lambda a, b: a * b, (0,))
@case("while_fori_grad_fori")
def _(): return jax.grad(lambda x: lax.fori_loop(0, 3, lambda i, c: c * x, 1.0))(2.0)
@case("map_over_pytree_leaves_jit")
def _(): return jax.jit(lambda t: jax.tree.map(jnp.sum, t))({"a": jnp.ones(3), "b": [jnp.ones((2, 2))]})
@case("grad_through_cumsum_cumprod")
def _(): return jax.grad(lambda x: jnp.cumprod(x)[-1] + jnp.cumsum(x)[1])(jnp.array([1.0, 2.0, 3.0]))
@case("grad_clip_maximum_tie")
def _(): return jax.grad(lambda x: jnp.maximum(x, 1.0).sum() + jnp.clip(x, 0.0, 2.0).sum())(jnp.array([1.0, 2.0, 3.0]))
@case("grad_abs_at_zero_sign")
def _(): return jax.grad(lambda x: jnp.abs(x).sum())(jnp.array([0.0, -1.0])), jax.grad(lambda x: jnp.sqrt(x))(4.0)
@case("argmax_grad_zero")
def _(): return jax.grad(lambda x: x[jnp.argmax(x)] * 2)(jnp.array([1.0, 5.0, 3.0]))
@case("complex_grad")
def _(): return jax.grad(lambda z: jnp.abs(z) ** 2)(1.0 + 2.0j)
@case("jacrev_matrix_out")
def _(): return jax.jacrev(lambda x: jnp.outer(x, x))(jnp.array([1.0, 2.0]))
@case("logsumexp_grad_inf")
def _(): return jax.grad(lambda x: jax.nn.logsumexp(x))(jnp.array([-jnp.inf, 0.0, 1.0]))
@case("softmax_grad")
def _(): return jax.jacrev(jax.nn.softmax)(jnp.array([0.0, 1.0]))
@case("pmap_like_vmap_psum_mean")
def _(): return jax.vmap(lambda x: x - lax.pmean(x, "b"), axis_name="b")(jnp.arange(4.0))
@case("scan_grad_carry_tuple")
def _():
    def f(w):
        def body(c, x): h, s = c; h = jnp.tanh(w * h + x); return (h, s + h), h
        return lax.scan(body, (0.0, 0.0), jnp.array([0.1, 0.2, 0.3]))[0][1]
    return jax.grad(f)(0.5)
@case("remat_grad_matches")
def _(): return jax.grad(jax.remat(lambda x: jnp.sin(jnp.sin(x))))(0.7)

@case("adam_opt")
def _():
    init, update, get = optimizers.adam(0.1)
    st = init({"w": jnp.ones(2)})
    for i in range(3):
        g = jax.grad(lambda p: jnp.sum(p["w"] ** 2))(get(st))
        st = update(i, g, st)
    return get(st)
@case("sgd_momentum_schedule")
def _():
    init, update, get = optimizers.momentum(optimizers.exponential_decay(0.1, 1, 0.5), 0.9)
    st = init(jnp.array([1.0, -1.0]))
    for i in range(3):
        st = update(i, get(st) * 2, st)
    return get(st)
@case("stax_mlp")
def _():
    init, apply = stax.serial(stax.Dense(4), stax.Relu, stax.Dense(2), stax.LogSoftmax)
    out_shape, params = init(key, (-1, 3))
    return out_shape, apply(params, jnp.ones((2, 3)))
@case("stax_conv")
def _():
    init, apply = stax.serial(stax.Conv(2, (3, 3), padding="SAME"), stax.BatchNorm(), stax.Relu, stax.Flatten, stax.Dense(1))
    out_shape, params = init(key, (1, 5, 5, 1))
    return out_shape, apply(params, jnp.ones((1, 5, 5, 1)))
@case("ravel_pytree")
def _():
    flat, unravel = ravel_pytree({"a": jnp.ones(2), "b": (jnp.zeros((2, 2)), 3.0)})
    return flat, unravel(flat * 2)
@case("initializers")
def _():
    from importlib import import_module
    init = import_module("jaxish.nn.initializers")
    return (init.he_normal()(key, (3, 2)), init.lecun_uniform()(key, (2, 2)), init.orthogonal()(key, (3, 3)),
            init.variance_scaling(2.0, "fan_avg", "truncated_normal")(key, (2, 3)), init.constant(0.5)(key, (2,)), init.zeros(key, (2,)))
@case("clip_grads_l2")
def _(): return optimizers.clip_grads({"a": jnp.array([3.0, 4.0])}, 1.0), optimizers.l2_norm({"a": jnp.array([3.0, 4.0])})
@case("nn_misc")
def _():
    x = jnp.array([[-1.0, 0.5, 2.0]])
    return jax.nn.elu(x), jax.nn.celu(x), jax.nn.selu(x), jax.nn.leaky_relu(x), jax.nn.hard_tanh(x), jax.nn.log_sigmoid(x), jax.nn.sparse_plus(x) if hasattr(jax.nn, "sparse_plus") else 0, jax.nn.mish(x) if hasattr(jax.nn, "mish") else 0

# JAX 0.10.2's results for the cases above
EXPECTED = {'adam_opt': [[0.7016000151634216, 0.7016000151634216]],
 'argmax_grad_zero': [[0.0, 2.0, 0.0]],
 'argmax_keepdims': [[[1], [0]]],
 'associative_scan': [[1.0, 3.0, 6.0, 10.0, 15.0], [5, 5, 5, 5, 4]],
 'astype_and_view': [[0.0, 0.5, 1.0], [1065353216]],
 'at_apply_min': [[0.0, 0.8414999842643738, 0.9093000292778015, 3.0, 4.0], [-1.0, 1.0, 2.0, 3.0, 4.0],
                  [0.0, 1.0, 4.0, 3.0, 8.0]],
 'at_drop_mode': [[1.0, 0.0, 1.0, 0.0], [0.0, -1.0]],
 'checkpoint_policy_dots': [[[0.006599999964237213, 0.0917000025510788, 0.2207999974489212],
                             [0.0917000025510788, 0.0723000019788742, 0.9103000164031982],
                             [0.2207999974489212, 0.9103000164031982, 0.08190000057220459]]],
 'checkpoint_static': [1.62090003490448],
 'cholesky_solve': [[[2.0, 0.0, 0.0], [0.5, 1.6583000421524048, 0.0],
                     [0.25, 0.04520000144839287, 1.3911999464035034]],
                    [0.12960000336170197, 0.260699987411499, 0.4415000081062317],
                    [[0.2799000144004822, -0.08919999748468399, -0.06109999865293503],
                     [-0.08919999748468399, 0.36399999260902405, -0.014100000262260437],
                     [-0.06109999865293503, -0.014100000262260437, 0.516700029373169]]],
 'clamp_select': [[0.0, 0.5, 1.0], [1.0, 0.0]],
 'clip_grads_l2': [[0.6000000238418579, 0.800000011920929], 5.0],
 'complex_grad': [[2.0, -4.0]],
 'cond_tuple_operands': [3.0],
 'conv_nhwc': [[[32.0, 48.0, 48.0, 48.0, 32.0], [48.0, 72.0, 72.0, 72.0, 48.0],
                [48.0, 72.0, 72.0, 72.0, 48.0], [48.0, 72.0, 72.0, 72.0, 48.0],
                [32.0, 48.0, 48.0, 48.0, 32.0]]],
 'convolve_same': [[0.0, 1.0, 2.5, 4.0, 5.5], [2.0, 5.0, 8.0, 11.0], [2.0, 2.0, 2.0, 2.0]],
 'cummax_accumulate': [[1, 3, 3, 5], [1, 3, 3, 5], [1.0, 2.0, 6.0]],
 'cumsum_reverse_lax': [[6.0, 6.0, 5.0, 3.0]],
 'custom_jvp': [1.0, [0.5, 0.7311000227928162, 0.8808000087738037]],
 'custom_vjp_nondiff': [[0.5, 0.10000000149011612]],
 'custom_vjp_pytree_res_vmap': [[1.9900000095367432, 1.7552000284194946]],
 'debug_print_in_jit': [[1.0, 2.0]],
 'device_put_devices': [[2.0, 2.0], 1],
 'dot_product_attention': [[[[[0.0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896],
                              [0.4000000059604645, 0.5, 0.6000000238418579, 0.699999988079071]],
                             [[0.6564000248908997, 0.7563999891281128, 0.8564000129699707,
                               0.9563999772071838],
                              [1.117300033569336, 1.2173000574111938, 1.3172999620437622,
                               1.4172999858856201]],
                             [[1.548699975013733, 1.6486999988555908, 1.7487000226974487, 1.8487000465393066],
                              [1.9736000299453735, 2.0736000537872314, 2.1735999584198,
                               2.2736001014709473]]]]],
 'double_where': [[0.0, 0.5]],
 'dtype_promotion_mixed': ['float32', 'float32'],
 'dynamic_slice_update': [[6.0, 7.0, 8.0, 9.0], [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.0, 1.0, 1.0],
                          [2.0, 3.0, 4.0]],
 'eigh': [[1.8801000118255615, 2.3982999324798584, 4.72160005569458],
          [[0.2529999911785126, 0.48190000653266907, 0.8389000296592712],
           [0.05339999869465828, 0.8587999939918518, 0.5095000267028809],
           [0.9660000205039978, 0.1738000065088272, 0.1915999948978424]]],
 'eigh_grad': [[[0.853600025177002, 0.35359999537467957], [0.35359999537467957, 0.14640000462532043]]],
 'einsum_grad': [[[5.0, 3.0], [5.0, 3.0]], [[2.5, 2.5], [1.5, 1.5]]],
 'einsum_optimize': [[[12.0, 12.0], [12.0, 12.0]]],
 'eval_shape': ['(3, 3)'],
 'fori_traced_bounds': [10, 21],
 'fori_tuple_carry': [6, 16.0],
 'glorot': [3, 2],
 'grad_abs_at_zero_sign': [[1.0, -1.0], 0.25],
 'grad_clip_maximum_tie': [[1.5, 1.5, 1.0]],
 'grad_int_argnums_tuple': [6.0, 2.0],
 'grad_norm_at_zero': [[math.nan, math.nan]],
 'grad_of_grad_custom_jvp_softplus': [0.24449999630451202],
 'grad_of_while_error': ['ValueError'],
 'grad_sort_gather_neg': [[3.0, 1.0, 0.0]],
 'grad_through_cumsum_cumprod': [[7.0, 4.0, 2.0]],
 'hessian': [[[2.694700002670288, 0.0], [0.0, 7.44920015335083]]],
 'hessian_dict': [4.0, 2.0, 2.0, 0.0],
 'histogram_bincount': [[1.0, 3.0], [0.10000000149011612, 0.5, 0.8999999761581421], [1, 0, 2, 0]],
 'initializers': [[[1.3515000343322754, 1.5916999578475952], [-0.3831000030040741, -0.06960000097751617],
                   [0.1559000015258789, -0.847100019454956]],
                  [[1.09660005569458, 1.1722999811172485], [-0.4108000099658966, -0.07670000195503235]],
                  [[0.9553999900817871, 0.29409998655319214, 0.026000000536441803],
                   [-0.046300001442432404, 0.2361000031232834, -0.9706000089645386],
                   [-0.29159998893737793, 0.9261000156402588, 0.23919999599456787]],
                  [[1.4804999828338623, 1.7436000108718872, -0.4196000099182129],
                   [-0.0763000026345253, 0.17080000042915344, -0.9279999732971191]],
                  [0.5, 0.5], [0.0, 0.0]],
 'jacfwd_dict': [[[2.0, 0.0], [0.0, 4.0]], [1.0, 1.0]],
 'jacfwd_of_vmap': [[[0.9182000160217285, 0.0], [0.0, 1.3818000555038452]]],
 'jacrev_holomorphic': [[[[2.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [4.0, 0.0]]]],
 'jacrev_matrix_out': [[[[2.0, 0.0], [2.0, 1.0]], [[2.0, 1.0], [0.0, 4.0]]]],
 'jit_donate': [[2.0, 2.0, 2.0]],
 'jit_grad_scan_remat': [[1.1684000492095947, 0.39579999446868896]],
 'jit_method_static_self': [[2.0, 2.0], [3.0, 3.0]],
 'jit_none_out': [1.0],
 'jit_static_argnames': [[3.0, 3.0, 3.0], [4.0, 4.0, 4.0]],
 'jit_static_tuple_arg': [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]],
 'jnp_interp': [[5.0, 5.0]],
 'jnp_pad_reflect': [[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0]],
 'jnp_unique_size': [[1, 2, 3, 0]],
 'jnp_vectorize': [[4.0, 4.0, 4.0]],
 'jvp_while': [15.1875, 7.593800067901611],
 'key_data_wrap': [[0, 7], [0.6740999817848206, 0.9746000170707703], [0.6751000285148621, 0.826200008392334]],
 'lax_map_batch': [[0.0, 1.0, 4.0, 9.0, 16.0]],
 'lax_reduce_custom': [24.0],
 'lax_reduce_window_avgpool': [[[[[2.5], [4.5]], [[10.5], [12.5]]]]],
 'linear_transpose': [5.0],
 'linearize': [0.8414999842643738, 2.7634999752044678],
 'logsumexp_b_sign': [1.6812000274658203, 1.0],
 'logsumexp_grad_inf': [[0.0, 0.2689000070095062, 0.7311000227928162]],
 'lstsq': [[0.2069000005722046, 0.2720000147819519]],
 'map_over_pytree_leaves_jit': [3.0, 4.0],
 'matrix_power_kron_trace': [[[77.69999694824219, 39.189998626708984, 16.44499969482422],
                              [39.189998626708984, 37.52000045776367, 8.557999610900879],
                              [16.44499969482422, 8.557999610900879, 10.479999542236328]],
                             [[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0],
                              [0.0, 0.0, 1.0, 1.0]],
                             9.0, [0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]],
 'named_scope_jvp': [0.8414999842643738, 1.3818000555038452],
 'nested_vmap_in_axes': [[[0.0, 0.0, 0.0], [0.0, 1.0, 2.0]]],
 'nn_funcs': [[-0.045499999076128006, 0.0, 2.996000051498413], [0.0, 0.0, 6.0],
              [-5.054999828338623, -3.055000066757202, -0.054999999701976776],
              [-1.1354999542236328, -0.16220000386238098, 1.2977999448776245],
              [-0.23839999735355377, 0.0, 2.8577001094818115],
              [0.12690000236034393, 0.6930999755859375, 3.0485999584198], [0.0, 0.9526000022888184]],
 'nn_misc': [[[-0.632099986076355, 0.5, 2.0]], [[-0.632099986076355, 0.5, 2.0]],
             [[-1.111299991607666, 0.5253999829292297, 2.1013998985290527]],
             [[-0.009999999776482582, 0.5, 2.0]], [[-1.0, 0.5, 1.0]],
             [[-1.3133000135421753, -0.4740999937057495, -0.12690000236034393]], [[0.0, 0.5625, 2.0]],
             [[-0.3034000098705292, 0.3752000033855438, 1.944000005722046]]],
 'nn_softmax_where': [[0.11919999867677689, 0.0, 0.8808000087738037]],
 'norms': [5.61959981918335, 4.72160005569458, 9.0, 5.5],
 'one_hot': [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]],
 'partial_tree_transpose': [6.0, 1, 3, 2, 4],
 'pmap_like_vmap_psum_mean': [[-1.5, -0.5, 0.5, 1.5]],
 'pure_callback': [[0.0, 0.8414999842643738, 0.9093000292778015]],
 'qr_abs': [[[4.153299808502197, 1.7094999551773071, 0.7705000042915344],
             [0.0, 2.6679000854492188, 0.06859999895095825], [0.0, 0.0, 1.9213999509811401]]],
 'random_categorical_choice': [[1, 2, 2, 1, 2], [0, 1, 4]],
 'random_dists': [[1, 2, 4, 3, 0], [False, False, True, True],
                  [0.0989999994635582, -0.49129998683929443, 0.43630000948905945],
                  [-0.6208000183105469, -0.3490999937057495], [0.8585000038146973, 0.2337000072002411],
                  [0.023099999874830246, 0.5587000250816345, 0.41819998621940613],
                  [[0.8162999749183655, 1.481600046157837], [0.9865000247955322, -1.3006000518798828]],
                  [1.5485999584197998, 1.6627999544143677]],
 'random_split_unpack': [[1.003999948501587, -0.9063000082969666],
                         [0.007300000172108412, 0.020899999886751175], [9, 4, 3]],
 'ravel_pytree': [[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 3.0], [2.0, 2.0], [[0.0, 0.0], [0.0, 0.0]], 6.0],
 'register_dataclass': [[3.0, 3.0]],
 'register_pytree_node_class': [[0.0, 2.0, 4.0]],
 'remat_grad_matches': [0.6115000247955322],
 'rfft': [[28.0, 10.452500343322754, 5.656899929046631, 4.329599857330322, 4.0],
          [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]],
 'round_isclose_nan_to_num': [[1.2300000190734863, -2.5], [True, False], [0.0, math.inf]],
 'scan_grad_carry_tuple': [0.33889999985694885],
 'scan_pytree_xs': [3.0, [0.0, 0.0, 1.0], [0.0, 1.0, 2.0]],
 'scan_reverse_length': [4, [3, 2, 1, 0]],
 'scan_unroll': [9.048999786376953, [0.0, 2.0, 5.800000190734863, 11.220000267028809, 18.097999572753906]],
 'scatter_add_lax': [[0.0, 3.0, 0.0, 3.0]],
 'scipy_linalg': [[[1.5008000135421753, 0.1429000049829483, 0.06909999996423721],
                   [0.1429000049829483, 1.357200026512146, 0.029100000858306885],
                   [0.06909999996423721, 0.029100000858306885, 1.2232999801635742]],
                  [0.11249999701976776, 0.30000001192092896, 0.5],
                  [0.12960000336170197, 0.260699987411499, 0.4415000081062317]],
 'scipy_stats': [[-1.0439000129699707, -2.0439000129699707], [0.6915000081062317, 0.9332000017166138],
                 [-1.3069000244140625, -1.3069000244140625], [1.7640000581741333],
                 [-1.1930999755859375, -1.094499945640564]],
 'searchsorted_digitize': [[2, 2], [0, 1]],
 'segment_sum': [[1.0, 2.0, 7.0]],
 'sgd_momentum_schedule': [[0.5220000147819519, -0.5220000147819519]],
 'sgd_tree': [[-0.15929999947547913, -0.15929999947547913],
              [[0.8406999707221985, 0.8406999707221985], [0.6815000176429749, 0.6815000176429749]]],
 'slogdet': [1.0, 1.6094000339508057],
 'softmax_grad': [[[0.19660000503063202, -0.19660000503063202], [-0.19660000503063202, 0.19660000503063202]]],
 'sort_multi_topk': [[1, 2, 3], [20.0, 30.0, 10.0], [5.0, 4.0], [1, 3], 1],
 'special': [[0.5723999738693237, 0.0], [0.27250000834465027], [-0.3465999960899353, 1.386299967765808],
             [-1.9635000228881836, 0.4228000044822693], [0.6225000023841858, 0.8808000087738037],
             [-0.8472999930381775]],
 'stax_conv': [1, 1, [[1.7735999822616577]]],
 'stax_mlp': [-1, 2,
              [[-0.9567999839782715, -0.4846999943256378], [-0.9567999839782715, -0.4846999943256378]]],
 'stop_gradient': [9.0],
 'svd': [[4.72160005569458, 2.3982999324798584, 1.8801000118255615]],
 'svd_grad': [[[1.0, 0.0], [-0.0, 1.0]]],
 'switch': [5.0, 10.0, 15.0, 15.0],
 'take_along_axis': [[[1, 2, 3], [7, 8, 9]]],
 'tree_flatten_with_path': ["['a'][0]", "['a'][1]", "['b'][0]"],
 'tree_map_none': [2.0, 4.0, 6.0],
 'tree_reduce_leaves': [[4.0, 4.0]],
 'typed_key': [[0, 42], [-0.28189998865127563, -1.3674999475479126]],
 'value_and_grad_aux': [1.5597000122070312,
                        [[0.2912999987602234, 0.2912999987602234], [0.8337000012397766, 0.8337000012397766]],
                        [[1.5256999731063843, 1.5256999731063843], [2.5673999786376953, 2.5673999786376953],
                         [3.6092000007629395, 3.6092000007629395]]],
 'vjp_has_aux': [9.0, 6.0, 13.0],
 'vjp_multiple': [6.0, 5.0, 4.0, 3.0],
 'vmap_axis_name_psum': [[0.16670000553131104, 0.33329999446868896, 0.5]],
 'vmap_cond_batched_pred': [[1.0, 4.0, 1.0]],
 'vmap_dict_in_axes': [[0.0, 2.0, 4.0]],
 'vmap_in_axes_neg_out_none': [[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]],
 'vmap_of_jit_with_consts': [[[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]],
 'vmap_out_axes': [[[0.0, 1.0, 2.0], [0.0, 2.0, 4.0]]],
 'vmap_random_split': [[[-2.3782999515533447, -1.7062000036239624],
                        [-1.9431999921798706, 0.10480000078678131],
                        [-0.5878000259399414, -2.4551000595092773]]],
 'where_one_arg_nonzero_size': [[1, 3, 9], [[0, 1], [1, 0]]],
 'where_size': [[1, 3, 4, -1]],
 'while_fori_grad_fori': [12.0],
 'while_in_vmap': [[0, 1, 7, 8, 16]]}


def _flat(out):
    res = []
    for leaf in jax.tree_util.tree_leaves(out):
        if hasattr(leaf, "shape") or isinstance(leaf, (int, float, complex)):
            a = np.asarray(leaf)
            with np.errstate(over="ignore"):   # rounding float32 max overflows to inf, as JAX's did
                a = a.round(4) if a.dtype.kind in "fc" else a
            res.append(np.stack([a.real, a.imag], -1).tolist() if np.iscomplexobj(a) else a.tolist())
        else:
            res.append(str(leaf))
    return res


def _close(a, b):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=2e-3, abs_tol=2e-4) or (math.isnan(a) and math.isnan(b))
    return a == b


@pytest.mark.parametrize("name", sorted(CASES))
def test_idiom_matches_jax(name):
    got = _flat(CASES[name]())
    assert _close(EXPECTED[name], got), (EXPECTED[name], got)


def test_isscalar_as_jax():
    values = [1, 1.0, "a", len, np.float32(1), jnp.ones(()), jnp.ones(2), [1], None, True, 1j, np.ones(())]
    assert [jnp.isscalar(v) for v in values] == [True, True, True, False, True, True, False, False, False, True,
                                                True, True]   # JAX 0.10.2
