"""CUDA streams and events: ``Stream``, ``Event``, ``StreamContext`` and the ``stream``,
``current_stream``, ``default_stream``, ``set_stream`` functions of ``flambeau.cuda``.

A stream is a queue of GPU work; work on one stream runs in order, work on two streams may
overlap. An event marks a point in a stream: other streams can wait for it, the host can wait
for it, and two timing events measure the GPU time between them. These classes hold the
backend's native objects (CuPy streams and events) and call the backend for every action, so
the test stand-in for ``cuda`` runs the same code.
"""
import threading

from ..backend import get_backend
from ._util import _backend, _cuda_device, _device_index

__all__ = ['Event', 'Stream', 'StreamContext', 'current_stream', 'default_stream', 'set_stream',
           'stream']


_local = threading.local()


def _backend_or_raise(what):
    b = _backend()
    if b is None:  # PyTorch's error on a CPU-only build
        raise RuntimeError(f'torch.cuda.{what} requires CUDA support')
    return b


def _entered_streams():
    """The contexts of the streams used as ``with s:`` on this thread, innermost last."""
    st = getattr(_local, 'stack', None)
    if st is None:
        st = _local.stack = []
    return st


class Stream:
    """A CUDA stream on ``device`` (default: the current device) with ``priority`` (lower is
    more urgent; 0 is the default).

    Example::

        >>> s = flambeau.cuda.Stream()
        >>> with flambeau.cuda.stream(s):
        ...     y = flambeau.ones(3, device='cuda') * 2   # queued on s
        >>> s.synchronize()
    """
    __slots__ = ('device', 'priority', '_native', '_backend')

    def __init__(self, device=None, priority=0):
        b = _backend_or_raise('Stream')
        index = _device_index(b, device)
        self._backend = b
        self._native = b.new_stream(index, priority)
        self.device = _cuda_device(index)
        self.priority = priority

    @classmethod
    def _wrap(cls, b, index, native):
        s = cls.__new__(cls)
        s._backend, s._native, s.device, s.priority = b, native, _cuda_device(index), 0
        return s

    @property
    def cuda_stream(self):
        """The address of the native ``cudaStream_t`` (0 for the default stream)."""
        return self._backend.stream_ptr(self._native)

    def query(self):
        """True when all work queued on this stream has finished."""
        return self._backend.stream_query(self._native)

    def synchronize(self):
        """Wait until all work queued on this stream has finished."""
        self._backend.stream_synchronize(self._native)

    def wait_event(self, event):
        """Make work queued on this stream after now wait for ``event`` (no host wait)."""
        if event._native is not None:
            self._backend.stream_wait_event(self._native, event._native)

    def wait_stream(self, stream):
        """Make work queued on this stream after now wait for the work queued on ``stream``."""
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        """Record ``event`` (a new one if None) on this stream; returns it."""
        if event is None:
            event = Event()
        event.record(self)
        return event

    def __eq__(self, other):
        if not isinstance(other, Stream):
            return NotImplemented
        return self.device == other.device and self.cuda_stream == other.cuda_stream

    def __hash__(self):
        return hash((self.device, self.cuda_stream))

    def __enter__(self):
        ctx = StreamContext(self)
        ctx.__enter__()
        _entered_streams().append(ctx)
        return self

    def __exit__(self, *exc):
        _entered_streams().pop().__exit__(*exc)

    def __repr__(self):
        return f'<torch.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>'


