"""Shared fixtures: ``fake_cuda`` registers the test-only ``cuda`` backend of fake_cuda.py for
one test and removes it afterwards, so that ``cuda`` is unavailable again, as on a CPU-only
PyTorch."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from fake_cuda import FakeCudaBackend  # noqa: E402


@pytest.fixture
def fake_cuda():
    """The ``cuda`` device type served by NumPy arrays, for the duration of one test."""
    import flambeau
    from flambeau import backend, cuda_generators
    b = FakeCudaBackend()
    backend.register_backend('cuda', b)
    cuda_generators.forget()
    try:
        yield b
    finally:
        backend.unregister_backend('cuda')
        cuda_generators.forget()
        flambeau.set_default_dtype(flambeau.float32)


@pytest.fixture
def default_dtype_restored():
    """Put the default dtype back to float32 (in flambeau and torch) after the test."""
    import flambeau
    yield
    flambeau.set_default_dtype(flambeau.float32)
    try:
        import torch
    except ImportError:
        return
    torch.set_default_dtype(torch.float32)
