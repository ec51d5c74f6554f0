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

The loop of pass 2 is the engine's hot path (it runs once per node of every backward): it is
written out in one function, with the common case (one output, no hooks, no anomaly mode)
first and everything rarer behind one test each. Gradients that meet in a buffer are added
as arrays when no graph is recorded.

Anomaly mode (``detect_anomaly``): every node remembers the stack of the forward call that
created it (``node.py``); the engine checks each backward's outputs for NaN and, when a node's
backward fails, warns with that stack before the error propagates.
"""
import warnings

from . import grad_mode
from .node import AccumulateGrad, RetainGradHook, TensorHook, anomaly_trace

_state = grad_mode.state

# callbacks queued during a backward pass (queue_callback), run when the outermost pass ends
_final_callbacks = []
_depth = [0]  # how many run_backward calls are active (a hook may itself call backward)


def queue_callback(callback):
    """Run ``callback()`` once the backward pass now running has finished, after every
    gradient has been accumulated (PyTorch's ``Variable._execution_engine.queue_callback``;
    ``DistributedDataParallel`` uses it to wait for its last all-reduce). Only callable from
    inside a backward pass, e.g. from a tensor hook."""
    if not _depth[0]:
        raise RuntimeError('Final callbacks can only be installed during backward pass.')
    _final_callbacks.append(callback)


def _run_hooks(node, grads, capture=None):
    """Run ``node``'s pre-hooks on its incoming gradients (a list, one per output): the
    tensor hooks (``register_hook``) first, then ``retain_grad``, then the node's own
    ``register_prehook`` hooks, as PyTorch orders them. ``autograd.grad`` captures the
    gradient after the tensor hooks, before the node's hooks (``capture``: a callback)."""
    hooks = list(node._pre_hooks)
    for kind in (TensorHook, RetainGradHook):
        for hook in hooks:
            if hook.__class__ is kind:
                res = hook(grads)
                if res is not None:
                    grads = list(res)
    if capture is not None:
        capture(grads)
    for hook in hooks:
        if hook.__class__ is not TensorHook and hook.__class__ is not RetainGradHook:
            res = hook(grads)
            if res is not None:
                grads = list(res)
    return grads


def _dependencies(root_nodes):
    """For every node below the roots, how many edges point at it (pass 1)."""
    deps = {}
    stack = list(root_nodes)
    # a root reachable from another root is walked once, as a root
    roots = set(root_nodes) if len(root_nodes) > 1 else ()
    while stack:
        for nxt, _ in stack.pop().next_functions:
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                if nxt not in roots:
                    stack.append(nxt)
    return deps


def _add(old, g, create_graph):
    """``old + g`` for gradients meeting in a buffer: a new array when no graph is recorded
    (never in place: ``old`` may be shared with another buffer)."""
    if old is None:
        return g
    if create_graph or old._dtype is not g._dtype or old._data.shape != g._data.shape:
        return old + g
    return old._make(old._data + g._data, old._dtype, old._device)


def _check_nan(node, out):
    xp = None
    for i, g in enumerate(out):
        if g is not None and g._dtype.is_floating_point:
            xp = xp or g._device._backend.xp
            if xp.isnan(g._data).any():
                raise RuntimeError(f"Function '{node.name().rsplit('::', 1)[-1]}' returned nan "
                                   f'values in its {i}th output.')


def _warn_anomaly(node):
    trace = anomaly_trace(node)
    name = node.name().rsplit('::', 1)[-1]
    if trace is None:
        warnings.warn(f'Error detected in {name}. No forward pass information available. Enable '
                      'detect anomaly during forward pass for more information.', UserWarning,
                      stacklevel=4)
    else:
        warnings.warn(f'Error detected in {name}. Traceback of forward call that caused the '
                      f'error:\n{trace}', UserWarning, stacklevel=4)


