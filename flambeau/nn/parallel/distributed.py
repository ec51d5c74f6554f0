"""``DistributedDataParallel``: data-parallel training over the ranks of a process group.

Note [DDP gradient buckets]: at construction the parameters that require grad are grouped,
in reverse registration order (roughly the order backward produces their gradients), into
buckets of one dtype and device of at most ``bucket_cap_mb`` (the first one at most 1 MiB, so that
communication starts early, as in PyTorch). A hook on each parameter
(``register_post_accumulate_grad_hook``) marks it ready once backward has accumulated its
gradient; when every parameter of a bucket is ready, its gradients are copied into the
bucket's flat buffer and an asynchronous all-reduce of the buffer starts, while backward
goes on with the earlier layers. Buckets start strictly in index order, so every rank issues
the same collectives in the same order whatever order its hooks fire in. At the end of
backward (an engine callback) every all-reduce is waited for and the averaged gradients are
written back into ``.grad``. The reductions run on a duplicate of the process group's
communicator so that they never interleave with the user's own collectives.

A bucket that never becomes ready (a parameter that got no gradient) leaves the reduction
unfinished, and the next forward raises PyTorch's error, unless
``find_unused_parameters=True``: then forward walks the autograd graph of its output, and
parameters it does not reach count as ready (with zeros) when backward starts; a parameter
unused on every rank keeps its ``.grad`` untouched.
"""
import contextlib

from ...autograd import engine, grad_mode
from ...autograd.node import AccumulateGrad
from ...distributed import process_group as _pg
from ...distributed.process_group import ReduceOp
from ..modules.module import Module

_FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    """Parameters reduced together (Note [DDP gradient buckets])."""
    __slots__ = ('params', 'offsets', 'flat', 'pending', 'work', 'xp')

    def __init__(self, params, xp):
        self.params = params
        self.offsets = []
        n = 0
        for p in params:
            self.offsets.append(n)
            n += p.numel()
        self.xp = xp
        self.flat = xp.zeros(n, params[0]._data.dtype)
        self.pending = len(params)
        self.work = None


