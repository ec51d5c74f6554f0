"""A test-only stand-in for the ``cuda`` device (see DESIGN.md, Devices): a backend of type
``cuda`` with two devices whose arrays are NumPy arrays, and whose host <-> device moves
copy, as real ones do. Tests run flambeau's CUDA code paths with it on machines without a GPU.

Besides the ``Backend`` interface it has the hooks of a CUDA backend that ``flambeau.cuda``
calls (see that module's docstring), modelled simply:

* memory: every array made by ``from_host`` counts as allocated on its device until it is
  garbage-collected; freed bytes stay *reserved* (cached) until ``empty_cache``, as in a
  caching allocator; each device has ``capacity`` bytes, and an allocation beyond them raises
  ``flambeau.cuda.OutOfMemoryError`` (arrays made by ops are plain NumPy results, not counted);
* streams and events: work runs at once on the host, so streams are always done; events
  remember the host clock when recorded, so ``elapsed_time`` measures host time.
"""
import itertools
import time
import weakref

import numpy as np

from flambeau.backend import Backend

GiB = 1 << 30


class FakeStream:
    """A stream of the stand-in: an id (its ``ptr``) on a device."""
    __slots__ = ('ptr', 'index', 'priority')

    def __init__(self, ptr, index, priority=0):
        self.ptr, self.index, self.priority = ptr, index, priority


class FakeEvent:
    """An event of the stand-in: the host clock when last recorded."""
    __slots__ = ('ptr', 'index', 'enable_timing', 'time', 'waited_by')

    def __init__(self, ptr, index, enable_timing):
        self.ptr, self.index, self.enable_timing = ptr, index, enable_timing
        self.time = None
        self.waited_by = []


class FakeCudaBackend(Backend):
    """Serves ``cuda:0`` and ``cuda:1`` with NumPy arrays (copies on every device move)."""
    type = 'cuda'
    xp = np
    supports_bfloat16 = True  # NumPy (ml_dtypes) arrays hold bfloat16

    def __init__(self, count=2, capacity=GiB):
        self._count = count
        self._current = 0
        self.capacity = capacity
        self.allocated = [0] * count
        self.reserved = [0] * count
        self.peak_allocated = [0] * count
        self.peak_reserved = [0] * count
        self.synchronized = []  # device indices passed to synchronize, in order
        self._ids = itertools.count(0x1000, 0x10)
        self._default = [FakeStream(0, i) for i in range(count)]
        self._streams = list(self._default)  # the current stream of each device

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

    def device_properties(self, index):
        return {'name': self.get_device_name(index), 'major': 8, 'minor': 0 + index,
                'total_memory': self.capacity, 'multi_processor_count': 108,
                'uuid': f'00000000-0000-0000-0000-00000000000{index}',
                'L2_cache_size': 40 << 20, 'max_threads_per_multi_processor': 2048,
                'warp_size': 32, 'regs_per_multiprocessor': 65536, 'is_integrated': 0,
                'is_multi_gpu_board': 0, 'shared_memory_per_block': 49152,
                'shared_memory_per_multiprocessor': 167936}

    def synchronize(self, index):
        self.synchronized.append(index)

    # -- arrays -----------------------------------------------------------------------------
    def from_host(self, array, index, non_blocking=False):
        out = np.array(array, copy=True)
        self._count_alloc(out, index)
        return out

    def to_host(self, array, non_blocking=False):
        return np.array(array, copy=True)

    def is_array(self, obj):
        return isinstance(obj, np.ndarray)

    def generator(self, index, seed):
        return np.random.Generator(np.random.PCG64(seed))

    # -- memory -----------------------------------------------------------------------------
    def _count_alloc(self, arr, index):
        n = arr.nbytes
        if not n:
            return
        if self.allocated[index] + n > self.capacity:
            from flambeau.cuda.memory import OutOfMemoryError, oom_message
            free = self.capacity - self.reserved[index]
            raise OutOfMemoryError(oom_message(index, n, self.capacity, free,
                                               self.allocated[index], self.reserved[index]))
        self.allocated[index] += n
        if self.allocated[index] > self.reserved[index]:
            self.reserved[index] = self.allocated[index]
        self.peak_allocated[index] = max(self.peak_allocated[index], self.allocated[index])
        self.peak_reserved[index] = max(self.peak_reserved[index], self.reserved[index])
        weakref.finalize(arr, self._count_free, index, n)

    def _count_free(self, index, n):
        self.allocated[index] -= n

    def memory_stats(self, index):
        return {'allocated': self.allocated[index], 'reserved': self.reserved[index],
                'peak_allocated': self.peak_allocated[index],
                'peak_reserved': self.peak_reserved[index]}

    def reset_peak_memory_stats(self, index):
        self.peak_allocated[index] = self.allocated[index]
        self.peak_reserved[index] = self.reserved[index]

    def empty_cache(self):
        self.reserved = list(self.allocated)

    def mem_get_info(self, index):
        return self.capacity - self.reserved[index], self.capacity

    # -- streams and events -----------------------------------------------------------------------
    def new_stream(self, index, priority):
        return FakeStream(next(self._ids), index, priority)

    def current_stream(self, index):
        return self._streams[index]

    def default_stream(self, index):
        return self._default[index]

    def set_stream(self, index, stream):
        self._streams[index] = stream

    def stream_ptr(self, stream):
        return stream.ptr

    def stream_query(self, stream):
        return True

    def stream_synchronize(self, stream):
        pass

    def stream_wait_event(self, stream, event):
        event.waited_by.append(stream.ptr)

    def new_event(self, index, enable_timing, blocking, interprocess):
        return FakeEvent(next(self._ids), index, enable_timing)

    def record_event(self, event, stream):
        event.time = time.perf_counter()

    def event_ptr(self, event):
        return event.ptr

    def event_query(self, event):
        return True

    def event_synchronize(self, event):
        pass

    def event_elapsed_time(self, start, end):
        return (end.time - start.time) * 1000.0
