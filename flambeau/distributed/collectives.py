"""The collectives on tensors: ``all_reduce``, ``broadcast``, ``all_gather`` ... as in
``torch.distributed``. Each checks its tensors (contiguous, one device type, matching sizes),
hands their arrays to the group's backend, and writes the result into the tensors in place
(bumping their version counters). With ``async_op=True`` it returns the ``Work`` handle;
otherwise it waits and returns None. A rank outside ``group`` does nothing (with a warning).

Object collectives (``all_gather_object``, ``broadcast_object_list`` ...) pickle objects into
byte tensors and use the same tensor collectives, so they work on every backend.
"""
import pickle
import warnings

import numpy as np

from .process_group import ReduceOp, _resolve

__all__ = ['P2POp', 'all_gather', 'all_gather_into_tensor', 'all_gather_object', 'all_reduce',
           'all_to_all', 'all_to_all_single', 'barrier', 'batch_isend_irecv', 'broadcast',
           'broadcast_object_list', 'gather', 'gather_object', 'irecv', 'isend',
           'monitored_barrier', 'recv', 'recv_object_list', 'reduce', 'reduce_scatter',
           'reduce_scatter_tensor', 'scatter', 'scatter_object_list', 'send', 'send_object_list']


def _group(group, op_name):
    pg = _resolve(group)
    if pg is None:
        warnings.warn(f'Running {op_name} on a rank which does not belong to the given group.',
                      stacklevel=3)
    return pg


def _start(group, op_name, *tensors):
    """The group of a collective (None on a rank outside it), after checking ``tensors``
    (contiguous, on the backend's device type)."""
    pg = _group(group, op_name)
    if pg is not None:
        for t in tensors:
            _check(t)
        _check_device(pg, *tensors)
    return pg


def _root(pg, rank, group_rank, what):
    """The group rank of a collective's root: ``group_rank`` if given, else the group rank
    of the global ``rank`` (0 by default)."""
    if group_rank is not None:
        return group_rank
    return pg.group_rank(0 if rank is None else rank, what)


def _check(tensor, name='tensor'):
    from ..tensor import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f'Invalid function argument. Expected parameter `{name}` of type '
                        f'torch.Tensor\n             but got {type(tensor)} instead.')
    if not tensor.is_contiguous():
        raise ValueError(f'Tensors must be contiguous ({name}: shape '
                         f'{tuple(tensor.shape)}, stride {tensor.stride()})')
    return tensor


def _check_device(pg, *tensors):
    want = 'cuda' if pg.backend == 'nccl' else None
    for t in tensors:
        if want and t.device.type != want:
            raise RuntimeError(f'No backend type associated with device type {t.device.type}: '
                               "the 'nccl' backend takes CUDA tensors (use 'mpi' for CPU ones)")


def _check_op(op, tensor):
    op = ReduceOp.RedOpType(op)
    dt = tensor.dtype
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and (dt.is_floating_point):
        raise RuntimeError(f'Cannot use ReduceOp.{op.name} with non-integral dtype {dt}')
    if op == ReduceOp.AVG and not dt.is_floating_point:
        raise RuntimeError(f'Cannot use ReduceOp.AVG with integral dtype {dt}: average '
                           'floating-point tensors')
    return op


def _touched(*tensors):
    for t in tensors:
        t._vc[0] += 1


def _run(work, async_op, *outputs):
    """The Work handle (its ``result()``: ``outputs``) for ``async_op``, else None after
    waiting for it."""
    if async_op:
        work._result = list(outputs)
        return work
    work.wait()
    return None


def _unstack(flat, tensors):
    """Copy consecutive blocks of ``flat`` into ``tensors`` (in place)."""
    i = 0
    for t in tensors:
        n = t._data.size
        t._data[...] = flat[i:i + n].reshape(t._data.shape)
        i += n
    _touched(*tensors)


def _same_blocks(tensors, ref, what):
    for t in tensors:
        _check(t, what)
        if t.dtype != ref.dtype or t.numel() != ref.numel():
            raise ValueError(f'{what}: every tensor must have the dtype and number of elements '
                             f'of the input ({ref.dtype}, {ref.numel()}), got {t.dtype}, '
                             f'{t.numel()}')


