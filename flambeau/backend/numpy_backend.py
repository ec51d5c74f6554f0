"""The CPU backend: NumPy arrays."""
import numpy as np

from .base import Backend


class NumpyBackend(Backend):
    """Serves ``cpu`` tensors with NumPy arrays."""
    type = 'cpu'
    xp = np

    def is_available(self):
        return True

    def device_count(self):
        return 1

    def get_device_name(self, index):
        return 'cpu'

    def from_host(self, array, index, non_blocking=False):
        return array

    def to_host(self, array, non_blocking=False):
        return array

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def generator(self, index, seed):
        return np.random.Generator(np.random.PCG64(seed))
