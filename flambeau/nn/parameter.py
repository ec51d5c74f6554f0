"""``Parameter``: a tensor that a ``Module`` registers as one of its parameters, and
``Buffer``: a tensor that it registers as a buffer."""
from ..tensor import Tensor, _rebuild_tensor

__all__ = ['Parameter', 'Buffer']

_DTYPE_ERROR = 'Only Tensors of floating point and complex dtype can require gradients'


def _empty():
    from ..ops.creation import empty
    return empty(0)


class Parameter(Tensor):
    """A kind of Tensor that is a module parameter.

    Assigning a ``Parameter`` as an attribute of a :class:`Module` adds it to the module's
    ``parameters()``. It shares memory (and the version counter) with ``data`` and requires
    gradients unless ``requires_grad=False``. Results of operations on a parameter are plain
    Tensors.

    Args:
        data (Tensor): parameter tensor (an empty float tensor if left out).
        requires_grad (bool, optional): if the parameter requires gradient. Default: ``True``

    Example::

        >>> p = flambeau.nn.Parameter(flambeau.ones(2))
        >>> p
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
    """
    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        elif not isinstance(data, Tensor):
            raise TypeError(f'Parameter(): argument \'data\' must be Tensor, not '
                            f'{type(data).__name__}')
        p = object.__new__(cls)
        p._data = data._data
        p._dtype = data._dtype
        p._device = data._device
        p._requires_grad = False
        p.grad_fn = None
        p._output_nr = 0
        p._vc = data._vc
        if requires_grad:
            p._set_requires_grad(True, _DTYPE_ERROR)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return 'Parameter containing:\n' + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        _, args = Tensor.__reduce_ex__(self, protocol)
        return (_rebuild_parameter, args)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = Parameter(Tensor._make(self._data.copy(), self._dtype, self._device),
                        self._requires_grad)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        return new


def _rebuild_parameter(array, dtype_name, device, requires_grad):
    return Parameter(_rebuild_tensor(array, dtype_name, device, False), requires_grad)


class _BufferMeta(type):
    # ``Buffer(t)`` returns a plain Tensor tagged as a buffer; ``isinstance(x, Buffer)`` asks
    # for that tag.
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.__dict__.get('_is_buffer', False)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A kind of Tensor that should not be considered a model parameter: assigning a
    ``Buffer`` as an attribute of a :class:`Module` registers it as one of the module's
    buffers (saved in ``state_dict`` unless ``persistent=False``, moved by ``.to()``).

    ``Buffer(data)`` returns a plain Tensor sharing ``data``'s memory, tagged so that the
    module registers it.

    Example::

        >>> m = flambeau.nn.Module()
        >>> m.running = flambeau.nn.Buffer(flambeau.zeros(2))
        >>> list(m.state_dict())
        ['running']
    """
    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach()
        if data._requires_grad:
            t._requires_grad = True
        t.__dict__['_is_buffer'] = True
        t.__dict__['persistent'] = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass
