"""PairwiseDistance, CosineSimilarity."""
from ...ops.distance import cosine_similarity, pairwise_distance
from .module import Module

__all__ = ['PairwiseDistance', 'CosineSimilarity']


class PairwiseDistance(Module):
    """The p-norm distance between the rows of two inputs: ``||x1 - x2 + eps||_p`` along the
    last dimension.

    Args:
        p: the norm degree (may be negative). Default: 2
        eps: small value added to the difference to avoid division by zero. Default: 1e-6
        keepdim: keep the reduced dimension. Default: ``False``

    Shape: inputs ``(N, D)`` or ``(D)`` (broadcastable), output ``(N)`` or ``()``
    (``(N, 1)``/``(1)`` with ``keepdim``).

    Example::

        >>> pdist = flambeau.nn.PairwiseDistance(p=2)
        >>> pdist(flambeau.zeros(3, 4), flambeau.ones(3, 4)).shape
        torch.Size([3])
    """
    __constants__ = ['norm', 'eps', 'keepdim']

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1, x2):
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """The cosine similarity ``x1 . x2 / max(||x1|| ||x2||, eps)`` along ``dim``.

    Args:
        dim: the dimension of the vectors. Default: 1
        eps: small value to avoid division by zero. Default: 1e-8

    Shape: inputs ``(*1, D, *2)`` (broadcastable), output ``(*1, *2)``.

    Example::

        >>> cos = flambeau.nn.CosineSimilarity(dim=1)
        >>> cos(flambeau.ones(2, 3), flambeau.ones(2, 3))
        tensor([1.0000, 1.0000])
    """
    __constants__ = ['dim', 'eps']

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1, x2):
        return cosine_similarity(x1, x2, self.dim, self.eps)
