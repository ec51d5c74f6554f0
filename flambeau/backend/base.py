"""The interface every backend implements (see ``numpy_backend`` for the reference one)."""
from abc import ABC, abstractmethod


class Backend(ABC):
    """What flambeau needs from an array library on one device type.

    Attributes:
        type: the device type served (``'cpu'``, ``'cuda'``).
        xp: the array namespace (``numpy`` or ``cupy``); op code is written once against it.
    """
    type = None
    xp = None

    @abstractmethod
    def is_available(self):
        """True when this backend can create arrays now."""

    @abstractmethod
    def device_count(self):
        """How many devices of this type there are."""

    def current_device(self):
        """The index of the current device of this type."""
        return 0

    def set_device(self, index):
        """Make device ``index`` the current one."""

    @abstractmethod
    def get_device_name(self, index):
        """A human-readable name of device ``index``."""

    @abstractmethod
    def from_host(self, array, index, non_blocking=False):
        """A copy of NumPy ``array`` on device ``index`` (CPU: the same array, no copy).
        ``non_blocking``: the copy may still be running when this returns (on the device's
        current stream), as PyTorch's ``non_blocking=True``."""

    @abstractmethod
    def to_host(self, array, non_blocking=False):
        """A NumPy array with the values of device ``array`` (CPU: the same array, no copy);
        ``non_blocking`` as in ``from_host``."""

    @abstractmethod
    def is_array(self, obj):
        """True if ``obj`` is an array of this backend's library."""

    @abstractmethod
    def generator(self, index, seed):
        """A random bit generator for device ``index``, seeded with ``seed``: an object with
        ``random``, ``standard_normal``, ``integers`` and ``permutation`` like NumPy's
        ``Generator`` and with ``bit_generator.state``."""

    def as_strided(self, array, shape, strides, offset=0):
        """A view of ``array``'s memory starting ``offset`` bytes after its first element, with
        ``shape`` and byte ``strides`` (the CPU's views are made in ``ops/shape.py``)."""
        raise NotImplementedError(f'{type(self).__name__} has no as_strided')

    def synchronize(self, index):
        """Wait for all work queued on device ``index``."""
