"""Ready-made parametrizations (see :mod:`flambeau.nn.utils.parametrize`):
:func:`orthogonal`, :func:`weight_norm` and :func:`spectral_norm`."""
import math
from enum import Enum, auto

import numpy as np

from ... import dtypes as _dt
from ...autograd import grad_mode
from ...ops._common import make, xp_of
from ...ops.compare import allclose
from ...ops.creation import eye, zeros_like
from ...ops.decomp import qr, solve
from ...ops.linalg import mv, vdot
from ...ops.normalization import normalize
from ...ops.random import randn
from ...ops.shape import cat
from ...tensor import Tensor
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..modules.module import Module
from . import parametrize
from .weight_norm import _norm_except_dim, _weight_norm

__all__ = ['orthogonal', 'spectral_norm', 'weight_norm']


class _WeightNorm(Module):
    # weight = g * v / ||v||, with g = original0 and v = original1
    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return _norm_except_dim(weight, 2, self.dim), weight


class _WeightNormCompatHook:
    # loads a state_dict of the hook-based ``nn.utils.weight_norm`` (``<name>_g``,
    # ``<name>_v``) into the parametrized module
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __call__(self, module, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs):
        g_key, v_key = f'{prefix}{self.name}_g', f'{prefix}{self.name}_v'
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f'{prefix}parametrizations.{self.name}.original0'] = original0
            state_dict[f'{prefix}parametrizations.{self.name}.original1'] = original1


def weight_norm(module, name='weight', dim=0):
    r"""Apply weight normalization to the tensor ``name`` of ``module``, as a
    parametrization:

    .. math:: \mathbf{w} = g \dfrac{\mathbf{v}}{\|\mathbf{v}\|}

    The magnitude ``g`` and the direction ``v`` are the parameters
    ``module.parametrizations.<name>.original0`` and ``original1``; ``module.<name>`` is
    computed from them on each access. The norm is taken over every dimension but ``dim``
    (per output channel for the default ``dim=0``); ``dim=None`` normalizes over the whole
    tensor. A ``state_dict`` of the older :func:`flambeau.nn.utils.weight_norm`
    (``weight_g``, ``weight_v``) loads into the module.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): name of the weight. Default: ``'weight'``
        dim (int, optional): the dimension kept by the norm. Default: ``0``

    Returns:
        ``module``, with the parametrization registered.

    Example::

        >>> m = weight_norm(flambeau.nn.Linear(20, 40), name='weight')
        >>> m
        ParametrizedLinear(
          in_features=20, out_features=40, bias=True
          (parametrizations): ModuleDict(
            (weight): ParametrizationList(
              (0): _WeightNorm()
            )
          )
        )
        >>> m.parametrizations.weight.original0.size()
        torch.Size([40, 1])
        >>> m.parametrizations.weight.original1.size()
        torch.Size([40, 20])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    module.register_load_state_dict_pre_hook(_WeightNormCompatHook(name))
    return module


class _SpectralNorm(Module):
    # weight / sigma(weight), sigma estimated by power iteration with the buffers _u and _v
    # (see Note [spectral norm u and v] in spectral_norm.py)
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f'Dimension out of range (expected to be in range of [-{ndim}, '
                             f'{ndim - 1}] but got {dim})')
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but got '
                             f'n_power_iterations={n_power_iterations}')
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            # a 1-d weight needs no estimate (see forward)
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with grad_mode.no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer('_u', normalize(u, dim=0, eps=self.eps))
                self.register_buffer('_v', normalize(v, dim=0, eps=self.eps))
            # start from u, v that are already good estimates
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        # u and v are updated in place (Note [spectral norm u and v])
        with grad_mode.no_grad():
            for _ in range(n_power_iterations):
                self._u = normalize(mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = normalize(mv(weight_mat.H, self._u), dim=0, eps=self.eps,
                                    out=self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = vdot(u, mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    r"""Apply spectral normalization to the tensor ``name`` of ``module``, as a
    parametrization:

    .. math:: \mathbf{W}_{SN} = \dfrac{\mathbf{W}}{\sigma(\mathbf{W})}

    where :math:`\sigma(\mathbf{W})` is the largest singular value of the weight seen as a
    matrix (dimension ``dim`` first, the others flattened), estimated by power iteration:
    15 steps at registration, then ``n_power_iterations`` at each access in training mode;
    eval mode uses the stored estimate. The original weight is
    ``module.parametrizations.<name>.original`` and the vectors are the buffers
    ``module.parametrizations.<name>[0]._u`` and ``._v``. A 1-d weight is divided by its
    norm exactly.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): name of the weight. Default: ``'weight'``
        n_power_iterations (int, optional): power iterations per access in training mode.
            Default: ``1``
        eps (float, optional): epsilon for numerical stability when normalizing.
            Default: ``1e-12``
        dim (int, optional): the dimension of the output channels: ``1`` for
            ``ConvTranspose{1,2,3}d``, ``0`` for other modules (the default ``None``).

    Returns:
        ``module``, with the parametrization registered.

    Example::

        >>> snm = spectral_norm(flambeau.nn.Linear(20, 40))
        >>> [n for n, _ in snm.named_buffers()]
        ['parametrizations.weight.0._u', 'parametrizations.weight.0._v']
        >>> bool(flambeau.linalg.matrix_norm(snm.weight, 2) <= 1.01)
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


