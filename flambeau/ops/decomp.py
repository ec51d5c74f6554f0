"""Matrix decompositions and solvers behind ``flambeau.linalg``: ``inv``, ``det``, ``slogdet``,
``solve``, ``cholesky``, ``qr``, ``eigh``, ``svd``, ``pinv``, ``lstsq``, ``matrix_rank``,
``matrix_power``, the matrix norms, each with its derivative.

Forwards are one batched LAPACK call of the backend (``xp.linalg``). Derivatives are written
with flambeau ops (``@``, ``.mT``, ``inv``, ``solve`` ...) so that they are themselves
differentiable. A decomposition with several outputs is one node; it keeps its outputs as
arrays and rebuilds them as tensors of the graph when its backward runs (Note [Saved tensors]
in autograd/node.py: saving the output tensors themselves would make reference cycles).

Note [Gauge]: eigenvectors and singular vectors are defined up to sign. The formulas below are
correct for losses that do not depend on that choice (e.g. ``V * V``, ``U @ diag(S) @ Vh``)
and for distinct eigenvalues / singular values, as in PyTorch.
"""
__all__ = ['cholesky', 'cholesky_solve', 'det', 'inverse', 'logdet', 'matrix_power', 'pinverse',
           'slogdet', 'svd']
import math
import warnings

import numpy as np

from .. import dtypes as _dt
from ..autograd.node import _FREED, _modified_message
from ..backend import backend_of
from ._common import Node, Tensor, dtype_title, make, record, state, xp_of, xp_of_array

_float32, _float64 = _dt.float32, _dt.float64


class LinAlgError(RuntimeError):
    """Raised when a linear algebra function fails on its input: a singular matrix, a matrix
    that is not positive-definite, a decomposition that did not converge."""


# -- named results (torch.return_types.*) --------------------------------------------------------
class _Result(tuple):
    __slots__ = ()
    _fields = ()
    _name = ''

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ',\n'.join(f'{f}={v!r}' for f, v in zip(self._fields, self))
        return f'torch.return_types.{self._name}(\n{body})'


def _result_type(name, fields):
    ns = {'__slots__': (), '_fields': fields, '_name': name}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: self[i])
    return type(name, (_Result,), ns)


_R_linalg_slogdet = _result_type('linalg_slogdet', ('sign', 'logabsdet'))
_R_slogdet_result = _result_type('slogdet', ('sign', 'logabsdet'))
_R_linalg_inv_ex = _result_type('linalg_inv_ex', ('inverse', 'info'))
_R_linalg_cholesky_ex = _result_type('linalg_cholesky_ex', ('L', 'info'))
_R_linalg_qr = _result_type('linalg_qr', ('Q', 'R'))
_R_linalg_eigh = _result_type('linalg_eigh', ('eigenvalues', 'eigenvectors'))
_R_linalg_svd = _result_type('linalg_svd', ('U', 'S', 'Vh'))
_R_svd_result = _result_type('svd', ('U', 'S', 'V'))
_R_linalg_lstsq = _result_type('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values'))
_R_linalg_solve_ex = _result_type('linalg_solve_ex', ('result', 'info'))


# -- checks ----------------------------------------------------------------------------------------
def _check_float(A, fn, kernel=None, any_dtype=False, empty_runs=False):
    """PyTorch's errors for a dtype that ``fn`` does not support: integers, and float16 or
    bfloat16, which some ops reject in their check (RuntimeError) and others only in their
    LAPACK ``kernel`` (NotImplementedError; for every dtype if ``any_dtype``)."""
    dt = A._dtype
    if kernel is not None and (dt.itemsize == 2 and dt.is_floating_point or
                               any_dtype and dt not in (_float32, _float64)):
        if A._data.size or empty_runs:  # most kernels are not called on empty inputs
            from ._common import not_implemented
            raise not_implemented(kernel, dt)
        if any_dtype:
            return
    if not dt.is_floating_point:
        raise RuntimeError(f'{fn}: Expected a floating point or complex tensor as input. Got '
                           f'{dtype_title(dt)}')
    if dt.itemsize == 2 and kernel is None:
        raise RuntimeError(f'{fn}: Low precision dtypes not supported. Got {dtype_title(dt)}')


def _check_matrix(A, fn, square=True):
    if not isinstance(A, Tensor):
        raise TypeError(f"{fn}(): argument 'A' (position 1) must be Tensor, not "
                        f'{type(A).__name__}')
    s = A._data.shape
    if len(s) < 2:
        raise RuntimeError(f'{fn}: The input tensor A must have at least 2 dimensions.')
    if square and s[-1] != s[-2]:
        raise RuntimeError(f'{fn}: A must be batches of square matrices, but they are {s[-2]} by '
                           f'{s[-1]} matrices')


def _batch_prefix(shape, index):
    """PyTorch's "(Batch element k): " for the ``index`` of a failing matrix in a batch."""
    if len(shape) <= 2:
        return ''
    k = int(np.ravel_multi_index(index, shape[:-2]))
    return f'(Batch element {k}): '


def _host(a):
    return a if type(a) is np.ndarray else backend_of(a).to_host(a)


def _first_zero_pivot(x):
    """The batch index and 1-based position of the first zero pivot of an LU factorization
    with partial pivoting (as LAPACK's getrf reports it), for the error message of a singular
    matrix. Only runs once an inversion failed."""
    x = _host(x)
    for idx in np.ndindex(x.shape[:-2]):
        a = np.array(x[idx], dtype=np.float64)
        n = a.shape[0]
        for k in range(n):
            p = k + int(np.argmax(np.abs(a[k:, k])))
            if a[p, k] == 0:
                return idx, k + 1
            a[[k, p]] = a[[p, k]]
            a[k + 1:, k:] -= np.outer(a[k + 1:, k] / a[k, k], a[k, k:])
    return (0,) * (x.ndim - 2), x.shape[-1]


def _not_pd_order(x):
    """The batch index and order of the first leading minor that is not positive-definite."""
    x = _host(x)
    for idx in np.ndindex(x.shape[:-2]):
        a = x[idx]
        for k in range(1, a.shape[0] + 1):
            try:
                np.linalg.cholesky(a[:k, :k])
            except np.linalg.LinAlgError:
                return idx, k
    return (0,) * (x.ndim - 2), x.shape[-1]


# -- multi-output nodes ------------------------------------------------------------------------
class _DecompNode(Node):
    """A node that keeps its outputs (as arrays) for its backward: ``keep(*outs)`` then
    ``outputs()``, which rebuilds them as tensors of this node when a graph is recorded."""
    __slots__ = ()

    def keep(self, *outs):
        self._out = tuple((o._data, o._dtype, o._device, o._vc, o._vc[0]) if o is not None
                          else None for o in outs)

    def outputs(self):
        kept = self._out
        if kept is None:
            raise RuntimeError(_FREED)
        res = []
        for k, o in enumerate(kept):
            if o is None:
                res.append(None)
                continue
            data, dtype, device, box, version = o
            t = make(data, dtype, device)
            if box[0] != version:
                raise RuntimeError(_modified_message(t, version, self, box[0]))
            t._vc = box
            if state.enabled:
                t.grad_fn, t._output_nr, t._requires_grad = self, k, True
            res.append(t)
        return res


