"""CUDA memory: the counters of ``flambeau.cuda`` (``memory_allocated``, ``max_memory_allocated``,
``memory_reserved``, ``max_memory_reserved``, ``reset_peak_memory_stats``, ``empty_cache``,
``mem_get_info``, ``memory_stats``) and ``OutOfMemoryError``.

The numbers come from the CUDA backend (``backend.memory_stats(index)``); on CuPy they are the
memory pool's: *allocated* is the bytes held by live arrays, *reserved* the bytes the pool holds
from the driver (allocated plus cached free blocks), and the peaks are kept by the backend's
allocator (see ``flambeau.backend.cupy_backend``). Without a CUDA backend every counter is 0,
as in PyTorch.
"""
from collections import OrderedDict

from ._util import _device_index, _require
from ._util import _backend as _cuda_backend

__all__ = ['OutOfMemoryError', 'empty_cache', 'max_memory_allocated', 'max_memory_reserved',
           'mem_get_info', 'memory_allocated', 'memory_reserved', 'memory_stats',
           'reset_peak_memory_stats', 'reset_max_memory_allocated']


class OutOfMemoryError(RuntimeError):
    """Raised when the CUDA device has no memory left for an allocation; the message says how
    much was asked for, how much the device has, and how much flambeau holds.

    Example::

        >>> try:
        ...     x = flambeau.empty(1 << 40, device='cuda')
        ... except flambeau.cuda.OutOfMemoryError as e:
        ...     print(str(e).split('.')[0])
        CUDA out of memory
    """


def format_size(nbytes):
    """A byte count as PyTorch's allocator messages print it: ``512 bytes``, ``1.50 KiB``,
    ``20.00 MiB``, ``2.00 GiB``."""
    if nbytes <= 1024:
        return f'{nbytes} bytes'
    if nbytes <= 1 << 20:
        return f'{nbytes / 1024:.2f} KiB'
    if nbytes <= 1 << 30:
        return f'{nbytes / (1 << 20):.2f} MiB'
    return f'{nbytes / (1 << 30):.2f} GiB'


def oom_message(index, requested, total, free, allocated, reserved):
    """The text of an ``OutOfMemoryError`` on device ``index`` (PyTorch's wording, with
    flambeau in the place of PyTorch)."""
    in_use = max(total - free, 0)
    return (f'CUDA out of memory. Tried to allocate {format_size(requested)}. GPU {index} has a '
            f'total capacity of {format_size(total)} of which {format_size(free)} is free. '
            f'Including non-flambeau memory, this process has {format_size(in_use)} memory in '
            f'use. Of the allocated memory {format_size(allocated)} is allocated by flambeau, and '
            f'{format_size(max(reserved - allocated, 0))} is reserved by flambeau but '
            f'unallocated. If reserved but unallocated memory is large, '
            f'flambeau.cuda.empty_cache() returns it to the device.')


def _stat(device, key):
    b = _cuda_backend()
    if b is None:
        return 0
    return b.memory_stats(_device_index(b, device))[key]


def memory_allocated(device=None):
    """Bytes of device memory held by tensors on ``device`` (default: the current device).

    Example::

        >>> x = flambeau.zeros(1024, device='cuda')
        >>> flambeau.cuda.memory_allocated() >= 4096
        True
    """
    return _stat(device, 'allocated')


def max_memory_allocated(device=None):
    """The peak of ``memory_allocated(device)`` since the start or the last
    ``reset_peak_memory_stats``."""
    return _stat(device, 'peak_allocated')


def memory_reserved(device=None):
    """Bytes of device memory the allocator holds on ``device``: the allocated bytes plus the
    cached free blocks that ``empty_cache`` would return."""
    return _stat(device, 'reserved')


def max_memory_reserved(device=None):
    """The peak of ``memory_reserved(device)`` since the start or the last
    ``reset_peak_memory_stats``."""
    return _stat(device, 'peak_reserved')


def memory_stats(device=None):
    """A dict of the allocator's counters for ``device`` (PyTorch's key names for the ones
    flambeau keeps): ``allocated_bytes.all.current``, ``allocated_bytes.all.peak``,
    ``reserved_bytes.all.current``, ``reserved_bytes.all.peak``. Empty without CUDA."""
    b = _cuda_backend()
    if b is None:
        return OrderedDict()
    s = b.memory_stats(_device_index(b, device))
    return OrderedDict([('allocated_bytes.all.current', s['allocated']),
                        ('allocated_bytes.all.peak', s['peak_allocated']),
                        ('reserved_bytes.all.current', s['reserved']),
                        ('reserved_bytes.all.peak', s['peak_reserved'])])


def reset_peak_memory_stats(device=None):
    """Restart the peaks of ``max_memory_allocated`` and ``max_memory_reserved`` from the current
    values.

    Example::

        >>> flambeau.cuda.reset_peak_memory_stats()
        >>> flambeau.cuda.max_memory_allocated() == flambeau.cuda.memory_allocated()
        True
    """
    b = _require()
    b.reset_peak_memory_stats(_device_index(b, device))


def reset_max_memory_allocated(device=None):
    """Same as ``reset_peak_memory_stats`` (PyTorch's older name)."""
    reset_peak_memory_stats(device)


def empty_cache():
    """Return the allocator's cached free blocks to the device, so that other processes (and
    ``nvidia-smi``) see them as free. Tensors in use are untouched."""
    b = _cuda_backend()
    if b is not None:
        b.empty_cache()


def mem_get_info(device=None):
    """``(free, total)`` bytes of device memory on ``device``, as the driver reports them."""
    b = _require()
    return b.mem_get_info(_device_index(b, device))
