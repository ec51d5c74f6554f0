"""Rank 1 raises while rank 0 waits in a collective: the job must end, not hang."""
import flambeau as torch
import flambeau.distributed as dist

dist.init_process_group('mpi')
if dist.get_rank() == 1:
    raise ValueError('boom on rank 1')
dist.all_reduce(torch.ones(3))  # never completed: rank 1 is gone
print('rank 0 finished a collective that could not finish')
