"""What every op file shares: operand preparation (PyTorch's type promotion applied to the
arrays), device checks, gradient reduction to an input's shape, and view creation."""
import math

import numpy as np

from .. import dtypes as _dt
from ..autograd import grad_mode
from ..backend import namespace_of
from ..autograd.node import Node, needs_grad, record  # noqa: F401  (re-exported for op files)
from .._blas import gemm_acc, transpose_into
from ..device import CPU
from ..tensor import Tensor

state = grad_mode.state
make = Tensor._make
_bool, _int64 = _dt.bool, _dt.int64
_INT_BOUNDS = {d: (int(np.iinfo(d.numpy).min), int(np.iinfo(d.numpy).max))
               for d in (_dt.uint8, _dt.int8, _dt.int16, _dt.int32, _dt.int64)}


_TITLES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
           'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
           'bool': 'Bool'}


def dtype_title(d):
    """PyTorch's name of dtype ``d`` in error messages (``Float``, ``Long``, ``Bool``...)."""
    return _TITLES[d.name]


def not_implemented(kernel, d):
    """PyTorch's error for a kernel that has no implementation for dtype ``d``."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{_TITLES[d.name]}\'')


def xp_of(t):
    """The array namespace (numpy or cupy) of tensor ``t``'s device."""
    return t._device._backend.xp


def xp_of_array(x):
    """The array namespace (numpy or cupy) of array ``x`` (NumPy gives scalars from 0-d
    work): for helpers that get arrays, not tensors."""
    return np if type(x) is np.ndarray or isinstance(x, np.generic) else namespace_of(x)


def on_device(fn, device):
    """NumPy function or ufunc ``fn`` (``np.equal``) for arrays on ``device``: ``fn`` itself on
    the CPU, the function of that name in the device's namespace elsewhere (``cupy.equal``)."""
    return fn if device is CPU else getattr(device._backend.xp, fn.__name__)


def device_mismatch(a, b):
    return RuntimeError(f'Expected all tensors to be on the same device, but found at least two '
                        f'devices, {a._device} and {b._device}!')


def scalar_result_dtype(dt, value):
    """The result dtype of ``tensor(dt) op value`` for a Python number ``value``."""
    st = type(value)
    if st is float:
        return dt if dt.is_floating_point else _dt.get_default_dtype()
    if st is int:
        return _int64 if dt is _bool else dt
    if st is bool:
        return dt
    raise TypeError(f'unsupported operand type: {st.__name__}')


def scalar_value(value, dt):
    """``value`` ready to meet an array of ``dt`` in NumPy: ints wrap as in PyTorch
    (``uint8 tensor + 300`` wraps instead of NumPy's OverflowError)."""
    if type(value) is int and dt in _INT_BOUNDS:
        lo, hi = _INT_BOUNDS[dt]
        if not lo <= value <= hi:
            span = hi - lo + 1
            value = (value - lo) % span + lo
    return value


_C_TYPES = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int',
            'int64': 'int64_t'}


def checked_scalar(value, dt):
    """``value`` converted to integer dtype ``dt`` the way PyTorch converts the Scalar
    arguments of ``where``, ``clamp`` and ``fill_``: out-of-range ints raise (negatives down
    to -max still wrap into an unsigned dtype), unlike the operands of arithmetic."""
    if type(value) is int and dt in _INT_BOUNDS:
        lo, hi = _INT_BOUNDS[dt]
        if value > hi or value < (lo if lo else -hi):
            raise RuntimeError(f'value cannot be converted to type {_C_TYPES[dt.name]} without '
                               f'overflow')
    return scalar_value(value, dt)


