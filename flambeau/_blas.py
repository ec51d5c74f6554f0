"""Direct calls into the BLAS that NumPy is linked against, for two things NumPy does not do
well: ``C += A @ B`` into an existing array (GEMM with beta = 1) and out-of-place matrix
transposes (Note [Transposes by the BLAS]).

Note [GEMM into an existing array]: NumPy's ``matmul(a, b, out=c)`` overwrites ``c``, so
``c += a @ b`` costs a product into a temporary and an add pass. In a recurrent layer that add
runs once per time step on the GEMM's fresh output, which the other core's BLAS thread partly
wrote, and costs ~5-30 us of a ~110 us step. Called directly, the BLAS accumulates into ``c``:
an LSTM layer's forward (50 steps of 64x128 @ 128x512) 11.0-12.5 -> 9.6 ms in this machine's
slow phases, ~3% in its fast ones, with the same bits. The routine is looked up in the library
that ``set_num_threads`` drives (NumPy's bundled OpenBLAS: ``scipy_cblas_sgemm64_``); only
names that state their integer width are used
(``*64_``: 64-bit ints; ``scipy_cblas_*`` without it: 32-bit), and a first call is checked
against NumPy. Where none is found ``gemm_acc`` returns False and the caller takes NumPy's path.
"""
import ctypes

import numpy as np

from . import _runtime

__all__ = ['available', 'axpby', 'gemm_acc', 'transpose_into']

_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_NAMES = (('scipy_cblas_{}gemm64_', ctypes.c_int64), ('cblas_{}gemm64_', ctypes.c_int64),
          ('scipy_cblas_{}gemm', ctypes.c_int32))
_routines = None  # {np.float32: fn, np.float64: fn}, or {} when unavailable
_transposes = None  # the same for ?omatcopy


def _find(names, args):
    """The routines of ``names`` (one spelling, with ``s``/``d`` to fill in) for float32 and
    float64, their argument types ``args(int type, real type)``; {} if none is found."""
    lib = _runtime.blas_library()
    if lib is None:
        return {}
    for name, int_t in names:
        fns = {}
        for dt, ch, real in ((np.float32, 's', ctypes.c_float), (np.float64, 'd', ctypes.c_double)):
            fn = getattr(lib, name.format(ch), None)
            if fn is None:
                break
            fn.argtypes = args(int_t, real)
            fn.restype = None
            fns[np.dtype(dt)] = fn
        if len(fns) == 2:
            return fns
    return {}


def _checked(names, args, works):
    """``_find``'s routines if ``works(routines)`` (a first call checked against NumPy), else
    {}."""
    fns = _find(names, args)
    return fns if fns and works(fns) else {}


def _gemm_args(int_t, real):
    return [ctypes.c_int, ctypes.c_int, ctypes.c_int, int_t, int_t, int_t, real, ctypes.c_void_p,
            int_t, ctypes.c_void_p, int_t, real, ctypes.c_void_p, int_t]


def _omatcopy_args(int_t, real):
    return [ctypes.c_int, ctypes.c_int, int_t, int_t, real, ctypes.c_void_p, int_t,
            ctypes.c_void_p, int_t]


def _operand(a):
    """(transpose flag, leading dimension) for a 2-D operand, or None if BLAS cannot read it."""
    isz = a.itemsize
    s0, s1 = a.strides
    if s1 == isz and s0 % isz == 0 and s0 // isz >= max(a.shape[1], 1):
        return _NO_TRANS, s0 // isz
    if s0 == isz and s1 % isz == 0 and s1 // isz >= max(a.shape[0], 1):
        return _TRANS, s1 // isz
    return None


def _self_test():
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        a = rng.standard_normal((3, 4)).astype(dt)
        b = rng.standard_normal((5, 4)).astype(dt).T
        c = rng.standard_normal((3, 5)).astype(dt)
        want = c + a @ b
        if not _call(a, b, c) or not np.allclose(c, want, rtol=1e-5, atol=1e-5):
            return False
    return True