# -- orthogonal ---------------------------------------------------------------------------------
def _matrix_exp(A):
    """``exp(A)`` of the square matrices ``A`` (batched), built from differentiable ops:
    scaling and squaring around a degree-18 Taylor polynomial. ``A`` is scaled to 1-norm at
    most 1/2, where the truncation error (below ``2**-19 / 19!``) is far under rounding."""
    n = A.size(-1)
    with grad_mode.no_grad():
        norm = float(A.abs().sum(-2).amax()) if A.numel() else 0.0
    s = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    B = A / float(2 ** s) if s else A
    ident = eye(n, dtype=A.dtype, device=A.device)
    E = ident + B / 18.0
    for j in range(17, 0, -1):
        E = ident + (B @ E) / float(j)
    for _ in range(s):
        E = E @ E
    return E


def _householder_product(A, tau):
    """The first ``k`` columns of ``H_1 H_2 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with
    ``v_i`` column ``i`` of ``A`` (``n x k``) below the diagonal and a 1 on it: PyTorch's
    ``linalg.householder_product``, built from differentiable ops."""
    n, k = A.size(-2), A.size(-1)
    ident = eye(n, dtype=A.dtype, device=A.device)
    V = A.tril(-1) + ident[:, :k]
    Q = ident.expand(*A.shape[:-2], n, n)
    for i in range(k):
        v = V[..., i:i + 1]
        Q = Q - (Q @ v) @ (v.mH * tau[..., i:i + 1].unsqueeze(-1))
    return Q[..., :k]


def _geqrf(A):
    """LAPACK's QR in Householder form, as PyTorch's ``geqrf``: ``R`` on and above the
    diagonal of the first result, the reflectors below it, and their ``tau``."""
    a = A._host()
    flat = a.reshape((-1,) + a.shape[-2:])
    hs, taus = [], []
    for m in flat:
        h, tau = np.linalg.qr(m, mode='raw')
        hs.append(h.T)
        taus.append(tau)
    k = min(a.shape[-2:])
    h = np.stack(hs).reshape(a.shape) if hs else np.zeros(a.shape, a.dtype)
    tau = np.stack(taus).reshape(a.shape[:-2] + (k,)) if taus else np.zeros(
        a.shape[:-2] + (k,), a.dtype)
    xp = xp_of(A)
    return (make(xp.asarray(h.astype(a.dtype)), A._dtype, A._device),
            make(xp.asarray(tau.astype(a.dtype)), A._dtype, A._device))


