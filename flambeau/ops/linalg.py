"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``mv``, ``dot``, with derivatives.

All go to one BLAS call through the backend's ``matmul``; the gradient of a broadcast batch
product is summed back to each input's shape.
"""
__all__ = ['bmm', 'dot', 'matmul', 'mm', 'mv']
import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, record, state

_bool = _dt.bool


def _type_title(d):
    from .pointwise import _TITLES
    return _TITLES[d.name]


_KERNELS = {'dot': 'dot', 'mm': 'addmm_impl_cpu_', 'bmm': 'bmm', 'mv': 'addmv_impl_cpu'}


def _check_same(a, b, what):
    if a._dtype is not b._dtype:
        raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                           f'{_c_name(a._dtype)} != {_c_name(b._dtype)}')
    if a._dtype is _bool:
        from ._common import not_implemented
        if what == 'matmul':
            what = 'dot' if a.ndim == b.ndim == 1 else 'mv' if a.ndim == 2 and b.ndim == 1 \
                else 'bmm' if a.ndim == b.ndim == 3 else 'mm'
        if what == 'dot' or a._data.size and b._data.size:  # no kernel runs on empty operands
            raise not_implemented(_KERNELS[what], _bool)
    if a._device is not b._device:
        from ._common import device_mismatch
        raise device_mismatch(a, b)


_C_NAMES = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half',
            'bfloat16': 'c10::BFloat16', 'int64': 'long int', 'int32': 'int', 'int16': 'short int',
            'int8': 'signed char', 'uint8': 'unsigned char', 'bool': 'bool'}


def _c_name(d):
    return _C_NAMES[d.name]


class MatmulBackward(Node):
    """d(a @ b) = (g @ b^T, a^T @ g), with 1-d operands promoted to matrices and broadcast
    batch dims summed back. ``label`` is the name, or for ``matmul`` the operands' layouts
    the name is worked out from when asked for (``_matmul_label``)."""
    __slots__ = ('label',)

    def name(self):
        label = self.label
        return label if type(label) is str else _matmul_label(*label)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = gb = None
        need_a, need_b = self.next_functions[0][0] is not None, self.next_functions[1][0] is not None
        x, y = a._data, b._data
        if not state.enabled and x.ndim == 2 and y.ndim == 2 and g._dtype is a._dtype:
            # matrices, no graph to record: two GEMMs on the arrays, no Tensor-op overhead
            gd = g._data
            if need_a:
                ga = make(_fix(gd @ y.T, x.dtype), a._dtype, a._device)
            if need_b:
                gb = make(_fix(x.T @ gd, x.dtype), b._dtype, b._device)
            return ga, gb
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = g
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if need_a:
            ga = (g2 @ b2.mT).sum_to_size(a2.shape).reshape(a.shape)
        if need_b:
            gb = (a2.mT @ g2).sum_to_size(b2.shape).reshape(b.shape)
        return ga, gb


def _fix(res, dtype):
    """NumPy multiplies bfloat16 matrices in float32: cast back."""
    return res if res.dtype is dtype or res.dtype == dtype else res.astype(dtype)


def _product(a, b, label):
    x, y = a._data, b._data
    # ndarray.dot is half the call cost of @ for two NumPy matrices (same BLAS call)
    res = _fix(x.dot(y) if x.ndim == 2 and y.ndim == 2 and x.__class__ is np.ndarray else x @ y,
               x.dtype)
    r = make(res, a._dtype, a._device)
    if state.enabled and (a._requires_grad or b._requires_grad):
        node = MatmulBackward()
        node.label = label or (a._data.shape, a._data.strides, a._requires_grad,
                               b._data.shape, b._data.strides, b._requires_grad)
        node.save(a, b)
        record(node, r, a, b)
    return r


def _shape_str(s):
    return 'x'.join(map(str, s))


def matmul(input, other, *, out=None):
    """The matrix product with NumPy's broadcasting rules: 1-d operands are vectors,
    >2-d operands are batches of matrices.

    Example::

        >>> a, b = flambeau.ones(2, 3), flambeau.ones(3, 4)
        >>> flambeau.matmul(a, b).shape
        torch.Size([2, 4])
    """
    if out is not None:
        return out.copy_(matmul(input, other))
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f'matmul(): argument \'other\' (position 2) must be Tensor, not '
                        f'{type(other).__name__}')
    na, nb = input._data.ndim, other._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f'both arguments to matmul need to be at least 1D, but they are {na}D '
                           f'and {nb}D')
    _check_same(input, other, 'matmul')
    sa, sb = input._data.shape, other._data.shape
    if na == 2 and nb == 2:
        if sa[1] != sb[0]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and '
                               f'{_shape_str(sb)})')
        return _product(input, other, 'MmBackward0')
    if na == 1 and nb == 1:
        return dot(input, other)
    if na == 2 and nb == 1:
        return mv(input, other)
    k_a = sa[-1]
    k_b = sb[0] if nb == 1 else sb[-2]
    if k_a != k_b:
        if na == 1:
            raise RuntimeError(f'size mismatch, got input ({sa[0]}), mat ({_shape_str(sb)}), vec '
                               f'({sa[0]})' if nb == 2 else
                               f'Expected size for first two dimensions of batch2 tensor to be: '
                               f'[{sb[0]}, {sa[0]}] but got: [{sb[0]}, {sb[1]}].')
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{sa[0] if na == 3 else "?"}, {k_a}] but got: '
                           f'[{sb[0] if nb == 3 else "?"}, {k_b}].' if na >= 3 and nb >= 3 else
                           f'mat1 and mat2 shapes cannot be multiplied '
                           f'({_shape_str(_as_2d(sa))} and {_shape_str(_as_2d_b(sb))})')
    try:
        import numpy as np
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError(f'The size of tensor a ({sa[-3] if na >= 3 else 1}) must match the size '
                           f'of tensor b ({sb[-3] if nb >= 3 else 1}) at non-singleton dimension '
                           f'0') from None
    return _product(input, other, None)


def _matmul_label(sa, ta, ga, sb, tb, gb):
    """The ``grad_fn`` name PyTorch gives a matmul result: that of the last step of the way
    it decomposes the product (by the operands' shapes ``s``, strides ``t`` and whether they
    require grad ``g``). flambeau computes every case with one product and one node."""
    na, nb = len(sa), len(sb)
    if na == 1 and nb == 1:
        return 'DotBackward0'
    if na == 2 and nb == 1:
        return 'MvBackward0'
    if na == 1 and nb == 2:
        return 'SqueezeBackward4'  # unsqueeze(0).mm().squeeze_(0)
    if na == 2 and nb == 2:
        return 'MmBackward0'
    if _should_fold(sa, ta, ga, sb, tb, gb):
        if nb > na and na == 2:  # folded on the transpose: out.mT.contiguous() copies unless
            # the product (..., p, n) is empty or has a last-two dim of size 1
            contiguous = sb[-1] <= 1 or sa[0] <= 1 or 0 in sb[:-2]
            return 'TransposeBackward0' if contiguous else 'CloneBackward0'
        return 'UnsafeViewBackward0'
    if na == nb == 3 and sa[0] != sb[0]:  # a batch of one that requires grad is squeezed
        if sa[0] == 1 and ga:
            return _matmul_label(sa[1:], ta[1:], ga, sb, tb, gb)
        if sb[0] == 1 and gb:
            return _matmul_label(sa, ta, ga, sb[1:], tb[1:], gb)
    return 'UnsafeViewBackward0'


def _should_fold(sa, ta, ga, sb, tb, gb):
    """Whether PyTorch's matmul folds the batch dims of the larger operand into one matrix."""
    if len(sa) >= len(sb):
        s1, t1, d2, g2 = sa, ta, len(sb), gb
    else:  # the transpose of the larger second operand
        s1, t1 = sb[:-2] + (sb[-1], sb[-2]), tb[:-2] + (tb[-1], tb[-2])
        d2, g2 = len(sa), ga
    if not (len(s1) >= 3 and d2 <= 2):
        return False
    if g2:
        return True
    if len(sa) == 2:
        return False
    if 0 in s1:
        return True
    return all(t1[i] == t1[i + 1] * s1[i + 1] for i in range(len(s1) - 2))