def as_number(value):
    """A Python number for a NumPy scalar (PyTorch treats them as Python numbers)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def binary_operands(a, b):
    """``(a, x, y, dtype, b_or_None)`` for ``a op b``: ``a`` itself, or a copy of it on
    ``b``'s device when ``a`` is a 0-d CPU tensor and ``b`` lives elsewhere (the result then
    lives there too, as in PyTorch); arrays (or a Python number) ``x``, ``y`` in the common
    dtype; the result dtype; and ``b`` when it is a Tensor.

    ``a`` is a Tensor; ``b`` a Tensor or a Python number. Follows PyTorch's promotion
    (``dtypes.result_type``), not NumPy's.
    """
    x = a._data
    if isinstance(b, Tensor):
        da, db = a._dtype, b._dtype
        if a._device is not b._device:
            a, b = _same_device(a, b)
            x = a._data
        y = b._data
        if da is db:
            return a, x, y, da, b
        dt = _dt.result_type(a, b)
        if da is not dt:
            x = x.astype(dt.numpy)
        if db is not dt:
            y = y.astype(dt.numpy)
        return a, x, y, dt, b
    if type(b) not in (float, int, bool):
        b = as_number(b)
        if type(b) not in (float, int, bool):
            raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(b).__name__}'")
    da = a._dtype
    dt = scalar_result_dtype(da, b)
    if dt is not da:
        x = x.astype(dt.numpy)
    return a, x, scalar_value(b, dt), dt, None


def _same_device(a, b):
    """PyTorch lets a 0-d CPU tensor meet a tensor on another device; anything else raises."""
    if b._device is CPU and b._data.ndim == 0:
        return a, b.to(a._device)
    if a._device is CPU and a._data.ndim == 0:
        return a.to(b._device), b
    raise device_mismatch(a, b)


def broadcast_error(err, *arrays):
    """PyTorch's RuntimeError for operands whose shapes do not broadcast (NumPy's ValueError
    ``err`` names no dimension), or ``err`` itself when the shapes do broadcast. Ops call it
    from an ``except`` around their array call: no cost until it fails."""
    out = ()
    for a in arrays:
        s = getattr(a, 'shape', ())  # (a device array, or a Python number)
        n = max(len(out), len(s))
        res = []
        for i in range(n - 1, -1, -1):  # PyTorch reports the last mismatching dim
            k = n - 1 - i
            p = out[len(out) - 1 - k] if k < len(out) else 1
            q = s[len(s) - 1 - k] if k < len(s) else 1
            if p != q and p != 1 and q != 1:
                return RuntimeError(f'The size of tensor a ({p}) must match the size of tensor b '
                                    f'({q}) at non-singleton dimension {i}')
            res.append(p if q == 1 else q)
        out = tuple(reversed(res))
    return err


def fix_dtype(out, dt):
    """Cast ``out`` to ``dt`` where NumPy computed in another type (bfloat16 -> float32)."""
    if out.dtype != dt.numpy:
        return out.astype(dt.numpy)
    return out


def reduce_grad(g, shape, dt):
    """Sum a broadcast gradient back to an input's ``shape`` and cast it to its dtype."""
    x = g._data
    if x.shape != shape:
        if state.enabled:
            g = g.sum_to_size(shape)
        else:  # no graph to record: the sum of ``sum_to_size`` on the array (~3 us cheaper)
            g = _sum_to_size_nograd(g, x, shape)
    if g._dtype is not dt:
        g = g.to(dt)
    return g


def _sum_to_size_nograd(g, x, shape):
    """``g.sum_to_size(shape)`` when grad mode is off (same result, dtype and accumulation)."""
    key = (x.shape, shape)
    axes = _SUM_TO_AXES.get(key)
    if axes is None:
        if len(_SUM_TO_AXES) >= 4096:
            _SUM_TO_AXES.clear()
        axes = _SUM_TO_AXES[key] = _sum_to_axes(x.shape, shape)
    if not axes:
        return g.sum_to_size(shape)  # () or False: the same shape, or PyTorch's error
    d = g._dtype
    if d.itemsize == 2 and d.is_floating_point:
        res = x.sum(axis=axes, dtype=np.float32).reshape(shape)
    elif x.size < _SUM_ROWS_MIN:  # (a BLAS call costs more than a small sum)
        res = x.sum(axis=axes).reshape(shape)
    else:  # (Note [Sums by BLAS])
        res = _sum_dims(x, axes) if axes[0] else _sum_over(x, axes)
        res = res.reshape(shape)
    return make(res if res.dtype == x.dtype else res.astype(x.dtype), d, g._device)


