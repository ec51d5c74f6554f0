"""Tensor basics and NumPy interop, as in PyTorch's "Tensors" tutorial, with
``import flambeau as torch``.

    python examples/tensor_basics.py

Creating tensors, their attributes (shape, dtype, device), indexing and slicing, joining,
arithmetic and matrix products, in-place operations, type promotion, and moving data between
flambeau and NumPy (``from_numpy`` and ``.numpy()`` share memory; ``torch.tensor`` copies).
``--quick`` is accepted (for the tests) and changes nothing: the script is instant.
"""
import argparse

import numpy as np

import flambeau as torch

parser = argparse.ArgumentParser(description='Tensor basics and NumPy interop.')
parser.add_argument('--quick', action='store_true', help='accepted for the tests; no effect')
parser.add_argument('--device', default='cpu', help="where to put the tensors ('cpu', 'cuda')")
args = parser.parse_args()
device = torch.device(args.device)

# -- creating tensors ----------------------------------------------------------------------------
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)                  # from Python lists: dtype inferred (int64)
x_ones = torch.ones_like(x_data)             # same shape and dtype
x_rand = torch.rand_like(x_data, dtype=torch.float)
print(f'x_data:\n{x_data}\n')
print(f'ones_like:\n{x_ones}\n')
print(f'rand_like (float32) has shape {tuple(x_rand.shape)}\n')

shape = (2, 3)
print('zeros:', torch.zeros(shape), sep='\n')
print('arange:', torch.arange(0, 10, 2))
print('linspace:', torch.linspace(0, 1, steps=5))
print('eye:', torch.eye(2), sep='\n')

# -- attributes ----------------------------------------------------------------------------------
t = torch.rand(3, 4, device=device)
print(f'\nshape {t.shape}, dtype {t.dtype}, device {t.device}, {t.ndim} dims, {t.numel()} elements')

# -- indexing, slicing, joining ------------------------------------------------------------------
t = torch.arange(16.).reshape(4, 4)
print('\nfirst row:   ', t[0])
print('first column:', t[:, 0])
print('last column: ', t[..., -1])
t[:, 1] = 0                                  # assignment through an index writes in place
print(t)
print('rows where column 0 > 5:', t[t[:, 0] > 5], sep='\n')
print('cat along dim 1 has shape', torch.cat([t, t, t], dim=1).shape)
print('stack has shape', torch.stack([t, t]).shape)

# -- arithmetic ----------------------------------------------------------------------------------
y1 = t @ t.T                                 # matrix product, three spellings
y2 = t.matmul(t.T)
y3 = torch.empty_like(y1)
torch.matmul(t, t.T, out=y3)
assert torch.equal(y1, y2) and torch.equal(y1, y3)
z1 = t * t                                   # elementwise product, two spellings
z2 = t.mul(t)
assert torch.equal(z1, z2)
agg = t.sum()
print('\nsum:', agg, '-> Python number', agg.item())
print('mean of each column:', t.mean(dim=0))
print('max and argmax of each row:', t.max(dim=1))

# in-place operations end in an underscore
t.add_(5)
print('after add_(5):', t, sep='\n')

# broadcasting and type promotion follow PyTorch's rules
a = torch.tensor([1, 2, 3])                  # int64
b = torch.tensor([[0.5], [1.5]])             # float32, shape (2, 1)
print('\nint64 + float32 ->', (a + b).dtype, 'shape', tuple((a + b).shape))
print('int64 / int64 ->', (a / a).dtype, '(true division gives floats)')
print('int64 // 2 ->', a // 2)

# -- NumPy interop -------------------------------------------------------------------------------
n = np.ones(5)
t = torch.from_numpy(n)                      # shares memory with n
np.add(n, 1, out=n)
print(f'\nfrom_numpy shares memory: t = {t}')
back = t.numpy()                             # and .numpy() shares it back
t.mul_(2)
print(f'.numpy() shares memory: {back}')
copy = torch.tensor(n)                       # torch.tensor copies
n[0] = -1
print(f'torch.tensor copies: {copy}')
print('float64 NumPy array -> tensor dtype', torch.from_numpy(np.zeros(2)).dtype)
print('NumPy scalar math works too:', torch.tensor([1., 2.]) * np.float32(3))

# a tensor on a GPU must come back to the CPU before .numpy()
g = torch.arange(3., device=device)
print('from', g.device, 'to NumPy:', g.cpu().numpy())
