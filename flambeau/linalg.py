"""``flambeau.linalg``: PyTorch's ``torch.linalg`` namespace. The ops live in
``flambeau/ops/decomp.py`` and ``flambeau/ops/linalg.py``; this module only names them."""
__all__ = ['LinAlgError', 'cholesky', 'cholesky_ex', 'cond', 'cross', 'det', 'diagonal', 'eigh',
           'eigvalsh', 'inv', 'inv_ex', 'lstsq', 'matmul', 'matrix_norm', 'matrix_power',
           'matrix_rank', 'multi_dot', 'norm', 'pinv', 'qr', 'slogdet', 'solve', 'svd',
           'svdvals', 'vecdot', 'vector_norm']
from .ops.decomp import (LinAlgError, cholesky_ex, cond, eigh, eigvalsh, inv, inv_ex,  # noqa: F401
                         lstsq, matrix_norm, matrix_power, matrix_rank, norm, pinv, qr, solve,
                         svdvals)
from .ops.decomp import det  # noqa: F401
from .ops.decomp import linalg_cholesky as cholesky  # noqa: F401
from .ops.decomp import linalg_slogdet as slogdet  # noqa: F401
from .ops.decomp import linalg_svd as svd  # noqa: F401
from .ops.linalg import linalg_cross as cross  # noqa: F401
from .ops.linalg import matmul, multi_dot, vecdot  # noqa: F401
from .ops.reduce import vector_norm  # noqa: F401
from .ops.shape import diagonal as _diagonal


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonal of each matrix of ``A`` (a view): ``A.diagonal(offset, dim1, dim2)``
    with the defaults that suit batches of matrices.

    Example::

        >>> flambeau.linalg.diagonal(flambeau.eye(3))
        tensor([1., 1., 1.])
    """
    return _diagonal(A, offset, dim1, dim2)