# (shape of a gradient, shape it sums to) -> the axes summed (a tuple), () where the shapes
# are equal, or False where they do not fit (the error is raised by ``sum_to_size``): the
# plan of a backward's broadcast reduction is made once per pair of shapes (~1 us a call)
_SUM_TO_AXES = {}


def _sum_to_axes(xs, shape):
    """The axes of ``xs`` that summing to ``shape`` reduces (see ``_SUM_TO_AXES``)."""
    lead = len(xs) - len(shape)
    if lead < 0:
        return False
    axes = list(range(lead))
    for i, s in enumerate(shape):
        if s != xs[lead + i]:
            if s != 1:
                return False
            axes.append(lead + i)
    return tuple(axes)


def make_view(t, data, fn, args):
    """A tensor over ``data`` (a view of ``t``'s array) that shares ``t``'s version counter and
    knows how to recompute itself from ``t`` with ``fn(t, *args)``."""
    v = make(data, t._dtype, t._device)
    v._vc = t._vc
    d = v.__dict__
    d['_base'] = t if t._base is None else t._base
    d['_view_of'] = (t, fn, args)
    return v


def normalize_dims(dim, ndim):
    """``dim`` (an int, a sequence of ints, or None for all) as a sorted tuple of
    non-negative dims; PyTorch's IndexError for out-of-range ones."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        dim = (dim,)
    m = ndim if ndim else 1
    out = []
    for d in dim:
        d = int(d)
        if not -m <= d < m:
            raise IndexError(f'Dimension out of range (expected to be in range of [{-m}, {m - 1}], '
                             f'but got {d})')
        d = d + ndim if d < 0 else d
        if d in out:
            raise RuntimeError(f'dim {d} appears multiple times in the list of dims')
        out.append(d)
    return tuple(sorted(out)) if ndim else ()


def shape_arg(args):
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))`` / ``f([2, 3])`` / ``f(Size)`` as a tuple."""
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        a = args[0]
        if isinstance(a, Tensor):
            return tuple(int(v) for v in a.tolist()) if a.ndim else (int(a),)
        return tuple(int(s) for s in a)
    return tuple(int(s) for s in args)


# the integer type of each float width, for work on a float array's bits
_INT_OF = {4: np.int32, 8: np.int64}


# Note [Sums by BLAS]: the per-row sums of a (rows, k) float array (layer norm's statistics)
# and the column sums over its leading axes (the weight and bias gradients) are matrix-vector
# products with a vector of ones: BLAS runs them 2-4x faster than NumPy's reductions, which
# loop over the rows one by one (``sum`` over leading dims takes the column sums too). So are
# the per-channel sums of an (N, C, *S) array, as rows of (N * C, prod(S)) and then columns
# (a convolution's bias gradient: (64, 6, 28, 28) 56 -> 19 us). So are sums over trailing
# axes (``x.sum(-1)``, ``mean(-1)``, ``var(-1)``, a softmax's row sums): NumPy reduces a short
# last axis row by row at ~25 ns a row, 5-10x the product's time ((8192, 64) float32: 239 ->
# 26 us; (2048, 128): 73 -> 16 us; (64, 10): 2.4 -> 1.7 us). They add in another order than
# NumPy's reductions (results differ in the last bits); rows are limited to _BLAS_ROW_MAX
# elements, where NumPy's pairwise row sum has no meaningful accuracy edge.
_BLAS_ROW_MAX = 8192
# below this many elements the product's few microseconds of Python cost more than it saves
# ((64, 10): 4.1 -> 4.8 us for ``x.sum(-1)``)
_SUM_ROWS_MIN = 4096


