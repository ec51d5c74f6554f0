"""Fetchers: turn what the index sampler yields into a batch, in the main process or in a
worker. A map-style fetcher reads ``dataset[i]`` (or one ``__getitems__`` call, or one fancy
index per tensor of a ``TensorDataset``); an iterable-style one pulls from ``iter(dataset)``."""
from ..dataset import _batch_getter
from .collate import default_collate


class _MapDatasetFetcher:
    __slots__ = ('dataset', 'auto_collation', 'collate_fn', 'drop_last', '_getitems', '_getbatch')

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        getitems = getattr(dataset, '__getitems__', None)
        self._getitems = getitems if callable(getitems) else None
        # The fast path: the dataset builds the collated batch itself (TensorDataset: one fancy
        # index per tensor), which is exactly what default_collate would have returned.
        self._getbatch = _batch_getter(dataset) if collate_fn is default_collate else None

    def fetch(self, index):
        if self.auto_collation:
            if self._getbatch is not None:
                return self._getbatch(index)
            if self._getitems is not None:
                data = self._getitems(index)
            else:
                dataset = self.dataset
                data = [dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    __slots__ = ('dataset', 'auto_collation', 'collate_fn', 'drop_last', 'dataset_iter', 'ended')

    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            it = self.dataset_iter
            for _ in possibly_batched_index:
                try:
                    data.append(next(it))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last):
    """The fetcher for a map-style (``iterable=False``) or iterable-style dataset."""
    cls = _IterableDatasetFetcher if iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
