"""``parameters_to_vector`` and ``vector_to_parameters``: a model's parameters as one flat
vector, and back."""
from ...ops.shape import cat
from ...tensor import Tensor
from ..modules.module import _typename

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_param_device(param, old_device):
    if old_device is None:
        return param.device
    if param.device != old_device:
        raise TypeError('Found two parameters on different devices, this is currently not '
                        'supported.')
    return old_device


def parameters_to_vector(parameters):
    """Flatten an iterable of parameters into one vector (in iteration order).

    Example::

        >>> m = flambeau.nn.Linear(3, 2)
        >>> flambeau.nn.utils.parameters_to_vector(m.parameters()).shape
        torch.Size([8])
    """
    device = None
    vec = []
    for p in parameters:
        device = _check_param_device(p, device)
        vec.append(p.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Copy the slices of the vector ``vec`` into the parameters, in iteration order
    (``vec`` must have as many elements as the parameters together).

    Example::

        >>> m = flambeau.nn.Linear(3, 2)
        >>> flambeau.nn.utils.vector_to_parameters(flambeau.zeros(8), m.parameters())
        >>> m.bias
        Parameter containing:
        tensor([0., 0.], requires_grad=True)
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f'expected torch.Tensor, but got: {_typename(vec)}')
    device = None
    pointer = 0
    for p in parameters:
        device = _check_param_device(p, device)
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
