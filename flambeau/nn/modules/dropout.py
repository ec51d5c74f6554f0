"""Dropout layers: Dropout, Dropout1d/2d/3d (whole channels), AlphaDropout,
FeatureAlphaDropout. Active in training mode only (``model.eval()`` makes them identities)."""
from .. import functional as F
from .module import Module

__all__ = ['AlphaDropout', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d',
           'FeatureAlphaDropout']


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f'p={self.p}, inplace={self.inplace}'


class Dropout(_DropoutNd):
    r"""In training, zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)``; the identity in evaluation.

    Args:
        p: the probability of an element to be zeroed (default 0.5). inplace: write into the
        input.

    Example::

        >>> m = nn.Dropout(p=0.2)
        >>> m(flambeau.randn(20, 16)).shape
        torch.Size([20, 16])
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    r"""In training, zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input with
    probability ``p`` (scaling the others by ``1 / (1 - p)``).

    Example::

        >>> nn.Dropout1d(0.2)(flambeau.randn(20, 16, 32)).shape
        torch.Size([20, 16, 32])
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    r"""In training, zero whole channels of a ``(N, C, H, W)`` input with probability ``p``
    (scaling the others by ``1 / (1 - p)``).

    Example::

        >>> nn.Dropout2d(0.2)(flambeau.randn(2, 16, 4, 4)).shape
        torch.Size([2, 16, 4, 4])
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    r"""In training, zero whole channels of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input
    with probability ``p`` (scaling the others by ``1 / (1 - p)``).

    Example::

        >>> nn.Dropout3d(0.2)(flambeau.randn(2, 4, 2, 2, 2)).shape
        torch.Size([2, 4, 2, 2, 2])
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    r"""Alpha dropout for SELU networks: in training, dropped elements take SELU's negative
    saturation value and an affine map keeps zero mean and unit variance.

    Example::

        >>> nn.AlphaDropout(0.2)(flambeau.randn(20, 16)).shape
        torch.Size([20, 16])
    """

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    r""":class:`AlphaDropout` of whole channels ``input[n, c]``.

    Example::

        >>> nn.FeatureAlphaDropout(0.2)(flambeau.randn(2, 16, 4, 4)).shape
        torch.Size([2, 16, 4, 4])
    """

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
