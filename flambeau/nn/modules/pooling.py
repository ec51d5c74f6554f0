"""Pooling layers: max, average, adaptive, power-average pooling and max unpooling."""
from .module import Module
from ...ops import pooling as _F

__all__ = ['MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d',
           'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'AdaptiveMaxPool1d',
           'AdaptiveMaxPool2d', 'MaxUnpool1d', 'MaxUnpool2d', 'LPPool1d', 'LPPool2d']


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,) * n


class _MaxPoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, '
                f'dilation={self.dilation}, ceil_mode={self.ceil_mode}')


class MaxPool1d(_MaxPoolNd):
    """Applies a 1D max pooling over an input ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size: the window size; stride: its step (default ``kernel_size``); padding:
        implicit ``-inf`` padding on both sides; dilation: spacing of the window elements;
        return_indices: also return the argmax indices; ceil_mode: round the output size up.

    Example::

        >>> flambeau.nn.MaxPool1d(3, stride=2)(flambeau.randn(20, 16, 50)).shape
        flambeau.Size([20, 16, 24])
    """

    def forward(self, input):
        return _F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Applies a 2D max pooling over an input ``(N, C, H, W)`` or ``(C, H, W)`` (arguments
    as ``MaxPool1d``, ints or pairs).

    Example::

        >>> flambeau.nn.MaxPool2d(3, stride=2)(flambeau.randn(20, 16, 50, 32)).shape
        flambeau.Size([20, 16, 24, 15])
    """

    def forward(self, input):
        return _F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Applies a 3D max pooling over an input ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example::

        >>> flambeau.nn.MaxPool3d(2)(flambeau.randn(1, 2, 4, 4, 4)).shape
        flambeau.Size([1, 2, 2, 2, 2])
    """

    def forward(self, input):
        return _F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                             ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool1d(Module):
    """Applies a 1D average pooling over an input ``(N, C, L)`` or ``(C, L)``.

    Args:
        kernel_size, stride (default ``kernel_size``), padding (zeros), ceil_mode,
        count_include_pad: whether the zero padding counts in the divisor.

    Example::

        >>> flambeau.nn.AvgPool1d(3, stride=2)(flambeau.tensor([[[1., 2, 3, 4, 5, 6, 7]]]))
        tensor([[[2., 4., 6.]]])
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'

    def forward(self, input):
        return _F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                             self.count_include_pad)


class AvgPool2d(Module):
    """Applies a 2D average pooling over an input ``(N, C, H, W)`` or ``(C, H, W)``.

    Args:
        kernel_size, stride (default ``kernel_size``), padding (zeros), ceil_mode,
        count_include_pad, divisor_override: a fixed divisor instead of the window size.

    Example::

        >>> flambeau.nn.AvgPool2d(3, stride=2)(flambeau.randn(20, 16, 50, 32)).shape
        flambeau.Size([20, 16, 24, 15])
    """
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'

    def forward(self, input):
        fn = _F.avg_pool2d if self._n == 2 else _F.avg_pool3d
        return fn(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                  self.count_include_pad, self.divisor_override)


class AvgPool3d(AvgPool2d):
    """Applies a 3D average pooling over an input ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    (arguments as ``AvgPool2d``).

    Example::

        >>> flambeau.nn.AvgPool3d(2)(flambeau.ones(1, 1, 2, 2, 2))
        tensor([[[[[1.]]]]])
    """
    _n = 3


class _AdaptivePool(Module):
    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def extra_repr(self):
        return f'output_size={self.output_size}'


class AdaptiveAvgPool1d(_AdaptivePool):
    """Applies a 1D adaptive average pooling: the output ``(N, C, output_size)`` whatever the
    input length.

    Example::

        >>> flambeau.nn.AdaptiveAvgPool1d(5)(flambeau.randn(1, 64, 8)).shape
        flambeau.Size([1, 64, 5])
    """

    def forward(self, input):
        return _F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Applies a 2D adaptive average pooling to ``output_size`` (an int, a pair, ``None``
    keeps a size).

    Example::

        >>> flambeau.nn.AdaptiveAvgPool2d((5, 7))(flambeau.randn(1, 64, 8, 9)).shape
        flambeau.Size([1, 64, 5, 7])
    """

    def forward(self, input):
        return _F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Applies a 3D adaptive average pooling to ``output_size``.

    Example::

        >>> flambeau.nn.AdaptiveAvgPool3d(2)(flambeau.randn(1, 3, 4, 5, 6)).shape
        flambeau.Size([1, 3, 2, 2, 2])
    """

    def forward(self, input):
        return _F.adaptive_avg_pool3d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size, return_indices=False):
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Applies a 1D adaptive max pooling to ``output_size`` (``return_indices``: also the
    indices).

    Example::

        >>> flambeau.nn.AdaptiveMaxPool1d(5)(flambeau.randn(1, 64, 8)).shape
        flambeau.Size([1, 64, 5])
    """

    def forward(self, input):
        return _F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Applies a 2D adaptive max pooling to ``output_size`` (``return_indices``: also the
    indices).

    Example::

        >>> flambeau.nn.AdaptiveMaxPool2d((5, 7))(flambeau.randn(1, 64, 8, 9)).shape
        flambeau.Size([1, 64, 5, 7])
    """

    def forward(self, input):
        return _F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class _MaxUnpool(Module):
    _n = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        n = self._n
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride if stride is not None else kernel_size, n)
        self.padding = _ntuple(padding, n)

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'

    def forward(self, input, indices, output_size=None):
        fn = _F.max_unpool2d if self._n == 2 else _F.max_unpool1d
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_MaxUnpool):
    """Computes a partial inverse of ``MaxPool1d`` from its values and indices.

    Example::

        >>> pool = flambeau.nn.MaxPool1d(2, return_indices=True)
        >>> out, idx = pool(flambeau.tensor([[[1., 2, 3, 4]]]))
        >>> flambeau.nn.MaxUnpool1d(2)(out, idx)
        tensor([[[0., 2., 0., 4.]]])
    """
    _n = 1


class MaxUnpool2d(_MaxUnpool):
    """Computes a partial inverse of ``MaxPool2d``: every value goes to its index in a zero
    output; ``forward(input, indices, output_size=None)``.

    Example::

        >>> pool = flambeau.nn.MaxPool2d(2, return_indices=True)
        >>> out, idx = pool(flambeau.arange(16.).reshape(1, 1, 4, 4))
        >>> flambeau.nn.MaxUnpool2d(2)(out, idx).shape
        flambeau.Size([1, 1, 4, 4])
    """
    _n = 2


class _LPPool(Module):
    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return (f'norm_type={self.norm_type}, kernel_size={self.kernel_size}, '
                f'stride={self.stride}, ceil_mode={self.ceil_mode}')


class LPPool1d(_LPPool):
    """Applies a 1D power-average pooling: ``(sum over the window of x^p)^(1/p)``.

    Example::

        >>> flambeau.nn.LPPool1d(2, 2)(flambeau.tensor([[[3., 4.]]]))
        tensor([[[5.]]])
    """

    def forward(self, input):
        return _F.lp_pool1d(input, float(self.norm_type), self.kernel_size, self.stride,
                            self.ceil_mode)


class LPPool2d(_LPPool):
    """Applies a 2D power-average pooling (see ``LPPool1d``).

    Example::

        >>> flambeau.nn.LPPool2d(2, 2)(flambeau.ones(1, 1, 2, 2))
        tensor([[[[2.]]]])
    """

    def forward(self, input):
        return _F.lp_pool2d(input, float(self.norm_type), self.kernel_size, self.stride,
                            self.ceil_mode)
