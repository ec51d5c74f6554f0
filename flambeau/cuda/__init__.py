"""``flambeau.cuda``: NVIDIA GPUs through CuPy, with PyTorch's ``torch.cuda`` API.

Devices (``is_available``, ``device_count``, ``current_device``, ``set_device``, the ``device``
and ``device_of`` contexts, ``get_device_name``, ``get_device_properties``, ``synchronize``),
random seeds of the CUDA generators (``manual_seed``, ``manual_seed_all``, ``seed``,
``seed_all``, ``initial_seed``, ``get_rng_state``, ``set_rng_state``), memory counters
(``flambeau.cuda.memory``), and streams and events (``flambeau.cuda.streams``).

Everything goes through the ``cuda`` backend (``flambeau.backend.get_backend('cuda')``): the
CuPy one on a machine with a GPU, or the test suite's stand-in. Besides the ``Backend``
interface a CUDA backend provides ``device_properties``, ``mem_get_info``, ``memory_stats``,
``reset_peak_memory_stats``, ``empty_cache`` and the stream and event hooks that
``streams.py`` calls (``new_stream``, ``current_stream``, ``default_stream``, ``set_stream``,
``stream_ptr``, ``stream_query``, ``stream_synchronize``, ``stream_wait_event``,
``new_event``, ``record_event``, ``event_ptr``, ``event_query``, ``event_synchronize``,
``event_elapsed_time``); see ``flambeau.backend.cupy_backend.CupyBackend``.

Without a CUDA backend the functions behave as in a CPU-only PyTorch: ``is_available()`` is
False, ``device_count()`` is 0, the memory counters are 0, seeding is a no-op, and the rest
raise ``AssertionError: Torch not compiled with CUDA enabled``.
"""
from .. import cuda_generators
from ..backend import _backends
from ..device import device as _device_cls
from ._util import _backend, _cuda_device, _device_index, _require
from .memory import (OutOfMemoryError, empty_cache, max_memory_allocated, max_memory_reserved,
                     mem_get_info, memory_allocated, memory_reserved, memory_stats,
                     reset_max_memory_allocated, reset_peak_memory_stats)
from .streams import (Event, Stream, StreamContext, current_stream, default_stream, set_stream,
                      stream)

__all__ = ['Event', 'OutOfMemoryError', 'Stream', 'StreamContext', 'current_device',
           'current_stream', 'default_stream', 'device', 'device_count', 'device_of',
           'empty_cache', 'get_device_capability', 'get_device_name', 'get_device_properties',
           'get_rng_state', 'get_rng_state_all', 'init', 'initial_seed', 'is_available',
           'is_bf16_supported', 'is_initialized', 'manual_seed', 'manual_seed_all',
           'max_memory_allocated', 'max_memory_reserved', 'mem_get_info', 'memory_allocated',
           'memory_reserved', 'memory_stats', 'reset_max_memory_allocated',
           'reset_peak_memory_stats', 'seed', 'seed_all', 'set_device', 'set_rng_state',
           'set_rng_state_all', 'set_stream', 'stream', 'synchronize']

# -- devices -----------------------------------------------------------------------------------
def is_available():
    """True when a CUDA backend (CuPy seeing a GPU) is usable.

    Example::

        >>> device = 'cuda' if flambeau.cuda.is_available() else 'cpu'
    """
    return _backend() is not None


def is_initialized():
    """True once the CUDA backend was loaded."""
    return 'cuda' in _backends


def init():
    """Load the CUDA backend now (it is otherwise loaded on first use)."""
    _require()


def device_count():
    """The number of CUDA devices (0 without a GPU backend).

    Example::

        >>> flambeau.cuda.device_count() >= 0
        True
    """
    b = _backend()
    return b.device_count() if b is not None else 0


def current_device():
    """The index of the current CUDA device (where ``device='cuda'`` puts tensors)."""
    return _require().current_device()


def set_device(device):
    """Make ``device`` (an index, ``'cuda:1'`` or a device) the current CUDA device. A negative
    index changes nothing. Prefer the ``flambeau.cuda.device`` context manager.

    Example::

        >>> flambeau.cuda.set_device(0)
        >>> flambeau.ones(1, device='cuda').device
        device(type='cuda', index=0)
    """
    b = _require()
    if isinstance(device, int) and not isinstance(device, bool) and device < 0:
        return
    b.set_device(_device_index(b, device))


class device:
    """Context manager that makes ``device`` the current CUDA device inside the ``with`` block
    (``None`` or a negative index change nothing).

    Example::

        >>> with flambeau.cuda.device(1):
        ...     x = flambeau.zeros(2, device='cuda')
        >>> x.device
        device(type='cuda', index=1)
    """

    def __init__(self, device):
        self.idx = _optional_index(device)
        self.prev_idx = -1
        self._b = None

    def __enter__(self):
        if self.idx is None or self.idx < 0:
            return self
        b = _backend()
        if b is None:
            raise RuntimeError('PyTorch was compiled without CUDA support')
        idx = _device_index(b, self.idx)
        self.prev_idx = b.current_device()
        if idx != self.prev_idx:
            self._b = b
            b.set_device(idx)
        return self

    def __exit__(self, *exc):
        b, self._b = self._b, None
        if b is not None:
            b.set_device(self.prev_idx)
        return False