def _sum_rows(a, k, keepdims=False):
    """``a.sum`` over its last ``k`` axes as one matrix-vector product (Note [Sums by BLAS]),
    for a contiguous float32/float64 host array of at least ``_SUM_ROWS_MIN`` elements in rows
    of 2 to ``_BLAS_ROW_MAX``; None for any other array."""
    if type(a) is not np.ndarray or a.size < _SUM_ROWS_MIN or a.dtype.char not in 'fd' or \
            not a.flags.c_contiguous or not 0 < k <= a.ndim:
        return None
    lead = a.shape[:a.ndim - k]
    n = a.size // math.prod(lead)
    if not 1 < n <= _BLAS_ROW_MAX:
        return None
    res = a.reshape(-1, n) @ np.ones(n, a.dtype)
    return res.reshape(lead + (1,) * k if keepdims else lead)


def _trailing(dims, ndim):
    """Whether the sorted axes ``dims`` are the last ``len(dims)`` axes of ``ndim``."""
    return bool(dims) and dims == tuple(range(ndim - len(dims), ndim))


def _sum_dims(a, dims, keepdims=False):
    """``a.sum(axis=dims, keepdims=keepdims)`` for sorted ``dims``; over trailing axes by BLAS
    where ``_sum_rows`` takes ``a``."""
    if a.size >= _SUM_ROWS_MIN and _trailing(dims, a.ndim):
        res = _sum_rows(a, len(dims), keepdims)
        if res is not None:
            return res
    return a.sum(axis=dims, keepdims=keepdims)


def _sum_kept(a, axes):
    """``a.sum(axis=axes, keepdims=True)`` (Note [Sums by BLAS] over trailing axes)."""
    return _sum_dims(a, tuple(sorted(axes)), True)


def _sum_over(a, axes):
    """``a.sum(axis=axes)``; over leading axes of a contiguous float array as one
    vector-matrix product, over all axes but 1 of an (N, C, *S) one as two (per-channel
    sums: the bias gradient of a convolution; Note [Sums by BLAS])."""
    k = len(axes)
    if k and type(a) is np.ndarray and a.dtype.kind == 'f' and a.flags.c_contiguous and a.size:
        if axes == tuple(range(k)):
            rest = a.shape[k:]
            a2 = a.reshape(math.prod(a.shape[:k]), -1)
            return (np.ones(a2.shape[0], a.dtype) @ a2).reshape(rest)
        if _channel_axes(axes, a.ndim):
            n, c = a.shape[:2]
            rest = a.size // (n * c)
            if rest <= _BLAS_ROW_MAX:
                per = a.reshape(n * c, rest) @ np.ones(rest, a.dtype)
                return np.ones(n, a.dtype) @ per.reshape(n, c)
    return a.sum(axis=axes)


def _channel_axes(axes, ndim):
    """Whether ``axes`` are all axes but 1 of an array of ``ndim`` >= 3 dims."""
    return ndim >= 3 and axes == (0,) + tuple(range(2, ndim))


# Note [Row maxima through a transpose]: NumPy reduces a short last axis row by row, ~50 ns a
# row: a softmax's row maxima over (8192, 64) float32 took 414 us, more than its exp. With the
# rows turned into columns by the BLAS (Note [Transposes by the BLAS]) the reduction over the
# first axis runs as whole-row vector ops: 259 us with the transpose. Rows of up to
# ``_TRANSPOSED_ROW_MAX`` elements take it (at 128 the two ways are even).
# Rows of more elements, up to ``_ARG_ROW_MAX``, take their maxima (minima) at their
# ``argmax`` (``argmin``): NumPy's arg-reductions call their vector loop once per row with
# little around it, where ``ufunc.reduce`` pays ~60 ns a row. 512K float32 elements in rows of
# 128 / 256 / 1024: 279 -> 103 / 165 -> 73 / 63 -> 48 us (from 4096 on the reduce is faster).
# The argmax is the first maximum, and NaN where the row has one: ``np.maximum.reduce``'s
# values, and PyTorch's ``amax`` for tied zeros too (the first: -0.0 before 0.0 gives -0.0,
# where NumPy's reduce, here and on the other paths, gives 0.0).
_TRANSPOSED_ROW_MAX = 64
_TRANSPOSED_MIN = 1 << 15
_ARG_ROW_MAX = 2048
_ARG_OF = {np.maximum: np.argmax, np.minimum: np.argmin}


