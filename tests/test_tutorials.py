"""PyTorch's own beginner tutorials, run as programs: each program starts with ``import torch``
and is run twice, once with PyTorch and once with ``flambeau`` standing in for ``torch`` (an
alias in ``sys.modules`` while the program runs); their stdout must be identical.

Sources:

* "Tensors" (https://pytorch.org/tutorials/beginner/basics/tensorqs_tutorial.html): ``tq_*``.
* "Automatic Differentiation with torch.autograd"
  (https://pytorch.org/tutorials/beginner/basics/autogradqs_tutorial.html): ``ag_*``.
* The blocks of the notes in ``shared/seeds/`` (``seedNNN_*``); those with ``DataLoader``,
  model training from random weights or sklearn are not here yet.

Each program is the tutorial block plus the lines of earlier blocks it needs (marked
``# setup``). Changes are marked in a comment on (or just above) the changed line:

* ``# changed: was ...``: flambeau's random streams are not PyTorch's (a documented
  difference), so a random tensor whose values get printed is replaced by deterministic data
  of the same shape and dtype; everything else of the block is kept.
* ``# added``: a ``print`` of a value the block computes but does not show (a notebook would
  have displayed it), so that the comparison covers it.

Memory addresses (``<AddBackward0 object at 0x7f...>``) are masked before comparing.
"""
import contextlib
import io
import re
import sys
import textwrap
import warnings

import pytest

torch = pytest.importorskip('torch')
import flambeau  # noqa: E402

PROGRAMS = {}


def program(name, source):
    PROGRAMS[name] = textwrap.dedent(source).strip() + '\n'


# ==== "Tensors" tutorial =====================================================================
program('tq_init_from_data', '''
    import torch
    import numpy as np

    data = [[1, 2],[3, 4]]
    x_data = torch.tensor(data)
    print(x_data)  # added

    np_array = np.array(data)
    x_np = torch.from_numpy(np_array)
    print(x_np)  # added
''')

program('tq_from_another_tensor', '''
    import torch
    data = [[1, 2],[3, 4]]  # setup
    x_data = torch.tensor(data)  # setup

    x_ones = torch.ones_like(x_data) # retains the properties of x_data
    print(f"Ones Tensor: \\n {x_ones} \\n")

    # changed: was torch.rand_like(x_data, dtype=torch.float)
    x_rand = torch.arange(1, 5).reshape(2, 2) / 7
    print(f"Random Tensor: \\n {x_rand} \\n")
    r = torch.rand_like(x_data, dtype=torch.float)  # added: the call itself, values not shown
    print(r.dtype, r.shape, bool(r.min() >= 0), bool(r.max() < 1))  # added
''')

program('tq_random_constant', '''
    import torch
    shape = (2,3,)
    rand_tensor = torch.arange(6).reshape(shape) / 7  # changed: was torch.rand(shape)
    ones_tensor = torch.ones(shape)
    zeros_tensor = torch.zeros(shape)

    print(f"Random Tensor: \\n {rand_tensor} \\n")
    print(f"Ones Tensor: \\n {ones_tensor} \\n")
    print(f"Zeros Tensor: \\n {zeros_tensor}")
    print(torch.rand(shape).shape)  # added: the original call, values not shown
''')

program('tq_attributes', '''
    import torch
    tensor = torch.rand(3,4)

    print(f"Shape of tensor: {tensor.shape}")
    print(f"Datatype of tensor: {tensor.dtype}")
    print(f"Device tensor is stored on: {tensor.device}")
''')

program('tq_to_gpu', '''
    import torch
    tensor = torch.rand(3,4)  # setup
    # We move our tensor to the GPU if available, and if the cuda version is supported
    if torch.cuda.is_available() & (torch.device('cuda').index is not None):
        tensor = tensor.to('cuda')
    print(tensor.device)  # added
''')

program('tq_indexing', '''
    import torch
    tensor = torch.ones(4, 4)
    print('First row: ', tensor[0])
    print('First column: ', tensor[:, 0])
    print('Last column:', tensor[..., -1])
    tensor[:,1] = 0
    print(tensor)
''')

program('tq_cat', '''
    import torch
    tensor = torch.ones(4, 4)  # setup
    tensor[:,1] = 0  # setup
    t1 = torch.cat([tensor, tensor, tensor], dim=1)
    print(t1)
''')

