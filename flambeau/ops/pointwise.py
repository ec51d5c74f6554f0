"""Unary elementwise math (``neg``, ``abs``, ``exp``, ``log``, ``sqrt``, ``sin``, ``cos``,
``tanh``, ``sigmoid``, ``relu``), rounding (``floor``, ``round`` ...), ``sign``/``sgn``,
``clamp``, ``nan_to_num``, ``maximum``/``fmax`` and friends, comparisons and classification
(``isnan`` ...), ``where`` and the logical/bitwise operators including shifts, each with its
derivative beside it. More float math lives in special.py."""
__all__ = ['abs', 'absolute', 'bitwise_and', 'bitwise_left_shift', 'bitwise_not', 'bitwise_or',
           'bitwise_right_shift', 'bitwise_xor', 'ceil', 'clamp', 'clamp_max', 'clamp_min', 'clip',
           'cos', 'eq', 'equal', 'exp', 'fix', 'floor', 'fmax', 'fmin', 'frac', 'ge', 'greater',
           'greater_equal', 'gt', 'isfinite', 'isinf', 'isnan', 'isneginf', 'isposinf', 'isreal',
           'le', 'less', 'less_equal', 'log', 'logical_and', 'logical_not', 'logical_or',
           'logical_xor', 'lt', 'maximum', 'minimum', 'nan_to_num', 'ne', 'neg', 'negative',
           'not_equal', 'relu', 'round', 'sgn', 'sigmoid', 'sign', 'signbit', 'sin', 'sqrt', 'tanh',
           'trunc', 'where']
from builtins import abs as builtins_abs

import numpy as np

from .. import dtypes as _dt
from ._common import (_CHUNK, _INT_OF, _TITLES, Node, Tensor, binary_operands,  # noqa: F401
                      broadcast_error, checked_scalar, dtype_title as _dt_title, fix_dtype,
                      make, normalize_dims, not_implemented, on_device, record, reduce_grad,
                      scalar_value, state, xp_of, const_like, _blockwise)
from ..device import CPU


def _float_input(t, name):
    """Array and result dtype of a floating-point-valued unary op (integers promote to the
    default dtype, as in PyTorch)."""
    dt = t._dtype
    x = t._data
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
    return x, dt


def _unary(t, fn, node_cls, save_input=False, save_output=False):
    """Run a float-valued unary op ``fn`` on ``t`` and record ``node_cls`` if needed."""
    x, dt = _float_input(t, node_cls.__name__)
    r = make(fix_dtype(fn(x), dt), dt, t._device)
    if state.enabled and t._requires_grad:
        node = node_cls()
        if save_input:
            node.save(t)
        if save_output:
            node.save_output(r)
        record(node, r, t)
    return r


class ExpBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g * self.saved_output()


def exp(input, *, out=None):
    """``e ** input`` elementwise.

    Example::

        >>> flambeau.exp(flambeau.tensor([0., 1.]))
        tensor([1.0000, 2.7183])
    """
    r = _unary(input, np.exp if input._device._backend.xp is np else xp_of(input).exp,
               ExpBackward0, save_output=True)
    return r if out is None else out.copy_(r)


class LogBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g / x


def log(input, *, out=None):
    """The natural logarithm, elementwise (``nan`` below 0, ``-inf`` at 0).

    Example::

        >>> flambeau.log(flambeau.tensor([1., 100.]))
        tensor([0.0000, 4.6052])
    """
    r = _unary(input, xp_of(input).log, LogBackward0, save_input=True)
    return r if out is None else out.copy_(r)


class SqrtBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g / (2 * self.saved_output())


def sqrt(input, *, out=None):
    """The square root, elementwise.

    Example::

        >>> flambeau.sqrt(flambeau.tensor([4., 9.]))
        tensor([2., 3.])
    """
    r = _unary(input, xp_of(input).sqrt, SqrtBackward0, save_output=True)
    return r if out is None else out.copy_(r)


class SinBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * cos(x)


def sin(input, *, out=None):
    """The sine, elementwise (radians).

    Example::

        >>> flambeau.sin(flambeau.tensor([0.]))
        tensor([0.])
    """
    r = _unary(input, xp_of(input).sin, SinBackward0, save_input=True)
    return r if out is None else out.copy_(r)


class CosBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return -g * sin(x)


def cos(input, *, out=None):
    """The cosine, elementwise (radians).

    Example::

        >>> flambeau.cos(flambeau.tensor([0.]))
        tensor([1.])
    """
    r = _unary(input, xp_of(input).cos, CosBackward0, save_input=True)
    return r if out is None else out.copy_(r)


class TanhBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        return g * (1 - y * y)


def tanh(input, *, out=None):
    """The hyperbolic tangent, elementwise.

    Example::

        >>> flambeau.tanh(flambeau.tensor([0., 100.]))
        tensor([0., 1.])
    """
    r = _unary(input, xp_of(input).tanh, TanhBackward0, save_output=True)
    return r if out is None else out.copy_(r)


class SigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        ya, ga = y._data, g._data
        if not state.enabled and type(ya) is np.ndarray and ya.dtype.char in 'fd' and \
                ga.dtype == ya.dtype and ga.shape == ya.shape:
            # PyTorch's (g * (1 - y)) * y, in cache-sized blocks
            return make(_blocks2(_sigmoid_grad_block, ga, ya), g._dtype, g._device)
        return g * y * (1 - y)


def _sigmoid_grad_block(g, y, out):
    np.subtract(y.dtype.type(1), y, out=out)
    out *= g
    out *= y


