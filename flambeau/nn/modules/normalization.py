"""LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm."""
import numbers

from ...autograd import grad_mode
from ...ops.creation import empty
from ..functional import group_norm, layer_norm, local_response_norm, rms_norm
from ..parameter import Parameter
from .module import Module

__all__ = ['GroupNorm', 'LayerNorm', 'LocalResponseNorm', 'RMSNorm']


def _shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(normalized_shape)


class LocalResponseNorm(Module):
    r"""Local response normalization across channels:
    ``b_c = a_c / (k + alpha / n * sum of a_c'^2 over the n channels around c) ** beta``.

    Args:
        size: ``n``, the channels in the window. alpha, beta, k: the formula's constants.

    Shape: input ``(N, C, *)``, output the same.

    Example::

        >>> nn.LocalResponseNorm(2)(flambeau.randn(2, 4, 3, 3)).shape
        torch.Size([2, 4, 3, 3])
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f'{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}'


class LayerNorm(Module):
    r"""Layer normalization over the last dimensions (``normalized_shape``):
    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``, statistics per sample over those
    dimensions (biased variance).

    Args:
        normalized_shape: an int or the shape of the trailing dimensions. eps: added to the
        variance. elementwise_affine: learnable ``weight`` (ones) and ``bias`` (zeros) of
        ``normalized_shape``. bias: whether there is a ``bias``.

    Example::

        >>> ln = nn.LayerNorm(4)
        >>> ln(flambeau.randn(2, 3, 4)).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
            else:
                self.register_parameter('bias', None)
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1, ``bias`` to 0."""
        if self.elementwise_affine:
            with grad_mode.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def forward(self, input):
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.normalized_shape}, eps={self.eps}, '
                f'elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}')


class GroupNorm(Module):
    r"""Group normalization: the ``num_channels`` channels split into ``num_groups`` groups,
    each ``(sample, group)`` normalized over its elements, then scaled and shifted per channel.

    Args:
        num_groups: groups (must divide ``num_channels``). num_channels: ``C``. eps: added to
        the variance. affine: learnable per-channel ``weight`` (ones) and ``bias`` (zeros).

    Shape: input ``(N, C, *)``, output the same.

    Example::

        >>> gn = nn.GroupNorm(2, 4)
        >>> gn(flambeau.randn(3, 4, 5)).shape
        torch.Size([3, 4, 5])
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None,
                 *, bias=True):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f'num_channels ({num_channels}) must be divisible by num_groups '
                             f'({num_groups})')
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(empty(num_channels, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_channels, device=device, dtype=dtype))
            else:
                self.register_parameter('bias', None)
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1, ``bias`` to 0."""
        if self.affine:
            with grad_mode.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def forward(self, input):
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f'{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, '
                f'bias={self.bias is not None}')


class RMSNorm(Module):
    r"""Root-mean-square normalization over the last dimensions (``normalized_shape``):
    ``y = x / sqrt(mean(x ** 2) + eps) * weight``.

    Args:
        normalized_shape: an int or the shape of the trailing dimensions. eps: added under the
        root (None: the machine epsilon of the input's dtype). elementwise_affine: a learnable
        ``weight`` (ones).

    Example::

        >>> nn.RMSNorm(4)(flambeau.randn(2, 4)).shape
        torch.Size([2, 4])
    """

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter('weight', None)
        self.reset_parameters()

    def reset_parameters(self):
        """``weight`` to 1."""
        if self.elementwise_affine:
            with grad_mode.no_grad():
                self.weight.fill_(1)

    def forward(self, x):
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f'{self.normalized_shape}, eps={self.eps}, '
                f'elementwise_affine={self.elementwise_affine}')