program('tq_arithmetic', '''
    import torch
    tensor = torch.ones(4, 4)  # setup
    tensor[:,1] = 0  # setup

    # This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
    y1 = tensor @ tensor.T
    y2 = tensor.matmul(tensor.T)

    y3 = torch.rand_like(tensor)
    torch.matmul(tensor, tensor.T, out=y3)
    print(y1, y2, y3, sep='\\n')  # added

    # This computes the element-wise product. z1, z2, z3 will have the same value
    z1 = tensor * tensor
    z2 = tensor.mul(tensor)

    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    print(z1, z2, z3, sep='\\n')  # added
''')

program('tq_single_element', '''
    import torch
    tensor = torch.ones(4, 4)  # setup
    tensor[:,1] = 0  # setup
    agg = tensor.sum()
    agg_item = agg.item()
    print(agg_item, type(agg_item))
''')

program('tq_inplace', '''
    import torch
    tensor = torch.ones(4, 4)  # setup
    tensor[:,1] = 0  # setup
    print(tensor, "\\n")
    tensor.add_(5)
    print(tensor)
''')

program('tq_tensor_to_numpy', '''
    import torch
    t = torch.ones(5)
    print(f"t: {t}")
    n = t.numpy()
    print(f"n: {n}")

    t.add_(1)
    print(f"t: {t}")
    print(f"n: {n}")
''')

program('tq_numpy_to_tensor', '''
    import torch
    import numpy as np
    n = np.ones(5)
    t = torch.from_numpy(n)

    np.add(n, 1, out=n)
    print(f"t: {t}")
    print(f"n: {n}")
''')

# ==== "Automatic Differentiation with torch.autograd" tutorial ===============================
# The tutorial's loss is torch.nn.functional.binary_cross_entropy_with_logits(z, y); flambeau
# has no ``nn`` yet, so these programs spell the same loss out with tensor ops (the grad_fn
# printed for ``loss`` is then that of ``mean``).
_AG_SETUP = '''
    import torch

    x = torch.ones(5)  # input tensor
    y = torch.zeros(3)  # expected output
    # changed: was torch.randn(5, 3, requires_grad=True)
    w = (torch.arange(15.) / 10 - 0.7).reshape(5, 3).requires_grad_()
    # changed: was torch.randn(3, requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    # changed: was torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss = (z.clamp(min=0) - z * y + torch.log(1 + torch.exp(-z.abs()))).mean()
'''

program('ag_graph', _AG_SETUP + '''
    print(f"Gradient function for z = {z.grad_fn}")
    print(f"Gradient function for loss = {loss.grad_fn}")
''')

program('ag_gradients', _AG_SETUP + '''
    loss.backward()
    print(w.grad)
    print(b.grad)
''')

program('ag_no_grad', _AG_SETUP + '''
    z = torch.matmul(x, w)+b
    print(z.requires_grad)

    with torch.no_grad():
        z = torch.matmul(x, w)+b
    print(z.requires_grad)
''')

program('ag_detach', _AG_SETUP + '''
    z = torch.matmul(x, w)+b
    z_det = z.detach()
    print(z_det.requires_grad)
''')

program('ag_jacobian_product', '''
    import torch
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp+1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"First call\\n{inp.grad}")
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\\nSecond call\\n{inp.grad}")
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    print(f"\\nCall after zeroing gradients\\n{inp.grad}")
''')

# ==== shared/seeds/000: rubikscode "PyTorch for beginners" ===================================
_SEED0_DATA = '''
    import torch
    import numpy as np
    inputs = np.array([[73, 67, 43],
                       [91, 88, 64],
                       [87, 134, 58],
                       [102, 43, 37],
                       [69, 96, 70]], dtype='float32')  # changed: typographic quotes

    outputs = np.array([[56, 70],
                        [81, 101],
                        [119, 133],
                        [22, 37],
                        [103, 119]], dtype='float32')  # changed: typographic quotes

    inputs = torch.from_numpy(inputs)
    outputs = torch.from_numpy(outputs)
'''

program('seed000_from_numpy', _SEED0_DATA + '''
    print(inputs, outputs, sep='\\n')  # added
''')