def _blocks2(fn, a, b):
    """``fn(a_block, b_block, out_block)`` over two host arrays of one shape, block by block
    (each block's passes on cached data): the result, a new array."""
    out = np.empty(a.shape, a.dtype)
    fa, fb, fo = a.reshape(-1), b.reshape(-1), out.reshape(-1)
    for i in range(0, fo.size, _CHUNK):
        j = i + _CHUNK
        fn(fa[i:j], fb[i:j], fo[i:j])
    return out


def _one_plus_exp_neg(x):
    """``1 + exp(-x)`` of a host float array, as a new 1-D array (a 0-d array's ufunc result
    would be a scalar); ``exp(-x)`` overflows to inf quietly below x ~ -88.7."""
    e = np.negative(x.reshape(-1))
    with np.errstate(over='ignore'):
        np.exp(e, out=e)
    e += x.dtype.type(1)
    return e


def _sigmoid_block(x):
    """``1 / (1 + exp(-x))`` of a host float array: PyTorch's own formula (0 where ``exp(-x)``
    overflows, as in PyTorch)."""
    e = _one_plus_exp_neg(x)
    return np.divide(x.dtype.type(1), e, out=e).reshape(x.shape)


def _sigmoid_array(x, xp=np):
    """The logistic function of a float array, in its dtype (half types through float32); on
    the host in cache-sized blocks, four vectorised passes (a branch on the sign cost 5x:
    1M float32 5.8 -> 1.2 ms)."""
    if xp is not np:
        return 1 / (1 + xp.exp(-x))
    if x.dtype.itemsize == 2:
        return _blockwise(_sigmoid_block, x.astype(np.float32)).astype(x.dtype)
    return _blockwise(_sigmoid_block, x)


def sigmoid(input, *, out=None):
    """The logistic function ``1 / (1 + exp(-input))``, elementwise.

    Example::

        >>> flambeau.sigmoid(flambeau.tensor([0.]))
        tensor([0.5000])
    """
    r = _unary(input, _sigmoid_array if input._device is CPU else
               lambda x: _sigmoid_array(x, xp_of(input)), SigmoidBackward0, save_output=True)
    return r if out is None else out.copy_(r)


class NegBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return -g


