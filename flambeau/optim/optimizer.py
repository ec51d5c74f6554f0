"""``Optimizer``: the base class of every algorithm in ``flambeau.optim``.

It holds the parameter groups (a list of dicts: ``'params'`` plus per-group options), the
per-parameter ``state`` (a dict of tensors such as ``exp_avg``), step hooks and the
``state_dict``/``load_state_dict`` pair in PyTorch's layout, so that a run saved midway and
resumed in a new optimizer continues exactly.

Note [In-place updates]: an algorithm's ``step`` works on the raw arrays (``p._data``) with
``out=`` ufuncs, which records no graph, whatever the grad mode. State buffers are flambeau
tensors allocated on the first step; temporaries come from a few scratch arrays per optimizer
(``_tmp``) that are reused across parameters and steps, so a step allocates almost nothing.
Every parameter written is given a new version (``p._vc[0] += 1``), as PyTorch's in-place ops
do, so a graph that saved the old values notices.
"""
import warnings
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from .. import dtypes as _dt
from ..autograd import grad_mode
from ..tensor import Tensor

__all__ = ['Optimizer', 'register_optimizer_step_pre_hook', 'register_optimizer_step_post_hook']

_make = Tensor._make


class _RequiredParameter:
    """Singleton marking an option that a param group must give (``lr`` of some optimizers)."""

    def __repr__(self):
        return '<required parameter>'


required = _RequiredParameter()


class RemovableHandle:
    """Handle returned by the ``register_*_hook`` methods: ``handle.remove()`` unregisters."""
    _next_id = 0

    def __init__(self, hooks_dict):
        self._hooks = hooks_dict
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Register a hook run before the ``step`` of every optimizer:
    ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)``.

    Returns a handle whose ``remove()`` unregisters the hook.
    """
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """Register a hook run after the ``step`` of every optimizer:
    ``hook(optimizer, args, kwargs) -> None``.

    Returns a handle whose ``remove()`` unregisters the hook.
    """
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj):
    """``torch.typename``: ``torch.FloatTensor`` for a tensor, else the qualified type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, '__module__', '') or ''
    if hasattr(obj, '__qualname__'):
        qualname = obj.__qualname__
    elif hasattr(obj, '__name__'):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ''
        qualname = obj.__class__.__qualname__
    return qualname if module in ('', 'builtins') else f'{module}.{qualname}'


def _to_scalar(x):
    """A Python number from ``x`` (a number, or a one-element tensor such as a tensor ``lr``)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


def _scalar_dtype():
    """The dtype of ``state['step']`` and other scalar state: PyTorch keeps it float32 unless
    the default dtype is float64."""
    return _dt.float64 if _dt.get_default_dtype() is _dt.float64 else _dt.float32


def _scalar_tensor(value, device=None):
    """A 0-d CPU tensor of the scalar-state dtype holding ``value`` (``state['step']``...)."""
    dt = _scalar_dtype()
    from ..device import CPU
    d = CPU if device is None else device
    return _make(d._backend.xp.asarray(value, dtype=dt.numpy), dt, d)


def _zeros_like(p):
    """A zero tensor with ``p``'s shape, dtype and device (a state buffer)."""
    return _make(p._device._backend.xp.zeros(p._data.shape, p._data.dtype), p._dtype, p._device)


def _full_like(p, value):
    return _make(p._device._backend.xp.full(p._data.shape, value, p._data.dtype), p._dtype,
                 p._device)


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError('Tensor lr must be 1-element')
    if not 0.0 <= lr:
        raise ValueError(f'Invalid learning rate: {lr}')


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 0: {betas[0]}')
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 1: {betas[1]}')


def _check_nonneg(value, what):
    if not 0.0 <= value:
        raise ValueError(f'Invalid {what} value: {value}')


def _check_differentiable(differentiable):
    if differentiable:
        raise RuntimeError('flambeau optimizers update parameters in place on their arrays and '
                           'do not support differentiable=True')


