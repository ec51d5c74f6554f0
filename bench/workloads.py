"""The benchmark workloads. Each is written once as a function of the framework module ``m``
(``flambeau`` or ``torch``) and returns a zero-argument callable: the thing that is timed.

``PER_OP`` workloads are timed per call (µs/op); ``LOOPS`` are timed once per call (s).
"""


def _pair(m, requires_grad=False, n=10):
    a = m.arange(n * n, dtype=m.float32).reshape(n, n).div(n * n).requires_grad_(requires_grad)
    b = m.arange(n * n, 0, -1, dtype=m.float32).reshape(n, n).div(n * n) \
        .requires_grad_(requires_grad)
    return a, b


# -- per-op overhead on 10x10 float32 -------------------------------------------------------
def add(m):
    a, b = _pair(m)
    return lambda: a + b


def mul(m):
    a, b = _pair(m)
    return lambda: a * b


def matmul(m):
    a, b = _pair(m)
    return lambda: a @ b


def add_grad(m):
    a, b = _pair(m, True)
    return lambda: a + b


def mul_grad(m):
    a, b = _pair(m, True)
    return lambda: a * b


def matmul_grad(m):
    a, b = _pair(m, True)
    return lambda: a @ b


def mul_scalar(m):
    a, _ = _pair(m)
    return lambda: a * 2.0


def index(m):
    a, _ = _pair(m)
    return lambda: a[0]


def sum(m):
    a, _ = _pair(m)
    return lambda: a.sum()


def fwd_bwd(m):
    """Forward + backward of a small graph: ``(a @ b * c + a).sum().backward()`` (5 ops, 5 nodes
    plus 3 leaf accumulations)."""
    a, b = _pair(m, True)
    c = m.ones(10, 10).requires_grad_()

    def step():
        (a @ b * c + a).sum().backward()
    return step


# -- whole training loops --------------------------------------------------------------------
def linreg_loop(m):
    """The tutorials' linear regression, 1000 epochs: 100 points, ``pred = b + w * x``, MSE by
    hand, ``backward()``, manual SGD under ``no_grad``."""
    x = m.arange(100, dtype=m.float32).reshape(100, 1) / 100
    y = 1 + 2 * x + 0.1 * m.sin(x * 37)  # deterministic "noise"
    lr = 0.1

    def loop():
        b = m.tensor([0.5], requires_grad=True)
        w = m.tensor([-0.3], requires_grad=True)
        for epoch in range(1000):
            pred = b + w * x
            loss = ((pred - y) ** 2).mean()
            loss.backward()
            with m.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        return b, w
    return loop


def adam_step(m):
    """5 ``Adam`` steps (weight_decay=0.01) on ~10M float32 parameters (4 tensors of
    1000x2500), gradients fixed; the optimizer's update alone, no forward/backward."""
    n = 1000 * 2500
    params = []
    for k in range(4):
        p = (m.arange(n, dtype=m.float32).reshape(1000, 2500) * (1.0 / n) + k).requires_grad_()
        p.grad = m.sin(p.detach() * 3.0)
        params.append(p)
    opt = m.optim.Adam(params, lr=1e-3, weight_decay=0.01)

    def loop():
        for _ in range(5):
            opt.step()
        return [p.detach().reshape(-1) for p in params]
    return loop


def conv2d_fwd_bwd(m):
    """A small CNN layer, 10 times: ``conv2d`` of a batch of 32 3x32x32 float32 images with 16
    3x3 filters (padding 1, bias), ``relu``, ``sum().backward()`` into the input, weight and bias
    gradients."""
    import importlib
    F = importlib.import_module(m.__name__ + '.nn.functional')
    x = m.sin(m.arange(32 * 3 * 32 * 32, dtype=m.float32).reshape(32, 3, 32, 32) * 0.01)
    x.requires_grad_()
    w = (m.cos(m.arange(16 * 3 * 3 * 3, dtype=m.float32).reshape(16, 3, 3, 3)) * 0.2)
    w.requires_grad_()
    b = (m.arange(16, dtype=m.float32) * 0.01).requires_grad_()

    def loop():
        for _ in range(10):
            x.grad = w.grad = b.grad = None
            F.relu(F.conv2d(x, w, b, padding=1)).sum().backward()
        return [w.grad.reshape(-1), b.grad, x.grad.reshape(-1)]
    return loop


