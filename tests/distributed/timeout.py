"""Rank 1 never joins the collective (and stays alive): rank 0 must fail at the timeout."""
import datetime
import time

import flambeau as torch
import flambeau.distributed as dist

dist.init_process_group('mpi', timeout=datetime.timedelta(seconds=2))
if dist.get_rank() == 1:
    time.sleep(60)
else:
    dist.all_reduce(torch.ones(3))
