"""``flambeau.viz.make_dot`` / ``resize_graph`` against torchviz's drawing of PyTorch's own graph.

The expectation is built from torch's graph in this file (``_torchviz_reference``: torchviz's
rules applied to torch's ``grad_fn`` / ``next_functions``), and compared with the DOT source
that flambeau produces for the same program, as multisets of labelled nodes (label, colour)
and labelled edges: ids differ between the two, the drawing must not.
"""
import re
import shutil
import sys
from collections import Counter

import pytest

torch = pytest.importorskip('torch')
graphviz = pytest.importorskip('graphviz')

import flambeau  # noqa: E402
from flambeau.viz import make_dot, resize_graph  # noqa: E402

_NODE = re.compile(r'^\t(\w+) \[label=(?:"((?:[^"\\]|\\.)*)"|([^ \]]+))(?: (.*))?\]\n$', re.S)
_EDGE = re.compile(r'^\t(\w+) -> (\w+)(?: \[(.*)\])?\n$', re.S)


def _attrs(text):
    return dict(kv.split('=', 1) for kv in text.split()) if text else {}


def parse(dot):
    """DOT statements of ``dot`` as ``(nodes, edges)``: ``{id: (label, fillcolor)}`` (a node
    declared twice keeps its last label and colour, as Graphviz does) and a list of
    ``(src, dst, attrs)``."""
    nodes, edges = {}, []
    for stmt in dot.body:
        m = _EDGE.match(stmt)
        if m:
            edges.append((m.group(1), m.group(2), _attrs(m.group(3))))
            continue
        m = _NODE.match(stmt)
        assert m, f'unexpected DOT statement {stmt!r}'
        label = m.group(2) if m.group(2) is not None else m.group(3)
        color = _attrs(m.group(4)).get('fillcolor')
        old = nodes.get(m.group(1))
        nodes[m.group(1)] = (label, color or (old[1] if old else None))
    return nodes, edges


def canonical(nodes, edges):
    """The drawing without ids: node (label, colour) and edge (label, label, attrs) multisets."""
    node_set = Counter(nodes.values())
    edge_set = Counter((nodes[a][0], nodes[b][0], tuple(sorted(attrs.items())))
                       for a, b, attrs in edges)
    return node_set, edge_set


def fn_names(dot):
    """The names of the backward nodes (grey boxes: no fillcolor) drawn in ``dot``."""
    nodes, _ = parse(dot)
    return Counter(label.split('\n')[0] for label, color in nodes.values() if color is None)


def torch_fn_names(t):
    """The names of the nodes of torch's graph behind ``t``, walked through next_functions."""
    out, seen, stack = Counter(), set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        out[type(fn).__name__] += 1
        stack.extend(u for u, _ in fn.next_functions)
    return out


def _torchviz_reference(var, params=None):
    """What torchviz's ``make_dot(var, params)`` draws for torch's graph, as ``(nodes, edges)``
    in the form of ``parse`` (keys are Python ids of torch objects)."""
    param_map = {id(v): k for k, v in (params or {}).items()}
    nodes, edges, seen = {}, [], set()

    def label(t, name=None):
        name = name or param_map.get(id(t), '')
        return '%s\n (%s)' % (name, ', '.join('%d' % s for s in t.size()))

    def node(key, lab, color=None):
        old = nodes.get(str(key))
        nodes[str(key)] = (lab, color or (old[1] if old else None))

    def add_nodes(fn):
        if fn in seen:
            return
        seen.add(fn)
        if hasattr(fn, 'variable'):
            seen.add(fn.variable)
            node(id(fn.variable), label(fn.variable), 'lightblue')
            edges.append((str(id(fn.variable)), str(id(fn)), {}))
        node(id(fn), type(fn).__name__)
        for u, _ in fn.next_functions:
            if u is not None:
                edges.append((str(id(u)), str(id(fn)), {}))
                add_nodes(u)
        if hasattr(fn, 'saved_tensors'):
            for t in fn.saved_tensors:
                seen.add(t)
                edges.append((str(id(t)), str(id(fn)), {'dir': 'none'}))
                node(id(t), label(t), 'orange')

    def add_base(t, color='darkolivegreen1'):
        if t in seen:
            return
        seen.add(t)
        node(id(t), label(t), color)
        if t.grad_fn is not None:
            add_nodes(t.grad_fn)
            edges.append((str(id(t.grad_fn)), str(id(t)), {}))
        if t._is_view():
            add_base(t._base, 'darkolivegreen3')
            edges.append((str(id(t._base)), str(id(t)), {'style': 'dotted'}))

    for v in (var if isinstance(var, tuple) else (var,)):
        add_base(v)
    return nodes, edges


