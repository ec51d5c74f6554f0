r"""Weight normalization (Salimans & Kingma, https://arxiv.org/abs/1602.07868), the hook-based
form: ``weight = g * v / ||v||``, recomputed from the parameters ``weight_g`` and ``weight_v``
before every forward.

:func:`flambeau.nn.utils.parametrizations.weight_norm` is the newer form of the same thing.
"""
import warnings

from ...ops.reduce import vector_norm
from ..parameter import Parameter

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm']


def _norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, kept as size-1 dims (shape
    ``[1, .., v.size(dim), .., 1]``); ``dim=-1`` means the norm of the whole tensor (0-d), as
    in PyTorch's ``torch.norm_except_dim``."""
    if dim == -1:
        return vector_norm(v, pow)
    dim = v._wrap_dim(dim)
    others = tuple(d for d in range(v.ndim) if d != dim)
    if not others:
        # a norm over no dimension: each element's absolute value (``vector_norm`` would read
        # an empty ``dim`` as "all dimensions")
        return v.abs()
    return vector_norm(v, pow, others, keepdim=True)


def _weight_norm(v, g, dim=0):
    """``v * (g / ||v||)``, the norm taken over every dimension but ``dim`` (all of them for
    ``dim=-1``): PyTorch's ``torch._weight_norm``."""
    return v * (g / _norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook that :func:`weight_norm` registers: it recomputes
    ``module.<name>`` from ``<name>_g`` and ``<name>_v`` before each forward."""

    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        """The weight ``g * v / ||v||`` from the module's ``<name>_g`` and ``<name>_v``."""
        g = getattr(module, self.name + '_g')
        v = getattr(module, self.name + '_v')
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        """Replace parameter ``name`` of ``module`` by ``<name>_g`` and ``<name>_v`` and
        register the hook; returns it."""
        warnings.warn('`torch.nn.utils.weight_norm` is deprecated in favor of '
                      '`torch.nn.utils.parametrizations.weight_norm`.', FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two weight_norm hooks on the same parameter '
                                   f'{name}')
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(_norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + '_v', Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        """Put back ``module.<name>`` as a plain parameter holding the current weight."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    r"""Apply weight normalization to parameter ``name`` of ``module``:

    .. math:: \mathbf{w} = g \dfrac{\mathbf{v}}{\|\mathbf{v}\|}

    The parameter is replaced by two: its magnitude ``<name>_g`` and its direction
    ``<name>_v``; a forward pre-hook recomputes ``module.<name>`` from them before every
    forward. The norm is taken over every dimension but ``dim`` (per output channel for the
    default ``dim=0``); ``dim=None`` normalizes over the whole tensor. Deprecated (a
    ``FutureWarning``) in favor of :func:`flambeau.nn.utils.parametrizations.weight_norm`.

    Args:
        module (Module): the module holding the parameter.
        name (str, optional): name of the weight parameter. Default: ``'weight'``
        dim (int, optional): the dimension kept by the norm. Default: ``0``

    Returns:
        ``module``, with the weight norm hook.

    Example::

        >>> m = weight_norm(flambeau.nn.Linear(20, 40), name='weight')
        >>> m
        Linear(in_features=20, out_features=40, bias=True)
        >>> m.weight_g.size()
        torch.Size([40, 1])
        >>> m.weight_v.size()
        torch.Size([40, 20])
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Remove the weight normalization of parameter ``name`` from ``module``: ``<name>`` is
    a plain parameter again, holding the current normalized weight. ``ValueError`` if
    ``module`` has no weight norm on ``name``.

    Example::

        >>> m = weight_norm(flambeau.nn.Linear(20, 40))
        >>> m = remove_weight_norm(m)
        >>> [n for n, _ in m.named_parameters()]
        ['bias', 'weight']
    """
    hooks = module._forward_pre_hooks
    for k, hook in hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
