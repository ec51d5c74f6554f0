"""The CUDA backend: CuPy arrays on NVIDIA GPUs.

Imported only when a tensor or ``flambeau.cuda`` first asks for ``cuda``
(``flambeau.backend.get_backend``); an ImportError here (no CuPy) or ``is_available()`` being
False (no driver, no GPU) leaves flambeau without ``cuda``, as a CPU-only PyTorch is.

Memory accounting (note): CuPy's default memory pool already caches freed blocks like
PyTorch's caching allocator; its ``used_bytes`` and ``total_bytes`` are
``memory_allocated`` and ``memory_reserved``. The peaks are kept by *wrapping the allocator*
(``cupy.cuda.set_allocator``): used and reserved bytes only grow inside ``malloc``, so reading
them after each ``malloc`` sees every peak, at the cost of one Python call per allocation
(CuPy's memory hooks would cost more, and only see the thread that installed them). The
wrapper also turns CuPy's out-of-memory error into ``flambeau.cuda.OutOfMemoryError`` with
PyTorch's message.

Random numbers (note): each generator draws from a cuRAND Philox generator reseeded before
every draw with a key mixed from (seed, number of draws so far). Philox is counter-based, so
reseeding costs nothing on the GPU, and the generator's whole state is those two integers: it
is reproducible per seed, and ``get_state``/``set_state`` round-trip through JSON as on the CPU.
Values differ from the CPU's for the same seed (as in PyTorch).
"""
try:
    import cupy
    from cupy.cuda import runtime as _rt
except Exception as e:  # a broken CUDA install must not break ``import flambeau``
    raise ImportError(f'CuPy is not usable: {e}') from e

import numpy as np

from .base import Backend

_MASK64 = (1 << 64) - 1


def _mix(seed, n):
    """A 64-bit key from ``seed`` and a draw counter (splitmix64's finaliser)."""
    z = (seed + (n + 1) * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


class _PhiloxState:
    """``bit_generator`` of a ``CupyGenerator``: its ``state`` is a JSON-able dict."""
    __slots__ = ('seed', 'draws')

    def __init__(self, seed):
        self.seed, self.draws = seed & _MASK64, 0

    @property
    def state(self):
        return {'bit_generator': 'flambeau.CupyPhilox', 'seed': self.seed, 'draws': self.draws}

    @state.setter
    def state(self, value):
        if not isinstance(value, dict) or value.get('bit_generator') != 'flambeau.CupyPhilox':
            raise ValueError('state is not a CUDA generator state')
        self.seed, self.draws = int(value['seed']) & _MASK64, int(value['draws'])


class CupyGenerator:
    """Random draws on one GPU with the methods of NumPy's ``Generator`` that flambeau uses
    (``random``, ``standard_normal``, ``standard_exponential``, ``integers``, ``permutation``,
    ``geometric``, ``poisson``); results are CuPy arrays on the generator's device."""
    __slots__ = ('index', 'bit_generator', '_rs')

    def __init__(self, index, seed):
        self.index = index
        self.bit_generator = _PhiloxState(seed)
        self._rs = None  # the cuRAND generator, made on first draw (on the right device)

    def _next(self):
        from cupy_backends.cuda.libs import curand
        if self._rs is None:
            self._rs = cupy.random.RandomState(0, method=curand.CURAND_RNG_PSEUDO_PHILOX4_32_10)
        bg = self.bit_generator
        self._rs.seed(_mix(bg.seed, bg.draws))
        bg.draws += 1
        return self._rs

    def random(self, size=None, dtype=np.float64):
        with cupy.cuda.Device(self.index):
            return self._next().random_sample(size, dtype)

    def standard_normal(self, size=None, dtype=np.float64):
        with cupy.cuda.Device(self.index):
            return self._next().standard_normal(size, dtype)

    def standard_exponential(self, size=None, dtype=np.float64):
        with cupy.cuda.Device(self.index):
            return self._next().standard_exponential(size, dtype)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False):
        if high is None:
            low, high = 0, low
        with cupy.cuda.Device(self.index):
            return self._next().randint(low, high + 1 if endpoint else high, size, dtype)

    def permutation(self, n):
        with cupy.cuda.Device(self.index):
            return self._next().permutation(n)

    def geometric(self, p, size=None):
        with cupy.cuda.Device(self.index):
            return self._next().geometric(p, size)

    def poisson(self, lam, size=None):
        # the same kind of array back as given: the caller may work on host rates
        on_host = isinstance(lam, np.ndarray)
        with cupy.cuda.Device(self.index):
            k = self._next().poisson(cupy.asarray(lam), size)
            return cupy.asnumpy(k) if on_host else k