def _as_2d(s):
    n = 1
    for v in s[:-1]:
        n *= v
    return (n, s[-1])


def _as_2d_b(s):
    return s[-2:] if len(s) >= 2 else (s[0], 1)


def mm(input, mat2, *, out=None):
    """The product of two matrices ``(n, m) @ (m, p) -> (n, p)``.

    Example::

        >>> flambeau.mm(flambeau.ones(2, 3), flambeau.ones(3, 2))
        tensor([[3., 3.],
                [3., 3.]])
    """
    if out is not None:
        return out.copy_(mm(input, mat2))
    if input._data.ndim != 2:
        raise RuntimeError(f'self must be a matrix')
    if mat2._data.ndim != 2:
        raise RuntimeError(f'mat2 must be a matrix')
    _check_same(input, mat2, 'mm')
    sa, sb = input._data.shape, mat2._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and '
                           f'{_shape_str(sb)})')
    return _product(input, mat2, 'MmBackward0')


def bmm(input, mat2, *, out=None):
    """Batched matrix product ``(b, n, m) @ (b, m, p) -> (b, n, p)``.

    Example::

        >>> flambeau.bmm(flambeau.ones(4, 2, 3), flambeau.ones(4, 3, 5)).shape
        torch.Size([4, 2, 5])
    """
    if out is not None:
        return out.copy_(bmm(input, mat2))
    sa, sb = input._data.shape, mat2._data.shape
    if len(sa) != 3:
        raise RuntimeError(f'batch1 must be a 3D tensor')
    if len(sb) != 3:
        raise RuntimeError(f'batch2 must be a 3D tensor')
    _check_same(input, mat2, 'bmm')
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].')
    return _product(input, mat2, 'BmmBackward0')


