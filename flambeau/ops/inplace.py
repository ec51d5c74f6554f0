"""In-place ops (``add_``, ``mul_``, ``x[i] = v``, ``copy_``, ``zero_`` ...) and the autograd
rules that make them differentiable.

Note [In-place autograd]: ``t.op_(*args)`` means "``t`` takes the values of ``op(t, *args)``".

* Without a graph to record (grad mode off, or nothing requires grad) it is one array write
  (a NumPy ufunc with ``out=`` for the arithmetic ops) plus a bump of the version counter
  that ``t`` shares with its base and views (Note [Views and versions] in tensor.py).
* With a graph: in-place on a leaf that requires grad (or a view of one) raises PyTorch's
  error. Otherwise ``op`` runs out of place on a snapshot of ``t`` (a copy of its values that
  holds ``t``'s old place in the graph), the result is written into ``t``, and ``t`` takes the
  result's place in the graph: its ``grad_fn`` becomes the result's.
* When ``t`` is a view, the write changes its base too, so the base gets a new ``grad_fn``,
  ``CopySlices``: the gradient of the base's old value is the incoming gradient with the
  view's region zeroed, and the gradient of the written values is the incoming gradient read
  through the view. The view's own ``grad_fn`` is then recomputed from the base by replaying
  the view functions recorded in ``_view_of``.
"""
import numpy as np

from .. import dtypes as _dt
from ._common import (Node, Tensor, binary_operands, device_mismatch, make, on_device, record,
                      state)
from ..device import CPU
from .index import (_Split, _index_error, _normalize, _put_label, _read, _write, put_index,
                    setitem_shape_error, values_array)


def _title(d):
    from .pointwise import _TITLES
    return _TITLES[d.name]


def check_inplace(t):
    """PyTorch's errors for in-place ops on leaves that require grad (grad mode on)."""
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError('a leaf Variable that requires grad is being used in an in-place '
                           'operation.')
    base = t._base
    if t._view_of is not None and base.grad_fn is None and base._requires_grad:
        raise RuntimeError('a view of a leaf Variable that requires grad is being used in an '
                           'in-place operation.')


def _check_cast(result_dtype, t):
    if result_dtype is not t._dtype and not _dt.can_cast(result_dtype, t._dtype):
        raise RuntimeError(f"result type {_title(result_dtype)} can't be cast to the desired "
                           f'output type {_title(t._dtype)}')


def _overlap_error(t, a=None):
    """PyTorch's error for writing into a tensor whose elements share memory (an ``expand``
    result, array ``a`` if given), or None when there is no such overlap.

    NumPy makes expanded arrays read-only, so such writes fail there and this check costs
    nothing until then. PyTorch allows the writes that are well defined (``fill_``, and writes
    into a part without overlap): those go through ``_writeable``."""
    a = t._data if a is None else a
    if any(st == 0 and n > 1 for st, n in zip(a.strides, a.shape)):
        return RuntimeError('unsupported operation: more than one element of the written-to tensor '
                            'refers to a single memory location. Please clone() the tensor before '
                            'performing the operation.')
    return None


def _writeable(a):
    """A writeable alias of read-only (expanded) array ``a``."""
    v = a.view()
    v.flags.writeable = True
    return v


def _shape_error(t, shape):
    return RuntimeError(f"output with shape {list(t._data.shape)} doesn't match the broadcast "
                        f'shape {list(shape)}')


def _snapshot(t):
    """A copy of ``t``'s values that stands where ``t`` stood in the graph."""
    old = make(t._data.copy(), t._dtype, t._device)
    old.grad_fn, old._output_nr, old._requires_grad = t.grad_fn, t._output_nr, t._requires_grad
    return old


def _view_chain(t):
    """The graph base of view ``t`` and the (fn, args) steps that rebuild ``t`` from it."""
    steps = []
    v = t
    while v._view_of is not None:
        parent, fn, args = v._view_of
        steps.append((fn, args))
        v = parent
    steps.reverse()
    return v, steps


def _replay(base, steps):
    v = base
    for fn, args in steps:
        v = fn(v, *args)
    return v


