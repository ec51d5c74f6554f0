"""flambeau against itself at another revision, alternating in one process.

    python -m bench.ab REV WORKLOAD [--rounds R] [--calls C]

This machine's speed moves by up to 2x within seconds, so two separate runs of a workload do
not compare; the decisions of issue 10 were all made this way instead. The package at ``REV``
(``git show``, nothing checked out) is imported under the name ``flbase`` next to the working
tree's ``flambeau``; each round times ``C`` calls of the workload of one, then of the other
(the order flips every round, with a short pause before each), and the minimum, first quartile
and median of each are printed, and new / base. ``WORKLOAD`` is any name in
``bench.workloads``.
"""
import argparse
import atexit
import importlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_revision(rev, name='flbase'):
    """The ``flambeau`` package of git revision ``rev`` imported as module ``name``."""
    tar = subprocess.run(['git', '-C', _ROOT, 'archive', rev, 'flambeau'], check=True,
                         capture_output=True).stdout
    where = tempfile.mkdtemp(prefix='flambeau-ab-')
    atexit.register(shutil.rmtree, where, True)
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        try:
            t.extractall(where, filter='data')
        except TypeError:  # (Pythons before the extraction filters)
            t.extractall(where)
    os.rename(os.path.join(where, 'flambeau'), os.path.join(where, name))
    sys.path.insert(0, where)
    return importlib.import_module(name)


def alternate(fns, rounds, calls, pause=0.02):
    """Times of ``calls`` calls per round of each function of ``fns`` (name -> function), the
    order flipping each round: name -> sorted list of seconds."""
    names = list(fns)
    times = {k: [] for k in names}
    for r in range(rounds):
        for k in (names if r % 2 == 0 else names[::-1]):
            time.sleep(pause)
            for _ in range(calls):
                t0 = time.perf_counter()
                fns[k]()
                times[k].append(time.perf_counter() - t0)
    return {k: sorted(v) for k, v in times.items()}


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m bench.ab', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('rev', help='the git revision to compare against (e.g. HEAD, a commit)')
    p.add_argument('workload', help='a function of bench.workloads')
    p.add_argument('--rounds', type=int, default=15)
    p.add_argument('--calls', type=int, default=3)
    a = p.parse_args(argv)
    import gc
    import flambeau
    from . import workloads
    make = getattr(workloads, a.workload, None)
    if not callable(make):
        p.error(f'no workload {a.workload!r} in bench.workloads')
    base = import_revision(a.rev)
    fns = {'base': make(base), 'new': make(flambeau)}
    for f in fns.values():
        f()
        f()
    gc.disable()
    res = alternate(fns, a.rounds, a.calls)
    gc.enable()
    for k, v in res.items():
        print(f'{k:5} {a.workload}: min {v[0] * 1e3:.3f} q1 {v[len(v) // 4] * 1e3:.3f} '
              f'median {v[len(v) // 2] * 1e3:.3f} ms')
    b, n = res['base'], res['new']
    print(f'new / base: min {n[0] / b[0]:.3f} median {n[len(n) // 2] / b[len(b) // 2]:.3f}')


if __name__ == '__main__':
    main()
