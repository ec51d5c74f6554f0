"""flambeau.distributed: collectives, DistributedDataParallel, failures and the launcher, each
in real processes started by ``mpirun -np 2`` (the programs are in tests/distributed/); and
DistributedSampler against PyTorch's. The MPI tests skip where mpirun or mpi4py is missing
(``.ci/run`` installs Open MPI from the system packages)."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from flambeau.utils.data import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HAVE_MPI = shutil.which('mpirun') is not None and importlib.util.find_spec('mpi4py') is not None
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason='needs mpirun and mpi4py (apt-get install '
                               'openmpi-bin libopenmpi-dev; pip install mpi4py)')


def _env():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMP_NUM_THREADS='1',
               # Open MPI's shared-memory single-copy (CMA) needs ptrace rights that
               # containers often lack; plain copies work everywhere
               OMPI_MCA_btl_vader_single_copy_mechanism='none')
    env.pop('RANK', None)
    env.pop('WORLD_SIZE', None)
    return env


def mpirun(n, program, *args, timeout=120):
    cmd = ['mpirun', '-np', str(n), '--oversubscribe']
    if os.geteuid() == 0:
        cmd.append('--allow-run-as-root')
    cmd += [sys.executable, os.path.join(HERE, 'distributed', program), *args]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env())
    return proc, time.monotonic() - start


def launcher(*args, timeout=120):
    cmd = [sys.executable, '-m', 'flambeau.distributed.run', *args]
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=_env(),
                          cwd=ROOT)
    return proc, time.monotonic() - start


@needs_mpi
@pytest.mark.parametrize('n', [2, 3])
def test_collectives(n):
    proc, _ = mpirun(n, 'collectives.py')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count('collectives ok') == n


@needs_mpi
def test_ddp_equals_single_process_training():
    """20 SGD steps on 2 ranks with DistributedSampler = single-process training on the
    global batches (1e-6); no_sync accumulation = one big batch; find_unused_parameters;
    the unfinished-reduction error; buffers broadcast."""
    proc, _ = mpirun(2, 'ddp_train.py', timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count('ddp ok') == 2


@needs_mpi
def test_a_failing_rank_ends_the_job():
    proc, took = mpirun(2, 'failing_rank.py', timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert 'ValueError: boom on rank 1' in out
    assert 'aborting the job' in out
    assert 'could not finish' not in out
    assert took < 60


@needs_mpi
def test_a_missing_rank_times_out():
    proc, took = mpirun(2, 'timeout.py', timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert 'all_reduce timed out after 2 seconds' in out, out
    assert took < 45


@needs_mpi
def test_launcher_with_mpirun():
    proc, _ = launcher('--nproc-per-node', '2', 'tests/distributed/env_report.py', 'mpi')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = sorted(line for line in proc.stdout.splitlines() if line.startswith('ENV'))
    assert lines == [f'ENV RANK={r} LOCAL_RANK={r} WORLD_SIZE=2 LOCAL_WORLD_SIZE=2 '
                     'MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 OMP_NUM_THREADS=1'
                     for r in range(2)], proc.stdout
    assert proc.stdout.count('SUM 1.0') == 2


def test_launcher_local_processes():
    proc, _ = launcher('--nproc-per-node', '3', '--spawn', 'local', '--master-port', '29611',
                       'tests/distributed/env_report.py')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(re.findall(r'ENV (RANK=\d)', proc.stdout)) == ['RANK=0', 'RANK=1', 'RANK=2']
    assert 'MASTER_PORT=29611' in proc.stdout


def test_launcher_stops_the_others_when_one_fails():
    proc, took = launcher('--nproc-per-node', '2', '--spawn', 'local',
                          'tests/distributed/env_report.py', 'fail')
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert 'stopping the others' in proc.stderr
    assert took < 30


def test_mpi_backend_without_mpirun_says_how_to_start():
    if importlib.util.find_spec('mpi4py') is None:
        pytest.skip('needs mpi4py')
    code = ("import flambeau.distributed as d\n"
            "try:\n    d.init_process_group('mpi', world_size=2, rank=0)\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=_env(), timeout=60)
    assert 'ERR' in proc.stdout, proc.stdout + proc.stderr
    assert 'mpirun -np 2' in proc.stdout and 'flambeau.distributed.run' in proc.stdout


def test_missing_mpi_says_what_to_install():
    """Without mpi4py (hidden here), the mpi backend's error names the packages to install."""
    code = ("import sys\nsys.modules['mpi4py'] = None\n"
            "import flambeau.distributed as d\n"
            "try:\n    d.init_process_group('mpi')\n"
            "except RuntimeError as e:\n    print('ERR', e)\n")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=_env(), timeout=60)
    assert 'ERR' in proc.stdout, proc.stdout + proc.stderr
    for words in ('pip install mpi4py', 'openmpi-bin', 'libopenmpi-dev'):
        assert words in proc.stdout, proc.stdout


def test_uninitialised_errors():
    import flambeau.distributed as dist
    assert dist.is_available() and not dist.is_initialized()
    with pytest.raises(ValueError, match='Default process group has not been initialized'):
        dist.get_rank()
    with pytest.raises(ValueError, match='Invalid backend'):
        dist.init_process_group('tcp')


# -- DistributedSampler ------------------------------------------------------------------------
torch = pytest.importorskip('torch')


@pytest.mark.parametrize('n,replicas,drop_last', [(10, 3, False), (10, 3, True), (2, 5, False),
                                                  (11, 4, True), (12, 4, False), (0, 2, False)])
def test_distributed_sampler_matches_torch_unshuffled(n, replicas, drop_last):
    from torch.utils.data import DistributedSampler as TorchSampler
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_distributed_sampler_shuffles_one_permutation_per_epoch():
    n, replicas = 23, 4
    def parts(epoch, seed=0):
        out = []
        for r in range(replicas):
            s = DistributedSampler(range(n), replicas, r, seed=seed)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    p0 = parts(0)
    assert sorted(i for part in p0 for i in part)[:n] != [] and \
        set(i for part in p0 for i in part) == set(range(n))  # covers, padded to 24
    assert sum(len(p) for p in p0) == 24 and len({len(p) for p in p0}) == 1
    assert p0 == parts(0) and p0 != parts(1) and p0 != parts(0, seed=1)
    flat = [i for part in p0 for i in part]
    assert len(flat) - len(set(flat)) == 1  # exactly the one padding index repeats


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r'Invalid rank 3, rank should be in the interval \[0, 2\]'):
        DistributedSampler(range(4), num_replicas=3, rank=3)
