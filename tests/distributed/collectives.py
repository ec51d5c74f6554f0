"""Run by tests/test_distributed.py under ``mpirun -np 2`` (or 3): every collective of
flambeau.distributed against the NumPy result; exits non-zero on the first mismatch."""
import numpy as np

import flambeau as torch
import flambeau.distributed as dist

dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == 'mpi'


def base(r, dtype=torch.float32, n=5):
    """What rank r contributes: distinct values per rank and position."""
    return (torch.arange(n, dtype=torch.float64) * (r + 2) + r).to(dtype)


def check(got, expect, what):
    got = got.double().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    assert np.allclose(got, expect, rtol=1e-3 if 'half' in what else 1e-12), \
        f'rank {rank}: {what}: {got} != {expect}'


every = np.stack([base(r, torch.float64).numpy() for r in range(world)])

# all_reduce: every op, several dtypes, sync and async
for dtype in (torch.float32, torch.float64, torch.int64, torch.int32, torch.float16,
              torch.bfloat16):
    for op, fn in ((dist.ReduceOp.SUM, np.sum), (dist.ReduceOp.MAX, np.max),
                   (dist.ReduceOp.MIN, np.min), (dist.ReduceOp.PRODUCT, np.prod)):
        t = base(rank, dtype)
        v0 = t._version
        assert dist.all_reduce(t, op=op) is None
        check(t, fn(np.stack([base(r, dtype).double().numpy() for r in range(world)]), 0),
              f'all_reduce {op.name} {dtype} {"half" if dtype.itemsize == 2 else ""}')
        assert t.dtype == dtype and t._version > v0
t = base(rank)
work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
assert work.wait() and work.is_completed() and work.result()[0] is t
check(t, every.mean(0), 'all_reduce AVG async')
for op, fn in ((dist.ReduceOp.BAND, np.bitwise_and.reduce), (dist.ReduceOp.BOR, np.bitwise_or.reduce),
               (dist.ReduceOp.BXOR, np.bitwise_xor.reduce)):
    t = torch.tensor([rank + 1, 6, 3 * rank], dtype=torch.int64)
    dist.all_reduce(t, op=op)
    check(t, fn(np.array([[r + 1, 6, 3 * r] for r in range(world)]), axis=0), f'{op.name}')
b = torch.tensor([rank == 0, True, False])
dist.all_reduce(b)  # SUM on bool: logical or
assert b.tolist() == [True, True, False], b
t = torch.zeros(2, 3)[:, 0]
try:
    dist.all_reduce(t)
    raise AssertionError('non-contiguous accepted')
except ValueError as e:
    assert 'contiguous' in str(e)
try:
    dist.all_reduce(torch.ones(2), op=dist.ReduceOp.BAND)
    raise AssertionError('BAND on float accepted')
except RuntimeError as e:
    assert 'BAND' in str(e) and 'float32' in str(e)

# 0-d tensors
s = torch.tensor(float(rank))
dist.all_reduce(s)
assert s.item() == sum(range(world)), s

# broadcast from every source
for src in range(world):
    t = base(rank, torch.bfloat16)
    dist.broadcast(t, src=src)
    check(t, base(src, torch.bfloat16).double().numpy(), f'broadcast from {src} half')

# reduce: only dst changes
for dst in range(world):
    t = base(rank)
    dist.reduce(t, dst=dst)
    check(t, every.sum(0) if rank == dst else base(rank).numpy(), f'reduce to {dst}')

# all_gather, all_gather_into_tensor (both layouts)
out = [torch.zeros(5) for _ in range(world)]
dist.all_gather(out, base(rank))
check(torch.stack(out), every, 'all_gather')
flat = torch.zeros(world * 5)
dist.all_gather_into_tensor(flat, base(rank))
check(flat, every.reshape(-1), 'all_gather_into_tensor concatenated')
stacked = torch.zeros(world, 5, dtype=torch.float64)
w = dist.all_gather_into_tensor(stacked, base(rank, torch.float64), async_op=True)
w.wait()
assert w.result()[0] is stacked
out = [torch.zeros(5) for _ in range(world)]
w = dist.all_gather(out, base(rank), async_op=True)
assert [a is b for a, b in zip(w.result(), out)] == [True] * world
check(torch.stack(out), every, 'all_gather async')
check(stacked, every, 'all_gather_into_tensor stacked')

# reduce_scatter_tensor, reduce_scatter
inp = torch.arange(world * 3, dtype=torch.float32) * (rank + 1)
o = torch.zeros(3)
dist.reduce_scatter_tensor(o, inp)
full = sum(np.arange(world * 3) * (r + 1) for r in range(world))
check(o, full[rank * 3:(rank + 1) * 3], 'reduce_scatter_tensor')
o = torch.zeros(3)
dist.reduce_scatter(o, list(inp.chunk(world)), op=dist.ReduceOp.MAX)
check(o, (np.arange(world * 3) * world)[rank * 3:(rank + 1) * 3], 'reduce_scatter MAX')

