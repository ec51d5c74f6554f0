"""``DataLoader``: iterate a dataset in batches, in the main process or in worker processes.

The main-process side of multi-process loading lives here; the worker side is in
``_utils/worker.py``. How the two stop together is explained once, in Note [Worker shutdown].
"""
import itertools
import math
import multiprocessing
import os
import threading
import time
import warnings
from multiprocessing.connection import wait as _wait_ready

from ... import accelerator
from ...dtypes import int64
from ...ops.creation import empty
from . import _utils
from ._utils.collate import default_collate, default_convert
from ._utils.fetch import create_fetcher
from ._utils.worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper,
                            _IterableDatasetStopIteration, _ResumeIteration, _worker_loop)
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ['DataLoader', 'default_collate', 'default_convert', 'get_worker_info']

get_worker_info = _utils.worker.get_worker_info


class _InfiniteConstantSampler(Sampler):
    """The sampler of an iterable-style dataset: ``None`` forever (the dataset decides when it
    ends)."""

    def __iter__(self):
        while True:
            yield None


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


class DataLoader:
    """Combines a dataset and a sampler, and iterates over the dataset in batches, in the main
    process or in ``num_workers`` worker processes.

    Args:
        dataset (Dataset): map-style or iterable-style dataset to load from.
        batch_size (int, optional): samples per batch; ``None`` disables batching. Default: 1.
        shuffle (bool, optional): reshuffle the data at every epoch. Default: False.
        sampler (Sampler or iterable, optional): the order of the indices (excludes
            ``shuffle``).
        batch_sampler (Sampler or iterable, optional): yields lists of indices (excludes
            ``batch_size``, ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers (int, optional): worker processes; 0 loads in the main process. Default: 0.
        collate_fn (callable, optional): merges a list of samples into a batch. Default:
            :func:`default_collate` (:func:`default_convert` without batching).
        pin_memory (bool, optional): accepted; there is no page-locked memory to use on the CPU.
        drop_last (bool, optional): drop the last incomplete batch. Default: False.
        timeout (numeric, optional): seconds to wait for a batch from the workers before raising
            (0: wait as long as the workers live). Default: 0.
        worker_init_fn (callable, optional): called as ``worker_init_fn(worker_id)`` in each
            worker after seeding, before loading.
        multiprocessing_context (str or context, optional): the start method ('fork', 'spawn',
            'forkserver') or a ``multiprocessing`` context for the workers.
        generator (Generator, optional): draws the shuffling order and the workers' base seed.
        prefetch_factor (int, optional, keyword-only): batches loaded in advance per worker.
            Default: 2 with workers.
        persistent_workers (bool, optional): keep the workers alive between epochs.
        pin_memory_device (str, optional): deprecated, ignored.
        in_order (bool, optional): yield batches in sampler order (else as they are ready).
            Default: True.

    Worker ``i`` seeds Python's ``random``, flambeau's default generator and NumPy's global
    generator from ``base_seed + i``, where ``base_seed`` is drawn from ``generator`` (or the
    default generator) once per iterator; ``flambeau.initial_seed()`` in a worker returns it.

    Example::

        >>> ds = TensorDataset(flambeau.arange(10.), flambeau.arange(10))
        >>> [y.tolist() for x, y in DataLoader(ds, batch_size=4)]
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """
    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device='',
                 in_order=True):
        if num_workers < 0:
            raise ValueError('num_workers option should be non-negative; use num_workers=0 to '
                             'disable multiprocessing.')
        if timeout < 0:
            raise ValueError('timeout option should be non-negative')
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError('prefetch_factor option could only be specified in multiprocessing.'
                             'let num_workers > 0 to enable multiprocessing, otherwise set '
                             'prefetch_factor to None.')
        elif num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError('prefetch_factor option should be non-negative')
        if persistent_workers and num_workers == 0:
            raise ValueError('persistent_workers option needs num_workers > 0')

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        # Iterable-style datasets are checked first: with them no sampler of any kind applies.
        if isinstance(dataset, IterableDataset):
            self._iterable = True
            if shuffle not in (False, None):
                raise ValueError('DataLoader with IterableDataset: expected unspecified shuffle '
                                 f'option, but got shuffle={shuffle}')
            if sampler is not None:
                raise ValueError('DataLoader with IterableDataset: expected unspecified sampler '
                                 f'option, but got sampler={sampler}')
            if batch_sampler is not None:
                raise ValueError('DataLoader with IterableDataset: expected unspecified '
                                 f'batch_sampler option, but got batch_sampler={batch_sampler}')
        else:
            shuffle = bool(shuffle)
            self._iterable = False

        if sampler is not None and shuffle:
            raise ValueError('sampler option is mutually exclusive with shuffle')
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError('batch_sampler option is mutually exclusive with batch_size, '
                                 'shuffle, sampler, and drop_last')
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError('batch_size=None option disables auto-batching and is mutually '
                             'exclusive with drop_last')

        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True
        self.check_worker_number_rationality()

    def __class_getitem__(cls, item):
        return cls

    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers > 0:
                if isinstance(context, str):
                    methods = multiprocessing.get_all_start_methods()
                    if context not in methods:
                        raise ValueError('multiprocessing_context option should specify a valid '
                                         f'start method in {methods!r}, but got '
                                         f'multiprocessing_context={context!r}')
                    context = multiprocessing.get_context(context)
                if not isinstance(context, multiprocessing.context.BaseContext):
                    raise TypeError('multiprocessing_context option should be a valid context '
                                    'object or a string specifying the start method, but got '
                                    f'multiprocessing_context={context}')
            else:
                raise ValueError('multiprocessing_context can only be used with multi-process '
                                 'loading (num_workers > 0), but got '
                                 f'num_workers={self.num_workers}')
        self._multiprocessing_context = context

    def __setattr__(self, attr, val):
        if self._initialized and attr in ('batch_size', 'batch_sampler', 'sampler', 'drop_last',
                                          'dataset', 'persistent_workers'):
            raise ValueError(f'{attr} attribute should not be set after '
                             f'{self.__class__.__name__} is initialized')
        super().__setattr__(attr, val)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        # Persistent workers live in one iterator that is reset at every epoch.
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        # what the fetcher receives: lists of indices when batching, single indices otherwise
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self):
        if self._iterable:
            # Trust the dataset's __len__; remember it to warn if iteration yields more.
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                if self.drop_last:
                    length = length // self.batch_size
                else:
                    length = math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when more workers are asked for than the CPUs this process may use."""
        if not self.num_workers:
            return
        suggest = _cpu_count()
        if suggest is None or self.num_workers > suggest:
            if suggest is not None:
                cpuset = '' if hasattr(os, 'sched_getaffinity') else \
                    ' (`cpuset` is not taken into account)'
                detail = (f'Our suggested max number of worker in current system is {suggest}'
                          f'{cpuset}, which is smaller than what this DataLoader is going to '
                          'create.')
            else:
                detail = ('DataLoader is not able to compute a suggested max number of worker in '
                          'current system.')
            warnings.warn(f'This DataLoader will create {self.num_workers} worker processes in '
                          f'total. {detail} Please be aware that excessive worker creation might '
                          'get DataLoader running slow or even freeze, lower the worker number to '
                          'avoid potential slowness/freeze if necessary.', stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn('pin_memory_device is deprecated, the current accelerator will be used '
                          f"as the device,ignore pin_memory_device='{loader.pin_memory_device}'.",
                          stacklevel=3)
        if loader.pin_memory and not accelerator.is_available():
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then "
                          "device pinned memory won't be used.", stacklevel=3)
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(empty((), dtype=int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError(f'{self.__class__.__name__} cannot be pickled')

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _check_len(self):
        # An IterableDataset that yields more than the length it reported.
        if self._num_yielded > self._IterableDataset_len_called:
            msg = (f'Length of IterableDataset {self._dataset} was reported to be '
                   f'{self._IterableDataset_len_called}(when accessing len(dataloader)), but '
                   f'{self._num_yielded} samples have been fetched. ')
            if self._num_workers > 0:
                msg += ('For multiprocessing data-loading, this could be caused by not properly '
                        'configuring the IterableDataset replica at each worker. Please see '
                        'https://pytorch.org/docs/stable/data.html#torch.utils.data.'
                        'IterableDataset for examples.')
            warnings.warn(msg, stacklevel=3)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires timeout == 0')
        self._fetch = create_fetcher(self._iterable, self._dataset, self._auto_collation,
                                     self._collate_fn, self._drop_last).fetch

    def __next__(self):
        data = self._fetch(next(self._sampler_iter))  # either may raise StopIteration
        self._num_yielded += 1
        if self._iterable and self._IterableDataset_len_called is not None:
            self._check_len()
        return data


# Note [Worker shutdown]
# ~~~~~~~~~~~~~~~~~~~~~~
# Each worker has its own index queue (main -> worker, a multiprocessing.Queue whose feeder
# thread means the main process never blocks on a put) and its own result pipe (worker -> main).
# The main process waits with `multiprocessing.connection.wait` on the result pipes *and* the
# workers' process sentinels, so a worker that dies (killed, segfault, os._exit) wakes it at once
# and becomes "DataLoader worker (pid(s) ...) exited unexpectedly" instead of a hang; `timeout`
# bounds the same wait. A worker that raises sends an ExceptionWrapper, re-raised by the main
# process with the worker's traceback.
#
# `_shutdown_workers` is the one place that stops workers. It runs when an epoch ends (unless
# the workers are persistent), when the iterator is garbage-collected (a `break` out of the loop,
# `del loader`), when a worker died, when `timeout` expired, and on KeyboardInterrupt in
# `__next__`. It is idempotent:
#   1. set `done_event` (a worker skips any index still queued) and put `None` on every index
#      queue (a worker leaves its loop on it);
#   2. until every worker has exited or MP_STATUS_CHECK_INTERVAL has passed, keep reading and
#      discarding from the result pipes: a worker blocked sending a large batch that nobody
#      wants can then finish the send, read the `None` and exit;
#   3. terminate (then kill) whatever is still alive: a worker stuck in user code;
#   4. close the pipes and the index queues without joining their feeder threads (a queue whose
#      reader is dead must not hold up the main process's exit).
# Workers are daemonic, so if the main process exits without running this, multiprocessing
# terminates them at exit; if the main process is killed outright, each idle worker notices
# within MP_STATUS_CHECK_INTERVAL that its parent changed and exits. On Ctrl-C the whole process
# group gets SIGINT: workers swallow their KeyboardInterrupt and exit; the main process shuts
# down and re-raises it.

class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    _shutdown = True  # nothing to shut down until the workers exist

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._workers, self._index_queues, self._result_conns = [], [], []
        self._workers_done_event = ctx.Event()
        self._owner_thread = threading.get_ident()
        self._shutdown = False
        try:
            for i in range(self._num_workers):
                index_queue = ctx.Queue()
                index_queue.cancel_join_thread()
                reader, writer = ctx.Pipe(duplex=False)
                w = ctx.Process(target=_worker_loop, daemon=True, args=(
                    self._iterable, self._dataset, index_queue, writer, self._workers_done_event,
                    self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                    loader.worker_init_fn, i, self._num_workers))
                self._index_queues.append(index_queue)
                self._result_conns.append(reader)
                w.start()
                writer.close()  # the worker's end: EOF on the reader once the worker is gone
                self._workers.append(w)
            self._reset(loader, first_iter=True)
        except BaseException:
            self._shutdown_workers()
            raise

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        n = self._num_workers
        self._send_idx = 0  # next task index to send
        self._rcvd_idx = 0  # next task index to yield
        self._task_info = {}  # task index -> (worker id,) or (worker id, data) when early
        self._tasks_outstanding = 0
        self._workers_status = [True] * n
        self._worker_cycle = itertools.cycle(range(n))
        if not first_iter:
            # Persistent workers: wait until each one echoes the resume message, discarding the
            # results of tasks left over from the previous epoch.
            for q in self._index_queues:
                q.put(_ResumeIteration())
            pending = n
            while pending:
                idx, _ = self._get_data()
                if type(idx) is _ResumeIteration:
                    pending -= 1
        for _ in range(self._prefetch_factor * n):
            self._try_put_index()

    def _try_put_index(self):
        if self._tasks_outstanding >= self._prefetch_factor * self._num_workers:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        status = self._workers_status
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if status[worker_id]:
                break
        else:
            return  # every worker's iterable dataset is exhausted
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _try_get_data(self, timeout):
        """``(task index, data)`` from any live worker, or None after ``timeout`` seconds.
        Raises if a worker died."""
        status = self._workers_status
        conns = [c for i, c in enumerate(self._result_conns) if status[i]]
        sentinels = [w.sentinel for i, w in enumerate(self._workers) if status[i]]
        ready = _wait_ready(conns + sentinels, timeout)
        if not ready:
            return None
        for c in conns:
            if c in ready:
                try:
                    return c.recv()
                except (EOFError, OSError):
                    break  # the worker is gone: reported below
        failed = [w for i, w in enumerate(self._workers) if status[i] and not w.is_alive()]
        if failed:
            pids = ', '.join(str(w.pid) for w in failed)
            self._shutdown_workers()
            raise RuntimeError(f'DataLoader worker (pid(s) {pids}) exited unexpectedly')
        return None

    def _get_data(self):
        if self._timeout > 0:
            got = self._try_get_data(self._timeout)
            if got is None:
                self._shutdown_workers()
                raise RuntimeError(f'DataLoader timed out after {self._timeout} seconds')
            return got
        while True:
            got = self._try_get_data(MP_STATUS_CHECK_INTERVAL)
            if got is not None:
                return got

    def _mark_worker_as_unavailable(self, worker_id):
        self._workers_status[worker_id] = False
        if not self._persistent_workers:
            self._index_queues[worker_id].put(None)  # it has nothing left to do

    def _next_data(self):
        task_info = self._task_info
        while True:
            # Skip the tasks of workers whose iterable dataset ran out (they stay unanswered).
            while self._rcvd_idx < self._send_idx:
                info = task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = task_info[self._rcvd_idx]
            if len(info) == 2:  # arrived earlier, out of order
                del task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1])
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if type(data) is _IterableDatasetStopIteration:
                self._mark_worker_as_unavailable(data.worker_id)
                task_info.pop(idx, None)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx:
                del task_info[idx]
                self._rcvd_idx += 1
                return self._process_data(data)
            if not self._in_order:
                del task_info[idx]
                return self._process_data(data)
            task_info[idx] += (data,)

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def __next__(self):
        try:
            data = self._next_data()
        except KeyboardInterrupt:
            self._shutdown_workers()
            raise
        self._num_yielded += 1
        if self._iterable and self._IterableDataset_len_called is not None:
            self._check_len()
        return data

    def _shutdown_workers(self):
        # See Note [Worker shutdown].
        if self._shutdown:
            return
        self._shutdown = True
        workers, conns, queues = self._workers, self._result_conns, self._index_queues
        try:
            self._workers_done_event.set()
            for q in queues:
                try:
                    q.put(None)
                except (OSError, ValueError):
                    pass
            deadline = time.monotonic() + MP_STATUS_CHECK_INTERVAL
            alive = [w for w in workers if w.is_alive()]
            open_conns = list(conns)
            while alive:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready = _wait_ready(open_conns + [w.sentinel for w in alive], left)
                for c in [c for c in open_conns if c in ready]:
                    try:
                        c.recv_bytes()  # a result nobody wants
                    except (EOFError, OSError):
                        open_conns.remove(c)
                alive = [w for w in alive if w.is_alive()]
            for w in alive:
                w.terminate()
            for w in alive:
                w.join(1.0)
                if w.is_alive():
                    w.kill()
                    w.join()
            for w in workers:
                w.join(0)  # reap
        finally:
            for c in conns:
                c.close()
            for q in queues:
                q.cancel_join_thread()
                q.close()

    def __del__(self):
        # The garbage collector may finalize an abandoned iterator in any thread, including
        # the feeder thread of one of its own index queues while that thread holds the queue's
        # lock: the `put(None)` of a shutdown there would wait on that lock forever and the
        # workers would outlive the iterator. Off the iterator's own thread, shut down from a
        # fresh thread instead, which waits for the lock like any other caller.
        try:
            if self._shutdown:
                return
            if threading.get_ident() == self._owner_thread:
                self._shutdown_workers()
            else:
                threading.Thread(target=self._shutdown_workers, daemon=True).start()
        except Exception:  # interpreter shutdown: modules may already be torn down
            pass