_SEED0_MODEL = _SEED0_DATA + '''
    # Weights with few binary digits keep float32 products and sums exact: BLAS and PyTorch
    # may round in different orders, which would show in the printed digits.
    # changed: was torch.randn(2, 3, requires_grad=True)
    w = torch.tensor([[0.25, -0.5, 0.5], [-0.5, 0.75, 0.125]], requires_grad=True)
    # changed: was torch.randn(2, requires_grad=True)
    b = torch.tensor([0.5, -1.0], requires_grad=True)

    def model(x):
        return x @ w.t() + b

    def mse(pred, real):
        difference = pred - real
        return torch.sum(difference * difference) / difference.numel()
'''

program('seed000_model', _SEED0_MODEL + '''
    print(model(inputs))  # added
    print(mse(model(inputs), outputs))  # added
''')

# Left out: the training loop of seeds/000 (``for i in range(200): ... print(f'Epoch: {i} -
# Loss: {loss}') ...``). PyTorch formats a 0-d tensor in an f-string as its Python number
# (``Epoch: 0 - Loss: 4052.610595703125``), flambeau as its repr (``tensor(4052.6108,
# grad_fn=<DivBackward0>)``): Tensor.__format__ in flambeau/tensor.py, reported. Even then, 200
# SGD steps printed to full float precision are at the mercy of BLAS rounding order.


# ==== shared/seeds/001: notes on the "Learn the Basics" tutorials ============================
program('seed001_attributes', '''
    import torch
    tensor = torch.arange(12.).reshape(3, 4)  # setup
    print(tensor.shape) # tuple of (rows, columns)  (print added)
    print(tensor.dtype)  # (print added)
    print(tensor.device) # which device it is stored on  (print added)
''')

program('seed001_operations', '''
    import torch
    tensor = torch.arange(16.).reshape(4, 4) - 5  # setup
    tensor1 = torch.ones(4, 4) * 0.5  # setup
    # Matrix Multiplication
    print(tensor @ tensor1)  # (print added)
    print(tensor.matmul(tensor1))  # (print added)

    # Element-wise multiplication
    print(tensor * tensor)  # (print added)
    print(tensor.mul(tensor))  # (print added)
''')

# ==== shared/seeds/002: notes on a tensor/autograd course ====================================
program('seed002_intro', '''
    import torch
    x = torch.empty(1)
    x = torch.rand(3,3)
    x = torch.zeros(2,3)
    x = torch.ones(2,5, dtype=torch.int8)
    print(x.dtype)
    print(x.size())

    # Basic operations
    x = torch.rand(2,2)
    y = torch.rand(2,2)
    z = x * y #element-wise operation
    y.add_(x) #inplace operation

    #Slicing
    x = torch.rand(5,3)
    print(x[:,0].shape) #first row torch.Size([5])  (print of the shape added)
    print(x[0,:].shape) #first col torch.Size([3])  (print of the shape added)
    print(x[:, :1].shape) #first row of 2d tensor, torch.Size([5, 1])  (print of the shape added)
    print(x[:1, :].shape) #first col of 2d tensor, torch.Size([1, 3])  (print of the shape added)
    print(type(x[1,1].item())) #second row second col actual value access  (print of the type added)

    #Reshape
    x = torch.rand(3,4)
    print(x.view(4,3).shape)  # (print of the shape added)
    print(x.view(-1,6).shape)  # (print of the shape added)
''')

program('seed002_autograd', '''
    import torch
    # changed: was torch.randn(3, requires_grad=True)
    x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = x + 2
    z = 2 * y * y
    z.backward(torch.tensor([0.01, 0.01, 0.02], dtype=torch.float32))
    print(x.grad)
    x.requires_grad_(False) # or True
    print(x.requires_grad)  # added
''')

program('seed002_backprop', '''
    import torch
    x = torch.tensor(1.0)
    y = torch.tensor(2.0)
    w = torch.tensor(1.0, requires_grad=True)
    y_hat = w*x
    loss = (y_hat - y)**2
    loss.backward()
    print(w.grad) #-2  (print added)
''')

# ==== shared/seeds/003: notes on freeCodeCamp's "PyTorch for Deep Learning" ==================
program('seed003_gradients', '''
    import torch
    # Create tensors.
    x = torch.tensor(3.)
    w = torch.tensor(4., requires_grad=True)
    b = torch.tensor(5., requires_grad=True)

    y = w * x + b

    # Compute derivatives
    y.backward()

    # Derivatives are then stored in the grad attribute of the tensors
    print('dy/dx:', x.grad)
    print('dy/dw:', w.grad)
    print('dy/db:', b.grad)
''')

