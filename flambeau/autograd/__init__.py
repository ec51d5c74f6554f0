"""Automatic differentiation: ``backward``, ``grad``, ``Function`` (custom ops), grad modes
and ``gradcheck``. The engine is in ``engine.py`` (Note [The backward engine])."""
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .node import Node, edge

__all__ = ['backward', 'grad', 'Function', 'FunctionCtx', 'once_differentiable', 'no_grad',
           'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode', 'gradcheck',
           'gradgradcheck', 'Node']


def _as_tuple(x):
    if x is None:
        return None
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _roots(tensors, grad_tensors, name):
    """Check outputs and their gradients, PyTorch's way; return (edges, grads)."""
    from ..tensor import Tensor
    edges, grads = [], []
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f'got {len(tensors)} tensors and {len(grad_tensors)} gradients')
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t._requires_grad:
            raise RuntimeError(f'element {i} of tensors does not require grad and does not have a '
                               'grad_fn')
        if g is None:
            if t._data.size != 1:
                raise RuntimeError('grad can be implicitly created only for scalar outputs')
            g = t._make(t._device._backend.xp.ones(t._data.shape, t._data.dtype), t._dtype,
                        t._device)
        elif not isinstance(g, Tensor):
            from ..ops.creation import full_like
            g = full_like(t, g)
        elif g._data.shape != t._data.shape:
            from ..tensor import Size
            raise RuntimeError(f'Mismatch in shape: grad_output[{i}] has a shape of '
                               f'{Size(g._data.shape)} and output[{i}] has a shape of '
                               f'{Size(t._data.shape)}.')
        edges.append(edge(t))
        grads.append(g)
    return edges, grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the ``.grad`` of graph leaves the gradient of ``tensors`` (weighted by
    ``grad_tensors`` for non-scalars). ``inputs`` restricts which leaves receive it.

    Example::

        >>> x = flambeau.tensor([1., 2.], requires_grad=True)
        >>> flambeau.autograd.backward((x * x).sum())
        >>> x.grad
        tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    edges, grads = _roots(tensors, grad_tensors, 'backward')
    if inputs is not None:
        inputs = _as_tuple(inputs)
        found = grad(tensors, inputs, grads, retain_graph=retain_graph, create_graph=create_graph,
                     allow_unused=True, materialize_grads=False)
        from .node import AccumulateGrad
        for t, g in zip(inputs, found):
            if g is not None:
                if t.grad_fn is None:
                    AccumulateGrad(t).apply_accumulate(g, create_graph)
                else:
                    t._grad = g if t._grad is None else t._grad + g
        return
    run_backward(edges, grads, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated into
    ``.grad``). ``create_graph=True`` makes them differentiable for higher-order derivatives.

    Example::

        >>> x = flambeau.tensor(3., requires_grad=True)
        >>> g, = flambeau.autograd.grad(x ** 3, x, create_graph=True)
        >>> g, flambeau.autograd.grad(g, x)[0]
        (tensor(27., grad_fn=<MulBackward0>), tensor(18.))
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError('One of the differentiated Tensors does not require grad')
    edges, grads = _roots(outputs, grad_outputs, 'grad')
    keys = [edge(t) for t in inputs]
    capture = {k: None for k in keys}
    run_backward(edges, grads, retain_graph, create_graph, capture=capture)
    result = []
    for t, k in zip(inputs, keys):
        g = capture[k]
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f'The differentiated Tensor at index {len(result)} appears to '
                                   'not have been used in the graph. Set allow_unused=True if this '
                                   'is the desired behavior.')
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