def _record_outputs(node, outs, *inputs):
    """Make ``node`` the ``grad_fn`` of every tensor of ``outs`` (output k has
    ``output_nr`` k)."""
    record(node, outs[0], *inputs)
    for k, o in enumerate(outs):
        if o is not None:
            o.grad_fn, o._output_nr, o._requires_grad = node, k, True


def _zeros_like(t):
    return make(xp_of(t).zeros(t._data.shape, t._data.dtype), t._dtype, t._device)


def _eye_like(n, t):
    return make(xp_of(t).eye(n, dtype=t._data.dtype), t._dtype, t._device)


def _tril_mask(n, t, k=0):
    xp = xp_of(t)
    return make(xp.tril(xp.ones((n, n), t._data.dtype), k), t._dtype, t._device)


def _diag_embed(v):
    """A batch of diagonal matrices from a batch of vectors (differentiable)."""
    n = v._data.shape[-1]
    return v.unsqueeze(-1) * _eye_like(n, v)


# -- inv -------------------------------------------------------------------------------------------
class LinalgInvExBackward0(_DecompNode):
    """d(A^-1) = -A^-1 dA A^-1, so gA = -A^-T g A^-T. (Outputs: the inverse, and ``info``,
    which has no gradient.)"""
    __slots__ = ()
    n_outputs = 2

    def backward(self, grads):
        g = grads[0]
        if g is None:
            return None
        y = self.outputs()[0].mT
        return -(y @ g @ y)


def _inv_array(x, fn):
    try:
        return xp_of_array(x).linalg.inv(x)
    except np.linalg.LinAlgError:
        idx, k = _first_zero_pivot(x)
        raise LinAlgError(f'{fn}: {_batch_prefix(x.shape, idx)}The diagonal element {k} is zero, '
                          'the inversion could not be completed because the input matrix is '
                          'singular.') from None


