"""``Upsample`` and its fixed-mode variants."""
from .module import Module
from ...ops.resample import interpolate

__all__ = ['Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d']


class Upsample(Module):
    """Upsamples a 1D, 2D or 3D (multi-channel) input to ``size`` or by ``scale_factor``
    with ``mode`` ``'nearest'``, ``'linear'``, ``'bilinear'``, ``'bicubic'`` or
    ``'trilinear'`` (see ``functional.interpolate``).

    Example::

        >>> m = flambeau.nn.Upsample(scale_factor=2, mode='nearest')
        >>> m(flambeau.tensor([[[[1., 2.], [3., 4.]]]])).shape
        flambeau.Size([1, 1, 4, 4])
    """

    def __init__(self, size=None, scale_factor=None, mode='nearest', align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = 'scale_factor=' + repr(self.scale_factor)
        else:
            info = 'size=' + repr(self.size)
        return info + ', mode=' + repr(self.mode)


class UpsamplingNearest2d(Upsample):
    """2D nearest-neighbour upsampling (``Upsample(mode='nearest')``).

    Example::

        >>> flambeau.nn.UpsamplingNearest2d(scale_factor=2)(flambeau.ones(1, 1, 2, 2)).shape
        flambeau.Size([1, 1, 4, 4])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode='nearest')


class UpsamplingBilinear2d(Upsample):
    """2D bilinear upsampling with ``align_corners=True``.

    Example::

        >>> flambeau.nn.UpsamplingBilinear2d(scale_factor=2)(flambeau.ones(1, 1, 2, 2)).shape
        flambeau.Size([1, 1, 4, 4])
    """

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode='bilinear', align_corners=True)