def _check_blocks(pg, big, small, op_name, big_name, small_name):
    """``big`` must hold one ``small`` per rank of the group, of the same dtype."""
    if big.numel() != pg.size() * small.numel() or big.dtype != small.dtype:
        raise ValueError(f'{op_name}: the {big_name} tensor of {big.numel()} {big.dtype} '
                         f'elements must hold {pg.size()} (the group size) times the '
                         f'{small_name} ({small.numel()} {small.dtype})')


def _list_len(tensors, pg, what):
    if len(tensors) != pg.size():
        raise ValueError(f'{what} has {len(tensors)} tensors; it must have one per rank of the '
                         f'group ({pg.size()})')


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` over all ranks of ``group`` with ``op`` (``ReduceOp.SUM`` by
    default; also AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR): afterwards every rank holds the
    result, in place.

    Example::

        >>> t = flambeau.tensor([float(dist.get_rank() + 1)])
        >>> dist.all_reduce(t)          # on 2 ranks
        >>> t
        tensor([3.])
    """
    pg = _start(group, 'all_reduce', tensor)
    if pg is None:
        return None
    op = _check_op(op, tensor)
    _touched(tensor)
    return _run(pg.allreduce(tensor._data, op), async_op, tensor)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` over the ranks of ``group`` into the rank ``dst`` (a global rank);
    the other ranks' tensors are unchanged."""
    pg = _start(group, 'reduce', tensor)
    if pg is None:
        return None
    op = _check_op(op, tensor)
    root = _root(pg, dst, group_dst, 'dst')
    if pg.rank == root:
        _touched(tensor)
    return _run(pg.reduce(tensor._data, op, root), async_op, tensor)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` of rank ``src`` (a global rank) into ``tensor`` of every rank of
    ``group``.

    Example::

        >>> t = flambeau.arange(3) if dist.get_rank() == 0 else flambeau.zeros(3, dtype=flambeau.long)
        >>> dist.broadcast(t, src=0)    # every rank: tensor([0, 1, 2])
    """
    pg = _start(group, 'broadcast', tensor)
    if pg is None:
        return None
    root = _root(pg, src, group_src, 'src')
    _touched(tensor)
    return _run(pg.broadcast(tensor._data, root), async_op, tensor)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather ``tensor`` of every rank into ``tensor_list`` (one tensor per rank, each of
    ``tensor``'s dtype and size), on every rank.

    Example::

        >>> out = [flambeau.zeros(2) for _ in range(dist.get_world_size())]
        >>> dist.all_gather(out, flambeau.full((2,), float(dist.get_rank())))
        >>> out                          # on 2 ranks
        [tensor([0., 0.]), tensor([1., 1.])]
    """
    pg = _group(group, 'all_gather')
    if pg is None:
        return None
    _check(tensor)
    _list_len(tensor_list, pg, 'tensor_list')
    _same_blocks(tensor_list, tensor, 'tensor_list')
    _check_device(pg, tensor, *tensor_list)
    xp = tensor._device._backend.xp
    flat = xp.empty(pg.size() * tensor.numel(), tensor._data.dtype)
    work = pg.allgather(flat, tensor._data)
    return _run(work.then(lambda: _unstack(flat, tensor_list)), async_op, *tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather ``input_tensor`` of every rank into ``output_tensor``, which is either their
    concatenation along dim 0 (``(world * n, ...)``) or their stack (``(world, n, ...)``)."""
    pg = _start(group, 'all_gather_into_tensor', output_tensor, input_tensor)
    if pg is None:
        return None
    _check_blocks(pg, output_tensor, input_tensor, 'all_gather_into_tensor', 'output', 'input')
    _touched(output_tensor)
    return _run(pg.allgather(output_tensor._data, input_tensor._data), async_op,
                output_tensor)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (``world`` blocks of ``output``'s size, concatenated or stacked
    along dim 0) over the ranks; rank r receives the reduction of block r in ``output``."""
    pg = _start(group, 'reduce_scatter_tensor', output, input)
    if pg is None:
        return None
    op = _check_op(op, input)
    _check_blocks(pg, input, output, 'reduce_scatter_tensor', 'input', 'output')
    _touched(output)
    return _run(pg.reduce_scatter(output._data, input._data, op), async_op, output)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce the i-th tensor of ``input_list`` over the ranks into ``output`` of rank i."""
    pg = _group(group, 'reduce_scatter')
    if pg is None:
        return None
    _check(output, 'output')
    _list_len(input_list, pg, 'input_list')
    _same_blocks(input_list, output, 'input_list')
    _check_device(pg, output, *input_list)
    op = _check_op(op, output)
    xp = output._device._backend.xp
    flat = xp.concatenate([t._data.reshape(-1) for t in input_list])
    _touched(output)
    return _run(pg.reduce_scatter(output._data, flat, op), async_op, output)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` into ``world`` equal blocks along dim 0, send block j to rank j, and
    gather the blocks received from every rank into ``output`` in rank order. (Uneven
    ``*_split_sizes`` are not supported: they raise ValueError.)"""
    pg = _group(group, 'all_to_all_single')
    if pg is None:
        return None
    if output_split_sizes is not None or input_split_sizes is not None:
        raise ValueError('all_to_all_single: flambeau supports equal splits only; leave '
                         'output_split_sizes and input_split_sizes as None')
    _check(output, 'output')
    _check(input, 'input')
    _check_device(pg, output, input)
    if output.numel() != input.numel() or input.numel() % pg.size() or \
            output.dtype != input.dtype:
        raise ValueError(f'all_to_all_single: input ({input.numel()} {input.dtype}) and output '
                         f'({output.numel()} {output.dtype}) must have the same dtype and '
                         f'number of elements, divisible by the group size {pg.size()}')
    _touched(output)
    return _run(pg.alltoall(output._data, input._data), async_op, output)


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[j]`` to rank j and receive rank j's tensor for this rank into
    ``output_tensor_list[j]``. (All tensors must have one size and dtype here.)"""
    pg = _group(group, 'all_to_all')
    if pg is None:
        return None
    _list_len(input_tensor_list, pg, 'input_tensor_list')
    _list_len(output_tensor_list, pg, 'output_tensor_list')
    ref = input_tensor_list[0]
    _same_blocks(input_tensor_list, ref, 'input_tensor_list')
    _same_blocks(output_tensor_list, ref, 'output_tensor_list')
    _check_device(pg, *input_tensor_list, *output_tensor_list)
    xp = ref._device._backend.xp
    src = xp.concatenate([t._data.reshape(-1) for t in input_tensor_list])
    dest = xp.empty_like(src)
    work = pg.alltoall(dest, src)
    return _run(work.then(lambda: _unstack(dest, output_tensor_list)), async_op,
                *output_tensor_list)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Gather ``tensor`` of every rank into ``gather_list`` (one tensor per rank) on rank
    ``dst``; the other ranks pass ``gather_list=None``."""
    pg = _start(group, 'gather', tensor)
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, 'dst')
    if pg.rank != root:
        if gather_list:
            raise ValueError('Argument ``gather_list`` must NOT be specified on non-destination '
                             'ranks.')
        return _run(pg.gather(None, tensor._data, root), async_op)
    if gather_list is None:
        raise ValueError('Argument ``gather_list`` must be specified on destination rank.')
    _list_len(gather_list, pg, 'gather_list')
    _same_blocks(gather_list, tensor, 'gather_list')
    flat = tensor._device._backend.xp.empty(pg.size() * tensor.numel(), tensor._data.dtype)
    work = pg.gather(flat, tensor._data, root)
    return _run(work.then(lambda: _unstack(flat, gather_list)), async_op, *gather_list)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Send the i-th tensor of ``scatter_list`` on rank ``src`` into ``tensor`` of rank i;
    the other ranks pass ``scatter_list=None``."""
    pg = _start(group, 'scatter', tensor)
    if pg is None:
        return None
    root = _root(pg, src, group_src, 'src')
    flat = None
    if pg.rank == root:
        if scatter_list is None:
            raise ValueError('Argument ``scatter_list`` must be specified on source rank.')
        _list_len(scatter_list, pg, 'scatter_list')
        _same_blocks(scatter_list, tensor, 'scatter_list')
        flat = tensor._device._backend.xp.concatenate([t._data.reshape(-1)
                                                       for t in scatter_list])
    elif scatter_list:
        raise ValueError('Argument ``scatter_list`` must NOT be specified on non-source ranks.')
    _touched(tensor)
    return _run(pg.scatter(tensor._data, flat, root), async_op, tensor)


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns the Work handle."""
    pg = _start(group, 'isend', tensor)
    if pg is None:
        return None
    peer = group_dst if group_dst is not None else pg.group_rank(dst, 'dst')
    return pg.send(tensor._data, peer, tag)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None); returns the
    Work handle (``source_rank()`` tells the sender)."""
    pg = _start(group, 'irecv', tensor)
    if pg is None:
        return None
    peer = group_src if group_src is not None else \
        (None if src is None else pg.group_rank(src, 'src'))
    _touched(tensor)
    return pg.recv(tensor._data, peer, tag)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` and wait until it has been sent."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender's
    rank (-1 on a rank outside ``group``)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work.source_rank()


class P2POp:
    """A point-to-point operation for ``batch_isend_irecv``: ``op`` is ``isend`` or
    ``irecv``, ``peer`` the other rank (global)."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv):
            raise ValueError('Invalid ``op``. Expected ``op`` to be of type ``torch.distributed.'
                             'isend`` or ``torch.distributed.irecv``.')
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list):
    """Start every send and receive of ``p2p_op_list`` (``P2POp``s); returns their Work
    handles.

    Example::

        >>> ops = [dist.P2POp(dist.isend, send_t, (rank + 1) % world),
        ...        dist.P2POp(dist.irecv, recv_t, (rank - 1) % world)]
        >>> for w in dist.batch_isend_irecv(ops): w.wait()
    """
    works = []
    for p in p2p_op_list:
        if p.op is isend:
            works.append(isend(p.tensor, p.peer, p.group, p.tag, group_dst=p.group_peer))
        else:
            works.append(irecv(p.tensor, p.peer, p.group, p.tag, group_src=p.group_peer))
    return works


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of ``group`` has reached this call."""
    pg = _group(group, 'barrier')
    if pg is None:
        return None
    return _run(pg.barrier(), async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """A barrier that raises (DistBackendError, naming the group's ranks) when the other
    ranks do not reach it within ``timeout`` (the group's timeout by default)."""
    pg = _group(group, 'monitored_barrier')
    if pg is None:
        return None
    pg.barrier().wait(timeout)


# -- objects -----------------------------------------------------------------------------------
def _byte_tensor(data, pg, length=None):
    """A uint8 tensor with ``data`` (bytes), padded to ``length``, on the backend's device."""
    from ..ops.creation import zeros
    from .. import uint8
    n = len(data) if length is None else length
    t = zeros(n, dtype=uint8, device=_object_device(pg))
    if data:
        host = np.frombuffer(data, np.uint8)
        t._data[:len(host)] = host if t.device.type == 'cpu' else \
            t._device._backend.from_host(host, t.device.index)
    return t


def _object_device(pg):
    if pg.backend == 'nccl':
        from .. import cuda
        return f'cuda:{cuda.current_device()}'
    return 'cpu'


def _to_bytes(t, n):
    data = t._data[:n]
    return (data if type(data) is np.ndarray else data.get()).tobytes()


def _gather_sizes(pg, n, group):
    """Every rank's ``n`` (an int), in group-rank order."""
    from .. import int64, tensor as _tensor
    mine = _tensor([n], dtype=int64, device=_object_device(pg))
    sizes = [_tensor([0], dtype=int64, device=_object_device(pg)) for _ in range(pg.size())]
    all_gather(sizes, mine, group=group)
    return [int(s.item()) for s in sizes]


def all_gather_object(object_list, obj, group=None):
    """Gather the picklable ``obj`` of every rank into ``object_list`` (which must have one
    slot per rank), on every rank. Unpickling runs code from the other ranks: use it only
    within a trusted job.

    Example::

        >>> out = [None] * dist.get_world_size()
        >>> dist.all_gather_object(out, {'rank': dist.get_rank()})
        >>> out                          # on 2 ranks
        [{'rank': 0}, {'rank': 1}]
    """
    pg = _group(group, 'all_gather_object')
    if pg is None:
        return None
    data = pickle.dumps(obj)
    sizes = _gather_sizes(pg, len(data), group)
    width = max(sizes)
    mine = _byte_tensor(data, pg, width)
    out = [_byte_tensor(b'', pg, width) for _ in range(pg.size())]
    all_gather(out, mine, group=group)
    for i, (t, n) in enumerate(zip(out, sizes)):
        object_list[i] = pickle.loads(_to_bytes(t, n))


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Gather ``obj`` of every rank into ``object_gather_list`` on rank ``dst`` (None on the
    others)."""
    pg = _group(group, 'gather_object')
    if pg is None:
        return None
    root = _root(pg, dst, group_dst, 'dst')
    data = pickle.dumps(obj)
    sizes = _gather_sizes(pg, len(data), group)
    width = max(sizes)
    mine = _byte_tensor(data, pg, width)
    if pg.rank == root:
        if object_gather_list is None:
            raise ValueError('Argument ``object_gather_list`` must be specified on destination '
                             'rank.')
        out = [_byte_tensor(b'', pg, width) for _ in range(pg.size())]
        gather(mine, out, group=group, group_dst=root)
        for i, (t, n) in enumerate(zip(out, sizes)):
            object_gather_list[i] = pickle.loads(_to_bytes(t, n))
    else:
        gather(mine, None, group=group, group_dst=root)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace the objects of ``object_list`` on every rank with those of rank ``src``
    (the lists must have the same length everywhere)."""
    from .. import int64, tensor as _tensor
    pg = _group(group, 'broadcast_object_list')
    if pg is None:
        return None
    root = _root(pg, src, group_src, 'src')
    blobs = [pickle.dumps(o) for o in object_list] if pg.rank == root else []
    sizes = _tensor([len(b) for b in blobs] if blobs else [0] * len(object_list),
                    dtype=int64, device=_object_device(pg))
    broadcast(sizes, group=group, group_src=root)
    sizes = [int(n) for n in sizes.tolist()]
    payload = _byte_tensor(b''.join(blobs), pg, sum(sizes))
    broadcast(payload, group=group, group_src=root)
    if pg.rank != root:
        data, start = _to_bytes(payload, sum(sizes)), 0
        for i, n in enumerate(sizes):
            object_list[i] = pickle.loads(data[start:start + n])
            start += n


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """Rank ``src`` sends the i-th object of ``scatter_object_input_list`` to rank i, which
    finds it in ``scatter_object_output_list[0]``."""
    pg = _group(group, 'scatter_object_list')
    if pg is None:
        return None
    root = _root(pg, src, group_src, 'src')
    objs = [None]
    if pg.rank == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError('scatter_object_input_list must hold one object per rank on the '
                             'source rank')
        objs = [list(scatter_object_input_list)]
    broadcast_object_list(objs, group=group, group_src=root)
    scatter_object_output_list[0] = objs[0][pg.rank]


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    """Send the picklable objects of ``object_list`` to rank ``dst`` (which calls
    ``recv_object_list`` with a list of the same length)."""
    from .. import int64, tensor as _tensor
    pg = _group(group, 'send_object_list')
    if pg is None:
        return None
    peer = group_dst if group_dst is not None else pg.group_rank(dst, 'dst')
    blobs = [pickle.dumps(o) for o in object_list]
    send(_tensor([len(b) for b in blobs], dtype=int64, device=_object_device(pg)), group=group,
         group_dst=peer)
    send(_byte_tensor(b''.join(blobs), pg), group=group, group_dst=peer)


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Receive into ``object_list`` the objects that rank ``src`` (any rank if None) sent with
    ``send_object_list``; returns the sender's rank."""
    from .. import int64, zeros
    pg = _group(group, 'recv_object_list')
    if pg is None:
        return -1
    peer = group_src if group_src is not None else \
        (None if src is None else pg.group_rank(src, 'src'))
    sizes = zeros(len(object_list), dtype=int64, device=_object_device(pg))
    sender = recv(sizes, group=group, group_src=peer) if peer is not None else \
        recv(sizes, group=group)
    sizes = [int(n) for n in sizes.tolist()]
    payload = _byte_tensor(b'', pg, sum(sizes))
    recv(payload, group=group, group_src=pg.group_rank(sender))
    data, start = _to_bytes(payload, sum(sizes)), 0
    for i, n in enumerate(sizes):
        object_list[i] = pickle.loads(data[start:start + n])
        start += n
    return sender