def inv(A, *, out=None):
    """The inverse of a square matrix (or of each matrix of a batch ``(*, n, n)``).
    Raises :class:`flambeau.linalg.LinAlgError` for a singular matrix.

    Example::

        >>> flambeau.linalg.inv(flambeau.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    _check_matrix(A, 'linalg.inv')
    _check_float(A, 'linalg.inv')
    x = A._data
    r = make(_inv_array(x, 'linalg.inv') if x.size else x.copy(), A._dtype, A._device)
    if state.enabled and A._requires_grad:
        node = LinalgInvExBackward0()
        node.keep(r)
        record(node, r, A)
    return r if out is None else out.copy_(r)


def inverse(input, *, out=None):
    """Alias of :func:`flambeau.linalg.inv`."""
    return inv(input, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    """The inverse of a square matrix and ``info``: 0 where the matrix was invertible, else
    the position of the first zero pivot (then the inverse holds no meaningful values).

    Example::

        >>> flambeau.linalg.inv_ex(flambeau.eye(2)).info
        tensor(0, dtype=torch.int32)
    """
    _check_matrix(A, 'linalg.inv_ex')
    _check_float(A, 'linalg.inv_ex')
    x = A._data
    xp = xp_of(A)
    info = xp.zeros(x.shape[:-2], np.int32)
    try:
        y = xp.linalg.inv(x) if x.size else x.copy()
    except np.linalg.LinAlgError:
        if check_errors:
            _inv_array(x, 'linalg.inv_ex')
        y = xp.full(x.shape, np.nan, x.dtype)
        for idx in np.ndindex(x.shape[:-2]):
            try:
                y[idx] = xp.linalg.inv(x[idx])
            except np.linalg.LinAlgError:
                info[idx] = _first_zero_pivot(x[idx][None])[1]
    r = make(y, A._dtype, A._device)
    i = make(info, _dt.int32, A._device)
    if state.enabled and A._requires_grad:
        node = LinalgInvExBackward0()
        node.keep(r)
        record(node, r, A)
    res = _R_linalg_inv_ex(r, i)
    if out is not None:
        out[0].copy_(r)
        out[1].copy_(i)
        return _R_linalg_inv_ex(*out)
    return res


# -- det, slogdet, logdet --------------------------------------------------------------------------
def _cofactor_t(A):
    """``det(A) * A^-T`` (the transposed adjugate), also for singular matrices, through the
    SVD: A = U S V^T gives det(U) det(V) U diag(prod_{j != i} s_j) V^T."""
    x = A._data
    xp = xp_of(A)
    u, s, vh = xp.linalg.svd(x)
    n = s.shape[-1]
    prods = xp.stack([xp.prod(xp.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1) \
        if n else s
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    res = (u * prods[..., None, :]) @ vh * sign[..., None, None]
    return make(res.astype(x.dtype), A._dtype, A._device)


class LinalgDetBackward0(_DecompNode):
    __slots__ = ()

    def backward(self, g):
        (A,) = self.saved_tensors
        d = self.outputs()[0]
        try:
            return (g * d).unsqueeze(-1).unsqueeze(-1) * inv(A).mT
        except LinAlgError:
            return g.unsqueeze(-1).unsqueeze(-1) * _cofactor_t(A)


def det(A, *, out=None):
    """The determinant of a square matrix (or of each matrix of a batch).

    Example::

        >>> flambeau.linalg.det(flambeau.tensor([[1., 2.], [3., 4.]]))
        tensor(-2.0000)
    """
    _check_matrix(A, 'linalg.det')
    _check_float(A, 'linalg.det', 'lu_cpu')
    x = A._data
    xp = xp_of(A)
    res = xp.linalg.det(x) if x.size else xp.ones(x.shape[:-2], x.dtype)
    r = make(xp.asarray(res).astype(x.dtype), A._dtype, A._device)
    if state.enabled and A._requires_grad:
        node = LinalgDetBackward0()
        node.save(A)
        node.keep(r)
        record(node, r, A)
    return r if out is None else out.copy_(r)


class LinalgSlogdetBackward0(_DecompNode):
    """Only ``logabsdet`` is differentiable: d log|det A| = tr(A^-1 dA)."""
    __slots__ = ()
    n_outputs = 2

    def backward(self, grads):
        g = grads[1]
        if g is None:
            return None
        (A,) = self.saved_tensors
        return g.unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def _slogdet(A, fn, result, check=None):
    _check_matrix(A, check or fn)
    _check_float(A, check or fn)
    x = A._data
    xp = xp_of(A)
    sign, lad = xp.linalg.slogdet(x)
    s = make(xp.asarray(sign).astype(x.dtype), A._dtype, A._device)
    l_ = make(xp.asarray(lad).astype(x.dtype), A._dtype, A._device)
    if state.enabled and A._requires_grad:
        node = LinalgSlogdetBackward0()
        node.save(A)
        _record_outputs(node, (s, l_), A)
    return result(s, l_)


def linalg_slogdet(A, *, out=None):
    """The sign and the natural log of the absolute value of the determinant, as a named
    tuple ``(sign, logabsdet)``; more accurate than ``det`` when the determinant under- or
    overflows.

    Example::

        >>> flambeau.linalg.slogdet(flambeau.tensor([[1., 2.], [3., 4.]]))
        torch.return_types.linalg_slogdet(
        sign=tensor(-1.),
        logabsdet=tensor(0.6931))
    """
    r = _slogdet(A, 'linalg.slogdet', _R_linalg_slogdet)
    if out is not None:
        out[0].copy_(r[0])
        out[1].copy_(r[1])
        return _R_linalg_slogdet(*out)
    return r


def slogdet(input):
    """The sign and log absolute value of the determinant, as a named tuple
    ``(sign, logabsdet)``; see :func:`flambeau.linalg.slogdet`.

    Example::

        >>> flambeau.slogdet(flambeau.tensor([[2., 0.], [0., 3.]])).logabsdet
        tensor(1.7918)
    """
    return _slogdet(input, 'linalg.slogdet', _R_slogdet_result)


def logdet(input):
    """The natural log of the determinant: nan for a negative determinant, -inf for zero.

    Example::

        >>> flambeau.logdet(flambeau.tensor([[2., 0.], [0., 3.]]))
        tensor(1.7918)
    """
    from .pointwise import where
    sign, lad = _slogdet(input, 'linalg.slogdet', _R_linalg_slogdet, 'logdet')
    return where(sign < 0, math.nan, lad)


# -- solve -----------------------------------------------------------------------------------------
class LinalgSolveExBackward0(_DecompNode):
    """AX = B: gB = A^-T gX, gA = -gB X^T (for XA = B: gB = gX A^-T, gA = -X^T gB); batch
    dims that broadcast are summed back."""
    __slots__ = ('left', 'vector', 'b_shape')

    def backward(self, g):
        (A,) = self.saved_tensors
        X = self.outputs()[0]
        left, vec = self.left, self.vector
        if vec:
            g, X = g.unsqueeze(-1), X.unsqueeze(-1)
        gB = _solve(A.mT, g, left, False)
        gA = None
        if self.next_functions[0][0] is not None:
            gA = -(gB @ X.mT) if left else -(X.mT @ gB)
            gA = gA.sum_to_size(A.shape)
        if vec:
            gB = gB.squeeze(-1)
        return gA, gB.sum_to_size(self.b_shape)


def _solve_array(x, y, left):
    xp = xp_of_array(x)
    if not left:
        x, y = x.swapaxes(-1, -2), y.swapaxes(-1, -2)
    try:
        res = xp.linalg.solve(x, y) if x.size and y.size else \
            xp.zeros(np.broadcast_shapes(x.shape[:-2], y.shape[:-2]) + y.shape[-2:], y.dtype)
    except np.linalg.LinAlgError:
        raise LinAlgError('torch.linalg.solve: The solver failed because the input matrix is '
                          'singular.') from None
    return res.swapaxes(-1, -2) if not left else res


def _solve(A, B, left, vector):
    """``A^-1 B`` (``B A^-1`` if not ``left``); ``B`` a batch of matrices, or of vectors if
    ``vector``. Batch dims broadcast. Records the node."""
    b = B._data[..., None] if vector else B._data
    res = _solve_array(A._data, b, left)
    if vector:
        res = res[..., 0]
    r = make(res, A._dtype, A._device)
    if state.enabled and (A._requires_grad or B._requires_grad):
        node = LinalgSolveExBackward0()
        node.left, node.vector, node.b_shape = left, vector, B._data.shape
        node.save(A)
        node.keep(r)
        record(node, r, A, B)
    return r


def solve(A, B, *, left=True, out=None):
    """The solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``) for square,
    invertible ``A``. Batch dims broadcast; ``B`` of shape ``(*, n)`` is a batch of vectors.
    Raises :class:`flambeau.linalg.LinAlgError` for a singular ``A``.

    Example::

        >>> A = flambeau.tensor([[3., 1.], [1., 2.]])
        >>> flambeau.linalg.solve(A, flambeau.tensor([9., 8.]))
        tensor([2., 3.])
    """
    _check_matrix(A, 'linalg.solve')
    _check_float(A, 'linalg.solve', 'lu_cpu')
    if A._dtype is not B._dtype:
        raise RuntimeError(f'linalg.solve: Expected A and B to have the same dtype, but found A '
                           f'of type {dtype_title(A._dtype)} and B of type '
                           f'{dtype_title(B._dtype)} instead')
    sa, sb = A._data.shape, B._data.shape
    vector = len(sb) == 1 or (len(sb) == len(sa) - 1 and sb == sa[:-1])
    sm = sb + (1,) if vector else sb
    n = sa[-1]
    if len(sm) < 2 or (sm[-2] != n if left else sm[-1] != n):
        eq = 'AX = B' if left else 'XA = B'
        raise RuntimeError(f'linalg.solve: Incompatible shapes of A and B for the equation {eq} '
                           f'({sa[-2]}x{sa[-1]} and {sm[-2] if len(sm) > 1 else sm[-1]}x'
                           f'{sm[-1] if len(sm) > 1 else 1})')
    try:
        np.broadcast_shapes(sa[:-2], sm[:-2])
    except ValueError:
        raise RuntimeError(f'The size of tensor a ({sa[-3]}) must match the size of tensor b '
                           f'({sm[-3]}) at non-singleton dimension 0') from None
    r = _solve(A, B, left, vector)
    return r if out is None else out.copy_(r)


# -- cholesky ---------------------------------------------------------------------------------------
class LinalgCholeskyExBackward0(_DecompNode):
    """A = L L^T: with P = Φ(L^T gL) (lower triangle, halved diagonal),
    gA = sym(L^-T P L^-1)."""
    __slots__ = ('upper', 'label')
    n_outputs = 2

    def name(self):
        return self.label

    def backward(self, grads):
        g = grads[0] if type(grads) in (tuple, list) else grads
        if g is None:
            return None
        L = self.outputs()[0]
        if self.upper:
            L, g = L.mT, g.mT
        n = L._data.shape[-1]
        phi = (L.mT @ g) * _tril_mask(n, L)
        phi = phi - 0.5 * (phi * _eye_like(n, L))
        Linv = inv(L)
        s = Linv.mT @ phi @ Linv
        return 0.5 * (s + s.mT)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    __slots__ = ()
    n_outputs = 1


def _cholesky(A, upper, fn, check=True, any_dtype=False):
    _check_matrix(A, fn)
    _check_float(A, fn, 'cholesky_cpu', any_dtype)
    x = A._data
    xp = xp_of(A)
    info = None
    try:
        L = xp.linalg.cholesky(x) if x.size else x.copy()
    except np.linalg.LinAlgError:
        idx, k = _not_pd_order(x)
        if check:
            raise LinAlgError(f'{fn}: {_batch_prefix(x.shape, idx)}The factorization could not '
                              'be completed because the input is not positive-definite (the '
                              f'leading minor of order {k} is not positive-definite).') from None
        L = xp.zeros_like(x)
        info = xp.zeros(x.shape[:-2], np.int32)
        for i in np.ndindex(x.shape[:-2]):
            try:
                L[i] = xp.linalg.cholesky(x[i])
            except np.linalg.LinAlgError:
                info[i] = _not_pd_order(x[i][None])[1]
    if upper:
        L = xp.ascontiguousarray(L.swapaxes(-1, -2))
    return make(L, A._dtype, A._device), info


def cholesky(A, upper=False, *, out=None):
    """The Cholesky factor ``L`` of a symmetric positive-definite matrix, ``A = L L^T``
    (``U`` with ``A = U^T U`` for ``upper=True``); only the lower triangle of ``A`` is read.
    Raises :class:`flambeau.linalg.LinAlgError` when ``A`` is not positive-definite.

    ``flambeau.cholesky`` is deprecated in favour of :func:`flambeau.linalg.cholesky`.

    Example::

        >>> flambeau.linalg.cholesky(flambeau.tensor([[4., 2.], [2., 2.]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    warnings.warn('torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be '
                  'removed in a future PyTorch release.\nL = torch.cholesky(A)\nshould be '
                  'replaced with\nL = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, '
                  'upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis '
                  'transform will produce equivalent results for all valid (symmetric positive '
                  'definite) inputs.', UserWarning, stacklevel=2)
    return _cholesky_op(A, upper, 'linalg.cholesky', 'CholeskyBackward0', out)


def linalg_cholesky(A, *, upper=False, out=None):
    """The Cholesky factor ``L`` of a symmetric positive-definite matrix (``A = L L^T``), or
    ``U`` (``A = U^T U``) with ``upper=True``. Only the lower triangle of ``A`` is read.
    Raises :class:`flambeau.linalg.LinAlgError` when ``A`` is not positive-definite.

    Example::

        >>> flambeau.linalg.cholesky(flambeau.tensor([[4., 2.], [2., 2.]]))
        tensor([[2., 0.],
                [1., 1.]])
    """
    return _cholesky_op(A, upper, 'linalg.cholesky', 'LinalgCholeskyExBackward0', out)


def _cholesky_op(A, upper, fn, label, out):
    r, _ = _cholesky(A, upper, fn, any_dtype=label == 'CholeskyBackward0')
    if state.enabled and A._requires_grad:
        node = CholeskyBackward0() if label == 'CholeskyBackward0' else \
            LinalgCholeskyExBackward0()
        node.upper, node.label = upper, label
        node.keep(r)
        record(node, r, A)
    return r if out is None else out.copy_(r)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """:func:`cholesky` and ``info``: 0 where the factorization succeeded, else the order of
    the leading minor that is not positive-definite.

    Example::

        >>> flambeau.linalg.cholesky_ex(flambeau.eye(2)).info
        tensor(0, dtype=torch.int32)
    """
    r, info = _cholesky(A, upper, 'linalg.cholesky_ex', check=check_errors)
    xp = xp_of(A)
    i = make(info if info is not None else xp.zeros(A._data.shape[:-2], np.int32), _dt.int32,
             A._device)
    if state.enabled and A._requires_grad:
        node = LinalgCholeskyExBackward0()
        node.upper, node.label = upper, 'LinalgCholeskyExBackward0'
        node.keep(r)
        record(node, r, A)
    return _R_linalg_cholesky_ex(r, i)


class CholeskySolveBackward0(_DecompNode):
    """X = (L L^T)^-1 B: gB = cholesky_solve(gX, L), gL = -(gB X^T + X gB^T) L
    (U (...) for upper)."""
    __slots__ = ('upper',)

    def backward(self, g):
        B, L = self.saved_tensors
        X = self.outputs()[0]
        gB = cholesky_solve(g, L, self.upper)
        gL = None
        if self.next_functions[1][0] is not None:
            c = gB @ X.mT
            c = c + c.mT
            gL = -(L @ c) if self.upper else -(c @ L)
            gL = gL.sum_to_size(L.shape)
        return gB.sum_to_size(B.shape), gL


def cholesky_solve(B, L, upper=False, *, out=None):
    """The solution ``X`` of ``A X = B`` given the Cholesky factor ``L`` of ``A``
    (``A = L L^T``, or ``A = U^T U`` with ``upper=True``).

    Example::

        >>> L = flambeau.tensor([[2., 0.], [1., 1.]])
        >>> flambeau.cholesky_solve(flambeau.tensor([[4.], [2.]]), L)
        tensor([[1.],
                [0.]])
    """
    if B._data.ndim < 2:
        raise RuntimeError(f'b should have at least 2 dimensions, but has {B._data.ndim} '
                           'dimensions instead')
    if L._data.ndim < 2:
        raise RuntimeError(f'u should have at least 2 dimensions, but has {L._data.ndim} '
                           'dimensions instead')
    if B._dtype is not L._dtype:
        raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type '
                           f'{dtype_title(B._dtype)} and A of type {dtype_title(L._dtype)} '
                           'instead.')
    _check_float(L, 'cholesky_solve', 'cholesky_solve_cpu', True)
    xp = xp_of(L)
    lo = L._data
    lo = xp.tril(lo.swapaxes(-1, -2)) if upper else xp.tril(lo)
    A = lo @ lo.swapaxes(-1, -2)
    try:
        res = xp.linalg.solve(A, B._data) if A.size and B._data.size else \
            xp.zeros(np.broadcast_shapes(A.shape[:-2], B._data.shape[:-2]) + B._data.shape[-2:],
                     B._data.dtype)
    except np.linalg.LinAlgError:
        res = xp.full(np.broadcast_shapes(A.shape, B._data.shape), np.nan, B._data.dtype)
    r = make(res, B._dtype, B._device)
    if state.enabled and (B._requires_grad or L._requires_grad):
        node = CholeskySolveBackward0()
        node.upper = upper
        node.save(B, L)
        node.keep(r)
        record(node, r, B, L)
    return r if out is None else out.copy_(r)


# -- qr ------------------------------------------------------------------------------------------
class LinalgQrBackward0(_DecompNode):
    """A = QR with m >= n (reduced): M = R gR^T - gQ^T Q,
    gA = (gQ + Q copyltu(M)) R^-T where copyltu(M) mirrors M's lower triangle. For m < n,
    A = [X | Y] with X square: X takes that formula with gQ + Y gV^T, Y takes Q gV."""
    __slots__ = ('mode',)
    n_outputs = 2

    def backward(self, grads):
        if self.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               'are going to differentiate through linalg.qr.')
        gQ, gR = grads
        Q, R = self.outputs()
        m, n = Q._data.shape[-2], R._data.shape[-1]
        if self.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               'and nrows > ncols.')
        if gQ is None:
            gQ = _zeros_like(Q)
        if gR is None:
            gR = _zeros_like(R)
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R)
        X = R[..., :, :m]
        Y = R[..., :, m:]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        A_Y = Q @ Y
        gX = _qr_backward_tall(gQ + A_Y @ gV.mT, gU, Q, X)
        from .shape import cat
        return cat([gX, Q @ gV], -1)


