"""``flambeau.nn.parallel``: ``DistributedDataParallel`` (multi-process data parallelism over
``flambeau.distributed``). PyTorch's single-process ``DataParallel`` is not provided: PyTorch
itself recommends DistributedDataParallel instead."""
from .distributed import DistributedDataParallel

__all__ = ['DistributedDataParallel']