def mv(input, vec, *, out=None):
    """Matrix-vector product ``(n, m) @ (m,) -> (n,)``.

    Example::

        >>> flambeau.mv(flambeau.ones(2, 3), flambeau.ones(3))
        tensor([3., 3.])
    """
    sa, sb = input._data.shape, vec._data.shape
    if len(sa) != 2 or len(sb) != 1:
        raise RuntimeError(f'vector + matrix @ vector expected, got {len(sa)}, {len(sb)}, '
                           f'{len(sb)}'.replace('vector + ', ''))
    _check_same(input, vec, 'mv')
    if sa[1] != sb[0]:
        raise RuntimeError(f'size mismatch, got input ({sa[0]}), mat ({_shape_str(sa)}), vec '
                           f'({sb[0]})')
    r = _product(input, vec, 'MvBackward0')
    return r if out is None else out.copy_(r)


def dot(input, tensor, *, out=None):
    """The inner product of two 1-d tensors of equal length.

    Example::

        >>> flambeau.dot(flambeau.tensor([2, 3]), flambeau.tensor([2, 1]))
        tensor(7)
    """
    sa, sb = input._data.shape, tensor._data.shape
    if len(sa) != 1 or len(sb) != 1:
        raise RuntimeError(f'1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors')
    if input._dtype is not tensor._dtype:
        raise RuntimeError(f'dot : expected both vectors to have same dtype, but found '
                           f'{_type_title(input._dtype)} and {_type_title(tensor._dtype)}')
    if input._dtype is _bool:
        from ._common import not_implemented
        raise not_implemented('dot', _bool)
    if sa[0] != sb[0]:
        raise RuntimeError(f'inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] '
                           f'to have the same number of elements, but got {sa[0]} and {sb[0]} '
                           f'elements respectively')
    r = _product(input, tensor, 'DotBackward0')
    return r if out is None else out.copy_(r)

