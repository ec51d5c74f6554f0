"""The backward engine.

Note [The backward engine]: backward runs in two passes over the graph, both iterative (a
chain of 100 000 ops must not hit Python's recursion limit):

1. from the roots, walk ``next_functions`` with an explicit stack and count, for every node,
   how many edges point at it (its dependencies);
2. start from the roots with their gradients in per-node buffers; pop a node whose
   dependencies are all done, run its pre-hooks (tensor hooks, ``retain_grad``), call its
   ``backward`` and add each returned gradient into the buffer of the node it flows to; a node
   whose count drops to zero is ready. ``AccumulateGrad`` nodes add into ``leaf.grad``.

Backward runs under ``no_grad`` unless ``create_graph=True``, so it records nothing and stays
cheap. Nodes free their saved tensors after running unless ``retain_graph=True``.
``autograd.grad`` uses the same walk but captures the gradients reaching the requested
tensors instead of accumulating into ``.grad``.
"""
from . import grad_mode
from .node import AccumulateGrad

_state = grad_mode.state


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _dependencies(roots):
    deps = {}
    stack = list(roots)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return deps


def _run_hooks(node, grads):
    """Run ``node``'s pre-hooks (tensor hooks, ``retain_grad``) on its incoming gradients."""
    for hook in list(node._pre_hooks):
        res = hook(grads)
        if res is not None:
            grads = list(res)
    return grads


def _call_node(node, grads):
    """Run one node's backward; returns a tuple (one entry per next function) or None when
    no gradient reached it."""
    if node._pre_hooks:
        grads = _run_hooks(node, grads)
    if node.n_outputs == 1:
        g = grads[0]
        if g is None:
            return None
        out = node.backward(g)
    else:
        for g in grads:
            if g is not None:
                break
        else:
            return None
        out = node.backward(grads)
    if type(out) is not tuple:
        out = tuple(out) if type(out) is list else (out,)
    hooks = node._hooks
    if hooks:
        for hook in list(hooks):
            res = hook(out, tuple(grads))
            if res is not None:
                out = tuple(res)
    return out


def run_backward(roots, grads, retain_graph=False, create_graph=False, capture=None):
    """Propagate ``grads`` (one per root, as (node, output_nr) edges) through the graph.

    ``capture``: None to accumulate into leaves' ``.grad``; else a dict mapping
    (node, output_nr) edges to None, filled with the gradient flowing into each edge, and no
    ``.grad`` is touched.
    """
    root_nodes = []
    buffers = {}
    for (node, nr), g in zip(roots, grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
            root_nodes.append(node)
        buf[nr] = _add(buf[nr], g)
    deps = _dependencies(root_nodes)
    ready = [n for n in root_nodes if n not in deps]
    prev = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            node_grads = buffers.pop(node, None)
            if capture is not None and node_grads is not None:
                for nr, g in enumerate(node_grads):
                    if (node, nr) in capture:
                        capture[(node, nr)] = g
            if node.__class__ is AccumulateGrad:
                if capture is None and node_grads is not None:
                    if node._pre_hooks:
                        node_grads = _run_hooks(node, node_grads)
                    node.apply_accumulate(node_grads[0], create_graph)
                continue
            out = _call_node(node, node_grads) if node_grads is not None else None
            if out is not None and not retain_graph:
                node.release()
            for i, (nxt, nr) in enumerate(node.next_functions):
                if nxt is None:
                    continue
                if out is not None:
                    g = out[i]
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * nxt.n_outputs
                        old = buf[nr]
                        buf[nr] = g if old is None else old + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    ready.append(nxt)
    finally:
        _state.enabled = prev
