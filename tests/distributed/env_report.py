"""Started by the launcher: prints its environment; with argument ``mpi`` also all-reduces;
with ``fail`` rank 1 exits with code 3 while the others wait."""
import os
import sys
import time

keys = ('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'LOCAL_WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT',
        'OMP_NUM_THREADS')
print('ENV ' + ' '.join(f'{k}={os.environ.get(k)}' for k in keys), flush=True)
if 'mpi' in sys.argv[1:]:
    import flambeau as torch
    import flambeau.distributed as dist
    dist.init_process_group('gloo')
    t = torch.tensor([float(dist.get_rank())])
    dist.all_reduce(t)
    assert dist.get_rank() == int(os.environ['RANK'])
    print(f'SUM {t.item()}', flush=True)
if 'fail' in sys.argv[1:]:
    if os.environ['RANK'] == '1':
        sys.exit(3)
    time.sleep(60)