class Event:
    """A CUDA event: a marker in a stream to wait on or to time with.

    Args:
        enable_timing: whether ``elapsed_time`` can measure from/to this event.
        blocking: whether ``synchronize`` blocks the host thread (rather than spinning).
        interprocess: whether the event can be shared between processes.

    The native event is created when the event is first recorded, on its stream's device.

    Example::

        >>> start = flambeau.cuda.Event(enable_timing=True)
        >>> end = flambeau.cuda.Event(enable_timing=True)
        >>> start.record()
        >>> a = flambeau.randn(1000, 1000, device='cuda')
        >>> b = a @ a
        >>> end.record()
        >>> end.synchronize()
        >>> ms = start.elapsed_time(end)
    """
    __slots__ = ('enable_timing', 'blocking', 'interprocess', '_native', '_backend', '_device')

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._backend = _backend_or_raise('Event')
        self.enable_timing = bool(enable_timing)
        self.blocking = bool(blocking)
        self.interprocess = bool(interprocess)
        self._native = None
        self._device = None

    @property
    def device(self):
        """The device of the stream the event was first recorded on (None before)."""
        return self._device

    @property
    def cuda_event(self):
        """The address of the native ``cudaEvent_t`` (0 before the first record)."""
        return 0 if self._native is None else self._backend.event_ptr(self._native)

    def record(self, stream=None):
        """Record the event on ``stream`` (default: the current stream of the current device)."""
        if stream is None:
            stream = current_stream()
        b = self._backend
        index = stream.device.index
        if self._native is None:
            self._native = b.new_event(index, self.enable_timing, self.blocking,
                                       self.interprocess)
            self._device = stream.device
        elif self._device != stream.device:
            raise RuntimeError(f'Event device {self._device.index} does not match recording '
                               f"stream's device {index}.")
        b.record_event(self._native, stream._native)

    def wait(self, stream=None):
        """Make all work queued on ``stream`` (default: the current stream) after now wait for
        this event."""
        if stream is None:
            stream = current_stream()
        stream.wait_event(self)

    def query(self):
        """True when all work recorded before this event has finished (True if never
        recorded)."""
        return True if self._native is None else self._backend.event_query(self._native)

    def synchronize(self):
        """Wait until all work recorded before this event has finished."""
        if self._native is not None:
            self._backend.event_synchronize(self._native)

    def elapsed_time(self, end_event):
        """Milliseconds of GPU time between this event and ``end_event`` (both recorded with
        ``enable_timing=True``, and completed)."""
        if not (self.enable_timing and end_event.enable_timing):
            raise ValueError("Both events must be created with argument 'enable_timing=True'.")
        if self._native is None or end_event._native is None:
            raise ValueError('Both events must be recorded before calculating elapsed time.')
        return self._backend.event_elapsed_time(self._native, end_event._native)

    def __repr__(self):
        if self._native is None:
            return '<torch.cuda.Event uninitialized>'
        return f'<torch.cuda.Event {self.cuda_event:#x}>'


def current_stream(device=None):
    """The stream that work on ``device`` (default: the current device) is queued on now."""
    b = get_backend('cuda')
    index = _device_index(b, device)
    return Stream._wrap(b, index, b.current_stream(index))


def default_stream(device=None):
    """The default (null) stream of ``device`` (default: the current device)."""
    b = get_backend('cuda')
    index = _device_index(b, device)
    return Stream._wrap(b, index, b.default_stream(index))


def set_stream(stream):
    """Make ``stream`` the current stream of its device (prefer the ``stream`` context)."""
    if stream is None:
        return
    stream._backend.set_stream(stream.device.index, stream._native)


class StreamContext:
    """Context manager that makes ``stream`` the current stream (and its device the current
    device) inside the ``with`` block; ``None`` changes nothing.

    Example::

        >>> s = flambeau.cuda.Stream()
        >>> with flambeau.cuda.StreamContext(s):
        ...     assert flambeau.cuda.current_stream() == s
    """
    __slots__ = ('stream', '_prev_device', '_prev_stream', '_prev_on_dest')

    def __init__(self, stream):
        self.stream = stream
        self._prev_device = self._prev_stream = self._prev_on_dest = None

    def __enter__(self):
        s = self.stream
        if s is None:
            return None
        b = s._backend
        dest = s.device.index
        self._prev_device = b.current_device()
        self._prev_stream = b.current_stream(self._prev_device)
        if dest != self._prev_device:
            self._prev_on_dest = b.current_stream(dest)
            b.set_device(dest)
        b.set_stream(dest, s._native)
        return s

    def __exit__(self, *exc):
        s = self.stream
        if s is None:
            return
        b = s._backend
        dest = s.device.index
        if self._prev_on_dest is not None:
            b.set_stream(dest, self._prev_on_dest)
            b.set_device(self._prev_device)
        b.set_stream(self._prev_device, self._prev_stream)


def stream(stream):
    """A context manager that queues work on ``stream`` inside the ``with`` block (``None``
    changes nothing); a thin wrapper of ``StreamContext``.

    Example::

        >>> s = flambeau.cuda.Stream()
        >>> with flambeau.cuda.stream(s):
        ...     y = flambeau.ones(3, device='cuda') + 1
    """
    return StreamContext(stream)