# -- data loading (flambeau.utils.data vs torch.utils.data) ---------------------------------
def tensordataset_loader(m):
    """One epoch of ``DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)`` over
    60 000 x 784 float32 images and int64 labels (938 batches): the sampler, the fetch and the
    collation, nothing else. Returns the number of samples and the sum of the labels seen."""
    import importlib
    data = importlib.import_module(m.__name__ + '.utils.data')
    x = m.arange(60000 * 784, dtype=m.float32).reshape(60000, 784) / (60000 * 784)
    y = m.arange(60000) % 10
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=64, shuffle=True)

    def loop():
        n = total = 0
        for xb, yb in loader:
            n += xb.shape[0]
            total += int(yb.sum())
        return [m.tensor([n]), m.tensor([total])]
    return loop


class _CostlyDataset:
    """2048 samples of a 28x28 "image" put through a costly per-sample transform (30 small
    elementwise ops), with its label."""

    def __init__(self, m):
        self.m = m
        self.base = m.arange(784, dtype=m.float32).reshape(28, 28) / 784

    def __len__(self):
        return 2048

    def __getitem__(self, i):
        x = self.base + (i % 10)
        for _ in range(10):
            x = (x * 0.9).sin() + 0.1
        return x, i % 10


def _transform_loader(m, workers):
    import importlib
    data = importlib.import_module(m.__name__ + '.utils.data')
    kw = {'num_workers': workers, 'multiprocessing_context': 'fork'} if workers else {}
    loader = data.DataLoader(_CostlyDataset(m), batch_size=64, **kw)

    def loop():
        n = total = 0
        for xb, yb in loader:
            n += xb.shape[0]
            total += int(yb.sum())
        return [m.tensor([n]), m.tensor([total])]
    return loop


def transform_loader_w0(m):
    """One epoch (32 batches of 64) of a dataset with a costly per-sample transform, loaded in
    the main process (``num_workers=0``)."""
    return _transform_loader(m, 0)


def transform_loader_w2(m):
    """The same epoch with ``num_workers=2`` ('fork'; the workers start with every epoch)."""
    return _transform_loader(m, 2)


PER_OP = ['add', 'mul', 'matmul', 'add_grad', 'mul_grad', 'matmul_grad', 'mul_scalar', 'index',
          'sum', 'fwd_bwd']
LOOPS = ['linreg_loop', 'adam_step', 'tensordataset_loader', 'transform_loader_w0',
         'transform_loader_w2', 'conv2d_fwd_bwd']


# -- issue 10: models, data loading, big kernels, import time --------------------------------
# Same model, data and hyper-parameters in both frameworks. Parameters get a fixed pattern
# (``_fixed_init``) instead of each framework's random init, so that losses can be compared;
# ``WORK`` gives the work done per call (for throughput: samples/s, GFLOP/s) and ``CEILING``
# a plain-NumPy version of the work where there is one, timed alongside as the ceiling.
def _fixed_init(m, model):
    """Every parameter set to a fixed pattern scaled like a default init (1/sqrt(fan_in));
    normalization layers keep their ones and zeros."""
    with m.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            if 'norm' in name:
                continue
            n = p.numel()
            fan_in = n // p.shape[0] if p.dim() > 1 else p.shape[0]
            pattern = m.sin(m.arange(n, dtype=m.float32) * 0.7 + k).reshape(p.shape)
            p.copy_(pattern * (fan_in ** -0.5))


def _train_step(model, loss_fn, opt, x, y):
    """One training step of ``model`` on the batch ``(x, y)`` as a workload: forward,
    ``loss_fn``, ``zero_grad``, backward, ``opt.step()``; returns the loss (for the warm-up
    comparison)."""
    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return [loss.detach().reshape(1)]
    return step


def _digits(m):
    """scikit-learn's digits (1797 8x8 images, 10 classes) as float32 in [0, 1] and int64
    labels; a fixed random stand-in of the same shape and value range without scikit-learn."""
    import numpy as np
    try:
        from sklearn.datasets import load_digits
        d = load_digits()
        x, y = d.data, d.target
    except ImportError:
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 17, (1797, 64)), rng.integers(0, 10, 1797)
    return m.tensor((x / 16).astype(np.float32)), m.tensor(y.astype(np.int64))


