"""Shared fixtures: ``fake_cuda`` registers the test-only ``cuda`` backend of fake_cuda.py for
one test and removes it afterwards, so that ``cuda`` is unavailable again, as on a CPU-only
PyTorch; ``strict_cuda`` does the same with its strict variant (device arrays that refuse
NumPy functions and host operands: see the Note in fake_cuda.py)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from fake_cuda import FakeCudaBackend, StrictCudaBackend  # noqa: E402


def _stand_in(b):
    import flambeau
    from flambeau import backend, cuda_generators
    backend.register_backend('cuda', b)
    cuda_generators.forget()
    try:
        yield b
    finally:
        backend.unregister_backend('cuda')
        cuda_generators.forget()
        flambeau.set_default_dtype(flambeau.float32)


@pytest.fixture
def fake_cuda():
    """The ``cuda`` device type served by NumPy arrays, for the duration of one test."""
    yield from _stand_in(FakeCudaBackend())


@pytest.fixture
def strict_cuda():
    """The ``cuda`` device type served by the strict stand-in's arrays, for one test."""
    yield from _stand_in(StrictCudaBackend())


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
