"""``flambeau.cuda``: NVIDIA GPUs through CuPy. This module answers whether a GPU backend is
there; the CUDA backend itself (memory, streams, events) is the CUDA issue's work."""
from ..backend import _backends, get_backend

__all__ = ['is_available', 'device_count', 'current_device', 'get_device_name']


def _backend():
    try:
        return get_backend('cuda')
    except AssertionError:
        return None


def is_available():
    """True when a CUDA backend (CuPy seeing a GPU) is usable.

    Example::

        >>> device = 'cuda' if flambeau.cuda.is_available() else 'cpu'
    """
    return _backend() is not None


def device_count():
    """The number of CUDA devices (0 without a GPU backend)."""
    b = _backend()
    return b.device_count() if b is not None else 0


def current_device():
    """The index of the current CUDA device."""
    return get_backend('cuda').current_device()


def get_device_name(device=None):
    """The name of CUDA device ``device`` (default: the current one)."""
    b = get_backend('cuda')
    from ..device import device as _device
    if device is None:
        index = b.current_device()
    elif isinstance(device, int):
        index = device
    else:
        index = _device(device).index or 0
    return b.get_device_name(index)


def is_initialized():
    """True once the CUDA backend was loaded."""
    return 'cuda' in _backends
