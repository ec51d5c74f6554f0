"""A custom ``Dataset`` with ``DataLoader``, as in PyTorch's "Datasets & DataLoaders" tutorial,
with ``import flambeau as torch``.

The data set is a CSV file of points on two interleaved spirals (written to a temporary folder
by the script itself, so nothing is downloaded). ``SpiralsCSV`` reads it, returns
``(features, label)`` pairs and applies an optional transform; a ``DataLoader`` batches and
shuffles it (with worker processes when ``--workers`` > 0), ``random_split`` holds out a
validation part, and a small network learns to tell the spirals apart.

    python examples/custom_dataset.py [--workers 2] [--epochs N] [--quick]
"""
import argparse
import csv
import math
import os
import tempfile

import flambeau as torch
from flambeau import nn
from flambeau.utils.data import DataLoader, Dataset, random_split


class SpiralsCSV(Dataset):
    """Points of two spirals from a CSV file with columns ``x,y,label``.

    Args:
        path (str): the CSV file.
        transform (callable, optional): applied to each ``(2,)`` feature tensor.
    """

    def __init__(self, path, transform=None):
        with open(path, newline='') as f:
            rows = list(csv.DictReader(f))
        self.features = torch.tensor([[float(r['x']), float(r['y'])] for r in rows])
        self.labels = torch.tensor([int(r['label']) for r in rows])
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        x = self.features[idx]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.labels[idx]


class AddNoise:
    """A transform: jitter the point a little (training-time augmentation)."""

    def __init__(self, std):
        self.std = std

    def __call__(self, x):
        return x + self.std * torch.randn_like(x)


def write_spirals(path, n_per_class, seed=0):
    """Write ``2 * n_per_class`` points of two interleaved spirals to a CSV file."""
    g = torch.Generator().manual_seed(seed)
    with open(path, 'w', newline='') as f:
        out = csv.writer(f)
        out.writerow(['x', 'y', 'label'])
        for label in (0, 1):
            r = torch.linspace(0.2, 1.0, n_per_class)
            theta = 3 * math.pi * r + label * math.pi + 0.1 * torch.randn(n_per_class, generator=g)
            for ri, ti in zip(r.tolist(), theta.tolist()):
                out.writerow([f'{ri * math.cos(ti):.5f}', f'{ri * math.sin(ti):.5f}', label])


def main():
    parser = argparse.ArgumentParser(description='A custom Dataset with DataLoader.')
    parser.add_argument('--epochs', type=int, default=60)
    parser.add_argument('--workers', type=int, default=0, help='DataLoader worker processes')
    parser.add_argument('--quick', action='store_true', help='a short run (for tests)')
    args = parser.parse_args()
    if args.quick:
        args.epochs = 3
    torch.manual_seed(0)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'spirals.csv')
        write_spirals(path, n_per_class=300)
        full = SpiralsCSV(path, transform=AddNoise(0.02))
        print(f'{len(full)} samples; the first is {full[0]}')

        train_set, val_set = random_split(full, [0.8, 0.2],
                                          generator=torch.Generator().manual_seed(0))
        train_loader = DataLoader(train_set, batch_size=32, shuffle=True,
                                  num_workers=args.workers)
        val_loader = DataLoader(val_set, batch_size=128)
        xb, yb = next(iter(train_loader))
        print(f'one batch: features {tuple(xb.shape)} {xb.dtype}, labels {tuple(yb.shape)} '
              f'{yb.dtype}; {len(train_loader)} batches per epoch')

        model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                              nn.Linear(64, 2))
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

        for epoch in range(1, args.epochs + 1):
            model.train()
            for xb, yb in train_loader:
                loss = loss_fn(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            model.eval()
            correct = 0
            with torch.no_grad():
                for xb, yb in val_loader:
                    correct += (model(xb).argmax(1) == yb).sum().item()
            if epoch % 10 == 0 or epoch == args.epochs:
                print(f'epoch {epoch:3d}  last batch loss {loss.item():.4f}  '
                      f'validation accuracy {100 * correct / len(val_set):.1f}%')


if __name__ == '__main__':  # needed for DataLoader workers started with 'spawn'
    main()