def _qr_backward_tall(gQ, gR, Q, R):
    k = R._data.shape[-1]
    M = R @ gR.mT - gQ.mT @ Q
    low = M * _tril_mask(k, M, -1)
    copyltu = low + low.mT + M * _eye_like(k, M)
    b = gQ + Q @ copyltu
    return b @ inv(R).mT


def qr(A, mode='reduced', *, out=None):
    """The QR decomposition ``A = Q R`` with ``Q`` orthonormal columns and ``R`` upper
    triangular, as a named tuple ``(Q, R)``. ``mode``: ``'reduced'`` (``Q`` is ``(m, k)``,
    ``k = min(m, n)``), ``'complete'`` (``Q`` is ``(m, m)``) or ``'r'`` (only ``R``; ``Q`` is
    empty).

    Example::

        >>> Q, R = flambeau.linalg.qr(flambeau.tensor([[3., 0.], [4., 1.]]))
        >>> (Q @ R).round()
        tensor([[3., 0.],
                [4., 1.]])
    """
    if mode not in ('reduced', 'complete', 'r'):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix(A, 'linalg.qr', square=False)
    _check_float(A, 'linalg.qr', 'geqrf_cpu', empty_runs=True)
    x = A._data
    xp = xp_of(A)
    m, n = x.shape[-2:]
    if x.size:
        q, r = xp.linalg.qr(x, mode='complete' if mode == 'complete' else 'reduced')
    else:
        k = m if mode == 'complete' else min(m, n)
        q = xp.broadcast_to(xp.eye(m, k, dtype=x.dtype), x.shape[:-2] + (m, k)).copy()
        r = xp.zeros(x.shape[:-2] + (k, n), x.dtype)
    if mode == 'r':
        q = xp.zeros((0,), x.dtype)
    Q, R = make(q, A._dtype, A._device), make(r, A._dtype, A._device)
    if state.enabled and A._requires_grad:
        node = LinalgQrBackward0()
        node.mode = mode
        node.keep(Q, R)
        _record_outputs(node, (Q, R), A)
    res = _R_linalg_qr(Q, R)
    if out is not None:
        out[0].copy_(Q)
        out[1].copy_(R)
        return _R_linalg_qr(*out)
    return res


