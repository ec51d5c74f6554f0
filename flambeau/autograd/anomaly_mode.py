"""Anomaly detection for the backward engine: ``detect_anomaly``, ``set_detect_anomaly``,
``is_anomaly_enabled``, ``is_anomaly_check_nan_enabled``.

While it is on, every graph node remembers the stack of the forward call that created it
(``node.remember_trace``, called by ``record`` and ``Function.apply``). During backward, a node
whose backward raises makes the engine warn "Error detected in <Node>. Traceback of forward
call that caused the error: ..." before the error propagates, and, with ``check_nan``, a
backward that returns NaN raises "Function '<Node>' returned nan values in its <i>th output."
It costs a stack capture per recorded op and a NaN scan per backward: for debugging only.
"""
import warnings

from .grad_mode import state

__all__ = ['detect_anomaly', 'set_detect_anomaly', 'is_anomaly_enabled',
           'is_anomaly_check_nan_enabled', 'set_anomaly_enabled']


def is_anomaly_enabled():
    """True while anomaly detection is on.

    Example::

        >>> with flambeau.autograd.set_detect_anomaly(True):
        ...     flambeau.autograd.is_anomaly_enabled()
        True
    """
    return state.anomaly


def is_anomaly_check_nan_enabled():
    """True while anomaly detection also checks backward results for NaN."""
    return state.anomaly and state.check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    """Turn anomaly detection on or off (PyTorch's ``torch.set_anomaly_enabled``; prefer the
    ``set_detect_anomaly`` and ``detect_anomaly`` context managers)."""
    state.anomaly = bool(enabled)
    state.check_nan = bool(check_nan)


_set = set_anomaly_enabled


class detect_anomaly:
    """Context manager that turns anomaly detection on: backward errors come
    with the traceback of the forward operation that created the failing node, and (with
    ``check_nan=True``, the default) a backward that produces NaN raises.

    Example::

        >>> x = flambeau.tensor([0., 1.], requires_grad=True)
        >>> with flambeau.autograd.detect_anomaly():
        ...     y = x.sqrt() * 0
        ...     y.sum().backward()
        Traceback (most recent call last):
          ...
        RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn('Anomaly Detection has been enabled. This mode will increase the runtime '
                      'and should only be enabled for debugging.', UserWarning, stacklevel=2)

    def __enter__(self):
        self._prev = (state.anomaly, state.check_nan)
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self._prev)


class set_detect_anomaly:
    """Turn anomaly detection on or off (``mode``), as a function call or as a context manager
    that restores the previous setting on exit. ``check_nan``: also raise on NaN gradients.

    Example::

        >>> _ = flambeau.autograd.set_detect_anomaly(True)
        >>> flambeau.autograd.is_anomaly_enabled()
        True
        >>> _ = flambeau.autograd.set_detect_anomaly(False)
    """

    def __init__(self, mode, check_nan=True):
        self._prev = (state.anomaly, state.check_nan)
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self._prev)
