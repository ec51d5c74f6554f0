"""The ``mpi`` backend: collectives on MPI through mpi4py (Open MPI, MPICH, ...).

Every operation is MPI's non-blocking one (``Iallreduce``, ``Ibcast``, ...), so an
``async_op=True`` collective returns at once and ``Work.wait`` polls ``Request.Test`` until it
finishes or the group's timeout passes. Data that MPI cannot take as it is goes through a
staging copy, written back when the operation finishes: CUDA arrays through host memory (no
CUDA-aware MPI is assumed), and float16/bfloat16 reductions in float32 (MPI has no 16-bit
float reductions). Transfers that do not reduce send raw bytes, so every dtype works.
"""
import numpy as np

from .process_group import MPI_INSTALL_HINT, ProcessGroup, ReduceOp, Work

_MPI = None


def _mpi():
    """The mpi4py.MPI module (importing it initialises MPI: done on first use only)."""
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            raise RuntimeError(f"flambeau.distributed backend 'mpi' needs mpi4py and an MPI "
                               f'library ({e}): {MPI_INSTALL_HINT}') from e
        _MPI = MPI
    return _MPI


def create_world(rank, world_size, timeout, name):
    """The default group over MPI's COMM_WORLD, checked against the asked rank and size."""
    MPI = _mpi()
    world = MPI.COMM_WORLD
    if world_size is not None and world_size != world.size:
        raise RuntimeError(
            f"init_process_group(backend='{name}'): world_size is {world_size} but MPI started "
            f'{world.size} process(es). Start the processes with MPI: mpirun -np {world_size} '
            f'python script.py, or python -m flambeau.distributed.run --nproc-per-node '
            f'{world_size} script.py')
    if rank is not None and rank != world.rank:
        raise RuntimeError(f"init_process_group(backend='{name}'): rank is {rank} but MPI gave "
                           f'this process rank {world.rank}')
    comm = world.Dup()
    return MPIProcessGroup(comm, range(world.size), world.rank, timeout)


def _reduce_op(MPI, op, dtype):
    if dtype == np.bool_:
        return {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
                ReduceOp.MIN: MPI.LAND, ReduceOp.PRODUCT: MPI.LAND, ReduceOp.BAND: MPI.LAND,
                ReduceOp.BXOR: MPI.LXOR}[op]
    return {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
            ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
            ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}[op]


def _host(arr):
    """``arr`` as a flat NumPy array: itself (a view) on the CPU, a copy from a GPU."""
    if type(arr) is np.ndarray:
        return arr.reshape(-1)
    return arr.get().reshape(-1)


def _write_back(arr, flat):
    """Put ``flat``'s values into ``arr`` unless it already is ``arr``'s memory."""
    if type(arr) is np.ndarray:
        if not np.shares_memory(arr, flat):
            np.copyto(arr, flat.reshape(arr.shape), casting='unsafe')
    else:
        arr.set(flat.reshape(arr.shape).astype(arr.dtype, copy=False))


def _numeric(flat):
    """``flat`` in a dtype MPI can reduce (float32 for the 16-bit floats)."""
    if flat.dtype.kind == 'V' or flat.dtype.itemsize == 2 and flat.dtype.kind == 'f' or \
            flat.dtype.name == 'bfloat16':
        return flat.astype(np.float32)
    return flat


def _bytes(flat):
    return flat.view(np.uint8)