# -- eigh -----------------------------------------------------------------------------------------
class LinalgEighBackward0(_DecompNode):
    """A = V diag(L) V^T: gA = V (diag(gL) + F * (V^T gV)) V^T with F_ij = 1 / (L_j - L_i)
    off the diagonal (Note [Gauge])."""
    __slots__ = ()
    n_outputs = 2

    def backward(self, grads):
        gL, gV = grads
        L, V = self.outputs()
        inner = None
        if gV is not None:
            n = L._data.shape[-1]
            eye = _eye_like(n, L)
            E = L.unsqueeze(-2) - L.unsqueeze(-1) + eye
            inner = (V.mT @ gV) / E * (1 - eye)
        if gL is not None:
            d = _diag_embed(gL)
            inner = d if inner is None else inner + d
        return V @ inner @ V.mT


def _eigh(A, UPLO, fn):
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix(A, fn)
    _check_float(A, fn, 'linalg_eigh_cpu', True)
    x = A._data
    xp = xp_of(A)
    if x.size:
        try:
            w, v = xp.linalg.eigh(x, UPLO=UPLO)
        except np.linalg.LinAlgError:
            raise LinAlgError(f'{fn}: The algorithm failed to converge because the input matrix '
                              'is ill-conditioned or has too many repeated eigenvalues.') from None
    else:
        n = x.shape[-1]
        w = xp.zeros(x.shape[:-1], x.dtype)
        v = xp.broadcast_to(xp.eye(n, dtype=x.dtype), x.shape).copy()
    return make(w, A._dtype, A._device), make(v, A._dtype, A._device)


def eigh(A, UPLO='L', *, out=None):
    """The eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric
    matrix, as a named tuple ``(eigenvalues, eigenvectors)``; only the ``UPLO`` ('L' or 'U')
    triangle is read. Eigenvectors are defined up to sign (Note [Gauge]).

    Example::

        >>> flambeau.linalg.eigh(flambeau.tensor([[2., 0.], [0., 1.]])).eigenvalues
        tensor([1., 2.])
    """
    L, V = _eigh(A, UPLO, 'linalg.eigh')
    if state.enabled and A._requires_grad:
        node = LinalgEighBackward0()
        node.keep(L, V)
        _record_outputs(node, (L, V), A)
    if out is not None:
        out[0].copy_(L)
        out[1].copy_(V)
        return _R_linalg_eigh(*out)
    return _R_linalg_eigh(L, V)


def eigvalsh(A, UPLO='L', *, out=None):
    """The eigenvalues (ascending) of a symmetric matrix; only the ``UPLO`` triangle is read.

    Example::

        >>> flambeau.linalg.eigvalsh(flambeau.tensor([[2., 1.], [1., 2.]]))
        tensor([1., 3.])
    """
    L, V = _eigh(A, UPLO, 'linalg.eigh')
    if state.enabled and A._requires_grad:
        node = LinalgEighBackward0()
        node.keep(L, V)
        record(node, L, A)
    return L if out is None else out.copy_(L)


# -- svd ------------------------------------------------------------------------------------------
class LinalgSvdBackward0(_DecompNode):
    """A = U diag(S) Vh (Townsend's formula, Note [Gauge]): with F_ij = 1 / (s_j^2 - s_i^2),
    gA = U [F*(U^T gU - gU^T U) S + S F*(V^T gV - gV^T V) + diag(gS)] V^T
         + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T).
    With ``full_matrices`` only the first k = min(m, n) vectors take part."""
    __slots__ = ('full',)
    n_outputs = 3

    def backward(self, grads):
        gU, gS, gVh = grads
        U, S, Vh = self.outputs()
        k = S._data.shape[-1]
        if self.full:
            m, n = U._data.shape[-1], Vh._data.shape[-2]
            if m > k:
                U = U[..., :, :k]
                gU = gU[..., :, :k] if gU is not None else None
            if n > k:
                Vh = Vh[..., :k, :]
                gVh = gVh[..., :k, :] if gVh is not None else None
        return _svd_backward(gU, gS, gVh, U, S, Vh)


def _svd_backward(gU, gS, gVh, U, S, Vh):
    if gU is None and gVh is None:
        return (U * gS.unsqueeze(-2)) @ Vh if gS is not None else None
    k = S._data.shape[-1]
    m, n = U._data.shape[-2], Vh._data.shape[-1]
    eye = _eye_like(k, S)
    S2 = S * S
    F = (1 - eye) / (S2.unsqueeze(-2) - S2.unsqueeze(-1) + eye)
    Srow, Scol = S.unsqueeze(-2), S.unsqueeze(-1)
    V = Vh.mT
    inner = _diag_embed(gS) if gS is not None else None
    extra = None
    if gU is not None:
        J = U.mT @ gU
        t = F * (J - J.mT) * Srow
        inner = t if inner is None else inner + t
        if m > k:
            extra = (gU - U @ J) / Srow @ Vh
    if gVh is not None:
        gV = gVh.mT
        K = V.mT @ gV
        t = Scol * (F * (K - K.mT))
        inner = t if inner is None else inner + t
        if n > k:
            e = U @ ((gV - V @ K).mT / Scol)
            extra = e if extra is None else extra + e
    res = U @ inner @ Vh
    return res if extra is None else res + extra


