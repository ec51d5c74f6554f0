"""Convolution layers: ``Conv1d/2d/3d`` (padding modes zeros, reflect, replicate, circular) and
``ConvTranspose1d/2d/3d``."""
import math

from .. import init
from ..parameter import Parameter
from .module import Module
from ...ops import conv as _F
from ...ops.resample import pad as _pad

__all__ = ['Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d']

_PADDING_MODES = ('zeros', 'reflect', 'replicate', 'circular')


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        v = tuple(v)
        return v * n if len(v) == 1 else v
    return (v,) * n


def _factory(device, dtype):
    from ...ops.creation import empty

    def new(*shape):
        return empty(*shape, device=device, dtype=dtype)
    return new


class _ConvNd(Module):
    """What the convolution layers share: argument checks, parameters, init and repr."""
    _n = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, device=None,
                 dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError('groups must be a positive integer')
        if in_channels % groups != 0:
            raise ValueError('in_channels must be divisible by groups')
        if out_channels % groups != 0:
            raise ValueError('out_channels must be divisible by groups')
        if isinstance(padding, str):
            if padding not in ('valid', 'same'):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{{'valid', 'same'}}")
            if padding == 'same' and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {{'zeros', 'reflect', 'replicate', "
                             f"'circular'}}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        n = len(kernel_size)
        if isinstance(padding, str):
            rev = [0, 0] * n
            if padding == 'same':
                for d, k, i in zip(dilation, kernel_size, range(n - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    rev[2 * i] = left
                    rev[2 * i + 1] = total - left
        else:
            rev = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = rev
        new = _factory(device, dtype)
        if transposed:
            self.weight = Parameter(new(in_channels, out_channels // groups, *kernel_size))
        else:
            self.weight = Parameter(new(out_channels, in_channels // groups, *kernel_size))
        if bias:
            self.bias = Parameter(new(out_channels))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        """Weight: kaiming uniform with ``a=sqrt(5)``; bias: U(-1/sqrt(fan_in),
        1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = '{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}'
        if self.padding != (0,) * len(self.padding):
            s += ', padding={padding}'
        if self.dilation != (1,) * len(self.dilation):
            s += ', dilation={dilation}'
        if self.output_padding != (0,) * len(self.output_padding):
            s += ', output_padding={output_padding}'
        if self.groups != 1:
            s += ', groups={groups}'
        if self.bias is None:
            s += ', bias=False'
        if self.padding_mode != 'zeros':
            s += ', padding_mode={padding_mode}'
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, 'padding_mode'):
            self.padding_mode = 'zeros'


_CONV_DOC = """Applies a {n}D convolution over an input signal composed of several input planes.

    Args:
        in_channels: channels of the input
        out_channels: channels produced by the convolution
        kernel_size: size of the convolving kernel (int or tuple)
        stride: stride of the convolution. Default: 1
        padding: int, tuple, ``'valid'`` or ``'same'``. Default: 0
        dilation: spacing between kernel elements. Default: 1
        groups: blocked connections from input channels to output channels. Default: 1
        bias: whether to add a learnable bias. Default: ``True``
        padding_mode: ``'zeros'``, ``'reflect'``, ``'replicate'`` or ``'circular'``
        device, dtype: where and how the parameters are created

    Shape:
        - Input: ``(N, C_in, {sp})`` or ``(C_in, {sp})``
        - Output: ``(N, C_out, {osp})`` or ``(C_out, {osp})``, each size
          ``floor((S + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)``

    Attributes:
        weight: ``(out_channels, in_channels / groups, {ks})``, kaiming-uniform initialised
        bias: ``(out_channels)``, U(-1/sqrt(fan_in), 1/sqrt(fan_in))

    Example::

        >>> m = flambeau.nn.Conv{n}d(16, 33, 3, stride=2)
        >>> m(flambeau.randn({ex_in})).shape
        flambeau.Size([{ex_out}])
    """


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode='zeros', device=None, dtype=None):
        n = self._n
        ks = _ntuple(kernel_size, n)
        st = _ntuple(stride, n)
        pd = padding if isinstance(padding, str) else _ntuple(padding, n)
        dl = _ntuple(dilation, n)
        super().__init__(in_channels, out_channels, ks, st, pd, dl, False, (0,) * n, groups,
                         bias, padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        fn = (_F.conv1d, _F.conv2d, _F.conv3d)[self._n - 1]
        if self.padding_mode != 'zeros':
            return fn(_pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode),
                      weight, bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    __doc__ = _CONV_DOC.format(n=1, sp='L', osp='L_out', ks='kernel_size',
                               ex_in='20, 16, 50', ex_out='20, 33, 24')
    _n = 1


class Conv2d(_Conv):
    __doc__ = _CONV_DOC.format(n=2, sp='H, W', osp='H_out, W_out', ks='kH, kW',
                               ex_in='20, 16, 50, 100', ex_out='20, 33, 24, 49')
    _n = 2


class Conv3d(_Conv):
    __doc__ = _CONV_DOC.format(n=3, sp='D, H, W', osp='D_out, H_out, W_out', ks='kD, kH, kW',
                               ex_in='2, 16, 10, 10, 10', ex_out='2, 33, 4, 4, 4')
    _n = 3


_CONV_T_DOC = """Applies a {n}D transposed convolution operator over an input image composed of
    several input planes (the gradient of ``Conv{n}d`` with respect to its input).

    Args:
        in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias: as
            for ``Conv{n}d`` (``padding`` is an int or a tuple)
        output_padding: extra size added to one side of each output dim. Default: 0
        padding_mode: only ``'zeros'``
        device, dtype: where and how the parameters are created

    Shape:
        - Input: ``(N, C_in, {sp})`` or unbatched
        - Output: ``(N, C_out, {osp})``, each size ``(S - 1) * stride - 2 * padding +
          dilation * (kernel_size - 1) + output_padding + 1``; ``forward(input, output_size)``
          picks ``output_padding`` to reach ``output_size``.

    Attributes:
        weight: ``(in_channels, out_channels / groups, {ks})``
        bias: ``(out_channels)``

    Example::

        >>> m = flambeau.nn.ConvTranspose{n}d(16, 33, 3, stride=2)
        >>> m(flambeau.randn({ex_in})).shape
        flambeau.Size([{ex_out}])
    """


class _ConvTranspose(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode='zeros',
                 device=None, dtype=None):
        n = self._n
        if padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f'{type(self).__name__}')
        super().__init__(in_channels, out_channels, _ntuple(kernel_size, n),
                         _ntuple(stride, n), _ntuple(padding, n), _ntuple(dilation, n), True,
                         _ntuple(output_padding, n), groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = self._n
        output_size = list(output_size)
        if len(output_size) == n + 2 or (len(output_size) == n + 1 and input.ndim == n + 1):
            output_size = output_size[-n:]
        if len(output_size) != n:
            raise ValueError(f'ConvTranspose{n}D: for {input.ndim}D input, output_size must have '
                             f'{n} or {n + 2} elements (got {len(output_size)})')
        res = []
        sp = input.shape[-n:]
        for d in range(n):
            lo = (sp[d] - 1) * self.stride[d] - 2 * self.padding[d] + \
                self.dilation[d] * (self.kernel_size[d] - 1) + 1
            hi = lo + self.stride[d] - 1
            if not lo <= output_size[d] <= hi:
                raise ValueError(f'requested an output size of {output_size}, but valid sizes '
                                 f'range from {[lo]} to {[hi]} (for an input of {list(sp)})')
            res.append(output_size[d] - lo)
        return tuple(res)

    def forward(self, input, output_size=None):
        fn = (_F.conv_transpose1d, _F.conv_transpose2d, _F.conv_transpose3d)[self._n - 1]
        op = self._output_padding(input, output_size)
        return fn(input, self.weight, self.bias, self.stride, self.padding, op, self.groups,
                  self.dilation)


class ConvTranspose1d(_ConvTranspose):
    __doc__ = _CONV_T_DOC.format(n=1, sp='L', osp='L_out', ks='kernel_size',
                                 ex_in='20, 16, 50', ex_out='20, 33, 101')
    _n = 1


class ConvTranspose2d(_ConvTranspose):
    __doc__ = _CONV_T_DOC.format(n=2, sp='H, W', osp='H_out, W_out', ks='kH, kW',
                                 ex_in='20, 16, 50, 100', ex_out='20, 33, 101, 201')
    _n = 2


class ConvTranspose3d(_ConvTranspose):
    __doc__ = _CONV_T_DOC.format(n=3, sp='D, H, W', osp='D_out, H_out, W_out',
                                 ks='kD, kH, kW', ex_in='2, 16, 4, 4, 4', ex_out='2, 33, 9, 9, 9')
    _n = 3
