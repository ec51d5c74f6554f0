"""Draw the autograd graph of a tensor with Graphviz: ``make_dot`` and ``resize_graph``, with
the signature and the look of torchviz (``pip install torchviz``) for PyTorch.

``make_dot`` returns a ``graphviz.Digraph``; building it needs the ``graphviz`` Python package
(``pip install graphviz``, or flambeau's ``viz`` extra), rendering it (``dot.render(...)``)
needs Graphviz's ``dot`` program as well. ``import flambeau.viz`` works without either.

Node styles, as in torchviz:

* grey boxes: backward nodes (``grad_fn``), named as PyTorch names them (``MulBackward0``,
  ``AccumulateGrad``);
* light blue: leaf tensors that require grad (their ``.grad`` is filled by ``backward()``),
  labelled with their name in ``params`` and their shape;
* orange: tensors saved for backward (always for custom ``autograd.Function`` nodes, for
  built-in nodes with ``show_saved=True``);
* green: the tensors passed as ``var``; dark green: the base of an output that is a view.

Note [Saved tensors in the drawing]: PyTorch's built-in nodes expose what they saved as named
attributes (``_saved_self``, ``_saved_other``, ``_saved_result``, ``_saved_dim`` ...), which
torchviz lists. flambeau's nodes keep their saved tensors in one unnamed tuple (``_saved``,
see Note [Saved tensors] in autograd/node.py), their saved output apart (``_out``) and their
other arguments in slots named for flambeau's backward formulas. So ``show_saved`` draws the
saved inputs as ``saved_tensors[i]`` and a saved output as ``result`` (PyTorch's name for
it), and ``show_attrs`` lists the slots under flambeau's names, which are not always
PyTorch's (``MulBackward0`` shows ``a``/``b`` where PyTorch shows ``self``/``other``).
"""
__all__ = ['make_dot', 'resize_graph']

SAVED_PREFIX = '_saved_'  # PyTorch's prefix of the saved attributes of a backward node

_NODE_ATTR = dict(style='filled', shape='box', align='left', fontsize='10', ranksep='0.1',
                  height='0.2', fontname='monospace')
# slots of flambeau's nodes that are bookkeeping, not arguments of the op
_HIDDEN_SLOTS = frozenset({'label', 'next_functions', '_saved', '_versions', '_out',
                           '_pre_hooks', '_hooks', '__weakref__', '__dict__'})
_SLOTS = {}  # node class -> the names of its argument slots (computed once per class)


def _digraph_class():
    try:
        from graphviz import Digraph
    except ImportError:
        raise ImportError("flambeau.viz.make_dot needs the 'graphviz' Python package: install it "
                          "with `pip install graphviz` (or `pip install flambeau[viz]`); "
                          "rendering the graph also needs Graphviz's `dot` program "
                          "(https://graphviz.org/download/).") from None
    return Digraph


def _fn_name(fn):
    # PyTorch's type name: AccumulateGrad's name() is 'torch::autograd::AccumulateGrad'
    return fn.name().rsplit('::', 1)[-1]


def _size_str(t):
    return '(' + ', '.join('%d' % v for v in t.shape) + ')'


def _arg_slots(cls):
    names = _SLOTS.get(cls)
    if names is None:
        from .autograd.node import Node
        names = []
        for c in reversed(cls.__mro__):
            if c is Node or not issubclass(c, Node):
                continue
            slots = c.__dict__.get('__slots__', ())
            for s in (slots,) if isinstance(slots, str) else slots:
                if not s.startswith('_') and s not in _HIDDEN_SLOTS and s not in names:
                    names.append(s)
        _SLOTS[cls] = names = tuple(names)
    return names


