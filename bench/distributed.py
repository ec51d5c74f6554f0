"""Data-parallel scaling: the MLP workload (64-256-128-10 on scikit-learn's digits, Adam,
``CrossEntropyLoss``, batch 64 per rank, ``DistributedSampler``) trained with
``DistributedDataParallel`` on 1 and on 2 ranks, in flambeau (MPI, started by
``python -m flambeau.distributed.run``) and in PyTorch (Gloo, started by ``torchrun``).

    python -m bench.distributed [--epochs N] [--ranks 1 2]

Prints, per framework and rank count: samples/s over all ranks (median of the epochs after a
warm-up one), the speed-up over one rank, and the milliseconds per step that an all-reduce of
the model's gradients (all parameters, one flat float32 tensor) takes on its own. Each process
runs with one thread (``OMP_NUM_THREADS=1``), as both launchers set.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def worker(framework, epochs):
    """One rank: train, then time a bare all-reduce of the gradient's size; rank 0 prints a
    JSON line."""
    sys.path.insert(0, ROOT)
    if framework == 'torch':
        import torch as m
        from torch.nn.parallel import DistributedDataParallel as DDP
        backend = 'gloo'
    else:
        import flambeau as m
        from flambeau.nn.parallel import DistributedDataParallel as DDP
        backend = 'mpi'
    m.set_num_threads(1)
    dist = m.distributed
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    from bench.workloads import _digits, _fixed_init
    data = m.utils.data
    nn = m.nn
    x, y = _digits(m)
    dataset = data.TensorDataset(x, y)
    sampler = data.DistributedSampler(dataset, shuffle=True, seed=0)
    loader = data.DataLoader(dataset, batch_size=64, sampler=sampler)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    _fixed_init(m, model)
    ddp = DDP(model)
    opt = m.optim.Adam(ddp.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    rates, steps = [], 0
    for epoch in range(epochs + 1):
        sampler.set_epoch(epoch)
        dist.barrier()
        start, seen = time.perf_counter(), 0
        for xb, yb in loader:
            loss = loss_fn(ddp(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            seen += len(xb)
            steps += 1
        took = time.perf_counter() - start
        if epoch:  # the first epoch warms up
            rates.append(seen * world / took)
    n = sum(p.numel() for p in model.parameters())
    flat = m.zeros(n)
    dist.barrier()
    reps = 50
    start = time.perf_counter()
    for _ in range(reps):
        dist.all_reduce(flat)
    allreduce_ms = (time.perf_counter() - start) / reps * 1e3
    if rank == 0:
        print('RESULT ' + json.dumps({'samples_per_s': statistics.median(rates),
                                      'allreduce_ms': allreduce_ms, 'params': n}), flush=True)
    dist.destroy_process_group()


def launch(framework, ranks, epochs):
    if framework == 'torch':
        cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc-per-node', str(ranks),
               '--master-port', '29531']
    else:
        cmd = [sys.executable, '-m', 'flambeau.distributed.run', '--nproc-per-node', str(ranks)]
    cmd += [os.path.abspath(__file__), '--worker', framework, '--epochs', str(epochs)]
    env = dict(os.environ, OMP_NUM_THREADS='1',
               PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMPI_MCA_btl_vader_single_copy_mechanism='none')
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[len('RESULT '):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    print(f'  {framework} on {ranks} rank(s) failed: ' + ' | '.join(tail), file=sys.stderr)
    return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--ranks', type=int, nargs='+', default=[1, 2])
    p.add_argument('--worker', choices=('flambeau', 'torch'), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker, args.epochs)
        return
    print(f'{"framework":<10} {"ranks":>5} {"samples/s":>10} {"speed-up":>9} '
          f'{"allreduce ms/step":>18}')
    results = {}
    for ranks in args.ranks:
        for framework in ('flambeau', 'torch'):
            r = launch(framework, ranks, args.epochs)
            results[framework, ranks] = r
            if r is None:
                continue
            one = results.get((framework, args.ranks[0]))
            speedup = r['samples_per_s'] / one['samples_per_s'] if one else float('nan')
            print(f'{framework:<10} {ranks:>5} {r["samples_per_s"]:>10.0f} {speedup:>9.2f} '
                  f'{r["allreduce_ms"]:>18.3f}', flush=True)
    for ranks in args.ranks:
        fl, th = results.get(('flambeau', ranks)), results.get(('torch', ranks))
        if fl and th:
            print(f'{ranks} rank(s): flambeau/torch throughput {fl["samples_per_s"] / th["samples_per_s"]:.2f}')


if __name__ == '__main__':
    main()
