"""Linear regression three ways, checked against scikit-learn's ``LinearRegression``.

1. by hand with NumPy: the gradient of the mean squared error written out;
2. with flambeau's autograd: ``loss.backward()`` and updates under ``torch.no_grad()``;
3. with ``nn.Linear``, ``optim.SGD`` and ``nn.MSELoss``.

All three fit the same data (three features, known weights plus noise) by full-batch gradient
descent from zero, and must land on the least-squares solution that scikit-learn computes in
closed form (``pip install scikit-learn``; without it the closed form comes from NumPy's
``lstsq``).

    python examples/linear_regression.py [--steps N] [--quick]
"""
import argparse

import numpy as np

import flambeau as torch
from flambeau import nn

parser = argparse.ArgumentParser(description='Linear regression three ways.')
parser.add_argument('--steps', type=int, default=500, help='gradient-descent steps')
parser.add_argument('--lr', type=float, default=0.1)
parser.add_argument('--quick', action='store_true', help='accepted for the tests (same run)')
args = parser.parse_args()

# -- data: y = X w + b + noise ---------------------------------------------------------------------
rng = np.random.default_rng(0)
n, d = 200, 3
true_w, true_b = np.array([2.0, -3.4, 0.5]), 4.2
X = rng.normal(size=(n, d))
y = X @ true_w + true_b + 0.1 * rng.normal(size=n)

# -- the reference: ordinary least squares in closed form ------------------------------------
try:
    from sklearn.linear_model import LinearRegression
except ImportError:
    A = np.hstack([X, np.ones((n, 1))])
    sol = np.linalg.lstsq(A, y, rcond=None)[0]
    ref_w, ref_b, ref_name = sol[:d], sol[d], 'numpy.linalg.lstsq'
else:
    ols = LinearRegression().fit(X, y)
    ref_w, ref_b, ref_name = ols.coef_, ols.intercept_, 'sklearn LinearRegression'


def report(name, w, b):
    w, b = np.asarray(w, dtype=np.float64).ravel(), float(b)
    err = max(np.abs(w - ref_w).max(), abs(b - ref_b))
    print(f'{name:32s} w = {np.array2string(w, precision=4)}  b = {b:.4f}  '
          f'(max diff from {ref_name}: {err:.1e})')
    assert err < 1e-3, f'{name} did not converge to the least-squares solution'


print(f'true parameters                  w = {true_w}  b = {true_b}')
report(ref_name, ref_w, ref_b)

# -- 1. by hand with NumPy -----------------------------------------------------------------------
w, b = np.zeros(d), 0.0
for _ in range(args.steps):
    err = X @ w + b - y                  # d(mean(err^2))/dw = 2 X^T err / n
    w -= args.lr * 2 * X.T @ err / n
    b -= args.lr * 2 * err.mean()
report('1. NumPy, gradient by hand', w, b)

# -- 2. autograd, updates under no_grad ----------------------------------------------------------
Xt = torch.tensor(X, dtype=torch.float32)
yt = torch.tensor(y, dtype=torch.float32)
w = torch.zeros(d, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for _ in range(args.steps):
    loss = ((Xt @ w + b - yt) ** 2).mean()
    loss.backward()
    with torch.no_grad():                # the update itself must not be recorded
        w -= args.lr * w.grad
        b -= args.lr * b.grad
        w.grad.zero_()                   # gradients accumulate: reset them every step
        b.grad.zero_()
report('2. autograd + no_grad updates', w.detach().numpy(), b.item())

# -- 3. nn.Linear + optim.SGD + MSELoss ----------------------------------------------------------
model = nn.Linear(d, 1)
with torch.no_grad():
    model.weight.zero_()
    model.bias.zero_()
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
for step in range(args.steps):
    loss = loss_fn(model(Xt), yt.unsqueeze(1))   # (n, 1) against (n, 1)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % (args.steps // 5) == 0:
        print(f'   step {step:4d}  MSE {loss.item():.5f}')
report('3. nn.Linear + SGD + MSELoss', model.weight.detach().numpy(), model.bias.item())
print(model)
