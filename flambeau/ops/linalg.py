"""Matrix products: ``matmul`` (``@``), ``mm``, ``bmm``, ``mv``, ``dot``, with derivatives.

All go to one BLAS call through the backend's ``matmul``; the gradient of a broadcast batch
product is summed back to each input's shape.
"""
__all__ = ['bmm', 'dot', 'matmul', 'mm', 'mv']
import numpy as np

from .. import dtypes as _dt
from ._common import Node, Tensor, make, record, state, xp_of

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


def _stackable(b):
    """The right operand ``b`` of a stacked product with its matrices (last two dims) made
    row-major if they are small and transposed: NumPy's stacked matmul then runs ~1.8x slower
    (GPT's ``q @ k.transpose(-2, -1)``, (32, 4, 64, 32): 540 -> 400 us with the copy; a
    transposed left operand, or 512x512 matrices, lose nothing, and the copy would cost)."""
    if b.ndim > 2 and b.__class__ is np.ndarray and 1 < b.shape[-1] * b.shape[-2] <= 16384 \
            and b.strides[-2] == b.itemsize and b.strides[-1] != b.itemsize:
        return np.ascontiguousarray(b)
    return b


def _product(a, b, label):
    x, y = a._data, b._data
    if y.ndim == 2 and x.ndim > 2:
        # a batch of matrices times one matrix is one GEMM over the stacked rows: NumPy's
        # batched matmul of this case can miss BLAS and run ~10x slower
        res = _fix(x.reshape(-1, x.shape[-1]) @ y, x.dtype).reshape(x.shape[:-1] + y.shape[1:])
    elif x.ndim == 2 and y.ndim == 2:
        # ndarray.dot is half the call cost of @ for two NumPy matrices (same BLAS call)
        res = _fix(x.dot(y) if x.__class__ is np.ndarray else x @ y, x.dtype)
    else:
        res = _fix(x @ _stackable(y), x.dtype)
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
    if k_a != k_b and na == 1:
        raise RuntimeError(f'size mismatch, got input ({sa[0]}), mat ({_shape_str(sb)}), vec '
                           f'({sa[0]})' if nb == 2 else
                           f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{sb[0]}, {sa[0]}] but got: [{sb[0]}, {sb[1]}].')
    if k_a == k_b:
        _broadcast_batch(sa[:-2], sb[:-2] if nb >= 2 else ())
    # PyTorch either folds the batch into one matrix product (then mm's message, on the folded
    # shapes) or broadcasts the batch dims and calls bmm (then the broadcast's, or bmm's)
    elif _should_fold(sa, input._data.strides, input._requires_grad, sb, other._data.strides,
                      other._requires_grad):
        if na >= nb:
            shapes = _as_2d(sa), _as_2d_b(sb)
        else:  # folded on the transpose: (b^T folded) @ a^T
            shapes = _as_2d(sb[:-2] + (sb[-1], sb[-2])), (k_a, sa[-2])
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied '
                           f'({_shape_str(shapes[0])} and {_shape_str(shapes[1])})')
    else:
        n = 1
        for d in _broadcast_batch(sa[:-2], sb[:-2] if nb >= 2 else ()):
            n *= d
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{n}, {k_a}] but got: [{n}, {k_b}].')
    return _product(input, other, None)


def _broadcast_batch(a, b):
    """The broadcast of batch shapes ``a`` and ``b``, or PyTorch's error naming the first
    mismatching dimension (counted in the result)."""
    n = max(len(a), len(b))
    out = []
    for i in range(n, 0, -1):
        da = a[len(a) - i] if i <= len(a) else 1
        db = b[len(b) - i] if i <= len(b) else 1
        if da != db and da != 1 and db != 1:
            raise RuntimeError(f'The size of tensor a ({da}) must match the size of tensor b '
                               f'({db}) at non-singleton dimension {n - i}')
        out.append(da if db == 1 else db)
    return tuple(out)


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
        raise RuntimeError('self must be a matrix')
    if mat2._data.ndim != 2:
        raise RuntimeError('mat2 must be a matrix')
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
        raise RuntimeError('batch1 must be a 3D tensor')
    if len(sb) != 3:
        raise RuntimeError('batch2 must be a 3D tensor')
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


def _check_dot(input, tensor):
    """PyTorch's checks of ``dot``/``vdot``: two 1-d tensors of one dtype and one length."""
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


def dot(input, tensor, *, out=None):
    """The inner product of two 1-d tensors of equal length.

    Example::

        >>> flambeau.dot(flambeau.tensor([2, 3]), flambeau.tensor([2, 1]))
        tensor(7)
    """
    _check_dot(input, tensor)
    r = _product(input, tensor, 'DotBackward0')
    return r if out is None else out.copy_(r)



# -- einsum ------------------------------------------------------------------------------------
# Note [einsum]: the equation is parsed once into integer labels per operand (letters, one
# label per ellipsis dim, and a fresh label for every size-1 dim that broadcasts against a
# larger size of its label), and NumPy's einsum runs in its sublist form. The gradient of
# operand i is itself an einsum: of the upstream gradient with the other operands, into
# operand i's labels. A label that operand i repeats (a diagonal) gets a fresh label tied to
# the first by an identity matrix; a label only operand i has (summed away) gets a ones vector.
_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
_LABEL = {c: i for i, c in enumerate(_LETTERS)}


