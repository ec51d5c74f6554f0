"""Process-wide settings PyTorch programs set and read: thread counts (the BLAS's own, which
flambeau's matmuls and convolutions run on), determinism and matmul precision flags, and
``typename``."""
import ctypes
import glob
import os
import sys
import warnings

import numpy as np

__all__ = ['set_num_threads', 'get_num_threads', 'set_num_interop_threads',
           'get_num_interop_threads', 'use_deterministic_algorithms',
           'are_deterministic_algorithms_enabled', 'is_deterministic_algorithms_warn_only_enabled',
           'set_float32_matmul_precision', 'get_float32_matmul_precision', 'typename']

_SETTERS = ('scipy_openblas_set_num_threads64_', 'scipy_openblas_set_num_threads',
            'openblas_set_num_threads64_', 'openblas_set_num_threads', 'MKL_Set_Num_Threads')
_GETTERS = ('scipy_openblas_get_num_threads64_', 'scipy_openblas_get_num_threads',
            'openblas_get_num_threads64_', 'openblas_get_num_threads', 'MKL_Get_Max_Threads')
_blas = None  # (set, get) functions of NumPy's BLAS, or () when it cannot be found
_blas_cdll = None  # the library they come from (or False)
_settings = {'threads': os.cpu_count() or 1, 'interop': os.cpu_count() or 1,
             'deterministic': False, 'warn_only': False, 'precision': 'highest'}


def blas_library():
    """The BLAS library NumPy is linked against, as a ``ctypes.CDLL`` (None if it cannot be
    found): the one that ``set_num_threads`` reaches, also called directly by ``flambeau._blas``."""
    _blas_threads()
    return _blas_cdll or None


def _blas_threads():
    """The thread-count functions of the BLAS NumPy is linked against (OpenBLAS as NumPy's
    wheels bundle it, a system OpenBLAS, or MKL), found among the loaded libraries."""
    global _blas, _blas_cdll
    if _blas is None:
        _blas = ()
        _blas_cdll = False
        here = os.path.dirname(np.__file__)
        paths = glob.glob(os.path.join(here, '..', 'numpy.libs', '*blas*'))
        try:
            with open('/proc/self/maps') as f:
                paths += sorted({line.split()[-1] for line in f
                                 if 'blas' in line or 'mkl_rt' in line})
        except OSError:
            pass
        for path in paths:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            s = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
            g = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
            if s is not None and g is not None:
                _blas = (s, g)
                _blas_cdll = lib
                break
    return _blas


def set_num_threads(int):  # noqa: A002 (PyTorch's parameter name)
    """Sets the number of threads used for intra-op parallelism on the CPU: the BLAS threads
    of matrix products and convolutions.

    Example::

        >>> flambeau.set_num_threads(1)
        >>> flambeau.get_num_threads()
        1
    """
    n = int
    if isinstance(n, bool) or not isinstance(n, type(1)):
        raise RuntimeError(f'set_num_threads expects an int, but got {type(n).__name__}')
    if n <= 0:
        raise RuntimeError('set_num_threads expects a positive integer')
    _settings['threads'] = n
    blas = _blas_threads()
    if blas:
        blas[0](n)


def get_num_threads():
    """The number of threads used for intra-op parallelism on the CPU (the BLAS's).

    Example::

        >>> flambeau.get_num_threads() >= 1
        True
    """
    blas = _blas_threads()
    return int(blas[1]()) if blas else _settings['threads']


def set_num_interop_threads(int):  # noqa: A002
    """Sets the number of threads for inter-op parallelism. flambeau runs ops one after the
    other, so the number is recorded for ``get_num_interop_threads`` only."""
    n = int
    if isinstance(n, bool) or not isinstance(n, type(1)):
        raise RuntimeError(f'set_num_interop_threads expects an int, but got {type(n).__name__}')
    if n <= 0:
        raise RuntimeError('Expected positive number of threads')
    _settings['interop'] = n


def get_num_interop_threads():
    """The number of threads for inter-op parallelism (see ``set_num_interop_threads``)."""
    return _settings['interop']


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Asks for deterministic algorithms. Every flambeau op is deterministic on the CPU (NumPy
    kernels, fixed reduction orders), so the flag is recorded for the functions that read it.

    Example::

        >>> flambeau.use_deterministic_algorithms(True)
        >>> flambeau.are_deterministic_algorithms_enabled()
        True
    """
    if not isinstance(mode, bool):
        raise RuntimeError(f'use_deterministic_algorithms expects a bool, but got '
                           f'{type(mode).__name__}')
    _settings['deterministic'] = mode
    _settings['warn_only'] = bool(warn_only) and mode


def are_deterministic_algorithms_enabled():
    """True if ``use_deterministic_algorithms(True)`` is in effect."""
    return _settings['deterministic']


def is_deterministic_algorithms_warn_only_enabled():
    """True if ``use_deterministic_algorithms(True, warn_only=True)`` is in effect."""
    return _settings['warn_only']


def set_float32_matmul_precision(precision):
    """Sets the internal precision of float32 matrix products: ``'highest'``, ``'high'`` or
    ``'medium'``. flambeau's CPU matmuls always compute in full float32 (``'highest'``); the
    setting is recorded for ``get_float32_matmul_precision``.

    Example::

        >>> flambeau.set_float32_matmul_precision('high')
        >>> flambeau.get_float32_matmul_precision()
        'high'
    """
    if precision not in ('highest', 'high', 'medium'):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      f"setFloat32MatmulPrecision call has no effect.", stacklevel=2)
        return
    _settings['precision'] = precision


def get_float32_matmul_precision():
    """The float32 matmul precision set by ``set_float32_matmul_precision`` (``'highest'``)."""
    return _settings['precision']


def typename(obj):
    """The type of ``obj`` as a string: PyTorch's legacy tensor type for tensors
    (``torch.FloatTensor``), the qualified class name otherwise.

    Example::

        >>> flambeau.typename(flambeau.zeros(2)), flambeau.typename(3)
        ('torch.FloatTensor', 'int')
    """
    from .autograd.node import tensor_type_name
    from .tensor import Tensor
    if isinstance(obj, Tensor):
        return tensor_type_name(obj)
    module = getattr(type(obj), '__module__', '') or ''
    name = type(obj).__qualname__
    return name if module in ('builtins', '') else f'{module}.{name}'


def _keep_freed_memory():
    """Stop glibc from unmapping the memory of freed arrays. By default it serves large blocks
    by mmap and trims freed memory above a moving threshold, so a training step that frees and
    re-allocates its activations page-faults them in again on every step (half the time of a
    small CNN step). Blocks under 16 MiB now come from the heap, which keeps up to 64 MiB free.
    Skipped when the user tunes malloc through ``MALLOC_*`` variables."""
    if sys.platform != 'linux' or any(k.startswith('MALLOC_') for k in os.environ):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD
    mallopt(-3, 16 << 20)  # M_MMAP_THRESHOLD


_keep_freed_memory()
