"""Binary arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``floor_divide``, ``remainder``,
``pow``, each with its derivative beside it.

Operands are a Tensor and a Tensor or Python number; they broadcast, and their result dtype
follows PyTorch's promotion (``_common.binary_operands``). Gradients are summed back to each
input's shape (``reduce_grad``).
"""
import numpy as np

from .. import dtypes as _dt
from ._common import (Node, Tensor, binary_operands, fix_dtype, make, needs_grad, record,
                      reduce_grad, state)


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
    x, y, dt, tb = binary_operands(input, other)
    if alpha != 1:
        _check_alpha(alpha, dt)
        y = y * alpha
    r = make(fix_dtype(x + y, dt), dt, input._device)
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
    x, y, dt, tb = binary_operands(input, other)
    if dt is _dt.bool:
        raise RuntimeError('Subtraction, the `-` operator, with two bool tensors is not '
                           'supported. Use the `^` or `logical_xor()` operator instead.')
    if alpha != 1:
        _check_alpha(alpha, dt)
        y = y * alpha
    r = make(fix_dtype(x - y, dt), dt, input._device)
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
        return sub(other, input, alpha=alpha)
    x, y, dt, _ = binary_operands(input, other)
    r = make(fix_dtype(y - (x * alpha if alpha != 1 else x), dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = RsubBackward1()
        node.a, node.alpha = _meta(input), alpha
        record(node, r, input)
    return r


def _check_alpha(alpha, dt):
    if isinstance(alpha, float) and not dt.is_floating_point:
        raise RuntimeError(f'For integral input tensors, argument alpha must not be a floating '
                           f'point number.')


def _scalar_like(value, t):
    from .creation import scalar_tensor
    return scalar_tensor(value, t)


# -- mul / div ------------------------------------------------------------------------------
class MulBackward0(Node):
    __slots__ = ('a', 'b')

    def backward(self, g):
        x, y = self.saved_tensors
        a, b = self.a, self.b
        return (reduce_grad(g * y, *a) if a is not None else None,
                reduce_grad(g * x, *b) if b is not None else None)


class MulBackward1(Node):
    """``tensor * number``."""
    __slots__ = ('a', 'scalar')

    def backward(self, g):
        return (reduce_grad(g * self.scalar, *self.a),)


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
    x, y, dt, tb = binary_operands(input, other)
    r = make(fix_dtype(x * y, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = MulBackward1()
            node.a, node.scalar = _meta(input), other
            record(node, r, input)
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
    """``tensor / number``."""
    __slots__ = ('a', 'scalar')

    def backward(self, g):
        return (reduce_grad(g / self.scalar, *self.a),)


class DivBackward2(Node):
    """``number / tensor`` (the reflected ``/``): d(c / x) = -c / x**2."""
    __slots__ = ('a', 'scalar')

    def backward(self, g):
        x, = self.saved_tensors
        return (reduce_grad(g * (-self.scalar) / (x * x), *self.a),)


def _to_float(x, y, dt):
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
        x = x.astype(dt.numpy)
        if not isinstance(y, (int, float, bool)):
            y = y.astype(dt.numpy)
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
            return floor_divide(input, other)
        if rounding_mode == 'trunc':
            return _trunc_divide(input, other)
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                         f"found '{rounding_mode}'")
    if not isinstance(input, Tensor):
        return rdiv(other, input)
    x, y, dt, tb = binary_operands(input, other)
    x, y, dt = _to_float(x, y, dt)
    r = make(fix_dtype(x / y, dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        if tb is None:
            node = DivBackward1()
            node.a, node.scalar = _meta(input), other
            record(node, r, input)
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
    x, y, dt, _ = binary_operands(input, other)
    x, y, dt = _to_float(x, y, dt)
    r = make(fix_dtype(y / x, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = DivBackward2()
        node.a, node.scalar = _meta(input), other
        node.save(input)
        record(node, r, input)
    return r


def _check_int_zero(y, dt):
    if not dt.is_floating_point and (y == 0 if isinstance(y, int) else (y == 0).any()):
        raise RuntimeError('ZeroDivisionError')


class NoGradBackward(Node):
    """Floor/trunc division and remainder have zero gradient almost everywhere, except
    remainder's first input (gradient 1)."""
    __slots__ = ('a', 'b', 'pass_first', 'label')

    def name(self):
        return self.label

    def backward(self, g):
        a, b = self.a, self.b
        ga = None
        if a is not None:
            ga = reduce_grad(g if self.pass_first else g * 0, *a)
        gb = None
        if b is not None:
            gb = reduce_grad(g * 0, *b)
        return ga, gb


def _rounding_op(input, other, fn, label, pass_first, reflected=False):
    x, y, dt, tb = binary_operands(input, other)
    if reflected:
        x, y = y, x
    _check_int_zero(y, dt)
    r = make(fix_dtype(fn(x, y), dt), dt, input._device)
    if state.enabled and (input._requires_grad or (tb is not None and tb._requires_grad)):
        node = NoGradBackward()
        first, second = (input, tb) if not reflected else (None, input)
        node.a, node.b = _meta(first), _meta(second)
        node.pass_first, node.label = pass_first, label
        record(node, r, first, second)
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
        return _rounding_op(other, input, np.floor_divide, 'DivBackward3', False, reflected=True)
    return _rounding_op(input, other, np.floor_divide, 'DivBackward3', False)


def _trunc(x, y):
    q = x / y
    return np.trunc(q) if q.dtype.kind == 'f' and x.dtype.kind == 'f' else \
        (np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))).astype(x.dtype)


def _trunc_divide(input, other):
    return _rounding_op(input, other, _trunc, 'DivBackward3', False)


def remainder(input, other, *, out=None):
    """``input % other`` with the sign of the divisor, as Python's ``%``.

    Example::

        >>> flambeau.remainder(flambeau.tensor([-3, 3]), 2)
        tensor([1, 1])
    """
    if out is not None:
        return out.copy_(remainder(input, other))
    if not isinstance(input, Tensor):
        return _rounding_op(other, input, np.remainder, 'RemainderBackward1', False, reflected=True)
    return _rounding_op(input, other, np.remainder, 'RemainderBackward0', True)


# -- pow ------------------------------------------------------------------------------------
class PowBackward0(Node):
    """``tensor ** number``: d(x**c) = c * x**(c-1)."""
    __slots__ = ('a', 'exponent')

    def backward(self, g):
        x, = self.saved_tensors
        c = self.exponent
        if c == 0:
            return (reduce_grad(g * 0, *self.a),)
        if c == 2:
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
    x, y, dt, tb = binary_operands(input, exponent)
    if not dt.is_floating_point and (tb is None and isinstance(y, int) and y < 0
                                     or tb is not None and (y < 0).any()):
        raise RuntimeError('Integers to negative integer powers are not allowed.')
    if tb is None and y == 2:
        res = x * x
    elif tb is None and y == 0.5 and dt.is_floating_point:
        res = np.sqrt(x)
    else:
        res = x ** y
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
    x, y, dt, _ = binary_operands(input, base)
    r = make(fix_dtype(y ** x, dt), dt, input._device)
    if state.enabled and input._requires_grad:
        node = PowBackward2()
        node.a, node.base = _meta(input), base
        node.save(input)
        record(node, r, input)
    return r


subtract, multiply, divide, true_divide = sub, mul, div, div
