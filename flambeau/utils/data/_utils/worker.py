"""What runs inside a ``DataLoader`` worker process: seeding, ``get_worker_info``, the loop
that turns index messages into batches, and the wrapper that carries an exception (with its
traceback) back to the main process. The main-process side, and how both sides shut down, is
in ``dataloader.py`` (see Note [Worker shutdown] there)."""
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ....random import manual_seed
from . import fetch

__all__ = ['WorkerInfo', 'get_worker_info']

# How often (seconds) an idle worker checks that the process that started it is still alive.
MP_STATUS_CHECK_INTERVAL = 5.0


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What a ``DataLoader`` worker knows about itself: ``id`` (0 to ``num_workers - 1``),
    ``num_workers``, ``seed`` (the seed of this worker's generators: the loader's base seed +
    ``id``) and ``dataset`` (this process's copy of the dataset)."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = 'multiprocessing'


_worker_info = None


def get_worker_info():
    """Inside a ``DataLoader`` worker process, its :class:`WorkerInfo`; in the main process,
    ``None``. Use it in an ``IterableDataset.__iter__`` or a ``worker_init_fn`` to give each
    worker its share of the data.

    Example::

        >>> get_worker_info() is None  # not in a worker
        True
    """
    return _worker_info


class KeyErrorMessage(str):
    """A str whose repr is itself: KeyError shows repr(arg), which would mangle a traceback."""
    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, as its type and formatted traceback (both picklable);
    ``reraise()`` raises it again in the main process, saying where it came from."""

    def __init__(self, exc_info=None, where='in background'):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))  # not the traceback object
        self.where = where

    def reraise(self):
        msg = f'Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}'
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:  # an exception type that takes other arguments
            raise RuntimeError(msg) from None
        raise exception


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""
    __slots__ = ('worker_id',)

    def __init__(self, worker_id):
        self.worker_id = worker_id

    def __reduce__(self):
        return _IterableDatasetStopIteration, (self.worker_id,)


class _ResumeIteration:
    """Sent to (and echoed back by) persistent workers at the start of a new epoch."""
    __slots__ = ()

    def __reduce__(self):
        return _ResumeIteration, ()


def _numpy_seed(base_seed, worker_id):
    # The same 128-bit state PyTorch gives NumPy's global generator in its workers.
    entropy = [worker_id, base_seed & 0xFFFF_FFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4)


def _worker_loop(iterable, dataset, index_queue, result_conn, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    """The body of worker ``worker_id``: read ``(task_idx, index)`` messages from
    ``index_queue``, send ``(task_idx, batch or ExceptionWrapper)`` on ``result_conn``; stop on
    ``None``, when ``done_event`` is set, or when the parent process is gone."""
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f'in DataLoader worker process {worker_id}'
        init_exception = None
        fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = fetch.create_fetcher(iterable, dataset, auto_collation, collate_fn,
                                           drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        parent = os.getppid()
        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # orphaned: the main process died without telling us
                    break
                continue
            if r is None:
                break
            if type(r) is _ResumeIteration:
                iteration_end = False
                if iterable and init_exception is None:
                    try:
                        fetcher = fetch.create_fetcher(iterable, dataset, auto_collation,
                                                       collate_fn, drop_last)
                    except Exception:
                        init_exception = ExceptionWrapper(where=where)
                result_conn.send((r, None))
                continue
            if done_event.is_set() or iteration_end:
                continue  # shutting down, or nothing left to read: drain the queue unanswered
            idx, index = r
            if init_exception is not None:
                data = init_exception
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            try:
                result_conn.send((idx, data))
            except (BrokenPipeError, ConnectionResetError, EOFError):
                break  # the main process closed its end: it is shutting down
            except Exception:  # the batch does not pickle: report that instead
                result_conn.send((idx, ExceptionWrapper(where=where)))
            del data, idx, index, r  # don't hold a batch while waiting for the next index
    except KeyboardInterrupt:
        pass  # Ctrl-C reaches the whole process group; the main process handles it
    except (BrokenPipeError, ConnectionResetError):
        pass
    finally:
        try:
            result_conn.close()
        except OSError:
            pass
