"""flambeau's first demo: linear regression by hand with autograd, written exactly as a PyTorch
tutorial writes it, with ``import flambeau as torch``."""
import flambeau as torch

torch.manual_seed(0)
# y = 2 x - 1 plus a little noise
x = torch.linspace(-1, 1, 100)
y = 2 * x - 1 + 0.1 * torch.randn(100)

w = torch.zeros(1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.1
for epoch in range(200):
    pred = b + w * x
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 50 == 0:
        print(f'epoch {epoch:3d}  loss {loss.item():.4f}')

print('w =', w)
print('b =', b)
print('final loss:', loss)