def _svd_arrays(A, full_matrices, fn='linalg.svd'):
    _check_matrix(A, fn, square=False)
    _check_float(A, fn, 'linalg_svd_cpu')
    x = A._data
    xp = xp_of(A)
    m, n = x.shape[-2:]
    k = min(m, n)
    if x.size:
        try:
            u, s, vh = xp.linalg.svd(x, full_matrices=full_matrices)
        except np.linalg.LinAlgError:
            raise LinAlgError(f'{fn}: The algorithm failed to converge because the input matrix '
                              'is ill-conditioned or has too many repeated singular '
                              'values.') from None
    else:
        b = x.shape[:-2]
        mu, nv = (m, n) if full_matrices else (k, k)
        u = xp.broadcast_to(xp.eye(m, mu, dtype=x.dtype), b + (m, mu)).copy()
        s = xp.zeros(b + (k,), x.dtype)
        vh = xp.broadcast_to(xp.eye(nv, n, dtype=x.dtype), b + (nv, n)).copy()
    d, dev = A._dtype, A._device
    return make(u, d, dev), make(s, d, dev), make(vh, d, dev)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """The singular value decomposition ``A = U diag(S) Vh`` as a named tuple
    ``(U, S, Vh)``, singular values in descending order. ``full_matrices=False`` gives the
    reduced ``(m, k)`` and ``(k, n)`` factors, ``k = min(m, n)``. Singular vectors are defined
    up to sign (Note [Gauge]).

    Example::

        >>> flambeau.linalg.svd(flambeau.tensor([[3., 0.], [0., -2.]])).S
        tensor([3., 2.])
    """
    U, S, Vh = _svd_arrays(A, full_matrices)
    if state.enabled and A._requires_grad:
        node = LinalgSvdBackward0()
        node.full = full_matrices
        node.keep(U, S, Vh)
        _record_outputs(node, (U, S, Vh), A)
    if out is not None:
        for o, r in zip(out, (U, S, Vh)):
            o.copy_(r)
        return _R_linalg_svd(*out)
    return _R_linalg_svd(U, S, Vh)


def svdvals(A, *, driver=None, out=None):
    """The singular values of a matrix (or of each matrix of a batch), descending.

    Example::

        >>> flambeau.linalg.svdvals(flambeau.tensor([[3., 0.], [0., -2.]]))
        tensor([3., 2.])
    """
    if state.enabled and A._requires_grad:
        U, S, Vh = _svd_arrays(A, False)
        node = LinalgSvdBackward0()
        node.full = False
        node.keep(U, S, Vh)
        record(node, S, A)
        S._output_nr = 1
    else:
        _check_matrix(A, 'linalg.svd', square=False)
        _check_float(A, 'linalg.svd', 'linalg_svd_cpu')
        x = A._data
        xp = xp_of(A)
        s = xp.linalg.svd(x, compute_uv=False) if x.size else \
            xp.zeros(x.shape[:-2] + (min(x.shape[-2:]),), x.dtype)
        S = make(s, A._dtype, A._device)
    return S if out is None else out.copy_(S)


def svd(input, some=True, compute_uv=True, *, out=None):
    """The singular value decomposition ``input = U diag(S) V^T`` as a named tuple
    ``(U, S, V)`` (note: ``V``, not ``Vh``). ``some=True`` gives the reduced factors; with
    ``compute_uv=False`` ``U`` and ``V`` are zero matrices. Prefer
    :func:`flambeau.linalg.svd`.

    Example::

        >>> U, S, V = flambeau.svd(flambeau.tensor([[3., 0.], [0., -2.]]))
        >>> S
        tensor([3., 2.])
    """
    if not compute_uv:
        S = svdvals(input)
        xp = xp_of(input)
        b = input._data.shape[:-2]
        m, n = input._data.shape[-2:]
        U = make(xp.zeros(b + (m, m), input._data.dtype), input._dtype, input._device)
        V = make(xp.zeros(b + (n, n), input._data.dtype), input._dtype, input._device)
        return _R_svd_result(U, S, V)
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _R_svd_result(U, S, Vh.mT)


# -- pinv, lstsq, matrix_rank -------------------------------------------------------------------------
def _tolerance(s_max, dt, m, n, atol, rtol):
    """The cut-off under which singular values count as zero: max(atol, rtol * s_max), with
    rtol defaulting to eps * max(m, n) when neither is given (0 when only atol is)."""
    if rtol is None:
        rtol = 0.0 if atol is not None and _positive(atol) else \
            float(np.finfo(dt.numpy).eps) * max(m, n)
    a = _as_array(atol, 0.0)
    r = _as_array(rtol, 0.0)
    return xp_of_array(s_max).maximum(a, r * s_max)


def _positive(v):
    if isinstance(v, Tensor):
        return bool((v._data > 0).any())
    return v > 0


def _as_array(v, default):
    if v is None:
        return default
    if isinstance(v, Tensor):
        return v._data
    return v


class LinalgPinvBackward0(_DecompNode):
    """P = pinv(A) (constant rank): gA = -P^T gP P^T + (I - A P) gP^T P P^T
    + P^T P gP^T (I - P A)."""
    __slots__ = ()

    def backward(self, g):
        (A,) = self.saved_tensors
        P = self.outputs()[0]
        return _pinv_backward(g, A, P)


def _pinv_backward(g, A, P):
    Pt, gt = P.mT, g.mT
    res = -(Pt @ g @ Pt)
    res = res + (gt - A @ (P @ gt)) @ (P @ Pt)
    return res + (Pt @ P) @ (gt - (gt @ P) @ A)


def _pinv_array(x, atol, rtol, hermitian, dt):
    xp = xp_of_array(x)
    m, n = x.shape[-2:]
    if not x.size:
        return xp.zeros(x.shape[:-2] + (n, m), x.dtype)
    if hermitian:
        w, v = xp.linalg.eigh(x)
        s_max = xp.abs(w).max(axis=-1, keepdims=True)
        tol = _tolerance(s_max, dt, m, n, _unsq(atol), _unsq(rtol))
        keep = xp.abs(w) > tol
        winv = xp.where(keep, 1 / xp.where(keep, w, 1), 0)
        return (v * winv[..., None, :]) @ v.swapaxes(-1, -2)
    u, s, vh = xp.linalg.svd(x, full_matrices=False)
    s_max = s[..., :1]
    tol = _tolerance(s_max, dt, m, n, _unsq(atol), _unsq(rtol))
    keep = s > tol
    sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0)
    return (vh.swapaxes(-1, -2) * sinv[..., None, :]) @ u.swapaxes(-1, -2)