def run_backward(roots, grads, retain_graph=False, create_graph=False, capture=None):
    """Propagate ``grads`` (one per root, as (node, output_nr) edges) through the graph.

    ``capture``: None to accumulate into leaves' ``.grad``; else a dict mapping
    (node, output_nr) edges to None, filled with the gradient flowing into each edge, and no
    ``.grad`` is touched.
    """
    buffers = {}  # node -> [grad per output], for nodes still waiting for other edges
    root_nodes = []
    for (node, nr), g in zip(roots, grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
            root_nodes.append(node)
        buf[nr] = _add(buf[nr], g, create_graph)
    deps = _dependencies(root_nodes)
    # ready: (node, its gradient) pairs; the gradient is a Tensor (or None) for a node with one
    # output, a list for a node with several. A node with one incoming edge never touches
    # ``buffers``: its gradient goes straight onto ``ready``.
    ready = []
    for node in root_nodes:
        if node not in deps:
            buf = buffers.pop(node)
            ready.append((node, buf[0] if node.n_outputs == 1 else buf))
    captured = {n for n, _ in capture} if capture is not None else ()
    anomaly = _state.anomaly
    check_nan = anomaly and _state.check_nan
    prev = _state.enabled
    _state.enabled = create_graph
    node = None
    _depth[0] += 1
    try:
        while ready:
            node, grads = ready.pop()
            single = node.n_outputs == 1
            if node._pre_hooks or node in captured:
                grads = _hooks_and_capture(node, grads, single, capture)
            if node.__class__ is AccumulateGrad:
                if grads is not None and capture is None:
                    node.apply_accumulate(grads, create_graph)
                continue
            nf = node.next_functions
            out = None
            if grads is not None:
                if single:
                    out = node.backward(grads)
                else:
                    for g in grads:
                        if g is not None:
                            out = node.backward(grads)
                            break
                if out is not None:
                    if type(out) is not tuple:
                        out = tuple(out) if type(out) is list else (out,)
                    if len(out) != len(nf):
                        raise RuntimeError(f'Function {node.name()} returned an invalid number '
                                           f'of gradients - expected {len(nf)}, but got '
                                           f'{len(out)}')
                    if node._hooks:
                        out = _post_hooks(node, out, grads, single)
                    if check_nan:
                        _check_nan(node, out)
                    if not retain_graph:
                        node.release()  # (nodes that keep arrays of their own free them too)
            if out is None:
                out = (None,) * len(nf)
            for (nxt, nr), g in zip(nf, out):
                if nxt is None:
                    continue
                left = deps[nxt] - 1
                if left:  # more edges to come: keep the gradient in the node's buffer
                    deps[nxt] = left
                    if g is not None:
                        buf = buffers.get(nxt)
                        if buf is None:
                            buf = buffers[nxt] = [None] * nxt.n_outputs
                        buf[nr] = _add(buf[nr], g, create_graph)
                    continue
                buf = buffers.pop(nxt, None) if buffers else None
                if buf is not None:
                    buf[nr] = _add(buf[nr], g, create_graph) if g is not None else buf[nr]
                    ready.append((nxt, buf[0] if nxt.n_outputs == 1 else buf))
                elif nxt.n_outputs == 1:
                    ready.append((nxt, g))
                else:
                    buf = [None] * nxt.n_outputs
                    buf[nr] = g
                    ready.append((nxt, buf))
        if _final_callbacks and _depth[0] == 1:
            node = None
            while _final_callbacks:
                _final_callbacks.pop(0)()
    except BaseException:
        if _depth[0] == 1:
            _final_callbacks.clear()
        if anomaly and node is not None:
            _warn_anomaly(node)
        raise
    finally:
        _state.enabled = prev
        _depth[0] -= 1


def _hooks_and_capture(node, grads, single, capture):
    """Pre-hooks and ``autograd.grad``'s capture for one node (the engine's rare path)."""
    if single:
        grads = [grads]
    elif grads is None:
        grads = [None] * node.n_outputs
    if capture is not None and any((node, nr) in capture for nr in range(len(grads))):
        def keep(gs):
            for nr, g in enumerate(gs):
                if (node, nr) in capture:
                    capture[(node, nr)] = g
    else:
        keep = None
    if node._pre_hooks:
        if all(g is None for g in grads):
            return None if single else grads
        grads = _run_hooks(node, grads, keep)
    elif keep is not None:
        keep(grads)
    if single:
        return grads[0]
    return grads if any(g is not None for g in grads) else None


def _post_hooks(node, out, grads, single):
    """The node's ``register_hook`` hooks: ``hook(grad_inputs, grad_outputs)``, which may
    return replacement ``grad_inputs``."""
    grad_outputs = (grads,) if single else tuple(grads)
    for hook in list(node._hooks):
        res = hook(out, grad_outputs)
        if res is not None:
            out = tuple(res)
    return out
