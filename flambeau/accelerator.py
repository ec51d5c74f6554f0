"""``flambeau.accelerator``: the device-generic accelerator API of recent PyTorch
(``torch.accelerator.is_available()``); here the accelerator is CUDA when present."""
from . import cuda as _cuda
from .device import device as _device

__all__ = ['is_available', 'current_accelerator', 'device_count']


def is_available():
    """True when an accelerator (a CUDA GPU) is usable.

    Example::

        >>> flambeau.accelerator.is_available()
        False
    """
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """The accelerator device type (``device(type='cuda')``), or None without one."""
    if _cuda.is_available():
        return _device('cuda')
    return None


def device_count():
    """How many accelerator devices there are."""
    return _cuda.device_count()