class EinsumBackward(Node):
    """The gradient of each operand: an einsum of the gradient and the other operands."""
    __slots__ = ('label', 'subs', 'out_sub', 'sizes')

    def name(self):
        return self.label

    def backward(self, g):
        ops = self.saved_tensors
        subs, out_sub, sizes = self.subs, self.out_sub, self.sizes
        grads = []
        for i, t in enumerate(ops):
            if self.next_functions[i][0] is None:
                grads.append(None)
                continue
            others = [g] + [o for j, o in enumerate(ops) if j != i]
            osubs = [out_sub] + [s for j, s in enumerate(subs) if j != i]
            present = set(out_sub)
            for j, s in enumerate(subs):
                if j != i:
                    present.update(s)
            target, seen = [], {}
            fresh = max(sizes) + 1
            xp = xp_of(g)
            for lab in subs[i]:
                if lab in seen:  # a repeated label: a diagonal of the gradient
                    n = sizes[lab]
                    others.append(make(xp.eye(n, dtype=g._data.dtype), g._dtype, g._device))
                    osubs.append([lab, fresh])
                    target.append(fresh)
                    fresh += 1
                    continue
                seen[lab] = True
                if lab not in present:  # summed away in the forward: broadcast back
                    n = sizes[lab]
                    others.append(make(xp.ones(n, dtype=g._data.dtype), g._dtype, g._device))
                    osubs.append([lab])
                    present.add(lab)
                target.append(lab)
            grads.append(_einsum_lists(others, osubs, target, 'EinsumBackward'))
        return tuple(grads)


def _einsum_lists(ops, subs, out_sub, label):
    """einsum over operands ``ops`` with integer label lists ``subs`` into ``out_sub``
    (labels already checked; any size-1 broadcasting already relabelled)."""
    used = sorted({lab for s in subs for lab in s} | set(out_sub))
    sizes = {}
    for t, s in zip(ops, subs):
        for lab, n in zip(s, t._data.shape):
            sizes[lab] = n
    compact = {lab: k for k, lab in enumerate(used)}
    if len(used) > 52:
        raise RuntimeError('einsum(): too many subscripts (at most 52 distinct labels)')
    args = []
    dt = ops[0]._dtype
    # float16 sums in float32; a single operand without a sum is a view (no cast)
    half = dt.is_floating_point and dt.itemsize == 2 and (len(ops) > 1 or label != 'PermuteBackward0')
    big = len(ops) > 2
    for t, s in zip(ops, subs):
        x = t._data
        if half:
            x = x.astype(np.float32)
        if x.size > 4096:
            big = True
        args.append(x)
        args.append([compact[lab] for lab in s])
    args.append([compact[lab] for lab in out_sub])
    xp = xp_of(ops[0])
    res = xp.einsum(*args, optimize=big) if len(ops) > 1 or big else xp.einsum(*args)
    r = make(xp.asarray(_fix(res, dt.numpy)), dt, ops[0]._device)
    if state.enabled:
        for t in ops:
            if t._requires_grad:
                break
        else:
            return r
        node = EinsumBackward()
        node.label, node.subs, node.out_sub = label, [list(s) for s in subs], list(out_sub)
        node.sizes = [sizes.get(k, 1) for k in range(max(used) + 1)] if used else [1]
        node.save(*ops)
        record(node, r, *ops)
    return r


