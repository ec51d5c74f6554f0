"""Binary arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``floor_divide``, ``remainder``,
``fmod``, ``pow``, ``square``, and the three-input ``lerp``, ``addcmul``, ``addcdiv``, each with
its derivative beside it.

Operands are a Tensor and a Tensor or Python number; they broadcast, and their result dtype
follows PyTorch's promotion (``_common.binary_operands``). Gradients are summed back to each
input's shape (``reduce_grad``).
"""
__all__ = ['add', 'div', 'divide', 'floor_divide', 'mul', 'multiply', 'pow', 'remainder', 'rsub',
           'sub', 'subtract', 'true_divide']
import numpy as np

from .. import dtypes as _dt
from ._common import (_BROADCAST_OP_MIN, Node, Tensor, as_number, binary_operands,
                      broadcast_error, broadcast_op, fix_dtype, make, needs_grad, on_device,
                      record, reduce_grad, scalar_value, state, xp_of)
from ..device import CPU


def _meta(t):
    """What a backward needs to know about an input: its shape and dtype (None when it is a
    Python number or needs no gradient)."""
    if t is None or not t._requires_grad:
        return None
    return (t._data.shape, t._dtype)


# -- add / sub ------------------------------------------------------------------------------
class AddBackward0(Node):
    __slots__ = ('a', 'b', 'alpha')

    def backward(self, g):
        a, b = self.a, self.b
        gb = None
        if b is not None:
            gb = g if self.alpha == 1 else g * self.alpha
            gb = reduce_grad(gb, *b)
        return (reduce_grad(g, *a) if a is not None else None), gb


class SubBackward0(AddBackward0):
    __slots__ = ()

    def backward(self, g):
        a, b = self.a, self.b
        gb = None
        if b is not None:
            gb = reduce_grad(-g if self.alpha == 1 else g * -self.alpha, *b)
        return (reduce_grad(g, *a) if a is not None else None), gb


class RsubBackward0(SubBackward0):
    """``rsub(input, other)`` of two tensors: ``other - alpha * input``."""
    __slots__ = ()


