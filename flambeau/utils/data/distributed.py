"""``DistributedSampler``: each rank of a distributed job reads its own part of a dataset."""
import math

from .sampler import Sampler

__all__ = ['DistributedSampler']


class DistributedSampler(Sampler):
    """Gives rank ``rank`` of ``num_replicas`` every ``num_replicas``-th index of a (shuffled)
    order of the dataset, so that the ranks read disjoint parts of it of equal length.

    Args:
        dataset: the dataset (its ``len`` is used).
        num_replicas: the number of ranks (``distributed.get_world_size()`` by default).
        rank: this rank (``distributed.get_rank()`` by default).
        shuffle: shuffle the indices, the same way on every rank, anew for each epoch.
        seed: the shuffling seed; the order of an epoch depends on ``seed + epoch``.
        drop_last: drop the tail so the data divides evenly; otherwise the order is padded by
            repeating its first indices (as PyTorch pads).

    Call ``set_epoch(epoch)`` at the start of each epoch, before iterating a ``DataLoader``
    built on it, or every epoch sees the same order.

    Example::

        >>> sampler = DistributedSampler(dataset)     # in a process of the job
        >>> loader = DataLoader(dataset, batch_size=32, sampler=sampler)
        >>> for epoch in range(3):
        ...     sampler.set_epoch(epoch)
        ...     for batch in loader: ...
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f'Invalid rank {rank}, rank should be in the interval '
                             f'[0, {num_replicas - 1}]')
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            from ...ops.random import randperm
            from ...random import Generator
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which with ``seed`` decides the shuffled order (the same on every
        rank)."""
        self.epoch = epoch