# -- programs, written once for both frameworks ---------------------------------------------
def linreg(m):
    """The tutorials' linear regression: ``b + w * x``, MSE by hand."""
    x = m.arange(10, dtype=m.float32).reshape(10, 1) / 10
    y = 1 + 2 * x
    b = m.tensor([0.5], requires_grad=True)
    w = m.tensor([-0.3], requires_grad=True)
    loss = ((b + w * x - y) ** 2).mean()
    return loss, {'b': b, 'w': w}


def linreg_mse_loss(m):
    x = m.arange(10, dtype=m.float32).reshape(10, 1) / 10
    b = m.tensor([0.5], requires_grad=True)
    w = m.tensor([-0.3], requires_grad=True)
    return m.nn.functional.mse_loss(b + w * x, 1 + 2 * x), {'b': b, 'w': w}


def conv_relu(m):
    conv = m.nn.Conv2d(1, 2, 3)
    x = m.ones(1, 1, 5, 5)
    return conv(x).relu().view(-1).sum(), dict(conv.named_parameters())


def conv_pool_softmax(m):
    conv = m.nn.Conv2d(1, 2, 3)
    y = m.nn.functional.max_pool2d(conv(m.ones(1, 1, 6, 6)), 2)
    return y.flatten(1).softmax(1).log().sum(), dict(conv.named_parameters())


def slice_exp(m):
    a = m.ones(3, 2, requires_grad=True)
    return (a[1:].exp().t() * 2).sum(), {'a': a}


def shared_leaf(m):
    """A leaf used twice and a node reached along two paths: each drawn once."""
    a = m.ones(3, requires_grad=True)
    h = a * a
    return (h + h.sin()).sum(), {'a': a}


def view_output(m):
    """An output that is a view: its base drawn dark green, joined by a dotted edge."""
    a = m.ones(4, requires_grad=True)
    y = a * 2
    return y[1:3], {'a': a}


def two_outputs(m):
    a = m.ones(2, 3, requires_grad=True)
    h = a.exp()
    return (h.sum(), (h * a).mean()), {'a': a}


def no_grad_output(m):
    return m.ones(2, 3) * 2, None


def _custom_exp(m):
    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            r = x.exp() * y
            ctx.save_for_backward(x, y)
            return r

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * x.exp() * y, g * x.exp()
    return Exp


def custom_function(m):
    """A custom Function: its saved tensors are always drawn (orange)."""
    a = m.ones(3, requires_grad=True)
    y = m.arange(3, dtype=m.float32)
    return _custom_exp(m).apply(a * 2, y).sum(), {'a': a}


PROGRAMS = [linreg, linreg_mse_loss, conv_relu, conv_pool_softmax, slice_exp, shared_leaf,
            view_output, two_outputs, no_grad_output, custom_function]


def _run(program):
    out = {}
    for m in (flambeau, torch):
        m.manual_seed(0)
        out[m.__name__] = program(m)
    return out['flambeau'], out['torch']


def test_linreg_node_names_match_torch():
    (fl_loss, fl_params), (th_loss, _) = _run(linreg)
    dot = make_dot(fl_loss, params=fl_params)
    assert fn_names(dot) == torch_fn_names(th_loss)
    assert fn_names(dot) == Counter({'MeanBackward0': 1, 'PowBackward0': 1, 'SubBackward0': 1,
                                     'AddBackward0': 1, 'MulBackward0': 1, 'AccumulateGrad': 2})


