"""Multi-process training, as ``torch.distributed``: process groups, collectives on tensors,
and (in ``flambeau.nn.parallel``) ``DistributedDataParallel``.

flambeau runs on existing communication engines: MPI through mpi4py for CPU tensors
(``backend='mpi'``; ``'gloo'``, PyTorch's CPU backend, is served by MPI too) and NCCL through
CuPy for CUDA tensors (``backend='nccl'``). Start the processes with
``mpirun -np N python train.py`` or ``python -m flambeau.distributed.run --nproc-per-node N
train.py`` (torchrun's arguments).

Example::

    import flambeau as torch
    import flambeau.distributed as dist
    dist.init_process_group('mpi')
    t = torch.ones(3) * dist.get_rank()
    dist.all_reduce(t)              # sums over ranks, in place
    dist.destroy_process_group()

Importing this package does not start MPI: ``init_process_group`` does.
"""
from .collectives import *  # noqa: F401,F403  (pyflakes: re-exported)
from .collectives import __all__ as _collectives_all
from .process_group import *  # noqa: F401,F403
from .process_group import __all__ as _process_group_all

__all__ = _collectives_all + _process_group_all
