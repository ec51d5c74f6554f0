"""``PixelShuffle`` and ``PixelUnshuffle``."""
from .module import Module
from ...ops.resample import pixel_shuffle, pixel_unshuffle

__all__ = ['PixelShuffle', 'PixelUnshuffle']


class PixelShuffle(Module):
    """Rearranges ``(*, C * r^2, H, W)`` into ``(*, C, H * r, W * r)``, ``r =
    upscale_factor`` (efficient sub-pixel convolution).

    Example::

        >>> flambeau.nn.PixelShuffle(3)(flambeau.randn(1, 9, 4, 4)).shape
        flambeau.Size([1, 1, 12, 12])
    """

    def __init__(self, upscale_factor):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self):
        return f'upscale_factor={self.upscale_factor}'


class PixelUnshuffle(Module):
    """Reverses ``PixelShuffle``: ``(*, C, H * r, W * r)`` into ``(*, C * r^2, H, W)``.

    Example::

        >>> flambeau.nn.PixelUnshuffle(3)(flambeau.randn(1, 1, 12, 12)).shape
        flambeau.Size([1, 9, 4, 4])
    """

    def __init__(self, downscale_factor):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self):
        return f'downscale_factor={self.downscale_factor}'
