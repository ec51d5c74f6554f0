"""``python -m flambeau.distributed.run``: start a multi-process job on this machine, as
``torchrun`` does.

    python -m flambeau.distributed.run --nproc-per-node 2 train.py --epochs 3

Each process gets ``RANK``, ``LOCAL_RANK``, ``WORLD_SIZE``, ``LOCAL_WORLD_SIZE``,
``MASTER_ADDR`` and ``MASTER_PORT`` in its environment (and ``OMP_NUM_THREADS=1`` unless set,
as torchrun does). When ``mpirun`` is on the PATH and mpi4py is installed (the default
``--spawn auto``), the processes are started by ``mpirun``, so that the ``mpi`` backend (and
``gloo``, which it serves) works; with ``--spawn local`` they are started directly (enough for
``nccl``, which meets at ``MASTER_ADDR``:``MASTER_PORT``). If a process fails, the others are
stopped and the launcher exits with its exit code.

The same job without the launcher: ``mpirun -np 2 python train.py`` (``init_process_group``
reads rank and size from MPI; only ``LOCAL_RANK`` and the other variables are then unset).
Only one machine (``--nnodes 1``) is supported; for several, use ``mpirun`` with a hostfile.
"""
import argparse
import os
import runpy
import shutil
import signal
import socket
import subprocess
import sys
import time

_MPI_ENV = {  # variable set by the launcher -> where mpirun (Open MPI, MPICH) puts it
    'RANK': ('OMPI_COMM_WORLD_RANK', 'PMI_RANK'),
    'WORLD_SIZE': ('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE'),
    'LOCAL_RANK': ('OMPI_COMM_WORLD_LOCAL_RANK', 'MPI_LOCALRANKID'),
    'LOCAL_WORLD_SIZE': ('OMPI_COMM_WORLD_LOCAL_SIZE', 'MPI_LOCALNRANKS'),
}


def _parser():
    p = argparse.ArgumentParser(
        prog='python -m flambeau.distributed.run',
        description='Start N processes of a training script on this machine (like torchrun).')
    p.add_argument('--nproc-per-node', '--nproc_per_node', default='1',
                   help="number of processes: an integer, or 'auto'/'cpu' (one per CPU core) "
                        "or 'gpu' (one per GPU)")
    p.add_argument('--nnodes', default='1', help='number of machines (only 1 is supported)')
    p.add_argument('--node-rank', '--node_rank', type=int, default=0)
    p.add_argument('--master-addr', '--master_addr', default='127.0.0.1')
    p.add_argument('--master-port', '--master_port', type=int, default=29500)
    p.add_argument('--standalone', action='store_true',
                   help='single machine: pick a free port for MASTER_PORT')
    p.add_argument('--spawn', choices=('auto', 'mpirun', 'local'), default='auto',
                   help='start the processes with mpirun (needed by the mpi backend) or '
                        'directly; auto: mpirun when it and mpi4py are installed')
    p.add_argument('-m', '--module', action='store_true',
                   help='run the script as a module (python -m)')
    p.add_argument('--no-python', '--no_python', action='store_true',
                   help='run the script as an executable, not with python')
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('script', help='the training script (or module with -m)')
    p.add_argument('script_args', nargs=argparse.REMAINDER)
    return p


def _nproc(value):
    if value in ('auto', 'cpu'):
        return os.cpu_count() or 1
    if value == 'gpu':
        from .. import cuda
        if not cuda.is_available():
            raise SystemExit("--nproc-per-node gpu: no CUDA GPU is available")
        return cuda.device_count()
    n = int(value)
    if n < 1:
        raise SystemExit(f'--nproc-per-node must be at least 1, got {n}')
    return n


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _command(args, worker):
    if args.no_python:
        return [args.script] + args.script_args
    cmd = [sys.executable]
    if worker:
        cmd += ['-m', 'flambeau.distributed.run', '--worker'] + (['-m'] if args.module else [])
        return cmd + [args.script] + args.script_args
    return cmd + (['-m'] if args.module else []) + [args.script] + args.script_args


def _use_mpirun(args):
    if args.spawn == 'local':
        return False
    found = shutil.which('mpirun') is not None
    if args.spawn == 'mpirun' and not found:
        from .process_group import MPI_INSTALL_HINT
        raise SystemExit(f'--spawn mpirun: mpirun is not on the PATH. Install MPI: '
                         f'{MPI_INSTALL_HINT}')
    if args.spawn == 'auto':
        from .process_group import is_mpi_available
        return found and is_mpi_available()
    return True


def _mpirun(args, n, env):
    """Start the job under mpirun (its processes run this module with ``--worker``)."""
    cmd = ['mpirun', '-np', str(n)]
    version = subprocess.run(['mpirun', '--version'], capture_output=True, text=True).stdout
    if 'Open MPI' in version or 'OpenRTE' in version:
        cmd += ['--oversubscribe']  # more processes than cores is the user's choice
        if hasattr(os, 'geteuid') and os.geteuid() == 0:
            cmd += ['--allow-run-as-root']
    if args.no_python:
        raise SystemExit('--no-python cannot be combined with mpirun: use --spawn local')
    return subprocess.call(cmd + _command(args, worker=True), env=env)


def _local(args, n, env):
    """Start ``n`` processes directly; stop all when one fails (Ctrl-C stops all too)."""
    procs = []
    for rank in range(n):
        e = dict(env, RANK=str(rank), LOCAL_RANK=str(rank))
        procs.append(subprocess.Popen(_command(args, worker=False), env=e))
    code = 0
    try:
        while procs:
            for rank, p in enumerate(list(procs)):
                rc = p.poll()
                if rc is None:
                    continue
                procs.remove(p)
                if rc != 0 and code == 0:
                    code = rc
                    print(f'flambeau.distributed.run: a process exited with code {rc}; '
                          'stopping the others', file=sys.stderr)
                    _stop(procs)
            time.sleep(0.05)
    except KeyboardInterrupt:
        _stop(procs)
        code = 128 + signal.SIGINT
    return code


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()


def _worker(args):
    """Inside a process started by mpirun: set the torchrun variables from MPI's, then run
    the script as ``__main__``."""
    for name, sources in _MPI_ENV.items():
        for src in sources:
            if src in os.environ:
                os.environ[name] = os.environ[src]
                break
    sys.argv = [args.script] + args.script_args
    if args.module:
        runpy.run_module(args.script, run_name='__main__', alter_sys=True)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
        runpy.run_path(args.script, run_name='__main__')


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    if args.nnodes not in ('1', '1:1'):
        raise SystemExit(f'--nnodes {args.nnodes}: flambeau.distributed.run starts processes on '
                         'one machine only; for several machines use mpirun with a hostfile')
    n = _nproc(args.nproc_per_node)
    env = dict(os.environ, WORLD_SIZE=str(n), LOCAL_WORLD_SIZE=str(n),
               MASTER_ADDR=args.master_addr,
               MASTER_PORT=str(_free_port() if args.standalone else args.master_port),
               GROUP_RANK='0')
    if n > 1 and 'OMP_NUM_THREADS' not in env:
        env['OMP_NUM_THREADS'] = '1'
        print('flambeau.distributed.run: setting OMP_NUM_THREADS=1 for each process (set it '
              'yourself to choose another value)', file=sys.stderr)
    if _use_mpirun(args):
        return _mpirun(args, n, env)
    return _local(args, n, env)


if __name__ == '__main__':
    sys.exit(main())
