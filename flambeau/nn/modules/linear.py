"""Linear, Bilinear, Identity (their functional forms are in ``flambeau/ops/linear.py``)."""
import math

from ...ops.linear import bilinear, linear
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ['Identity', 'Linear', 'Bilinear']

def _factory(device, dtype):
    from ...ops.creation import empty

    def new(*shape):
        return empty(*shape, device=device, dtype=dtype)
    return new


class Identity(Module):
    """A placeholder that returns its input unchanged (its arguments are ignored).

    Shape: input ``(*)``, output ``(*)``, the same.

    Example::

        >>> m = flambeau.nn.Identity(54, unused_argument1=0.1)
        >>> m(flambeau.randn(128, 20)).size()
        torch.Size([128, 20])
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Apply an affine linear transformation to the incoming data: ``y = x A^T + b``.

    Args:
        in_features: size of each input sample
        out_features: size of each output sample
        bias: if ``False``, the layer does not learn an additive bias. Default: ``True``
        device, dtype: where and how the parameters are created

    Shape:
        - Input: ``(*, in_features)``, ``*`` any number of dimensions including none.
        - Output: ``(*, out_features)``.

    Attributes:
        weight: the learnable weights, ``(out_features, in_features)``, initialised from
            U(-sqrt(k), sqrt(k)) with ``k = 1 / in_features``
        bias: the learnable bias, ``(out_features)``, initialised the same way

    Example::

        >>> m = flambeau.nn.Linear(20, 30)
        >>> m(flambeau.randn(128, 20)).size()
        torch.Size([128, 30])
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        new = _factory(device, dtype)
        self.weight = Parameter(new(out_features, in_features))
        if bias:
            self.bias = Parameter(new(out_features))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-initialise the weight (kaiming uniform, ``a=sqrt(5)``) and the bias
        (U(-1/sqrt(fan_in), 1/sqrt(fan_in)))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f'in_features={self.in_features}, out_features={self.out_features}, '
                f'bias={self.bias is not None}')


class Bilinear(Module):
    """Apply a bilinear transformation to two inputs: ``y = x1^T A x2 + b``.

    Args:
        in1_features, in2_features: sizes of each first and second input sample
        out_features: size of each output sample
        bias: if ``False``, the layer does not learn an additive bias. Default: ``True``

    Shape:
        - Input1: ``(*, in1_features)``, Input2: ``(*, in2_features)`` (same ``*``).
        - Output: ``(*, out_features)``.

    Attributes:
        weight: ``(out_features, in1_features, in2_features)``, from U(-sqrt(k), sqrt(k)),
            ``k = 1 / in1_features``
        bias: ``(out_features)``, initialised the same way

    Example::

        >>> m = flambeau.nn.Bilinear(20, 30, 40)
        >>> m(flambeau.randn(128, 20), flambeau.randn(128, 30)).size()
        torch.Size([128, 40])
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        new = _factory(device, dtype)
        self.weight = Parameter(new(out_features, in1_features, in2_features))
        if bias:
            self.bias = Parameter(new(out_features))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Re-initialise weight and bias from U(-1/sqrt(in1_features), 1/sqrt(in1_features))."""
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f'in1_features={self.in1_features}, in2_features={self.in2_features}, '
                f'out_features={self.out_features}, bias={self.bias is not None}')
