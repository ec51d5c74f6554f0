"""DataLoader worker processes: results equal to single-process loading, worker seeding and
get_worker_info, errors raised in workers, dead workers, timeouts, persistent workers, and no
process left behind (children counted before and after). Every test runs under an alarm so a
regression fails instead of hanging; the 'fork' context is used unless a test is about 'spawn'.
"""
import gc
import multiprocessing
import os
import signal
import threading
import time

import pytest

import flambeau
from flambeau.utils import data as fdata

pytestmark = pytest.mark.skipif(not hasattr(signal, 'SIGALRM'), reason='POSIX only')

FORK = 'fork'


@pytest.fixture(autouse=True)
def _no_hang_no_leftovers():
    before = {p.pid for p in multiprocessing.active_children()}

    def on_alarm(signum, frame):
        raise TimeoutError('DataLoader worker test hung')
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    gc.collect()  # an exception's traceback can hold an iterator in a reference cycle
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = {p.pid for p in multiprocessing.active_children()} - before
        if not left:
            break
        time.sleep(0.05)
    assert not left, f'worker processes left behind: {left}'


def _children():
    return len(multiprocessing.active_children())


class Squares(fdata.Dataset):
    def __init__(self, n=24):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return flambeau.tensor([i * i]), i


class WorkerFacts(fdata.Dataset):
    """Each sample says which worker read it, with that worker's seeds and a random draw."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = fdata.get_worker_info()
        return {'id': info.id, 'n': info.num_workers, 'seed': info.seed,
                'initial_seed': flambeau.initial_seed(), 'rand': flambeau.rand(()).item(),
                'pid': os.getpid(), 'same_ds': info.dataset is not None}


class Failing(fdata.Dataset):
    def __init__(self, exc=ValueError, at=5):
        self.exc, self.at = exc, at

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.at:
            raise self.exc(f'bad sample {i}')
        return i


class Dying(fdata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Slow(fdata.Dataset):
    def __init__(self, delay):
        self.delay = delay

    def __len__(self):
        return 100

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


class Sharded(fdata.IterableDataset):
    """An iterable dataset that splits range(n) between the workers."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = fdata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_workers_match_single_process():
    ds = Squares()
    for kw in ({'batch_size': 5}, {'batch_size': 5, 'drop_last': True}, {'batch_size': None},
               {'batch_size': 3, 'prefetch_factor': 1}):
        ref_kw = {k: v for k, v in kw.items() if k != 'prefetch_factor'}
        ref = [(x.tolist(), y.tolist() if hasattr(y, 'tolist') else y)
               for x, y in fdata.DataLoader(ds, **ref_kw)]
        got = [(x.tolist(), y.tolist() if hasattr(y, 'tolist') else y)
               for x, y in fdata.DataLoader(ds, num_workers=2, multiprocessing_context=FORK,
                                            **kw)]
        assert got == ref, kw
    # the TensorDataset fast path inside workers
    t = fdata.TensorDataset(flambeau.arange(50.).view(25, 2), flambeau.arange(25))
    ref = [[a.tolist() for a in b] for b in fdata.DataLoader(t, batch_size=4)]
    got = [[a.tolist() for a in b]
           for b in fdata.DataLoader(t, batch_size=4, num_workers=2, multiprocessing_context=FORK)]
    assert got == ref


def test_out_of_order():
    got = [b.tolist() for b in fdata.DataLoader(list(range(40)), batch_size=4, num_workers=2,
                                                 in_order=False, multiprocessing_context=FORK)]
    assert sorted(x for b in got for x in b) == list(range(40))


def test_worker_seeds_and_info():
    flambeau.manual_seed(123)
    rows = list(fdata.DataLoader(WorkerFacts(), batch_size=None, num_workers=2,
                                 multiprocessing_context=FORK))
    base = rows[0]['seed'] - rows[0]['id']
    assert {r['id'] for r in rows} == {0, 1} and all(r['n'] == 2 for r in rows)
    for r in rows:
        assert r['seed'] == base + r['id'] == r['initial_seed'] and r['same_ds']
    assert len({r['pid'] for r in rows}) == 2 and os.getpid() not in {r['pid'] for r in rows}
    # reproducible: the base seed comes from the default generator (or `generator`)
    flambeau.manual_seed(123)
    again = list(fdata.DataLoader(WorkerFacts(), batch_size=None, num_workers=2,
                                  multiprocessing_context=FORK))
    assert [(r['seed'], r['rand']) for r in again] == [(r['seed'], r['rand']) for r in rows]
    g = flambeau.Generator().manual_seed(9)
    a = list(fdata.DataLoader(WorkerFacts(), batch_size=None, num_workers=2, generator=g,
                              multiprocessing_context=FORK))
    g.manual_seed(9)
    b = list(fdata.DataLoader(WorkerFacts(), batch_size=None, num_workers=2, generator=g,
                              multiprocessing_context=FORK))
    assert [r['rand'] for r in a] == [r['rand'] for r in b]


def _record_init(worker_id):
    info = fdata.get_worker_info()
    assert info.id == worker_id
    info.dataset.tag = f'init{worker_id}'


class Tagged(fdata.Dataset):
    tag = 'main'

    def __len__(self):
        return 4

    def __getitem__(self, i):
        return self.tag


