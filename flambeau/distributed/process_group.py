"""Process groups: the default group made by ``init_process_group``, sub-groups made by
``new_group``, reduction ops and the work handles of asynchronous collectives.

A process group holds a communicator of one backend (``mpi.py``: MPI through mpi4py, for CPU
tensors; ``nccl.py``: NCCL through CuPy, for CUDA tensors) and the global ranks of its
members. Backends work on arrays; ``collectives.py`` checks tensors and calls them.

Ranks: ``src``/``dst`` arguments of collectives are global ranks (as in PyTorch); a group
translates them to its own ranks.
"""
import datetime
import enum
import os
import sys
import time

__all__ = ['Backend', 'DistBackendError', 'DistError', 'GroupMember', 'ProcessGroup', 'ReduceOp', 'Work', 'destroy_process_group',
           'default_pg_timeout', 'get_backend', 'get_global_rank', 'get_group_rank',
           'get_node_local_rank', 'get_process_group_ranks', 'get_rank', 'get_world_size', 'group',
           'init_process_group', 'is_available', 'is_backend_available', 'is_gloo_available',
           'is_initialized', 'is_mpi_available', 'is_nccl_available', 'is_torchelastic_launched',
           'new_group']

# PyTorch's default for the CPU backends (gloo, mpi)
default_pg_timeout = datetime.timedelta(minutes=30)

MPI_INSTALL_HINT = (
    "pip install mpi4py (or pip install 'flambeau[distributed]') and an MPI library, e.g. "
    "Open MPI from the system packages: apt-get install openmpi-bin libopenmpi-dev "
    "(Debian/Ubuntu), dnf install openmpi-devel (Fedora), brew install open-mpi (macOS)")


class DistError(RuntimeError):
    """An error of the distributed package (PyTorch's ``torch.distributed.DistError``)."""


class DistBackendError(DistError):
    """A communication failure, e.g. a collective that timed out waiting for other ranks."""


class ReduceOp:
    """How ``all_reduce``, ``reduce`` and ``reduce_scatter`` combine the ranks' values:
    ``ReduceOp.SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``, ``BAND``, ``BOR``, ``BXOR``.

    Example::

        >>> dist.all_reduce(t, op=dist.ReduceOp.MAX)
    """

    class RedOpType(enum.IntEnum):
        SUM = 0
        AVG = 1
        PRODUCT = 2
        MIN = 3
        MAX = 4
        BAND = 5
        BOR = 6
        BXOR = 7

    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


class Backend(str):
    """A backend name: ``Backend('MPI') == 'mpi'``; ``Backend.MPI``, ``Backend.NCCL``,
    ``Backend.GLOO`` (served by MPI in flambeau, which has no Gloo)."""
    UNDEFINED = 'undefined'
    GLOO = 'gloo'
    MPI = 'mpi'
    NCCL = 'nccl'

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f'Backend constructor parameter must be string-ish, but got '
                             f'{type(name)}')
        value = name.lower()
        if value not in (cls.GLOO, cls.MPI, cls.NCCL):
            raise ValueError(f'Invalid backend: \'{name}\'. flambeau has the backends '
                             "'mpi' (CPU tensors; 'gloo' is served by it) and 'nccl' (CUDA "
                             'tensors)')
        return super().__new__(cls, value)


