"""``Tensor``: an array on a device with a dtype, and its place in the autograd graph.

This file holds the tensor's state, attributes, conversions to Python and NumPy, printing and
the autograd entry points. No math lives here: operator methods (``+``, ``x.exp()``) are the
functions of ``flambeau/ops``, bound onto the class by ``flambeau/_tensor_methods.py``.

Note [Views and versions]: a view (``view``, slicing, ``transpose`` ...) holds a NumPy view of
its base's array, so writes through one are seen through the other. Base and views share one
version counter (``_vc``, a one-element list) that every in-place op bumps; a tensor saved for
backward remembers the version it had (see Note [Saved tensors] in autograd/node.py). ``_base``
is the tensor that owns the memory and ``_view_of`` = (parent, view function, args) says how to
recompute the view from its parent, which in-place autograd on views needs
(see Note [In-place autograd] in ops/inplace.py, and Note [Stale views] in autograd/node.py
for a view whose base is written after the view was taken).
"""
import warnings

import numpy as np

from . import dtypes as _dt
from .autograd import backward as _autograd_backward
from .autograd import grad_mode
from .autograd.engine import run_backward as _run_backward
from .autograd.node import (_TYPE_NAMES, AccumulateGrad, InferenceTensorError,
                            InferenceVersion, RetainGradHook, TensorHook, _RemovableHandle,
                            refresh_view)
from .device import CPU, canonical

