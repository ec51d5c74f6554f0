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

    def as_strided(self, array, shape, strides, offset=0):
        if offset:  # (a view that starts ``offset`` bytes further)
            k = offset // array.itemsize
            array = np.lib.stride_tricks.as_strided(array, (k + 1,), (array.itemsize,))[k:]
        return np.lib.stride_tricks.as_strided(array, shape, strides)

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


# -- the strict stand-in ---------------------------------------------------------------------------
"""Note (the strict stand-in, ``FLAMBEAU_TEST_DEVICES=cpu,strict_cuda``): ``FakeCudaBackend``
serves plain NumPy arrays, so an op that calls ``np.exp(device_array)`` instead of
``xp.exp(...)``, or that mixes a host array into device arithmetic, passes there and fails on a
GPU. ``StrictCudaBackend`` makes its arrays ``DeviceArray``, a ``numpy.ndarray`` subclass that

* refuses every NumPy function or ufunc called on it (``np.exp(a)``, ``np.where(m, a, b)``,
  ``np.add.at(a, ...)``): TypeError naming the function. Only the backend's namespace ``xp``
  (``StrictNamespace``: unwrap, call NumPy, wrap the results) computes on device arrays.
  CuPy itself would run some of these calls (``np.exp(cupy_array)`` is dispatched to
  ``cupy.exp`` through ``__array_ufunc__``) and fail on the others (a function CuPy lacks,
  ``np.asarray(cupy_array)``); DESIGN.md asks for ``xp`` everywhere, so all are refused;
* refuses a host array that is not 0-d meeting it, in operators (``a + host``) and in ``xp``
  functions (``xp.where(m, host, a)``), as CuPy does (TypeError); 0-d arrays, NumPy scalars
  and Python numbers are fine, as in CuPy. ``xp.array``/``xp.asarray`` take host arrays (a
  copy to the device), and so do indexing and item assignment (``a[host_idx]``,
  ``a[...] = host``), which CuPy converts;
* keeps what CuPy arrays also have: operators, indexing, and ndarray methods (``.sum``,
  ``.reshape``, ``.astype``, ``.T``, ``.copy``...). Reductions and scalar indexing give 0-d
  device arrays, as CuPy does, not NumPy scalars;
* ``xp`` refuses, with a TypeError, the NumPy names of ``CUPY_LACKS`` (the ones flambeau
  was seen to use that CuPy does not have).

What it cannot catch: NumPy's C entry points that do not dispatch, ``np.asarray(a)``,
``np.array(a)``, ``np.ascontiguousarray(a)``, ``memoryview(a)``, which succeed on a
``DeviceArray`` (on CuPy the first three raise TypeError, implicit conversion);
``isinstance(a, np.ndarray)`` is True here and False on CuPy; results that differ only in
value (CuPy's math libraries, reduction order); functions CuPy has with fewer options than
NumPy's (``cupy.unique(axis=...)``, ``cupy.lexsort`` of more than 2-D keys...); anything about
streams, devices (``cuda:1`` arrays are the same kind as ``cuda:0``'s) or memory. It is a lint
run by the op tests, not a GPU.
"""
import types  # noqa: E402

# numpy names CuPy (13.x) does not have, among those flambeau's code touches
CUPY_LACKS = frozenset({'errstate', 'seterr', 'geterr', 'frompyfunc'})
# xp functions that take host arrays (a host -> device copy in CuPy)
_HOST_OK = frozenset({'array', 'asarray', 'asanyarray'})


class DeviceArray(np.ndarray):
    """An array of the strict stand-in's device (see the Note above)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == '__call__' and len(inputs) == 2 and not kwargs and \
                (isinstance(inputs[0], np.generic) or
                 (type(inputs[0]) is np.ndarray and inputs[0].ndim == 0)):
            # ``np.float32(2) * a``: the NumPy scalar's operator calls the ufunc (CuPy takes
            # it); ``np.multiply(np.float32(2), a)`` cannot be told apart and passes too
            return _call(ufunc, f'numpy.{ufunc.__name__}', inputs, kwargs)
        name = ufunc.__name__ if method == '__call__' else f'{ufunc.__name__}.{method}'
        raise TypeError(f'numpy.{name} called on a device array (use the backend namespace xp)'
                        + _mixing_note(inputs))

    def __array_function__(self, func, types, args, kwargs):
        mod = func.__module__ or 'numpy'
        raise TypeError(f'{mod}.{func.__name__} called on a device array (use the backend '
                        f'namespace xp)')

    def __repr__(self):
        return 'device_' + repr(self.view(np.ndarray))

    def __str__(self):
        return str(self.view(np.ndarray))

    def __getitem__(self, idx):
        a = self.view(np.ndarray)
        r = np.ndarray.__getitem__(a, _unwrap(idx))
        if isinstance(r, np.generic):  # CuPy gives a 0-d view, not a NumPy scalar
            r = np.ndarray.__getitem__(a, (*idx, ...) if type(idx) is tuple else (idx, ...))
        return _wrap(r)

    def __setitem__(self, idx, value):
        np.ndarray.__setitem__(self.view(np.ndarray), _unwrap(idx), _unwrap(value))


def _is_host(x):
    return type(x) is np.ndarray and x.ndim > 0


def _mixing_note(args):
    return '; a host array meets a device array' if any(map(_is_host, args)) else ''


def _refuse_host(name, args, kwargs):
    """TypeError if a non-0-d host array is among ``args``/``kwargs`` (one level of lists)."""
    for a in (*args, *kwargs.values()):
        if _is_host(a) or (type(a) in (list, tuple) and any(map(_is_host, a))):
            raise TypeError(f'{name}: a host (NumPy) array of shape {np.shape(a)} meets device '
                            f'arrays (CuPy raises TypeError; move it with the backend first)')


def _unwrap(x):
    t = type(x)
    if t is DeviceArray:
        return x.view(np.ndarray)
    if t is tuple or t is list:
        return t(map(_unwrap, x))
    return x


def _wrap(x):
    if isinstance(x, np.ndarray):
        return x if type(x) is DeviceArray else x.view(DeviceArray)
    if isinstance(x, np.generic):
        return np.asarray(x).view(DeviceArray)
    if isinstance(x, tuple):  # (NumPy's named tuples, SVDResult..., are plain in CuPy)
        return tuple(map(_wrap, x))
    if type(x) is list:
        return list(map(_wrap, x))
    return x


def _call(fn, name, args, kwargs, host_ok=False):
    """``fn`` on the unwrapped arguments, results wrapped; ``out=`` arrays come back as given."""
    if not host_ok:
        _refuse_host(name, args, kwargs)
    out = kwargs.get('out')
    res = fn(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    if out is not None:
        outs = out if type(out) is tuple else (out,)
        if type(res) is tuple:
            return tuple(o if isinstance(o, DeviceArray) else _wrap(r) for o, r in zip(outs, res))
        return outs[0] if isinstance(outs[0], DeviceArray) else _wrap(res)
    return _wrap(res)


def _method(name, inplace=False):
    base = getattr(np.ndarray, name)

    def method(self, *args, **kwargs):
        res = _call(base, f'ndarray.{name}', (self, *args), kwargs)
        return self if inplace else res
    method.__name__ = name
    return method


# operators and the ndarray methods (that CuPy arrays have too) that compute through ufuncs
for _name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'matmul', 'and', 'or',
              'xor', 'lshift', 'rshift'):
    setattr(DeviceArray, f'__{_name}__', _method(f'__{_name}__'))
    setattr(DeviceArray, f'__r{_name}__', _method(f'__r{_name}__'))
    setattr(DeviceArray, f'__i{_name}__', _method(f'__i{_name}__', inplace=True))
for _name in ('__divmod__', '__rdivmod__', '__lt__', '__le__', '__gt__', '__ge__', '__eq__',
              '__ne__', '__neg__', '__pos__', '__abs__', '__invert__', 'sum', 'prod', 'max', 'min',
              'mean', 'var', 'std', 'any', 'all', 'clip', 'cumsum', 'cumprod', 'round', 'conj',
              'conjugate', 'trace', 'dot', 'argmax', 'argmin', 'nonzero', 'take', 'repeat',
              'put', 'sort', 'argsort', 'diagonal', 'fill'):
    setattr(DeviceArray, _name, _method(_name))
DeviceArray.__hash__ = None


class _StrictUfunc:
    """A NumPy ufunc seen through ``StrictNamespace``: call and methods on device arrays."""

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__

    def __call__(self, *args, **kwargs):
        return _call(self._uf, f'xp.{self.__name__}', args, kwargs)

    def __getattr__(self, name):
        attr = getattr(self._uf, name)
        if not callable(attr):
            return attr
        label = f'xp.{self.__name__}.{name}'
        return lambda *a, **k: _call(attr, label, a, k)


class StrictNamespace:
    """NumPy for device arrays, as the strict backend's ``xp``: functions unwrap device
    arrays, refuse host ones, call NumPy and wrap the results; dtypes and constants pass."""

    ndarray = DeviceArray

    def __init__(self, module=np, name='strict_numpy'):
        self._module = module
        self.__name__ = name

    def __getattr__(self, name):
        if name in CUPY_LACKS:
            raise TypeError(f'xp.{name}: CuPy has no {name} (copy to the host and back through '
                            f'the backend)')
        obj = getattr(self._module, name)
        if isinstance(obj, types.ModuleType):
            wrapped = StrictNamespace(obj, f'{self.__name__}.{name}')
        elif isinstance(obj, np.ufunc):
            wrapped = _StrictUfunc(obj)
        elif callable(obj) and not isinstance(obj, type):
            label, host_ok = f'xp.{name}', name in _HOST_OK

            def wrapped(*args, _fn=obj, **kwargs):
                return _call(_fn, label, args, kwargs, host_ok)
            wrapped.__name__ = name
        else:
            wrapped = obj
        setattr(self, name, wrapped)  # (cached: the next look-up is an attribute)
        return wrapped


class _StrictGenerator:
    """A NumPy ``Generator`` whose draws are device arrays."""

    def __init__(self, gen):
        self.bit_generator = gen.bit_generator
        self._gen = gen

    def __getattr__(self, name):
        attr = getattr(self._gen, name)
        return (lambda *a, **k: _wrap(attr(*_unwrap(a), **{x: _unwrap(v) for x, v in k.items()}))) \
            if callable(attr) else attr


class StrictCudaBackend(FakeCudaBackend):
    """``FakeCudaBackend`` with ``DeviceArray`` arrays and the ``StrictNamespace`` (see the
    Note above)."""
    xp = StrictNamespace()

    def from_host(self, array, index, non_blocking=False):
        out = np.array(_unwrap(array), copy=True).view(DeviceArray)
        self._count_alloc(out, index)
        return out

    def to_host(self, array, non_blocking=False):
        if type(array) is not DeviceArray:
            raise TypeError(f'to_host of a {type(array).__name__}, not a device array')
        return np.array(array.view(np.ndarray), copy=True)

    def is_array(self, obj):
        return type(obj) is DeviceArray

    def as_strided(self, array, shape, strides, offset=0):
        return _wrap(super().as_strided(_unwrap(array), shape, strides, offset))

    def generator(self, index, seed):
        return _StrictGenerator(super().generator(index, seed))