def _unsq(v):
    """A tolerance tensor of the batch shape, aligned with (..., k) singular values."""
    if isinstance(v, Tensor):
        return make(v._data[..., None], v._dtype, v._device)
    return v


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The Moore-Penrose pseudo-inverse, from the SVD (the eigendecomposition with
    ``hermitian=True``): singular values at most ``max(atol, rtol * s_max)`` count as zero
    (``rtol`` defaults to ``eps * max(m, n)``; ``rcond`` is the old name of ``rtol``).

    Example::

        >>> flambeau.linalg.pinv(flambeau.tensor([[1., 0.], [0., 0.]]))
        tensor([[1., 0.],
                [0., 0.]])
    """
    if not isinstance(A, Tensor) or A._data.ndim < 2 or not A._dtype.is_floating_point or \
            A._dtype.itemsize == 2:
        dt = dtype_title(A._dtype) if isinstance(A, Tensor) else type(A).__name__
        shape = list(A._data.shape) if isinstance(A, Tensor) else []
        raise RuntimeError(f'linalg.pinv({dt}{{{shape}}}): expected a tensor with 2 or more '
                           'dimensions of float, double, cfloat or cdouble types')
    if rcond is not None:
        if rtol is not None:
            raise RuntimeError('linalg.pinv: rcond and rtol cannot both be given')
        rtol = rcond
    x = A._data
    r = make(_pinv_array(x, atol, rtol, hermitian, A._dtype).astype(x.dtype), A._dtype,
             A._device)
    if state.enabled and A._requires_grad:
        node = LinalgPinvBackward0()
        node.save(A)
        node.keep(r)
        record(node, r, A)
    return r if out is None else out.copy_(r)


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse of ``input`` (singular values below ``rcond * s_max`` count as
    zero). See :func:`flambeau.linalg.pinv`.

    Example::

        >>> flambeau.pinverse(flambeau.tensor([[2., 0.], [0., 4.]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    return pinv(input, rtol=rcond)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values (absolute eigenvalues with ``hermitian=True``) above
    ``max(atol, rtol * s_max)``; ``rtol`` defaults to ``eps * max(m, n)``, ``tol`` is the old
    name of ``atol``. Returns an int64 tensor of the batch shape.

    Example::

        >>> flambeau.linalg.matrix_rank(flambeau.ones(3, 3))
        tensor(1)
    """
    if not isinstance(A, Tensor) or A._dtype not in (_float32, _float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    _check_matrix(A, 'linalg.matrix_rank', square=False)
    if tol is not None:
        atol, rtol = tol, 0.0
    x = A._data
    xp = xp_of(A)
    m, n = x.shape[-2:]
    if not x.size:
        return make(xp.zeros(x.shape[:-2], np.int64), _dt.int64, A._device)
    s = xp.abs(xp.linalg.eigvalsh(x)) if hermitian else xp.linalg.svd(x, compute_uv=False)
    s_max = s.max(axis=-1, keepdims=True)
    tol_ = _tolerance(s_max, A._dtype, m, n, _unsq(atol), _unsq(rtol))
    r = make(xp.asarray((s > tol_).sum(axis=-1), dtype=np.int64), _dt.int64, A._device)
    return r if out is None else out.copy_(r)


class LinalgLstsqBackward0(_DecompNode):
    """X = pinv(A) B: gB = pinv(A)^T gX, gA from the pseudo-inverse's derivative with
    gP = gX B^T. The residuals r = |A X - B|^2 (at the optimum, so X's own change does not
    count) add 2 (A X - B) gr X^T to gA and -2 (A X - B) gr to gB."""
    __slots__ = ('vector',)
    n_outputs = 2

    def backward(self, grads):
        g, gr = grads
        A, B = self.saved_tensors
        vec = self.vector
        Bm = B.unsqueeze(-1) if vec else B
        gA = gB = None
        if g is not None:
            P = pinv(A)
            gm = g.unsqueeze(-1) if vec else g
            gA = _pinv_backward(gm @ Bm.mT, A, P)
            gB = P.mT @ gm
        if gr is not None and gr._data.size:
            X = self.outputs()[0]
            Xm = X.unsqueeze(-1) if vec else X
            res = (A @ Xm - Bm) * gr.unsqueeze(-2) * 2
            gA = res @ Xm.mT if gA is None else gA + res @ Xm.mT
            gB = -res if gB is None else gB - res
        if gA is not None:
            gA = gA.sum_to_size(A.shape)
        if gB is not None:
            gB = (gB.squeeze(-1) if vec else gB).sum_to_size(B.shape)
        return gA, gB


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution ``X`` minimizing ``||A X - B||``, as a named tuple
    ``(solution, residuals, rank, singular_values)``. As on PyTorch's CPU, ``driver``
    defaults to ``'gelsy'``, which returns the rank but no residuals or singular values;
    ``'gelsd'`` and ``'gelss'`` also return the singular values, and the residuals (squared
    norms of ``A X - B`` per column) when ``m > n`` and ``A`` has full rank; ``'gels'``
    assumes full rank and returns the residuals only.

    Example::

        >>> A = flambeau.tensor([[1., 0.], [0., 1.], [0., 0.]])
        >>> flambeau.linalg.lstsq(A, flambeau.tensor([[1.], [2.], [3.]])).solution
        tensor([[1.],
                [2.]])
    """
    drivers = ('gels', 'gelsy', 'gelsd', 'gelss')
    if driver is None:
        driver = 'gelsy'
    elif driver not in drivers:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    if A._dtype not in (_float32, _float64) or B._dtype not in (_float32, _float64):
        raise RuntimeError("This function doesn't handle types other than float and double")
    _check_matrix(A, 'torch.linalg.lstsq', square=False)
    if A._dtype is not B._dtype:
        raise RuntimeError(f'torch.linalg.lstsq: Expected input and other to have the same '
                           f'dtype, but got input\'s dtype {A._dtype} and other\'s dtype '
                           f'{B._dtype}')
    _check_float(A, 'torch.linalg.lstsq')
    sa, sb = A._data.shape, B._data.shape
    vector = len(sb) == len(sa) - 1
    b = B._data[..., None] if vector else B._data
    if b.shape[-2] != sa[-2]:
        raise RuntimeError('torch.linalg.lstsq: input.size(-2) should match other.size(-2)')
    x = A._data
    xp = xp_of(A)
    m, n = sa[-2:]
    dt = A._dtype
    p = _pinv_array(x, None, rcond if rcond is not None else None, False, dt)
    sol = p @ b
    d, dev = dt, A._device
    empty = xp.zeros((0,), x.dtype)
    s = xp.linalg.svd(x, compute_uv=False) if x.size else xp.zeros(sa[:-2] + (min(m, n),), x.dtype)
    rc = rcond if rcond is not None else float(np.finfo(dt.numpy).eps) * max(m, n)
    rank = (s > rc * s[..., :1]).sum(axis=-1) if s.shape[-1] else xp.zeros(sa[:-2], np.int64)
    residuals = empty
    if driver != 'gelsy' and m > n and x.size and bool((rank == n).all()):
        r_ = x @ sol - b
        residuals = (r_ * r_).sum(axis=-2)
    solution = make(xp.ascontiguousarray(sol[..., 0] if vector else sol), d, dev)
    res_t = make(residuals, d, dev)
    rank_t = make(xp.asarray(rank, dtype=np.int64), _dt.int64, dev) if driver != 'gels' else \
        make(xp.zeros((0,), np.int64), _dt.int64, dev)
    sv = make(s if driver in ('gelsd', 'gelss') else empty, d, dev)
    if state.enabled and (A._requires_grad or B._requires_grad):
        node = LinalgLstsqBackward0()
        node.vector = vector
        node.save(A, B)
        node.keep(solution)
        _record_outputs(node, (solution, res_t), A, B)
    return _R_linalg_lstsq(solution, res_t, rank_t, sv)


# -- matrix_power ----------------------------------------------------------------------------------
class CopyBackwards(Node):
    """``matrix_power(A, 0)``: the identity, whose gradient with respect to A is zero."""
    __slots__ = ()

    def name(self):
        return 'torch::autograd::CopyBackwards'

    def backward(self, g):
        return g * 0


def matrix_power(A, n, *, out=None):
    """``A`` multiplied by itself ``n`` times (batches of square matrices); ``n = 0`` gives
    the identity, negative ``n`` powers of the inverse.

    Example::

        >>> flambeau.linalg.matrix_power(flambeau.tensor([[1., 1.], [0., 1.]]), 3)
        tensor([[1., 3.],
                [0., 1.]])
    """
    if A._data.ndim < 2:
        raise RuntimeError('linalg.matrix_power: The input tensor A must have at least 2 '
                           'dimensions.')
    _check_matrix(A, 'linalg.matrix_power')
    n = int(n)
    if n == 0:
        xp = xp_of(A)
        k = A._data.shape[-1]
        r = make(xp.broadcast_to(xp.eye(k, dtype=A._data.dtype), A._data.shape).copy(),
                 A._dtype, A._device)
        if state.enabled and A._requires_grad:
            record(CopyBackwards(), r, A)
    elif n == 1:
        r = A.clone()
    else:
        if n < 0:
            A = inv(A)
            n = -n
        if n == 1:
            r = A
        else:
            r = None
            z = A
            while True:
                if n & 1:
                    r = z if r is None else r @ z
                n >>= 1
                if not n:
                    break
                z = z @ z
    return r if out is None else out.copy_(r)


# -- norms ------------------------------------------------------------------------------------------
def _vector_norm(x, ord, dim, keepdim, dtype=None):
    from .reduce import vector_norm as vn
    return vn(x, ord, dim, keepdim, dtype=dtype)


def matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm of ``A`` over the two dims ``dim``: ``'fro'`` (Frobenius), ``'nuc'``
    (nuclear: sum of singular values), ``2``/``-2`` (largest/smallest singular value),
    ``1``/``-1`` (max/min column abs sum), ``inf``/``-inf`` (max/min row abs sum).

    Example::

        >>> flambeau.linalg.matrix_norm(flambeau.tensor([[3., 0.], [0., 4.]]))
        tensor(5.)
    """
    if A._data.ndim < 2:
        raise RuntimeError('linalg.matrix_norm: The input tensor A must have at least 2 '
                           'dimensions.')
    if not A._dtype.is_floating_point:
        raise RuntimeError(f'linalg.matrix_norm: Expected a floating point or complex tensor as '
                           f'input. Got {dtype_title(A._dtype)}')
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f'linalg.matrix_norm: dim must be a 2-tuple. Got '
                           f'{" ".join(str(d) for d in dim)}')
    nd = A._data.ndim
    d0, d1 = A._wrap_dim(dim[0]), A._wrap_dim(dim[1])
    if d0 == d1:
        raise RuntimeError(f'linalg.matrix_norm: dims must be different. Got ({dim[0]}, '
                           f'{dim[1]})')
    if dtype is not None:
        A = A.to(dtype)
    if ord == 'fro':
        r = _vector_norm(A, 2, (d0, d1), keepdim)
    elif ord == 'nuc' or ord in (2, -2):
        if A._dtype.itemsize == 2:
            raise RuntimeError(f'linalg.matrix_norm: Low precision dtypes not supported. Got '
                               f'{dtype_title(A._dtype)}')
        perm = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(A.permute(perm))
        if ord == 'nuc':
            r = s.sum(-1, keepdim=keepdim)
        elif ord == 2:
            r = s.amax(-1, keepdim=keepdim)
        else:
            r = s.amin(-1, keepdim=keepdim)
        if keepdim:  # back from the permuted order, as PyTorch does
            inv_perm = [0] * nd
            for i, q in enumerate(perm):
                inv_perm[q] = i
            r = r.unsqueeze(-1).permute(inv_perm)
    elif ord in (1, -1, math.inf, -math.inf):
        from .pointwise import abs as _abs
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = _abs(A).sum(sum_dim, keepdim=keepdim)
        if not keepdim and sum_dim < red_dim:
            red_dim -= 1
        r = s.amax(red_dim, keepdim=keepdim) if ord > 0 else s.amin(red_dim, keepdim=keepdim)
    else:
        raise RuntimeError(f'linalg.matrix_norm: Order {ord} not supported.')
    return r if out is None else out.copy_(r)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector or matrix norm: with ``dim`` an int (or ``ord`` given for a 1-d input) a
    vector norm, with ``dim`` a pair (or ``ord`` given for a 2-d input) a matrix norm; with
    neither, the 2-norm of all elements.

    Example::

        >>> flambeau.linalg.norm(flambeau.tensor([3., 4.]))
        tensor(5.)
    """
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 2:
            r = matrix_norm(A, 'fro' if ord is None else ord, dim, keepdim, dtype=dtype)
        elif len(dim) == 1:
            r = _vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype)
        else:
            raise RuntimeError(f'linalg.norm: If dim is specified, it must be of length 1 or 2. '
                               f'Got {list(dim)}')
    elif ord is None:
        r = _vector_norm(A, 2, None, keepdim, dtype)
    else:
        nd = A._data.ndim
        if nd not in (1, 2):
            raise RuntimeError(f'linalg.norm: If dim is not specified but ord is, the input must '
                               f'be 1D or 2D. Got {nd}D.')
        r = _vector_norm(A, ord, None, keepdim, dtype) if nd == 1 else \
            matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return r if out is None else out.copy_(r)


def cond(A, p=None, *, out=None):
    """The condition number of ``A`` in the norm ``p``: for ``None``/``2``/``-2`` the ratio of
    the largest to the smallest singular value (or its inverse), else
    ``matrix_norm(A, p) * matrix_norm(inv(A), p)``.

    Example::

        >>> flambeau.linalg.cond(flambeau.tensor([[1., 0.], [0., 4.]]))
        tensor(4.)
    """
    _check_matrix(A, 'linalg.cond', square=p not in (None, 2, -2))
    if p is None or p in (2, -2):
        s = svdvals(A)
        r = (s[..., :1] / s[..., -1:]) if p != -2 else (s[..., -1:] / s[..., :1])
        r = r.squeeze(-1)
    else:
        r = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return r if out is None else out.copy_(r)


METHODS = {'det': det, 'logdet': logdet, 'slogdet': slogdet, 'inverse': inverse,
           'pinverse': pinverse, 'cholesky': cholesky, 'cholesky_solve': cholesky_solve,
           'svd': svd, 'matrix_power': matrix_power}
INPLACE = {}
