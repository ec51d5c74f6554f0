"""Datasets: ``Dataset``, ``IterableDataset``, ``TensorDataset``, ``StackDataset``,
``ConcatDataset``, ``ChainDataset``, ``Subset`` and ``random_split``.

A map-style dataset answers ``dataset[i]`` (and usually ``len(dataset)``); an iterable-style one
is iterated. A dataset may also offer ``__getitems__(indices)``, returning the list of samples at
``indices`` in one call: the ``DataLoader`` then fetches a batch with one call instead of one per
sample.
"""
import bisect
import collections.abc
import itertools
import math
import warnings

import numpy as np

from ...ops.random import randperm
from ...ops.shape import stack
from ...random import default_generator
from ...device import CPU
from ...tensor import Tensor

__all__ = ['Dataset', 'IterableDataset', 'TensorDataset', 'StackDataset', 'ConcatDataset',
           'ChainDataset', 'Subset', 'random_split']

_make = Tensor._make


class Dataset:
    """An abstract map-style dataset: subclasses define ``__getitem__(index)`` returning one
    sample, and usually ``__len__``. They may define ``__getitems__(indices)`` returning a list
    of samples, which the ``DataLoader`` prefers for batches.

    ``dataset_a + dataset_b`` concatenates them (a :class:`ConcatDataset`).

    Example::

        >>> class Squares(Dataset):
        ...     def __len__(self):
        ...         return 4
        ...     def __getitem__(self, i):
        ...         return i * i
        >>> [Squares()[i] for i in range(4)]
        [0, 1, 4, 9]
    """

    def __getitem__(self, index):
        raise NotImplementedError('Subclasses of Dataset should implement __getitem__.')

    # No default __getitems__ and no default __len__: their absence is what the DataLoader and
    # the samplers test for.

    def __add__(self, other):
        return ConcatDataset([self, other])

    def __class_getitem__(cls, item):  # ``Dataset[int]`` in type hints, as with typing.Generic
        return cls


class IterableDataset(Dataset, collections.abc.Iterable):
    """An abstract iterable-style dataset: subclasses define ``__iter__`` yielding samples. Used
    with a ``DataLoader`` of ``num_workers > 0``, every worker iterates its own copy of the
    dataset; use :func:`get_worker_info` inside ``__iter__`` to give each worker its share.

    ``a + b`` chains two iterable datasets (a :class:`ChainDataset`).

    Example::

        >>> class Count(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(Count(3))
        [0, 1, 2]
    """

    def __add__(self, other):
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Dataset wrapping tensors: sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Args:
        *tensors (Tensor): tensors with the same size of the first dimension.

    A ``DataLoader`` with the default ``collate_fn`` builds each batch of a ``TensorDataset``
    with one index per tensor (``t[indices]``) rather than one ``__getitem__`` per sample and a
    stack: the values are the same.

    Example::

        >>> ds = TensorDataset(flambeau.arange(6).view(3, 2), flambeau.tensor([0, 1, 0]))
        >>> len(ds), ds[1]
        (3, (tensor([2, 3]), tensor(1)))
    """

    def __init__(self, *tensors):
        if any(tensors[0].size(0) != tensor.size(0) for tensor in tensors):
            raise AssertionError('Size mismatch between tensors')
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor[index] for tensor in self.tensors)

    def __getitems__(self, indices):
        """The samples at ``indices`` (a list of tuples), from one index per tensor."""
        if type(self).__getitem__ is not TensorDataset.__getitem__:
            return [self[i] for i in indices]  # a subclass's own __getitem__ must be seen
        columns = self._getbatch(indices)
        return list(zip(*columns))

    def _getbatch(self, indices):
        """The batch at ``indices`` as ``default_collate`` would build it (a list with one
        tensor per wrapped tensor), with one fancy index per tensor."""
        n = self.tensors[0].shape[0]
        try:
            idx = np.asarray(indices, dtype=np.intp)
        except (TypeError, ValueError):
            idx = None
        if idx is None or idx.ndim != 1 or (idx.size and not -n <= idx.min() <= idx.max() < n):
            # unusual indices, or out of range (flambeau's indexing raises PyTorch's message)
            return [_stack_rows(t, indices) for t in self.tensors]
        out = []
        on_device = {}
        for t in self.tensors:
            if t._requires_grad:  # keep the graph: a recorded index
                out.append(_stack_rows(t, indices))
                continue
            dev = t._device
            if dev is CPU:
                out.append(_make(t._data[idx], t._dtype, dev))
            else:
                i = on_device.get(dev)
                if i is None:
                    i = on_device[dev] = dev._backend.from_host(idx, dev.index)
                out.append(_make(t._data[i], t._dtype, dev))
        return out

    def __len__(self):
        return self.tensors[0].size(0)


def _batch_getter(dataset):
    """A function ``indices -> batch`` giving what ``default_collate`` would build from the
    samples at ``indices``, for datasets that can build it directly (a ``TensorDataset``, or a
    ``Subset`` of one, whose item methods are not overridden); else None."""
    cls = type(dataset)
    if (isinstance(dataset, TensorDataset) and cls.__getitem__ is TensorDataset.__getitem__
            and cls.__getitems__ is TensorDataset.__getitems__):
        return dataset._getbatch
    if (isinstance(dataset, Subset) and cls.__getitem__ is Subset.__getitem__
            and cls.__getitems__ is Subset.__getitems__):
        inner = _batch_getter(dataset.dataset)
        if inner is not None:
            positions = dataset.indices
            return lambda indices: inner([positions[i] for i in indices])
    return None


def _stack_rows(t, indices):
    return stack([t[i] for i in indices], 0)


class StackDataset(Dataset):
    """Dataset whose samples gather the samples of several datasets of the same length: a tuple
    when given positionally, a dict when given by keyword.

    Args:
        *args (Dataset): datasets returned as a tuple.
        **kwargs (Dataset): datasets returned as a dict.

    Example::

        >>> ds = StackDataset(image=[10, 11], label=[0, 1])
        >>> ds[1]
        {'image': 11, 'label': 1}
    """

    def __init__(self, *args, **kwargs):
        if args:
            if kwargs:
                raise ValueError('Supported either ``tuple``- (via ``args``) or``dict``- (via '
                                 '``kwargs``) like input/output, but both types are given.')
            self._length = len(args[0])
            if any(self._length != len(dataset) for dataset in args):
                raise ValueError('Size mismatch between datasets')
            self.datasets = args
        elif kwargs:
            values = list(kwargs.values())
            self._length = len(values[0])
            if any(self._length != len(dataset) for dataset in values):
                raise ValueError('Size mismatch between datasets')
            self.datasets = kwargs
        else:
            raise ValueError('At least one dataset should be passed')

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {k: dataset[index] for k, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __getitems__(self, indices):
        """The samples at ``indices``, using each inner dataset's ``__getitems__`` if it has
        one."""
        named = isinstance(self.datasets, dict)
        parts = self.datasets.items() if named else enumerate(self.datasets)
        columns = {}
        for key, dataset in parts:
            getitems = getattr(dataset, '__getitems__', None)
            if callable(getitems):
                items = getitems(indices)
                if len(items) != len(indices):
                    raise ValueError(f"Nested dataset's output size mismatch. Expected "
                                     f'{len(indices)}, got {len(items)}')
            else:
                items = [dataset[i] for i in indices]
            columns[key] = items
        if named:
            keys = list(columns)
            return [dict(zip(keys, row)) for row in zip(*columns.values())]
        return list(zip(*columns.values()))

    def __len__(self):
        return self._length


class ConcatDataset(Dataset):
    """The concatenation of several map-style datasets.

    Args:
        datasets (iterable): the datasets to concatenate.

    Example::

        >>> ds = ConcatDataset([[1, 2], [3]])
        >>> len(ds), ds[2], ds[-1], ds.cumulative_sizes
        (3, 3, 3, [2, 3])
    """

    @staticmethod
    def cumsum(sequence):
        """Running totals of the lengths of ``sequence``'s datasets."""
        out, total = [], 0
        for dataset in sequence:
            total += len(dataset)
            out.append(total)
        return out

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError('datasets should not be an empty iterable')
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError('ConcatDataset does not support IterableDataset')
        self.cumulative_sizes = self.cumsum(self.datasets)

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError('absolute value of index should not exceed dataset length')
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]

    @property
    def cummulative_sizes(self):
        warnings.warn('`cummulative_sizes` attribute is renamed to `cumulative_sizes`',
                      FutureWarning, stacklevel=2)
        return self.cumulative_sizes


