"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``,
``clip_grads_with_norm_``. Everything runs under ``no_grad`` and modifies ``.grad`` in place."""
import types
import warnings

from ...autograd import grad_mode
from ...ops.creation import tensor as _tensor
from ...ops.reduce import vector_norm
from ...ops.shape import stack
from ...tensor import Tensor

__all__ = ['clip_grad_norm_', 'clip_grad_norm', 'clip_grad_value_', 'get_total_norm',
           'clip_grads_with_norm_']


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of the norms of ``tensors`` (as if they were concatenated into
    one vector); ``norm_type`` may be ``inf``.

    Example::

        >>> flambeau.nn.utils.get_total_norm([flambeau.tensor([3.0]), flambeau.tensor([4.0])])
        tensor(5.)
    """
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return _tensor(0.0)
    with grad_mode.no_grad():
        first = tensors[0].device
        norms = [vector_norm(t, norm_type).to(first) for t in tensors]
        total = vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and (total.isnan() | total.isinf()).item():
        raise RuntimeError(f'The total norm of order {norm_type} for gradients from `parameters` '
                           'is non-finite, so it cannot be clipped. To disable this error and '
                           'scale the gradients by the non-finite norm anyway, set '
                           '`error_if_nonfinite=False`')
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of ``parameters`` in place by
    ``min(max_norm / (total_norm + 1e-6), 1)``.

    Example::

        >>> w = flambeau.nn.Parameter(flambeau.ones(4))
        >>> w.grad = flambeau.full((4,), 2.0)
        >>> flambeau.nn.utils.clip_grads_with_norm_([w], 1.0, flambeau.tensor(4.0))
        >>> w.grad
        tensor([0.5000, 0.5000, 0.5000, 0.5000])
    """
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    with grad_mode.no_grad():
        coef = (max_norm / (total_norm + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.device))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Clip the gradient norm of ``parameters``: if the total norm of their gradients (as
    one vector, ``norm_type``-norm, ``inf`` allowed) exceeds ``max_norm``, scale them all in
    place so that it equals ``max_norm``. Returns the total norm before clipping.

    Example::

        >>> w = flambeau.nn.Parameter(flambeau.zeros(2))
        >>> w.grad = flambeau.tensor([3.0, 4.0])
        >>> flambeau.nn.utils.clip_grad_norm_([w], max_norm=1.0)
        tensor(5.)
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn('`parameters` is an empty generator, no gradient clipping will occur.',
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_`."""
    warnings.warn('`torch.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`torch.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp the gradients of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Example::

        >>> w = flambeau.nn.Parameter(flambeau.zeros(2))
        >>> w.grad = flambeau.tensor([-3.0, 0.5])
        >>> flambeau.nn.utils.clip_grad_value_([w], 1.0)
        >>> w.grad
        tensor([-1.0000,  0.5000])
    """
    clip_value = float(clip_value)
    with grad_mode.no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
