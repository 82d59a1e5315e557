"""Each example trains with tiny settings and its loss falls."""
import importlib.util
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(ROOT, "examples", name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mlp_classifier_loss_falls():
    first, last = _load("mlp_classifier").main(["--steps", "40", "--batch", "64", "--hidden", "32",
                                               "--print-every", "100"])
    assert last < 0.7 * first


def test_transformer_lm_loss_falls():
    first, last = _load("transformer_lm").main(["--steps", "30", "--batch", "8", "--ctx", "16", "--dim", "32",
                                               "--layers", "1", "--heads", "2", "--print-every", "100"])
    assert last < first - 0.3


def test_torch_module_loss_falls():
    first, last = _load("torch_module").main(["--steps", "60", "--print-every", "100"])
    assert last < 0.5 * first