@pytest.mark.parametrize('program', PROGRAMS, ids=lambda p: p.__name__)
def test_drawing_matches_torchviz(program):
    (fl_out, fl_params), (th_out, th_params) = _run(program)
    dot = make_dot(fl_out, params=fl_params)
    got = canonical(*parse(dot))
    expected = canonical(*_torchviz_reference(th_out, th_params))
    assert got == expected


@pytest.mark.parametrize('program', [linreg, conv_relu], ids=lambda p: p.__name__)
def test_drawing_without_params(program):
    (fl_out, fl_params), (th_out, _) = _run(program)
    # (flambeau's AccumulateGrad holds its leaf weakly: the leaves must still be alive)
    assert fl_params
    assert canonical(*parse(make_dot(fl_out))) == canonical(*_torchviz_reference(th_out))


def test_leaf_labels_and_style():
    (loss, params), _ = _run(linreg)
    dot = make_dot(loss, params=params)
    nodes, _ = parse(dot)
    leaves = sorted(label for label, color in nodes.values() if color == 'lightblue')
    assert leaves == ['b\n (1)', 'w\n (1)']
    outputs = [label for label, color in nodes.values() if color == 'darkolivegreen1']
    assert outputs == ['\n ()']
    src = dot.source
    assert ('node [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box '
            'style=filled]') in src
    assert 'graph [size="12,12"]' in src
    assert 'AccumulateGrad' in src and 'torch::autograd' not in src


def test_custom_function_saved_tensors_are_orange():
    (out, params), _ = _run(custom_function)
    nodes, edges = parse(make_dot(out, params=params))
    saved = sorted(label for label, color in nodes.values() if color == 'orange')
    assert saved == ['\n (3)', '\n (3)']
    assert sum(1 for *_, a in edges if a == {'dir': 'none'}) == 2
    assert 'ExpBackward' in fn_names(make_dot(out))


