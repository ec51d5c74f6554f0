"""Data-parallel training: the digits classifier of the quickstart on several processes, with
``DistributedDataParallel`` and ``DistributedSampler``, as a PyTorch user writes it.

Each process (rank) reads its own part of the training data; after every ``backward()`` the
gradients are averaged over the ranks, so every rank holds the same model. Rank 0 evaluates
on the held-out split and saves the checkpoint.

    pip install '.[examples,distributed]'     # + MPI: apt-get install openmpi-bin libopenmpi-dev
    python -m flambeau.distributed.run --nproc-per-node 2 examples/distributed_digits.py
    mpirun -np 2 python examples/distributed_digits.py          # the same, by hand

Options: ``--epochs N``, ``--batch-size N`` (per rank), ``--backend mpi|gloo|nccl``
(``nccl`` for GPUs, one per rank), ``--out DIR``, ``--quick`` (two epochs).
"""
import argparse
import os
import sys

import flambeau as torch
import flambeau.distributed as dist
from flambeau import nn
from flambeau.nn.parallel import DistributedDataParallel as DDP
from flambeau.utils.data import DataLoader, DistributedSampler, TensorDataset

parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
parser.add_argument('--epochs', type=int, default=20)
parser.add_argument('--batch-size', type=int, default=32, help='per rank')
parser.add_argument('--lr', type=float, default=3e-3)
parser.add_argument('--backend', default='mpi')
parser.add_argument('--out', default='distributed_out')
parser.add_argument('--quick', action='store_true', help='two epochs (a smoke test)')
args = parser.parse_args()
if args.quick:
    args.epochs = 2

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
except ImportError as e:
    sys.exit(f'{e.name} is missing: this example needs the `examples` extra '
             "(pip install 'flambeau[examples]')")

dist.init_process_group(args.backend)
rank, world = dist.get_rank(), dist.get_world_size()
local_rank = int(os.environ.get('LOCAL_RANK', rank))
device = torch.device(f'cuda:{local_rank}' if args.backend == 'nccl' else 'cpu')

digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    digits.data / 16.0, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
train = TensorDataset(torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train))
sampler = DistributedSampler(train, shuffle=True, seed=0)
loader = DataLoader(train, batch_size=args.batch_size, sampler=sampler)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
model = DDP(model, device_ids=[local_rank] if device.type == 'cuda' else None)
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(args.epochs):
    sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
    model.train()
    total, count = torch.zeros(2, device=device), 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()  # gradients are averaged over the ranks here
        optimizer.step()
        total += torch.stack([loss.detach() * len(xb), torch.tensor(float(len(xb)),
                                                                   device=device)])
    dist.all_reduce(total)  # the epoch's mean loss over all ranks' samples
    if rank == 0 and (epoch + 1) % max(1, args.epochs // 5) == 0:
        print(f'epoch {epoch + 1:3d}  train loss {(total[0] / total[1]).item():.4f}')

# every rank holds the same weights: rank 0 evaluates and saves
if rank == 0:
    model.eval()
    with torch.no_grad():
        logits = model.module(torch.tensor(x_test, dtype=torch.float32).to(device))
    accuracy = (logits.argmax(1).cpu() == torch.tensor(y_test)).float().mean().item()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, 'digits_ddp.pt')
    torch.save(model.module.state_dict(), path)
    print(f'{world} ranks: held-out accuracy {accuracy:.3f}; checkpoint: {path}')
dist.destroy_process_group()