class CopySlices(Node):
    """In-place write into a view: see Note [In-place autograd]."""
    __slots__ = ('steps', 'has_value')

    def name(self):
        return 'torch::autograd::CopySlices'

    def backward(self, g):
        if state.enabled:  # create_graph: zero the view's region differentiably
            from .pointwise import where
            keep = make(g._device._backend.xp.ones(g._data.shape, dtype=bool), _dt.bool,
                        g._device)
            with _no_grad():
                _replay(keep, self.steps)._data[...] = False
            gb = where(keep, g, 0.)
        else:
            gb = g.clone()
            with _no_grad():
                _replay(gb, self.steps)._data[...] = 0
        gv = _replay(g, self.steps) if self.has_value else None
        return gb, gv


def _no_grad():
    from ..autograd.grad_mode import no_grad
    return no_grad()


def commit(t, r):
    """Write result ``r`` into ``t`` and give ``t`` (and its base, if ``t`` is a view) their
    new place in the graph."""
    _check_cast(r._dtype, t)
    if r._data.shape != t._data.shape:
        shape = _broadcast_shape(r._data.shape, t._data.shape)
        if shape != t._data.shape:
            raise _shape_error(t, shape)
    try:
        t._data[...] = r._data
    except ValueError:
        raise _overlap_error(t) or _shape_error(t, r._data.shape) from None
    t._vc[0] += 1
    if not r._requires_grad:
        return t
    if t._view_of is None:
        node = r.grad_fn
        t.grad_fn, t._output_nr, t._requires_grad = node, r._output_nr, True
        out = getattr(node, '_out', None)
        if out is not None and out[0] is r._data:  # the op saved its output: now it is ``t``
            node._out = (t._data, t._dtype, t._device, t._vc, t._vc[0])
        return t
    base, steps = _view_chain(t)
    node = CopySlices()
    node.steps, node.has_value = steps, True
    record(node, make(base._data, base._dtype, base._device), base, r)
    base.grad_fn, base._output_nr, base._requires_grad = node, 0, True
    view = _replay(base, steps)
    t.grad_fn, t._output_nr, t._requires_grad = view.grad_fn, view._output_nr, True
    return t


def _broadcast_shape(a, b):
    """The broadcast of shapes ``a`` and ``b``, or ``a`` when they do not broadcast."""
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return a


def _needs_graph(t, args):
    if not state.enabled:
        return False
    if t._requires_grad:
        return True
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def apply_inplace(t, fn, args=(), kwargs=None):
    """``t`` takes the values (and graph place) of ``fn(t, *args, **kwargs)``."""
    kwargs = kwargs or {}
    if not _needs_graph(t, args):
        prev = state.enabled
        state.enabled = False
        try:
            r = fn(t, *args, **kwargs)
        finally:
            state.enabled = prev
        return commit(t, r)
    check_inplace(t)
    return commit(t, fn(_snapshot(t), *args, **kwargs))


def inplace_of(fn, name):
    """The in-place method ``name`` (e.g. ``exp_``) of out-of-place op ``fn``."""
    def method(self, *args, **kwargs):
        return apply_inplace(self, fn, args, kwargs)
    method.__name__ = name
    method.__doc__ = f'In-place version of :meth:`{fn.__name__}`: ``self`` takes the result.'
    return method


def _arith_inplace(ufunc, fn, name):
    """Fast in-place arithmetic: one ufunc call with ``out=`` when no graph is recorded."""
    def method(self, other, *, alpha=1, **kwargs):
        if kwargs:  # div_(other, rounding_mode=...): the general path
            if alpha != 1:
                kwargs['alpha'] = alpha
            return apply_inplace(self, fn, (other,), kwargs)
        if _needs_graph(self, (other,)):
            check_inplace(self)
            kw = {'alpha': alpha} if alpha != 1 else {}
            return commit(self, fn(_snapshot(self), other, **kw))
        moved, x, y, dt, tb = binary_operands(self, other)
        if moved is not self:  # a 0-d CPU tensor cannot take another device's result
            raise device_mismatch(self, other)
        if ufunc is np.true_divide and not dt.is_floating_point:
            dt = _dt.get_default_dtype()
        _check_cast(dt, self)
        if alpha != 1:
            from .arithmetic import times_alpha
            y = times_alpha(y, alpha, dt)
        out = self._data
        try:
            (ufunc if self._device is CPU else on_device(ufunc, self._device))(
                out, y, out=out, casting='unsafe')
        except ValueError:
            raise _overlap_error(self) or _shape_error(
                self, _broadcast_shape(getattr(y, 'shape', ()), out.shape)) from None
        self._vc[0] += 1
        return self
    method.__name__ = name
    method.__doc__ = f'In-place version of :meth:`{fn.__name__}`: ``self`` takes the result.'
    return method


