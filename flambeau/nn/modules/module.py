"""``Module``: the base class of every layer and model.

A module owns parameters, buffers and submodules, registered by plain attribute assignment
(``self.weight = Parameter(...)``, ``self.fc = Linear(...)``); calling it runs ``forward``
between its hooks. Its tensors are walked in registration order, which fixes the keys and the
order of ``state_dict`` exactly as PyTorch's.

Note [Module backward hooks]: ``register_full_backward_hook`` must see the gradients with
respect to the module's inputs and outputs as a whole, whatever ops ``forward`` runs. As in
PyTorch, the tensor inputs are passed through an identity Function before ``forward`` and the
tensor outputs through another after it. The node of the output identity sees the gradients of
the outputs first (backward pre-hooks run there and may replace them); the node of the input
identity then sees the gradients of the inputs, and the full backward hooks run there with
both. When no input requires grad, the hooks run at the output node with ``None`` inputs.
"""
import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from ...autograd import grad_mode
from ...autograd.function import Function
from ...ops.convert import _parse_to
from ...tensor import Tensor
from ..parameter import Buffer, Parameter

__all__ = ['Module', 'register_module_forward_pre_hook', 'register_module_forward_hook',
           'register_module_full_backward_pre_hook', 'register_module_full_backward_hook']

_EXTRA_STATE_KEY_SUFFIX = '_extra_state'


def _typename(obj):
    """PyTorch's ``torch.typename``: ``'torch.FloatTensor'`` for a tensor, else the
    qualified class name (builtins without a module prefix)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', '') or ''
    if hasattr(obj, '__qualname__'):
        name = obj.__qualname__
    elif hasattr(obj, '__name__'):
        name = obj.__name__
    else:
        module = obj.__class__.__module__
        name = obj.__class__.__qualname__
    if module in ('', 'builtins'):
        return name
    return f'{module}.{name}'


def _addindent(s, n):
    lines = s.split('\n')
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + '\n' + '\n'.join(n * ' ' + line for line in lines)


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What ``load_state_dict`` returns: the keys it missed and those it did not expect."""
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """A handle on a registered hook: ``remove()`` unregisters it (also usable as a context
    manager)."""
    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dicts = tuple(extra_dict)

    def remove(self):
        self.hooks_dict.pop(self.id, None)
        for d in self.extra_dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# hooks that run on every module (register_module_forward_hook ...)
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_with_kwargs = OrderedDict()
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()


def register_module_forward_pre_hook(hook):
    """Register ``hook(module, args)`` to run before the ``forward`` of every module (before
    each module's own pre-hooks). Returns a handle with ``remove()``.

    Example::

        >>> h = flambeau.nn.modules.module.register_module_forward_pre_hook(
        ...     lambda m, args: print(type(m).__name__))
        >>> _ = flambeau.nn.ReLU()(flambeau.ones(1))
        ReLU
        >>> h.remove()
    """
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook, *, with_kwargs=False):
    """Register ``hook(module, args, output)`` (``hook(module, args, kwargs, output)`` with
    ``with_kwargs=True``) to run after the ``forward`` of every module. Returns a handle."""
    handle = RemovableHandle(_global_forward_hooks,
                             extra_dict=_global_forward_hooks_with_kwargs)
    _global_forward_hooks[handle.id] = hook
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """Register ``hook(module, grad_output)`` to run, for every module, when the gradients
    of its outputs are computed. Returns a handle."""
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    return handle


def register_module_full_backward_hook(hook):
    """Register ``hook(module, grad_input, grad_output)`` to run, for every module, when the
    gradients of its inputs are computed. Returns a handle."""
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    return handle


