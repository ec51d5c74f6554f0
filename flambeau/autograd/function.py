"""``Function``: the public API for custom differentiable operations.

Subclass it with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``, and call
``MyFn.apply(*args)``. ``forward`` runs without recording; ``ctx`` (the graph node itself)
carries what ``backward`` needs: ``save_for_backward``/``saved_tensors`` (version-checked),
``needs_input_grad``, ``mark_dirty``, ``mark_non_differentiable``, ``set_materialize_grads``
and any attribute you set.

Example::

    >>> class Exp(flambeau.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         y, = ctx.saved_tensors
    ...         return g * y
    >>> x = flambeau.tensor([0., 1.], requires_grad=True)
    >>> Exp.apply(x).sum().backward()
    >>> x.grad
    tensor([1.0000, 2.7183])
"""
import functools

from . import grad_mode
from .node import (_FREED, _SAVE_INFERENCE, InferenceTensorError, Node, _modified_message, edge,
                   remember_trace)

_state = grad_mode.state


class FunctionCtx:
    """The methods ``ctx`` offers in ``forward`` and ``backward``."""

    def save_for_backward(self, *tensors):
        """Save tensors (or None) for ``backward``; read them back with ``saved_tensors``."""
        self._saved = tensors
        try:
            self._versions = tuple(t._vc[0] if t is not None else 0 for t in tensors)
        except InferenceTensorError:
            raise RuntimeError(_SAVE_INFERENCE) from None

    def mark_dirty(self, *tensors):
        """Declare that ``forward`` modified these input tensors in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        """Declare outputs that get no gradient (e.g. indices)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        """Whether missing output gradients reach ``backward`` as zeros (default) or None."""
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of one call to a custom Function (named ``<Function>Backward``)."""
    _fn = None

    def __init__(self):
        self._saved = ()
        self._versions = ()
        self._out = None
        self._pre_hooks = self._hooks = None
        self._dirty = ()
        self._non_diff = ()
        self._materialize = True
        self.needs_input_grad = ()
        self.next_functions = ()

    def name(self):
        return type(self).__name__

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward`` (version-checked; an output of the
        Function comes back with this node as its ``grad_fn``)."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        out = []
        for t, v in zip(saved, self._versions):
            if type(t) is _SavedOutput:
                t = t.unpack(self, v)
            elif t is not None and t._vc[0] != v:
                raise RuntimeError(_modified_message(t, v))
            out.append(t)
        return tuple(out)

    def backward(self, grads):
        if self.n_outputs == 1:
            grads = [grads]
        if self._materialize:
            from ..ops.creation import zeros
            grads = [g if g is not None else zeros(shape, dtype=d, device=dev)
                     for g, (shape, d, dev) in zip(grads, self._out_meta)]
        result = self._fn._backward_fn()(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = self._n_args
        if len(result) < n:
            if any(self.needs_input_grad[len(result):]):
                raise RuntimeError(f'function {self.name()} returned an incorrect number of '
                                   f'gradients (expected {n}, got {len(result)})')
            result = result + (None,) * (n - len(result))
        elif len(result) > n:
            extra = result[n:]
            if any(r is not None for r in extra):
                raise RuntimeError(f'function {self.name()} returned an incorrect number of '
                                   f'gradients (expected {n}, got {len(result)})')
            result = result[:n]
        return tuple(result[i] for i in self._tensor_positions)


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, named like PyTorch's."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,), {'_fn': cls})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Base class for custom autograd operations (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError('You must implement the forward function for custom '
                                  'autograd.Function.')

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError('You must implement either the backward or vjp method for your '
                                  'custom autograd.Function to use it with backward mode AD.')

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Forward-mode derivative: flambeau has no forward-mode AD, so no custom Function
        can use it (PyTorch's base raises the same error for Functions that define none)."""
        raise NotImplementedError('You must implement the jvp function for custom '
                                  'autograd.Function to use it with forward mode AD.')

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Override it (a staticmethod) to write ``forward`` without ``ctx``: it is then
        called as ``setup_context(ctx, inputs, output)`` right after ``forward(*inputs)``."""
        raise NotImplementedError('setup_context is not implemented.')

    def __call__(self, *args, **kwargs):
        raise RuntimeError('Legacy autograd function with non-static forward method is '
                           'deprecated. Please use new-style autograd function with static '
                           'forward method. (Example: '
                           'https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)')

    @classmethod
    def _backward_fn(cls):
        """The user's ``backward`` or ``vjp`` (one of them, as in PyTorch)."""
        backward, vjp = cls.backward, cls.vjp
        if backward is not Function.backward and vjp is not Function.vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is "
                               'not allowed. You should only implement one of them.')
        return vjp if vjp is not Function.vjp else backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args`` and record the call in the graph when an input requires
        grad."""
        from ..tensor import Tensor
        node = cls._backward_cls()
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        node._tensor_positions = positions
        node._n_args = len(args)
        record = _state.enabled and any(args[i]._requires_grad for i in positions)
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad and record
                                      for a in args)
        prev = _state.enabled
        _state.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, outputs)
            else:
                outputs = cls.forward(node, *args, **kwargs)
        finally:
            _state.enabled = prev
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if node._dirty:
            _bump_dirty(node, record)
        if record:
            node.next_functions = tuple(edge(args[i]) for i in positions)
            dirty = {id(t) for t in node._dirty}
            non_diff = {id(t) for t in node._non_diff}
            node._out_meta = []
            node.n_outputs = len(outs)
            new_outs = []
            for nr, o in enumerate(outs):
                if isinstance(o, Tensor):
                    if id(o) not in dirty and any(o is args[i] for i in positions):
                        o = o.view_as(o)  # an input returned as is: a new tensor in the graph
                    node._out_meta.append((o.shape, o.dtype, o.device))
                    if id(o) not in non_diff and o._dtype.is_floating_point:
                        o.grad_fn, o._output_nr, o._requires_grad = node, nr, True
                else:
                    node._out_meta.append(((), None, None))
                new_outs.append(o)
            outs = tuple(new_outs)
            if node._saved:
                node._saved = _unlink_outputs(node._saved, outs)
            if _state.anomaly:
                remember_trace(node)
        return outs[0] if single else outs


class _SavedOutput:
    """An output of a custom Function saved for its backward, held without the Tensor (which
    would make a cycle: output -> node -> output) and rebuilt on unpacking."""
    __slots__ = ('data', 'dtype', 'device', 'vc', 'nr')

    def __init__(self, t, nr):
        self.data, self.dtype, self.device, self.vc, self.nr = \
            t._data, t._dtype, t._device, t._vc, nr

    def unpack(self, node, version):
        from ..tensor import Tensor
        t = Tensor._make(self.data, self.dtype, self.device)
        t._vc = self.vc
        t._output_nr = self.nr
        if self.vc[0] != version:
            raise RuntimeError(_modified_message(t, version, node, self.vc[0]))
        if _state.enabled:
            t.grad_fn, t._output_nr, t._requires_grad = node, self.nr, True
        return t


def _unlink_outputs(saved, outs):
    res = []
    for t in saved:
        for nr, o in enumerate(outs):
            if t is o and o.grad_fn is not None:
                t = _SavedOutput(o, nr)
                break
        res.append(t)
    return tuple(res)


def _bump_dirty(node, record):
    """Inputs modified in place by ``forward`` (``mark_dirty``) get a new version; saved
    tensors are checked against the versions they have after the call."""
    for t in node._dirty:
        if record and t.grad_fn is None and t._requires_grad:
            raise RuntimeError('a leaf Variable that requires grad has been used in an in-place '
                               'operation.')
        t._vc[0] += 1
    if node._saved:
        node._versions = tuple(t._vc[0] if t is not None else 0 for t in node._saved)


def once_differentiable(fn):
    """Decorator for a ``backward`` that is not itself differentiable: it runs under
    ``no_grad``."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
