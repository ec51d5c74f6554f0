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


PER_OP = ['add', 'mul', 'matmul', 'add_grad', 'mul_grad', 'matmul_grad', 'mul_scalar', 'index',
          'sum', 'fwd_bwd']
LOOPS = ['linreg_loop', 'adam_step']