class ChainDataset(IterableDataset):
    """Iterable datasets chained one after the other, lazily.

    Args:
        datasets (iterable of IterableDataset): the datasets to chain.

    Example::

        >>> class R(IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(ChainDataset([R(2), R(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets):
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            yield from d

    def __len__(self):
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError('ChainDataset only supports IterableDataset')
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i]`` is ``dataset[indices[i]]``.

    Args:
        dataset (Dataset): the whole dataset.
        indices (sequence): the indices of the samples kept.

    Example::

        >>> s = Subset(['a', 'b', 'c', 'd'], [3, 0])
        >>> len(s), s[0], s[1]
        (2, 'd', 'a')
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        if (type(self).__getitem__ is not Subset.__getitem__
                and type(self).__getitems__ is Subset.__getitems__):
            raise NotImplementedError(
                f'{type(self).__name__} overrides __getitem__ but not __getitems__. When '
                'subclassing Subset and overriding __getitem__, you must also override '
                '__getitems__ to ensure DataLoader works correctly with your custom logic. '
                'A simple implementation:\n\ndef __getitems__(self, indices):\n'
                '    return [self.__getitem__(idx) for idx in indices]')

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices):
        """The samples at ``indices``, through the wrapped dataset's ``__getitems__`` if it has
        one."""
        inner = [self.indices[i] for i in indices]
        getitems = getattr(self.dataset, '__getitems__', None)
        if callable(getitems):
            return getitems(inner)
        return [self.dataset[i] for i in inner]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=default_generator):
    """Randomly split ``dataset`` into non-overlapping :class:`Subset` s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1: each split
    then gets ``floor(frac * len(dataset))`` samples and the remainder is dealt out one by one,
    round-robin, from the first split.

    Args:
        dataset (Dataset): the dataset to split.
        lengths (sequence): lengths or fractions of the splits.
        generator (Generator): the generator of the random permutation.

    Example::

        >>> a, b = random_split(range(10), [0.7, 0.3], generator=flambeau.Generator().manual_seed(0))
        >>> len(a), len(b), sorted(list(a) + list(b)) == list(range(10))
        (7, 3, True)
    """
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f'Fraction at index {i} is not between 0 and 1')
            sizes.append(math.floor(len(dataset) * frac))
        for i in range(len(dataset) - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f'Length of split at index {i} is 0. This might result in an empty '
                              'dataset.', stacklevel=2)
    if sum(lengths) != len(dataset):
        raise ValueError('Sum of input lengths does not equal the length of the input dataset!')
    indices = randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[offset - length:offset])
            for offset, length in zip(itertools.accumulate(lengths), lengths)]