def mlp_digits(m):
    """One epoch of an MLP 64-256-128-10 (ReLU) on the digits: ``DataLoader(batch_size=64,
    shuffle=True)`` (29 batches), ``CrossEntropyLoss``, ``Adam(lr=1e-3)``. Shuffling differs
    between the frameworks, so the results are not compared."""
    data = m.utils.data
    nn = m.nn
    x, y = _digits(m)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    _fixed_init(m, model)
    loss_fn = nn.CrossEntropyLoss()
    opt = m.optim.Adam(model.parameters(), lr=1e-3)

    def epoch():
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return None
    return epoch


def lenet(m):
    """5 training steps of a LeNet-5-style CNN (conv 6@5x5 pad 2, max-pool, conv 16@5x5,
    max-pool, 120-84-10, ReLU) on one batch of 64 1x28x28 images: forward,
    ``CrossEntropyLoss``, backward, ``SGD(lr=0.01, momentum=0.9)`` step."""
    nn = m.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    _fixed_init(m, model)
    x = (m.sin(m.arange(64 * 28 * 28, dtype=m.float32) * 0.37) + 1).reshape(64, 1, 28, 28) / 2
    y = m.arange(64) % 10
    loss_fn = nn.CrossEntropyLoss()
    opt = m.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def loop():
        for _ in range(5):
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return [loss.detach().reshape(1)]
    return loop


def dataloader_60k(m):
    """One pass of ``DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)`` over
    60 000 x 784 float32 images and int64 labels: issue 10's name for the workload of
    ``tensordataset_loader``, reported with its throughput (samples/s)."""
    return tensordataset_loader(m)


def _square(m, n):
    a = m.sin(m.arange(n * n, dtype=m.float32) * 0.001).reshape(n, n)
    b = m.cos(m.arange(n * n, dtype=m.float32) * 0.002).reshape(n, n)
    return a, b


def _matmul(m, n):
    a, b = _square(m, n)
    return lambda: [(a @ b).reshape(-1)]


def _numpy_matmul(n):
    import numpy as np
    i = np.arange(n * n, dtype=np.float32)
    a, b = np.sin(i * 0.001).reshape(n, n), np.cos(i * 0.002).reshape(n, n)
    return lambda: a @ b


def matmul_1024(m):
    """One 1024x1024 @ 1024x1024 float32 matmul (2.1 GFLOP), no grad."""
    return _matmul(m, 1024)


def matmul_2048(m):
    """One 2048x2048 @ 2048x2048 float32 matmul (17.2 GFLOP), no grad."""
    return _matmul(m, 2048)


def conv3x3_64(m):
    """Forward of a 3x3 convolution (padding 1, bias, 32 -> 32 channels) over a batch of 8
    feature maps of 32x64x64 float32 (0.6 GFLOP), no grad."""
    F = m.nn.functional
    x = m.sin(m.arange(8 * 32 * 64 * 64, dtype=m.float32) * 0.01).reshape(8, 32, 64, 64)
    w = m.cos(m.arange(32 * 32 * 9, dtype=m.float32)).reshape(32, 32, 3, 3) * (288 ** -0.5)
    b = m.arange(32, dtype=m.float32) * 0.01
    return lambda: [F.conv2d(x, w, b, padding=1).reshape(-1)]


def import_time(m):
    """``import flambeau`` vs ``import torch`` in a fresh interpreter (a subprocess; the
    interpreter's own start, the same for both, is included). Both load cached bytecode, as
    after a ``pip install``: with ``PYTHONDONTWRITEBYTECODE`` set (as in some dev shells)
    flambeau, run from its source tree, would be compiled on every import while PyTorch reads
    the .pyc files pip wrote, so the children write and read theirs under a temporary
    ``PYTHONPYCACHEPREFIX`` (filled by the warm-up run)."""
    import os
    import subprocess
    import sys
    import tempfile
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ)
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    env.pop('PYTHONDONTWRITEBYTECODE', None)
    env['PYTHONPYCACHEPREFIX'] = os.path.join(tempfile.gettempdir(), 'bench-pycache')
    cmd = [sys.executable, '-c', f'import {m.__name__}']

    def run():
        subprocess.run(cmd, env=env, check=True)
        return None
    return run


def lstm(m):
    """One training step of a 2-layer ``nn.LSTM`` (input 32, hidden 128) over sequences of 50
    steps, batch 64, with a linear head on the last step: forward, ``CrossEntropyLoss``,
    backward, ``Adam(lr=1e-3)`` step."""
    nn = m.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 128, num_layers=2)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out[-1])

    model = Net()
    _fixed_init(m, model)
    x = m.sin(m.arange(50 * 64 * 32, dtype=m.float32) * 0.013).reshape(50, 64, 32)
    y = m.arange(64) % 10
    loss_fn = nn.CrossEntropyLoss()
    opt = m.optim.Adam(model.parameters(), lr=1e-3)

    return _train_step(model, loss_fn, opt, x, y)