def _saved_items(fn):
    """``(name, value)`` of what backward node ``fn`` saved: PyTorch-style ``_saved_*``
    attributes where a node has them, else flambeau's saved tuple and output (Note [Saved
    tensors in the drawing]). Tensors come back as Tensors; nothing is version-checked."""
    from .autograd.function import BackwardCFunction
    from .tensor import Tensor
    items = [(a[len(SAVED_PREFIX):], getattr(fn, a)) for a in dir(fn)
             if a.startswith(SAVED_PREFIX)]
    if items or isinstance(fn, BackwardCFunction):
        return items  # a custom Function's saved tensors are drawn from ``saved_tensors``
    saved = getattr(fn, '_saved', None)
    if saved:
        items.append(('saved_tensors', tuple(saved)))
    out = getattr(fn, '_out', None)
    if out is not None:
        data, dtype, device = out[0], out[1], out[2]
        items.append(('result', Tensor._make(data, dtype, device)))
    return items


def _fn_label(fn, show_attrs, max_attr_chars):
    name = _fn_name(fn)
    if not show_attrs:
        return name
    from .tensor import Tensor
    attrs = {}
    for attr, val in _saved_items(fn):
        if isinstance(val, Tensor):
            attrs[attr] = '[saved tensor]'
        elif isinstance(val, tuple) and any(isinstance(t, Tensor) for t in val):
            attrs[attr] = '[saved tensors]'
        else:
            attrs[attr] = str(val)
    for attr in _arg_slots(type(fn)):
        if attr not in attrs:
            val = getattr(fn, attr, None)
            attrs[attr] = '[saved tensor]' if isinstance(val, Tensor) else str(val)
    if not attrs:
        return name
    max_attr_chars = max(max_attr_chars, 3)
    col1 = max(len(k) for k in attrs)
    col2 = min(max(len(v) for v in attrs.values()), max_attr_chars)
    sep = '-' * max(col1 + col2 + 2, len(name))
    rows = []
    for k, v in attrs.items():
        if len(v) > col2:
            v = v[:col2 - 3] + '...'
        rows.append('%-*s: %*s' % (col1, k, col2, v))
    return name + '\n' + sep + '\n' + '\n'.join(rows)


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """Produce a Graphviz drawing of the autograd graph that leads to ``var``.

    Backward nodes are grey boxes named as PyTorch names them; leaf tensors that require grad
    are light blue (labelled with their name in ``params`` and their shape); tensors saved for
    backward are orange (always for custom ``autograd.Function`` nodes, for built-in nodes
    when ``show_saved``); the output tensors are green, and the base of an output that is a
    view dark green, joined to it by a dotted edge. The layout and the DOT source follow
    torchviz's ``make_dot``. (A leaf's ``AccumulateGrad`` holds the leaf weakly in flambeau: a
    leaf that nothing references any more is drawn as its ``AccumulateGrad`` box alone.)

    Args:
        var (Tensor or tuple of Tensors): the output(s) whose graph to draw.
        params (dict, optional): ``{name: tensor}`` naming leaf tensors, e.g.
            ``dict(model.named_parameters())``.
        show_attrs (bool): list the non-tensor arguments each backward node kept (flambeau's
            slot names, see Note [Saved tensors in the drawing] in this module).
        show_saved (bool): draw the tensors that built-in backward nodes saved.
        max_attr_chars (int): with ``show_attrs``, the longest attribute value shown.

    Returns:
        graphviz.Digraph: ``.source`` is the DOT text; ``.render('graph', format='png')``
        draws it (needs Graphviz's ``dot`` program).

    Example::

        >>> from flambeau.viz import make_dot
        >>> model = flambeau.nn.Linear(3, 1)
        >>> loss = model(flambeau.ones(4, 3)).pow(2).mean()
        >>> dot = make_dot(loss, params=dict(model.named_parameters()))
        >>> 'AddmmBackward0' in dot.source
        True
    """
    Digraph = _digraph_class()
    from .autograd.function import BackwardCFunction
    from .tensor import Tensor

    if params is not None:
        if not all(isinstance(p, Tensor) for p in params.values()):
            raise TypeError('make_dot(): the values of params must be Tensors')
        param_map = {id(v): k for k, v in params.items()}
    else:
        param_map = {}

    dot = Digraph(node_attr=dict(_NODE_ATTR), graph_attr=dict(size='12,12'))
    seen = set()  # ids of the nodes and tensors drawn
    keep = []  # tensors rebuilt for the drawing, kept alive so that their ids stay unique

    def var_label(t, name=None):
        if not name:
            name = param_map.get(id(t), '')
        return '%s\n %s' % (name, _size_str(t))

    def saved_tensor(fn, t, name):
        keep.append(t)
        seen.add(id(t))
        dot.edge(str(id(fn)), str(id(t)), dir='none')
        dot.node(str(id(t)), var_label(t, name), fillcolor='orange')

    def enter(fn):
        """Draw ``fn`` and what hangs on it (before its inputs, as torchviz does)."""
        seen.add(id(fn))
        if show_saved:
            for attr, val in _saved_items(fn):
                if isinstance(val, Tensor):
                    saved_tensor(fn, val, attr)
                elif isinstance(val, tuple):
                    for i, t in enumerate(val):
                        if isinstance(t, Tensor):
                            saved_tensor(fn, t, '%s[%d]' % (attr, i))
        if _fn_name(fn) == 'AccumulateGrad':
            leaf = fn.variable
            if leaf is not None:
                seen.add(id(leaf))
                dot.node(str(id(leaf)), var_label(leaf), fillcolor='lightblue')
                dot.edge(str(id(leaf)), str(id(fn)))
        dot.node(str(id(fn)), _fn_label(fn, show_attrs, max_attr_chars))

    def leave(fn):
        if isinstance(fn, BackwardCFunction):
            try:
                saved = fn.saved_tensors
            except RuntimeError:  # freed by backward, or modified in place since
                saved = ()
            for t in saved:
                if t is None:
                    continue
                keep.append(t)
                seen.add(id(t))
                dot.edge(str(id(t)), str(id(fn)), dir='none')
                dot.node(str(id(t)), var_label(t), fillcolor='orange')

    def add_nodes(root):
        # depth first with an explicit stack (long graphs such as an unrolled RNN would
        # exceed Python's recursion limit), in torchviz's order of statements
        if id(root) in seen:
            return
        enter(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            fn, children = stack[-1]
            for child, _ in children:
                if child is None:
                    continue
                dot.edge(str(id(child)), str(id(fn)))
                if id(child) not in seen:
                    enter(child)
                    stack.append((child, iter(child.next_functions)))
                    break
            else:
                leave(fn)
                stack.pop()

    def add_base_tensor(t, color='darkolivegreen1'):
        if id(t) in seen:
            return
        seen.add(id(t))
        dot.node(str(id(t)), var_label(t), fillcolor=color)
        if t.grad_fn is not None:
            add_nodes(t.grad_fn)
            dot.edge(str(id(t.grad_fn)), str(id(t)))
        if t._view_of is not None and t._base is not None:
            add_base_tensor(t._base, color='darkolivegreen3')
            dot.edge(str(id(t._base)), str(id(t)), style='dotted')

    for v in (var if isinstance(var, tuple) else (var,)):
        add_base_tensor(v)
    resize_graph(dot)
    return dot


def resize_graph(dot, size_per_element=0.15, min_size=12):
    """Set the drawing size of ``dot`` from how much it holds, in place: ``size_per_element``
    inches per statement of its body, at least ``min_size`` inches square.

    Example::

        >>> dot = make_dot(flambeau.ones(2, requires_grad=True).sum())
        >>> resize_graph(dot, size_per_element=1, min_size=1)
        >>> dot.graph_attr['size']
        '5,5'
    """
    size = max(min_size, len(dot.body) * size_per_element)
    dot.graph_attr.update(size='%s,%s' % (size, size))
