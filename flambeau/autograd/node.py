"""Graph nodes: ``Node`` (a ``grad_fn``), ``AccumulateGrad`` (a leaf's sink) and the wiring
that ops use to record themselves.

Every differentiable op defines a ``Node`` subclass named as PyTorch names it
(``MulBackward0``) right beside its forward; ``backward(grad)`` returns one gradient per
entry of ``next_functions`` (``None`` where an input needs none), written with Tensor ops so
that it is itself differentiable.

Note [Saved tensors]: a node saves the tensors its backward needs together with their version
counters. Reading them back checks the versions (an in-place change in between raises
PyTorch's error) and fails once backward has freed them (unless ``retain_graph=True``). An op's
own output is saved as its array only and rebuilt on unpacking with ``grad_fn`` = this node:
saving the output Tensor itself would make a reference cycle (output -> node -> output).
"""
import os
import re
import traceback
import weakref

from . import grad_mode

_state = grad_mode.state
_FLAMBEAU_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
# anomaly mode: node -> the forward stack that created it (nodes have slots: kept aside)
_TRACES = weakref.WeakKeyDictionary()


class InferenceVersion(list):
    """The version counter of an inference tensor (made inside ``inference_mode``): readable
    only inside inference mode. Outside, reading it (an in-place op bumping it, autograd
    saving the tensor, ``t._version``) raises; those callers that have their own PyTorch
    message catch ``InferenceTensorError`` and say it."""
    __slots__ = ()

    def __getitem__(self, i):
        if not _state.inference:
            raise InferenceTensorError(
                'Inplace update to inference tensor outside InferenceMode is not allowed.You can '
                'make a clone to get a normal tensor before doing inplace update.See '
                'https://github.com/pytorch/rfcs/pull/17 for more details.')
        return list.__getitem__(self, i)


class InferenceTensorError(RuntimeError):
    pass


_SAVE_INFERENCE = ('Inference tensors cannot be saved for backward. Please do not use Tensors '
                   'created in inference mode in computation tracked by autograd. To work around '
                   'this, you can make a clone to get a normal tensor and use it in autograd, or '
                   'use `torch.no_grad()` instead of `torch.inference_mode()`.')


class Node:
    """A node of the backward graph (the ``grad_fn`` of a tensor)."""
    __slots__ = ('next_functions', '_saved', '_versions', '_out', '_pre_hooks', '_hooks',
                 '__weakref__')
    n_outputs = 1

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name().rsplit('::', 1)[-1]} object at {hex(id(self))}>"

    # -- saved tensors (Note [Saved tensors]) ----------------------------------------------
    def save(self, *tensors):
        self._saved = tensors
        versions = []  # a plain loop: ~0.25 us cheaper than a generator expression
        try:
            for t in tensors:
                versions.append(t._vc[0] if t is not None else 0)
        except InferenceTensorError:
            raise RuntimeError(_SAVE_INFERENCE) from None
        self._versions = tuple(versions)

    def save_output(self, out):
        self._out = (out._data, out._dtype, out._device, out._vc, out._vc[0])

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        for t, v in zip(saved, self._versions):
            if t is not None and t._vc[0] != v:
                raise RuntimeError(_modified_message(t, v))
        return saved

    def saved_output(self):
        """This node's output as saved by ``save_output``, with ``grad_fn`` = this node."""
        out = self._out
        if out is None:
            raise RuntimeError(_FREED)
        data, dtype, device, box, version = out
        if box[0] != version:
            from ..tensor import Tensor
            raise RuntimeError(_modified_message(Tensor._make(data, dtype, device), version,
                                                 self, box[0]))
        from ..tensor import Tensor
        t = Tensor._make(data, dtype, device)
        t._vc = box
        if _state.enabled:
            t.grad_fn = self
            t._requires_grad = True
        return t

    def release(self):
        """Free what backward needed (called by the engine unless ``retain_graph``)."""
        self._saved = None
        self._out = None

    # -- hooks ------------------------------------------------------------------------------
    def register_hook(self, fn):
        """Register ``fn(grad_inputs, grad_outputs)`` to run after this node's backward; it
        may return replacement ``grad_inputs``."""
        hooks = self._hooks = self._hooks or []
        hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    def register_prehook(self, fn):
        """Register ``fn(grad_outputs)`` to run before this node's backward; it may return
        replacement ``grad_outputs``."""
        return self._add_prehook(lambda grads: fn(tuple(grads)))

    def _add_prehook(self, fn):
        hooks = self._pre_hooks = self._pre_hooks or []
        hooks.append(fn)
        return _RemovableHandle(hooks, fn)

    @property
    def metadata(self):
        return {}