program('seed003_numpy_interop', '''
    import torch
    import numpy as np
    x_np = np.array([[1, 2], [3, 4.]])  # setup
    y = torch.tensor([[5., 6.], [7., 8.]])  # setup
    # Numpy -> Torch
    y_torch = torch.from_numpy(x_np)
    print(y_torch)  # added

    # Torch -> Numpy
    x_np = y.numpy()
    print(repr(x_np))  # added
''')

# Left out of seeds/003 "Other operations": ``torch.sum(t1, t2)`` (PyTorch raises TypeError,
# flambeau IndexError: reported as a bug), so the program stops before it.
program('seed003_other_operations', '''
    import torch
    # Random tensors
    # changed: was torch.randn(2, 3, requires_grad=True) # 2 rows, 3 cols
    w = (torch.arange(6.) / 4 - 0.5).reshape(2, 3).requires_grad_()
    # changed: was torch.randn(2, requires_grad=True)
    b = torch.tensor([0.25, -0.75], requires_grad=True)
    t1 = torch.arange(6.).reshape(3, 2)  # setup
    x = torch.tensor([[1., 2.], [3., 4.]])  # setup

    # Number of elements
    print(t1.numel())  # (print added)

    # Tensor transpose
    transpose = w.t()
    print(transpose)  # added

    # Matrix multiplication
    mul = x @ w
    print(mul)  # added
''')

# ==== shared/seeds/004: "Understanding PyTorch with an example" ==============================
_SEED4_DATA = '''
    import torch
    import numpy as np
    true_b = 1
    true_w = 2
    N = 100

    # Data Generation
    np.random.seed(42)
    x = np.random.rand(N, 1)
    epsilon = (.1 * np.random.randn(N, 1))
    y = true_b + true_w * x + epsilon

    idx = np.arange(N)
    np.random.shuffle(idx)

    # Uses first 80 random indices for train
    train_idx = idx[:int(N*.8)]
    # Uses the remaining indices for validation
    val_idx = idx[int(N*.8):]

    # Generates train and validation sets
    x_train, y_train = x[train_idx], y[train_idx]
    x_val, y_val = x[val_idx], y[val_idx]
'''

program('seed004_tensors', '''
    import torch
    scalar = torch.tensor(3.14159)
    vector = torch.tensor([1, 2, 3])
    matrix = torch.ones((2, 3), dtype=torch.float)
    # changed: was torch.randn((2, 3, 4), dtype=torch.float)
    tensor = (torch.arange(24, dtype=torch.float) / 5 - 2.3).reshape((2, 3, 4))

    print(scalar)
    print(vector)
    print(matrix)
    print(tensor)

    print(tensor.size(), tensor.shape)
    print(scalar.size(), scalar.shape)
    # added: the original call, values not shown
    print(torch.randn((2, 3, 4), dtype=torch.float).dtype)
''')

program('seed004_view', '''
    import torch
    matrix = torch.ones((2, 3), dtype=torch.float)  # setup
    # We get a tensor with a different shape but it still is
    # the SAME tensor
    same_matrix = matrix.view(1, 6)
    # If we change one of its elements...
    same_matrix[0, 1] = 2.
    # It changes both variables: matrix and same_matrix
    print(matrix)
    print(same_matrix)

    another_matrix = matrix.view(1, 6).clone().detach()
    another_matrix[0, 0] = 5.  # added
    print(another_matrix, matrix, sep='\\n')  # added
''')

program('seed004_loading_data', _SEED4_DATA + '''
    x_train_tensor = torch.as_tensor(x_train)
    print((x_train.dtype, x_train_tensor.dtype))  # (print added)

    float_tensor = x_train_tensor.float()
    print(float_tensor.dtype)  # (print added)

    dummy_tensor = torch.tensor([[1.5, 2.5], [3.5, 4.5]])  # setup
    print(repr(dummy_tensor.numpy()))  # (print added)
''')

