"""The ``nccl`` backend: collectives on CUDA arrays through NCCL, as CuPy exposes it
(``cupy.cuda.nccl``). UNVERIFIED: written against CuPy's documented API but not yet run on
a GPU (no machine with GPUs was available when it was written); the tests that need it skip
without GPUs.

Operations are queued on the current CUDA stream; the ``Work`` of each records an event
after it, and ``wait`` polls that event (so ``async_op=True`` overlaps with host work).

Bootstrap: NCCL needs one unique id made by rank 0 and known to every rank. Under ``mpirun``
it is broadcast through MPI; otherwise rank 0 serves it once per other rank on
``MASTER_ADDR``:``MASTER_PORT`` (set by ``python -m flambeau.distributed.run``).
"""
import os
import pickle
import socket
import struct
import time

from .process_group import MPI_INSTALL_HINT, ProcessGroup, ReduceOp, Work


def _nccl():
    try:
        import cupy
        from cupy.cuda import nccl
    except ImportError as e:
        raise RuntimeError(f"flambeau.distributed backend 'nccl' needs CuPy with NCCL on a "
                           f"machine with NVIDIA GPUs ({e}): pip install 'flambeau[cuda]'") from e
    return cupy, nccl


def _launched_by_mpi():
    return any(k in os.environ for k in ('OMPI_COMM_WORLD_SIZE', 'PMI_SIZE', 'PMIX_RANK'))


def _rank_and_size(rank, world_size):
    if _launched_by_mpi():
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(f'started by mpirun but mpi4py is missing: {MPI_INSTALL_HINT}') \
                from e
        return MPI.COMM_WORLD.rank, MPI.COMM_WORLD.size
    if rank is None or world_size is None:
        raise ValueError("init_process_group(backend='nccl'): rank and world_size are unknown: "
                         'start the processes with python -m flambeau.distributed.run (or '
                         'mpirun), or set the RANK and WORLD_SIZE environment variables')
    return rank, world_size


def _exchange_id(uid, rank, world_size, timeout):
    """Rank 0's NCCL unique id, on every rank (see the module's docstring)."""
    if world_size == 1:
        return uid
    if _launched_by_mpi():
        from mpi4py import MPI
        return MPI.COMM_WORLD.bcast(uid, root=0)
    host = os.environ.get('MASTER_ADDR', '127.0.0.1')
    port = int(os.environ.get('MASTER_PORT', '29500'))
    limit = timeout.total_seconds()
    if rank == 0:
        payload = pickle.dumps(uid)
        with socket.create_server((host, port), reuse_port=False) as server:
            server.settimeout(limit)
            for _ in range(world_size - 1):
                conn, _ = server.accept()
                with conn:
                    conn.sendall(struct.pack('!I', len(payload)) + payload)
        return uid
    start = time.monotonic()
    while True:
        try:
            with socket.create_connection((host, port), timeout=limit) as conn:
                data = b''
                while len(data) < 4 or len(data) < 4 + struct.unpack('!I', data[:4])[0]:
                    chunk = conn.recv(65536)
                    if not chunk:
                        raise ConnectionError('rank 0 closed the connection')
                    data += chunk
                return pickle.loads(data[4:])
        except (ConnectionRefusedError, ConnectionError):
            if time.monotonic() - start > limit:
                raise RuntimeError(f'[Rank {rank}] could not reach rank 0 at {host}:{port} to '
                                   'start NCCL within the timeout') from None
            time.sleep(0.1)


def create_world(rank, world_size, timeout):
    cupy, nccl = _nccl()
    rank, world_size = _rank_and_size(rank, world_size)
    local = int(os.environ.get('LOCAL_RANK', rank))
    if cupy.cuda.runtime.getDeviceCount() > 1:
        cupy.cuda.Device(local % cupy.cuda.runtime.getDeviceCount()).use()
    uid = nccl.get_unique_id() if rank == 0 else None
    uid = _exchange_id(uid, rank, world_size, timeout)
    comm = nccl.NcclCommunicator(world_size, uid, rank)
    return NCCLProcessGroup(comm, range(world_size), rank, timeout)