def _einsum_parse(equation, ops):
    """Integer label lists for each operand and the output, from an equation string."""
    eq = equation.replace(' ', '')
    if '->' in eq:
        lhs, rhs = eq.split('->', 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(',')
    if len(terms) > len(ops):
        raise RuntimeError('einsum(): fewer operands were provided than specified in the '
                           'equation')
    if len(terms) < len(ops):
        raise RuntimeError('einsum(): more operands were provided than specified in the equation')
    pos = 0
    for ch in lhs:
        if ch not in _LABEL and ch not in ',.':
            raise RuntimeError(f'einsum(): invalid subscript given at index {pos} in the equation '
                               'string, subscripts must be in [a-zA-Z]')
        pos += 1
    subs = []
    n_ell = 0
    for k, (term, t) in enumerate(zip(terms, ops)):
        nd = t._data.ndim
        if '...' in term:
            pre, post = term.split('...', 1)
            if '.' in pre or '.' in post:
                raise RuntimeError('einsum(): found \'.\' for operand 0 that is not part of any '
                                   'ellipsis')
            n_named = len(pre) + len(post)
            if n_named > nd:
                raise RuntimeError(f'einsum(): the number of subscripts in the equation '
                                   f'({n_named}) is more than the number of dimensions ({nd}) '
                                   f'for operand {k}')
            e = nd - n_named
            n_ell = max(n_ell, e)
            subs.append(([_LABEL[c] for c in pre], e, [_LABEL[c] for c in post]))
        else:
            if '.' in term:
                raise RuntimeError(f"einsum(): found '.' for operand {k} that is not part of any "
                                   'ellipsis')
            if len(term) != nd:
                raise RuntimeError(f'einsum(): the number of subscripts in the equation '
                                   f'({len(term)}) does not match the number of dimensions '
                                   f'({nd}) for operand {k} and no ellipsis was given')
            subs.append(([_LABEL[c] for c in term], None, []))
    # ellipsis dims get labels 52 .. 52 + n_ell - 1, aligned to the right
    ell = [52 + k for k in range(n_ell)]
    full = []
    for pre, e, post in subs:
        full.append(pre + (ell[n_ell - e:] if e is not None else []) + post)
    counts = {}
    for s in full:
        for lab in s:
            counts[lab] = counts.get(lab, 0) + 1
    if rhs is None:
        out = ell + sorted(lab for lab, c in counts.items() if c == 1 and lab < 52)
    else:
        out = []
        if '...' in rhs:
            pre, post = rhs.split('...', 1)
        else:
            pre, post = rhs, None
        for k, part in enumerate((pre, post)):
            if part is None:
                continue
            for ch in part:
                if ch not in _LABEL:
                    raise RuntimeError('einsum(): invalid subscript given at index '
                                       f'{len(lhs) + 2 + rhs.index(ch)} in the equation string, '
                                       'subscripts must be in [a-zA-Z]')
                lab = _LABEL[ch]
                if lab in out:
                    raise RuntimeError(f'einsum(): output subscript {ch} appears more than once '
                                       'in the output')
                if lab not in counts:
                    raise RuntimeError(f'einsum(): output subscript {ch} does not appear in the '
                                       'equation for any input operand')
                out.append(lab)
            if k == 0 and post is not None:
                out.extend(ell)
    # sizes, broadcasting of size-1 dims
    size = {}
    for k, (s, t) in enumerate(zip(full, ops)):
        for lab, n in zip(s, t._data.shape):
            m = size.get(lab)
            if m is None or m == 1:
                size[lab] = n
            elif n != m and n != 1:
                what = _LETTERS[lab] if lab < 52 else '...'
                if lab >= 52:
                    raise RuntimeError('einsum(): operands do not broadcast with remapped shapes '
                                       '(original->remapped)')
                raise RuntimeError(f'einsum(): subscript {what} has size {n} for operand {k} which '
                                   f'does not broadcast with previously seen size {m}')
    summed = any(lab not in out for s in full for lab in s)
    orig = [list(s) for s in full]
    fresh = 52 + n_ell
    for k, (s, t) in enumerate(zip(full, ops)):
        shape = t._data.shape
        for j, lab in enumerate(s):
            if shape[j] == 1 and size[lab] != 1:
                s[j] = fresh
                fresh += 1
    return full, out, summed, orig


def einsum(*args):
    """Sums the product of the elements of the operands along dimensions named by an equation
    in Einstein notation: ``'ij,jk->ik'`` is a matrix product, ``'ii->i'`` a diagonal,
    ``'...ij->...ji'`` a batched transpose. Without ``->`` the output has the labels that
    appear once, in alphabetical order. Also accepts the sublist form
    ``einsum(op1, [0, 1], op2, [1, 2], [0, 2])``.

    Example::

        >>> a, b = flambeau.ones(2, 3), flambeau.ones(3, 4)
        >>> flambeau.einsum('ij,jk->ik', a, b).shape
        torch.Size([2, 4])
        >>> flambeau.einsum('ii', flambeau.eye(3))
        tensor(3.)
    """
    if not args:
        raise TypeError('einsum(): must specify the equation string and at least one operand, '
                        'or at least one operand and its subscripts list')
    if isinstance(args[0], str):
        equation = args[0]
        ops = args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
        if not ops:
            raise RuntimeError('einsum(): must provide at least one operand')
    else:
        equation, ops = _sublist_equation(args)
    for t in ops:
        if not isinstance(t, Tensor):
            raise TypeError(f'einsum(): argument \'tensors\' must be tuple of Tensors, but found '
                            f'element of type {type(t).__name__}')
    dt = ops[0]._dtype
    for t in ops[1:]:
        if t._dtype is not dt:
            from ._common import dtype_title
            raise RuntimeError(f'expected scalar type {dtype_title(dt)} but found '
                               f'{dtype_title(t._dtype)}')
        if t._device is not ops[0]._device:
            from ._common import device_mismatch
            raise device_mismatch(ops[0], t)
    subs, out, summed, orig = _einsum_parse(equation, ops)
    if len(ops) > 1 and not dt.is_floating_point and dt is not _dt.int64:
        ops = _einsum_int_operands(ops, orig, out, summed)
    if len(ops) == 1:
        label = 'SumBackward1' if summed else 'PermuteBackward0'
        if dt is _bool or (not dt.is_floating_point and summed):
            return _einsum_single_int(ops[0], subs[0], out, summed, label)
    else:
        label = 'ViewBackward0' if summed else 'MulBackward0'
    return _einsum_lists(list(ops), subs, out, label)


def _einsum_int_operands(ops, subs, out, summed):
    """PyTorch first sums away the labels only one operand has, which turns integer operands
    into int64 (as ``sum`` does); a contraction between int64 and narrower operands then
    fails, and bool operands have no matrix product."""
    from ._common import dtype_title, not_implemented
    count = {}
    for s in subs:
        for lab in set(s):
            count[lab] = count.get(lab, 0) + 1
    pre = [any(lab not in out and count[lab] == 1 for lab in s) for s in subs]
    shared = any(lab not in out and c > 1 for lab, c in count.items())
    dt = ops[0]._dtype
    if any(pre):
        if shared and not all(pre):
            raise RuntimeError(f'expected scalar type Long but found {dtype_title(dt)}')
        return [t.to(_dt.int64) for t in ops]
    if dt is _bool and summed and all(t._data.size for t in ops):  # no kernel runs on empties
        raise not_implemented('bmm', _bool)
    return ops


def _einsum_single_int(t, sub, out, summed, label):
    """One integer or bool operand: sums promote to int64, as ``sum`` does."""
    x = t._data
    dt = t._dtype
    if summed and (dt is _bool or dt.itemsize < 8):
        dt = _dt.int64
        x = x.astype(np.int64)
    used = sorted(set(sub) | set(out))
    c = {lab: k for k, lab in enumerate(used)}
    res = xp_of(t).einsum(x, [c[lab] for lab in sub], [c[lab] for lab in out])
    return make(xp_of(t).asarray(res, dtype=dt.numpy), dt, t._device)


def _sublist_equation(args):
    """The equation string of einsum's sublist form ``(op, [labels], op, [labels], ..., [out])``."""
    ops, terms = [], []
    items = list(args)
    out = None
    if len(items) % 2 == 1:
        out = items.pop()
    for k in range(0, len(items), 2):
        ops.append(items[k])
        terms.append(_sublist_term(items[k + 1]))
    eq = ','.join(terms)
    if out is not None:
        eq += '->' + _sublist_term(out)
    return eq, tuple(ops)


def _sublist_term(labels):
    s = []
    for lab in labels:
        if lab is Ellipsis:
            s.append('...')
        else:
            lab = int(lab)
            if not 0 <= lab < 52:
                raise RuntimeError(f'einsum(): expected subscript to be within the range [0, 52), '
                                   f'but got {lab}')
            s.append(_LETTERS[lab])
    return ''.join(s)


# -- products built on matmul --------------------------------------------------------------------
def outer(input, vec2, *, out=None):
    """The outer product of two 1-d tensors: ``out[i, j] = input[i] * vec2[j]``, shape
    ``(n, m)``.

    Example::

        >>> flambeau.outer(flambeau.tensor([1., 2.]), flambeau.tensor([1., 10., 100.]))
        tensor([[  1.,  10., 100.],
                [  2.,  20., 200.]])
    """
    if input._data.ndim != 1:
        raise RuntimeError(f'outer: Expected 1-D argument self, but got {input._data.ndim}-D')
    if vec2._data.ndim != 1:
        raise RuntimeError(f'outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D')
    r = input.reshape(-1, 1) * vec2
    return r if out is None else out.copy_(r)


def ger(input, vec2, *, out=None):
    """Alias of :func:`outer`."""
    return outer(input, vec2, out=out)


def _same_dtype(a, b):
    if a._dtype is not b._dtype:
        raise RuntimeError('both inputs should have same dtype')


def inner(input, other, *, out=None):
    """The sum of products over the last dimension of both inputs; a 0-d input multiplies.
    The result has shape ``input.shape[:-1] + other.shape[:-1]``.

    Example::

        >>> flambeau.inner(flambeau.tensor([1., 2.]), flambeau.tensor([3., 4.]))
        tensor(11.)
    """
    if input._data.ndim == 0 or other._data.ndim == 0:
        r = input * other
        return r if out is None else out.copy_(r)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f'inner() the last dimension must match on both input tensors but got '
                           f'shapes {list(input._data.shape)} and {list(other._data.shape)}')
    r = tensordot(input, other, ([-1], [-1]))
    return r if out is None else out.copy_(r)


