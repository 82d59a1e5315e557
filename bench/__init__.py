"""Benchmark harness: jaxish against PyTorch eager, torch.compile and (when importable) jax.
Run `python -m bench --help`."""