def _is_orthogonal(Q):
    n, k = Q.size(-2), Q.size(-1)
    ident = eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10.0 * n * _dt.finfo(Q.dtype).eps
    return allclose(Q.mH @ Q, ident, atol=eps)


def _make_orthogonal(A):
    # the Q of A = QR, with the signs that make diag(R) positive
    Q, R = qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    # Q = map(X) for X in the tangent space (matrix_exp, cayley) or Householder reflectors;
    # with use_trivialization, Q = base @ map(X), base the point the original was set to
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError('The householder parametrization does not support complex '
                             'tensors.')
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer('base', None)

    def forward(self, X):
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map is _OrthMaps.householder:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            # the diagonal of X holds the signs (+-1), not trained
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH  # skew-symmetric
            if self.orthogonal_map is _OrthMaps.matrix_exp:
                Q = _matrix_exp(A)
            else:
                # the Cayley map (I + A/2)(I - A/2)^{-1}
                ident = eye(n, dtype=A.dtype, device=A.device)
                Q = solve(ident - 0.5 * A, ident + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        if 'base' in self._buffers:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with grad_mode.no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        if Q.shape != self.shape:
            raise ValueError(f'Expected a matrix or batch of matrices of shape {self.shape}. '
                             f'Got a tensor of shape {Q.shape}.')
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if 'base' not in self._buffers:
            if self.orthogonal_map is not _OrthMaps.householder:
                raise NotImplementedError('It is not possible to assign to the matrix '
                                          'exponential or the Cayley parametrizations when '
                                          'use_trivialization=False.')
            # reflectors of Q = QR with diag(R) > 0: the diagonal keeps the signs
            A, tau = _geqrf(Q)
            d = A.diagonal(dim1=-2, dim2=-1)
            d.sign_()
            d[tau == 0.0] *= -1
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # complete Q into an n x n orthogonal matrix
            N = randn(*(tuple(Q.size()[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(cat([Q, N], dim=-1))
        self.base = Q
        # -Id: the Householder map sends it to eye(n, k)
        neg_id = zeros_like(Q_init)
        neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_id


def orthogonal(module, name='weight', orthogonal_map=None, *, use_trivialization=True):
    r"""Make the matrix (or batch of matrices) ``name`` of ``module`` orthogonal (unitary for
    complex ones), as a parametrization: ``Q^H Q = I`` if ``Q`` has more rows than columns,
    ``Q Q^H = I`` otherwise.

    ``orthogonal_map`` picks the map from the unconstrained original to ``Q``:
    ``"matrix_exp"`` (the exponential of a skew-symmetric matrix) or ``"cayley"``
    (``(I + A/2)(I - A/2)^{-1}``), or ``"householder"`` (a product of Householder
    reflectors). By default: ``"matrix_exp"`` for square or complex matrices,
    ``"householder"`` otherwise. With ``use_trivialization=True`` (default) the map is taken
    around a point ``base`` (a buffer), set when the weight is assigned; assigning
    ``module.<name> = Q`` is then always possible, and the current weight, orthogonalized
    by QR if it is not orthogonal, becomes ``base`` at registration.

    Args:
        module (Module): the module holding the tensor.
        name (str, optional): name of the tensor. Default: ``'weight'``
        orthogonal_map (str, optional): ``"matrix_exp"``, ``"cayley"`` or
            ``"householder"``.

    Keyword args:
        use_trivialization (bool, optional): use the dynamic trivialization framework.
            Default: ``True``

    Returns:
        ``module``, with the parametrization registered.

    Example::

        >>> orth_linear = orthogonal(flambeau.nn.Linear(20, 40))
        >>> Q = orth_linear.weight
        >>> bool((Q.T @ Q - flambeau.eye(20)).abs().max() < 1e-5)
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError('Expected a matrix or batch of matrices. Got a tensor of '
                         f'{weight.ndim} dimensions.')
    if orthogonal_map is None:
        orthogonal_map = ('matrix_exp' if weight.size(-2) == weight.size(-1)
                          or weight.is_complex() else 'householder')
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