def tensordot(a, b, dims=2, out=None):
    """Contracts ``a`` and ``b`` over dimensions: ``dims=k`` pairs the last ``k`` dims of
    ``a`` with the first ``k`` of ``b``; ``dims=([1, 0], [0, 1])`` names the pairs. The result
    has ``a``'s free dims then ``b``'s.

    Example::

        >>> a, b = flambeau.ones(3, 4, 5), flambeau.ones(4, 3, 2)
        >>> flambeau.tensordot(a, b, dims=([1, 0], [0, 1])).shape
        torch.Size([5, 2])
    """
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        k = int(dims)
        if k < 0:
            raise RuntimeError(f'tensordot expects dims >= 0, but got dims={k}')
        if k > min(na, nb):
            raise RuntimeError(f'tensordot expects dims < ndim_a or ndim_b, but got dims={k}')
        da, db = list(range(-k, 0)), list(range(k))
    else:
        if len(dims) != 2:
            raise RuntimeError('tensordot expects dims to be a pair of lists')
        da, db = dims
        da = [da] if isinstance(da, (int, np.integer)) else list(da)
        db = [db] if isinstance(db, (int, np.integer)) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f'both dimension lists should have same length, but got '
                               f'{len(da)} and {len(db)}')
    _same_dtype(a, b)
    sa, sb = a._data.shape, b._data.shape
    for x, y in zip(da, db):
        if sa[a._wrap_dim(x)] != sb[b._wrap_dim(y)]:
            raise RuntimeError(f'contracted dimensions need to match, but first has size '
                               f'{sa[a._wrap_dim(x)]} in dim {x} and second has size '
                               f'{sb[b._wrap_dim(y)]} in dim {y}')
    da = [a._wrap_dim(d) for d in da]
    db = [b._wrap_dim(d) for d in db]
    fa = [d for d in range(na) if d not in da]
    fb = [d for d in range(nb) if d not in db]
    k = 1
    for d in da:
        k *= sa[d]
    m = 1
    for d in fa:
        m *= sa[d]
    n = 1
    for d in fb:
        n *= sb[d]
    a2 = a.permute(fa + da).reshape(m, k)
    b2 = b.permute(db + fb).reshape(k, n)
    r = mm(a2, b2).view([sa[d] for d in fa] + [sb[d] for d in fb])
    return r if out is None else out.copy_(r)