def _torch_saved_count(t):
    """How many saved tensors torchviz's ``show_saved`` draws for torch's graph."""
    n, seen, stack = 0, set(), [t.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        for attr in dir(fn):
            if attr.startswith('_saved_'):
                val = getattr(fn, attr)
                if torch.is_tensor(val):
                    n += 1
                elif isinstance(val, tuple):
                    n += sum(torch.is_tensor(v) for v in val)
        stack.extend(u for u, _ in fn.next_functions)
    return n


@pytest.mark.parametrize('program', [linreg, conv_relu], ids=lambda p: p.__name__)
def test_show_saved(program):
    (fl_out, fl_params), (th_out, _) = _run(program)
    plain = parse(make_dot(fl_out, params=fl_params))
    nodes, edges = parse(make_dot(fl_out, params=fl_params, show_saved=True))
    undirected = [e for e in edges if e[2] == {'dir': 'none'}]
    assert len(undirected) == _torch_saved_count(th_out)
    for src, dst, _ in undirected:  # from a backward node to an orange tensor
        assert nodes[src][1] is None and dst in nodes
    assert len(edges) == len(plain[1]) + len(undirected)


def test_show_saved_names():
    (loss, params), _ = _run(linreg)
    nodes, edges = parse(make_dot(loss, params=params, show_saved=True))
    names = {label.split('\n')[0] for label, color in nodes.values() if color == 'orange'}
    assert names <= {'saved_tensors[0]', 'saved_tensors[1]', 'result'}
    # w and x are saved by MulBackward0; w is also the leaf, drawn once (light blue wins as
    # in torchviz, whose leaf node statement comes after the saved one)
    w_nodes = [label for label, color in nodes.values() if label == 'w\n (1)']
    assert w_nodes == ['w\n (1)']


def test_show_attrs_table():
    a = flambeau.ones(2, 3, requires_grad=True)
    out = a.sum(dim=1, keepdim=True)
    label = parse(make_dot(out, show_attrs=True))[0][str(id(out.grad_fn))][0]
    lines = label.split('\n')
    assert lines[0] == 'SumBackward1'
    assert set(lines[1]) == {'-'} and len(lines[1]) >= len('SumBackward1')
    rows = {k.strip(): v.strip() for k, v in (line.split(': ', 1) for line in lines[2:])}
    assert rows['keepdim'] == 'True' and rows['dims'] == '(1,)'
    widths = {len(line) for line in lines[2:]}
    assert len(widths) == 1  # a table: aligned columns
    short = parse(make_dot(out, show_attrs=True, max_attr_chars=4))[0][str(id(out.grad_fn))][0]
    assert all(len(line) <= len('keepdim: ') + 4 for line in short.split('\n')[2:])
    assert '(...' in short
    assert parse(make_dot(out))[0][str(id(out.grad_fn))][0] == 'SumBackward1'


def test_show_attrs_and_saved_after_backward():
    (loss, params), (th_loss, _) = _run(linreg)
    loss.backward()
    dot = make_dot(loss, params=params, show_attrs=True, show_saved=True)
    assert fn_names(dot) == torch_fn_names(th_loss)
    assert not any(c == 'orange' for _, c in parse(dot)[0].values())  # freed by backward
    (out, params), _ = _run(custom_function)
    out.backward()
    assert 'ExpBackward' in fn_names(make_dot(out, params=params))


def test_long_chain_no_recursion_error():
    x = flambeau.ones(2, requires_grad=True)
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y * 1.0
    names = fn_names(make_dot(y))
    assert names == Counter({'MulBackward0': 3 * sys.getrecursionlimit(), 'AccumulateGrad': 1})


def test_statement_order_like_torchviz():
    a = flambeau.ones(2, requires_grad=True)
    out = (a * 2).sum()
    body = make_dot(out, params={'a': a}).body
    # torchviz's order: the output, then depth first each node before its inputs (an edge
    # into a node just before the input's subtree), the edge into the output last
    mul = out.grad_fn.next_functions[0][0]
    acc = mul.next_functions[0][0]
    ids = [str(id(x)) for x in (out, out.grad_fn, mul, acc, a)]
    o, s, mu, ac, leaf = ids
    assert body == [
        f'\t{o} [label="\n ()" fillcolor=darkolivegreen1]\n',
        f'\t{s} [label=SumBackward0]\n',
        f'\t{mu} -> {s}\n',
        f'\t{mu} [label=MulBackward0]\n',
        f'\t{ac} -> {mu}\n',
        f'\t{leaf} [label="a\n (2)" fillcolor=lightblue]\n',
        f'\t{leaf} -> {ac}\n',
        f'\t{ac} [label=AccumulateGrad]\n',
        f'\t{s} -> {o}\n']


def test_leaf_no_longer_referenced():
    """flambeau's AccumulateGrad holds its leaf weakly: a leaf dropped by the program is drawn
    as its AccumulateGrad box alone."""
    out = flambeau.ones(2, requires_grad=True).exp().sum()
    nodes, edges = parse(make_dot(out))
    assert fn_names(make_dot(out)) == Counter({'SumBackward0': 1, 'ExpBackward0': 1,
                                               'AccumulateGrad': 1})
    assert not any(color == 'lightblue' for _, color in nodes.values())


def test_params_must_be_tensors():
    a = flambeau.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match='Tensors'):
        make_dot(a.sum(), params={'a': 1.0})


def test_missing_graphviz_message(monkeypatch):
    monkeypatch.setitem(sys.modules, 'graphviz', None)
    with pytest.raises(ImportError, match='pip install graphviz'):
        make_dot(flambeau.ones(2, requires_grad=True).sum())


def test_resize_graph():
    a = flambeau.ones(2, requires_grad=True)
    dot = make_dot((a * 2).sum())
    n = len(dot.body)
    assert dot.graph_attr['size'] == '12,12'
    resize_graph(dot, size_per_element=1, min_size=1)
    assert dot.graph_attr['size'] == f'{n},{n}'
    resize_graph(dot, size_per_element=0.5, min_size=1)
    assert dot.graph_attr['size'] == f'{n * 0.5},{n * 0.5}'
    resize_graph(dot)
    assert dot.graph_attr['size'] == '12,12'


@pytest.mark.skipif(shutil.which('dot') is None, reason="Graphviz's dot program is absent")
def test_render(tmp_path):
    (loss, params), _ = _run(linreg)
    path = make_dot(loss, params=params, show_saved=True).render(tmp_path / 'g', format='svg')
    assert 'MulBackward0' in open(path).read()