def gpt(m):
    """One training step of a 2-layer GPT-style decoder language model: token and positional
    embeddings (vocabulary 256, d=128), 2 pre-norm ``TransformerEncoderLayer`` (4 heads, GELU,
    feed-forward 512, no dropout) under a causal mask, final ``LayerNorm`` and a linear head;
    context 64, batch 32; next-token ``cross_entropy``, backward, ``AdamW(lr=3e-4,
    weight_decay=0.1)`` step."""
    nn = m.nn
    F = m.nn.functional
    vocab, d, ctx, batch = 256, 128, 64, 32

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(ctx, d)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(d, 4, dim_feedforward=4 * d, dropout=0.0,
                                           activation='gelu', batch_first=True, norm_first=True)
                for _ in range(2))
            self.norm_f = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab)
            self.register_buffer('mask', m.triu(m.full((ctx, ctx), float('-inf')), diagonal=1))

        def forward(self, idx):
            t = idx.shape[1]
            h = self.tok(idx) + self.pos(m.arange(t))
            for block in self.blocks:
                h = block(h, src_mask=self.mask[:t, :t])
            return self.head(self.norm_f(h))

    model = GPT()
    _fixed_init(m, model)
    data = (m.arange(batch * (ctx + 1)) * 7919 + 13) % vocab
    data = data.reshape(batch, ctx + 1)
    idx, targets = data[:, :-1], data[:, 1:]
    opt = m.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)

    def step():
        logits = model(idx)
        loss = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        return [loss.detach().reshape(1)]
    return step


def resnet(m):
    """One training step of a small CIFAR-style ResNet on a batch of 32 3x32x32 images: a 3x3
    stem (16 channels), two basic blocks (3x3 convolutions, ``BatchNorm2d``, ReLU, residual
    add; the second with stride 2 to 32 channels and a 1x1 stride-2 shortcut), global average
    pool, linear head; ``CrossEntropyLoss``, backward, ``SGD(lr=0.1, momentum=0.9)`` step, in
    training mode (batch statistics)."""
    nn = m.nn
    F = m.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.norm1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.norm2 = nn.BatchNorm2d(cout)
            self.short_conv = self.short_norm = None
            if stride != 1 or cin != cout:
                self.short_conv = nn.Conv2d(cin, cout, 1, stride, bias=False)
                self.short_norm = nn.BatchNorm2d(cout)

        def forward(self, x):
            out = F.relu(self.norm1(self.conv1(x)))
            out = self.norm2(self.conv2(out))
            short = x if self.short_conv is None else self.short_norm(self.short_conv(x))
            return F.relu(out + short)

    model = nn.Sequential(nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                          Block(16, 16, 1), Block(16, 32, 2), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(32, 10))
    _fixed_init(m, model)
    x = m.sin(m.arange(32 * 3 * 32 * 32, dtype=m.float32) * 0.37).reshape(32, 3, 32, 32)
    y = m.arange(32) % 10
    loss_fn = nn.CrossEntropyLoss()
    opt = m.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    return _train_step(model, loss_fn, opt, x, y)


LOOPS += ['mlp_digits', 'lenet', 'dataloader_60k', 'matmul_1024', 'matmul_2048', 'conv3x3_64',
          'import_time', 'lstm', 'gpt', 'resnet']
# work per call, for the throughput line: (amount, unit of amount per second)
WORK = {
    'mlp_digits': (1797, 'samples/s'),
    'lenet': (5 * 64, 'samples/s'),
    'dataloader_60k': (60000, 'samples/s'),
    'matmul_1024': (2 * 1024 ** 3 / 1e9, 'GFLOP/s'),
    'matmul_2048': (2 * 2048 ** 3 / 1e9, 'GFLOP/s'),
    'conv3x3_64': (2 * 8 * 32 * 64 * 64 * 32 * 9 / 1e9, 'GFLOP/s'),
    'lstm': (64, 'sequences/s'),
    'gpt': (32 * 64, 'tokens/s'),
    'resnet': (32, 'samples/s'),
}
CEILING = {
    'matmul_1024': lambda: _numpy_matmul(1024),
    'matmul_2048': lambda: _numpy_matmul(2048),
}
