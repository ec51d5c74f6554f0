"""Parametrizations: express a parameter or buffer of a module as a function of other tensors
(``module.weight = f(original)``), recomputed on each access.

Note [the class swap]: :func:`register_parametrization` turns ``module.weight`` into a Python
property. A property lives on the class, so the first registration on a module gives it a
class of its own, ``Parametrized<Class>``, a subclass of its class created for this one
module; the property of each parametrized tensor is added to that class. The original
tensors move to ``module.parametrizations.<name>`` (a :class:`ParametrizationList`, under
``original`` or ``original0``, ``original1``, ...), where optimizers and ``state_dict`` find
them. Removing the last parametrization gives the module its class back. This is what PyTorch
does, so ``print(model)`` and ``state_dict`` keys read the same.
"""
import collections.abc
import copyreg
from contextlib import contextmanager
from copy import deepcopy

from ...autograd import grad_mode
from ...tensor import Tensor
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized',
           'remove_parametrizations', 'type_before_parametrizations',
           'transfer_parametrizations_and_params']

_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    """A context manager in which each parametrized tensor is computed once, on its first
    access, and the result reused until the (outermost) context exits: worth it when a
    parametrized weight is read several times per forward, as in a recurrent network.

    Example::

        >>> with parametrize.cached():
        ...     output = model(inputs)
    """
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, x):
    if isinstance(x, Parameter):
        module.register_parameter(name, x)
    else:
        module.register_buffer(name, x)


def _maybe_set(dest, src):
    # PyTorch's ``dest.set_(src)``: ``dest`` (same object, so optimizers keep tracking it)
    # now holds ``src``'s data
    dest.data = src
    vc = dest._vc
    if type(vc) is list:
        vc[0] += 1


