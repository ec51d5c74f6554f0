"""Bind the ops of ``flambeau/ops`` onto ``Tensor`` as methods and operators, so that
``x.exp()``, ``x + y`` and ``x[0] = 1`` call the same functions as ``flambeau.exp(x)``.
Binding the functions directly (no wrapper) keeps a method call as cheap as a function call."""
import warnings

from .ops import arithmetic as A
from .ops import convert as C
from .ops import creation
from .ops import index as I
from .ops import inplace as P
from .ops import linalg as L
from .ops import pointwise as E
from .ops import reduce as R
from .ops import shape as S
from .tensor import Tensor


def _reflect(fn):
    def method(self, other):
        return fn(self, other)
    return method


def _swap(fn):
    def method(self, other):
        return fn(other, self)
    return method


def _new_like(fill):
    def method(self, *size, dtype=None, device=None, requires_grad=False, **kwargs):
        return fill(*size, dtype=dtype or self._dtype,
                    device=device if device is not None else self._device,
                    requires_grad=requires_grad)
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
    return creation.full(size, fill_value, dtype=dtype or self._dtype,
                         device=device if device is not None else self._device,
                         requires_grad=requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return creation.tensor(data, dtype=dtype or self._dtype,
                           device=device if device is not None else self._device,
                           requires_grad=requires_grad)


def _matrix_transpose(name):
    def prop(self):
        n = self._data.ndim
        if n == 0:
            warnings.warn(f'Tensor.{name} is deprecated on 0-D tensors. '
                          + ('This function is the identity in these cases.' if name == 'mT'
                             else 'Consider using x.conj().'), UserWarning, stacklevel=2)
            return S.view_as(self, self)
        if n == 1:
            raise RuntimeError(f'tensor.{name} is only supported on matrices or batches of '
                               f'matrices. Got 1-D tensor.')
        return S.transpose(self, -2, -1)
    return prop


def _T(self):
    n = self._data.ndim
    if n == 2:
        return S.permute(self, (1, 0))
    if n == 0:
        warnings.warn('Tensor.T is deprecated on 0-D tensors. This function is the identity in '
                      'these cases.', UserWarning, stacklevel=2)
        return S.view_as(self, self)
    warnings.warn('The use of `x.T` on tensors of dimension other than 2 to reverse their shape is '
                  'deprecated and it will throw an error in a future release. Consider `x.mT` to '
                  'transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` '
                  'to reverse the dimensions of a tensor.', UserWarning, stacklevel=2)
    return S.permute(self, tuple(range(n - 1, -1, -1)))


def _H(self):
    n = self._data.ndim
    if n == 2:
        return S.permute(self, (1, 0))  # no complex dtypes: the conjugate transpose is .T
    if n == 0:
        warnings.warn('Tensor.H is deprecated on 0-D tensors. Consider using x.conj().',
                      UserWarning, stacklevel=2)
        return S.view_as(self, self)
    raise RuntimeError(f'tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor.'
                       + (' For batches of matrices, consider using tensor.mH' if n > 2 else ''))


_METHODS = {
    # arithmetic and operators
    'add': A.add, 'sub': A.sub, 'subtract': A.sub, 'mul': A.mul, 'multiply': A.mul,
    'div': A.div, 'divide': A.div, 'true_divide': A.div, 'floor_divide': A.floor_divide,
    'remainder': A.remainder, 'pow': A.pow,
    '__add__': A.add, '__radd__': _reflect(A.add), '__sub__': A.sub, '__rsub__': A.rsub,
    '__mul__': A.mul, '__rmul__': _reflect(A.mul), '__truediv__': A.div, '__rtruediv__': A.rdiv,
    '__floordiv__': A.floor_divide, '__rfloordiv__': _swap(A.floor_divide),
    '__mod__': A.remainder, '__rmod__': _swap(A.remainder), '__pow__': A.pow,
    '__rpow__': A.rpow, '__matmul__': L.matmul, '__rmatmul__': _swap(L.matmul),
    '__neg__': E.neg, '__pos__': lambda self: self, '__abs__': E.abs,
    '__eq__': E.eq, '__ne__': E.ne, '__lt__': E.lt, '__le__': E.le, '__gt__': E.gt, '__ge__': E.ge,
    '__and__': E.bitwise_and, '__or__': E.bitwise_or, '__xor__': E.bitwise_xor,
    '__rand__': _reflect(E.bitwise_and), '__ror__': _reflect(E.bitwise_or),
    '__rxor__': _reflect(E.bitwise_xor), '__invert__': E.invert,
    '__getitem__': I.getitem, '__setitem__': P.setitem,
    # pointwise
    'neg': E.neg, 'negative': E.neg, 'abs': E.abs, 'absolute': E.abs, 'exp': E.exp, 'log': E.log,
    'sqrt': E.sqrt, 'sin': E.sin, 'cos': E.cos, 'tanh': E.tanh, 'sigmoid': E.sigmoid,
    'relu': E.relu, 'sign': E.sign, 'clamp': E.clamp, 'clip': E.clamp, 'clamp_min': E.clamp_min,
    'clamp_max': E.clamp_max, 'maximum': E.maximum, 'minimum': E.minimum,
    'eq': E.eq, 'ne': E.ne, 'lt': E.lt, 'le': E.le, 'gt': E.gt, 'ge': E.ge, 'equal': E.equal,
    'greater': E.gt, 'greater_equal': E.ge, 'less': E.lt, 'less_equal': E.le,
    'not_equal': E.ne, 'where': lambda self, condition, other: E.where(condition, self, other),
    'logical_not': E.logical_not, 'logical_and': E.logical_and, 'logical_or': E.logical_or,
    'logical_xor': E.logical_xor, 'bitwise_and': E.bitwise_and, 'bitwise_or': E.bitwise_or,
    'bitwise_xor': E.bitwise_xor, 'bitwise_not': E.bitwise_not,
    # reductions
    'sum': R.sum, 'mean': R.mean, 'max': R.max, 'min': R.min, 'amax': R.amax, 'amin': R.amin,
    'argmax': R.argmax, 'argmin': R.argmin, 'sum_to_size': R.sum_to_size,
    # linear algebra
    'matmul': L.matmul, 'mm': L.mm, 'bmm': L.bmm, 'mv': L.mv, 'dot': L.dot,
    # shape
    'view': S.view, 'view_as': S.view_as, 'reshape': S.reshape, 'reshape_as': S.reshape_as,
    'flatten': S.flatten, 'unflatten': S.unflatten, 'transpose': S.transpose,
    'swapaxes': S.transpose, 'swapdims': S.transpose, 't': S.t, 'permute': S.permute,
    'movedim': S.movedim, 'moveaxis': S.movedim, 'squeeze': S.squeeze, 'unsqueeze': S.unsqueeze,
    'expand': S.expand, 'expand_as': S.expand_as, 'broadcast_to': S.broadcast_to,
    'narrow': S.narrow, 'select': S.select, 'unbind': S.unbind, 'split': S.split,
    'chunk': S.chunk,
    # indexing
    'gather': I.gather, 'scatter': I.scatter, 'scatter_add': I.scatter_add,
    'index_put': I.index_put,
    # conversions and copies
    'to': C.to, 'float': C.float, 'double': C.double, 'half': C.half, 'bfloat16': C.bfloat16,
    'long': C.long, 'int': C.int, 'short': C.short, 'char': C.char, 'byte': C.byte,
    'bool': C.bool, 'type': C.type, 'type_as': C.type_as, 'cpu': C.cpu, 'cuda': C.cuda,
    'clone': C.clone, 'contiguous': C.contiguous,
    # in place
    'copy_': P.copy_, 'fill_': P.fill_, 'zero_': P.zero_,
    # creation from a tensor
    'new_zeros': _new_like(creation.zeros), 'new_ones': _new_like(creation.ones),
    'new_empty': _new_like(creation.empty), 'new_full': _new_full, 'new_tensor': _new_tensor,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)

# In-place arithmetic: one ufunc with out= when no graph is recorded (Note [In-place autograd]).
import numpy as _np  # noqa: E402

for _name, _ufunc, _fn in (('add_', _np.add, A.add), ('sub_', _np.subtract, A.sub),
                           ('mul_', _np.multiply, A.mul), ('div_', _np.true_divide, A.div)):
    _m = P._arith_inplace(_ufunc, _fn, _name)
    setattr(Tensor, _name, _m)
    setattr(Tensor, '__i' + _name[:-1] + '__', _m)
Tensor.subtract_, Tensor.multiply_, Tensor.divide_ = Tensor.sub_, Tensor.mul_, Tensor.div_
Tensor.__itruediv__ = Tensor.div_

# Other in-place methods: the out-of-place op, written back (Note [In-place autograd]).
for _name, _fn in (('neg_', E.neg), ('abs_', E.abs), ('exp_', E.exp), ('log_', E.log),
                   ('sqrt_', E.sqrt), ('sin_', E.sin), ('cos_', E.cos), ('tanh_', E.tanh),
                   ('sigmoid_', E.sigmoid), ('relu_', E.relu), ('sign_', E.sign),
                   ('clamp_', E.clamp), ('clip_', E.clamp), ('clamp_min_', E.clamp_min),
                   ('clamp_max_', E.clamp_max), ('pow_', A.pow),
                   ('floor_divide_', A.floor_divide), ('remainder_', A.remainder),
                   ('scatter_', I.scatter), ('scatter_add_', I.scatter_add),
                   ('index_put_', I.index_put), ('bitwise_and_', E.bitwise_and),
                   ('bitwise_or_', E.bitwise_or), ('bitwise_xor_', E.bitwise_xor),
                   ('logical_not_', E.logical_not), ('eq_', E.eq), ('ne_', E.ne),
                   ('lt_', E.lt), ('le_', E.le), ('gt_', E.gt), ('ge_', E.ge)):
    setattr(Tensor, _name, P.inplace_of(_fn, _name))
Tensor.__ipow__ = Tensor.pow_
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__imod__ = Tensor.remainder_
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__ixor__ = Tensor.bitwise_xor_
Tensor.mT = property(_matrix_transpose('mT'))
Tensor.T = property(_T)
Tensor.H = property(_H)
Tensor.mH = property(_matrix_transpose('mH'))

# Ops modules list the methods of their newer ops beside the ops themselves: METHODS
# {name: function} and INPLACE {name_: out-of-place function}.
from .ops import (activation, arithmetic, attention, compare, conv, convert,  # noqa: E402
                  decomp, distance, embedding, index, linalg, loss, normalization, pointwise,
                  pooling, random, rearrange, reduce, resample, rnn, scan, search, shape,
                  sorting, special)

for _mod in (activation, arithmetic, attention, compare, conv, convert, decomp, distance,
             embedding, index, linalg, loss, normalization, pointwise, pooling, random,
             rearrange, reduce, resample, rnn, scan, search, shape, sorting, special):
    for _name, _fn in getattr(_mod, 'METHODS', {}).items():
        setattr(Tensor, _name, _fn)
    for _name, _fn in getattr(_mod, 'INPLACE', {}).items():
        setattr(Tensor, _name, P.inplace_of(_fn, _name))