class NCCLProcessGroup(ProcessGroup):
    """A process group on an NCCL communicator (see the module's docstring)."""
    backend = 'nccl'

    def split(self, members, timeout):
        """Every rank takes part: the lowest member's new unique id is broadcast over this
        group, then the members build their communicator."""
        cupy, nccl = _nccl()
        lead = self.ranks.index(members[0])
        uid = nccl.get_unique_id() if self.rank == lead else (0,) * 128
        buf = cupy.asarray(list(uid), dtype=cupy.int8) if self.rank == lead else \
            cupy.zeros(len(uid), cupy.int8)
        self.broadcast(buf, lead).wait()
        if self.global_rank not in members:
            return None
        comm = nccl.NcclCommunicator(len(members), tuple(int(v) for v in buf.get()),
                                     members.index(self.global_rank))
        return NCCLProcessGroup(comm, members, self.global_rank, timeout)

    def dup(self):
        """A group of the same ranks on a new communicator (see MPIProcessGroup.dup)."""
        return self.split(self.ranks, self.timeout)

    def free(self):
        if self.comm is not None:
            self.comm.destroy()
        self.comm = None

    def abort(self, code):
        if self.comm is not None:
            self.comm.abort()
        os._exit(code)

    # -- helpers -----------------------------------------------------------------------------
    def _type(self, arr):
        _, nccl = _nccl()
        name = arr.dtype.name
        table = {'float16': nccl.NCCL_FLOAT16, 'float32': nccl.NCCL_FLOAT32,
                 'float64': nccl.NCCL_FLOAT64, 'int8': nccl.NCCL_INT8, 'uint8': nccl.NCCL_UINT8,
                 'int32': nccl.NCCL_INT32, 'int64': nccl.NCCL_INT64, 'bool': nccl.NCCL_UINT8}
        if name == 'int16':  # NCCL has no 16-bit integers: sent as raw bytes where possible
            raise RuntimeError('the nccl backend has no int16 reductions')
        return table[name]

    def _op(self, op, dtype):
        _, nccl = _nccl()
        if dtype.name == 'bool':
            op = {ReduceOp.SUM: ReduceOp.MAX, ReduceOp.BOR: ReduceOp.MAX,
                  ReduceOp.PRODUCT: ReduceOp.MIN, ReduceOp.BAND: ReduceOp.MIN}.get(op, op)
        table = {ReduceOp.SUM: nccl.NCCL_SUM, ReduceOp.AVG: nccl.NCCL_SUM,
                 ReduceOp.PRODUCT: nccl.NCCL_PROD, ReduceOp.MIN: nccl.NCCL_MIN,
                 ReduceOp.MAX: nccl.NCCL_MAX}
        if op not in table:
            raise RuntimeError(f'the nccl backend has no ReduceOp.{ReduceOp.RedOpType(op).name}')
        return table[op]

    def _work(self, name, finish=None):
        cupy, _ = _nccl()
        event = cupy.cuda.Event(block=False, disable_timing=True)
        event.record()
        return Work(self, name, lambda: event.done, finish)

    @staticmethod
    def _stream():
        import cupy
        return cupy.cuda.get_current_stream().ptr

    def _avg(self, arr, op):
        if op == ReduceOp.AVG:
            return lambda: arr.__itruediv__(self.size())
        return None

    @staticmethod
    def _raw(arr):
        """A byte view of ``arr`` for operations that move data without reducing it."""
        import cupy
        return arr.reshape(-1).view(cupy.uint8)

    # -- collectives on arrays ---------------------------------------------------------------
    def allreduce(self, arr, op):
        self.comm.allReduce(arr.data.ptr, arr.data.ptr, arr.size, self._type(arr),
                            self._op(op, arr.dtype), self._stream())
        return self._work('all_reduce', self._avg(arr, op))

    def reduce(self, arr, op, root):
        self.comm.reduce(arr.data.ptr, arr.data.ptr, arr.size, self._type(arr),
                         self._op(op, arr.dtype), root, self._stream())
        return self._work('reduce', self._avg(arr, op) if self.rank == root else None)

    def broadcast(self, arr, root):
        _, nccl = _nccl()
        raw = self._raw(arr)
        self.comm.bcast(raw.data.ptr, raw.size, nccl.NCCL_UINT8, root, self._stream())
        return self._work('broadcast')

    def allgather(self, out, arr):
        _, nccl = _nccl()
        src, dest = self._raw(arr), self._raw(out)
        self.comm.allGather(src.data.ptr, dest.data.ptr, src.size, nccl.NCCL_UINT8,
                            self._stream())
        return self._work('all_gather')

    def reduce_scatter(self, out, arr, op):
        self.comm.reduceScatter(arr.data.ptr, out.data.ptr, out.size, self._type(arr),
                                self._op(op, arr.dtype), self._stream())
        return self._work('reduce_scatter', self._avg(out, op))

    def _grouped(self, name, calls):
        _, nccl = _nccl()
        nccl.groupStart()
        try:
            for call in calls:
                call()
        finally:
            nccl.groupEnd()
        return self._work(name)

    def gather(self, out, arr, root):
        _, nccl = _nccl()
        src, s = self._raw(arr), self._stream()
        calls = [lambda: self.comm.send(src.data.ptr, src.size, nccl.NCCL_UINT8, root, s)]
        if self.rank == root:
            dest = self._raw(out).reshape(self.size(), -1)
            calls = [lambda r=r: self.comm.recv(dest[r].data.ptr, src.size, nccl.NCCL_UINT8,
                                                r, s) for r in range(self.size())] + calls
        return self._grouped('gather', calls)

    def scatter(self, out, arr, root):
        _, nccl = _nccl()
        dest, s = self._raw(out), self._stream()
        calls = [lambda: self.comm.recv(dest.data.ptr, dest.size, nccl.NCCL_UINT8, root, s)]
        if self.rank == root:
            src = self._raw(arr).reshape(self.size(), -1)
            calls += [lambda r=r: self.comm.send(src[r].data.ptr, dest.size, nccl.NCCL_UINT8,
                                                 r, s) for r in range(self.size())]
        return self._grouped('scatter', calls)

    def alltoall(self, out, arr):
        _, nccl = _nccl()
        src = self._raw(arr).reshape(self.size(), -1)
        dest = self._raw(out).reshape(self.size(), -1)
        s, n = self._stream(), src.shape[1]
        calls = []
        for r in range(self.size()):
            calls.append(lambda r=r: self.comm.send(src[r].data.ptr, n, nccl.NCCL_UINT8, r, s))
            calls.append(lambda r=r: self.comm.recv(dest[r].data.ptr, n, nccl.NCCL_UINT8, r, s))
        return self._grouped('all_to_all', calls)

    def send(self, arr, dst, tag):
        _, nccl = _nccl()
        raw = self._raw(arr)
        self.comm.send(raw.data.ptr, raw.size, nccl.NCCL_UINT8, dst, self._stream())
        return self._work('send')

    def recv(self, arr, src, tag):
        _, nccl = _nccl()
        if src is None:
            raise RuntimeError('the nccl backend needs the source rank of recv (src=None, '
                               'receiving from any rank, is an MPI feature)')
        raw = self._raw(arr)
        self.comm.recv(raw.data.ptr, raw.size, nccl.NCCL_UINT8, src, self._stream())
        return self._work('recv', lambda: self.ranks[src])

    def barrier(self):
        import cupy
        one = cupy.ones(1, cupy.float32)
        return self.allreduce(one, ReduceOp.SUM)