class ParametrizationList(ModuleList):
    r"""The parametrizations of one tensor of a parametrized module, and its original
    value(s): ``module.parametrizations.weight`` after
    ``register_parametrization(module, 'weight', ...)``.

    It holds ``original`` (the unparametrized tensor) when the first parametrization's
    ``right_inverse`` returns one tensor (or is missing), or ``original0``, ``original1``,
    ... when it returns a sequence of tensors. Calling it evaluates the parametrizations in
    order. Build it through :func:`register_parametrization`, not by hand.

    Args:
        modules (sequence): the parametrizations (at least one).
        original (Parameter or Tensor): the tensor being parametrized.
        unsafe (bool): whether the parametrization may change the tensor's dtype and shape.
            Default: ``False``
    """

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError('ParametrizationList requires one or more modules.')
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with grad_mode.no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, 'right_inverse'):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, collections.abc.Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                             f'(list, tuple...). Got {type(new).__name__}')
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the '
                                 f'dtype.\noriginal.dtype: {original.dtype}\n'
                                 f'right_inverse(original).dtype: {new.dtype}')
            if original.device != new.device:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the '
                                 f'device.\noriginal.device: {original.device}\n'
                                 f'right_inverse(original).device: {new.device}')
            # ``original`` keeps its identity, so it need not be registered with the optimizer
            # again
            with grad_mode.no_grad():
                if new is not original:
                    _maybe_set(original, new)
            _register_parameter_or_buffer(self, 'original', original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of "
                                     f'tensors (list, tuple...). Got element {i} of the '
                                     f'sequence with type {type(originali).__name__}.')
                # the new tensors are new parameters: the user adds them to the optimizer
                if isinstance(original, Parameter):
                    originali = Parameter(originali, original.requires_grad)
                originali.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f'original{i}', originali)
        if not self.unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got '
                                 f'{type(z).__name__}.')
            if z.dtype != original_dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the '
                                 'tensor, unless `unsafe` flag is enabled.\n'
                                 f'unparametrized dtype: {original_dtype}\n'
                                 f'parametrized dtype: {z.dtype}')
            if z.shape != original_shape:
                raise ValueError('Registering a parametrization may not change the shape of the '
                                 'tensor, unless `unsafe` flag is enabled.\n'
                                 f'unparametrized shape: {original_shape}\n'
                                 f'parametrized shape: {z.shape}')

    def right_inverse(self, value):
        """Set the original tensor(s) so that the parametrized tensor becomes ``value``: the
        ``right_inverse`` of each parametrization, last first. This runs on
        ``module.weight = value``.
        """
        with grad_mode.no_grad():
            for module in reversed(self):
                if not hasattr(module, 'right_inverse'):
                    raise RuntimeError(f'parametrization {type(module).__name__} does not '
                                       'implement right_inverse.')
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError('`right_inverse` should return a tensor. Got '
                                     f'{type(value).__name__}')
                if value.dtype != self.original.dtype:
                    raise ValueError(f'The tensor returned by `right_inverse` has dtype '
                                     f'{value.dtype} while `original` has dtype '
                                     f'{self.original.dtype}')
                _maybe_set(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError("'right_inverse' must return a sequence of tensors. Got "
                                 f'{type(value).__name__}.')
            if len(value) != self.ntensors:
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f'{self.ntensors}. Got a sequence of length {len(value)}.')
            for i, tensor in enumerate(value):
                original_i = getattr(self, f'original{i}')
                if not isinstance(tensor, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors or "
                                     f'reference-type opaques. Got element {i} of type '
                                     f'{type(tensor).__name__}.')
                if original_i.dtype != tensor.dtype:
                    raise ValueError(f'Tensor {i} returned by `right_inverse` has dtype '
                                     f'{tensor.dtype} while `original{i}` has dtype '
                                     f'{original_i.dtype}')
                _maybe_set(original_i, tensor)

    def forward(self):
        """The parametrized tensor: the parametrizations applied to the original(s)."""
        mods = self._modules
        if self.is_tensor:
            x = mods['0'](self.original)
        else:
            x = mods['0'](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        i = 1
        while str(i) in mods:
            x = mods[str(i)](x)
            i += 1
        return x


def _default_deepcopy(self, memo):
    # the usual deepcopy of an object, spelled out: the parametrized class forbids pickling
    # (``__getstate__``), which ``copy.deepcopy`` would otherwise go through
    obj = memo.get(id(self))
    if obj is not None:
        return obj
    replica = self.__new__(self.__class__)
    memo[id(self)] = replica
    replica.__dict__ = deepcopy(self.__dict__, memo)
    for slot in copyreg._slotnames(self.__class__):
        if hasattr(self, slot):
            setattr(replica, slot, deepcopy(getattr(self, slot), memo))
    return replica


def _parametrized_getstate(self):
    raise RuntimeError('Serialization of parametrized modules is only supported through '
                       'state_dict(). See:\nhttps://pytorch.org/tutorials/beginner/'
                       'saving_loading_models.html#saving-loading-a-general-checkpoint-for-'
                       'inference-and-or-resuming-training')


def _inject_new_class(module):
    """Give ``module`` its own subclass ``Parametrized<Class>`` (Note [the class swap])."""
    cls = module.__class__
    dct = {'__getstate__': _parametrized_getstate}
    if not hasattr(cls, '__deepcopy__'):
        dct['__deepcopy__'] = _default_deepcopy
    module.__class__ = type(f'Parametrized{cls.__name__}', (cls,), dct)


class _ParametrizedAccess:
    """The getter and setter of the property ``module.<name>``: the getter evaluates
    ``module.parametrizations[name]`` (once per :func:`cached` context), the setter runs its
    ``right_inverse``."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def get(self, module):
        parametrization = module.parametrizations[self.name]
        if not _cache_enabled:
            return parametrization()
        key = (id(module), self.name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set(self, module, value):
        module.parametrizations[self.name].right_inverse(value)


def _inject_property(module, tensor_name):
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")
    access = _ParametrizedAccess(tensor_name)
    setattr(module.__class__, tensor_name, property(access.get, access.set))


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    r"""Register ``parametrization`` (a module) on the tensor ``tensor_name`` of ``module``:
    from now on ``module.<tensor_name>`` returns ``parametrization(original)``, computed on
    each access (see :func:`cached`).

    The original tensor moves to ``module.parametrizations[tensor_name].original``, keeping
    its identity. If ``parametrization`` has a ``right_inverse(X)`` method, the original is
    set to ``right_inverse(X)`` at registration (``X`` the current value), and assigning
    ``module.<tensor_name> = Y`` sets it to ``right_inverse(Y)``; a ``right_inverse`` that
    returns a sequence of tensors creates ``original0``, ``original1``, ... (new parameters:
    add them to the optimizer) and ``forward`` then takes them as separate arguments.
    Registering on an already parametrized tensor appends to its list of parametrizations,
    applied in order. The module's class becomes ``Parametrized<Class>``.

    Unless ``unsafe=True``, the parametrization may not change the tensor's shape or dtype.

    Args:
        module (Module): the module holding the parameter or buffer.
        tensor_name (str): name of the parameter, buffer or parametrized tensor.
        parametrization (Module): the parametrization.

    Keyword args:
        unsafe (bool): skip the shape and dtype consistency checks. Default: ``False``

    Returns:
        ``module``.

    Example::

        >>> class Symmetric(flambeau.nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).T
        >>> m = flambeau.nn.Linear(5, 5)
        >>> _ = register_parametrization(m, 'weight', Symmetric())
        >>> bool((m.weight == m.weight.T).all())
        True
        >>> type(m).__name__
        'ParametrizedLinear'
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got '
                                 f'{type(x).__name__}.')
            if x.dtype != y.dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the '
                                 'tensor, unless the `unsafe` flag is enabled.\n'
                                 f'module.{tensor_name}.dtype: {y.dtype}\n'
                                 f'parametrization(module.{tensor_name}).dtype: {x.dtype}')
            if x.shape != y.shape:
                raise ValueError('Registering a parametrization may not change the shape of the '
                                 'tensor, unless the `unsafe` flag is enabled.\n'
                                 f'module.{tensor_name}.shape: {y.shape}\n'
                                 f'parametrization(module.{tensor_name}).shape: {x.shape}')
            if hasattr(parametrization, 'right_inverse'):
                try:
                    z = parametrization.right_inverse(x)
                except NotImplementedError:
                    pass
                else:
                    if not isinstance(z, Tensor):
                        raise ValueError('parametrization.right_inverse must return a tensor. '
                                         f'Got: {type(z).__name__}')
                    if z.dtype != y.dtype:
                        raise ValueError(
                            'The tensor returned by parametrization.right_inverse must have the '
                            f'same dtype as module.{tensor_name}, unless the `unsafe` flag is '
                            f'enabled.\nmodule.{tensor_name}.dtype: {y.dtype}\n'
                            f'returned dtype: {z.dtype}')
                    if z.shape != y.shape:
                        raise ValueError(
                            'The tensor returned by parametrization.right_inverse must have the '
                            f'same shape as module.{tensor_name}, unless the `unsafe` flag is '
                            f'enabled.\nmodule.{tensor_name}.shape: {y.shape}\n'
                            f'returned shape: {z.shape}')
        plist = module.parametrizations[tensor_name]
        plist.append(parametrization)
        plist.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        # built first: it checks the parametrization before the module is touched
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = plist
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has a parametrization (on ``tensor_name``, or on any tensor when
    ``tensor_name`` is ``None``).

    Example::

        >>> is_parametrized(flambeau.nn.Linear(2, 2))
        False
    """
    parametrizations = getattr(module, 'parametrizations', None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Remove the parametrizations of ``module.<tensor_name>``: it becomes a plain parameter
    (or buffer) again, holding the current parametrized value (``leave_parametrized=True``)
    or the original one. When the original was a single tensor it keeps its identity, so an
    optimizer tracking it keeps working. The module gets its class back once nothing is
    parametrized.

    Args:
        module (Module): the parametrized module.
        tensor_name (str): name of the parametrized tensor.
        leave_parametrized (bool, optional): keep the parametrized value rather than the
            original one. Default: ``True``

    Returns:
        ``module``.

    Example::

        >>> m = flambeau.nn.utils.parametrizations.weight_norm(flambeau.nn.Linear(2, 3))
        >>> m = remove_parametrizations(m, 'weight')
        >>> type(m).__name__, [n for n, _ in m.named_parameters()]
        ('Linear', ['bias', 'weight'])
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f'Module {module} does not have a parametrization on {tensor_name}')
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with grad_mode.no_grad():
                t = getattr(module, tensor_name)
                _maybe_set(original, t)
    else:
        if not leave_parametrized:
            raise ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor '
                             'that is parametrized in terms of a sequence of tensors.')
        # not under no_grad: whether an original required grad decides Parameter or buffer
        t = getattr(module, tensor_name)
        original = Parameter(t.detach()) if t.requires_grad else t
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The class of ``module`` before it was parametrized (its class if it is not).

    Example::

        >>> m = flambeau.nn.utils.parametrizations.weight_norm(flambeau.nn.Linear(2, 3))
        >>> type_before_parametrizations(m).__name__
        'Linear'
    """
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Copy the parametrizations of ``from_module`` (all, or those of ``tensor_name``) onto
    ``to_module``, with the original tensors they act on; a missing parameter of
    ``to_module`` is first created from ``from_module``'s parametrized value.

    Returns:
        ``to_module``.

    Example::

        >>> a = flambeau.nn.utils.parametrizations.weight_norm(flambeau.nn.Linear(2, 3))
        >>> b = transfer_parametrizations_and_params(a, flambeau.nn.Linear(2, 3))
        >>> is_parametrized(b, 'weight')
        True
    """
    if is_parametrized(from_module):
        names = from_module.parametrizations if tensor_name is None else [tensor_name]
        for name in names:
            if not hasattr(to_module, name):
                setattr(to_module, name, Parameter(getattr(from_module, name)))
            source = from_module.parametrizations[name]
            for param_func in source:
                register_parametrization(to_module, name, param_func)
            target = to_module.parametrizations[name]
            if hasattr(source, 'original'):
                target.original = source.original
            else:
                i = 0
                while hasattr(source, f'original{i}'):
                    setattr(target, f'original{i}', getattr(source, f'original{i}'))
                    i += 1
    return to_module
