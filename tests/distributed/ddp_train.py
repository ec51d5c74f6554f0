"""Run by tests/test_distributed.py under ``mpirun -np 2``: DistributedDataParallel against
single-process training on the same global batches."""
import copy

import flambeau as torch
import flambeau.distributed as dist
from flambeau import nn
from flambeau.nn.parallel import DistributedDataParallel as DDP
from flambeau.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group('mpi')
rank, world = dist.get_rank(), dist.get_world_size()
B, STEPS = 8, 20


def mlp():
    return nn.Sequential(nn.Linear(6, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(),
                         nn.Linear(16, 3))


def gathered(t):
    out = [torch.zeros_like(t) for _ in range(world)]
    dist.all_gather(out, t.contiguous())
    return out


def same_everywhere(t, what):
    for other in gathered(t):
        assert torch.equal(other, t), f'rank {rank}: {what} differs between ranks'


torch.manual_seed(0)
X = torch.randn(B * world * STEPS, 6)
Y = torch.randint(0, 3, (B * world * STEPS,))
data = TensorDataset(X, Y)

# 1. rank-dependent initial weights are replaced by rank 0's at construction
torch.manual_seed(100 + rank)
model = mlp()
ref = copy.deepcopy(model)  # rank 0's copy is the reference start
ddp = DDP(model, bucket_cap_mb=0.001)  # tiny buckets: several all-reduces per step
for p in ddp.parameters():
    same_everywhere(p.detach(), 'parameter after construction')
objs = [None] * world
dist.all_gather_object(objs, [p.detach().numpy() for p in ref.parameters()])
for p, a in zip(ref.parameters(), objs[0]):
    with torch.no_grad():
        p.copy_(torch.from_numpy(a))
assert list(ddp.state_dict())[0].startswith('module.'), list(ddp.state_dict())
assert len(ddp._buckets) > 1, 'expected several buckets'

# 2. 20 steps with a DistributedSampler equal single-process training on the global batches
opt = torch.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
ref_opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
samplers = [DistributedSampler(data, world, r, shuffle=True, seed=3) for r in range(world)]
loader = DataLoader(data, batch_size=B, sampler=samplers[rank])
for epoch in range(2):
    for s in samplers:
        s.set_epoch(epoch)
    rank_batches = [list(s) for s in samplers]
    for step, (x, y) in enumerate(loader):
        if step == STEPS // 2:
            break
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()
        idx = [i for r in range(world) for i in rank_batches[r][step * B:(step + 1) * B]]
        ref_opt.zero_grad()
        loss_fn(ref(X[idx]), Y[idx]).backward()
        ref_opt.step()
for p, q in zip(ddp.module.parameters(), ref.parameters()):
    err = (p - q).abs().max().item()
    assert err < 1e-6, f'rank {rank}: DDP differs from single-process training by {err}'
    same_everywhere(p.detach(), 'parameter after training')

# 3. no_sync: two micro-batches accumulated equal one pass over both
ddp2 = DDP(copy.deepcopy(ref), gradient_as_bucket_view=True)
ref2 = copy.deepcopy(ref)
x1, y1, x2, y2 = X[:B * world], Y[:B * world], X[B * world:2 * B * world], Y[B * world:2 * B * world]
mine = slice(rank * B, (rank + 1) * B)
with ddp2.no_sync():
    loss_fn(ddp2(x1[mine]), y1[mine]).backward()
local = [p.grad.clone() for p in ddp2.parameters()]
loss_fn(ddp2(x2[mine]), y2[mine]).backward()
for r0 in range(world):
    sl = slice(r0 * B, (r0 + 1) * B)
    (loss_fn(ref2(x1[sl]), y1[sl]) / world + loss_fn(ref2(x2[sl]), y2[sl]) / world).backward()
for p, q, l in zip(ddp2.parameters(), ref2.parameters(), local):
    assert (p.grad - q.grad).abs().max().item() < 1e-6, f'rank {rank}: no_sync gradient differs'
# the no_sync part was not reduced: the local gradient differs between ranks
assert any(not torch.equal(g0, g1) for g0, g1 in zip(gathered(local[0]), gathered(local[0])[1:]))


# 4. find_unused_parameters: a layer used on rank 0 only, one used nowhere
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(4, 4), nn.Linear(4, 4), nn.Linear(4, 4)

    def forward(self, x, use_b):
        h = self.a(x)
        return self.b(h) if use_b else h


torch.manual_seed(5)
net = DDP(Branchy(), find_unused_parameters=True)
for _ in range(2):
    net.zero_grad()
    net(torch.ones(2, 4) * (rank + 1), use_b=(rank == 0)).sum().backward()
    assert net.module.c.weight.grad is None, 'a parameter unused everywhere got a gradient'
    same_everywhere(net.module.b.weight.grad, 'gradient of a parameter used on rank 0 only')
    same_everywhere(net.module.a.weight.grad, 'gradient of a used parameter')

# 5. without find_unused_parameters an unused parameter is an error at the next forward
net = DDP(Branchy())
net(torch.ones(2, 4), use_b=False).sum().backward()
try:
    net(torch.ones(2, 4), use_b=False)
    raise AssertionError('expected the unfinished-reduction error')
except RuntimeError as e:
    assert 'Expected to have finished reduction in the prior iteration' in str(e), e

# 6. buffers follow rank 0 at each forward
bn = DDP(nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)))
bn(torch.randn(5, 3) + rank).sum().backward()
bn.eval()
with torch.no_grad():
    bn(torch.randn(5, 3))
same_everywhere(bn.module[1].running_mean, 'BatchNorm running_mean')

dist.destroy_process_group()
print(f'rank {rank}: ddp ok')