class TensorHook:
    """A ``Tensor.register_hook`` hook, as a pre-hook of the tensor's node: ``fn(grad)`` of
    output ``nr``, which may return a replacement."""
    __slots__ = ('fn', 'nr')

    def __init__(self, fn, nr):
        self.fn, self.nr = fn, nr

    def __call__(self, grads):
        g = grads[self.nr]
        if g is None:
            return None
        new = self.fn(g)
        if new is None:
            return None
        grads = list(grads)
        grads[self.nr] = new
        return grads


class RetainGradHook:
    """``retain_grad()``: copies the gradient of output ``nr`` into the tensor's ``.grad``
    (after the tensor's own hooks, which the engine runs first)."""
    __slots__ = ('ref', 'nr')

    def __init__(self, tensor, nr):
        self.ref, self.nr = weakref.ref(tensor), nr

    def __call__(self, grads):
        t = self.ref()
        g = grads[self.nr]
        if t is not None and g is not None:
            g = g.detach()
            t._grad = g._make(g._data.copy(), g._dtype, g._device) if t._grad is None \
                else (t._grad + g).detach()


class _RemovableHandle:
    __slots__ = ('_list', '_item')

    def __init__(self, lst, item):
        self._list, self._item = lst, item

    def remove(self):
        try:
            self._list.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``variable.grad``, then runs
    the hooks of ``register_post_accumulate_grad_hook``."""
    __slots__ = ('_variable', '_post_hooks')

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.next_functions = ()
        self._pre_hooks = self._hooks = self._post_hooks = None

    def name(self):
        return 'torch::autograd::AccumulateGrad'

    @property
    def variable(self):
        return self._variable()

    def apply_accumulate(self, grad, create_graph):
        leaf = self._variable()
        if leaf is None or grad is None:
            return
        old = leaf._grad
        if create_graph:
            leaf.grad = grad if old is None else old + grad
        elif old is None:
            # a copy: ``grad`` may be shared with other leaves (add's backward passes it on)
            leaf._grad = grad._make(grad._data.copy(), grad._dtype, grad._device)
        elif old.grad_fn is not None or old._data.shape != grad._data.shape:
            leaf.grad = (old + grad).detach()
        else:
            old._data += grad._data  # in place, as PyTorch does: the .grad object keeps its identity
            old._vc[0] += 1
        if self._post_hooks:
            for hook in list(self._post_hooks):
                hook(leaf)


def edge(t):
    """The (node, output_nr) through which gradient reaches tensor ``t``."""
    fn = t.grad_fn
    if fn is not None:
        if t._vc[0]:
            refresh_view(t)
            fn = t.grad_fn
        return (fn, t._output_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return (None, 0)


def record(node, out, *inputs):
    """Make ``node`` the ``grad_fn`` of ``out``, with an edge to each input (a Tensor, or None
    for a non-differentiable argument)."""
    # ``edge`` inlined, in a plain loop: a generator expression costs ~0.4 us per recorded op
    nf = []
    for t in inputs:
        if t is None:
            nf.append((None, 0))
        elif t.grad_fn is not None:
            if t._vc[0]:  # modified in place: a view's grad_fn may be stale (refresh_view)
                refresh_view(t)
            nf.append((t.grad_fn, t._output_nr))
        elif t._requires_grad:
            nf.append((t._grad_accumulator(), 0))
        else:
            nf.append((None, 0))
    node.next_functions = tuple(nf)
    node._pre_hooks = node._hooks = None  # slots have no defaults: every node sets them here
    out.grad_fn = node
    out._requires_grad = True
    if _state.anomaly:
        remember_trace(node)
    return out


def refresh_view(t):
    """Give view ``t`` a current ``grad_fn`` if its base was modified in place since its
    ``grad_fn`` was set.

    Note [Stale views]: a view's ``grad_fn`` leads to the node its base had when the view was
    taken. An in-place write into the base (or into another view of it) gives the base a new
    node (CopySlices) and bumps the version counter that base and views share; the view's old
    ``grad_fn`` would then route gradient past the write. Like PyTorch (which regenerates it as
    ``AsStridedBackward0`` on access), the view's ``grad_fn`` is rebuilt from the base's current
    one, by replaying the view functions, when the view is next used by a recorded op or as a
    root of backward. Only tensors whose version is not 0 get here, so ops pay one test.
    """
    view_of = t._view_of
    if view_of is None:
        return
    version = t._vc[0]
    d = t.__dict__
    if d.get('_fn_version') == version:
        return
    parent = view_of[0]
    if parent.grad_fn is not None:
        refresh_view(parent)
        # a view taken (or rebuilt) after the write already leads to its parent's current node
        fn = t.grad_fn
        if fn.next_functions and fn.next_functions[0] == (parent.grad_fn, parent._output_nr):
            d['_fn_version'] = version
            return
    from ..ops.inplace import _replay, _view_chain
    base, steps = _view_chain(t)
    if base._requires_grad:
        prev = _state.enabled
        _state.enabled = True
        try:
            v = _replay(base, steps)
        finally:
            _state.enabled = prev
        t.grad_fn, t._output_nr = v.grad_fn, v._output_nr
    d['_fn_version'] = version


def remember_trace(node):
    """Anomaly mode: keep the stack of the forward call that created ``node`` (frames inside
    flambeau left out)."""
    frames = [f for f in traceback.extract_stack()
              if not f.filename.startswith(_FLAMBEAU_DIR)]
    _TRACES[node] = ''.join(traceback.format_list(frames))


def anomaly_trace(node):
    """The forward stack remembered for ``node`` in anomaly mode, or None."""
    try:
        return _TRACES.get(node)
    except TypeError:
        return None


def needs_grad(*tensors):
    """True when grad mode is on and one of ``tensors`` requires grad."""
    if not _state.enabled:
        return False
    for t in tensors:
        if t is not None and t._requires_grad:
            return True
    return False


_FREED = ('Trying to backward through the graph a second time (or directly access saved tensors '
          'after they have already been freed). Saved intermediate values of the graph are freed '
          'when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to '
          'backward through the graph a second time or if you need to access saved tensors after '
          'calling backward.')

_BACKWARD_SUFFIX = re.compile(r'Backward\d*$')  # PyTorch names the forward op: "output 0 of Mul"

_TYPE_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
               'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
               'bool': 'Bool'}


def tensor_type_name(t):
    """PyTorch's legacy type name of a tensor, e.g. ``torch.FloatTensor``."""
    prefix = 'torch.' if t.device.type == 'cpu' else 'torch.cuda.'
    return f'{prefix}{_TYPE_NAMES[t.dtype.name]}Tensor'


def _modified_message(t, expected, node=None, current=None):
    current = t._vc[0] if current is None else current
    fn = node if node is not None else t.grad_fn
    shape = list(t.shape)
    name = _BACKWARD_SUFFIX.sub('', fn.name()) if fn is not None else ''
    if node is None and fn is not None and t._view_of is not None:
        name = 'AsStrided'  # PyTorch regenerates the grad_fn of a modified view as AsStrided
    where = f', which is output {t._output_nr} of {name},' if fn is not None else ''
    return ('one of the variables needed for gradient computation has been modified by an '
            f'inplace operation: [{tensor_type_name(t)} {shape}]{where} is at version {current}; '
            f'expected version {expected} instead. Hint: enable anomaly detection to find the '
            'operation that failed to compute its gradient, with '
            'torch.autograd.set_detect_anomaly(True, check_nan=False).')