def setitem(self, idx, value):
    """``self[idx] = value`` (a tensor or number, broadcast, cast to ``self``'s dtype).

    Example::

        >>> x = flambeau.zeros(3)
        >>> x[1:] = flambeau.tensor([1., 2.])
        >>> x
        tensor([0., 1., 2.])
    """
    norm, basic = _normalize(self, idx)
    if not _needs_graph(self, (value,)):
        try:
            _write(self._data, norm, values_array(self, value, None))
        except IndexError as e:
            raise _index_error(self, norm, e) from None
        except ValueError:
            if not self._data.flags.writeable and _basic_write(self, norm, value):
                self._vc[0] += 1
                return
            overlap = _overlap_error(self)
            if overlap is not None:
                raise overlap from None
            raise setitem_shape_error(self, norm, basic, value) from None
        self._vc[0] += 1
        return
    if self.grad_fn is None and self._requires_grad and \
            _put_label(norm) == 'torch::autograd::CopySlices':
        raise RuntimeError('a view of a leaf Variable that requires grad is being used in an '
                           'in-place operation.')  # PyTorch writes through x[idx], a view
    check_inplace(self)
    commit(self, put_index(_snapshot(self), norm, basic, value))


def _basic_write(t, norm, value):
    """``t[norm] = value`` into an expanded ``t`` when the written part has no overlap."""
    if type(norm) is _Split or any(type(i) is not int and type(i) is not slice and
                                   i is not None and i is not Ellipsis for i in norm):
        return False
    if _overlap_error(t, _read(t._data, norm)) is not None:
        return False
    try:
        _writeable(t._data)[norm] = values_array(t, value, None)
    except ValueError:
        return False
    return True


def copy_(self, src, non_blocking=False):
    """Copy the values of ``src`` (broadcast, cast, moved across devices) into ``self``.

    Example::

        >>> x = flambeau.zeros(2, 2)
        >>> x.copy_(flambeau.tensor([1., 2.]))
        tensor([[1., 2.],
                [1., 2.]])
    """
    if not isinstance(src, Tensor):
        raise TypeError(f'copy_(): argument \'src\' (position 1) must be Tensor, not '
                        f'{type(src).__name__}')
    if not _needs_graph(self, (src,)):
        data = src._data
        if src._device is not self._device:
            if src._device.type != 'cpu':
                data = src._device._backend.to_host(data)
            if self._device.type != 'cpu':
                data = self._device._backend.from_host(np.ascontiguousarray(data),
                                                       self._device.index)
        try:
            self._data[...] = data
        except ValueError:
            n = self._data.shape[-1] if self._data.ndim else 1
            raise _overlap_error(self) or RuntimeError(
                f'The size of tensor a ({n}) must match the size of tensor b ({data.shape[-1]}) '
                f'at non-singleton dimension {max(self._data.ndim - 1, 0)}') from None
        self._vc[0] += 1
        return self
    check_inplace(self)
    r = src.to(self._dtype).to(self._device)
    if r._data.shape != self._data.shape:
        r = r.expand(self._data.shape)
    return commit(self, r)


def fill_(self, value):
    """Fill ``self`` with ``value`` (a number or a 0-d tensor).

    Example::

        >>> flambeau.zeros(2).fill_(3)
        tensor([3., 3.])
    """
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f'fill_ only supports 0-dimension value tensor but got tensor with '
                               f'{value._data.ndim} dimensions.')
        if _needs_graph(self, (value,)):
            check_inplace(self)
            return commit(self, (_snapshot(self) * 0 + value).to(self._dtype))
        value = value.item()
    if _needs_graph(self, ()):
        check_inplace(self)
        return commit(self, _snapshot(self) * 0 + value)
    from ._common import checked_scalar, as_number
    v = checked_scalar(as_number(value), self._dtype)
    try:
        self._data.fill(v)
    except ValueError:
        _writeable(self._data).fill(v)  # an expanded tensor: PyTorch fills it too
    self._vc[0] += 1
    return self


def zero_(self):
    """Fill ``self`` with zeros.

    Example::

        >>> flambeau.ones(2).zero_()
        tensor([0., 0.])
    """
    if not (state.enabled and self._requires_grad):  # `w.grad.zero_()` in every training loop
        try:
            self._data.fill(0)
        except ValueError:
            _writeable(self._data).fill(0)  # an expanded tensor: PyTorch fills it too
        self._vc[0] += 1
        return self
    return fill_(self, 0)