program('seed004_device', _SEED4_DATA + '''
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(device)  # added

    n_cudas = torch.cuda.device_count()
    for i in range(n_cudas):
        print(torch.cuda.get_device_name(i))

    gpu_tensor = torch.as_tensor(x_train).to(device)
    print(gpu_tensor[0])  # (print added)

    # Left out: the block ``x_train_tensor = ...; y_train_tensor = ...; print(type(x_train),
    # type(x_train_tensor), x_train_tensor.type())``: type(x_train_tensor) prints
    # <class 'torch.Tensor'> in PyTorch, <class 'flambeau.tensor.Tensor'> in flambeau (reported).
    x_train_tensor = torch.as_tensor(x_train).float().to(device)  # setup
    y_train_tensor = torch.as_tensor(y_train).float().to(device)  # setup
    print(x_train_tensor.type())  # added: the rest of that block's print

    back_to_numpy = x_train_tensor.cpu().numpy()
    print(repr(back_to_numpy[:3]))  # added
''')

_SEED4_TENSORS = _SEED4_DATA + '''
    device = 'cuda' if torch.cuda.is_available() else 'cpu'  # setup
    x_train_tensor = torch.as_tensor(x_train).float().to(device)  # setup
    y_train_tensor = torch.as_tensor(y_train).float().to(device)  # setup
'''

program('seed004_parameters', _SEED4_TENSORS + '''
    torch.manual_seed(42)
    # changed: was torch.randn(...)
    b = torch.zeros(1, requires_grad=True, dtype=torch.float, device=device)
    # changed: was torch.randn(1, ...)
    w = torch.full((1,), 0.5, requires_grad=True, dtype=torch.float, device=device)
    print(b, w)
''')

_SEED4_PARAMS = _SEED4_TENSORS + '''
    torch.manual_seed(42)  # setup
    # setup (randn in the notes)
    b = torch.zeros(1, requires_grad=True, dtype=torch.float, device=device)
    # setup (randn in the notes)
    w = torch.full((1,), 0.5, requires_grad=True, dtype=torch.float, device=device)
'''

program('seed004_autograd', _SEED4_PARAMS + '''
    yhat = b + w * x_train_tensor

    error = (yhat - y_train_tensor)
    loss = (error ** 2).mean()

    loss.backward()

    print(error.requires_grad, yhat.requires_grad, b.requires_grad, w.requires_grad)
    print(y_train_tensor.requires_grad, x_train_tensor.requires_grad)
    print(b.grad, w.grad)

    print((b.grad.zero_(), w.grad.zero_()))  # (print added)
''')

program('seed004_update_parameters', _SEED4_TENSORS + '''
    # Sets learning rate - this is "eta" ~ the "n"-like Greek letter
    lr = 0.1

    # Step 0 - Initializes parameters "b" and "w" randomly
    torch.manual_seed(42)
    b = torch.zeros(1, requires_grad=True, \\
                    dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)
    w = torch.full((1,), 0.5, requires_grad=True, \\
                   dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)

    # Defines number of epochs
    n_epochs = 1000

    for epoch in range(n_epochs):
        # Step 1 - Computes model's predicted output - forward pass
        yhat = b + w * x_train_tensor

        # Step 2 - Computes the loss
        error = (yhat - y_train_tensor)
        # It is a regression, so it computes mean squared error (MSE)
        loss = (error ** 2).mean()

        # Step 3 - Computes gradients for both "b" and "w" parameters
        loss.backward()

        # THIRD ATTEMPT - NO_GRAD for the win!
        with torch.no_grad():
            b -= lr * b.grad
            w -= lr * w.grad

        b.grad.zero_()
        w.grad.zero_()

    print(b, w)
    loss_np = loss.detach().cpu().numpy()
    # (print added)
    print(type(loss_np).__name__, loss_np.dtype, loss_np.shape, round(float(loss_np), 5))
    # added (exact digits: seed004_item_tolist)
    print(round(loss.item(), 5), round(loss.tolist(), 5))
''')

program('seed004_first_attempts', _SEED4_PARAMS + '''
    lr = 0.1
    yhat = b + w * x_train_tensor
    loss = ((yhat - y_train_tensor) ** 2).mean()
    loss.backward()
    # FIRST ATTEMPT - just using the same code as before
    # AttributeError: 'NoneType' object has no attribute 'zero_'
    b2 = b - lr * b.grad
    try:  # added
        b2.grad.zero_()
    except AttributeError as e:  # added
        print(type(e).__name__, e)  # added

    # SECOND ATTEMPT - using in-place Python assigment
    # RuntimeError: a leaf Variable that requires grad
    # has been used in an in-place operation.
    try:  # added
        b -= lr * b.grad
    except RuntimeError as e:  # added
        print(type(e).__name__, e)  # added
''')