_state = grad_mode.state
_new = object.__new__
_ONES = {}  # (shape, numpy dtype) -> a ones array, copied as the implicit gradient of backward()
_FLOAT_NAMES = {}
# C++ names of dtypes, as some of PyTorch's messages spell them
_C_TYPE = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
           'bfloat16': 'c10::BFloat16', 'int64': 'long int', 'int32': 'int', 'int16': 'short int',
           'int8': 'signed char', 'uint8': 'unsigned char', 'bool': 'bool'}


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``torch.Size([2, 3])``.

    Example::

        >>> flambeau.zeros(2, 3).shape
        torch.Size([2, 3])
    """
    __slots__ = ()

    def __repr__(self):
        return f'torch.Size([{", ".join(str(s) for s in self)}])'

    def numel(self):
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    """A multi-dimensional array with a dtype and a device that can record the operations
    applied to it for automatic differentiation.

    ``Tensor(2, 3)`` creates an uninitialised float tensor; ``Tensor([1, 2])`` one with the
    given values in the default dtype. Prefer :func:`flambeau.tensor` and the creation functions.

    Example::

        >>> x = flambeau.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([[2., 4.],
                [6., 8.]])
    """
    __slots__ = ('_data', '_dtype', '_device', '_requires_grad', 'grad_fn', '_output_nr', '_vc',
                 '__dict__', '__weakref__')
    # Rarely-set state lives in __dict__, with these defaults, so creating a tensor stays cheap.
    _grad = None
    _base = None
    _view_of = None
    _grad_acc = None
    _retains_grad = False
    _hooks = None
    __array_priority__ = 1000  # numpy scalars and arrays defer to our reflected operators

    def __init__(self, *args, device=None):
        from .ops.creation import _tensor_ctor
        t = _tensor_ctor(args, device)
        self._data, self._dtype, self._device = t._data, t._dtype, t._device
        self._requires_grad = False
        self.grad_fn = None
        self._output_nr = 0
        self._vc = t._vc

    @staticmethod
    def _make(data, dtype, device, requires_grad=False):
        """Wrap a backend array (fast path used by every op; ``data`` must be an array of
        ``device``'s backend with ``dtype.numpy``)."""
        t = _new(Tensor)
        if type(data) is not np.ndarray and isinstance(data, np.generic):
            data = np.asarray(data)  # NumPy returns scalars from 0-d work: keep arrays only
        t._data = data
        t._dtype = dtype
        t._device = device
        t._requires_grad = requires_grad
        t.grad_fn = None
        t._output_nr = 0
        t._vc = [0] if not _state.inference else InferenceVersion((0,))
        return t

    # -- attributes -------------------------------------------------------------------------
    @property
    def shape(self):
        """The size of each dimension, a :class:`Size`."""
        return Size(self._data.shape)

    def size(self, dim=None):
        """``Size`` of the tensor, or the size of dimension ``dim``.

        Example::

            >>> flambeau.zeros(2, 3).size(-1)
            3
        """
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim_sized(dim)]

    @property
    def dtype(self):
        """The element type, e.g. ``torch.float32``."""
        return self._dtype

    @property
    def device(self):
        """The device the data lives on, e.g. ``device(type='cpu')``."""
        return self._device

    @property
    def ndim(self):
        """The number of dimensions (same as ``dim()``)."""
        return self._data.ndim

    def dim(self):
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self):
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self):
        """The size in bytes of one element."""
        return self._dtype.itemsize

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self._data.size * self._dtype.itemsize

    def stride(self, dim=None):
        """The step in elements between consecutive entries of each dimension.

        Example::

            >>> flambeau.zeros(2, 3).stride()
            (3, 1)
        """
        a = self._data
        if a.size:
            size = self._dtype.itemsize
            strides = tuple(s // size for s in a.strides)
        else:  # NumPy gives empty arrays zero strides; PyTorch those of a contiguous tensor
            strides, n = [], 1
            for s in reversed(a.shape):
                strides.append(n)
                n *= max(s, 1)
            strides = tuple(reversed(strides))
        if dim is None:
            return strides
        return strides[self._wrap_dim_sized(dim)]

    def storage_offset(self):
        """The offset in elements of this tensor's first element from its base's first."""
        base = self._base
        if base is None:
            return 0
        b = base._data.__array_interface__['data'][0]
        return (self._data.__array_interface__['data'][0] - b) // self._dtype.itemsize

    def data_ptr(self):
        """The address of the first element."""
        a = self._data
        iface = getattr(a, '__array_interface__', None)  # NumPy arrays (any device's stand-in)
        return iface['data'][0] if iface is not None else int(a.data.ptr)

    def is_contiguous(self, memory_format=None):
        """True if the elements are laid out densely in row-major order (or in the order of
        ``memory_format``, e.g. ``flambeau.channels_last``)."""
        if memory_format is None:
            return self._data.flags.c_contiguous
        from .ops.convert import is_contiguous_as
        return is_contiguous_as(self._data, memory_format)

    def is_floating_point(self):
        """True for float16, bfloat16, float32 and float64 tensors."""
        return self._dtype.is_floating_point

    def is_complex(self):
        return False

    def is_signed(self):
        return self._dtype.is_signed

    @property
    def is_cuda(self):
        return self._device.type == 'cuda'

    @property
    def is_cpu(self):
        return self._device.type == 'cpu'

    @property
    def is_meta(self):
        return False

    @property
    def is_sparse(self):
        return False

    @property
    def is_quantized(self):
        return False

    @property
    def layout(self):
        return 'torch.strided'

    def get_device(self):
        """The CUDA device index, or -1 on the CPU."""
        return -1 if self._device.type == 'cpu' else self._device.index

    def _wrap_dim(self, dim):
        n = self._data.ndim
        m = n if n else 1
        if not -m <= dim < m:
            raise IndexError(f'Dimension out of range (expected to be in range of [{-m}, {m - 1}], '
                             f'but got {dim})')
        return dim + n if dim < 0 else dim

    def _wrap_dim_sized(self, dim):
        """``_wrap_dim`` for ``size(dim)``/``stride(dim)``, which a 0-d tensor has none of."""
        if not self._data.ndim:
            raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
        return self._wrap_dim(dim)

    def _host(self):
        """This tensor's values as a NumPy array (the same memory on the CPU)."""
        if self._device is CPU:
            return self._data
        return self._device._backend.to_host(self._data)

    # -- autograd state ----------------------------------------------------------------------
    @property
    def requires_grad(self):
        """True if gradients need to be computed for this tensor."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._set_requires_grad(bool(value), 'only Tensors of floating point and complex dtype '
                                             'can require gradients')

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place on a leaf tensor; returns the tensor.

        Example::

            >>> w = flambeau.zeros(3).requires_grad_()
            >>> w.requires_grad
            True
        """
        if type(requires_grad) is not bool:
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be "
                            f'bool, not {type(requires_grad).__name__}')
        return self._set_requires_grad(requires_grad, 'only Tensors of floating point dtype can '
                                                      'require gradients')

    def _set_requires_grad(self, requires_grad, dtype_error):
        """``requires_grad_`` with the error text of the caller (PyTorch words it differently
        for the method, the attribute and the ``requires_grad=`` of creation functions)."""
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                               "want to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if requires_grad and not self._dtype.is_floating_point:
            raise RuntimeError(dtype_error)
        if requires_grad and type(self._vc) is InferenceVersion and not _state.inference:
            raise RuntimeError('Setting requires_grad=True on inference tensor outside '
                               'InferenceMode is not allowed.')
        self._requires_grad = requires_grad
        return self

    def is_inference(self):
        """True for an inference tensor: one created inside ``inference_mode()`` (or a view
        of one).

        Example::

            >>> with flambeau.inference_mode():
            ...     x = flambeau.ones(2)
            >>> x.is_inference(), flambeau.ones(2).is_inference()
            (True, False)
        """
        return type(self._vc) is InferenceVersion

    @property
    def is_leaf(self):
        """True for tensors that no recorded operation produced (their ``grad_fn`` is None)."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient accumulated by ``backward()`` (leaves and ``retain_grad`` tensors)."""
        if self.grad_fn is not None and not self._retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access "
                "the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                "information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad expected to be a Tensor or None but got grad of '
                                f'type {type(value).__name__}')
            if value._dtype is not self._dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_TYPE[value._dtype.name]}' to "
                    f"a tensor with grad_dtype '{_TYPE_NAMES[self._dtype.name]}'. The gradient "
                    "must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    'any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and '
                    'its gradient may break downstream systems that assume they match.')
            if value._device != self._device:
                raise RuntimeError('assigned grad has data located on a different device')
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'{list(value._data.shape)}' to a tensor of size "
                                   f"'{list(self._data.shape)}'. Please ensure that the gradient "
                                   'and the tensor are the same size')
        self._grad = value

    @property
    def _version(self):
        """How many times this tensor (or a view of its memory) was modified in place."""
        try:
            return self._vc[0]
        except InferenceTensorError:
            raise RuntimeError('Inference tensors do not track version counter.') from None

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def retains_grad(self):
        """True if ``retain_grad()`` was called on this non-leaf tensor."""
        return self._retains_grad

    def _grad_accumulator(self):
        acc = self._grad_acc
        if acc is None:
            acc = self._grad_acc = AccumulateGrad(self)
        return acc

    def retain_grad(self):
        """Make ``backward()`` fill ``.grad`` for this non-leaf tensor too.

        Example::

            >>> x = flambeau.tensor([1., 2.], requires_grad=True)
            >>> y = x * 3
            >>> y.retain_grad()
            >>> y.sum().backward()
            >>> y.grad
            tensor([1., 1.])
        """
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self.grad_fn._add_prehook(RetainGradHook(self, self._output_nr))
        self._retains_grad = True

    def register_hook(self, hook):
        """Register ``hook(grad)`` to run when the gradient of this tensor is computed; it may
        return a new gradient to use instead. Returns a handle with ``remove()``.

        Example::

            >>> x = flambeau.tensor([1., 2.], requires_grad=True)
            >>> h = x.register_hook(lambda g: g * 2)
            >>> x.sum().backward()
            >>> x.grad
            tensor([2., 2.])
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self.grad_fn if self.grad_fn is not None else self._grad_accumulator()
        return node._add_prehook(TensorHook(hook, self._output_nr))

    def register_post_accumulate_grad_hook(self, hook):
        """Register ``hook(tensor)`` to run on this leaf after ``backward()`` has accumulated
        its gradient into ``.grad`` (e.g. to step an optimizer per parameter). Returns a handle
        with ``remove()``.

        Example::

            >>> w = flambeau.tensor([1., 2.], requires_grad=True)
            >>> h = w.register_post_accumulate_grad_hook(lambda p: print(p.grad))
            >>> (w * w).sum().backward()
            tensor([2., 4.])
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError('post accumulate grad hooks cannot be registered on non-leaf '
                               'tensors')
        acc = self._grad_accumulator()
        hooks = acc._post_hooks
        if hooks is None:
            hooks = acc._post_hooks = []
        hooks.append(hook)
        return _RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph leaves and add it into
        their ``.grad``. A non-scalar tensor needs ``gradient`` (the vector of the
        vector-Jacobian product).

        Example::

            >>> x = flambeau.tensor(2., requires_grad=True)
            >>> (x ** 3).backward()
            >>> x.grad
            tensor(12.)
        """
        fn = self.grad_fn
        if gradient is None and inputs is None and fn is not None and not create_graph:
            # the common ``loss.backward()``: straight to the engine
            a = self._data
            if a.size != 1:
                raise RuntimeError('grad can be implicitly created only for scalar outputs')
            if self._vc[0]:
                refresh_view(self)
                fn = self.grad_fn
            key = (a.shape, a.dtype)
            one = _ONES.get(key)
            if one is None or self._device is not CPU:
                one = self._device._backend.xp.ones(a.shape, a.dtype)
                if self._device is CPU:
                    _ONES[key] = one
            g = _make(one.copy(), self._dtype, self._device)
            _run_backward(((fn, self._output_nr),), (g,), bool(retain_graph), False)
            return
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing this one's data (and version counter) that is not part of the
        graph and does not require grad."""
        t = Tensor._make(self._data, self._dtype, self._device)
        t._vc = self._vc
        t._base = self if self._base is None else self._base
        return t

    def detach_(self):
        """Detach this tensor from the graph in place: it becomes a leaf."""
        if self._view_of is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are "
                               'using DistributedDataParallel (DDP) for training, and '
                               'gradient_as_bucket_view is set as True, gradients are views of DDP '
                               'buckets, and hence detach_() cannot be called on these gradients. '
                               'To fix this error, please refer to the Optimizer.zero_grad() '
                               'function in torch/optim/optimizer.py as the solution.')
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """A tensor sharing this one's data, outside the graph (like ``detach()``, but changes
        made through it are not tracked by the version counter)."""
        t = Tensor._make(self._data, self._dtype, self._device)
        return t

    @data.setter
    def data(self, value):
        self._data = value._data
        self._dtype = value._dtype
        self._device = value._device

    # -- conversions to Python and NumPy -------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number.

        Example::

            >>> flambeau.tensor([[3.5]]).item()
            3.5
        """
        if self._data.size != 1:
            raise RuntimeError(f'a Tensor with {self._data.size} elements cannot be converted to '
                               'Scalar')
        v = self._host().reshape(()).item()
        d = self._dtype
        if d.is_floating_point:
            return float(v)
        return bool(v) if d is _dt.bool else int(v)

    def tolist(self):
        """The values as (nested) Python lists of numbers.

        Example::

            >>> flambeau.tensor([[1, 2], [3, 4]]).tolist()
            [[1, 2], [3, 4]]
        """
        a = self._host()
        if self._dtype.is_floating_point and a.dtype != np.float64 and a.dtype != np.float32:
            a = a.astype(np.float32)
        return a.tolist()

    def numpy(self, *, force=False):
        """A NumPy array sharing this CPU tensor's memory.

        Raises TypeError for CUDA tensors and RuntimeError for tensors that require grad
        (unless ``force=True``, which copies to the host and detaches).
        """
        if force:
            a = self.detach()._host()
            return a.copy() if self._device is not CPU else a
        if self._device.type != 'cpu':
            raise TypeError(f"can't convert {self._device} device type tensor to numpy. Use "
                            'Tensor.cpu() to copy the tensor to host memory first.')
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               'tensor.detach().numpy() instead.')
        if self._dtype is _dt.bfloat16:
            raise TypeError('Got unsupported ScalarType BFloat16')
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def _scalar_value(self, what):
        if self._data.size != 1:
            raise ValueError('only one element tensors can be converted to Python scalars') \
                if what != 'bool' else RuntimeError(
                'Boolean value of Tensor with more than one value is ambiguous')
        return self._host().reshape(()).item()

    def __float__(self):
        if self._requires_grad:
            warnings.warn('Converting a tensor with requires_grad=True to a scalar may lead to '
                          'unexpected behavior.\nConsider using tensor.detach() first.',
                          UserWarning, stacklevel=2)
        return float(self._scalar_value('float'))

    def __int__(self):
        return int(self._scalar_value('int'))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f'Boolean value of Tensor with '
                               f'{"no values" if self._data.size == 0 else "more than one value"} '
                               'is ambiguous')
        return bool(self._host().reshape(()).item())

    def __index__(self):
        if self._dtype.is_floating_point or self._data.size != 1:
            raise TypeError('only integer tensors of a single element can be converted to an index')
        return int(self._host().reshape(()).item())

    def __complex__(self):
        return complex(self._scalar_value('complex'))

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d tensor')
        return iter(self.unbind(0))

    def __hash__(self):
        return id(self)

    def __contains__(self, element):
        if isinstance(element, (Tensor, int, float, bool)):
            return bool((self == element)._data.any())
        raise RuntimeError(f'Tensor.__contains__ only supports Tensor or scalar, but you passed '
                           f'in a {type(element)}.')

    # -- printing ------------------------------------------------------------------------------
    def __repr__(self):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, format_spec):
        # PyTorch formats a plain 0-d tensor as its number: f'{loss}' prints 5.0, not tensor(5.)
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec) if format_spec else repr(self)

    # -- copying and pickling ------------------------------------------------------------------
    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) support '
                               'the deepcopy protocol at the moment.  If you were attempting to '
                               'deepcopy a module, this may be because of a torch.nn.utils.weight_'
                               'norm usage, see https://github.com/pytorch/pytorch/pull/103001')
        if id(self) in memo:
            return memo[id(self)]
        new = type(self).__new__(type(self))
        Tensor.__init_copy(new, self._data.copy(), self)
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        for k, v in self.__dict__.items():
            if not k.startswith('_'):
                import copy
                new.__dict__[k] = copy.deepcopy(v, memo)
        return new

    @staticmethod
    def __init_copy(new, data, like):
        new._data = data
        new._dtype = like._dtype
        new._device = like._device
        new._requires_grad = like._requires_grad
        new.grad_fn = None
        new._output_nr = 0
        new._vc = [0]

    def __reduce_ex__(self, protocol):
        host = self._host()
        if self._device is CPU:
            host = np.asarray(host, order='C')  # only the viewed elements (keeps 0-d arrays 0-d)
        return (_rebuild_tensor, (host, self._dtype.name, str(self._device), self._requires_grad))


_make = Tensor._make


def _rebuild_tensor(array, dtype_name, device, requires_grad):
    d = canonical(device)
    data = d._backend.from_host(np.array(array, copy=True), d.index)
    t = Tensor._make(data, _dt._by_name(dtype_name), d)
    t._requires_grad = requires_grad
    return t
