"""Optimizers as (init_fn, update_fn, get_params) triples over pytrees, as jax.example_libraries.

`update_fn(step, grads, opt_state)` is pure, so a whole training step (forward, backward,
update) can sit inside one jit."""
import functools
from typing import NamedTuple, Any

from .. import numpy as jnp
from ..tree_util import tree_map, tree_flatten, tree_unflatten, register_pytree_node


class OptimizerState(NamedTuple):
    packed_state: Any
    tree_def: Any
    subtree_defs: Any


register_pytree_node(
    OptimizerState,
    lambda s: ((s.packed_state,), (s.tree_def, s.subtree_defs)),
    lambda aux, children: OptimizerState(children[0], *aux))


class Optimizer(NamedTuple):
    init_fn: Any
    update_fn: Any
    params_fn: Any


def make_schedule(scalar_or_schedule):
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    return lambda i: scalar_or_schedule


def optimizer(opt_maker):
    """Lift an optimizer over single arrays to one over pytrees of arrays."""
    @functools.wraps(opt_maker)
    def tree_opt_maker(*args, **kwargs):
        init, update, get_params = opt_maker(*args, **kwargs)

        def tree_init(x0_tree):
            x0_flat, tree = tree_flatten(x0_tree)
            states = [init(x0) for x0 in x0_flat]
            flat_states, subtrees = zip(*[tree_flatten(s) for s in states]) if states else ((), ())
            return OptimizerState(list(flat_states), tree, list(subtrees))

        def tree_update(i, grad_tree, opt_state):
            states_flat, tree, subtrees = opt_state
            grad_flat, tree2 = tree_flatten(grad_tree)
            if tree2 != tree:
                raise TypeError(f"optimizer update function was passed a gradient tree that did not "
                                f"match the parameter tree structure with which it was initialized: "
                                f"parameter tree {tree} and grad tree {tree2}.")
            states = [tree_unflatten(s, f) for s, f in zip(subtrees, states_flat)]
            new_states = [update(i, g, s) for g, s in zip(grad_flat, states)]
            new_flat, new_subtrees = zip(*[tree_flatten(s) for s in new_states]) if new_states else ((), ())
            return OptimizerState(list(new_flat), tree, list(new_subtrees))

        def tree_get_params(opt_state):
            states_flat, tree, subtrees = opt_state
            states = [tree_unflatten(s, f) for s, f in zip(subtrees, states_flat)]
            return tree_unflatten(tree, [get_params(s) for s in states])

        return Optimizer(tree_init, tree_update, tree_get_params)
    return tree_opt_maker


@optimizer
def sgd(step_size):
    step_size = make_schedule(step_size)
    return (lambda x0: x0,
            lambda i, g, x: x - step_size(i) * g,
            lambda x: x)


@optimizer
def momentum(step_size, mass):
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * velocity, velocity
    return (lambda x0: (x0, jnp.zeros_like(x0)), update, lambda s: s[0])


@optimizer
def nesterov(step_size, mass):
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * (mass * velocity + g), velocity
    return (lambda x0: (x0, jnp.zeros_like(x0)), update, lambda s: s[0])


@optimizer
def adagrad(step_size, momentum=0.9):
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        g_sq_inv_sqrt = jnp.where(g_sq > 0, 1.0 / jnp.sqrt(g_sq), 0.0)
        m = (1.0 - momentum) * (g * g_sq_inv_sqrt) + momentum * m
        return x - step_size(i) * m, g_sq, m
    return (lambda x0: (x0, jnp.zeros_like(x0), jnp.zeros_like(x0)), update, lambda s: s[0])


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq_grad = state
        avg_sq_grad = avg_sq_grad * gamma + jnp.square(g) * (1.0 - gamma)
        return x - step_size(i) * g / jnp.sqrt(avg_sq_grad + eps), avg_sq_grad
    return (lambda x0: (x0, jnp.zeros_like(x0)), update, lambda s: s[0])


def _adam_moments(i, g, x, m, v, b1, b2):
    """Adam's running moments after step i and their bias-corrected values."""
    m = (1 - b1) * g + b1 * m
    v = (1 - b2) * jnp.square(g) + b2 * v
    t = jnp.asarray(i, dtype=x.dtype) + 1
    return m, v, m / (1 - jnp.power(b1, t)), v / (1 - jnp.power(b2, t))


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m, v, mhat, vhat = _adam_moments(i, g, x, m, v, b1, b2)
        return x - step_size(i) * mhat / (jnp.sqrt(vhat) + eps), m, v
    return (lambda x0: (x0, jnp.zeros_like(x0), jnp.zeros_like(x0)), update, lambda s: s[0])


@optimizer
def adamw(step_size, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-2):
    """Adam with decoupled weight decay (Loshchilov & Hutter)."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m, v, mhat, vhat = _adam_moments(i, g, x, m, v, b1, b2)
        lr = step_size(i)
        return x - lr * (mhat / (jnp.sqrt(vhat) + eps) + weight_decay * x), m, v
    return (lambda x0: (x0, jnp.zeros_like(x0), jnp.zeros_like(x0)), update, lambda s: s[0])


def constant(step_size):
    return lambda i: step_size


def exponential_decay(step_size, decay_steps, decay_rate):
    return lambda i: step_size * decay_rate ** (i / decay_steps)


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
    if staircase:
        return lambda i: step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
    return lambda i: step_size / (1 + decay_rate * i / decay_steps)


def cosine_decay(step_size, decay_steps, alpha=0.0):
    """Cosine decay from step_size to alpha*step_size over decay_steps, then constant."""
    def schedule(i):
        frac = jnp.minimum(jnp.asarray(i, dtype=jnp.float32), float(decay_steps)) / decay_steps
        return step_size * ((1 - alpha) * 0.5 * (1 + jnp.cos(jnp.pi * frac)) + alpha)
    return schedule


def piecewise_constant(boundaries, values):
    boundaries = jnp.asarray(boundaries)
    values = jnp.asarray(values)

    def schedule(i):
        return values[jnp.sum(jnp.asarray(i) > boundaries)]
    return schedule


def l2_norm(tree):
    leaves, _ = tree_flatten(tree)
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in leaves))


def clip_grads(grad_tree, max_norm):
    norm = l2_norm(grad_tree)
    normalize = lambda g: jnp.where(norm < max_norm, g, g * (max_norm / norm))
    return tree_map(normalize, grad_tree)


def unpack_optimizer_state(opt_state):
    return opt_state


def pack_optimizer_state(marked):
    return marked
