"""Quickstart: train a small classifier on scikit-learn's handwritten digits, as a PyTorch user
would write it, with ``import flambeau as torch``.

The digits (1 797 greyscale 8x8 images, 10 classes) ship with scikit-learn, so nothing is
downloaded. The script trains a two-layer perceptron with a ``tqdm`` progress bar showing loss
and accuracy, evaluates it on a held-out split, saves a checkpoint, writes a loss/accuracy plot
(PNG, matplotlib) and the autograd graph of the model (Graphviz ``.dot`` source, and a PNG when
Graphviz's ``dot`` program is installed), and prints where they are.

    pip install '.[examples]'            # scikit-learn, tqdm, matplotlib
    python examples/quickstart.py        # about ten seconds on two CPU cores
    python examples/quickstart.py --framework torch   # the same script on PyTorch, to compare

Options: ``--epochs N``, ``--out DIR`` (default ``quickstart_out``), ``--device cpu|cuda``
(default: ``cuda`` when available), ``--quick`` (two epochs, for tests), ``--seed N``.
"""
import argparse
import os
import shutil
import sys

parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
parser.add_argument('--framework', choices=('flambeau', 'torch'), default='flambeau',
                    help='run on flambeau (default) or on PyTorch, to compare')
parser.add_argument('--epochs', type=int, default=40)
parser.add_argument('--batch-size', type=int, default=64)
parser.add_argument('--lr', type=float, default=3e-3)
parser.add_argument('--seed', type=int, default=0)
parser.add_argument('--device', default=None, help="'cpu' or 'cuda' (default: cuda if available)")
parser.add_argument('--out', default='quickstart_out', help='folder for checkpoint and plots')
parser.add_argument('--quick', action='store_true', help='two epochs (a smoke test)')
args = parser.parse_args()

if args.framework == 'torch':
    import torch
else:
    import flambeau as torch
nn = torch.nn

try:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from tqdm import tqdm
except ImportError as e:
    sys.exit(f'{e.name} is missing: this example needs the `examples` extra '
             "(pip install 'flambeau[examples]' or pip install scikit-learn tqdm matplotlib)")

if args.quick:
    args.epochs = 2
device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
torch.manual_seed(args.seed)
os.makedirs(args.out, exist_ok=True)

# -- data: 80% training, 20% held out; pixels scaled from 0..16 to 0..1 -----------------------
digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    digits.data / 16.0, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
x_train = torch.tensor(x_train, dtype=torch.float32)
y_train = torch.tensor(y_train)  # int64 class indices, as CrossEntropyLoss wants
x_test = torch.tensor(x_test, dtype=torch.float32).to(device)
y_test = torch.tensor(y_test).to(device)

train_set = torch.utils.data.TensorDataset(x_train, y_train)
loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)

# -- model, loss, optimizer --------------------------------------------------------------------
model = nn.Sequential(
    nn.Linear(64, 128),
    nn.ReLU(),
    nn.Dropout(0.1),
    nn.Linear(128, 10),
).to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
print(model)
print(f'{len(train_set)} training and {len(y_test)} held-out images, on {device}')


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(x_test)
        loss = loss_fn(logits, y_test).item()
        acc = (logits.argmax(dim=1) == y_test).float().mean().item()
    model.train()
    return loss, acc


history = {'train_loss': [], 'test_loss': [], 'test_acc': []}
bar = tqdm(range(1, args.epochs + 1), desc='training', unit='epoch')
for epoch in bar:
    total, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        logits = model(xb)
        loss = loss_fn(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        correct += (logits.argmax(1) == yb).sum().item()
        seen += len(xb)
    test_loss, test_acc = evaluate()
    history['train_loss'].append(total / seen)
    history['test_loss'].append(test_loss)
    history['test_acc'].append(test_acc)
    bar.set_postfix(loss=f'{total / seen:.3f}', acc=f'{correct / seen:.3f}',
                    test_acc=f'{test_acc:.3f}')

test_loss, test_acc = evaluate()
print(f'held-out accuracy: {100 * test_acc:.2f}% ({len(y_test)} images), loss {test_loss:.4f}')

# -- checkpoint: reload it into a fresh model to show the round trip ---------------------------
ckpt = os.path.join(args.out, 'digits_mlp.pt')
torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
            'epochs': args.epochs, 'test_acc': test_acc}, ckpt)
state = torch.load(ckpt)
model.load_state_dict(state['model'])
print(f'checkpoint: {ckpt} (reloaded, accuracy {100 * evaluate()[1]:.2f}%)')

# -- loss/accuracy plot --------------------------------------------------------------------------
try:
    import matplotlib
    matplotlib.use('Agg')  # no display needed
    import matplotlib.pyplot as plt
except ImportError:
    print('plot: skipped (pip install matplotlib)')
else:
    epochs = range(1, args.epochs + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.plot(epochs, history['train_loss'], label='train')
    ax1.plot(epochs, history['test_loss'], label='held out')
    ax1.set(xlabel='epoch', ylabel='cross-entropy', title='loss')
    ax1.legend()
    ax2.plot(epochs, [100 * a for a in history['test_acc']])
    ax2.set(xlabel='epoch', ylabel='%', title='held-out accuracy')
    fig.tight_layout()
    plot = os.path.join(args.out, 'training.png')
    fig.savefig(plot, dpi=100)
    print(f'plot: {plot}')

# -- the autograd graph of one forward pass ------------------------------------------------------
if args.framework == 'flambeau':
    from flambeau.viz import make_dot
else:
    try:
        from torchviz import make_dot
    except ImportError:
        make_dot = None
try:
    import graphviz  # noqa: F401  (make_dot returns a graphviz.Digraph)
except ImportError:
    make_dot = None
if make_dot is None:
    print("graph: skipped (pip install graphviz"
          f"{'' if args.framework == 'flambeau' else ' torchviz'})")
else:
    loss = loss_fn(model(x_test[:8]), y_test[:8])
    dot = make_dot(loss, params=dict(model.named_parameters()))
    base = os.path.join(args.out, 'graph')
    with open(base + '.dot', 'w') as f:
        f.write(dot.source)
    if shutil.which('dot'):
        dot.render(base, format='png', cleanup=True)
        print(f'graph: {base}.png')
    else:
        print(f"graph: {base}.dot (install Graphviz's `dot` program to get a PNG)")