def test_worker_init_fn_and_iterable_sharding():
    tags = list(fdata.DataLoader(Tagged(), batch_size=None, num_workers=2,
                                 worker_init_fn=_record_init, multiprocessing_context=FORK))
    assert sorted(tags) == ['init0', 'init0', 'init1', 'init1']
    got = [x for b in fdata.DataLoader(Sharded(23), batch_size=4, num_workers=2,
                                       multiprocessing_context=FORK) for x in b.tolist()]
    assert sorted(got) == list(range(23))
    got = list(fdata.DataLoader(Sharded(5), batch_size=None, num_workers=2,
                                multiprocessing_context=FORK))
    assert sorted(int(x) for x in got) == list(range(5))


def test_worker_exception_reraised_with_traceback():
    loader = fdata.DataLoader(Failing(), batch_size=2, num_workers=2, multiprocessing_context=FORK)
    with pytest.raises(ValueError) as info:
        list(loader)
    msg = str(info.value)
    assert msg.startswith('Caught ValueError in DataLoader worker process 0.\n'
                          'Original Traceback (most recent call last):\n')
    assert 'ValueError: bad sample 5' in msg and '__getitem__' in msg
    with pytest.raises(KeyError) as info:
        list(fdata.DataLoader(Failing(KeyError, at=2), batch_size=2, num_workers=2,
                              multiprocessing_context=FORK))
    assert 'Caught KeyError in DataLoader worker process 1.' in str(info.value)
    with pytest.raises(ZeroDivisionError, match='in DataLoader worker process'):
        list(fdata.DataLoader(Failing(), batch_size=2, num_workers=1,
                              worker_init_fn=lambda w: 1 / 0, multiprocessing_context=FORK))


def test_loading_continues_after_a_worker_exception():
    it = iter(fdata.DataLoader(Failing(at=2), batch_size=2, num_workers=2,
                               multiprocessing_context=FORK))
    assert next(it).tolist() == [0, 1]
    with pytest.raises(ValueError):
        next(it)
    assert [b.tolist() for b in it] == [[4, 5], [6, 7]]


def test_killed_worker_raises():
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited '
                                           r'unexpectedly'):
        list(fdata.DataLoader(Dying(), batch_size=2, num_workers=2, multiprocessing_context=FORK))


def test_timeout_raises():
    it = iter(fdata.DataLoader(Slow(0.5), batch_size=2, num_workers=1, timeout=0.1,
                               multiprocessing_context=FORK))
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match=r'^DataLoader timed out after 0.1 seconds$'):
        next(it)
    assert time.monotonic() - t0 < 3
    del it


def test_break_and_del_leave_no_process():
    base = _children()
    loader = fdata.DataLoader(Slow(0.001), batch_size=2, num_workers=2,
                              multiprocessing_context=FORK)
    for i, _ in enumerate(loader):
        assert _children() == base + 2
        if i == 2:
            break
    del _
    assert _children() == base
    it = iter(loader)
    next(it)
    del it
    assert _children() == base


def test_keyboard_interrupt_leaves_no_process():
    base = _children()
    loader = fdata.DataLoader(Slow(0.3), batch_size=2, num_workers=2, multiprocessing_context=FORK)
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt):
        for _ in loader:
            pass
    assert _children() == base


def test_persistent_workers():
    base = _children()
    loader = fdata.DataLoader(WorkerFacts(), batch_size=None, num_workers=2,
                              persistent_workers=True, multiprocessing_context=FORK)
    first = list(loader)
    assert _children() == base + 2
    for i, _ in enumerate(loader):  # an epoch cut short
        if i == 1:
            break
    second = list(loader)
    assert len(first) == len(second) == 8
    assert {r['pid'] for r in first} == {r['pid'] for r in second}
    s = fdata.DataLoader(Sharded(6), batch_size=2, num_workers=2, persistent_workers=True,
                         multiprocessing_context=FORK)
    for _ in range(2):
        assert sorted(x for b in s for x in b.tolist()) == list(range(6))
    del loader, s
    assert _children() == base


def test_spawn_context():
    ds = fdata.TensorDataset(flambeau.arange(12.), flambeau.arange(12))
    got = [[t.tolist() for t in b] for b in fdata.DataLoader(
        ds, batch_size=5, num_workers=1, multiprocessing_context='spawn')]
    assert got == [[t.tolist() for t in b] for b in fdata.DataLoader(ds, batch_size=5)]


def test_tensor_pickles_across_processes():
    import pickle
    x = flambeau.arange(12.).view(3, 4).t()[1:]
    y = pickle.loads(pickle.dumps(x))
    assert flambeau.equal(x, y) and y.dtype == x.dtype and y.is_contiguous()


def test_iterator_finalized_in_a_queue_feeder_thread_still_stops_its_workers():
    """The garbage collector can finalize an abandoned iterator inside the feeder thread of one
    of its own index queues while that thread holds the queue's lock; the shutdown must not
    wait on that lock (a deadlock that left workers running)."""
    it = iter(fdata.DataLoader(Squares(), batch_size=2, num_workers=2,
                               multiprocessing_context=FORK))
    next(it)
    pids = [w.pid for w in it._workers]
    finished = threading.Event()

    def finalize_holding_the_queue_lock():
        with it._index_queues[0]._notempty:
            it.__del__()
        finished.set()
    t = threading.Thread(target=finalize_holding_the_queue_lock, daemon=True)
    t.start()
    t.join(10)
    assert finished.is_set(), '__del__ deadlocked on its own index queue'
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(w.is_alive() for w in it._workers):
        time.sleep(0.05)
    assert not any(w.is_alive() for w in it._workers), f'workers {pids} still running'