class CupyBackend(Backend):
    """Serves ``cuda:N`` tensors with CuPy arrays on GPU ``N``.

    Example::

        >>> from flambeau.backend import get_backend
        >>> get_backend('cuda').xp.__name__
        'cupy'
    """
    type = 'cuda'
    xp = cupy
    supports_bfloat16 = False  # CuPy has no bfloat16 arrays

    def __init__(self):
        self._count = None
        self._pool = None
        self._peak = {}  # device index -> [peak used bytes, peak reserved bytes]

    # -- devices ---------------------------------------------------------------------------
    def is_available(self):
        try:
            return self.device_count() > 0
        except Exception:  # no driver, no device, a driver too old: no cuda, never an error
            return False

    def device_count(self):
        if self._count is None:
            self._count = _rt.getDeviceCount()
            if self._count:
                self._install_allocator()
        return self._count

    def current_device(self):
        return _rt.getDevice()

    def set_device(self, index):
        _rt.setDevice(index)

    def get_device_name(self, index):
        return self.device_properties(index)['name']

    def device_properties(self, index):
        p = _rt.getDeviceProperties(index)
        name = p.get('name', b'')
        uuid = p.get('uuid', b'')
        if isinstance(uuid, (bytes, bytearray)) and len(uuid) == 16:
            h = uuid.hex()
            uuid = f'{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}'
        return {'name': name.decode() if isinstance(name, bytes) else str(name),
                'major': p.get('major'), 'minor': p.get('minor'),
                'total_memory': p.get('totalGlobalMem'),
                'multi_processor_count': p.get('multiProcessorCount'), 'uuid': uuid,
                'L2_cache_size': p.get('l2CacheSize'),
                'max_threads_per_multi_processor': p.get('maxThreadsPerMultiProcessor'),
                'warp_size': p.get('warpSize'),
                'regs_per_multiprocessor': p.get('regsPerMultiprocessor'),
                'is_integrated': p.get('integrated'),
                'is_multi_gpu_board': p.get('isMultiGpuBoard'),
                'shared_memory_per_block': p.get('sharedMemPerBlock'),
                'shared_memory_per_multiprocessor': p.get('sharedMemPerMultiprocessor')}

    def synchronize(self, index):
        with cupy.cuda.Device(index):
            _rt.deviceSynchronize()

    # -- arrays ------------------------------------------------------------------------------
    def from_host(self, array, index, non_blocking=False):
        if array.dtype.kind == 'V' or array.dtype.name == 'bfloat16':
            raise TypeError('flambeau cannot put bfloat16 tensors on CUDA: CuPy has no bfloat16 '
                            'arrays (keep them on the CPU, or use float16 on the GPU)')
        with cupy.cuda.Device(index):
            if not non_blocking:
                return cupy.asarray(array)
            out = cupy.empty(array.shape, array.dtype)
            out.set(np.ascontiguousarray(array), stream=cupy.cuda.get_current_stream())
            return out

    def to_host(self, array, non_blocking=False):
        with cupy.cuda.Device(array.device.id):
            return array.get(blocking=not non_blocking)

    def is_array(self, obj):
        return isinstance(obj, cupy.ndarray)

    def as_strided(self, array, shape, strides, offset=0):
        if offset:
            array = cupy.ndarray((1,), array.dtype, array.data + offset)
        return cupy.lib.stride_tricks.as_strided(array, shape, strides)

    def generator(self, index, seed):
        return CupyGenerator(index, seed)

    # -- memory -------------------------------------------------------------------------------
    def _install_allocator(self):
        self._pool = cupy.get_default_memory_pool()
        cupy.cuda.set_allocator(self._malloc)

    def _malloc(self, size):
        pool = self._pool
        try:
            mem = pool.malloc(size)
        except cupy.cuda.memory.OutOfMemoryError:
            raise self._oom(size) from None
        index = _rt.getDevice()
        peak = self._peak.get(index)
        if peak is None:
            peak = self._peak[index] = [0, 0]
        used = pool.used_bytes()
        if used > peak[0]:
            peak[0] = used
        total = pool.total_bytes()
        if total > peak[1]:
            peak[1] = total
        return mem

    def _oom(self, size):
        from ..cuda.memory import OutOfMemoryError, oom_message
        index = _rt.getDevice()
        free, total = _rt.memGetInfo()
        return OutOfMemoryError(oom_message(index, size, total, free, self._pool.used_bytes(),
                                            self._pool.total_bytes()))

    def memory_stats(self, index):
        if self._pool is None:
            return {'allocated': 0, 'reserved': 0, 'peak_allocated': 0, 'peak_reserved': 0}
        with cupy.cuda.Device(index):
            used, total = self._pool.used_bytes(), self._pool.total_bytes()
        peak = self._peak.get(index, (0, 0))
        return {'allocated': used, 'reserved': total, 'peak_allocated': max(peak[0], used),
                'peak_reserved': max(peak[1], total)}

    def reset_peak_memory_stats(self, index):
        s = self.memory_stats(index)
        self._peak[index] = [s['allocated'], s['reserved']]

    def empty_cache(self):
        if self._pool is not None:
            for i in range(self.device_count()):
                with cupy.cuda.Device(i):
                    self._pool.free_all_blocks()
        cupy.get_default_pinned_memory_pool().free_all_blocks()

    def mem_get_info(self, index):
        with cupy.cuda.Device(index):
            return _rt.memGetInfo()

    # -- streams and events ----------------------------------------------------------------------
    def new_stream(self, index, priority):
        with cupy.cuda.Device(index):
            return cupy.cuda.Stream(non_blocking=True, priority=priority)

    def current_stream(self, index):
        return cupy.cuda.get_current_stream(index)

    def default_stream(self, index):
        return cupy.cuda.Stream.null

    def set_stream(self, index, stream):
        with cupy.cuda.Device(index):
            stream.use()

    def stream_ptr(self, stream):
        return stream.ptr

    def stream_query(self, stream):
        return stream.done

    def stream_synchronize(self, stream):
        stream.synchronize()

    def stream_wait_event(self, stream, event):
        stream.wait_event(event)

    def new_event(self, index, enable_timing, blocking, interprocess):
        with cupy.cuda.Device(index):
            return cupy.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                   interprocess=interprocess)

    def record_event(self, event, stream):
        event.record(stream)

    def event_ptr(self, event):
        return event.ptr

    def event_query(self, event):
        return event.done

    def event_synchronize(self, event):
        event.synchronize()

    def event_elapsed_time(self, start, end):
        return cupy.cuda.get_elapsed_time(start, end)