# gather and scatter
for root in range(world):
    lst = [torch.zeros(5) for _ in range(world)] if rank == root else None
    dist.gather(base(rank), lst, dst=root)
    if rank == root:
        check(torch.stack(lst), every, f'gather to {root}')
    got = torch.zeros(5)
    dist.scatter(got, [base(r) * 10 for r in range(world)] if rank == root else None, src=root)
    check(got, base(rank).numpy() * 10, f'scatter from {root}')

# all_to_all_single
inp = torch.arange(world * 2, dtype=torch.int64) + 100 * rank
o = torch.zeros(world * 2, dtype=torch.int64)
dist.all_to_all_single(o, inp)
check(o, np.concatenate([np.arange(rank * 2, rank * 2 + 2) + 100 * r for r in range(world)]),
      'all_to_all_single')

# point to point: a ring, blocking and async
nxt, prev = (rank + 1) % world, (rank - 1) % world
got = torch.zeros(4)
req = dist.irecv(got, src=prev, tag=7)
dist.isend(base(rank, n=4), dst=nxt, tag=7).wait()
req.wait()
check(got, base(prev, n=4).numpy(), 'isend/irecv ring')
assert req.source_rank() == prev
if rank == 0:
    for _ in range(world - 1):
        t = torch.zeros(2)
        sender = dist.recv(t)  # from any rank
        check(t, [sender, sender], 'recv from any')
else:
    dist.send(torch.full((2,), float(rank)), dst=0)

# batched point to point, all_to_all
got = torch.zeros(3)
# (its own tag: rank 0 may still be receiving from any rank with tag 0 above)
for w in dist.batch_isend_irecv([dist.P2POp(dist.isend, base(rank, n=3), nxt, tag=3),
                                 dist.P2POp(dist.irecv, got, prev, tag=3)]):
    w.wait()
check(got, base(prev, n=3).numpy(), 'batch_isend_irecv')
outs = [torch.zeros(2, dtype=torch.int32) for _ in range(world)]
dist.all_to_all(outs, [torch.tensor([rank, j], dtype=torch.int32) for j in range(world)])
check(torch.stack(outs), [[r, rank] for r in range(world)], 'all_to_all')
dist.monitored_barrier()
assert dist.get_node_local_rank(fallback_rank=rank) in (rank, int(__import__('os').environ.get('LOCAL_RANK', rank)))

# objects
if rank == 0:
    for r in range(1, world):
        dist.send_object_list([{'to': r}, 'x'], dst=r)
else:
    lst = [None, None]
    assert dist.recv_object_list(lst, src=0) == 0
    assert lst == [{'to': rank}, 'x'], lst
objs = [None] * world
dist.all_gather_object(objs, {'rank': rank, 'name': 'x' * rank})
assert objs == [{'rank': r, 'name': 'x' * r} for r in range(world)], objs
lst = [{'a': 1}, [1, 2], 'three'] if rank == 0 else [None, None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == [{'a': 1}, [1, 2], 'three'], lst
g = [None] * world if rank == 0 else None
dist.gather_object(('r', rank), g, dst=0)
if rank == 0:
    assert g == [('r', r) for r in range(world)], g
out = [None]
dist.scatter_object_list(out, [r * 11 for r in range(world)] if rank == 0 else None, src=0)
assert out == [rank * 11], out

# sub-groups: ranks are global in src/dst, group-local in get_rank
grp = dist.new_group([world - 1, 0])
if rank in (0, world - 1):
    assert dist.get_process_group_ranks(grp) == sorted({0, world - 1})
    t = torch.tensor([float(rank)])
    dist.all_reduce(t, group=grp)
    assert t.item() == world - 1, t
    assert dist.get_rank(grp) == (0 if rank == 0 else 1)
    t = torch.tensor([float(rank)])
    dist.broadcast(t, src=world - 1, group=grp)
    assert t.item() == world - 1
else:
    assert grp is dist.GroupMember.NON_GROUP_MEMBER and dist.get_rank(grp) == -1
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        assert dist.all_reduce(torch.ones(1), group=grp) is None
    assert 'does not belong' in str(caught[0].message)

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
dist.init_process_group('gloo')  # again after destroy; gloo is served by MPI
t = torch.ones(1)
dist.all_reduce(t)
assert t.item() == world
dist.destroy_process_group()
print(f'rank {rank}: collectives ok')
