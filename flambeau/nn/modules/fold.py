"""``Fold`` and ``Unfold``: sliding local blocks to columns (im2col) and back (col2im)."""
from ...ops.conv import fold, unfold
from .module import Module

__all__ = ['Fold', 'Unfold']


class Fold(Module):
    """Sums the columns of ``(N, C * prod(kernel_size), L)`` back into an image ``(N, C,
    *output_size)``: the sliding blocks ``Unfold`` extracts, added where they overlap.

    Args:
        output_size: the spatial size of the output, ``(H, W)``.
        kernel_size, dilation, padding, stride: as in :class:`Unfold`.

    Example::

        >>> fold = flambeau.nn.Fold(output_size=(4, 5), kernel_size=(2, 2))
        >>> fold(flambeau.randn(1, 3 * 2 * 2, 12)).shape
        torch.Size([1, 3, 4, 5])
    """
    __constants__ = ['output_size', 'kernel_size', 'dilation', 'padding', 'stride']

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                    self.stride)

    def extra_repr(self):
        return ('output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, '
                'padding={padding}, stride={stride}'.format(**self.__dict__))


class Unfold(Module):
    """Extracts the sliding blocks of ``(N, C, H, W)`` as columns: ``(N, C *
    prod(kernel_size), L)`` with ``L`` the number of block positions.

    Args:
        kernel_size: the size of a block.
        dilation: spacing between a block's elements. Default: 1
        padding: implicit zero padding on both sides. Default: 0
        stride: step between blocks. Default: 1

    Example::

        >>> unfold = flambeau.nn.Unfold(kernel_size=(2, 3))
        >>> unfold(flambeau.randn(2, 5, 3, 4)).shape
        torch.Size([2, 30, 4])
    """
    __constants__ = ['kernel_size', 'dilation', 'padding', 'stride']

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ('kernel_size={kernel_size}, dilation={dilation}, padding={padding}, '
                'stride={stride}'.format(**self.__dict__))
