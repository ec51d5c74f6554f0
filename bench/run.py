"""Run the workloads of ``bench/workloads.py`` in flambeau and in PyTorch, in one process,
alternating between the two, and print median times and their ratio.

    python -m bench                 # everything
    python -m bench --quick         # fewer, shorter repeats
    python -m bench --only fwd_bwd  # one workload (repeatable: --only add --only mul)
    python -m bench --json out.json # also write the results as JSON
    python -m bench --no-memory     # skip the peak-memory runs (faster)

ratio = flambeau median / PyTorch median (time ratio: below 1.0 flambeau is faster);
min-ratio = the same with the fastest repeat of each (steadier on a noisy machine);
fl-MiB, torch-MiB = peak resident memory of a fresh process that imports only that framework
and runs the workload (see bench/README.md); mem-ratio = fl-MiB / torch-MiB.
"""
import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

if __package__ in (None, ''):  # run as a script: python bench/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from bench import workloads as W
else:
    from . import workloads as W


def _modules():
    import flambeau
    import torch
    torch.set_num_threads(os.cpu_count())
    return {'flambeau': flambeau, 'torch': torch}


def _time_calls(fn, number):
    """Seconds for ``number`` calls of ``fn`` (garbage collection off, as in ``timeit``)."""
    rng = range(number)
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in rng:
            fn()
        return time.perf_counter() - t0
    finally:
        if gc_was:
            gc.enable()


def _calibrate(fn, target):
    """A call count whose loop takes about ``target`` seconds."""
    n = 1
    while True:
        t = _time_calls(fn, n)
        if t >= target / 10 or n >= 10 ** 7:
            return max(1, int(n * target / max(t, 1e-9)))
        n *= 10


def _baseline(target):
    """Cost of one call of an empty closure in the timing loop, subtracted from per-op times."""
    def empty():
        return None
    n = _calibrate(empty, target)
    return min(_time_calls(empty, n) / n for _ in range(5))


def bench_per_op(name, mods, repeats, target, base):
    fns = {k: getattr(W, name)(m) for k, m in mods.items()}
    for fn in fns.values():  # warm up (first calls import, allocate, fill caches)
        for _ in range(200):
            fn()
    number = min(_calibrate(fn, target) for fn in fns.values())
    samples = {k: [] for k in fns}
    order = list(fns)
    for r in range(repeats):
        for k in (order if r % 2 == 0 else order[::-1]):
            samples[k].append((_time_calls(fns[k], number) / number - base) * 1e6)
    return samples, 'us/op'


# Note [Settling between frameworks]: after a BLAS or OpenMP call, idle worker threads spin
# for up to ~0.1 s (OpenBLAS's THREAD_TIMEOUT, libgomp's spin count) before they sleep. Timed
# right after the other framework, a loop workload shares the cores with those spinning
# threads: PyTorch's 2-thread conv2d_fwd_bwd measured 36 ms that way against 21 ms after a
# pause (flambeau 43 vs 37 ms). Each timed call of a loop workload therefore starts after a
# pause of SETTLE seconds.
SETTLE = 0.25


def bench_loop(name, mods, repeats, target, base):
    fns = {k: getattr(W, name)(m) for k, m in mods.items()}
    results = {k: fn() for k, fn in fns.items()}  # warm-up run, also a sanity check
    if all(v is not None for v in results.values()):  # None: nothing comparable (shuffling)
        vals = {k: [float(t.detach()[0]) for t in v] for k, v in results.items()}
        a, b = vals['flambeau'], vals['torch']
        if any(abs(p - q) > 1e-4 * (1 + abs(q)) for p, q in zip(a, b)):
            print(f'  warning: {name} results differ: flambeau {a} torch {b}', file=sys.stderr)
    ceiling = getattr(W, 'CEILING', {}).get(name)
    if ceiling is not None:  # a plain-NumPy version of the work, timed alongside
        fns['numpy'] = ceiling()
        fns['numpy']()
    samples = {k: [] for k in fns}
    order = list(fns)
    for r in range(repeats):
        for k in (order if r % 2 == 0 else order[::-1]):
            time.sleep(SETTLE)
            t0 = time.perf_counter()
            fns[k]()
            samples[k].append(time.perf_counter() - t0)
    return samples, 's'