def kron(input, other, *, out=None):
    """The Kronecker product: every element of ``input`` times the whole of ``other``, laid
    out in blocks. Shapes are aligned on the right; the result's size in each dim is the
    product of the two.

    Example::

        >>> flambeau.kron(flambeau.eye(2), flambeau.ones(2, 2))
        tensor([[1., 1., 0., 0.],
                [1., 1., 0., 0.],
                [0., 0., 1., 1.],
                [0., 0., 1., 1.]])
    """
    from .shape import ShapeBackward
    n = max(input._data.ndim, other._data.ndim)
    sa = (1,) * (n - input._data.ndim) + input._data.shape
    sb = (1,) * (n - other._data.ndim) + other._data.shape
    a = input.reshape([v for s in sa for v in (s, 1)])
    b = other.reshape([v for s in sb for v in (1, s)])
    p = a * b
    new = tuple(x * y for x, y in zip(sa, sb))
    r = make(p._data.reshape(new), p._dtype, p._device)
    if p._requires_grad:
        node = ShapeBackward()
        node.label, node.kind, node.meta = 'UnsafeViewBackward0', 'reshape', p._data.shape
        record(node, r, p)
    return r if out is None else out.copy_(r)


# -- cross ---------------------------------------------------------------------------------------
class LinalgCrossBackward0(Node):
    __slots__ = ('dim',)

    def backward(self, g):
        a, b = self.saved_tensors
        d = self.dim
        ga = gb = None
        if self.next_functions[0][0] is not None:
            ga = _cross(b, g, d).sum_to_size(a.shape)
        if self.next_functions[1][0] is not None:
            gb = _cross(g, a, d).sum_to_size(b.shape)
        return ga, gb


def _cross(a, b, dim):
    """The cross product along ``dim`` (checked), broadcasting the other dims."""
    if a._dtype is not b._dtype:
        from ._common import dtype_title
        raise RuntimeError(f'expected scalar type {dtype_title(a._dtype)} but found '
                           f'{dtype_title(b._dtype)}')
    if a._dtype is _bool:
        from ._common import not_implemented
        raise not_implemented('cross', _bool)
    x, y = a._data, b._data
    n = max(x.ndim, y.ndim)
    try:
        shape = np.broadcast_shapes(x.shape, y.shape)
    except ValueError as e:
        from ._common import broadcast_error
        raise broadcast_error(e, x, y) from None
    d = dim + n if dim < 0 else dim
    xp = xp_of(a)
    x = xp.broadcast_to(x, shape)
    y = xp.broadcast_to(y, shape)
    x0, x1, x2 = (xp.take(x, i, axis=d) for i in range(3))
    y0, y1, y2 = (xp.take(y, i, axis=d) for i in range(3))
    res = xp.stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], axis=d)
    r = make(_fix(res, x.dtype), a._dtype, a._device)
    if state.enabled and (a._requires_grad or b._requires_grad):
        node = LinalgCrossBackward0()
        node.dim = d
        node.save(a, b)
        record(node, r, a, b)
    return r


def linalg_cross(input, other, *, dim=-1, out=None):
    """The cross product of 3-vectors along ``dim`` (broadcasting the other dims).

    Example::

        >>> flambeau.linalg.cross(flambeau.tensor([1., 0., 0.]), flambeau.tensor([0., 1., 0.]))
        tensor([0., 0., 1.])
    """
    na, nb = input._data.ndim, other._data.ndim
    if na != nb:
        raise RuntimeError('linalg.cross: inputs must have the same number of dimensions.')
    m = max(na, 1)
    if not -m <= dim < m:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-m}, {m - 1}], '
                         f'but got {dim})')
    sa, sb = input._data.shape, other._data.shape
    if sa[dim] != 3 or sb[dim] != 3:
        raise RuntimeError(f'linalg.cross: inputs dimension {dim} must have length 3. Got '
                           f'{sa[dim]} and {sb[dim]}')
    r = _cross(input, other, dim)
    return r if out is None else out.copy_(r)


def cross(input, other, dim=None, *, out=None):
    """The cross product of 3-vectors along ``dim``. Without ``dim`` (deprecated) the first
    dimension of size 3 is used; prefer :func:`flambeau.linalg.cross`.

    Example::

        >>> flambeau.cross(flambeau.tensor([1., 0., 0.]), flambeau.tensor([0., 1., 0.]), dim=0)
        tensor([0., 0., 1.])
    """
    if dim is None:
        import warnings
        warnings.warn('Using torch.cross without specifying the dim arg is deprecated.\nPlease '
                      'either pass the dim explicitly or simply use torch.linalg.cross.\nThe '
                      'default value of dim will change to agree with that of linalg.cross in a '
                      'future release.', UserWarning, stacklevel=2)
        try:
            shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        except ValueError as e:
            from ._common import broadcast_error
            raise broadcast_error(e, input._data, other._data) from None
        for d, s in enumerate(shape):
            if s == 3:
                dim = d
                break
        else:
            raise RuntimeError('no dimension of size 3 in input')
    return linalg_cross(input, other, dim=dim, out=out)


# -- beta * input + alpha * product --------------------------------------------------------------
class AddProductBackward(Node):
    """``beta * input + alpha * (a x b)`` for ``x`` one of mm, mv, outer (addr), bmm
    (baddbmm) and summed bmm (addbmm): the input gets ``beta * g`` summed to its shape, the
    factors the product's gradient times ``alpha``."""
    __slots__ = ('label', 'kind', 'alpha', 'beta', 'shape')

    def name(self):
        return self.label

    def backward(self, g):
        a, b = self.saved_tensors
        kind, alpha, beta = self.kind, self.alpha, self.beta
        need = [f[0] is not None for f in self.next_functions]
        gi = ga = gb = None
        if need[0]:
            gi = (g * beta if beta != 1 else g).sum_to_size(self.shape)
        ga_ = g * alpha if alpha != 1 else g
        if kind == 'mm' or kind == 'bmm':
            if need[1]:
                ga = ga_ @ b.mT
            if need[2]:
                gb = a.mT @ ga_
        elif kind == 'mv':
            if need[1]:
                ga = outer(ga_, b)
            if need[2]:
                gb = a.mT @ ga_
        elif kind == 'outer':
            if need[1]:
                ga = ga_ @ b
            if need[2]:
                gb = ga_.mT @ a
        else:  # addbmm: the product of every batch, summed
            g3 = ga_.unsqueeze(0)
            if need[1]:
                ga = g3 @ b.mT
            if need[2]:
                gb = a.mT @ g3
        return gi, ga, gb


