"""Samplers: iterables of dataset indices (or of lists of indices, for ``BatchSampler``) that
decide the order in which a ``DataLoader`` reads a map-style dataset.

Random samplers draw from flambeau's generators: an order is reproducible from
``flambeau.manual_seed`` or from a ``generator``, but is not the order PyTorch's generator
would give.
"""
import itertools

from ...dtypes import double, int64
from ...ops.creation import as_tensor, empty
from ...ops.random import multinomial, randint, randperm
from ...random import Generator

__all__ = ['Sampler', 'SequentialSampler', 'RandomSampler', 'SubsetRandomSampler',
           'WeightedRandomSampler', 'BatchSampler']


def _random_seed(generator=None):
    """A fresh 63-bit seed drawn from ``generator`` (the default generator if None)."""
    return int(empty((), dtype=int64).random_(generator=generator).item())


class Sampler:
    """Base class of samplers: subclasses define ``__iter__`` over indices, and ``__len__``
    when the number of indices is known.

    Example::

        >>> class Evens(Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(0, self.n, 2))
        ...     def __len__(self):
        ...         return (self.n + 1) // 2
        >>> list(Evens(5))
        [0, 2, 4]
    """

    def __iter__(self):
        raise NotImplementedError

    def __class_getitem__(cls, item):
        return cls


class SequentialSampler(Sampler):
    """Indices ``0, 1, ..., len(data_source) - 1`` in order.

    Example::

        >>> list(SequentialSampler(range(3)))
        [0, 1, 2]
    """

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices in random order: a permutation of the dataset (repeated if ``num_samples`` is
    larger), or ``num_samples`` independent draws when ``replacement=True``.

    Args:
        data_source (Dataset): the dataset to sample from.
        replacement (bool): draw with replacement. Default: False.
        num_samples (int): how many indices; default ``len(data_source)``.
        generator (Generator): the generator to draw from; by default a fresh generator seeded
            from the default one, on every iteration.

    Example::

        >>> idx = list(RandomSampler(range(5), generator=flambeau.Generator().manual_seed(0)))
        >>> sorted(idx)
        [0, 1, 2, 3, 4]
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(self.replacement, bool):
            raise TypeError('replacement should be a boolean value, but got '
                            f'replacement={self.replacement}')
        if not isinstance(self.num_samples, int) or self.num_samples <= 0:
            raise ValueError('num_samples should be a positive integer value, but got '
                             f'num_samples={self.num_samples}')

    @property
    def num_samples(self):
        # the dataset may grow or shrink after the sampler is made
        if self._num_samples is None:
            return len(self.data_source)
        return self._num_samples

    def __iter__(self):
        n = len(self.data_source)
        generator = self.generator
        if generator is None:
            generator = Generator()
            generator.manual_seed(_random_seed())
        num_samples = self.num_samples
        if self.replacement:
            for _ in range(num_samples // 32):
                yield from randint(high=n, size=(32,), generator=generator).tolist()
            yield from randint(high=n, size=(num_samples % 32,), generator=generator).tolist()
        else:
            for _ in range(num_samples // n):
                yield from randperm(n, generator=generator).tolist()
            yield from randperm(n, generator=generator).tolist()[:num_samples % n]

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in random order.

    Args:
        indices (sequence): the indices to sample.
        generator (Generator): the generator to draw from.

    Example::

        >>> sorted(SubsetRandomSampler([5, 7, 9]))
        [5, 7, 9]
    """

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = generator

    def __iter__(self):
        indices = self.indices
        for i in randperm(len(indices), generator=self.generator).tolist():
            yield indices[i]

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))`` drawn with probabilities proportional
    to ``weights``.

    Args:
        weights (sequence): the (not necessarily normalised) weights, one per index.
        num_samples (int): how many indices to draw.
        replacement (bool): draw with replacement. Default: True.
        generator (Generator): the generator to draw from.

    Example::

        >>> list(WeightedRandomSampler([0.0, 1.0, 0.0], 3))
        [1, 1, 1]
    """

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:
            raise ValueError('num_samples should be a positive integer value, but got '
                             f'num_samples={num_samples}')
        if not isinstance(replacement, bool):
            raise ValueError(f'replacement should be a boolean value, but got '
                             f'replacement={replacement}')
        weights = as_tensor(weights, dtype=double)
        if weights.dim() != 1:
            raise ValueError('weights should be a 1d sequence but given weights have shape '
                             f'{tuple(weights.shape)}')
        self.weights = weights
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self):
        drawn = multinomial(self.weights, self.num_samples, self.replacement,
                            generator=self.generator)
        yield from drawn.tolist()

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size``.

    Args:
        sampler (Sampler or iterable): the indices to group.
        batch_size (int): the size of a batch.
        drop_last (bool): drop the last batch if it is smaller than ``batch_size``.

    Example::

        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
        >>> list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True))
        [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    """

    def __init__(self, sampler, batch_size, drop_last):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError('batch_size should be a positive integer value, but got '
                             f'batch_size={batch_size}')
        if not isinstance(drop_last, bool):
            raise ValueError(f'drop_last should be a boolean value, but got drop_last={drop_last}')
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self):
        it = iter(self.sampler)
        size = self.batch_size
        if self.drop_last:
            for batch in zip(*([it] * size)):
                yield list(batch)
        else:
            islice = itertools.islice
            batch = list(islice(it, size))
            while batch:
                yield batch
                batch = list(islice(it, size))

    def __len__(self):
        if self.drop_last:
            return len(self.sampler) // self.batch_size
        return (len(self.sampler) + self.batch_size - 1) // self.batch_size