class Work:
    """The handle of a collective started with ``async_op=True``: ``wait()`` blocks until it
    has finished (and its result is in the tensors), ``is_completed()`` asks without
    blocking.

    A backend gives ``test`` (a callable: True once the transfer is done) and ``finish`` (run
    once after it, e.g. to copy a staged result back or divide for ``ReduceOp.AVG``).
    """

    def __init__(self, pg, name, test, finish=None, result=None):
        self._pg, self._name, self._test, self._finish = pg, name, test, finish
        self._result = result
        self._done = False
        self._source = None

    def then(self, fn):
        """Also run ``fn()`` when the operation completes (after the backend's own finishing
        step, e.g. to copy a staged result into the user's tensors); returns this Work."""
        if self._done:
            fn()
            return self
        before = self._finish

        def finish():
            out = before() if before is not None else None
            fn()
            return out
        self._finish = finish
        return self

    def is_completed(self):
        """Whether the operation has finished (never blocks)."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def is_success(self):
        """Whether it finished without error (errors raise in ``wait``)."""
        return self.is_completed()

    def exception(self):
        return None

    def wait(self, timeout=None):
        """Block until the operation has finished; raise RuntimeError after ``timeout`` (a
        ``timedelta``; the group's timeout by default), naming the operation and the ranks.
        Returns True."""
        if self._done:
            return True
        limit = (timeout or self._pg.timeout).total_seconds()
        start = time.monotonic()
        pause = 0.0
        while not self._test():
            waited = time.monotonic() - start
            if waited > limit:
                raise DistBackendError(
                    f'[Rank {self._pg.global_rank}] {self._name} timed out after '
                    f'{limit:g} seconds waiting for the other ranks of the process group (ranks '
                    f'{self._pg.ranks}, backend {self._pg.backend}): a rank failed, exited, or '
                    'did not call the same collective')
            # spin briefly (short collectives finish in microseconds), then sleep up to 1 ms
            if waited > 1e-3:
                pause = min(1e-3, pause * 2 or 1e-5)
                time.sleep(pause)
        self._complete()
        return True

    def _complete(self):
        self._done = True
        if self._finish is not None:
            out = self._finish()
            if self._name == 'recv':
                self._source = out
            self._finish = None

    def result(self):
        """The tensors the operation wrote (after ``wait``)."""
        self.wait()
        return list(self._result or [])

    def source_rank(self):
        """The global rank a ``recv``/``irecv`` received from."""
        self.wait()
        if self._source is None:
            raise RuntimeError('source_rank is only available for recv operations')
        return self._source

    def __repr__(self):
        return f'<Work {self._name} {"completed" if self._done else "pending"}>'


class ProcessGroup:
    """A set of ranks that run collectives together on one backend.

    ``ranks``: the global ranks of the members, in group-rank order; ``rank``: this process's
    rank in the group; ``size``: the number of members. Backends subclass it and implement the
    array-level operations (``allreduce``, ``broadcast``, ...), each returning a ``Work``.
    """
    backend = None

    def __init__(self, comm, ranks, global_rank, timeout):
        self.comm = comm  # the backend's communicator
        self.ranks = list(ranks)
        self.global_rank = global_rank
        self.rank = self.ranks.index(global_rank)
        self.timeout = timeout

    def size(self):
        return len(self.ranks)

    def group_rank(self, global_rank, what='rank'):
        """The group rank of ``global_rank``; ValueError when it is not a member."""
        try:
            return self.ranks.index(global_rank)
        except ValueError:
            raise ValueError(f'Global rank {global_rank} ({what}) is not part of the group '
                             f'(global ranks {self.ranks})') from None

    def __repr__(self):
        return f'<ProcessGroup backend={self.backend} ranks={self.ranks}>'


class _GroupMember:
    """``GroupMember.WORLD`` (the default group, once initialised) and
    ``GroupMember.NON_GROUP_MEMBER`` (what ``new_group`` returns on ranks outside it)."""
    class _NonGroupMember:
        def __repr__(self):
            return 'GroupMember.NON_GROUP_MEMBER'

    NON_GROUP_MEMBER = _NonGroupMember()

    @property
    def WORLD(self):
        return _world['pg']


GroupMember = _GroupMember()
group = GroupMember  # ``dist.group.WORLD``, as in PyTorch

_world = {'pg': None, 'backend': None, 'groups': []}


def is_mpi_available():
    """True when mpi4py is installed (the ``mpi`` backend's engine); it does not start MPI."""
    import importlib.util
    return importlib.util.find_spec('mpi4py') is not None


def is_nccl_available():
    """True when CuPy with NCCL is installed (the ``nccl`` backend's engine)."""
    try:
        from cupy.cuda import nccl  # noqa: F401
    except Exception:  # noqa: BLE001  (not installed, or no CUDA driver)
        return False
    return True


def is_gloo_available():
    """True when the ``gloo`` backend name can be used: flambeau serves it with MPI."""
    return is_mpi_available()


def is_backend_available(backend):
    """Whether ``backend`` ('mpi', 'gloo', 'nccl') can be used here."""
    name = Backend(backend)
    return is_nccl_available() if name == Backend.NCCL else is_mpi_available()


def get_node_local_rank(fallback_rank=None):
    """This process's rank on its machine, from ``LOCAL_RANK`` (set by the launcher), else
    ``fallback_rank``; RuntimeError when neither is there."""
    if 'LOCAL_RANK' in os.environ:
        return int(os.environ['LOCAL_RANK'])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError('LOCAL_RANK is not in the environment. Consider passing fallback_rank '
                       'to allow `get_node_local_rank` to work, assuming you are not running '
                       'in a multi-device context and want the code to run locally instead.')


def is_available():
    """True: flambeau.distributed exists in every install (its engines, mpi4py and NCCL, are
    checked by ``is_mpi_available``/``is_nccl_available`` and by ``init_process_group``)."""
    return True


def is_initialized():
    """Whether the default process group has been initialised."""
    return _world['pg'] is not None


def is_torchelastic_launched():
    """Whether this process was started by a launcher that sets ``TORCHELASTIC_RUN_ID``."""
    return os.environ.get('TORCHELASTIC_RUN_ID') is not None


def _default_pg():
    pg = _world['pg']
    if pg is None:
        raise ValueError('Default process group has not been initialized, please make sure to '
                         'call init_process_group.')
    return pg


def _resolve(group):
    """The group to use: the default one for None; None for a rank outside ``group``."""
    if group is None or group is GroupMember.WORLD:
        return _default_pg()
    if group is GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(group, ProcessGroup):
        raise TypeError(f'group must be a ProcessGroup, got {type(group).__name__}')
    _default_pg()
    return group


def _env_int(name):
    value = os.environ.get(name)
    return int(value) if value not in (None, '') else None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name='', pg_options=None, device_id=None):
    """Initialise the default process group: every process of the job calls it once.

    ``backend``: ``'mpi'`` (CPU tensors, through mpi4py; ``'gloo'`` and None select it too),
    or ``'nccl'`` (CUDA tensors, through CuPy's NCCL). Rank and world size come from MPI when
    the processes were started by ``mpirun`` (or ``python -m flambeau.distributed.run``);
    ``rank``/``world_size`` and the ``RANK``/``WORLD_SIZE`` environment, when given, must agree
    with them. ``nccl`` takes its rank and size from those (or from MPI) and exchanges its
    unique id through MPI or through ``MASTER_ADDR``:``MASTER_PORT``.
    ``timeout``: how long a collective waits for the other ranks before raising
    (30 minutes by default).

    Example::

        >>> # mpirun -np 2 python train.py
        >>> import flambeau.distributed as dist
        >>> dist.init_process_group('mpi')
        >>> dist.get_rank(), dist.get_world_size()
        (0, 2)
    """
    if _world['pg'] is not None:
        raise RuntimeError('trying to initialize the default process group twice!')
    if init_method not in (None, 'env://') and not str(init_method).startswith('tcp://'):
        raise ValueError(f'init_method {init_method!r} is not supported: flambeau takes ranks '
                         'from MPI or from the RANK/WORLD_SIZE environment (env:// or tcp://)')
    if store is not None:
        raise ValueError('flambeau has no Store: leave store=None (ranks come from MPI or from '
                         'the RANK/WORLD_SIZE environment)')
    name = Backend(backend or 'mpi')
    if timeout is None:
        timeout = default_pg_timeout
    if world_size is None or world_size < 0:
        world_size = _env_int('WORLD_SIZE')
    if rank is None or rank < 0:
        rank = _env_int('RANK')
    if str(init_method).startswith('tcp://'):
        host, _, port = init_method[len('tcp://'):].partition(':')
        os.environ.setdefault('MASTER_ADDR', host)
        os.environ.setdefault('MASTER_PORT', port)
    if name == Backend.NCCL:
        from . import nccl
        pg = nccl.create_world(rank, world_size, timeout)
    else:
        from . import mpi
        pg = mpi.create_world(rank, world_size, timeout, name)
    _world.update(pg=pg, backend=name, groups=[pg])
    if pg.size() > 1:
        _install_abort_on_error(pg)


def _install_abort_on_error(pg):
    """An uncaught exception on one rank must not leave the others waiting in a collective
    forever: after printing it, abort the whole job (MPI_Abort kills every rank; with NCCL
    alone the process exits, and the others fail at their timeout)."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        if _world['pg'] is pg and not issubclass(kind, (KeyboardInterrupt, SystemExit)):
            sys.stderr.write(f'[Rank {pg.global_rank}] flambeau.distributed: aborting the job '
                             'after the uncaught exception above\n')
            sys.stderr.flush()
            pg.abort(1)

    sys.excepthook = hook
    _world['excepthook'] = (hook, previous)


def destroy_process_group(group=None):
    """Free ``group`` (by default the default group and every group made from it; after that
    ``init_process_group`` may be called again)."""
    if group is None or group is GroupMember.WORLD:
        _default_pg()  # raises when there is none
        for g in _world['groups']:
            g.free()
        _world.update(pg=None, backend=None, groups=[])
        hooks = _world.pop('excepthook', None)
        if hooks is not None and sys.excepthook is hooks[0]:
            sys.excepthook = hooks[1]
    elif group is not GroupMember.NON_GROUP_MEMBER:
        group.free()
        if group in _world['groups']:
            _world['groups'].remove(group)


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None):
    """A process group of the global ``ranks`` (all ranks by default), in sorted order. Every
    process of the default group must call it, members or not; a non-member gets
    ``GroupMember.NON_GROUP_MEMBER``, on which collectives do nothing.

    Example::

        >>> evens = dist.new_group([0, 2])
        >>> if dist.get_rank() in (0, 2): dist.all_reduce(t, group=evens)
    """
    world = _default_pg()
    if backend is not None and Backend(backend) != _world['backend'] and not (
            {Backend(backend), _world['backend']} <= {Backend.MPI, Backend.GLOO}):
        raise ValueError(f"new_group: backend {backend!r} differs from the default group's "
                         f"({_world['backend']}); flambeau makes sub-groups on the same backend")
    members = sorted(set(range(world.size()) if ranks is None else ranks))
    for r in members:
        if not 0 <= r < world.size():
            raise ValueError(f'new_group: rank {r} is out of range for world size '
                             f'{world.size()}')
    pg = world.split(members, timeout or world.timeout)
    if pg is None:
        return GroupMember.NON_GROUP_MEMBER
    _world['groups'].append(pg)
    return pg


def _duplicate(group):
    """A group of ``group``'s ranks on a new communicator (freed with the default group), or
    None on a rank outside it: DistributedDataParallel reduces on its own so that its
    all-reduces never interleave with the user's collectives."""
    pg = _resolve(group)
    if pg is None:
        return None
    dup = pg.dup()
    _world['groups'].append(dup)
    return dup


def get_backend(group=None):
    """The backend name of ``group`` (the default group by default)."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError('Invalid process group specified')
    return _world['backend'] if pg is _world['pg'] else pg.backend


def get_rank(group=None):
    """This process's rank in ``group`` (the default group: its global rank); -1 when it is
    not a member."""
    pg = _resolve(group)
    return -1 if pg is None else pg.rank


def get_world_size(group=None):
    """The number of processes in ``group`` (the default group by default); -1 for a
    non-member."""
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_global_rank(group, group_rank):
    """The global rank of ``group_rank`` in ``group``."""
    pg = _resolve(group)
    if pg is None or not 0 <= group_rank < pg.size():
        raise ValueError(f'Group rank {group_rank} is not part of group {group}')
    return pg.ranks[group_rank]


def get_group_rank(group, global_rank):
    """The rank in ``group`` of the process with global rank ``global_rank``."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError('Invalid process group specified')
    return pg.group_rank(global_rank)


def get_process_group_ranks(group):
    """The global ranks of ``group``'s members."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError('Invalid process group specified')
    return list(pg.ranks)