def neg(input, *, out=None):
    """``-input`` elementwise.

    Example::

        >>> flambeau.neg(flambeau.tensor([1, -2]))
        tensor([-1,  2])
    """
    if input._dtype is _dt.bool:
        raise RuntimeError('Negation, the `-` operator, on a bool tensor is not supported. If you '
                           'are trying to invert a mask, use the `~` or `logical_not()` operator '
                           'instead.')
    r = make(-input._data, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        record(NegBackward0(), r, input)
    return r if out is None else out.copy_(r)


negative = neg


class AbsBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return g * sign(x)


def abs(input, *, out=None):
    """The absolute value, elementwise.

    Example::

        >>> flambeau.abs(flambeau.tensor([-1.5, 2.]))
        tensor([1.5000, 2.0000])
    """
    if input._dtype is _dt.bool:
        raise not_implemented('abs_cpu', input._dtype)
    r = make(xp_of(input).abs(input._data), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = AbsBackward0()
        node.save(input)
        record(node, r, input)
    return r if out is None else out.copy_(r)


absolute = abs


def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element (no gradient: it is zero almost everywhere).

    Example::

        >>> flambeau.sign(flambeau.tensor([-2., 0., 3.]))
        tensor([-1.,  0.,  1.])
    """
    x = input._data
    dt = input._dtype
    if dt is _dt.bool:
        res = x.copy()
    elif dt.is_floating_point:  # NaN has sign 0, as in PyTorch ((0 < x) - (x < 0))
        res = (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)
    else:
        res = xp_of(input).sign(x)
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = SignBackward0()
        node.a = (x.shape, input._dtype)
        record(node, r, input)
    return r if out is None else out.copy_(r)


class SignBackward0(Node):
    __slots__ = ('a',)

    def backward(self, g):
        return g * 0


class ReluBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        y = self.saved_output()
        ya, ga = y._data, g._data
        if not state.enabled and type(ya) is np.ndarray and ya.dtype.kind == 'f' and \
                ya.dtype == ga.dtype and ya.shape == ga.shape and ya.size >= _SELECT_MIN and \
                ya.dtype.itemsize in _INT_OF:
            return make(_pass_nonzero(ya, ga), g._dtype, g._device)
        return where(y <= 0, 0., g)  # NaN passes the gradient, as in PyTorch


def _pass_nonzero(y, g):
    """``where(y == 0, 0, g)`` bit for bit, for a relu's output ``y`` (>= +0, -0.0 or NaN) and
    a gradient ``g`` of its dtype and shape (4- or 8-byte floats): the mask is made from the
    bits of ``y`` with the sign dropped, ``-(bits & max) >> (width - 1)``: -1 where ``y`` is not
    +-0 (Note [Branch-free where]: four integer passes, the compare and its bool array saved;
    a (32, 16, 32, 32) float32 gradient 206 -> 136 us)."""
    it = _INT_OF[y.dtype.itemsize]
    m = np.bitwise_and(y.view(it), np.iinfo(it).max)
    np.negative(m, out=m)
    np.right_shift(m, 8 * y.dtype.itemsize - 1, out=m)
    np.bitwise_and(g.view(it), m, out=m)
    return m.view(y.dtype)


def _against_const(op, value, x):
    """``op(value, x)`` for a contiguous host array ``x`` and a scalar ``value``: block by block
    against a cached array of it (``const_like``: NumPy's loop against a scalar is not the
    vectorised one)."""
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    c = const_like(flat[:_CHUNK], value)
    for i in range(0, flat.size, _CHUNK):
        j = i + _CHUNK
        op(c[:flat.size - i] if j > flat.size else c, flat[i:j], out=out[i:j])
    return out.reshape(x.shape)


def _max0(xp, x):
    """``max(0, x)`` as PyTorch's relu takes it: -0.0 and NaN pass unchanged. On the host in
    blocks against a cached array of zeros (NumPy's maximum with a scalar operand skips its
    vector loop: 300K float32 in 110 us against 39 us)."""
    zero = x.dtype.type(0)
    if xp is not np or x.size < 4096 or not x.flags.c_contiguous:
        return xp.maximum(zero, x)
    return _against_const(np.maximum, zero, x)


def relu(input):
    """``max(input, 0)`` elementwise.

    Example::

        >>> flambeau.relu(flambeau.tensor([-1., 2.]))
        tensor([0., 2.])
    """
    if input._dtype is _dt.bool:
        raise RuntimeError('Boolean inputs not supported for relu')
    r = make(_max0(xp_of(input), input._data), input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = ReluBackward0()
        node.save_output(r)
        record(node, r, input)
    return r


# -- clamp ----------------------------------------------------------------------------------
class ClampBackward(Node):
    """Gradient flows where ``min <= x <= max``; the bounds get the rest when they are tensors."""
    __slots__ = ('label', 'has_min', 'has_max', 'mmeta', 'Mmeta')

    def name(self):
        return self.label

    def backward(self, g):
        x, lo, hi = self.saved_tensors
        glo = ghi = None
        if self.has_min and self.has_max:
            gx = where((x >= lo) & (x <= hi), g, 0.)
            if self.mmeta is not None:  # where min > max, max wins (as in forward)
                glo = reduce_grad(where((x < lo) & (lo < hi), g, 0.), *self.mmeta)
            if self.Mmeta is not None:
                ghi = reduce_grad(where((x > hi) | (hi < lo), g, 0.), *self.Mmeta)
        elif self.has_min:
            gx = where(x >= lo, g, 0.)
            if self.mmeta is not None:
                glo = reduce_grad(where(x < lo, g, 0.), *self.mmeta)
        else:
            gx = where(x <= hi, g, 0.)
            if self.Mmeta is not None:
                ghi = reduce_grad(where(x > hi, g, 0.), *self.Mmeta)
        return gx, glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    """Limit each element to ``[min, max]``; either bound may be None, a number or a tensor.

    Example::

        >>> flambeau.clamp(flambeau.tensor([-2., 0.5, 3.]), min=0, max=1)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if out is not None:
        return out.copy_(clamp(input, min, max))
    return _clamp(input, min, max, None)


def _clamp(input, min, max, label):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    xp = xp_of(input)
    x, dt = input._data, input._dtype
    lo_t = min if isinstance(min, Tensor) else None
    hi_t = max if isinstance(max, Tensor) else None
    if (lo_t is None and min is not None and hi_t is not None or
            hi_t is None and max is not None and lo_t is not None):
        raise TypeError(f'clamp() received an invalid combination of arguments - got '
                        f'({type(min).__name__}, {type(max).__name__}), but expected one of: '
                        f'(Tensor min = None, Tensor max = None) or (Number min = None, Number max '
                        f'= None)')
    bounds = [b for b in (min, max) if b is not None]
    for bound in bounds:
        if isinstance(bound, Tensor):
            binary_operands(input, bound)  # PyTorch's device checks
    dt = _dt.result_type(input, *bounds)
    if dt is _dt.bool and (lo_t is not None) + (hi_t is not None) != 1:  # one tensor bound works
        raise not_implemented('clamp_cpu' if lo_t is not None else 'clamp_scalar_cpu'
                              if len(bounds) == 2 else 'clamp_min_scalar_cpu'
                              if min is not None else 'clamp_max_scalar_cpu', dt)
    x = x.astype(dt.numpy, copy=False)
    lo = hi = None
    if min is not None:
        lo = min._data.astype(dt.numpy, copy=False) if lo_t is not None else checked_scalar(min, dt)
    if max is not None:
        hi = max._data.astype(dt.numpy, copy=False) if hi_t is not None else checked_scalar(max, dt)
    try:
        if xp is np and x.dtype.kind in 'fiu' and (lo is None) != (hi is None) and \
                lo_t is None and hi_t is None:
            # one scalar bound: PyTorch's clamp_min / clamp_max take the bound first (which
            # zero a tie between -0.0 and 0.0 gives); on large arrays against a cached block
            # of it (NumPy's loop against a scalar is not the vectorised one)
            op, b = (np.maximum, lo) if hi is None else (np.minimum, hi)
            res = _against_const(op, b, x) if x.size >= 4096 and x.flags.c_contiguous else \
                op(b, x)
        elif xp is np and x.dtype.kind in 'fiu':
            # NumPy's clip: one vectorised pass, PyTorch's results bit for bit (NaN where its
            # are, signed zeros; maximum then minimum differed on signed zeros); against scalar
            # bounds maximum and minimum skip their vector loops (1M float32: 807 -> 114 us)
            res = np.clip(x, lo, hi)
        else:
            res = x
            if lo is not None:
                res = xp.maximum(res, lo)
            if hi is not None:
                res = xp.minimum(res, hi)
            if res is x:
                res = x.copy()
            if dt.is_floating_point:  # NaN in the input stays NaN
                res = xp.where(xp.isnan(x), x, res)
    except ValueError as e:
        raise broadcast_error(e, x, *(t._data for t in (lo_t, hi_t) if t is not None)) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (lo_t is not None and lo_t._requires_grad)
                          or (hi_t is not None and hi_t._requires_grad)):
        node = ClampBackward()
        tensors = lo_t is not None or hi_t is not None
        node.label = label or ('ClampBackward0' if tensors else 'ClampBackward1')
        node.has_min, node.has_max = min is not None, max is not None
        node.mmeta = (lo_t._data.shape, lo_t._dtype) if lo_t is not None and lo_t._requires_grad \
            else None
        node.Mmeta = (hi_t._data.shape, hi_t._dtype) if hi_t is not None and hi_t._requires_grad \
            else None
        node.save(input, lo_t if lo_t is not None else _bound(min, input),
                  hi_t if hi_t is not None else _bound(max, input))
        record(node, r, input, lo_t, hi_t)
    return r


def _bound(value, like):
    """A Python-number bound as a 0-d tensor on ``like``'s device (saved for backward)."""
    if value is None:
        return None
    from .creation import scalar_tensor
    return scalar_tensor(value, like)


clip = clamp


def clamp_min(input, min):
    """``clamp(input, min=min)``."""
    return _clamp(input, min, None,
                  'ClampMinBackward1' if isinstance(min, Tensor) else 'ClampMinBackward0')


def clamp_max(input, max):
    """``clamp(input, max=max)``."""
    return _clamp(input, None, max,
                  'ClampMaxBackward1' if isinstance(max, Tensor) else 'ClampMaxBackward0')


# -- comparisons, where, logical -------------------------------------------------------------
def _compare(ufunc):
    def compare(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise TypeError(f'{ufunc.__name__}(): argument \'input\' must be Tensor, not '
                            f'{type(input).__name__}')
        input, x, y, _, _ = binary_operands(input, other)
        try:
            res = (ufunc if input._device is CPU else on_device(ufunc, input._device))(x, y)
        except ValueError as e:
            raise broadcast_error(e, x, y) from None
        r = make(res, _dt.bool, input._device)
        return r if out is None else out.copy_(r)
    return compare


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
eq.__doc__ = """``input == other`` elementwise, as a bool tensor.

    Example::

        >>> flambeau.eq(flambeau.tensor([1, 2]), 2)
        tensor([False,  True])
    """
for _f, _sym, _name in ((ne, '!=', 'ne'), (lt, '<', 'lt'), (le, '<=', 'le'), (gt, '>', 'gt'),
                        (ge, '>=', 'ge')):
    _f.__name__ = _name
    _f.__doc__ = f"""``input {_sym} other`` elementwise, as a bool tensor.

    Example::

        >>> flambeau.{_name}(flambeau.tensor([1, 2]), 2)
    """
eq.__name__ = 'eq'
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def equal(input, other):
    """True if both tensors have the same shape and elements.

    Example::

        >>> flambeau.equal(flambeau.tensor([1, 2]), flambeau.tensor([1, 2]))
        True
    """
    if not isinstance(other, Tensor):
        raise TypeError(f"equal(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input.shape != other.shape:
        return False
    return bool(eq(input, other)._data.all())


# Note [Branch-free where]: NumPy's ``where`` branches on every element. On a large irregular
# mask (a ReLU's sign pattern) it mispredicts half the time: 1.07 ms for 300K float32, 15x a
# multiply. For large arrays of 4- or 8-byte elements the choice is made on the bits instead,
# ``y ^ ((x ^ y) * c)`` in an integer of the element's width (``c`` 0 or 1: the product keeps
# or clears the difference's bits): the same result, bit for bit (NaN payloads and -0.0
# included), in three integer passes (an earlier ``(x & m) | (y & ~m)``, with ``m`` made as 0
# or -1 from the bools, took five: 64K float32 46 -> 29 us, 1M 709 -> 467 us).
_SELECT_MIN = 1 << 14


def _select(xp, c, x, y, dt):
    """``where(c, x, y)`` for a bool array ``c`` and operands ``x``, ``y`` (arrays or
    scalars) of NumPy dtype ``dt`` (Note [Branch-free where])."""
    if xp is not np or c.size < _SELECT_MIN and \
            (type(x) is not np.ndarray or x.size < _SELECT_MIN) and \
            (type(y) is not np.ndarray or y.size < _SELECT_MIN):
        return xp.where(c, x, y)  # (small arrays: no extra checks)
    dt = np.dtype(dt)
    it = _INT_OF.get(dt.itemsize)
    if it is None or dt.kind not in 'fiu':
        return np.where(c, x, y)
    x, y = np.asarray(x, dt), np.asarray(y, dt)
    shape = np.broadcast_shapes(c.shape, x.shape, y.shape)
    if c.shape != shape:
        return _select_broadcast(c, x, y, dt, it, shape)
    xi, yi = x.view(it), y.view(it)
    if yi.ndim == 0 and yi == 0:  # other is +0: x * c
        return np.multiply(xi, c, dtype=it).view(dt)
    r = np.bitwise_xor(xi, yi)  # y ^ ((x ^ y) * c)
    r = np.multiply(r, c, out=r) if r.shape == shape else np.multiply(r, c, dtype=it)
    return np.bitwise_xor(r, yi, out=r).view(dt)


def _select_broadcast(c, x, y, dt, it, shape):
    """``where(c, x, y)`` with a condition ``c`` smaller than the result (an attention mask over
    the batch and heads), one of ``x``, ``y`` a scalar and the other of the result's shape
    (``masked_fill``): the scalar's bits and the kept operand's word mask made at the
    condition's size, then ``(full & keep) | fill`` over the result, two integer passes
    (Note [Branch-free where]; (32, 4, 64, 64) float32 under a (64, 64) mask: 326 -> 70 us).
    Other shapes go to NumPy's ``where``."""
    if x.ndim == 0 and y.shape == shape:
        scalar, full, m = x, y, np.negative(c, dtype=it)  # m: -1 where the scalar goes
    elif y.ndim == 0 and x.shape == shape:
        scalar, full, m = y, x, np.subtract(c, 1, dtype=it)  # -1 where c is False
    else:
        return np.where(c, x, y)
    fill = np.bitwise_and(m, scalar.view(it)) if scalar.view(it) != 0 else None
    np.invert(m, out=m)
    out = np.bitwise_and(full.view(it), m)
    if fill is not None:
        np.bitwise_or(out, fill, out=out)
    return out.view(dt)


class WhereBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        cond, = self.saved_tensors
        ga = reduce_grad(where(cond, g, 0.), *self.a) if self.a is not None else None
        gb = reduce_grad(where(cond, 0., g), *self.b) if self.b is not None else None
        return None, ga, gb


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (tensors or numbers,
    broadcast together). ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``.

    Example::

        >>> x = flambeau.tensor([-1., 2.])
        >>> flambeau.where(x > 0, x, 0.)
        tensor([0., 2.])
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if condition._dtype is not _dt.bool:
        raise RuntimeError(f'where expected condition to be a boolean tensor, but got a tensor '
                           f'with dtype {_dt_title(condition._dtype)}')
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    ref = a if a is not None else b
    if ref is None:
        from .creation import scalar_tensor
        ref = a = scalar_tensor(input, condition)
        input = a
    dt = _dt.result_type(input, other)
    x = input._data.astype(dt.numpy, copy=False) if a is not None else checked_scalar(input, dt)
    y = other._data.astype(dt.numpy, copy=False) if b is not None else checked_scalar(other, dt)
    for t in (a, b):
        if t is not None and t._device is not condition._device:
            from ._common import device_mismatch
            raise device_mismatch(condition, t)
    xp = xp_of(condition)
    try:
        res = _select(xp, condition._data, x, y, dt.numpy)
    except ValueError as e:
        raise broadcast_error(e, condition._data, x, y) from None
    r = make(fix_dtype(xp.asarray(res), dt), dt, condition._device)
    if state.enabled and ((a is not None and a._requires_grad) or
                          (b is not None and b._requires_grad)):
        node = WhereBackward0()
        node.a = (a._data.shape, a._dtype) if a is not None and a._requires_grad else None
        node.b = (b._data.shape, b._dtype) if b is not None and b._requires_grad else None
        node.save(condition)
        record(node, r, None, a, b)
    return r if out is None else out.copy_(r)




def _bitwise(ufunc, bool_ufunc, name):
    def op(input, other, *, out=None):
        input, x, y, dt, _ = binary_operands(input, other)
        if dt.is_floating_point:
            raise not_implemented(f'{name}_cpu', dt)
        try:
            res = (ufunc if input._device is CPU else on_device(ufunc, input._device))(x, y)
        except ValueError as e:
            raise broadcast_error(e, x, y) from None
        r = make(fix_dtype(res, dt), dt, input._device)
        return r if out is None else out.copy_(r)
    op.__name__ = name
    op.__doc__ = f"""Elementwise ``{name}`` of integer or bool tensors (the ``{name}`` operator).

    Example::

        >>> flambeau.{name}(flambeau.tensor([True, False]), flambeau.tensor([True, True]))
    """
    return op


bitwise_and = _bitwise(np.bitwise_and, np.logical_and, 'bitwise_and')
bitwise_or = _bitwise(np.bitwise_or, np.logical_or, 'bitwise_or')
bitwise_xor = _bitwise(np.bitwise_xor, np.logical_xor, 'bitwise_xor')


def bitwise_not(input, *, out=None):
    """``~input``: logical not of a bool tensor, bitwise not of an integer tensor.

    Example::

        >>> flambeau.bitwise_not(flambeau.tensor([True, False]))
        tensor([False,  True])
    """
    if input._dtype.is_floating_point:
        raise not_implemented('bitwise_not_cpu', input._dtype)
    r = make(~input._data, input._dtype, input._device)
    return r if out is None else out.copy_(r)


def invert(input):
    """The ``~`` operator: ``bitwise_not`` for integer and bool tensors."""
    if input._dtype.is_floating_point:
        raise TypeError('~ (operator.invert) is only implemented on integer and Boolean-type '
                        'tensors')
    return make(~input._data, input._dtype, input._device)


def logical_not(input, *, out=None):
    """True where ``input`` is zero (False), as a bool tensor.

    Example::

        >>> flambeau.logical_not(flambeau.tensor([0., 1.]))
        tensor([ True, False])
    """
    r = make(np.logical_not(input._data) if input._device._backend.xp is np else
             xp_of(input).logical_not(input._data), _dt.bool, input._device)
    return r if out is None else out.copy_(r)


def _logical(name, fn):
    def op(input, other, *, out=None):
        input, x, y, _, _ = binary_operands(input, other)
        try:
            res = (fn if input._device is CPU else on_device(fn, input._device))(x, y)
        except ValueError as e:
            raise broadcast_error(e, x, y) from None
        r = make(res, _dt.bool, input._device)
        return r if out is None else out.copy_(r)
    op.__name__ = name
    op.__doc__ = f"""Elementwise logical {name[8:]} of the truth values of two tensors, as bool.

    Example::

        >>> flambeau.{name}(flambeau.tensor([1, 0]), flambeau.tensor([1, 1]))
    """
    return op


logical_and = _logical('logical_and', np.logical_and)
logical_or = _logical('logical_or', np.logical_or)
logical_xor = _logical('logical_xor', np.logical_xor)


# -- maximum / minimum -------------------------------------------------------------------------
class MaxMinBackward(Node):
    """The gradient goes to the larger (smaller) input, split in half on ties."""
    __slots__ = ('label', 'a', 'b', 'is_max')

    def name(self):
        return self.label

    def backward(self, g):
        x, y = self.saved_tensors
        win = (x > y) if self.is_max else (x < y)
        tie = x == y
        ga = gb = None
        if self.a is not None:
            ga = reduce_grad(where(tie, g / 2, where(win, g, 0.)), *self.a)
        if self.b is not None:
            gb = reduce_grad(where(tie, g / 2, where(win, 0., g)), *self.b)
        return ga, gb


def _max_min(input, other, is_max):
    if not isinstance(other, Tensor):
        raise TypeError(f'{"maximum" if is_max else "minimum"}(): argument \'other\' (position 2) '
                        f'must be Tensor, not {type(other).__name__}')
    input, x, y, dt, tb = binary_operands(input, other)
    xp = xp_of(input)
    try:
        res = (xp.maximum if is_max else xp.minimum)(x, y)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or tb._requires_grad):
        node = MaxMinBackward()
        node.label = 'MaximumBackward0' if is_max else 'MinimumBackward0'
        node.is_max = is_max
        node.a = (x.shape, input._dtype) if input._requires_grad else None
        node.b = (y.shape, tb._dtype) if tb._requires_grad else None
        node.save(input, tb)
        record(node, r, input, tb)
    return r


def maximum(input, other, *, out=None):
    """The elementwise maximum of two tensors (NaN propagates).

    Example::

        >>> flambeau.maximum(flambeau.tensor([1., 4.]), flambeau.tensor([3., 2.]))
        tensor([3., 4.])
    """
    r = _max_min(input, other, True)
    return r if out is None else out.copy_(r)


def minimum(input, other, *, out=None):
    """The elementwise minimum of two tensors (NaN propagates).

    Example::

        >>> flambeau.minimum(flambeau.tensor([1., 4.]), flambeau.tensor([3., 2.]))
        tensor([1., 2.])
    """
    r = _max_min(input, other, False)
    return r if out is None else out.copy_(r)


# -- sgn, signbit ------------------------------------------------------------------------------
class SgnBackward0(Node):
    """The sign has zero gradient on real tensors."""
    __slots__ = ()

    def backward(self, g):
        return g * 0


def sgn(input, *, out=None):
    """The sign of each element; for real tensors the same as :func:`sign`.

    Example::

        >>> flambeau.sgn(flambeau.tensor([-2., 0., 3.]))
        tensor([-1.,  0.,  1.])
    """
    r = sign(input.detach())
    if state.enabled and input._requires_grad:
        record(SgnBackward0(), r, input)
    return r if out is None else out.copy_(r)


def signbit(input, *, out=None):
    """True where the sign bit is set (negative numbers and ``-0.``), as a bool tensor.

    Example::

        >>> flambeau.signbit(flambeau.tensor([-1., -0., 0., 2.]))
        tensor([ True,  True, False, False])
    """
    x = input._data
    dt = input._dtype
    xp = xp_of(input)
    if dt.is_floating_point:
        res = xp.signbit(x if dt.itemsize > 2 or dt is _dt.float16 else x.astype(np.float32))
    elif dt is _dt.bool or not dt.is_signed:
        res = xp.zeros(x.shape, dtype=bool)
    else:
        res = x < 0
    r = make(res, _dt.bool, input._device)
    return r if out is None else out.copy_(r)


# -- rounding ----------------------------------------------------------------------------------
class _ZeroGrad(Node):
    """Rounding is flat almost everywhere: the gradient is zero."""
    __slots__ = ()

    def backward(self, g):
        return g * 0


class FloorBackward0(_ZeroGrad):
    __slots__ = ()


class CeilBackward0(_ZeroGrad):
    __slots__ = ()


class TruncBackward0(_ZeroGrad):
    __slots__ = ()


class RoundBackward0(_ZeroGrad):
    __slots__ = ()


class RoundBackward1(_ZeroGrad):
    __slots__ = ()


def _rounding(input, fn, kernel, node_cls):
    """``fn`` on a float tensor; integer tensors are returned as a copy (already whole)."""
    dt = input._dtype
    if dt is _dt.bool:
        raise not_implemented(kernel, dt)
    x = input._data
    res = fix_dtype(fn(x), dt) if dt.is_floating_point else x.copy()
    r = make(res, dt, input._device)
    if state.enabled and input._requires_grad:
        record(node_cls(), r, input)
    return r


def floor(input, *, out=None):
    """The largest integer not greater than each element.

    Example::

        >>> flambeau.floor(flambeau.tensor([-1.5, 1.5]))
        tensor([-2.,  1.])
    """
    r = _rounding(input, xp_of(input).floor, 'floor_vml_cpu', FloorBackward0)
    return r if out is None else out.copy_(r)


def ceil(input, *, out=None):
    """The smallest integer not less than each element.

    Example::

        >>> flambeau.ceil(flambeau.tensor([-1.5, 1.5]))
        tensor([-1.,  2.])
    """
    r = _rounding(input, xp_of(input).ceil, 'ceil_vml_cpu', CeilBackward0)
    return r if out is None else out.copy_(r)


def trunc(input, *, out=None):
    """Each element rounded towards zero.

    Example::

        >>> flambeau.trunc(flambeau.tensor([-1.7, 1.7]))
        tensor([-1.,  1.])
    """
    r = _rounding(input, xp_of(input).trunc, 'trunc_vml_cpu', TruncBackward0)
    return r if out is None else out.copy_(r)


fix = trunc


def round(input, *, decimals=None, out=None):
    """Each element rounded to the nearest integer, halves to even (``round(2.5) == 2``); with
    ``decimals``, to that many decimal places (negative: to tens, hundreds...; floats only).

    Example::

        >>> flambeau.round(flambeau.tensor([0.5, 1.5, 1.2345]))
        tensor([0., 2., 1.])
        >>> flambeau.round(flambeau.tensor([1.2345, 1234.5]), decimals=-2)
        tensor([   0., 1200.])
    """
    if out is not None:
        return out.copy_(round(input, decimals=decimals))
    xp = xp_of(input)
    if decimals is None:
        return _rounding(input, xp.rint, 'round_vml_cpu', RoundBackward0)
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('round_vml_cpu' if decimals == 0 and dt is not _dt.bool
                              else 'round_cpu', dt)
    x = input._data
    if dt.itemsize == 2:  # half precision: computed in float, as PyTorch does
        x = x.astype(np.float32)
    ten = x.dtype.type(10.0 ** builtins_abs(decimals))
    res = xp.rint(x * ten) / ten if decimals > 0 else xp.rint(x / ten) * ten if decimals < 0 \
        else xp.rint(x)
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        record(RoundBackward1(), r, input)
    return r


class FracBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g


def frac(input, *, out=None):
    """The fractional part ``input - trunc(input)`` (float tensors).

    Example::

        >>> flambeau.frac(flambeau.tensor([-1.5, 2.25]))
        tensor([-0.5000,  0.2500])
    """
    dt = input._dtype
    if not dt.is_floating_point:
        raise not_implemented('frac_cpu', dt)
    x = input._data
    r = make(fix_dtype(x - xp_of(input).trunc(x), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        record(FracBackward0(), r, input)
    return r if out is None else out.copy_(r)


# -- classification ----------------------------------------------------------------------------
def _classify(input, float_fn, int_value, out):
    dt = input._dtype
    x = input._data
    xp = xp_of(input)
    if dt.is_floating_point:
        res = float_fn(xp, x if dt is not _dt.bfloat16 else x.astype(np.float32))
    else:
        res = xp.full(x.shape, int_value, dtype=bool)
    r = make(res, _dt.bool, input._device)
    return r if out is None else out.copy_(r)


def isnan(input):
    """True where an element is NaN, as a bool tensor.

    Example::

        >>> flambeau.isnan(flambeau.tensor([1., float('nan')]))
        tensor([False,  True])
    """
    return _classify(input, _isnan, False, None)


def isinf(input):
    """True where an element is positive or negative infinity.

    Example::

        >>> flambeau.isinf(flambeau.tensor([1., float('inf'), -float('inf')]))
        tensor([False,  True,  True])
    """
    return _classify(input, _isinf, False, None)


def isposinf(input, *, out=None):
    """True where an element is positive infinity.

    Example::

        >>> flambeau.isposinf(flambeau.tensor([1., float('inf'), -float('inf')]))
        tensor([False,  True, False])
    """
    return _classify(input, _isposinf, False, out)


def isneginf(input, *, out=None):
    """True where an element is negative infinity.

    Example::

        >>> flambeau.isneginf(flambeau.tensor([1., float('inf'), -float('inf')]))
        tensor([False, False,  True])
    """
    return _classify(input, _isneginf, False, out)


def isfinite(input):
    """True where an element is neither infinite nor NaN.

    Example::

        >>> flambeau.isfinite(flambeau.tensor([1., float('inf'), float('nan')]))
        tensor([ True, False, False])
    """
    return _classify(input, _isfinite, True, None)


def isreal(input):
    """True where an element has no imaginary part: everywhere, for real dtypes.

    Example::

        >>> flambeau.isreal(flambeau.tensor([1., 2.]))
        tensor([True, True])
    """
    return make(xp_of(input).ones(input._data.shape, dtype=bool), _dt.bool, input._device)


def _isnan(xp, x):
    return xp.isnan(x)


def _isinf(xp, x):
    return xp.isinf(x)


def _isposinf(xp, x):
    return xp.isposinf(x)


def _isneginf(xp, x):
    return xp.isneginf(x)


def _isfinite(xp, x):
    return xp.isfinite(x)


# -- nan_to_num --------------------------------------------------------------------------------
class NanToNumBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        x, = self.saved_tensors
        return where(isfinite(x), g, 0.)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """NaN, positive and negative infinity replaced by ``nan``, ``posinf`` and ``neginf``
    (by default 0 and the largest and lowest finite values of the dtype).

    Example::

        >>> flambeau.nan_to_num(flambeau.tensor([float('nan'), float('inf'), 1.]), posinf=9.)
        tensor([0., 9., 1.])
    """
    dt = input._dtype
    x = input._data
    if not dt.is_floating_point:
        r = make(x.copy(), dt, input._device)
    else:
        xp = xp_of(input)
        info = _dt.finfo(dt)
        big = info.max if posinf is None else posinf
        small = info.min if neginf is None else neginf
        one = x.dtype.type
        res = xp.where(xp.isnan(x), one(nan), x)
        res = xp.where(res == np.inf, one(big), res)
        res = xp.where(res == -np.inf, one(small), res)
        r = make(fix_dtype(xp.asarray(res), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = NanToNumBackward0()
        node.save(input)
        record(node, r, input)
    return r if out is None else out.copy_(r)


# -- fmax / fmin -------------------------------------------------------------------------------
class FmaxFminBackward(Node):
    """The gradient goes to ``input`` where it was chosen (ties included), else to ``other``."""
    __slots__ = ('label', 'a', 'b', 'is_max')

    def name(self):
        return self.label

    def backward(self, g):
        x, y = self.saved_tensors
        first = ((x >= y) if self.is_max else (x <= y)) | isnan(y)
        ga = reduce_grad(where(first, g, 0.), *self.a) if self.a is not None else None
        gb = reduce_grad(where(first, 0., g), *self.b) if self.b is not None else None
        return ga, gb


def _fmax_fmin(input, other, is_max, out):
    if not isinstance(other, Tensor):
        raise TypeError(f'{"fmax" if is_max else "fmin"}(): argument \'other\' (position 2) must '
                        f'be Tensor, not {type(other).__name__}')
    input, x, y, dt, tb = binary_operands(input, other)
    xp = xp_of(input)
    try:
        res = (xp.fmax if is_max else xp.fmin)(x, y)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or tb._requires_grad):
        node = FmaxFminBackward()
        node.label = 'FmaxBackward0' if is_max else 'FminBackward0'
        node.is_max = is_max
        node.a = (x.shape, input._dtype) if input._requires_grad else None
        node.b = (y.shape, tb._dtype) if tb._requires_grad else None
        node.save(input, tb)
        record(node, r, input, tb)
    return r if out is None else out.copy_(r)


def fmax(input, other, *, out=None):
    """The elementwise maximum, ignoring NaN: where one side is NaN the other is taken.

    Example::

        >>> flambeau.fmax(flambeau.tensor([1., float('nan')]), flambeau.tensor([3., 2.]))
        tensor([3., 2.])
    """
    return _fmax_fmin(input, other, True, out)


def fmin(input, other, *, out=None):
    """The elementwise minimum, ignoring NaN: where one side is NaN the other is taken.

    Example::

        >>> flambeau.fmin(flambeau.tensor([1., float('nan')]), flambeau.tensor([3., 2.]))
        tensor([1., 2.])
    """
    return _fmax_fmin(input, other, False, out)


# -- shifts ------------------------------------------------------------------------------------
def _shift(input, other, left, out=None):
    """``input << other`` or ``input >> other`` as PyTorch defines them for every shift:
    shifting by the bit width or more (or by a negative amount) gives 0, or -1 for negative
    numbers shifted right."""
    name = 'lshift_cpu' if left else 'rshift_cpu'
    if not isinstance(input, Tensor):  # a number on the left: ``3 << t``
        from .creation import scalar_tensor
        input = scalar_tensor(input, other)
    input, x, y, dt, tb = binary_operands(input, other)
    if dt.is_floating_point or dt is _dt.bool:
        raise not_implemented(name, dt)
    xp = xp_of(input)
    bits = dt.itemsize * 8
    try:
        y = xp.asarray(y, dtype=x.dtype) if tb is None else y
        bad = (y < 0) | (y >= bits)
        s = xp.where(bad, 0, y).astype(x.dtype)
        if left:
            res = xp.where(bad, x.dtype.type(0), xp.left_shift(x, s))
        else:  # an over-wide shift leaves the sign: -1 or 0 (0 for unsigned dtypes)
            fill = xp.right_shift(x, bits - 1) if dt.is_signed else x.dtype.type(0)
            res = xp.where(bad, fill, xp.right_shift(x, s))
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(xp.asarray(res, dtype=x.dtype), dt, input._device)
    return r if out is None else out.copy_(r)


def bitwise_left_shift(input, other, *, out=None):
    """``input << other`` for integer tensors: shifting left by ``other`` bits (wrapping in the
    dtype; a shift of the bit width or more gives 0).

    Example::

        >>> flambeau.bitwise_left_shift(flambeau.tensor([1, -1]), 3)
        tensor([ 8, -8])
    """
    return _shift(input, other, True, out)


def bitwise_right_shift(input, other, *, out=None):
    """``input >> other`` for integer tensors: an arithmetic shift right by ``other`` bits.

    Example::

        >>> flambeau.bitwise_right_shift(flambeau.tensor([16, -16]), 2)
        tensor([ 4, -4])
    """
    return _shift(input, other, False, out)


def _rlshift(input, other):
    return _shift(other, input, True)


def _rrshift(input, other):
    return _shift(other, input, False)


# Tensor methods of the ops above that the central table of _tensor_methods.py does not bind.
METHODS = {
    'sgn': sgn, 'signbit': signbit, 'floor': floor, 'ceil': ceil, 'trunc': trunc, 'fix': trunc,
    'round': round, 'frac': frac, 'isnan': isnan, 'isinf': isinf, 'isposinf': isposinf,
    'isneginf': isneginf, 'isfinite': isfinite, 'isreal': isreal, 'nan_to_num': nan_to_num,
    'fmax': fmax, 'fmin': fmin, 'bitwise_left_shift': bitwise_left_shift,
    'bitwise_right_shift': bitwise_right_shift, '__lshift__': bitwise_left_shift,
    '__rshift__': bitwise_right_shift, '__rlshift__': _rlshift, '__rrshift__': _rrshift,
}
INPLACE = {
    'sgn_': sgn, 'floor_': floor, 'ceil_': ceil, 'trunc_': trunc, 'fix_': trunc, 'round_': round,
    'frac_': frac, 'nan_to_num_': nan_to_num, 'bitwise_left_shift_': bitwise_left_shift,
    'bitwise_right_shift_': bitwise_right_shift, '__ilshift__': bitwise_left_shift,
    '__irshift__': bitwise_right_shift, 'logical_and_': logical_and, 'logical_or_': logical_or,
    'logical_xor_': logical_xor,
}