def _hooked_step(step):
    """Wrap a class's ``step`` so that the global and per-optimizer step hooks run around it."""
    def step_with_hooks(self, *args, **kwargs):
        for pre_hook in chain(tuple(_global_optimizer_pre_hooks.values()),
                              tuple(self._optimizer_step_pre_hooks.values())):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f'{step} must return None or a tuple of (new_args, '
                                       f'new_kwargs), but got {result}.')
        out = step(self, *args, **kwargs)
        for post_hook in chain(tuple(self._optimizer_step_post_hooks.values()),
                               tuple(_global_optimizer_post_hooks.values())):
            post_hook(self, args, kwargs)
        return out
    step_with_hooks.__name__ = step.__name__
    step_with_hooks.__qualname__ = step.__qualname__
    step_with_hooks.__doc__ = step.__doc__
    step_with_hooks.__wrapped__ = step
    step_with_hooks.hooked = True
    return step_with_hooks


class Optimizer:
    r"""Base class for all optimizers.

    Args:
        params (iterable): an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
            (parameter groups: ``{'params': [...], 'lr': ...}``) giving the tensors to optimize
            and per-group options.
        defaults (dict): the default value of each option, used by groups that don't set it.

    A subclass implements ``step(closure=None)``: update every parameter whose ``.grad`` is
    set, in place, from its gradient and its ``self.state[p]``.

    Example::

        >>> w = flambeau.tensor([1.0, 2.0], requires_grad=True)
        >>> opt = flambeau.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([0.8000, 1.6000], requires_grad=True)
    """

    _group_defaults = {}  # {option: default} for param groups of older pickled states

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._scratch = {}
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of '
                            'Tensors or dicts, but got ' + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError('optimizer got an empty parameter list')
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def _patch_step_function(self):
        cls = type(self)
        if not getattr(cls.step, 'hooked', False):
            cls.step = _hooked_step(cls.step)

    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ('_optimizer_step_pre_hooks', '_optimizer_step_post_hooks',
                     '_optimizer_state_dict_pre_hooks', '_optimizer_state_dict_post_hooks',
                     '_optimizer_load_state_dict_pre_hooks',
                     '_optimizer_load_state_dict_post_hooks'):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.__dict__.setdefault('_scratch', {})
        self._patch_step_function()
        self.defaults.setdefault('differentiable', False)
        # options added after a state was pickled get their default (``_group_defaults``)
        for group in self.param_groups:
            for k, v in self._group_defaults.items():
                group.setdefault(k, v)

    def __repr__(self):
        s = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            s += f'\nParameter Group {i}\n'
            for key in sorted(group.keys()):
                if key != 'params':
                    s += f'    {key}: {group[key]}\n'
        return s + ')'

    # -- hooks ---------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)``, run
        before each ``step``. Returns a handle whose ``remove()`` unregisters it."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """Register ``hook(optimizer, args, kwargs) -> None``, run after each ``step``.
        Returns a handle whose ``remove()`` unregisters it."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    @staticmethod
    def _register(hooks, hook, prepend):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer) -> None``, run before ``state_dict()`` builds its dict."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, run on the dict
        ``state_dict()`` returns (a returned dict replaces it)."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, run before
        ``load_state_dict`` reads its argument (a returned dict is loaded instead)."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Register ``hook(optimizer) -> None``, run after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state_dict ----------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as a dict, in PyTorch's layout::

            {'state': {0: {'step': tensor(3.), 'exp_avg': tensor(...), ...}, 1: {...}},
             'param_groups': [{'lr': 0.01, ..., 'params': [0, 1]}]}

        Parameters are replaced by their index in the order of the groups; the state tensors
        are the optimizer's own (not copies), as in PyTorch: deep-copy or save the dict before
        stepping again if it must stay as it is.
        """
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != 'params'}
            for i, p in enumerate(group['params'], start_index):
                param_mappings.setdefault(id(p), i)
            packed['params'] = [param_mappings[id(p)] for p in group['params']]
            start_index += len(packed['params'])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {'state': packed_state, 'param_groups': param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state(param, value, key=None, capturable=False):
        """A copy of a saved state value, its tensors moved to ``param``'s device and cast to
        ``param``'s floating dtype, except ``step``, which stays where it is (unless
        ``capturable``), as in PyTorch."""
        if isinstance(value, Tensor):
            if key == 'step':  # as PyTorch: left where it was unless capturable
                if not capturable:
                    return value.detach().clone()
                return value.detach().to(device=param._device, dtype=_dt.float32, copy=True)
            dt = param._dtype if param._dtype.is_floating_point else value._dtype
            return value.detach().to(device=param._device, dtype=dt, copy=True)
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, k, capturable) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(param, v, None, capturable) for v in value)
        return value

    def load_state_dict(self, state_dict):
        """Load a state returned by :meth:`state_dict` (of an optimizer of the same kind over
        parameters of the same shapes, in the same order): per-parameter state and group
        options. Parameters are matched by position.

        Raises ValueError when the number of groups or of parameters in a group differs.
        """
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError('loaded state dict has a different number of parameter groups')
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g['params'] for g in saved_groups),
                          chain.from_iterable(g['params'] for g in groups)))
        capturable_of = {}
        for g in state_dict['param_groups']:
            for i in g['params']:
                capturable_of[i] = g.get('capturable', False) or g.get('fused', False) or False
        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                state[param] = self._cast_state(param, v, None, capturable_of.get(k, False))
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group['params'] = group['params']
            if 'param_names' in group and 'param_names' not in new_group:
                new_group['param_names'] = group['param_names']
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({'state': state, 'param_groups': param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # -- gradients and groups ------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors: to None (the default), or to zeros
        when ``set_to_none=False``. Optimizers skip parameters whose ``.grad`` is None, so the
        two differ for parameters that get no gradient in the next backward."""
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g._requires_grad = False
                        g._data[...] = 0
                        g._vc[0] += 1

    def step(self, closure=None):
        """Perform one optimization step (implemented by each algorithm).

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss
                (required by some optimizers, such as LBFGS).
        """
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a parameter group (a dict with ``'params'`` and optional per-group options) to
        :attr:`param_groups`: e.g. to start training layers that were frozen. Options it does
        not set take the optimizer's defaults.

        Example::

            >>> opt.add_param_group({'params': [bias], 'lr': 0.01})
        """
        if not isinstance(param_group, dict):
            raise TypeError(f'param_group must be a dict, but got {type(param_group)}')
        params = param_group['params']
        if isinstance(params, Tensor):
            param_group['params'] = [params]
        elif isinstance(params, set):
            raise TypeError('optimizer parameters need to be organized in ordered collections, '
                            'but the ordering of tensors in sets will change between runs. '
                            'Please use a list instead.')
        else:
            param_group['params'] = list(params)

        tensors, names = [], []
        for param in param_group['params']:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group['params'] = tensors
        if names:
            if len(names) == len(tensors):
                param_group['param_names'] = names
            else:
                raise ValueError('all optimizer params should be with/without names. Some param '
                                 'names are missing')

        for param in param_group['params']:
            if not isinstance(param, Tensor):
                raise TypeError('optimizer can only optimize Tensors, but one of the params is '
                                + _typename(param))
            if not self.defaults.get('differentiable', None) and not (
                    param.grad_fn is None or param._retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group['params']
        if len(params) != len(set(params)):
            warnings.warn('optimizer contains a parameter group with duplicate parameters; in '
                          'future, this will cause an error; see '
                          'github.com/pytorch/pytorch/issues/40967 for more information',
                          stacklevel=3)

        param_set = set()
        for group in self.param_groups:
            param_set.update(group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                txt = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError('all optimizer param groups should be with/without names. '
                                 f'cannot add param group {txt} to the optimizer')
        if not param_set.isdisjoint(param_group['params']):
            raise ValueError('some parameters appear in more than one parameter group')
        self.param_groups.append(param_group)

    # -- helpers for the algorithms ------------------------------------------------------------
    def _tmp(self, p, k):
        """Scratch array ``k`` (0, 1, 2) shaped like ``p``: a view of a flat buffer kept by the
        optimizer and reused by every parameter of that dtype and device, step after step."""
        a = p._data
        key = (k, a.dtype, p._device)
        buf = self._scratch.get(key)
        n = a.size
        if buf is None or buf.size < n:
            buf = self._scratch[key] = p._device._backend.xp.empty(n, a.dtype)
        return buf[:n].reshape(a.shape)

    def _blocked(self, kernel, p, arrays, coefs):
        """Runs ``kernel(xp, *arrays, t0, t1, coefs)``, an elementwise update of parameter
        ``p`` written in place into the leading ``arrays`` (``None`` entries pass through),
        block by block when ``p`` is large (Note [Blocked updates]); ``t0``, ``t1`` are
        scratch arrays shaped like the blocks."""
        xp = p._device._backend.xp
        n = p._data.size
        if (p._device.type != 'cpu' or n < 2 * _BLOCK
                or not all(x.flags.c_contiguous for x in arrays if x is not None)):
            kernel(xp, *arrays, self._tmp(p, 0), self._tmp(p, 1), coefs)
            return
        flat = [x.reshape(-1) if x is not None else None for x in arrays]
        t0, t1 = self._tmp(p, 0).reshape(-1), self._tmp(p, 1).reshape(-1)
        for s in range(0, n, _BLOCK):
            e = min(n, s + _BLOCK)
            kernel(xp, *[x[s:e] if x is not None else None for x in flat], t0[:e - s],
                   t1[:e - s], coefs)

    def _grad(self, p, maximize, weight_decay):
        """The gradient the update uses: ``-p.grad`` when maximizing, plus
        ``weight_decay * p`` (coupled L2 penalty). Never writes into ``p.grad``; a modified
        gradient lives in scratch array 0."""
        g = p._grad._data
        if weight_decay != 0:
            t = self._tmp(p, 0)
            xp = p._device._backend.xp
            xp.multiply(p._data, weight_decay, out=t)
            if maximize:
                xp.subtract(t, g, out=t)
            else:
                xp.add(t, g, out=t)
            return t
        if maximize:
            t = self._tmp(p, 0)
            p._device._backend.xp.negative(g, out=t)
            return t
        return g

    @staticmethod
    def _closure_loss(closure):
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()


# Note [Blocked updates]
# ~~~~~~~~~~~~~~~~~~~~~~
# An update such as Adam's is a dozen elementwise passes over the parameter, its gradient and
# its state. Done pass after pass over a large parameter, each pass streams all the arrays
# through main memory. `Optimizer._blocked` runs the whole update on one block of 128K elements
# after another instead, so a block's arrays stay in the cache from one pass to the next: 2.5x
# faster on a 10M-parameter Adam step. (64K-element blocks: 3-6% slower there, the calls'
# overhead counting more than the L2 cache they fit; 256K: no faster. Splitting the blocks
# between two threads, NumPy releasing the GIL inside ufuncs, was slower as soon as the machine
# had other work.) Small
# parameters, non-contiguous ones and GPU arrays (where one kernel launch per pass is the right
# grain) get one call over the whole arrays.
_BLOCK = 1 << 17


def _lerp_(xp, a, b, w, tmp):
    """``a.lerp_(b, w)`` in PyTorch's two-sided form (exact at both ends), using ``tmp``."""
    xp.subtract(b, a, out=tmp)
    if w < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1 - w
        xp.subtract(b, tmp, out=a)


def _bump(*tensors):
    """Give each tensor written in place a new version (Note [In-place updates])."""
    for t in tensors:
        t._vc[0] += 1