def _peak_rss_mib():
    """Peak resident set size of this process so far, in MiB.

    On Linux this reads ``VmHWM`` from /proc/self/status, not ``ru_maxrss``: the kernel carries
    ``ru_maxrss`` over ``fork`` + ``exec``, so a child would report at least its parent's peak
    (the parent here holds both frameworks). Elsewhere ``ru_maxrss`` (bytes on macOS)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 2 ** 10
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2 ** 20 if sys.platform == 'darwin' else 2 ** 10)


def memory_child(name, framework):
    """Run in a fresh interpreter by :func:`peak_memory`: import ``framework`` alone, build the
    workload and run it as the timing does (a warm-up and one timed run for a loop workload, a
    few hundred calls for a per-op one), then print the peak RSS as JSON."""
    import importlib
    m = importlib.import_module(framework)
    if framework == 'torch':
        m.set_num_threads(os.cpu_count())
    after_import = _peak_rss_mib()
    if name != 'import_time':  # its process is the import itself
        fn = getattr(W, name)(m)
        for _ in range(2 if name in W.LOOPS else 400):
            fn()
    print(json.dumps({'peak_mib': _peak_rss_mib(), 'import_mib': after_import}))


def peak_memory(name, framework):
    """``{'peak_mib': ..., 'import_mib': ...}`` of a fresh process running workload ``name`` in
    ``framework`` only (so neither framework's memory counts against the other), or None when
    the child failed."""
    cmd = [sys.executable, os.path.abspath(__file__), '--memory-child', name, framework]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ['']
        print(f'  warning: peak memory of {name} in {framework} failed: {tail[0]}',
              file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _rate(x):
    return f'{x:.1f}' if x < 1000 else f'{x:.0f}'


def throughput(name, samples):
    """``{framework: rate}`` for workloads that declare their work per call in ``W.WORK``
    (e.g. samples/s, GFLOP/s; from the median times), with its unit; None for the others."""
    work = getattr(W, 'WORK', {}).get(name)
    if work is None:
        return None
    amount, unit = work
    return {k: amount / statistics.median(v) for k, v in samples.items()}, unit


def main(argv=None):
    p = argparse.ArgumentParser(prog='python -m bench', description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--only', action='append', metavar='NAME',
                   help='run only this workload (may be repeated); one of: '
                        + ', '.join(W.PER_OP + W.LOOPS))
    p.add_argument('--quick', action='store_true', help='fewer and shorter repeats')
    p.add_argument('--json', metavar='FILE', help='write the results to FILE as JSON')
    p.add_argument('--no-memory', action='store_true',
                   help='skip the peak-memory runs (one fresh process per framework and workload)')
    p.add_argument('--memory-child', nargs=2, metavar=('NAME', 'FRAMEWORK'),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        memory_child(*args.memory_child)
        return None

    names = W.PER_OP + W.LOOPS
    if args.only:
        unknown = [n for n in args.only if n not in names]
        if unknown:
            p.error(f'unknown workload(s): {", ".join(unknown)}; choose from {", ".join(names)}')
        names = [n for n in names if n in args.only]
    repeats_op, target, repeats_loop = (5, 0.02, 3) if args.quick else (15, 0.1, 7)

    mods = _modules()
    base = _baseline(target)
    print(f'python {platform.python_version()}, numpy {__import__("numpy").__version__}, '
          f'torch {mods["torch"].__version__} ({mods["torch"].get_num_threads()} threads), '
          f'{os.cpu_count()} cpus, {platform.machine()}; timing-loop call overhead '
          f'{base * 1e9:.0f} ns subtracted from per-op times')
    header = (f'{"workload":<20} {"unit":<6} {"flambeau":>10} {"torch":>10} {"ratio":>7} '
              f'{"min-ratio":>9}')
    if not args.no_memory:
        header += f' {"fl-MiB":>8} {"torch-MiB":>9} {"mem-ratio":>9}'
    print(header)
    print('-' * len(header))
    rows = []
    for name in names:
        runner = bench_loop if name in W.LOOPS else bench_per_op
        try:
            samples, unit = runner(name, mods, repeats_loop if name in W.LOOPS else repeats_op,
                                   target, base)
        except Exception as e:  # e.g. a module one framework lacks yet: the others still run
            print(f'{name:<20} skipped: {type(e).__name__}: {e}', flush=True)
            rows.append({'workload': name, 'skipped': f'{type(e).__name__}: {e}'})
            continue
        fl, th = statistics.median(samples['flambeau']), statistics.median(samples['torch'])
        ratio = fl / th
        min_ratio = min(samples['flambeau']) / min(samples['torch'])
        fmt = '.2f' if unit == 'us/op' else '.3f'
        line = f'{name:<20} {unit:<6} {fl:>10{fmt}} {th:>10{fmt}} {ratio:>7.2f} {min_ratio:>9.2f}'
        row = {'workload': name, 'unit': unit, 'flambeau': fl, 'torch': th, 'ratio': ratio,
               'min_ratio': min_ratio, 'samples': samples}
        if not args.no_memory:
            mem = {k: peak_memory(name, k) for k in ('flambeau', 'torch')}
            row['memory'] = mem
            fm, tm = ((mem[k] or {}).get('peak_mib') for k in ('flambeau', 'torch'))
            line += (f' {fm:>8.0f}' if fm else f' {"?":>8}') + \
                    (f' {tm:>9.0f}' if tm else f' {"?":>9}') + \
                    (f' {fm / tm:>9.2f}' if fm and tm else f' {"?":>9}')
        print(line, flush=True)
        tp = throughput(name, samples)
        if tp is not None:
            rates, rate_unit = tp
            text = ', '.join(f'{k} {_rate(v)}' + (' (ceiling)' if k == 'numpy' else '')
                             for k, v in rates.items())
            print(f'{"":<20} {rate_unit}: {text}', flush=True)
            row['throughput'] = {'unit': rate_unit, **rates}
        rows.append(row)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'machine': {'cpus': os.cpu_count(), 'python': platform.python_version(),
                                   'platform': platform.platform()},
                       'results': rows}, f, indent=1)
    return rows


if __name__ == '__main__':
    main()
