"""Array backends, one per device type: ``numpy`` for ``cpu`` and (when CuPy is installed and
sees a GPU) ``cupy`` for ``cuda``.

Everything above this layer reaches device arrays through a backend: its array namespace
``xp``, host <-> device copies and random generators. ``register_backend`` plugs in another
one (the CUDA backend, or the test suite's stand-in for ``cuda``).
"""
import numpy as np

from .base import Backend
from .numpy_backend import NumpyBackend

__all__ = ['Backend', 'backend_of', 'get_backend', 'namespace_of', 'register_backend',
           'unregister_backend']

_backends = {'cpu': NumpyBackend()}


def register_backend(device_type, backend):
    """Make ``backend`` serve tensors on ``device_type`` (replacing any previous one)."""
    from ..device import _canonical  # (flambeau.device is the class: import from the module)
    _backends[device_type] = backend
    _canonical.clear()


def unregister_backend(device_type):
    """Forget the backend of ``device_type`` (the test suite's stand-in uses this)."""
    from ..device import _canonical
    _backends.pop(device_type, None)
    _canonical.clear()


def backend_of(array):
    """The backend whose array ``array`` is: the CPU's for NumPy arrays and scalars, else the
    registered backend that claims it (CuPy's). For code that holds an array but not its
    tensor; with the tensor, ``t._device._backend`` is cheaper."""
    if type(array) is not np.ndarray:
        for b in _backends.values():
            if b.type != 'cpu' and b.is_array(array):
                return b
    return _backends['cpu']


def namespace_of(array):
    """The array namespace (``xp``) of ``array``: ``backend_of(array).xp``."""
    return np if type(array) is np.ndarray else backend_of(array).xp


def get_backend(device_type):
    """The backend serving ``device_type``; for ``cuda`` the CuPy backend is loaded on first use.

    Raises PyTorch's AssertionError ("Torch not compiled with CUDA enabled") when no GPU
    backend is available.
    """
    b = _backends.get(device_type)
    if b is None:
        if device_type == 'cuda':
            b = _load_cuda()
        if b is None:
            raise AssertionError('Torch not compiled with CUDA enabled (flambeau runs CUDA through '
                                 'CuPy: install flambeau[cuda] on a machine with an NVIDIA GPU)'
                                 if device_type == 'cuda' else
                                 f'flambeau has no backend for device type {device_type!r}')
    return b


def _load_cuda():
    try:
        from .cupy_backend import CupyBackend
    except ImportError:
        return None
    b = CupyBackend()
    if not b.is_available():
        return None
    _backends['cuda'] = b
    return b
