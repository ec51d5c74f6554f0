"""A convolutional network on MNIST, read through ``flambeau.vision.datasets.MNIST``, as a
PyTorch user writes it with torchvision, here with ``import flambeau as torch``.

The data are MNIST's four IDX files in ``DATA/MNIST/raw/`` (torchvision's layout)::

    DATA/MNIST/raw/train-images-idx3-ubyte   train-labels-idx1-ubyte
                   t10k-images-idx3-ubyte    t10k-labels-idx1-ubyte

``--download`` fetches them (about 11 MB, MD5-checked) into ``--data``; a folder prepared for
torchvision works as is. Any data set in MNIST's format works (Fashion-MNIST with
``--dataset FashionMNIST``).

    pip install '.[vision]'      # Pillow: the data set yields PIL images, as torchvision's does
    python examples/mnist_cnn.py --data ~/data --download
    python examples/mnist_cnn.py --data ~/data --epochs 2 --device cuda

``--quick`` trains on at most 512 images for one epoch (for tests); ``--limit N`` uses the
first N training images.
"""
import argparse
import os
import sys
import time

import flambeau as torch
from flambeau import nn
from flambeau.nn import functional as F
from flambeau.utils.data import DataLoader, Subset


class Net(nn.Module):
    """Two 3x3 convolutions with max pooling, then two linear layers: 28x28 -> 10 logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)
        self.dropout = nn.Dropout(0.25)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)    # (N, 16, 14, 14)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)    # (N, 32, 7, 7)
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def main():
    parser = argparse.ArgumentParser(description='A CNN on MNIST-format data.')
    parser.add_argument('--data', default='data', help='folder holding MNIST/raw/ (default: data)')
    parser.add_argument('--dataset', default='MNIST', choices=('MNIST', 'FashionMNIST', 'KMNIST'))
    parser.add_argument('--download', action='store_true', help='download the IDX files')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--lr', type=float, default=1e-3)
    parser.add_argument('--limit', type=int, default=None, help='use the first N training images')
    parser.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (default: cuda if available)")
    parser.add_argument('--quick', action='store_true', help='one epoch on <= 512 images (tests)')
    args = parser.parse_args()
    if args.quick:
        args.epochs, args.limit = 1, min(args.limit or 512, 512)

    try:
        from flambeau.vision import datasets, transforms
        import PIL  # noqa: F401  (the data set hands out PIL images)
    except ImportError:
        sys.exit("this example needs Pillow: pip install 'flambeau[vision]'")

    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    torch.manual_seed(0)
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    cls = getattr(datasets, args.dataset)
    try:
        train_set = cls(args.data, train=True, transform=transform, download=args.download)
        test_set = cls(args.data, train=False, transform=transform, download=args.download)
    except RuntimeError as e:
        raw = os.path.join(args.data, args.dataset, 'raw')
        sys.exit(f'{e}.\nNo {args.dataset} data in {raw}. Either run again with --download '
                 f'(about 11 MB), or put the four IDX files there:\n'
                 '  train-images-idx3-ubyte  train-labels-idx1-ubyte  '
                 't10k-images-idx3-ubyte  t10k-labels-idx1-ubyte\n'
                 '(gunzip them if they end in .gz; a folder prepared for torchvision works too).')
    if args.limit is not None:
        train_set = Subset(train_set, range(min(args.limit, len(train_set))))
        test_set = Subset(test_set, range(min(args.limit, len(test_set))))
    print(f'{len(train_set)} training and {len(test_set)} test images of {args.dataset}, '
          f'on {device}')

    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    model = Net().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(model)

    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        for i, (images, labels) in enumerate(train_loader):
            images, labels = images.to(device), labels.to(device)
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if i % 100 == 0:
                print(f'epoch {epoch} [{i * len(images):5d}/{len(train_set)}] '
                      f'loss {loss.item():.4f}')

        model.eval()
        test_loss, correct = 0.0, 0
        with torch.no_grad():
            for images, labels in test_loader:
                images, labels = images.to(device), labels.to(device)
                logits = model(images)
                test_loss += F.cross_entropy(logits, labels, reduction='sum').item()
                correct += (logits.argmax(1) == labels).sum().item()
        n = len(test_set)
        print(f'epoch {epoch}: test loss {test_loss / n:.4f}, accuracy {correct}/{n} '
              f'({100 * correct / n:.2f}%), {time.perf_counter() - start:.1f} s')


if __name__ == '__main__':
    main()
