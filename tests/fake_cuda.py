"""A test-only stand-in for the ``cuda`` device (see DESIGN.md, Devices): a backend of type
``cuda`` with two devices whose arrays are NumPy arrays, and whose host <-> device moves
copy, as real ones do. Tests run flambeau's CUDA code paths with it on machines without a GPU.
"""
import numpy as np

from flambeau.backend import Backend


class FakeCudaBackend(Backend):
    """Serves ``cuda:0`` and ``cuda:1`` with NumPy arrays (copies on every device move)."""
    type = 'cuda'
    xp = np

    def __init__(self, count=2):
        self._count = count
        self._current = 0

    def is_available(self):
        return True

    def device_count(self):
        return self._count

    def current_device(self):
        return self._current

    def set_device(self, index):
        self._current = index

    def get_device_name(self, index):
        return f'Fake CUDA device {index}'

    def from_host(self, array, index):
        return np.array(array, copy=True)

    def to_host(self, array):
        return np.array(array, copy=True)

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def generator(self, index, seed):
        return np.random.Generator(np.random.PCG64(seed))