class BackwardHookFunction(Function):
    """Identity on the tensors given; its nodes are where module backward hooks run
    (Note [Module backward hooks])."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a._requires_grad])
        ctx.set_materialize_grads(False)
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


class _BackwardHook:
    """The backward hooks of one module call (Note [Module backward hooks])."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    @staticmethod
    def _pack(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    @staticmethod
    def _wrap(args):
        """``args`` with its tensors passed through the identity Function; the index of the
        tensors and the identity's node (None when no tensor requires grad)."""
        idx, tensors = [], []
        req = False
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                idx.append(i)
                tensors.append(a)
                req = req or a._requires_grad
        if not (req and grad_mode.state.enabled):
            return args, None, None
        new = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in new if t.grad_fn is not None)
        out = list(args)
        for i, v in zip(idx, new):
            out[i] = v
        return tuple(out), idx, node

    def setup_input_hook(self, args):
        res, idx, node = self._wrap(args)
        self.n_inputs = len(args)
        self.input_index = idx
        if node is not None:
            node.register_hook(self._input_hook)
        return res

    def _input_hook(self, grad_inputs, _):
        if self.grad_outputs is None:
            return None  # gradient reached the inputs without passing through the outputs
        res = self._pack(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f'Backward hook returned an invalid number of grad_input, got '
                                   f'{len(out)}, but expected {len(res)}')
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        args = (result,) if single else result
        res, idx, node = self._wrap(args)
        self.n_outputs = len(args)
        self.output_index = idx
        if node is not None:
            node.register_hook(self._output_hook)
        return res[0] if single else res

    def _output_hook(self, _, grad_output):
        self.grad_outputs = self._pack(self.output_index, grad_output, self.n_outputs)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f'Backward pre hook returned an invalid number of grad_output, '
                                   f'got {len(new)}, but expected {len(self.grad_outputs)}')
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn('Full backward hook is firing when gradients are computed with respect '
                          'to module outputs since no inputs require gradients. See '
                          'https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html'
                          '#torch.nn.Module.register_full_backward_hook for more details.',
                          stacklevel=5)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.user_hooks:
                r = hook(self.module, grad_inputs, self.grad_outputs)
                if r is not None and not (isinstance(r, tuple) and all(e is None for e in r)):
                    raise RuntimeError('Backward hook for Modules where no input requires '
                                       'gradient should always return None or None for all '
                                       'gradients.')
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)


class _WrappedHook:
    """A deprecated ``register_backward_hook`` hook bound to its module, run on the grad_fn
    of the module's output."""

    def __init__(self, hook, module):
        self.hook, self.module = hook, module

    def __call__(self, grad_inputs, grad_outputs):
        return self.hook(self.module, grad_inputs, grad_outputs)


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                              '"forward" function')