class RsubBackward1(Node):
    __slots__ = ('a', 'alpha')

    def backward(self, g):
        return (reduce_grad(g * -self.alpha, *self.a),)


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, elementwise with broadcasting.

    Example::

        >>> flambeau.add(flambeau.tensor([1, 2]), flambeau.tensor([10, 20]), alpha=2)
        tensor([21, 42])
    """
    if out is not None:
        return out.copy_(add(input, other, alpha=alpha))
    if not isinstance(input, Tensor):
        return add(other, input) if alpha == 1 else add(_scalar_like(input, other), other,
                                                        alpha=alpha)
    input, x, y, dt, tb = binary_operands(input, other)
    if alpha != 1:
        y = times_alpha(y, alpha, dt)
    try:
        res = broadcast_op(np.add, x, y) if tb is not None and \
            (x.size >= _BROADCAST_OP_MIN or y.size >= _BROADCAST_OP_MIN) and \
            type(x) is np.ndarray and x.shape != y.shape else x + y
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        node = AddBackward0()
        node.a, node.b, node.alpha = _meta(input), _meta(tb), alpha
        record(node, r, input, tb)
    return r


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, elementwise with broadcasting.

    Example::

        >>> flambeau.sub(flambeau.tensor([5., 5.]), flambeau.tensor([1., 2.]))
        tensor([4., 3.])
    """
    if out is not None:
        return out.copy_(sub(input, other, alpha=alpha))
    if not isinstance(input, Tensor):
        return rsub(other, input, alpha=alpha)
    input, x, y, dt, tb = binary_operands(input, other)
    if (input._dtype is _bool or other is True or other is False or
            tb is not None and tb._dtype is _bool):
        raise _bool_sub_error(dt is _bool)  # both bool, a Python bool included
    if alpha != 1:
        y = times_alpha(y, alpha, dt)
    try:
        res = broadcast_op(np.subtract, x, y) if tb is not None and \
            (x.size >= _BROADCAST_OP_MIN or y.size >= _BROADCAST_OP_MIN) and \
            type(x) is np.ndarray and x.shape != y.shape else x - y
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        node = SubBackward0()
        node.a, node.b, node.alpha = _meta(input), _meta(tb), alpha
        record(node, r, input, tb)
    return r


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (the reflected ``-``: ``2 - x``).

    Example::

        >>> flambeau.rsub(flambeau.tensor([1., 2.]), 5)
        tensor([4., 3.])
    """
    if isinstance(other, Tensor):
        r = sub(other, input, alpha=alpha)
        if r.grad_fn is not None:
            r.grad_fn.__class__ = RsubBackward0
        return r
    input, x, y, dt, _ = binary_operands(input, other)
    if input._dtype is _bool or other is True or other is False:
        raise _bool_sub_error(dt is _bool)
    r = make(fix_dtype(y - (times_alpha(x, alpha, dt) if alpha != 1 else x), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = RsubBackward1()
        node.a, node.alpha = _meta(input), alpha
        record(node, r, input)
    return r


_bool = _dt.bool


def _bool_sub_error(both):
    if both:
        return RuntimeError('Subtraction, the `-` operator, with two bool tensors is not '
                            'supported. Use the `^` or `logical_xor()` operator instead.')
    return RuntimeError('Subtraction, the `-` operator, with a bool tensor is not supported. If '
                        'you are trying to invert a mask, use the `~` or `logical_not()` operator '
                        'instead.')


def times_alpha(y, alpha, dt):
    """``alpha * y`` (an array or a Python number) in dtype ``dt``, as PyTorch computes it:
    integers wrap."""
    _check_alpha(alpha, dt)
    if isinstance(y, (int, float, bool)):
        return scalar_value(y * alpha, dt)
    return y * scalar_value(alpha, dt)


def _check_alpha(alpha, dt):
    if isinstance(alpha, float) and not dt.is_floating_point:
        raise RuntimeError(f'For integral input tensors, argument alpha must not be a floating '
                           f'point number.')


def _scalar_like(value, t):
    from .creation import scalar_tensor
    return scalar_tensor(value, t)


# -- mul / div ------------------------------------------------------------------------------
def _times(g, t):
    """``g * t`` for a backward formula: one array multiply when no graph is recorded and the
    dtypes agree (NumPy would promote mixed ones differently from PyTorch)."""
    if not state.enabled and t._dtype is g._dtype:
        return make(g._data * t._data, g._dtype, g._device)
    return g * t


class MulBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        a, b = self.a, self.b
        return (reduce_grad(_times(g, y), *a) if a is not None else None,
                reduce_grad(_times(g, x), *b) if b is not None else None)


class MulBackward1(Node):
    """``tensor * number`` (PyTorch wraps the number in a tensor: it prints MulBackward0)."""
    __slots__ = ('a', 'scalar')

    def name(self):
        return 'MulBackward0'

    def backward(self, g):  # (the number's edge is None, as PyTorch's wrapped scalar)
        self.saved_tensors  # PyTorch saved the wrapped number: a second backward raises
        return reduce_grad(g * self.scalar, *self.a), None


def mul(input, other, *, out=None):
    """``input * other``, elementwise with broadcasting.

    Example::

        >>> flambeau.mul(flambeau.tensor([1., 2.]), 3)
        tensor([3., 6.])
    """
    if out is not None:
        return out.copy_(mul(input, other))
    if not isinstance(input, Tensor):
        input, other = other, input
    input, x, y, dt, tb = binary_operands(input, other)
    try:
        res = broadcast_op(np.multiply, x, y) if tb is not None and \
            (x.size >= _BROADCAST_OP_MIN or y.size >= _BROADCAST_OP_MIN) and \
            type(x) is np.ndarray and x.shape != y.shape else x * y
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = MulBackward1()
            node.a, node.scalar = _meta(input), other
            node.save()
            record(node, r, input, None)
        else:
            node = MulBackward0()
            node.a, node.b = _meta(input), _meta(tb)
            node.save(input if tb._requires_grad else None, tb if input._requires_grad else None)
            record(node, r, input, tb)
    return r


class DivBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        a, b = self.a, self.b
        ga = reduce_grad(g / y, *a) if a is not None else None
        gb = reduce_grad(-g * x / (y * y), *b) if b is not None else None
        return ga, gb


class DivBackward1(Node):
    """``tensor / number`` (PyTorch prints DivBackward0)."""
    __slots__ = ('a', 'scalar')

    def name(self):
        return 'DivBackward0'

    def backward(self, g):  # (the number's edge is None, as PyTorch's wrapped scalar)
        self.saved_tensors  # PyTorch saved the wrapped number: a second backward raises
        return reduce_grad(g / self.scalar, *self.a), None


class RdivBackward(Node):
    """``number / tensor`` (the reflected ``/``): d(c / x) = -c / x**2. PyTorch computes it
    as ``x.reciprocal() * c``: it prints MulBackward0."""
    __slots__ = ('a', 'scalar')

    def name(self):
        return 'MulBackward0'

    def backward(self, g):
        x, = self.saved_tensors
        return (reduce_grad(g * (-self.scalar) / (x * x), *self.a),)


def _to_float(x, y, dt, other):
    """Integer operands of a true division as the default float dtype. ``other`` is the second
    operand as given: a number is taken as is, since binary_operands wrapped it into the integer
    dtype (``uint8 tensor / -2`` is -0.5, not 1/254)."""
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
        y = y.astype(dt.numpy) if isinstance(other, Tensor) else as_number(other)
    return x, y, dt


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other`` elementwise; integers divide to floats. ``rounding_mode`` is None
    (true division), ``'trunc'`` or ``'floor'``.

    Example::

        >>> flambeau.div(flambeau.tensor([1, 3]), 2)
        tensor([0.5000, 1.5000])
    """
    if out is not None:
        return out.copy_(div(input, other, rounding_mode=rounding_mode))
    if rounding_mode is not None:
        if rounding_mode == 'floor':
            return _floor_divide(input, other)
        if rounding_mode == 'trunc':
            return _trunc_divide(input, other)
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    if not isinstance(input, Tensor):
        return rdiv(other, input)
    input, x, y, dt, tb = binary_operands(input, other)
    x, y, dt = _to_float(x, y, dt, other)
    try:
        res = broadcast_op(np.divide, x, y) if tb is not None and \
            (x.size >= _BROADCAST_OP_MIN or y.size >= _BROADCAST_OP_MIN) and \
            type(x) is np.ndarray and x.shape != y.shape else x / y
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = DivBackward1()
            node.a, node.scalar = _meta(input), other
            node.save()
            record(node, r, input, None)
        else:
            node = DivBackward0()
            node.a, node.b = _meta(input), _meta(tb)
            node.save(input if tb._requires_grad else None, tb)
            record(node, r, input, tb)
    return r