def _call(a, b, c):
    fn = _routines.get(c.dtype)
    if fn is None or a.dtype != c.dtype or b.dtype != c.dtype:
        return False
    oa, ob = _operand(a), _operand(b)
    if oa is None or ob is None or c.strides[1] != c.itemsize or c.strides[0] % c.itemsize or \
            c.strides[0] // c.itemsize < max(c.shape[1], 1):
        return False
    m, k = a.shape
    n = b.shape[1]
    if m == 0 or n == 0:
        return True
    if k == 0:
        return True  # c += 0
    if np.may_share_memory(c, a) or np.may_share_memory(c, b):
        return False
    fn(_ROW_MAJOR, oa[0], ob[0], m, n, k, 1.0, a.ctypes.data, oa[1], b.ctypes.data, ob[1], 1.0,
       c.ctypes.data, c.strides[0] // c.itemsize)
    return True


def available(dtype):
    """Whether ``gemm_acc`` can take arrays of NumPy ``dtype`` here."""
    global _routines
    if _routines is None:
        _routines = _find(_NAMES, _gemm_args)
        if _routines and not _self_test():
            _routines = {}
    return np.dtype(dtype) in _routines


# Note [Transposes by the BLAS]: NumPy copies a transposed matrix element by element through
# its iterator, ~1 ns per float32 element for a (4704, 64) matrix; OpenBLAS's ``somatcopy``
# transposes in cache blocks, 4-5x faster (221 -> 44 us there). The batch-last convolutions
# (Note [Batch-last columns]) move their inputs, outputs and gradients between (N, rest) and
# (rest, N) with it. Looked up and checked like the GEMM; where it is missing, NumPy copies.
_OMAT_NAMES = (('scipy_cblas_{}omatcopy64_', ctypes.c_int64),
               ('cblas_{}omatcopy64_', ctypes.c_int64), ('scipy_cblas_{}omatcopy', ctypes.c_int32))


def transpose_into(a, out):
    """``out[...] = a.T`` for 2-D NumPy arrays, ``a`` (m, n), ``out`` (n, m), both with unit
    column stride (rows may be padded); through the BLAS for float32/float64 (Note [Transposes
    by the BLAS]), else by NumPy.

    Example::

        >>> out = np.empty((3, 2), np.float32)
        >>> transpose_into(np.arange(6, dtype=np.float32).reshape(2, 3), out)
        >>> out.tolist()
        [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    """
    global _transposes
    if _transposes is None:
        _transposes = _checked(_OMAT_NAMES, _omatcopy_args, _transpose_test)
    fn = _transposes.get(out.dtype)
    isz = out.itemsize
    if fn is None or a.dtype != out.dtype or type(a) is not np.ndarray or \
            type(out) is not np.ndarray or a.ndim != 2 or out.shape != a.shape[::-1] or \
            a.strides[1] != isz or out.strides[1] != isz or a.strides[0] % isz or \
            out.strides[0] % isz or a.strides[0] < isz * max(a.shape[1], 1) or \
            out.strides[0] < isz * max(a.shape[0], 1) or np.may_share_memory(a, out):
        out[...] = a.T
        return
    if a.size:
        fn(_ROW_MAJOR, _TRANS, a.shape[0], a.shape[1], 1.0, a.ctypes.data, a.strides[0] // isz,
           out.ctypes.data, out.strides[0] // isz)


def _transpose_test(fns):
    for dt in (np.float32, np.float64):
        a = np.arange(12, dtype=dt).reshape(3, 4) * 0.5
        out = np.empty((4, 3), dt)
        fns[np.dtype(dt)](_ROW_MAJOR, _TRANS, 3, 4, 1.0, a.ctypes.data, 4, out.ctypes.data, 3)
        if not np.array_equal(out, a.T):
            return False
    return True


def gemm_acc(a, b, c):
    """``c += a @ b`` for 2-D float32 or float64 NumPy arrays of one dtype, ``c`` of shape
    ``(a.shape[0], b.shape[1])`` with rows of unit stride (Note [GEMM into an existing array]).
    Returns False, having done nothing, when the BLAS routine is not available or the operands'
    layout does not suit it; the caller then computes it with NumPy.

    Example::

        >>> c = np.ones((2, 2), np.float32)
        >>> gemm_acc(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32), c)
        True
    """
    if not available(c.dtype) or type(a) is not np.ndarray or type(b) is not np.ndarray or \
            type(c) is not np.ndarray or a.ndim != 2 or b.ndim != 2 or c.ndim != 2 or \
            a.shape[1] != b.shape[0] or c.shape != (a.shape[0], b.shape[1]):
        return False
    return _call(a, b, c)


# Note [Vector updates by the BLAS]: an optimizer's running averages are ``y = a x + b y`` over
# whole arrays: NumPy needs three passes (PyTorch's two-sided ``lerp``: a difference, a
# product, a sum), the BLAS's ``?axpby`` one (on 128K-element blocks, those of Note [Blocked
# updates]: 38 -> 15 us), and the parameter update ``p -= s t`` one for two. Adam's step over
# 10M parameters -10 to -13%, SGD with momentum's -36% (41 -> 26 ms). Looked up and checked like the
# GEMM; where missing, the caller keeps NumPy's passes. The results differ from NumPy's order
# of operations in the last bit. Below ~16K elements the call costs more than NumPy's passes
# (1K: 3.9 against 1.7 us; 16K: 5.0 against 5.0; 32K: 6.1 against 9.1, with the BLAS's
# threads awake; where they sleep, between a small model's small GEMMs, waking them costs
# more): arrays under _AXPBY_MIN elements keep NumPy's passes (the digits MLP's epoch, Adam
# over 16K- and 32K-element weights, was 7-9% slower with every array taken, 2-4% with those
# from 32K on, unchanged from 64K on).
_AXPBY_MIN = 1 << 16
_AXPBY_NAMES = (('scipy_cblas_{}axpby64_', ctypes.c_int64), ('cblas_{}axpby64_', ctypes.c_int64),
                ('scipy_cblas_{}axpby', ctypes.c_int32))
_axpbys = None


def _axpby_args(int_t, real):
    return [int_t, real, ctypes.c_void_p, int_t, real, ctypes.c_void_p, int_t]


def _axpby_test(fns):
    for dt in (np.float32, np.float64):
        x = np.arange(5, dtype=dt)
        y = np.ones(5, dt)
        fns[np.dtype(dt)](5, 2.0, x.ctypes.data, 1, 0.5, y.ctypes.data, 1)
        if not np.array_equal(y, 2 * np.arange(5, dtype=dt) + 0.5):
            return False
    return True


def axpby(alpha, x, beta, y):
    """``y[...] = alpha * x + beta * y`` in place for C-contiguous float32 or float64 NumPy
    arrays of one dtype and size, at least ``_AXPBY_MIN`` elements (Note [Vector updates by the
    BLAS]). Returns False, having done nothing, where the BLAS routine is missing or the arrays
    do not suit it: the caller then takes NumPy's passes.

    Example::

        >>> y = np.ones(1 << 16, np.float32)
        >>> axpby(2.0, np.full(1 << 16, 3, np.float32), 0.5, y)
        True
        >>> float(y[0])
        6.5
    """
    global _axpbys
    if y.size < _AXPBY_MIN:
        return False
    if _axpbys is None:
        _axpbys = _checked(_AXPBY_NAMES, _axpby_args, _axpby_test)
    fn = _axpbys.get(y.dtype)
    if fn is None or type(x) is not np.ndarray or type(y) is not np.ndarray or \
            x.dtype != y.dtype or x.size != y.size or not x.flags.c_contiguous or \
            not y.flags.c_contiguous or np.may_share_memory(x, y):
        return False
    fn(y.size, alpha, x.ctypes.data, 1, beta, y.ctypes.data, 1)
    return True
