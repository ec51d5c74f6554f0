"""Flatten, Unflatten."""
from .module import Module

__all__ = ['Flatten', 'Unflatten']


class Flatten(Module):
    """Flatten the dimensions ``start_dim`` to ``end_dim`` of the input into one
    (``input.flatten(start_dim, end_dim)``); by default every dimension but the batch.

    Shape: input ``(*, S_start, ..., S_end, *)``, output ``(*, prod(S_start..S_end), *)``.

    Example::

        >>> m = flambeau.nn.Flatten()
        >>> m(flambeau.ones(32, 1, 5, 5)).shape
        torch.Size([32, 25])
    """
    __constants__ = ['start_dim', 'end_dim']

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f'start_dim={self.start_dim}, end_dim={self.end_dim}'


class Unflatten(Module):
    """Expand dimension ``dim`` of the input into the shape ``unflattened_size``
    (``input.unflatten(dim, unflattened_size)``; one size may be -1).

    Shape: input ``(*, S_dim, *)``, output ``(*, U_1, ..., U_n, *)`` with
    ``prod(U) = S_dim``.

    Example::

        >>> m = flambeau.nn.Unflatten(1, (2, 5, 5))
        >>> m(flambeau.ones(2, 50)).shape
        torch.Size([2, 2, 5, 5])
    """
    __constants__ = ['dim', 'unflattened_size']

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self._require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    @staticmethod
    def _require_tuple_int(value):
        if isinstance(value, (tuple, list)):
            for idx, elem in enumerate(value):
                if not isinstance(elem, int):
                    raise TypeError('unflattened_size must be tuple of ints, but found element '
                                    f'of type {type(elem).__name__} at pos {idx}')
            return
        raise TypeError('unflattened_size must be a tuple of ints, but found type '
                        f'{type(value).__name__}')

    def forward(self, input):
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self):
        return f'dim={self.dim}, unflattened_size={self.unflattened_size}'