def _optional_index(d):
    if d is None or (isinstance(d, int) and not isinstance(d, bool)):
        return d
    d = d if isinstance(d, _device_cls) else _device_cls(d)
    if d.type != 'cuda':
        return -1  # a CPU device: nothing to switch
    return d.index if d.index is not None else None


class device_of(device):
    """Context manager that makes the device of tensor ``obj`` the current CUDA device (nothing
    changes for a CPU tensor).

    Example::

        >>> x = flambeau.ones(2, device='cuda:1')
        >>> with flambeau.cuda.device_of(x):
        ...     y = flambeau.zeros(2, device='cuda')   # on cuda:1
    """

    def __init__(self, obj):
        super().__init__(obj.get_device() if obj.is_cuda else -1)


def get_device_name(device=None):
    """The name of CUDA device ``device`` (default: the current one).

    Example::

        >>> flambeau.cuda.get_device_name(0)
        'NVIDIA H100 80GB HBM3'
    """
    b = _require()
    return b.get_device_name(_device_index(b, device))


class _CudaDeviceProperties:
    """What ``get_device_properties`` returns: the device's name, compute capability
    (``major``, ``minor``), ``total_memory`` in bytes, ``multi_processor_count`` and more."""
    __slots__ = ('name', 'major', 'minor', 'total_memory', 'multi_processor_count', 'uuid',
                 'L2_cache_size', 'max_threads_per_multi_processor', 'warp_size',
                 'regs_per_multiprocessor', 'is_integrated', 'is_multi_gpu_board',
                 'shared_memory_per_block', 'shared_memory_per_multiprocessor')

    def __init__(self, props):
        for k in self.__slots__:
            setattr(self, k, props.get(k))

    def __repr__(self):
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
                f'minor={self.minor}, total_memory={self.total_memory // (1 << 20)}MB, '
                f'multi_processor_count={self.multi_processor_count}, uuid={self.uuid}, '
                f'L2_cache_size={(self.L2_cache_size or 0) // (1 << 20)}MB)')


def get_device_properties(device=None):
    """The properties of CUDA device ``device`` (default: the current one).

    Example::

        >>> p = flambeau.cuda.get_device_properties(0)
        >>> p.name, p.major, p.total_memory > 0
        ('NVIDIA H100 80GB HBM3', 9, True)
    """
    b = _require()
    return _CudaDeviceProperties(b.device_properties(_device_index(b, device)))


def get_device_capability(device=None):
    """The compute capability ``(major, minor)`` of CUDA device ``device``."""
    p = get_device_properties(device)
    return p.major, p.minor


def is_bf16_supported(including_emulation=True):
    """Whether CUDA tensors of dtype bfloat16 work. False: CuPy has no bfloat16 arrays, so
    flambeau keeps bfloat16 on the CPU."""
    b = _backend()
    return bool(b is not None and getattr(b, 'supports_bfloat16', False))


def synchronize(device=None):
    """Wait until all work queued on every stream of ``device`` (default: the current device)
    has finished. Use it before reading a clock around GPU work.

    Example::

        >>> y = flambeau.ones(1000, device='cuda') * 2
        >>> flambeau.cuda.synchronize()
    """
    b = _require()
    b.synchronize(_device_index(b, device))


# -- random numbers ------------------------------------------------------------------------------
def _generator(index):
    return cuda_generators.default(_cuda_device(index))


def manual_seed(seed):
    """Seed the random generator of the current CUDA device (a no-op without CUDA).

    Example::

        >>> flambeau.cuda.manual_seed(0)
    """
    b = _backend()
    if b is not None:
        _generator(b.current_device()).manual_seed(int(seed))


def manual_seed_all(seed):
    """Seed the random generators of all CUDA devices (a no-op without CUDA)."""
    b = _backend()
    if b is not None:
        for i in range(b.device_count()):
            _generator(i).manual_seed(int(seed))


def seed():
    """Seed the current CUDA device's generator from the operating system's entropy."""
    b = _backend()
    if b is not None:
        _generator(b.current_device()).seed()


def seed_all():
    """Seed every CUDA device's generator from the operating system's entropy (one seed)."""
    b = _backend()
    if b is not None:
        s = _generator(b.current_device()).seed()
        manual_seed_all(s)


def initial_seed():
    """The seed of the current CUDA device's generator."""
    b = _require()
    return _generator(b.current_device()).initial_seed()


def get_rng_state(device='cuda'):
    """The state of ``device``'s generator as a uint8 tensor (for ``set_rng_state``)."""
    b = _require()
    return _generator(_device_index(b, device)).get_state()


def set_rng_state(new_state, device='cuda'):
    """Restore the state of ``device``'s generator from ``get_rng_state``."""
    b = _backend()
    if b is not None:
        _generator(_device_index(b, device)).set_state(new_state)


def get_rng_state_all():
    """The states of all CUDA devices' generators, a list."""
    b = _require()
    return [_generator(i).get_state() for i in range(b.device_count())]


def set_rng_state_all(new_states):
    """Restore the generator states of all CUDA devices from ``get_rng_state_all``."""
    for i, s in enumerate(new_states):
        set_rng_state(s, i)


from . import memory, streams  # noqa: E402,F401  (``flambeau.cuda.memory`` as in torch)
