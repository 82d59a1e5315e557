"""The benchmark harness (bench/) at --size tiny: structure, checking, JSON. Never timings."""
import json
import sys

import numpy as np
import pytest

from bench import harness, systems
from bench.workloads import BY_NAME, WORKLOADS

STATUSES = {"ok", "wrong", "error", "n/a"}
RUN_ROWS = [w.name for w in WORKLOADS if w.kind == "run"]


@pytest.fixture(scope="module")
def tiny_results(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "tiny.json"
    opts = harness.Options(size="tiny", everything=True, only=RUN_ROWS, systems=["torch", "jaxish"],
                           json_path=str(path), png=False, progress=False, print_report=False)
    return harness.run(opts), path


def test_structure(tiny_results):
    results, _ = tiny_results
    assert results["meta"]["size"] == "tiny"
    assert results["meta"]["threads"] >= 1
    assert results["systems"][0] == "torch"
    assert any(s.startswith("jaxish-jit-") for s in results["systems"])
    assert set(results["workloads"]) == set(RUN_ROWS)
    assert results["copy"]["gbs"] > 0
    for name, entry in results["workloads"].items():
        assert set(entry["systems"]) == set(results["systems"]), name
        for system, rec in entry["systems"].items():
            assert rec["status"] in STATUSES, (name, system, rec)
            if rec["status"] == "ok":
                assert rec["p10_s"] <= rec["median_s"] <= rec["p90_s"]
                assert rec["reps"] >= 3
            if rec["status"] == "error":
                assert rec["message"]


def test_torch_eager_is_checked_correct(tiny_results):
    results, _ = tiny_results
    for name, entry in results["workloads"].items():
        rec = entry["systems"]["torch"]
        assert rec["status"] == "ok", (name, rec)
        assert rec["max_err"] == 0.0
        assert rec["speedup"] == pytest.approx(1.0)


def test_memory_bound_rows_report_bandwidth(tiny_results):
    results, _ = tiny_results
    for name in ("gelu", "softmax", "layernorm", "adam", "sumsq"):
        rec = results["workloads"][name]["systems"]["torch"]
        assert rec["gbs"] > 0 and rec["copy_share"] > 0


def test_json_written(tiny_results):
    results, path = tiny_results
    on_disk = json.loads(path.read_text())
    assert on_disk["systems"] == results["systems"]
    assert on_disk["workloads"]["gelu"]["systems"]["torch"]["status"] == "ok"
    text = harness.report(results)
    assert "gelu" in text and "torch" in text


class _Fake(systems.TorchEager):
    """torch eager with a hook to break it."""

    def __init__(self, name, prepare):
        super().__init__("cpu")
        self.name, self._prepare = name, prepare

    def prepare(self, workload, size_name, inputs):
        return self._prepare(super().prepare(workload, size_name, inputs))


def _measure(system, name="gelu"):
    w = BY_NAME[name]
    inputs = w.inputs("tiny")
    ref = harness.reference(w, "tiny", inputs, "cpu")
    timing = harness.Options(size="tiny").timing()
    return harness.measure(system, w, "tiny", inputs, ref, timing)


def test_wrong_answer_is_flagged_and_not_timed():
    rec = _measure(_Fake("off-by-a-bit", lambda call: (lambda: call() + 1e-2)))
    assert rec["status"] == "wrong"
    assert rec["max_err"] == pytest.approx(1e-2, rel=1e-3)
    assert "median_s" not in rec
    assert harness.cell(rec).startswith("WRONG (max err")


def test_raising_system_is_an_error_cell():
    def broken(call):
        raise NotImplementedError("primitive tanh has no cpp lowering")
    rec = _measure(_Fake("broken", broken))
    assert rec["status"] == "error"
    assert "NotImplementedError" in rec["message"]
    assert harness.cell(rec).startswith("error: ")


def test_compare_shapes_and_nans():
    ok, err, why = harness.compare([np.zeros(3)], [np.zeros(4)], 1e-5, 1e-6)
    assert not ok and "shape" in why
    ok, err, _ = harness.compare([np.array([np.nan, 1.0])], [np.array([np.nan, 1.0])], 1e-5, 1e-6)
    assert ok and err == 0.0
    ok, err, _ = harness.compare([np.float32(2.0)], [np.float32(1.0)], 1e-5, 1e-6)
    assert not ok and err == 1.0


def test_worker_measures_in_another_process(tmp_path):
    """The path the external-jax column takes, exercised with torch eager."""
    w = BY_NAME["add1_eager"]
    inputs = w.inputs("tiny")
    np.savez(tmp_path / "add1_eager.npz", *harness.reference(w, "tiny", inputs, "cpu"))
    request = {"task": "measure", "system": "torch", "workloads": ["add1_eager"], "size": "tiny",
               "device": "cpu", "threads": 1, "timing": harness.Options(size="tiny").timing(),
               "ref_dir": str(tmp_path)}
    answer = harness.run_worker(sys.executable, request, threads=1, timeout_s=120)
    assert answer["status"] == "ok", answer
    assert answer["records"]["add1_eager"]["status"] == "ok"


def test_system_selection():
    names = ["torch", "torch.compile", "jaxish-eager", "jaxish-jit-cpp", "jaxish-jit-eager"]
    assert systems.select(names, ["torch"]) == ["torch"]
    assert systems.select(names, ["jaxish-jit"]) == ["jaxish-jit-cpp", "jaxish-jit-eager"]
    with pytest.raises(ValueError):
        systems.select(names, ["tensorflow"])


@pytest.mark.slow
def test_torch_compile_column(tmp_path):
    """torch.compile compiles cold in ~20 s here, so this one runs with `make test-slow`."""
    opts = harness.Options(size="tiny", only=["gelu", "add1_jit", "add1_eager"],
                           systems=["torch.compile"], json_path=str(tmp_path / "tc.json"),
                           png=False, progress=False, print_report=False)
    results = harness.run(opts)
    assert results["systems"] == ["torch", "torch.compile"]
    assert results["workloads"]["gelu"]["systems"]["torch.compile"]["status"] == "ok"
    assert results["workloads"]["add1_eager"]["systems"]["torch.compile"]["status"] == "n/a"