class MPIProcessGroup(ProcessGroup):
    """A process group on an MPI communicator (see the module's docstring)."""
    backend = 'mpi'

    # -- group management -------------------------------------------------------------------
    def split(self, members, timeout):
        MPI = _mpi()
        inside = self.global_rank in members
        sub = self.comm.Split(0 if inside else MPI.UNDEFINED, self.global_rank)
        if not inside:
            return None
        return MPIProcessGroup(sub, members, self.global_rank, timeout)

    def dup(self):
        """A group of the same ranks on a new communicator, whose collectives never mix
        with this one's (DistributedDataParallel reduces on its own)."""
        return MPIProcessGroup(self.comm.Dup(), self.ranks, self.global_rank, self.timeout)

    def free(self):
        if self.comm is not None and self.comm != _mpi().COMM_NULL:
            self.comm.Free()
        self.comm = None

    def abort(self, code):
        _mpi().COMM_WORLD.Abort(code)

    # -- collectives on arrays ---------------------------------------------------------------
    def _work(self, name, req, finish=None):
        return Work(self, name, req.Test, finish)

    def _datatype(self, flat):
        MPI = _mpi()
        return {'float32': MPI.FLOAT, 'float64': MPI.DOUBLE, 'int8': MPI.INT8_T,
                'int16': MPI.INT16_T, 'int32': MPI.INT32_T, 'int64': MPI.INT64_T,
                'uint8': MPI.UINT8_T, 'bool': MPI.C_BOOL}[flat.dtype.name]

    def allreduce(self, arr, op):
        MPI = _mpi()
        flat = _host(arr)
        buf = _numeric(flat)
        req = self.comm.Iallreduce(MPI.IN_PLACE, [buf, self._datatype(buf)],
                                   _reduce_op(MPI, op, buf.dtype))
        return self._work('all_reduce', req, lambda: self._finish_reduce(arr, buf, op))

    def _finish_reduce(self, arr, buf, op):
        if op == ReduceOp.AVG:
            buf /= buf.dtype.type(self.size())
        _write_back(arr, buf)

    def reduce(self, arr, op, root):
        MPI = _mpi()
        flat = _host(arr)
        buf = _numeric(flat)
        mop, dt = _reduce_op(MPI, op, buf.dtype), self._datatype(buf)
        if self.rank == root:
            req = self.comm.Ireduce(MPI.IN_PLACE, [buf, dt], mop, root)
            return self._work('reduce', req, lambda: self._finish_reduce(arr, buf, op))
        # the non-root ranks' tensors are left as they were
        req = self.comm.Ireduce([buf, dt], None, mop, root)
        return self._work('reduce', req)

    def broadcast(self, arr, root):
        flat = _host(arr)
        req = self.comm.Ibcast([_bytes(flat), _mpi().BYTE], root)
        return self._work('broadcast', req, lambda: _write_back(arr, flat))

    def allgather(self, out, arr):
        """``out``: a contiguous array of ``size`` times ``arr``'s elements."""
        MPI = _mpi()
        flat, dest = _host(arr), _host(out)
        req = self.comm.Iallgather([_bytes(flat), MPI.BYTE], [_bytes(dest), MPI.BYTE])
        return self._work('all_gather', req, lambda: _write_back(out, dest))

    def gather(self, out, arr, root):
        """``out`` (on the root only): a contiguous array of ``size`` times ``arr``."""
        MPI = _mpi()
        flat = _host(arr)
        if self.rank == root:
            dest = _host(out)
            req = self.comm.Igather([_bytes(flat), MPI.BYTE], [_bytes(dest), MPI.BYTE], root)
            return self._work('gather', req, lambda: _write_back(out, dest))
        req = self.comm.Igather([_bytes(flat), MPI.BYTE], None, root)
        return self._work('gather', req)

    def scatter(self, out, arr, root):
        """``arr`` (on the root only): a contiguous array of ``size`` times ``out``."""
        MPI = _mpi()
        dest = _host(out)
        send = [_bytes(_host(arr)), MPI.BYTE] if self.rank == root else None
        req = self.comm.Iscatter(send, [_bytes(dest), MPI.BYTE], root)
        return self._work('scatter', req, lambda: _write_back(out, dest))

    def reduce_scatter(self, out, arr, op):
        """``arr``: ``size`` times ``out``'s elements; rank r gets the reduction of block r."""
        MPI = _mpi()
        src = _numeric(_host(arr))
        dest = _numeric(_host(out))
        if dest.dtype != src.dtype:
            dest = dest.astype(src.dtype)
        dt = self._datatype(src)
        req = self.comm.Ireduce_scatter_block([src, dt], [dest, dt],
                                              _reduce_op(MPI, op, src.dtype))
        return self._work('reduce_scatter', req, lambda: self._finish_reduce(out, dest, op))

    def alltoall(self, out, arr):
        """``arr`` and ``out``: ``size`` equal blocks; block j of rank i goes to block i of
        rank j."""
        MPI = _mpi()
        src, dest = _host(arr), _host(out)
        req = self.comm.Ialltoall([_bytes(src), MPI.BYTE], [_bytes(dest), MPI.BYTE])
        return self._work('all_to_all', req, lambda: _write_back(out, dest))

    def send(self, arr, dst, tag):
        flat = _host(arr)
        req = self.comm.Isend([_bytes(flat), _mpi().BYTE], dst, tag)
        return self._work('send', req)

    def recv(self, arr, src, tag):
        MPI = _mpi()
        flat = _host(arr)
        status = MPI.Status()
        source = MPI.ANY_SOURCE if src is None else src
        req = self.comm.Irecv([_bytes(flat), MPI.BYTE], source, tag)

        def test():
            return req.Test(status)

        def finish():
            _write_back(arr, flat)
            return self.ranks[status.Get_source()]
        return Work(self, 'recv', test, finish)

    def barrier(self):
        return self._work('barrier', self.comm.Ibarrier())