def reduce_last(ufunc, x, keepdims=False):
    """``ufunc.reduce`` (``maximum``, ``fmax``, ...) of a host array over its last axis; short
    rows of a large contiguous float array through a transpose (Note [Row maxima through a
    transpose]), longer ones by their ``argmax``/``argmin`` (``maximum``/``minimum``)."""
    k = x.shape[-1]
    if 1 < k <= _ARG_ROW_MAX and x.size >= _TRANSPOSED_MIN and x.flags.c_contiguous \
            and x.dtype.char in 'fd':
        if k <= _TRANSPOSED_ROW_MAX:
            cols = np.empty((k, x.size // k), x.dtype)
            transpose_into(x.reshape(-1, k), cols)
            res = ufunc.reduce(cols, axis=0)
            return res.reshape(x.shape[:-1] + (1,) * keepdims)
        arg = _ARG_OF.get(ufunc)
        if arg is not None:
            i = arg(x.reshape(-1, k), axis=1)
            i += np.arange(0, x.size, k)
            return x.reshape(-1)[i].reshape(x.shape[:-1] + (1,) * keepdims)
    return ufunc.reduce(x, axis=-1, keepdims=keepdims)


# Note [Row vectors over short rows]: ``a * w`` with ``a`` (m, k) and ``w`` (k,) runs NumPy's
# inner loop once per row: with a short row (a layer norm's 128 features) that call costs as
# much as the row's work (2048 x 128 float32: 61 us, against 23 for two full arrays). Viewed
# as (m / r, r * k) against ``w`` tiled r times, the inner loop runs over ~8192 elements: 30-40%
# faster from ~32K elements (a Linear's bias on (2048, 512): 148 -> 106 us); below, the tile
# costs more than it saves. Layer norm's weight, bias and ``grad * weight``, and Linear's bias
# take this path.
_ROW_SPAN = 8192
_ROWS_MIN = 1 << 15


def rows_op(op, a, v, out):
    """``op(a, v, out=out)`` for a host array ``a`` (..., k) and a row ``v`` (k,) (Note [Row
    vectors over short rows]); ``out`` (``a``'s shape) may be ``a``."""
    if a.size < _ROWS_MIN or type(a) is not np.ndarray or \
            not (a.flags.c_contiguous and out.flags.c_contiguous):
        return op(a, v, out=out)
    k = a.shape[-1]
    m = a.size // k
    r = min(m, _ROW_SPAN // k)
    if r < 2:
        return op(a, v, out=out)
    a, o = a.reshape(m, k), out.reshape(m, k)
    full = m - m % r
    op(a[:full].reshape(-1, r * k), np.tile(v, r), out=o[:full].reshape(-1, r * k))
    if full < m:
        op(a[full:], v, out=o[full:])
    return out


# Note [Broadcasts over short rows]: an elementwise op between a large array and one broadcast
# over it (a bias row, per-row or per-channel values) runs NumPy's inner loop once per run of
# the large array's trailing axes that the small one covers or repeats; on short runs that
# call costs as much as its work, and against a stride-0 operand its loop is not the
# vectorised one. ``broadcast_op`` gives those ops long runs, with the same bits: a row over
# leading axes is tiled (Note [Row vectors over short rows]); values repeated along short
# trailing axes (x - x.mean(-1, keepdim=True), x * scale[:, None, None]) are first expanded by
# ``repeat`` into a full array that the op then overwrites. float32 x - col (2048, 128): 61 ->
# 50 us, (8192, 64): 168 -> 132; x - row (8192, 64): 144 -> 88, (32, 16, 32, 32) over
# (32, 32): 165 -> 86.
_BROADCAST_OP_MIN = 1 << 17  # elements; below, the tile or the repeat costs what it saves
_BROADCAST_RUN_MAX = 256  # longer runs: NumPy's own loop is as fast


def broadcast_op(op, x, y):
    """``op(x, y)`` (a NumPy binary ufunc) with broadcasting, for host arrays; float arrays of
    one dtype whose broadcast NumPy would run in short rows take long ones (Note [Broadcasts
    over short rows]). Example: ``broadcast_op(np.subtract, a, a.mean(-1, keepdims=True))``."""
    if type(x) is not np.ndarray or type(y) is not np.ndarray or x.dtype != y.dtype or \
            x.dtype.char not in 'fd' or x.ndim == y.ndim and x.size == y.size:
        return op(x, y)
    flip = y.size > x.size
    big, small = (y, x) if flip else (x, y)
    if big.size < _BROADCAST_OP_MIN or not (big.flags.c_contiguous and
                                            small.flags.c_contiguous):
        return op(x, y)
    shape = (1,) * (big.ndim - small.ndim) + small.shape if big.ndim >= small.ndim else None
    if shape is None or any(s != 1 and s != b for s, b in zip(shape, big.shape)):
        return op(x, y)  # (the result is larger than both: NumPy's broadcast)
    # j: the axes from j on are those that small takes whole (its row) or repeats (its runs)
    j = len(shape)
    while j and shape[j - 1] == big.shape[j - 1]:
        j -= 1
    run = math.prod(big.shape[j:])
    rows = big.size // run
    if j and all(s == 1 for s in shape[:j]) and 1 < run <= _BROADCAST_RUN_MAX:
        # small is a row of the trailing axes, over all the leading ones
        f = op if not flip else (lambda a, b, out: op(b, a, out=out))
        out = np.empty(big.shape, big.dtype)
        return rows_op(f, big.reshape(rows, run), small.reshape(-1),
                       out.reshape(rows, run)).reshape(big.shape)
    j = len(shape)
    while j and shape[j - 1] == 1:
        j -= 1
    run = math.prod(big.shape[j:])
    if j == len(shape) or not 1 < run <= _BROADCAST_RUN_MAX:
        return op(x, y)
    # small holds one value per run of big's last axes from j on (and may repeat over lead axes)
    vals = small.reshape(shape[:j])
    if vals.shape != big.shape[:j]:
        vals = np.broadcast_to(vals, big.shape[:j])
    full = np.repeat(vals.reshape(-1), run).reshape(big.shape)
    return op(full, big, out=full) if flip else op(big, full, out=full)


# Note [Column vectors by GEMM]: ``a * c`` with ``a`` (m, k) and ``c`` (m, 1), one value per row,
# costs NumPy over twice a product of two (m, k) arrays whatever k (2048 x 128 float32: 62
# against 25 us; its loop over a stride-0 operand is not the vectorised one). The matrix
# ``c v^T`` written by BLAS as the product of two-column factors ``[c, 0] @ [v; 0]`` takes 19 us,
# and the plain product after it 25: 1.5x faster for rows up to ~512 elements (at 1024 the
# broadcast wins again). Each entry is the one rounded product ``c_i * v_j`` plus ``0 * 0``: the
# broadcast's value (a zero product can come out +0.0 where the broadcast gives -0.0). A
# one-column product would run in NumPy's own loop (290 us). Layer norm builds its per-row
# terms this way, with ``v`` the weight: the affine scale rides in the same matrix.
_OUTER_K_MAX = 512


def _outer_factors(u, v, dt):
    """The two-column factors ``[u, 0]`` (m, 2) and ``[v; 0]`` (2, k) of ``u v^T``."""
    a = np.zeros((u.size, 2), dt)
    a[:, 0] = u.reshape(-1)
    b = np.zeros((2, v.size), dt)
    b[0] = v
    return a, b


def outer_into(u, v, out):
    """``u[:, None] * v[None, :]`` written into the host array ``out`` (m, k) by BLAS (Note
    [Column vectors by GEMM]); ``u`` (m,) or (m, 1), ``v`` (k,), of ``out``'s float dtype."""
    return np.matmul(*_outer_factors(u, v, out.dtype), out=out)


def outer_add(u, v, out):
    """``out += u[:, None] * v[None, :]`` on a host array ``out`` (m, k) with unit-stride rows,
    as one accumulating GEMM where the BLAS routine is there (Note [Column vectors by
    GEMM])."""
    a, b = _outer_factors(u, v, out.dtype)
    if not gemm_acc(a, b, out):
        out += a @ b
    return out


def by_outer(a):
    """Whether per-row values over the host array ``a`` (m, k) go faster as a matrix from
    ``outer_into`` than broadcast (Note [Column vectors by GEMM])."""
    return type(a) is np.ndarray and a.ndim == 2 and a.shape[1] <= _OUTER_K_MAX and \
        a.size >= _ROWS_MIN and a.dtype.kind == 'f' and a.dtype.itemsize >= 4 and \
        a.flags.c_contiguous


def col_op(op, a, c, out):
    """``op(a, c[:, None], out=out)`` for a host array ``a`` (m, k) and per-row values ``c``
    ((m,) or (m, 1)), through ``outer_into`` where that is faster (Note [Column vectors by
    GEMM]); ``out`` (``a``'s shape and dtype) may be ``a`` itself."""
    if not (by_outer(a) and out.flags.c_contiguous):
        return op(a, c.reshape(-1, 1), out=out)
    tmp = np.empty_like(a) if np.may_share_memory(a, out) else out
    outer_into(c, np.ones(a.shape[1], a.dtype), tmp)
    return op(a, tmp, out=out)


# Note [Rows as records]: NumPy copies a strided array element by element, ~1 ns each when its
# rows are short and apart (a convolution's outputs read out of flat columns: rows of 32 floats
# every 34). Viewed as one void record per row, the same copy moves whole rows: 99 -> 54 us
# for (32, 16, 32, 32) float32. The convolutions' host copies between padded and plain
# layouts go through ``copy_rows``.
def copy_rows(dst, src):
    """``dst[...] = src`` for host arrays of one shape and dtype; row by row as records (Note
    [Rows as records]) when both have contiguous rows."""
    if type(dst) is np.ndarray and type(src) is np.ndarray and dst.shape == src.shape and \
            dst.dtype == src.dtype and dst.ndim and dst.shape[-1] and \
            dst.strides[-1] == src.strides[-1] == dst.itemsize and dst.dtype.kind != 'O':
        rec = np.dtype((np.void, dst.shape[-1] * dst.itemsize))
        np.copyto(dst.view(np.uint8).view(rec)[..., 0], src.view(np.uint8).view(rec)[..., 0])
    else:
        dst[...] = src


# elements per block of a large array: its temporaries stay in the L2 cache, and each ufunc
# call's ~0.6 us of overhead is spread over enough elements (16K-element blocks: GELU 30% slower)
_CHUNK = 1 << 16
_CONST_BLOCKS = {}  # (value, dtype) -> a cached 1-D array of it


def _blockwise(fn, x):
    """``fn`` (an elementwise function of a float array returning a new array of the same
    shape and dtype) over a large NumPy array block by block: the dozens of passes of a
    rational approximation then run on cached data (float64 erf of 1M elements: 59 -> 33 ms)."""
    if x.size <= 4 * _CHUNK or xp_of_array(x) is not np:
        return fn(x)
    flat = x.reshape(-1)
    out = np.empty(flat.shape, x.dtype)
    for s in range(0, flat.size, _CHUNK):
        out[s:s + _CHUNK] = fn(flat[s:s + _CHUNK])
    return out.reshape(x.shape)


def const_like(x, value):
    """An array of ``value`` in ``x``'s dtype and (1-D) shape, from a cached block: NumPy's
    ``minimum``/``maximum`` against a scalar skip their vector loops, against an array they
    run ~3x faster. The cache keeps the longest block asked for: meant for blocks of a few
    ``_CHUNK`` elements at most."""
    n = x.shape[0]
    key = (x.dtype.str, np.array(value, x.dtype).tobytes())  # (-0.0 and 0.0 apart)
    block = _CONST_BLOCKS.get(key)
    if block is None or block.shape[0] < n:
        if len(_CONST_BLOCKS) > 16:
            _CONST_BLOCKS.clear()
        block = _CONST_BLOCKS[key] = np.full(max(n, _CHUNK), value, x.dtype)
    return block[:n]
