"""Automatic differentiation: ``backward``, ``grad``, ``Function`` (custom ops), grad modes,
anomaly detection, ``gradcheck`` and ``functional`` (jacobian, hessian, vjp, jvp, hvp, vhp). The
engine is in ``engine.py`` (Note [The backward engine])."""
import warnings

from .anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                           set_detect_anomaly)
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .node import Node, edge

__all__ = ['backward', 'grad', 'Function', 'FunctionCtx', 'once_differentiable', 'no_grad',
           'enable_grad', 'set_grad_enabled', 'is_grad_enabled', 'inference_mode',
           'is_inference_mode_enabled', 'detect_anomaly', 'set_detect_anomaly',
           'is_anomaly_enabled', 'is_anomaly_check_nan_enabled', 'gradcheck', 'gradgradcheck',
           'functional', 'Node']

def _as_tuple(x):
    if x is None:
        return None
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _roots(tensors, grad_tensors):
    """Check outputs and their gradients, PyTorch's way; return (edges, grads)."""
    from ..tensor import Tensor
    edges, grads = [], []
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) < len(tensors):
        raise RuntimeError(f'got {len(tensors)} tensors and {len(grad_tensors)} gradients')
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if g is None:
            if not t._requires_grad:
                raise RuntimeError(f'element {i} of tensors does not require grad and does not '
                                   'have a grad_fn')
            if t._data.size != 1:
                raise RuntimeError('grad can be implicitly created only for scalar outputs')
            g = t._make(t._device._backend.xp.ones(t._data.shape, t._data.dtype), t._dtype,
                        t._device)
        elif not isinstance(g, Tensor):
            raise TypeError(f'gradients can be either Tensors or None, but got '
                            f'{type(g).__name__}')
        else:
            if g._data.shape != t._data.shape:
                from ..tensor import Size
                raise RuntimeError(f'Mismatch in shape: grad_output[{i}] has a shape of '
                                   f'{Size(g._data.shape)} and output[{i}] has a shape of '
                                   f'{Size(t._data.shape)}.')
            if not t._requires_grad:
                raise RuntimeError(f'element {i} of tensors does not require grad and does not '
                                   'have a grad_fn')
            if g._dtype is not t._dtype:
                g = g.to(t._dtype)
        edges.append(edge(t))
        grads.append(g)
    return edges, grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the ``.grad`` of graph leaves the gradient of ``tensors`` (weighted by
    ``grad_tensors`` for non-scalars). ``inputs`` restricts which tensors (leaves, or non-leaves)
    receive it.

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
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError('`inputs` argument to `backward()` cannot be empty.')
        for t in inputs:
            if not t._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    edges, grads = _roots(tensors, grad_tensors)
    if inputs is None:
        run_backward(edges, grads, retain_graph, create_graph)
        return
    found = _capture(edges, grads, inputs, retain_graph, create_graph)
    for t, g in zip(inputs, found):
        if g is None:
            continue
        if t.grad_fn is None:
            t._grad_accumulator().apply_accumulate(g, create_graph)
        else:
            g = g if create_graph else g.detach()
            t._grad = g if t._grad is None else t._grad + g


def _capture(edges, grads, inputs, retain_graph, create_graph):
    """The gradients reaching ``inputs`` (None where none does), accumulating into nothing."""
    keys = [edge(t) for t in inputs]
    capture = dict.fromkeys(keys)
    run_backward(edges, grads, retain_graph, create_graph, capture=capture)
    return [capture[k] for k in keys]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated into
    ``.grad``).

    ``grad_outputs`` weighs non-scalar outputs (the vector of the vector-Jacobian product);
    ``create_graph=True`` makes the result differentiable for higher-order derivatives;
    ``allow_unused=True`` returns None for an input the outputs do not depend on (zeros with
    ``materialize_grads=True``). ``is_grads_batched`` is not supported.

    Example::

        >>> x = flambeau.tensor(3., requires_grad=True)
        >>> g, = flambeau.autograd.grad(x ** 3, x, create_graph=True)
        >>> g, flambeau.autograd.grad(g, x)[0]
        (tensor(27., grad_fn=<MulBackward0>), tensor(18.))
    """
    if materialize_grads and allow_unused is False:
        raise ValueError('Expected allow_unused to be True or not passed when materialize_grads='
                         'True, but got: allow_unused=False.')
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        raise NotImplementedError('flambeau.autograd.grad does not support is_grads_batched=True')
    if not only_inputs:
        warnings.warn('only_inputs argument is deprecated and is ignored now (defaults to True). '
                      'To accumulate gradient for other parts of the graph, please use '
                      'torch.autograd.backward.', FutureWarning, stacklevel=2)
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError('`inputs` argument to `grad()` cannot be empty.')
    if retain_graph is None:
        retain_graph = create_graph
    edges, grads = _roots(outputs, grad_outputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError('One of the differentiated Tensors does not require grad')
    result = []
    for i, (t, g) in enumerate(zip(inputs, _capture(edges, grads, inputs, retain_graph,
                                                    create_graph))):
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f'The differentiated Tensor at index {i} appears to not have '
                                   'been used in the graph. Set allow_unused=True if this is the '
                                   'desired behavior.')
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import functional  # noqa: E402,F401
