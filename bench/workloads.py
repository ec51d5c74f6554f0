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