def rdiv(input, other):
    """``other / input`` for a Python number ``other`` (the reflected ``/``)."""
    if isinstance(other, Tensor):
        return div(other, input)
    input, x, y, dt, _ = binary_operands(input, other)
    x, y, dt = _to_float(x, y, dt, other)
    r = make(fix_dtype(y / x, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = RdivBackward()
        node.a, node.scalar = _meta(input), other
        node.save(input)
        record(node, r, input)
    return r


def _check_int_zero(y, dt):
    if not dt.is_floating_point and (y == 0 if isinstance(y, int) else (y == 0).any()):
        raise RuntimeError('ZeroDivisionError')


class DivBackward2(Node):
    """Division with a rounding mode: the gradient is zero (almost everywhere)."""
    __slots__ = ('a', 'b')

    def backward(self, g):
        a, b = self.a, self.b
        return (reduce_grad(g * 0, *a) if a is not None else None,
                reduce_grad(g * 0, *b) if b is not None else None)


class RemainderBackward0(Node):
    """``tensor % number``: d/dx = 1."""
    __slots__ = ('a',)

    def backward(self, g):
        return (reduce_grad(g, *self.a),)


class RemainderBackward1(Node):
    """``x % y`` = ``x - floor(x / y) * y``: d/dx = 1, d/dy = -floor(x / y)."""
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        a, b = self.a, self.b
        return (reduce_grad(g, *a) if a is not None else None,
                reduce_grad(-g * _floor_divide(x, y), *b) if b is not None else None)


class NotImplementedBackward(Node):
    """An op PyTorch gives no derivative (``floor_divide``, ``number % tensor``): the result
    is part of the graph, and backward through it raises PyTorch's error."""
    __slots__ = ('op',)

    def name(self):
        return 'NotImplemented'

    def backward(self, g):
        raise RuntimeError(f'derivative for aten::{self.op} is not implemented')


def _rounding_op(input, other, fn, kind, reflected=False):
    """``fn`` (a rounding division or remainder) of ``input`` and ``other``, or of ``other``
    and ``input`` when ``reflected`` (a Python number on the left), with the node PyTorch
    records: ``kind`` is 'div' (rounding_mode), 'floor_divide' or 'remainder'."""
    input, x, y, dt, tb = binary_operands(input, other)
    if reflected:
        x, y = y, x
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('remainder_cpu' if kind == 'remainder' else
                              'div_trunc_cpu' if fn is _trunc else 'div_floor_cpu', dt)
    _check_int_zero(y, dt)
    try:
        res = fn(x, y) if input._device is CPU else \
            fn(x, y, xp_of(input)) if fn is _trunc else on_device(fn, input._device)(x, y)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if kind == 'floor_divide' or reflected:
            node = NotImplementedBackward()
            node.op = kind
            record(node, r, input, tb)
        elif kind == 'div':
            node = DivBackward2()
            node.a, node.b = _meta(input), _meta(tb)
            record(node, r, input, tb)
        elif tb is None:
            node = RemainderBackward0()
            node.a = _meta(input)
            record(node, r, input)
        else:
            node = RemainderBackward1()
            node.a, node.b = _meta(input), _meta(tb)
            node.save(input, tb)
            record(node, r, input, tb)
    return r


def floor_divide(input, other, *, out=None):
    """``input // other``: division rounded towards minus infinity, as Python's ``//``.

    Example::

        >>> flambeau.floor_divide(flambeau.tensor([7, -7]), 2)
        tensor([ 3, -4])
    """
    if out is not None:
        return out.copy_(floor_divide(input, other))
    if not isinstance(input, Tensor):
        return _rounding_op(other, input, np.floor_divide, 'floor_divide', reflected=True)
    return _rounding_op(input, other, np.floor_divide, 'floor_divide')


def _trunc(x, y, xp=np):
    q = x / y
    return xp.trunc(q) if q.dtype.kind == 'f' and x.dtype.kind == 'f' else \
        (xp.sign(x) * xp.sign(y) * (xp.abs(x) // xp.abs(y))).astype(x.dtype)


def _trunc_divide(input, other):
    return _rounding_op(input, other, _trunc, 'div')


def _floor_divide(input, other):
    return _rounding_op(input, other, np.floor_divide, 'div')


def remainder(input, other, *, out=None):
    """``input % other`` with the sign of the divisor, as Python's ``%``.

    Example::

        >>> flambeau.remainder(flambeau.tensor([-3, 3]), 2)
        tensor([1, 1])
    """
    if out is not None:
        return out.copy_(remainder(input, other))
    if not isinstance(input, Tensor):
        return _rounding_op(other, input, np.remainder, 'remainder', reflected=True)
    return _rounding_op(input, other, np.remainder, 'remainder')


# -- pow ------------------------------------------------------------------------------------
class PowBackward0(Node):
    """``tensor ** number``: d(x**c) = c * x**(c-1)."""
    __slots__ = ('a', 'exponent')

    def backward(self, g):
        x, = self.saved_tensors
        c = self.exponent
        if c == 0:
            return (reduce_grad(g * 0, *self.a),)
        if c == 2 and not state.enabled:  # (with create_graph, PyTorch's x.pow(1) is recorded)
            if x._dtype is g._dtype:
                return (reduce_grad(make(g._data * (x._data * 2), g._dtype, g._device), *self.a),)
            return (reduce_grad(g * (x * 2), *self.a),)
        return (reduce_grad(g * c * x ** (c - 1), *self.a),)


class PowBackward1(Node):
    """``tensor ** tensor``: d/dx = y * x**(y-1), d/dy = x**y * log(x) (0 where x == 0 and
    y >= 0, as PyTorch)."""
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        a, b = self.a, self.b
        ga = gb = None
        if a is not None:
            ga = reduce_grad(g * y * x ** (y - 1), *a)
        if b is not None:
            from .pointwise import log, where
            p = x ** y
            gb = g * where((x == 0) & (y >= 0), 0.0, p * log(x))
            gb = reduce_grad(gb, *b)
        return ga, gb


class PowBackward2(Node):
    """``number ** tensor``: d(c**y) = c**y * log(c)."""
    __slots__ = ('a', 'base')

    def backward(self, g):
        y, = self.saved_tensors
        c = self.base
        if c == 0:
            from .pointwise import where
            return (reduce_grad(g * where(y >= 0, 0.0, float('-inf') * (c ** y)), *self.a),)
        return (reduce_grad(g * (c ** y) * float(np.log(c)), *self.a),)


def pow(input, exponent, *, out=None):
    """``input ** exponent`` elementwise; either may be a Python number.

    Integer tensors raised to negative integer powers raise, as in PyTorch.

    Example::

        >>> flambeau.pow(flambeau.tensor([1., 2., 3.]), 2)
        tensor([1., 4., 9.])
    """
    if out is not None:
        return out.copy_(pow(input, exponent))
    if not isinstance(input, Tensor):
        return rpow(exponent, input)
    input, x, y, dt, tb = binary_operands(input, exponent)
    if dt is _bool and tb is not None:  # (a bool exponent of 0 or 1 is allowed: x**1 is x)
        from ._common import not_implemented
        raise not_implemented('pow', dt)
    int_neg = None
    if not dt.is_floating_point:
        if tb is None and isinstance(exponent, int) and exponent < 0:
            raise RuntimeError('Integers to negative integer powers are not allowed.')
        if tb is None:  # an integer exponent must fit the dtype (it does not wrap)
            from ._common import checked_scalar
            y = checked_scalar(exponent, dt)
        elif dt is not _bool and (y < 0).any():
            # a tensor of exponents may hold negative ones: x ** -n is 1 / x ** n truncated
            # (0 unless x is 1 or -1), as PyTorch computes it
            int_neg = (y < 0, y % 2 != 0)
            y = xp_of(input).where(int_neg[0], 0, y).astype(y.dtype)
    # PyTorch's own special exponents (and the same arithmetic); NumPy's power runs ~60 ns an
    # element on float32 (x ** 3 over 1M: 62 ms against 1.2 as two products)
    if tb is None and y == 2:
        res = x * x
    elif tb is None and y == 3:
        res = x * x
        res *= x
    elif tb is None and y == 0.5 and dt.is_floating_point:
        res = on_device(np.sqrt, input._device)(x)
    elif tb is None and dt.is_floating_point and y in (-1, -2, -0.5):
        den = x if y == -1 else x * x if y == -2 else on_device(np.sqrt, input._device)(x)
        with np.errstate(divide='ignore'):
            res = x.dtype.type(1) / den
    else:
        try:
            res = x ** y
        except ValueError as e:
            raise broadcast_error(e, x, y) from None
    if int_neg is not None:
        neg, odd = int_neg
        one, zero = x.dtype.type(1), x.dtype.type(0)
        where = xp_of(input).where
        res = where(neg, where(x == 1, one, where(x == -1, where(odd, -one, one), zero)), res)
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = PowBackward0()
            node.a, node.exponent = _meta(input), exponent
            node.save(input)
            record(node, r, input)
        else:
            node = PowBackward1()
            node.a, node.b = _meta(input), _meta(tb)
            node.save(input, tb)
            record(node, r, input, tb)
    return r


def rpow(input, base):
    """``base ** input`` for a Python number ``base`` (the reflected ``**``)."""
    if isinstance(base, Tensor):
        return pow(base, input)
    input, x, y, dt, _ = binary_operands(input, base)
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('pow', dt)
    r = make(fix_dtype(y ** x, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = PowBackward2()
        node.a, node.base = _meta(input), base
        node.save(input)
        record(node, r, input)
    return r


subtract, multiply, divide, true_divide = sub, mul, div, div


def square(input, *, out=None):
    """``input * input`` elementwise (bool tensors give int64), recorded as ``pow(input, 2)``.

    Example::

        >>> flambeau.square(flambeau.tensor([-2., 3.]))
        tensor([4., 9.])
    """
    return pow(input, 2, out=out)


# -- fmod -------------------------------------------------------------------------------------
class FmodBackward0(Node):
    """``fmod(tensor, number)``: d/dx = 1."""
    __slots__ = ('a',)

    def backward(self, g):
        return reduce_grad(g, *self.a), None


class FmodBackward1(Node):
    """``fmod(x, y)`` = ``x - trunc(x / y) * y``: d/dx = 1, d/dy = -trunc(x / y)."""
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        return (reduce_grad(g, *self.a) if self.a is not None else None,
                reduce_grad(-g * _trunc_divide(x, y), *self.b) if self.b is not None else None)


def fmod(input, other, *, out=None):
    """The remainder of ``input / other`` with the sign of the dividend, as C's ``fmod``
    (compare :func:`remainder`, which takes the divisor's sign).

    Example::

        >>> flambeau.fmod(flambeau.tensor([-3., 3.]), 2)
        tensor([-1.,  1.])
    """
    if out is not None:
        return out.copy_(fmod(input, other))
    input, x, y, dt, tb = binary_operands(input, other)
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('fmod_cpu', dt)
    _check_int_zero(y, dt)
    try:
        res = on_device(np.fmod, input._device)(x, y)
    except ValueError as e:
        raise broadcast_error(e, x, y) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = FmodBackward0()
            node.a = _meta(input)
            record(node, r, input, None)
        else:
            node = FmodBackward1()
            node.a, node.b = _meta(input), _meta(tb)
            node.save(input, tb)
            record(node, r, input, tb)
    return r


# -- lerp -------------------------------------------------------------------------------------
class LerpBackward0(Node):
    """``lerp`` with a number weight ``w``: d/dstart = 1 - w, d/dend = w."""
    __slots__ = ('a', 'b', 'weight')

    def backward(self, g):
        w = self.weight
        return (reduce_grad(g * (1 - w), *self.a) if self.a is not None else None,
                reduce_grad(g * w, *self.b) if self.b is not None else None)


class LerpBackward1(Node):
    """``lerp`` with a tensor weight: d/dweight = end - start."""
    __slots__ = ('a', 'b', 'c')

    def backward(self, g):
        x, y, w = self.saved_tensors
        return (reduce_grad(g * (1 - w), *self.a) if self.a is not None else None,
                reduce_grad(g * w, *self.b) if self.b is not None else None,
                reduce_grad(g * (y - x), *self.c) if self.c is not None else None)


def _lerp_check(name, t, dt):
    if t._dtype is not dt:
        raise RuntimeError(f'expected dtype {_C_NAMES[dt.name]} for `{name}` but got dtype '
                           f'{_C_NAMES[t._dtype.name]}')


_C_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
            'bfloat16': 'c10::BFloat16', 'int64': 'long int', 'int32': 'int', 'int16': 'short int',
            'int8': 'signed char', 'uint8': 'unsigned char', 'bool': 'bool'}


def lerp(input, end, weight, *, out=None):
    """Linear interpolation ``input + weight * (end - input)`` (float tensors of one dtype;
    ``weight`` a number or a tensor, all broadcast together).

    Example::

        >>> flambeau.lerp(flambeau.tensor([0., 10.]), flambeau.tensor([10., 20.]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    if out is not None:
        return out.copy_(lerp(input, end, weight))
    dt = input._dtype
    wt = weight if isinstance(weight, Tensor) else None
    _lerp_check('end', end, dt)
    if wt is not None:
        _lerp_check('weight', wt, dt)
    if not dt.is_floating_point:
        from ._common import not_implemented
        raise not_implemented('lerp_kernel_tensor' if wt is not None else 'lerp_kernel_scalar', dt)
    for t in (end, wt):
        if t is not None and t._device is not input._device:
            from ._common import device_mismatch
            raise device_mismatch(input, t)
    x, y = input._data, end._data
    w = wt._data if wt is not None else as_number(weight)
    xp = input._device._backend.xp
    if dt.itemsize == 2:  # half precision: computed in float, as PyTorch does
        x, y = x.astype(np.float32), y.astype(np.float32)
        w = w.astype(np.float32) if wt is not None else w
    try:
        d = y - x
        # PyTorch's two-sided formula: exact at both ends (weight 0 gives start, 1 gives end)
        res = xp.where(xp.abs(w) < 0.5, x + w * d, y - d * (1 - w))
    except ValueError as e:
        raise broadcast_error(e, x, y, *(() if wt is None else (w,))) from None
    r = make(fix_dtype(xp.asarray(res, dtype=x.dtype), dt), dt, input._device)
    if state.enabled and (input._requires_grad or end._requires_grad or
                          (wt is not None and wt._requires_grad)):
        if wt is None:
            node = LerpBackward0()
            node.a, node.b, node.weight = _meta(input), _meta(end), as_number(weight)
            record(node, r, input, end)
        else:
            node = LerpBackward1()
            node.a, node.b, node.c = _meta(input), _meta(end), _meta(wt)
            node.save(input, end, wt)
            record(node, r, input, end, wt)
    return r


# -- addcmul / addcdiv ------------------------------------------------------------------------
class AddcmulBackward0(Node):
    __slots__ = ('a', 'b', 'c', 'value')

    def backward(self, g):
        t1, t2 = self.saved_tensors
        v = self.value
        return (reduce_grad(g, *self.a) if self.a is not None else None,
                reduce_grad(g * t2 * v, *self.b) if self.b is not None else None,
                reduce_grad(g * t1 * v, *self.c) if self.c is not None else None)


class AddcdivBackward0(Node):
    __slots__ = ('a', 'b', 'c', 'value')

    def backward(self, g):
        t1, t2 = self.saved_tensors
        v = self.value
        return (reduce_grad(g, *self.a) if self.a is not None else None,
                reduce_grad(g * v / t2, *self.b) if self.b is not None else None,
                reduce_grad(-g * v * t1 / (t2 * t2), *self.c) if self.c is not None else None)


_ADDCDIV_INT = ('Integer division with addcdiv is no longer supported, and in a future  release '
                'addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv '
                'behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to'
                '(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for '
                'float inputs. The future addcdiv behavior is just the latter implementation: '
                '(input + value * tensor1 / tensor2), for all dtypes.')


def _addc(input, tensor1, tensor2, value, div):
    if div and not (tensor1._dtype.is_floating_point or tensor2._dtype.is_floating_point):
        raise RuntimeError(_ADDCDIV_INT)
    dt = _dt.result_type(input, tensor1, tensor2)
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('addcmul_cpu_out', dt)
    for t in (tensor1, tensor2):
        if t._device is not input._device:
            from ._common import device_mismatch
            raise device_mismatch(input, t)
    value = as_number(value)
    if isinstance(value, float) and not dt.is_floating_point:
        value = int(value)  # PyTorch converts the Scalar to the integer dtype
    npdt = dt.numpy
    calc = np.float32 if dt.itemsize == 2 and dt.is_floating_point else npdt
    x = input._data.astype(calc, copy=False)
    a = tensor1._data.astype(calc, copy=False)
    b = tensor2._data.astype(calc, copy=False)
    try:
        prod = a / b if div else a * b
        res = x + (prod * scalar_value(value, dt) if value != 1 else prod)
    except ValueError as e:
        raise broadcast_error(e, x, a, b) from None
    r = make(fix_dtype(res, dt), dt, input._device)
    if state.enabled and (input._requires_grad or tensor1._requires_grad or
                          tensor2._requires_grad):
        node = AddcdivBackward0() if div else AddcmulBackward0()
        node.a, node.b, node.c, node.value = _meta(input), _meta(tensor1), _meta(tensor2), value
        node.save(tensor1, tensor2)
        record(node, r, input, tensor1, tensor2)
    return r


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``, elementwise with broadcasting.

    Example::

        >>> flambeau.addcmul(flambeau.tensor([1., 1.]), flambeau.tensor([2., 3.]),
        ...                  flambeau.tensor([4., 5.]), value=0.5)
        tensor([5.0000, 8.5000])
    """
    r = _addc(input, tensor1, tensor2, value, False)
    return r if out is None else out.copy_(r)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``, elementwise with broadcasting (a float
    ``tensor1`` or ``tensor2`` is required: integer division is not supported).

    Example::

        >>> flambeau.addcdiv(flambeau.tensor([1., 1.]), flambeau.tensor([2., 3.]),
        ...                  flambeau.tensor([4., 5.]), value=2)
        tensor([2.0000, 2.2000])
    """
    r = _addc(input, tensor1, tensor2, value, True)
    return r if out is None else out.copy_(r)


__all__ += ['addcdiv', 'addcmul', 'fmod', 'lerp', 'square']
METHODS = {'square': square, 'fmod': fmod, 'lerp': lerp, 'addcmul': addcmul, 'addcdiv': addcdiv}
INPLACE = {'square_': square, 'fmod_': fmod, 'lerp_': lerp, 'addcmul_': addcmul,
           'addcdiv_': addcdiv}