class DistributedDataParallel(Module):
    r"""Data parallelism across processes: wrap a model, and every process (rank) trains the
    same model on its own part of the data; gradients are averaged over the ranks during
    ``backward()`` (Note [DDP gradient buckets]), so after ``optimizer.step()`` every rank
    holds the same parameters.

    Args:
        module: the model; its parameters and buffers are broadcast from rank 0 at
            construction.
        device_ids: for a CUDA model, ``[local_rank]`` (the one device it lives on); None for
            CPU models.
        broadcast_buffers: copy rank 0's buffers (e.g. BatchNorm's running statistics) to
            every rank at each forward. Default: True.
        process_group: the group to reduce over (the default group if None).
        bucket_cap_mb: bucket size in MiB (25 by default).
        find_unused_parameters: allow parameters that get no gradient in some iterations.
        gradient_as_bucket_view: make each ``.grad`` a view into its bucket (saves a copy
            and memory).

    ``module`` holds the wrapped model; ``state_dict`` keys start with ``module.`` as in
    PyTorch. ``no_sync()`` skips the reduction (gradient accumulation).

    Example::

        >>> dist.init_process_group('mpi')            # mpirun -np 2 python train.py
        >>> model = DistributedDataParallel(nn.Linear(10, 1))
        >>> loss = model(x).pow(2).mean()
        >>> loss.backward()                           # gradients averaged over the ranks
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 **kwargs):
        super().__init__()
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               'have any parameter that requires a gradient.')
        devices = {p.device for p in module.parameters()}
        if device_ids is not None and any(d.type == 'cpu' for d in devices):
            raise ValueError(
                'DistributedDataParallel device_ids and output_device arguments only work with '
                'single-device/multiple-device GPU modules or CPU modules, but got device_ids '
                f'{list(device_ids)}, output_device {output_device}, and module parameters '
                f'{ {d for d in devices} }.')
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError('device_ids can only be None or contain a single element.')
        comm = _pg._duplicate(process_group)
        if comm is None:
            raise ValueError('DistributedDataParallel: this rank is not a member of '
                             'process_group')
        self.module = module
        self.device_ids = None if device_ids is None else list(device_ids)
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.process_group = process_group
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 2 ** 20)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        state = self.__dict__
        state['_comm'] = comm
        state['_params'] = params
        state['_buckets'], state['_where'] = self._make_buckets(params)
        state['_active'] = False       # a backward with reduction is expected
        state['_started'] = False      # its first gradient has arrived
        state['_next'] = 0             # the next bucket to start
        state['_unused'] = ()          # indices of parameters the last forward did not use
        state['_unfinished'] = False   # the last backward left a bucket unreduced
        state['_hooks'] = [p.register_post_accumulate_grad_hook(self._hook(i))
                           for i, p in enumerate(params)]
        self._sync_module_states()

    # -- construction ------------------------------------------------------------------------
    def _make_buckets(self, params):
        """Buckets in reverse parameter order (Note [DDP gradient buckets]); ``where[i]``
        is (bucket, slot) of parameter i."""
        buckets, where = [], [None] * len(params)
        current, size, cap = [], 0, min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for i in reversed(range(len(params))):
            p = params[i]
            nbytes = p.numel() * p.element_size()
            if current and (size + nbytes > cap or p.dtype != params[current[0]].dtype
                            or p.device != params[current[0]].device):
                buckets.append(current)
                current, size, cap = [], 0, self.bucket_bytes_cap
            current.append(i)
            size += nbytes
        buckets.append(current)
        made = []
        for b, idx in enumerate(buckets):
            made.append(_Bucket([params[i] for i in idx], params[idx[0]]._device._backend.xp))
            for slot, i in enumerate(idx):
                where[i] = (b, slot)
        return made, where

    def _coalesced_broadcast(self, tensors):
        """Broadcast ``tensors`` from rank 0, one flat message per dtype and device."""
        comm = self._comm
        groups = {}
        for t in tensors:
            groups.setdefault((t.dtype, t.device), []).append(t)
        for group in groups.values():
            xp = group[0]._device._backend.xp
            flat = xp.concatenate([t._data.reshape(-1) for t in group])
            comm.broadcast(flat, 0).wait()  # from the group's rank 0
            start = 0
            for t in group:
                n = t._data.size
                t._data[...] = flat[start:start + n].reshape(t._data.shape)
                t._vc[0] += 1
                start += n

    def _sync_module_states(self):
        with grad_mode.no_grad():
            self._coalesced_broadcast(list(self.module.parameters()) +
                                      list(self.module.buffers()))

    # -- forward -----------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        if self._unfinished:
            raise RuntimeError(
                'Expected to have finished reduction in the prior iteration before starting a '
                'new one. This error indicates that your module has parameters that were not '
                'used in producing loss. You can enable unused parameter detection by passing '
                'the keyword argument `find_unused_parameters=True` to '
                '`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` '
                'function outputs participate in calculating loss.')
        sync = grad_mode.state.enabled and self.require_backward_grad_sync
        if self.broadcast_buffers and self.require_forward_param_sync:
            buffers = list(self.module.buffers())
            if buffers:
                with grad_mode.no_grad():
                    self._coalesced_broadcast(buffers)
        out = self.module(*inputs, **kwargs)
        self._prepare(sync, out)
        return out

    def _prepare(self, sync, out):
        state = self.__dict__
        state['_active'] = sync
        state['_started'] = False
        state['_next'] = 0
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = None
        if sync and self.find_unused_parameters:
            used = _reached_leaves(out)
            state['_unused'] = [i for i, p in enumerate(self._params) if id(p) not in used]
        else:
            state['_unused'] = ()

    # -- backward ----------------------------------------------------------------------------
    def _hook(self, index):
        def hook(param):
            if self._active:
                self._ready(index)
        return hook

    def _ready(self, index):
        state = self.__dict__
        if not self._started:  # the first gradient of this backward
            state['_started'] = True
            engine.queue_callback(self._finish)
            state['_unfinished'] = True
            for i in self._unused:
                self._mark(i)
        self._mark(index)

    def _mark(self, index):
        b, _ = self._where[index]
        bucket = self._buckets[b]
        bucket.pending -= 1
        buckets = self._buckets
        while self._next < len(buckets) and buckets[self._next].pending == 0:
            self._launch(buckets[self._next])
            self.__dict__['_next'] += 1
        for other in buckets[:self._next]:  # let MPI progress the ones in flight
            if other.work is not None:
                other.work.is_completed()

    def _launch(self, bucket):
        flat = bucket.flat
        for p, off in zip(bucket.params, bucket.offsets):
            n = p._data.size
            g = p._grad
            if g is None:
                flat[off:off + n] = 0
            elif not _shares(g._data, flat[off:off + n]):
                flat[off:off + n] = g._data.reshape(-1)
        bucket.work = self._comm.allreduce(flat, ReduceOp.SUM)

    def _finish(self):
        state = self.__dict__
        if self._next < len(self._buckets):
            return  # unfinished: the next forward raises
        unused_everywhere = set()
        if self.find_unused_parameters:
            unused_everywhere = self._globally_unused()
        world = self._comm.size()
        for bucket in self._buckets:
            bucket.work.wait()
            bucket.flat /= bucket.flat.dtype.type(world)
        for i, p in enumerate(self._params):
            if i in unused_everywhere:
                continue
            b, slot = self._where[i]
            bucket = self._buckets[b]
            off, n = bucket.offsets[slot], p._data.size
            avg = bucket.flat[off:off + n].reshape(p._data.shape)
            g = p._grad
            if g is not None and _shares(g._data, avg):
                g._vc[0] += 1
            elif self.gradient_as_bucket_view or g is None:
                p._grad = p._make(avg if self.gradient_as_bucket_view else avg.copy(),
                                  p._dtype, p._device)
            else:
                g._data[...] = avg
                g._vc[0] += 1
        state['_unfinished'] = False
        state['_active'] = False

    def _globally_unused(self):
        """Indices of parameters no rank used in this iteration (one small all-reduce)."""
        xp = self._buckets[0].xp
        flags = xp.ones(len(self._params), xp.uint8)
        for i in self._unused:
            flags[i] = 0
        self._comm.allreduce(flags, ReduceOp.MAX).wait()
        return {i for i in range(len(self._params)) if not flags[i]}

    # -- user API ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def no_sync(self):
        """Within this context gradients accumulate locally without being reduced; the first
        backward after it reduces the accumulated gradients.

        Example::

            >>> with ddp.no_sync():
            ...     ddp(x1).sum().backward()   # no communication
            >>> ddp(x2).sum().backward()       # reduces the sum of both gradients
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def __getstate__(self):
        raise RuntimeError('DistributedDataParallel cannot be pickled: save '
                           'ddp.module.state_dict() (or ddp.state_dict()) instead')


def _shares(a, b):
    """Whether arrays ``a`` and ``b`` (NumPy or CuPy) start at the same address with the same
    size: a gradient that already is its bucket slot."""
    def address(x):
        return x.data.ptr if hasattr(x.data, 'ptr') else x.ctypes.data
    return a.size == b.size and a.size > 0 and address(a) == address(b)


def _reached_leaves(out):
    """ids of the leaf tensors whose gradients backward from ``out`` would reach."""
    from ...tensor import Tensor
    stack, seen, leaves = [], set(), set()

    def collect(o):
        if isinstance(o, Tensor):
            if o.grad_fn is not None:
                stack.append(o.grad_fn)
            elif o.requires_grad:
                leaves.add(id(o))
        elif isinstance(o, (list, tuple)):
            for x in o:
                collect(x)
        elif isinstance(o, dict):
            for x in o.values():
                collect(x)
    collect(out)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.__class__ is AccumulateGrad:
            v = node.variable
            if v is not None:
                leaves.add(id(v))
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                stack.append(nxt)
    return leaves