class Module:
    """Base class for all neural network modules; models subclass it.

    A module holds parameters, buffers and other modules, assigned as attributes in
    ``__init__``, and computes its output in ``forward``. Call the module (not ``forward``)
    so that its hooks run.

    Example::

        >>> import flambeau.nn as nn
        >>> import flambeau.nn.functional as F
        >>> class Model(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1 = nn.Linear(4, 8)
        ...         self.fc2 = nn.Linear(8, 2)
        ...     def forward(self, x):
        ...         return self.fc2(F.relu(self.fc1(x)))
        >>> Model()(flambeau.randn(3, 4)).shape
        torch.Size([3, 2])
    """
    dump_patches = False
    _version = 1
    training: bool
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if self.call_super_init is False and bool(kwargs):
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        if self.call_super_init is False and bool(args):
            raise TypeError(f'{type(self).__name__}.__init__() takes 1 positional argument but '
                            f'{len(args) + 1} were given')
        d = self.__dict__
        d['training'] = True
        d['_parameters'] = {}
        d['_buffers'] = {}
        d['_non_persistent_buffers_set'] = set()
        d['_backward_pre_hooks'] = OrderedDict()
        d['_backward_hooks'] = OrderedDict()
        d['_is_full_backward_hook'] = None
        d['_forward_hooks'] = OrderedDict()
        d['_forward_hooks_with_kwargs'] = OrderedDict()
        d['_forward_hooks_always_called'] = OrderedDict()
        d['_forward_pre_hooks'] = OrderedDict()
        d['_forward_pre_hooks_with_kwargs'] = OrderedDict()
        d['_state_dict_hooks'] = OrderedDict()
        d['_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_pre_hooks'] = OrderedDict()
        d['_load_state_dict_post_hooks'] = OrderedDict()
        d['_modules'] = {}
        if self.call_super_init:
            super().__init__(*args, **kwargs)

    forward = _forward_unimplemented

    # -- registration ------------------------------------------------------------------------
    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer: a tensor that is part of the module's state but not a parameter
        (e.g. BatchNorm's ``running_mean``). It is saved in ``state_dict`` unless
        ``persistent=False`` and moved by ``to()``/``cuda()``. ``None`` registers a buffer
        that is left out of ``state_dict``.

        Example::

            >>> m = flambeau.nn.Module()
            >>> m.register_buffer('running_mean', flambeau.zeros(3))
            >>> m.running_mean
            tensor([0., 0., 0.])
        """
        if '_buffers' not in self.__dict__:
            raise AttributeError('cannot assign buffer before Module.__init__() call')
        if not isinstance(name, str):
            raise TypeError(f'buffer name should be a string. Got {_typename(name)}')
        if '.' in name:
            raise KeyError('buffer name can\'t contain "."')
        if name == '':
            raise KeyError('buffer name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            '(torch Tensor or None required)')
        if isinstance(tensor, Buffer):
            persistent = tensor.__dict__.get('persistent', persistent)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name, param):
        """Add a parameter (a :class:`Parameter`, or ``None``) under ``name``; the same as
        assigning it as an attribute.

        Example::

            >>> m = flambeau.nn.Module()
            >>> m.register_parameter('w', flambeau.nn.Parameter(flambeau.ones(2)))
            >>> [n for n, _ in m.named_parameters()]
            ['w']
        """
        if '_parameters' not in self.__dict__:
            raise AttributeError('cannot assign parameter before Module.__init__() call')
        if not isinstance(name, str):
            raise TypeError(f'parameter name should be a string. Got {_typename(name)}')
        if '.' in name:
            raise KeyError('parameter name can\'t contain "."')
        if name == '':
            raise KeyError('parameter name can\'t be empty string ""')
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            '(torch.nn.Parameter or None required)')
        elif param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f'parameters must be created explicitly. To express \'{name}\' as a '
                             'function of another Tensor, compute the value in the forward() '
                             'method.')
        else:
            self._parameters[name] = param

    def add_module(self, name, module):
        """Add a child module under ``name`` (the same as assigning it as an attribute).

        Example::

            >>> m = flambeau.nn.Module()
            >>> m.add_module('fc', flambeau.nn.Linear(2, 2))
            >>> m
            Module(
              (fc): Linear(in_features=2, out_features=2, bias=True)
            )
        """
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f'{_typename(module)} is not a Module subclass')
        if not isinstance(name, str):
            raise TypeError(f'module name should be a string. Got {_typename(name)}')
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if '.' in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == '':
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    def register_module(self, name, module):
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    # -- attribute access --------------------------------------------------------------------
    def __getattr__(self, name):
        d = self.__dict__
        if '_parameters' in d:
            p = d['_parameters']
            if name in p:
                return p[name]
        if '_buffers' in d:
            b = d['_buffers']
            if name in b:
                return b[name]
        if '_modules' in d:
            m = d['_modules']
            if name in m:
                return m[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get('_parameters')
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError('cannot assign parameters before Module.__init__() call')
            self._remove_name(name, keep='_parameters')
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                '(torch.nn.Parameter or None expected)')
            self.register_parameter(name, value)
            return
        modules = d.get('_modules')
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError('cannot assign module before Module.__init__() call')
            self._remove_name(name, keep='_modules')
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                '(torch.nn.Module or None expected)')
            modules[name] = value
            return
        buffers = d.get('_buffers')
        if isinstance(value, Buffer) or (buffers is not None and name in buffers):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                '(torch.nn.Buffer, torch.Tensor or None expected)')
            if isinstance(value, Buffer):
                persistent = value.__dict__.get('persistent', True)
            else:
                persistent = name not in self._non_persistent_buffers_set
            d.pop(name, None)
            self.register_buffer(name, value, persistent)
            return
        object.__setattr__(self, name, value)

    def _remove_name(self, name, keep):
        d = self.__dict__
        d.pop(name, None)
        for key in ('_parameters', '_buffers', '_modules'):
            if key != keep:
                d[key].pop(name, None)
        d['_non_persistent_buffers_set'].discard(name)

    def __delattr__(self, name):
        d = self.__dict__
        if name in d.get('_parameters', ()):
            del d['_parameters'][name]
        elif name in d.get('_buffers', ()):
            del d['_buffers'][name]
            d['_non_persistent_buffers_set'].discard(name)
        elif name in d.get('_modules', ()):
            del d['_modules'][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(self.__class__) + list(self.__dict__) + list(self._parameters) +
                list(self._modules) + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)

    # -- calling -----------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or
                self._backward_pre_hooks or _global_forward_pre_hooks or
                _global_forward_hooks or _global_backward_pre_hooks or
                _global_backward_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    _call_impl = __call__

    def _call_with_hooks(self, args, kwargs):
        called = set()
        state = [args, kwargs, None]
        try:
            return self._run_hooked(state, called)
        except Exception:
            always = self._forward_hooks_always_called
            for hid, hook in self._forward_hooks.items():
                if hid in always and hid not in called:
                    try:
                        if hid in self._forward_hooks_with_kwargs:
                            r = hook(self, state[0], state[1], state[2])
                        else:
                            r = hook(self, state[0], state[2])
                        if r is not None:
                            state[2] = r
                    except Exception as e:
                        warnings.warn('module forward hook with ``always_call=True`` raised an '
                                      'exception that was silenced as another error was raised '
                                      f'in forward: {e}', stacklevel=2)
            raise

    def _run_hooked(self, state, called):
        args, kwargs = state[0], state[1]
        full_hooks, old_hooks = [], []
        pre_bw_hooks = []
        if self._backward_pre_hooks or _global_backward_pre_hooks:
            pre_bw_hooks = list(_global_backward_pre_hooks.values()) + \
                list(self._backward_pre_hooks.values())
        if self._backward_hooks or _global_backward_hooks:
            full_hooks = list(_global_backward_hooks.values())
            if self._is_full_backward_hook:
                full_hooks += list(self._backward_hooks.values())
            else:
                old_hooks = list(self._backward_hooks.values())
        with_kwargs = self._forward_pre_hooks_with_kwargs
        for hid, hook in itertools.chain(_global_forward_pre_hooks.items(),
                                         self._forward_pre_hooks.items()):
            if hid in with_kwargs:
                r = hook(self, args, kwargs)
                if r is not None:
                    if isinstance(r, tuple) and len(r) == 2:
                        args, kwargs = r
                    else:
                        raise RuntimeError('forward pre-hook must return None or a tuple of '
                                           f'(new_args, new_kwargs), but got {r}.')
            else:
                r = hook(self, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
            state[0], state[1] = args, kwargs
        bw_hook = None
        if full_hooks or pre_bw_hooks:
            bw_hook = _BackwardHook(self, full_hooks, pre_bw_hooks)
            args = bw_hook.setup_input_hook(args)
        result = self.forward(*args, **kwargs)
        state[2] = result
        for hid, hook in itertools.chain(_global_forward_hooks.items(),
                                         self._forward_hooks.items()):
            if hid in self._forward_hooks_always_called:
                called.add(hid)
            if hid in self._forward_hooks_with_kwargs or hid in _global_forward_hooks_with_kwargs:
                r = hook(self, args, kwargs, result)
            else:
                r = hook(self, args, result)
            if r is not None:
                result = state[2] = r
        if bw_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn('For backward hooks to be called, module output should be a Tensor '
                              f'or a tuple of Tensors but received {type(result)}', stacklevel=2)
            result = bw_hook.setup_output_hook(result)
        if old_hooks:
            var = result
            while not isinstance(var, Tensor):
                if isinstance(var, dict):
                    var = next(v for v in var.values() if isinstance(v, Tensor))
                else:
                    var = var[0]
            if var.grad_fn is not None:
                for hook in old_hooks:
                    var.grad_fn.register_hook(_WrappedHook(hook, self))
        return result

    # -- hooks -------------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Register ``hook(module, args)`` to run before ``forward``; it may return new
        ``args`` (a single value is wrapped into a tuple). With ``with_kwargs=True`` the hook is
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``. ``prepend=True``
        runs it before the hooks already registered. Returns a handle with ``remove()``.

        Example::

            >>> m = flambeau.nn.Identity()
            >>> h = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
            >>> m(flambeau.ones(2))
            tensor([2., 2.])
        """
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Register ``hook(module, args, output)`` to run after ``forward``; it may return a
        new output. With ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``.
        ``prepend=True`` runs it before the hooks already registered; ``always_call=True``
        runs it even when ``forward`` raises. Returns a handle.

        Example::

            >>> m = flambeau.nn.Identity()
            >>> h = m.register_forward_hook(lambda mod, args, out: out + 1)
            >>> m(flambeau.zeros(2))
            tensor([1., 1.])
        """
        handle = RemovableHandle(self._forward_hooks,
                                 extra_dict=(self._forward_hooks_with_kwargs,
                                             self._forward_hooks_always_called))
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Register ``hook(module, grad_output)`` to run when the gradients of the module's
        outputs have been computed; it may return a replacement ``grad_output`` tuple.
        Returns a handle.

        Example::

            >>> m = flambeau.nn.Linear(2, 2)
            >>> h = m.register_full_backward_pre_hook(lambda mod, go: print(go[0].shape))
            >>> m(flambeau.ones(1, 2)).sum().backward()
            torch.Size([1, 2])
        """
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Register ``hook(module, grad_input, grad_output)`` to run when the gradients of
        the module's inputs have been computed (``None`` for inputs that are not tensors or
        need no gradient); it may return a replacement ``grad_input`` tuple. The inputs and
        outputs must not be modified in place inside ``forward``. Returns a handle.

        Example::

            >>> m = flambeau.nn.Linear(2, 2)
            >>> h = m.register_full_backward_hook(
            ...     lambda mod, gi, go: print(gi[0].shape, go[0].shape))
            >>> m(flambeau.ones(1, 2, requires_grad=True)).sum().backward()
            torch.Size([1, 2]) torch.Size([1, 2])
        """
        if self._is_full_backward_hook is False:
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks '
                               'on a single Module. Please use only one of them.')
        self._is_full_backward_hook = True
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_backward_hook(self, hook):
        """Deprecated: register ``hook(module, grad_input, grad_output)`` on the ``grad_fn``
        of the module's output (its ``grad_input`` are that last op's, not the module's). Use
        :meth:`register_full_backward_hook`."""
        if self._is_full_backward_hook is True:
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks '
                               'on a single Module. Please use only one of them.')
        self._is_full_backward_hook = False
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook):
        """Register ``hook(module, prefix, keep_vars)`` to run before ``state_dict()``."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    def register_state_dict_post_hook(self, hook):
        """Register ``hook(module, state_dict, prefix, local_metadata)`` to run after
        ``state_dict()``; it must return None (modify ``state_dict`` in place)."""
        handle = RemovableHandle(self._state_dict_hooks)
        self._state_dict_hooks[handle.id] = hook
        return handle

    def register_load_state_dict_pre_hook(self, hook):
        """Register ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` to run before this module loads its part of a
        ``state_dict``."""
        handle = RemovableHandle(self._load_state_dict_pre_hooks)
        self._load_state_dict_pre_hooks[handle.id] = hook
        return handle

    def register_load_state_dict_post_hook(self, hook):
        """Register ``hook(module, incompatible_keys)`` to run after ``load_state_dict``; it
        may edit ``incompatible_keys.missing_keys``/``unexpected_keys`` in place."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    # -- iteration ---------------------------------------------------------------------------
    def _named_members(self, get_members, prefix='', recurse=True, remove_duplicate=True):
        memo = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or v in memo:
                    continue
                if remove_duplicate:
                    memo.add(v)
                yield (module_prefix + '.' + k if module_prefix else k), v

    def parameters(self, recurse=True):
        """An iterator over the module's parameters (those of submodules too unless
        ``recurse=False``), each once, typically passed to an optimizer.

        Example::

            >>> [p.shape for p in flambeau.nn.Linear(2, 3).parameters()]
            [torch.Size([3, 2]), torch.Size([3])]
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        """An iterator over ``(name, parameter)`` pairs, names prefixed by ``prefix`` and the
        dotted path of the submodule. A parameter shared by several modules is yielded once
        unless ``remove_duplicate=False``.

        Example::

            >>> [n for n, _ in flambeau.nn.Linear(2, 3).named_parameters()]
            ['weight', 'bias']
        """
        return self._named_members(lambda m: m._parameters.items(), prefix=prefix,
                                   recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse=True):
        """An iterator over the module's buffers (those of submodules too unless
        ``recurse=False``)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """An iterator over ``(name, buffer)`` pairs, as :meth:`named_parameters`."""
        return self._named_members(lambda m: m._buffers.items(), prefix=prefix,
                                   recurse=recurse, remove_duplicate=remove_duplicate)

    def children(self):
        """An iterator over the immediate child modules."""
        for _, m in self.named_children():
            yield m

    def named_children(self):
        """An iterator over ``(name, module)`` pairs of the immediate child modules, each
        module once."""
        memo = set()
        for name, m in self._modules.items():
            if m is not None and m not in memo:
                memo.add(m)
                yield name, m

    def modules(self):
        """An iterator over all modules of the tree, this one first, each once."""
        for _, m in self.named_modules():
            yield m

    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """An iterator over ``(dotted name, module)`` for every module of the tree, depth
        first, this one first with name ``prefix``.

        Example::

            >>> net = flambeau.nn.Sequential(flambeau.nn.Linear(2, 2), flambeau.nn.ReLU())
            >>> [n for n, _ in net.named_modules()]
            ['', '0', '1']
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + '.' + name if prefix else name,
                                       remove_duplicate)

    def get_submodule(self, target):
        """The submodule at dotted path ``target`` (``''`` is this module).

        Example::

            >>> net = flambeau.nn.Sequential(flambeau.nn.Linear(2, 2))
            >>> net.get_submodule('0')
            Linear(in_features=2, out_features=2, bias=True)
        """
        if target == '':
            return self
        mod = self
        for item in target.split('.'):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + ' has no attribute `' + item + '`')
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError('`' + item + '` is not an nn.Module')
        return mod

    def set_submodule(self, target, module, strict=False):
        """Replace (or, unless ``strict``, add) the submodule at dotted path ``target``."""
        if target == '':
            raise ValueError('Cannot set the submodule without a target name!')
        atoms = target.split('.')
        if not isinstance(module, Module):
            raise ValueError('`module` is not an nn.Module, found ' + str(type(module)))
        if len(atoms) == 1:
            parent = self
        else:
            parent = self.get_submodule('.'.join(atoms[:-1]))
        if strict and not hasattr(parent, atoms[-1]):
            raise AttributeError(parent._get_name() + ' has no attribute `' + atoms[-1] + '`')
        if hasattr(parent, atoms[-1]):
            mod = getattr(parent, atoms[-1])
            if not isinstance(mod, Module):
                raise AttributeError('`' + atoms[-1] + '` is not an nn.Module')
        setattr(parent, atoms[-1], module)

    def get_parameter(self, target):
        """The parameter at dotted path ``target`` (e.g. ``'0.weight'``)."""
        module_path, _, name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + name + '`')
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError('`' + name + '` is not an nn.Parameter')
        return param

    def get_buffer(self, target):
        """The buffer at dotted path ``target``."""
        module_path, _, name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + ' has no attribute `' + name + '`')
        buf = getattr(mod, name)
        if name not in mod._buffers:
            raise AttributeError('`' + name + '` is not a buffer')
        return buf

    # -- modes and conversion ----------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode on this module and all its
        descendants (it changes Dropout and BatchNorm). Returns ``self``."""
        if not isinstance(mode, bool):
            raise ValueError('training mode is expected to be boolean')
        self.training = mode
        for m in self.children():
            m.train(mode)
        return self

    def eval(self):
        """Set evaluation mode: ``self.train(False)``. Returns ``self``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter (e.g. to freeze a part of a model).
        Returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros."""
        for p in self.parameters():
            g = p._grad
            if g is None:
                continue
            if set_to_none:
                p._grad = None
            else:
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule (children first) and then on ``self``, e.g.
        to initialise weights. Returns ``self``.

        Example::

            >>> def init(m):
            ...     if isinstance(m, flambeau.nn.Linear):
            ...         flambeau.nn.init.zeros_(m.weight)
            >>> net = flambeau.nn.Sequential(flambeau.nn.Linear(2, 2)).apply(init)
        """
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def _apply(self, fn, recurse=True):
        if recurse:
            for m in self.children():
                m._apply(fn)
        for key, param in self._parameters.items():
            if param is None:
                continue
            with grad_mode.no_grad():
                new = fn(param)
            if new is not param:
                param.data = new
            g = param._grad
            if g is not None:
                with grad_mode.no_grad():
                    new_g = fn(g)
                if new_g is not g:
                    g.data = new_g
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast the parameters and buffers: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)``. Only floating point tensors change dtype.
        Modifies the module in place and returns ``self``.

        Example::

            >>> m = flambeau.nn.Linear(2, 2).to(flambeau.float64)
            >>> m.weight.dtype
            torch.float64
        """
        dtype, device, _, _ = _parse_to(args, dict(kwargs))
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError('nn.Module.to only accepts floating point or complex dtypes, but got '
                            f'desired dtype={dtype}')

        def convert(t):
            if dtype is not None and t.is_floating_point():
                return t.to(device=device, dtype=dtype)
            return t.to(device=device) if device is not None else t
        return self._apply(convert)

    def to_empty(self, *, device=None, recurse=True):
        """Move the parameters and buffers to ``device`` without copying their values (they
        are left uninitialised). Returns ``self``."""
        from ...ops.creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def cuda(self, device=None):
        """Move all parameters and buffers to the GPU. Returns ``self``."""
        return self._apply(lambda t: t.cuda(device))

    def cpu(self):
        """Move all parameters and buffers to the CPU. Returns ``self``."""
        return self._apply(lambda t: t.cpu())

    def type(self, dst_type):
        """Cast all parameters and buffers to ``dst_type``. Returns ``self``."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Cast floating point parameters and buffers to ``float32``. Returns ``self``."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Cast floating point parameters and buffers to ``float64``. Returns ``self``."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Cast floating point parameters and buffers to ``float16``. Returns ``self``."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        """Cast floating point parameters and buffers to ``bfloat16``. Returns ``self``."""
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)

    def share_memory(self):
        """Kept for PyTorch compatibility: CPU tensors need no moving. Returns ``self``."""
        return self

    # -- state_dict --------------------------------------------------------------------------
    def get_extra_state(self):
        """Override with :meth:`set_extra_state` to save extra (picklable) state in
        ``state_dict`` under ``'_extra_state'``."""
        raise RuntimeError('Reached a code path in Module.get_extra_state() that should never be '
                           'called. Please file an issue at https://github.com/pytorch/pytorch/'
                           'issues/new?template=bug-report.yml to report this bug.')

    def set_extra_state(self, state):
        """Override with :meth:`get_extra_state`: restore the extra state from a
        ``state_dict``."""
        raise RuntimeError('Reached a code path in Module.set_extra_state() that should never be '
                           'called. Please file an issue at https://github.com/pytorch/pytorch/'
                           'issues/new?template=bug-report.yml to report this bug.')

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if type(self).get_extra_state is not Module.get_extra_state:
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """An ordered dictionary of the module's state: every parameter and persistent
        buffer, keyed by its dotted name (``'0.weight'``), detached unless ``keep_vars``.

        Example::

            >>> list(flambeau.nn.Linear(2, 3).state_dict().keys())
            ['weight', 'bias']
        """
        if args:
            warnings.warn('Positional args are being deprecated, use kwargs instead. Refer to '
                          'https://pytorch.org/docs/main/generated/torch.nn.Module.html'
                          '#torch.nn.Module.state_dict for details.', FutureWarning,
                          stacklevel=2)
            if destination is None and len(args) > 0:
                destination = args[0]
            if prefix == '' and len(args) > 1:
                prefix = args[1]
            if keep_vars is False and len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        local_metadata = {'version': self._version}
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + '.',
                             keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            r = hook(self, destination, prefix, local_metadata)
            if r is not None:
                raise RuntimeError('state_dict post-hook must return None')
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for hook in self._load_state_dict_pre_hooks.values():
            hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                 error_msgs)
        local_state = {k: v for k, v in self._parameters.items() if v is not None}
        for k, v in self._buffers.items():
            if v is not None and k not in self._non_persistent_buffers_set:
                local_state[k] = v
        assign = local_metadata.get('assign_to_params_buffers', False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  'torch.Tensor or Tensor-like object from checkpoint but received '
                                  f'{type(value)}')
                continue
            if param.ndim == 0 and value.ndim == 1:
                value = value[0]
            if value.shape != param.shape:
                error_msgs.append(f'size mismatch for {key}: copying a param with shape '
                                  f'{value.shape} from checkpoint, the shape in current model is '
                                  f'{param.shape}.')
                continue
            try:
                with grad_mode.no_grad():
                    if assign:
                        if isinstance(param, Parameter):
                            if not isinstance(value, Parameter):
                                value = Parameter(value, requires_grad=param.requires_grad)
                            else:
                                value.requires_grad_(param.requires_grad)
                        setattr(self, name, value)
                    else:
                        param.copy_(value)
            except Exception as ex:
                error_msgs.append(f'While copying the parameter named "{key}", whose dimensions in '
                                  f'the model are {param.size()} and whose dimensions in the '
                                  f'checkpoint are {value.size()}, an exception occurred : '
                                  f'{ex.args}.')
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if type(self).set_extra_state is not Module.set_extra_state:
            if extra_key in state_dict:
                self.set_extra_state(state_dict[extra_key])
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict.keys():
                if key.startswith(prefix) and key != extra_key:
                    first = key[len(prefix):].split('.', 1)[0]
                    if first not in self._modules and first not in local_state:
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module and its
        descendants. With ``strict=True`` the keys must match :meth:`state_dict`'s exactly;
        a shape mismatch is always an error. ``assign=True`` makes the module's tensors the
        ones of ``state_dict`` instead of copying into them. Returns a named tuple with
        ``missing_keys`` and ``unexpected_keys``.

        Example::

            >>> a, b = flambeau.nn.Linear(2, 2), flambeau.nn.Linear(2, 2)
            >>> b.load_state_dict(a.state_dict())
            <All keys matched successfully>
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict)}.')
        missing_keys, unexpected_keys, error_msgs = [], [], []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata

        def load(module, local_state_dict, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                local_metadata['assign_to_params_buffers'] = assign
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True,
                                         missing_keys, unexpected_keys, error_msgs)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + '.'
                    child_state = {k: v for k, v in local_state_dict.items()
                                   if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)
            incompatible = _IncompatibleKeys(missing_keys, unexpected_keys)
            for hook in module._load_state_dict_post_hooks.values():
                if hook(module, incompatible) is not None:
                    raise RuntimeError('load_state_dict post hook must return None')

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                type(self).__name__, '\n\t'.join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # -- printing ----------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The module's own settings for its ``repr`` (e.g. ``in_features=2``); override it
        in custom modules. One line is printed inside the parentheses, several lines each on
        its own."""
        return ''

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split('\n') if extra else []
        child_lines = ['(' + key + '): ' + _addindent(repr(m), 2)
                       for key, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + '('
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += '\n  ' + '\n  '.join(lines) + '\n'
        return s + ')'