_ADD_NAMES = {'mm': 'AddmmBackward0', 'mv': 'AddmvBackward0', 'outer': 'AddrBackward0',
              'bmm': 'BaddbmmBackward0', 'sumbmm': 'AddbmmBackward0'}
_ADD_KERNELS = {'mm': 'addmm_impl_cpu_', 'mv': 'addmv_impl_cpu', 'bmm': 'baddbmm_cpu',
                'sumbmm': 'addmm_impl_cpu_'}


def _add_product(input, a, b, beta, alpha, kind, shape):
    """``beta * input + alpha * product(a, b)`` where the product has ``shape``; ``input``
    must expand to ``shape``."""
    from ._common import dtype_title, not_implemented
    dt = a._dtype
    if b._dtype is not dt:
        raise RuntimeError(f'expected m1 and m2 to have the same dtype, but got: '
                           f'{_c_name(dt)} != {_c_name(b._dtype)}')
    if input._dtype is not dt:
        raise RuntimeError(f'self and mat2 must have the same dtype, but got '
                           f'{dtype_title(input._dtype)} and {dtype_title(dt)}')
    if a._device is not b._device or input._device is not a._device:
        from ._common import device_mismatch
        raise device_mismatch(input, a if a._device is not input._device else b)
    si = input._data.shape
    if len(si) > len(shape) or any(p != q and p != 1 for p, q in
                                   zip(si[::-1], shape[::-1])):
        k = next(len(si) - 1 - i for i, (p, q) in enumerate(zip(si[::-1], shape[::-1]))
                 if p != q and p != 1) if len(si) <= len(shape) else 0
        raise RuntimeError(f'The expanded size of the tensor ({shape[k - len(si) + len(shape)]}) '
                           f'must match the existing size ({si[k]}) at non-singleton dimension '
                           f'{k - len(si) + len(shape)}.  Target sizes: {list(shape)}.  Tensor '
                           f'sizes: {list(si)}')
    if dt.is_floating_point:
        for name, v in (('alpha', alpha), ('beta', beta)):
            if isinstance(v, bool):
                raise RuntimeError(f'Boolean {name} only supported for Boolean results.')
    elif dt is not _bool:
        if isinstance(alpha, float):
            alpha = int(alpha)
        if isinstance(beta, float):
            beta = int(beta)
    x, y, z = a._data, b._data, input._data
    xp = xp_of(a)
    if dt is _bool:
        if kind != 'outer' and x.size and y.size:
            raise not_implemented(_ADD_KERNELS[kind], _bool)
        prod = xp.logical_and(x[:, None], y[None, :]) if kind == 'outer' else \
            xp.zeros(shape, dtype=bool)
        res = xp.logical_or(prod if alpha else xp.zeros(shape, bool),
                            xp.broadcast_to(z, shape) if beta else False)
        return make(xp.asarray(res), dt, a._device)
    if kind == 'outer':
        prod = x[:, None] * y[None, :]
    elif kind == 'sumbmm':
        prod = (x @ y).sum(axis=0) if x.shape[0] else xp.zeros(shape, x.dtype)
    else:
        prod = x @ y
    prod = _fix(prod, x.dtype)
    if alpha != 1:
        prod = prod * xp.asarray(alpha).astype(x.dtype)
    if beta == 0:
        res = xp.broadcast_to(prod, shape).copy() if prod.shape != shape else prod
    elif beta == 1:
        res = prod + z
    else:
        res = prod + z * xp.asarray(beta).astype(z.dtype)
    r = make(_fix(res, x.dtype), dt, a._device)
    if state.enabled and (input._requires_grad or a._requires_grad or b._requires_grad):
        node = AddProductBackward()
        node.label, node.kind, node.alpha, node.beta = _ADD_NAMES[kind], kind, alpha, beta
        node.shape = si
        node.save(a, b)
        record(node, r, input, a, b)
    return r


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices ``(n, m) @ (m, p)``; ``input``
    broadcasts to ``(n, p)``. With ``beta=0`` the input is ignored (its nan and inf too).

    Example::

        >>> flambeau.addmm(flambeau.ones(2), flambeau.ones(2, 3), flambeau.ones(3, 2), alpha=2)
        tensor([[7., 7.],
                [7., 7.]])
    """
    if mat1._data.ndim != 2:
        raise RuntimeError(f'mat1 must be a matrix, got {mat1._data.ndim}-D tensor')
    if mat2._data.ndim != 2:
        raise RuntimeError(f'mat2 must be a matrix, got {mat2._data.ndim}-D tensor')
    sa, sb = mat1._data.shape, mat2._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({_shape_str(sa)} and '
                           f'{_shape_str(sb)})')
    r = _add_product(input, mat1, mat2, beta, alpha, 'mm', (sa[0], sb[1]))
    return r if out is None else out.copy_(r)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)`` for a matrix ``(n, m)`` and a vector ``(m,)``;
    ``input`` broadcasts to ``(n,)``.

    Example::

        >>> flambeau.addmv(flambeau.ones(2), flambeau.ones(2, 3), flambeau.ones(3))
        tensor([4., 4.])
    """
    sa, sb = mat._data.shape, vec._data.shape
    if len(sa) != 2 or len(sb) != 1:
        raise RuntimeError(f'vector + matrix @ vector expected, got {input._data.ndim}, '
                           f'{len(sa)}, {len(sb)}')
    if sa[1] != sb[0] or input._data.ndim > 1 or (input._data.ndim == 1 and
                                                    input._data.shape[0] not in (1, sa[0])):
        raise RuntimeError(f'size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), '
                           f'mat ({_shape_str(sa)}), vec ({sb[0]})')
    r = _add_product(input, mat, vec, beta, alpha, 'mv', (sa[0],))
    return r if out is None else out.copy_(r)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``; ``input`` broadcasts to
    ``(len(vec1), len(vec2))``. For bool tensors, ``or`` and ``and`` replace ``+`` and ``*``.

    Example::

        >>> flambeau.addr(flambeau.zeros(2, 2), flambeau.tensor([1., 2.]), flambeau.ones(2))
        tensor([[1., 1.],
                [2., 2.]])
    """
    if vec1._data.ndim != 1:
        raise RuntimeError(f'addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D')
    if vec2._data.ndim != 1:
        raise RuntimeError(f'addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D')
    if vec1._dtype is not vec2._dtype or input._dtype is not vec1._dtype:
        # addr promotes its operands, as outer does
        dt = _dt.result_type(input, vec1, vec2)
        input, vec1, vec2 = (t if t._dtype is dt else t.to(dt) for t in (input, vec1, vec2))
    r = _add_product(input, vec1, vec2, beta, alpha, 'outer',
                     (vec1._data.shape[0], vec2._data.shape[0]))
    return r if out is None else out.copy_(r)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)`` for batches ``(b, n, m) @ (b, m, p)``;
    ``input`` broadcasts to ``(b, n, p)``.

    Example::

        >>> flambeau.baddbmm(flambeau.zeros(2, 1, 1), flambeau.ones(2, 1, 3),
        ...                  flambeau.ones(2, 3, 1)).shape
        torch.Size([2, 1, 1])
    """
    sa, sb = batch1._data.shape, batch2._data.shape
    if len(sa) != 3:
        raise RuntimeError('batch1 must be a 3D tensor')
    if len(sb) != 3:
        raise RuntimeError('batch2 must be a 3D tensor')
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].')
    r = _add_product(input, batch1, batch2, beta, alpha, 'bmm', (sa[0], sa[1], sb[2]))
    return r if out is None else out.copy_(r)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``: the batch of products summed
    into one matrix ``(n, p)``, which ``input`` broadcasts to.

    Example::

        >>> flambeau.addbmm(flambeau.zeros(2, 2), flambeau.ones(3, 2, 4), flambeau.ones(3, 4, 2))
        tensor([[12., 12.],
                [12., 12.]])
    """
    sa, sb = batch1._data.shape, batch2._data.shape
    if len(sa) != 3:
        raise RuntimeError('batch1 must be a 3D tensor')
    if len(sb) != 3:
        raise RuntimeError('batch2 must be a 3D tensor')
    if sa[0] != sb[0]:
        raise RuntimeError(f'batch1 and batch2 must have same number of batches, got {sa[0]} and '
                           f'{sb[0]}')
    if sa[2] != sb[1]:
        raise RuntimeError(f'Incompatible matrix sizes for bmm ({sa[1]}x{sa[2]} and '
                           f'{sb[1]}x{sb[2]})')
    r = _add_product(input, batch1, batch2, beta, alpha, 'sumbmm', (sa[1], sb[2]))
    return r if out is None else out.copy_(r)


# -- trace, vdot, vecdot -------------------------------------------------------------------------
class TraceBackward0(Node):
    __slots__ = ('shape',)

    def backward(self, g):
        from .creation import eye
        n, m = self.shape
        return g * eye(n, m, dtype=g._dtype, device=g._device)


def trace(input):
    """The sum of the diagonal of a matrix (integer inputs sum to int64).

    Example::

        >>> flambeau.trace(flambeau.tensor([[1., 2.], [3., 4.]]))
        tensor(5.)
    """
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f'trace: expected a matrix, but got tensor with dim {x.ndim}')
    dt = input._dtype
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('trace', _bool)
    if not dt.is_floating_point:
        dt = _dt.int64
        res = x.trace(dtype=np.int64)
    elif dt.itemsize == 2:
        res = x.trace(dtype=np.float32).astype(x.dtype)
    else:
        res = x.trace()
    r = make(xp_of(input).asarray(res), dt, input._device)
    if state.enabled and input._requires_grad:
        node = TraceBackward0()
        node.shape = x.shape
        record(node, r, input)
    return r


def vdot(input, other, *, out=None):
    """The dot product of two 1-d tensors (the first would be conjugated if complex).

    Example::

        >>> flambeau.vdot(flambeau.tensor([1., 2.]), flambeau.tensor([3., 4.]))
        tensor(11.)
    """
    _check_dot(input, other)
    r = _product(input, other, 'VdotBackward0')
    return r if out is None else out.copy_(r)


def vecdot(x, y, *, dim=-1, out=None):
    """The dot product of vectors along ``dim`` (broadcasting the other dims).

    Example::

        >>> flambeau.linalg.vecdot(flambeau.ones(2, 3), flambeau.ones(3))
        tensor([3., 3.])
    """
    for t in (x, y):
        if not t._dtype.is_floating_point:
            raise RuntimeError(f'linalg.vecdot: Expected a floating point or complex tensor as '
                               f'input. Got {_type_title(t._dtype)}')
    if x._dtype is not y._dtype:
        raise RuntimeError(f'linalg.vecdot: Expected x and y to have the same dtype, but found '
                           f'x of type {_type_title(x._dtype)} and y of type '
                           f'{_type_title(y._dtype)} instead')
    if x._data.ndim == 1 and y._data.ndim == 1 and dim in (0, -1):
        if x._data.shape != y._data.shape:
            raise RuntimeError(f'inconsistent tensor size, expected tensor [{x._data.shape[0]}] '
                               f'and src [{y._data.shape[0]}] to have the same number of '
                               f'elements, but got {x._data.shape[0]} and {y._data.shape[0]} '
                               f'elements respectively')
        r = vdot(x, y)
    else:
        r = (x * y).sum(dim)
    return r if out is None else out.copy_(r)


# -- chains of products --------------------------------------------------------------------------
def multi_dot(tensors, *, out=None):
    """The product of two or more matrices, multiplied in the order that needs the fewest
    operations. The first and last tensors may be vectors (treated as a row and a column).

    Example::

        >>> flambeau.linalg.multi_dot([flambeau.ones(2, 3), flambeau.ones(3, 4),
        ...                            flambeau.ones(4)])
        tensor([12., 12.])
    """
    r = _multi_dot(list(tensors), 'multi_dot')
    return r if out is None else out.copy_(r)


def _multi_dot(ts, fn):
    n = len(ts)
    if n < 2:
        raise RuntimeError(f'{fn}(): expected at least 2 tensors but got {n}')
    first, last = ts[0], ts[-1]
    if first._data.ndim not in (1, 2):
        raise RuntimeError(f'{fn}(): the first tensor must be 1D or 2D but got '
                           f'{first._data.ndim}D')
    if last._data.ndim not in (1, 2):
        raise RuntimeError(f'{fn}(): the last tensor must be 1D or 2D but got {last._data.ndim}D')
    for i in range(1, n - 1):
        if ts[i]._data.ndim != 2:
            raise RuntimeError(f'{fn}(): tensor {i} must be 2D but got {ts[i]._data.ndim}D')
    dt = first._dtype
    for i in range(1, n):
        if ts[i]._dtype is not dt:
            raise RuntimeError(f'{fn}(): all tensors must have be the same dtype but tensor 0 is '
                               f'{_c_name(dt)} and tensor {i} {_c_name(ts[i]._dtype)}')
    mats = list(ts)
    out_shape = []
    if first._data.ndim == 1:
        mats[0] = first.unsqueeze(0)
    else:
        out_shape.append(first._data.shape[0])
    if last._data.ndim == 1:
        mats[-1] = last.unsqueeze(-1)
    else:
        out_shape.append(last._data.shape[1])
    for i in range(n - 1):
        sa, sb = mats[i]._data.shape, mats[i + 1]._data.shape
        if sa[1] != sb[0]:
            raise RuntimeError(f'{fn}(): tensors {i} and {i + 1} with shapes {list(ts[i].shape)} '
                               f'and {list(ts[i + 1].shape)} cannot be multiplied')
    if dt is _bool:
        from ._common import not_implemented
        raise not_implemented('addmm_impl_cpu_', _bool)
    dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    order = _chain_order(dims)

    def product(i, j):
        if i == j:
            return mats[i]
        k = order[i][j]
        return mm(product(i, k), product(k + 1, j))
    return product(0, n - 1).view(out_shape)


def _chain_order(p):
    """The split points of the cheapest multiplication order of a matrix chain with dims
    ``p`` (the textbook dynamic program)."""
    n = len(p) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


def chain_matmul(*matrices, out=None):
    """The product of two or more matrices (deprecated: use :func:`flambeau.linalg.multi_dot`).

    Example::

        >>> flambeau.chain_matmul(flambeau.eye(2), flambeau.ones(2, 3)).shape
        torch.Size([2, 3])
    """
    import warnings
    warnings.warn('torch.chain_matmul is deprecated and will be removed in a future PyTorch '
                  'release. Use torch.linalg.multi_dot instead, which accepts a list of two or '
                  'more tensors rather than multiple parameters.', UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if len(matrices) == 0:
        raise RuntimeError('chain_matmul(): Expected one or more matrices')
    if len(matrices) == 1:
        m = matrices[0]
        if m._data.ndim != 2:
            raise RuntimeError(f'chain_matmul(): Expected all tensors to be 2D, but got '
                               f'{m._data.ndim}D tensor')
        r = m.clone()
    else:
        for m in matrices:
            if m._data.ndim != 2:
                raise RuntimeError(f'chain_matmul(): Expected all tensors to be 2D, but got '
                                   f'{m._data.ndim}D tensor')
        r = _multi_dot(list(matrices), 'multi_dot')
    return r if out is None else out.copy_(r)


__all__ += ['addbmm', 'addmm', 'addmv', 'addr', 'baddbmm', 'chain_matmul', 'cross', 'einsum',
            'ger', 'inner', 'kron', 'outer', 'tensordot', 'trace', 'vdot']

METHODS = {'outer': outer, 'ger': ger, 'inner': inner, 'kron': kron, 'cross': cross,
           'addmm': addmm, 'addmv': addmv, 'addr': addr, 'baddbmm': baddbmm, 'addbmm': addbmm,
           'trace': trace, 'vdot': vdot}
INPLACE = {'addmm_': addmm, 'addmv_': addmv, 'addr_': addr, 'baddbmm_': baddbmm,
           'addbmm_': addbmm}
