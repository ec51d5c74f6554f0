"""Grad mode: whether operations record the graph. ``no_grad``, ``enable_grad``,
``set_grad_enabled``, ``is_grad_enabled``, ``inference_mode``.

The flag is a module global (``state.enabled``) read by every op; one attribute load is the
cheapest check there is. It is per process, not per thread as in PyTorch: a ``threading.local``
state costs ~40 ns more per read, and every op reads it (see the autograd report in bench/).
The same object holds the inference-mode and anomaly-mode flags (``anomaly_mode.py``).
"""
import functools

__all__ = ['no_grad', 'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled']


class _State:
    __slots__ = ('enabled', 'inference', 'anomaly', 'check_nan')


state = _State()
state.enabled = True
state.inference = False  # inside inference_mode(): new tensors are inference tensors
state.anomaly = False  # detect_anomaly(): nodes remember their forward stack, NaN checks
state.check_nan = True


def is_grad_enabled():
    """True if operations currently record the autograd graph.

    Example::

        >>> with flambeau.no_grad():
        ...     flambeau.is_grad_enabled()
        False
    """
    return state.enabled


class _GradModeContext:
    """Base of the grad-mode context managers; each is also a decorator."""
    _mode = None

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)
        return wrapper

    def _fresh(self):
        """A new context like this one, for one call of a decorated function."""
        return self.__class__()


class no_grad(_GradModeContext):
    """Context manager (and decorator) that disables graph recording: results of operations
    have ``requires_grad=False`` even when their inputs require grad. Use it for inference and
    for updating parameters by hand.

    Example::

        >>> x = flambeau.tensor([1.], requires_grad=True)
        >>> with flambeau.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """
    _mode = False

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)  # used bare, as ``@no_grad``

    def __init__(self, orig_func=None):
        pass


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on inside ``no_grad``.

    Example::

        >>> x = flambeau.tensor([1.], requires_grad=True)
        >>> with flambeau.no_grad(), flambeau.enable_grad():
        ...     (x * 2).requires_grad
        True
    """
    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode on or off: as a function call (``set_grad_enabled(False)``) or as a
    context manager (``with set_grad_enabled(is_train): ...``).

    Example::

        >>> with flambeau.set_grad_enabled(False):
        ...     flambeau.is_grad_enabled()
        False
    """

    def __init__(self, mode):
        self._prev = state.enabled
        self._mode = bool(mode)
        state.enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev  # used as a decorator: the mode applies inside calls only
        return super().__call__(fn)

    def _fresh(self):
        return set_grad_enabled(self._mode)

    def __exit__(self, *exc):
        state.enabled = self._prev


class inference_mode(_GradModeContext):
    """Context manager (and decorator) for code that will never be differentiated: like
    ``no_grad``, and the tensors created inside are *inference tensors*
    (``t.is_inference()``), which autograd refuses to save for backward and which cannot be
    modified in place outside inference mode. ``inference_mode(False)`` turns both inference
    mode off and grad mode on inside (as PyTorch does).

    Example::

        >>> with flambeau.inference_mode():
        ...     y = flambeau.ones(2) * 2
        >>> y.is_inference(), y.requires_grad
        (True, False)
    """

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # used bare, as ``@inference_mode``
            return cls(True)(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self._on = bool(mode)

    def __enter__(self):
        self._prev = state.enabled, state.inference
        state.enabled = not self._on
        state.inference = self._on

    def __exit__(self, *exc):
        state.enabled, state.inference = self._prev

    def clone(self):
        return inference_mode(self._on)

    _fresh = clone


def is_inference_mode_enabled():
    """True inside ``inference_mode()``.

    Example::

        >>> with flambeau.inference_mode():
        ...     flambeau.is_inference_mode_enabled()
        True
    """
    return state.inference