program('seed004_optimizer', _SEED4_TENSORS + '''
    import torch.optim as optim  # setup (the notes' first block)
    # Sets learning rate - this is "eta" ~ the "n"-like Greek letter
    lr = 0.1

    # Step 0 - Initializes parameters "b" and "w" randomly
    torch.manual_seed(42)
    b = torch.zeros(1, requires_grad=True, \\
                    dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)
    w = torch.full((1,), 0.5, requires_grad=True, \\
                   dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)

    # Defines a SGD optimizer to update the parameters
    optimizer = optim.SGD([b, w], lr=lr)
    print(optimizer)  # added

    # Defines number of epochs
    n_epochs = 1000

    for epoch in range(n_epochs):
        yhat = b + w * x_train_tensor
        error = (yhat - y_train_tensor)
        loss = (error ** 2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    print(b, w)
''')

program('seed004_loss_fn', '''
    import torch
    import torch.nn as nn  # setup (the notes' first block)
    loss_fn = nn.MSELoss(reduction='mean')
    print(loss_fn)  # (print added)
    predictions = torch.tensor([0.5, 1.0])
    labels = torch.tensor([2.0, 1.3])
    print(loss_fn(predictions, labels))  # (print added)
''')

program('seed004_optimizer_loss_fn', _SEED4_TENSORS + '''
    import torch.nn as nn  # setup
    import torch.optim as optim  # setup
    lr = 0.1

    torch.manual_seed(42)
    b = torch.zeros(1, requires_grad=True, \\
                    dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)
    w = torch.full((1,), 0.5, requires_grad=True, \\
                   dtype=torch.float, device=device)  # changed: was torch.randn(1, ...)

    optimizer = optim.SGD([b, w], lr=lr)

    # Defines a MSE loss function
    loss_fn = nn.MSELoss(reduction='mean')

    n_epochs = 1000

    for epoch in range(n_epochs):
        yhat = b + w * x_train_tensor
        loss = loss_fn(yhat, y_train_tensor)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    print(b, w)
    print(round(loss.item(), 5))  # added
''')

program('seed004_item_tolist', '''
    import torch
    loss = torch.tensor(0.25) * torch.tensor(0.125)  # setup
    print(loss.item(), loss.tolist())
    v = torch.tensor([0.1, 0.2, 0.7])  # added
    print(v.sum().item(), v.tolist(), (v * 3).tolist())  # added
''')


# ==== the test ===============================================================================
_ADDRESS = re.compile(r'0x[0-9a-fA-F]+')


def run_program(source, module, name):
    """Run ``source`` with ``module`` imported as ``torch``; return its stdout."""
    aliases = {'torch': module}
    if module is not torch:  # `import torch.nn as nn` must find flambeau.nn: alias its submodules
        prefix = module.__name__ + '.'
        aliases.update({'torch.' + k[len(prefix):]: v for k, v in list(sys.modules.items())
                        if k.startswith(prefix)})
    saved = {k: sys.modules.get(k) for k in aliases}
    sys.modules.update(aliases)
    out = io.StringIO()
    namespace = {'__name__': '__main__'}
    try:
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            exec(compile(source, f'<{name}>', 'exec'), namespace)
    finally:
        for k, v in saved.items():
            if v is None:
                del sys.modules[k]
            else:
                sys.modules[k] = v
    assert namespace['torch'] is module
    if module is not torch:  # no real torch submodule slipped in
        import types
        stray = [k for k, v in namespace.items()
                 if isinstance(v, types.ModuleType) and v.__name__.startswith('torch')]
        assert not stray, f'{name}: torch modules imported under flambeau: {stray}'
    return _ADDRESS.sub('0x...', out.getvalue())


@pytest.mark.parametrize('name', list(PROGRAMS))
def test_tutorial_program(name):
    source = PROGRAMS[name]
    assert 'import torch' in source.splitlines()[0]
    expected = run_program(source, torch, name)
    actual = run_program(source, flambeau, name)
    assert actual == expected
