"""Op registry entries: linalg ops (see opinfo.py for the framework)."""
from opinfo import NUMERIC, OpInfo, S, Sh, _shape_errors

OPS = []


def register(*infos):
    OPS.extend(infos)


# matrix products
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 3), (2, 3, 4)),
                 ((2, 1, 2, 3), (3, 3, 2)), ((2, 2, 3), (2, 3, 2)), ((0, 3), (3, 2)),
                 ((2, 0), (0, 3)), ((1, 2, 3), (4, 3, 1)), ((2, 0), (3, 0, 4)),
                 ((1, 3), (2, 3, 4)), ((3,), (2, 3, 1)), ((2, 2, 3), (1, 3, 2))]


def matmul_samples(make):
    for sa, sb in MATMUL_SHAPES:
        yield S(make(sa, -2, 2), make(sb, -2, 2))
    yield S(make((3, 4), -2, 2, noncontig=True), make((4, 2), -2, 2, noncontig=True))


MATMUL_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (3e-2, 5e-2)}  # sums of products

register(
    OpInfo('matmul', samples=matmul_samples, dtypes=NUMERIC, method=True, out=True,
           gradgrad=True, tol=MATMUL_TOL, variants={'x@y': lambda m, x, y: x @ y},
           errors=_shape_errors([
               (((2, 3), Sh(2, 3)), RuntimeError,
                'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'),
               (((3,), Sh(4,)), RuntimeError, 'inconsistent tensor size'),
               (((), Sh(3,)), RuntimeError, 'both arguments to matmul need to be at least 1D'),
               (((2, 3), Sh(4,)), RuntimeError, 'size mismatch'),
               (((2, 2, 3), Sh(2, 4, 2)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: '
                '[2, 4]'),
               (((2, 3, 4, 8), Sh(2, 3, 7, 5)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [6, 8] but got: '
                '[6, 7].'),
               (((2, 3, 4, 8), Sh(3, 3, 7, 5)), RuntimeError,
                'The size of tensor a (2) must match the size of tensor b (3) at non-singleton '
                'dimension 0'),
               (((4, 8), Sh(2, 7, 5)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [2, 8] but got: '
                '[2, 7].'),
               (((2, 4, 8), Sh(7, 5)), RuntimeError,
                'mat1 and mat2 shapes cannot be multiplied (8x8 and 7x5)'),
           ])),
    OpInfo('mm', samples=lambda make: [S(make((2, 3)), make((3, 4))),
                                       S(make((0, 3)), make((3, 2))),
                                       S(make((3, 2), noncontig=True), make((2, 2)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 3), Sh(2, 3)), RuntimeError,
                'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'),
               (((3,), Sh(3, 2)), RuntimeError, 'self must be a matrix'),
           ])),
    OpInfo('bmm', samples=lambda make: [S(make((2, 2, 3)), make((2, 3, 4))),
                                        S(make((0, 2, 3)), make((0, 3, 1)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 2, 3), Sh(3, 3, 4)), RuntimeError,
                'Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: '
                '[3, 3]'),
               (((2, 3), Sh(2, 3, 4)), RuntimeError, 'batch1 must be a 3D tensor'),
           ])),
    OpInfo('mv', samples=lambda make: [S(make((2, 3)), make((3,))),
                                       S(make((0, 3)), make((3,)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((2, 3), Sh(4,)), RuntimeError, 'size mismatch, got input (2), mat (2x3), vec (4)'),
           ])),
    OpInfo('dot', samples=lambda make: [S(make((3,)), make((3,))), S(make((0,)), make((0,)))],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_shape_errors([
               (((3,), Sh(4,)), RuntimeError,
                'inconsistent tensor size, expected tensor [3] and src [4] to have the same '
                'number of elements'),
               (((2, 3), Sh(3,)), RuntimeError, '1D tensors expected, but got 2D and 1D tensors'),
           ])),
)


# -- einsum and products built on matmul -------------------------------------------------------
from opinfo import ALL, FLOATS, ErrorInput  # noqa: E402

FLOAT32_64 = ('float32', 'float64')
LINALG_TOL = {'float32': (1e-4, 1e-4)}
LINALG_GRAD_TOL = {'float32': (1e-3, 1e-3), 'float64': (1e-6, 1e-6)}

EINSUM_CASES = [('ij,jk->ik', (2, 3), (3, 4)), ('ij,jk', (2, 3), (3, 4)), ('i,i', (3,), (3,)),
                ('i,j->ij', (3,), (2,)), ('ii->i', (3, 3)), ('ii', (3, 3)), ('ij->ji', (2, 3)),
                ('ij->', (2, 3)), ('bij,bjk->bik', (2, 2, 3), (2, 3, 2)),
                ('...ij,...jk->...ik', (2, 2, 3), (3, 2)), ('...i,...i->...', (2, 3), (3,)),
                ('ii,i->i', (3, 3), (3,)), ('iij->ji', (2, 2, 3)), ('ij,jk,kl->il', (2, 3),
                                                                       (3, 2), (2, 2)),
                ('a,a->a', (1,), (3,)), ('ij,jk->ik', (0, 3), (3, 2)), ('i,j->', (3,), (2,)),
                (' ij , jk -> ik ', (2, 3), (3, 1))]


def einsum_samples(make):
    for eq, *shapes in EINSUM_CASES:
        yield S(eq, *[make(s, -2, 2) for s in shapes])
    yield S('ij,jk->ik', make((3, 2), -2, 2, noncontig=True), make((2, 2), -2, 2))
    yield S('ij,jk->ik', [make((2, 3), -2, 2), make((3, 2), -2, 2)]).but(desc='list')


def _same(*shapes):
    def samples(make):
        for group in shapes:
            if make.dtype == 'bool' and any(isinstance(s, tuple) and 0 in s for s in group):
                continue  # PyTorch runs no kernel on empty bool operands
            yield S(*[make(s, -2, 2) if _is_shape(s) else s for s in group])
    return samples


def _is_shape(s):
    return isinstance(s, tuple) and all(isinstance(v, int) for v in s)


def addmm_samples(make):
    f = make.is_float
    yield S(make((2, 4)), make((2, 3)), make((3, 4)))
    yield S(make((4,)), make((2, 3)), make((3, 4)))
    yield S(make(()), make((2, 3)), make((3, 4)))
    if make.dtype != 'bool':
        yield S(make((0, 4)), make((0, 3)), make((3, 4)))
    yield Sample((make((2, 2)), make((2, 3), noncontig=True), make((3, 2))),
                 {'beta': 0.5 if f else 2, 'alpha': 2 if f else 3})
    yield Sample((make((2, 2)), make((2, 3)), make((3, 2))), {'beta': 0})


def addmv_samples(make):
    f = make.is_float
    yield S(make((2,)), make((2, 3)), make((3,)))
    yield S(make(()), make((2, 3)), make((3,)))
    yield S(make((1,)), make((2, 3), noncontig=True), make((3,)))
    yield Sample((make((2,)), make((2, 3)), make((3,))), {'beta': 0.5 if f else 2, 'alpha': 2})


def addr_samples(make):
    f = make.is_float
    yield S(make((2, 3)), make((2,)), make((3,)))
    yield S(make((3,)), make((2,)), make((3,)))
    yield S(make(()), make((0,)), make((3,)))
    yield Sample((make((2, 3)), make((2,)), make((3,))),
                 {'beta': 0.5 if f else 2, 'alpha': 2 if f else 3})


def baddbmm_samples(make):
    f = make.is_float
    yield S(make((2, 2, 4)), make((2, 2, 3)), make((2, 3, 4)))
    yield S(make((2, 4)), make((2, 2, 3)), make((2, 3, 4)))
    yield S(make((0, 2, 4)), make((0, 2, 3)), make((0, 3, 4)))
    yield Sample((make((1, 2, 2)), make((2, 2, 3)), make((2, 3, 2))),
                 {'beta': 0.5 if f else 2, 'alpha': 2})


def addbmm_samples(make):
    f = make.is_float
    yield S(make((2, 4)), make((3, 2, 3)), make((3, 3, 4)))
    n = 1 if make.dtype == 'bool' else 0  # bool: an empty batch fails differently in PyTorch
    yield S(make((2, 4)), make((n, 2, 3)), make((n, 3, 4)))
    yield Sample((make((2, 2)), make((2, 2, 3)), make((2, 3, 2))),
                 {'beta': 0.5 if f else 2, 'alpha': 2})


from opinfo import Sample  # noqa: E402


def _errs(cases):
    """Error inputs from ``(args, exc, match)``; tuples of ints in args become float32
    tensors of that shape."""
    def errors(make):
        return [ErrorInput(S(*[make(a) if isinstance(a, tuple) else a for a in args]), exc, m)
                for args, exc, m in cases]
    return errors


register(
    OpInfo('einsum', samples=einsum_samples, dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([
               (('ij,jk->ik', (2, 3)), RuntimeError,
                'einsum(): fewer operands were provided than specified in the equation'),
               (('ijk,jk->ik', (2, 2), (2, 2)), RuntimeError,
                'einsum(): the number of subscripts in the equation (3) does not match the '
                'number of dimensions (2) for operand 0 and no ellipsis was given'),
               (('ij,jk->ik', (2, 2), (3, 2)), RuntimeError,
                'einsum(): subscript j has size 3 for operand 1 which does not broadcast with '
                'previously seen size 2'),
               (('ij->ik', (2, 2)), RuntimeError,
                'einsum(): output subscript k does not appear in the equation for any input '
                'operand'),
           ])),
    OpInfo('outer', samples=_same(((3,), (4,)), ((0,), (2,)), ((1,), (1,))), dtypes=ALL,
           method=True, out=True, gradgrad=True,
           variants={'ger': lambda m, a, b: m.ger(a, b)},
           errors=_errs([(((2, 2), (3,)), RuntimeError,
                          'outer: Expected 1-D argument self, but got 2-D')])),
    OpInfo('inner', samples=_same(((3,), (3,)), ((2, 3), (4, 3)), ((), (2, 3)), ((2, 0), (0,)),
                                  ((2, 1, 3), (3,))),
           dtypes=NUMERIC, method=True, out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (3,)), RuntimeError,
                          'inner() the last dimension must match on both input tensors but got '
                          'shapes [2, 2] and [3]')])),
    OpInfo('tensordot', samples=_same(((2, 3, 4), (3, 4, 2)), ((2, 3), (3, 2), 1),
                                      ((2,), (3,), 0), ((3, 2, 4), (2, 3, 2), ([1, 0], [0, 1])),
                                      ((2, 3), (2, 3), ([0, 1], [0, 1]))),
           dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (3, 3)), RuntimeError,
                          'contracted dimensions need to match, but first has size 2 in dim -2 '
                          'and second has size 3 in dim 0')])),
    OpInfo('kron', samples=_same(((2, 3), (3, 2)), ((2,), (3,)), ((2, 2, 1), (3,)), ((), (2,)),
                                 ((0, 2), (2, 2))),
           dtypes=ALL, method=True, out=True, gradgrad=True),
    OpInfo('linalg.cross', lambda m, *a, **k: m.linalg.cross(*a, **k),
           samples=lambda make: [S(make((3,)), make((3,))), S(make((4, 3)), make((1, 3))),
                                 Sample((make((3, 2)), make((3, 2))), {'dim': 0}),
                                 S(make((0, 3)), make((0, 3)))],
           dtypes=NUMERIC, gradgrad=True,
           errors=_errs([(((2,), (2,)), RuntimeError,
                          'linalg.cross: inputs dimension -1 must have length 3. Got 2 and 2')])),
    OpInfo('cross', samples=lambda make: [S(make((3, 2)), make((3, 2))),
                                          S(make((2, 3)), make((2, 3)), 1),
                                          S(make((3, 3, 2)), make((3, 1, 2)), 0)],
           dtypes=NUMERIC, method=True, out=True, gradgrad=True,
           errors=_errs([(((2, 2), (2, 2)), RuntimeError, 'no dimension of size 3 in input')])),
    OpInfo('addmm', samples=addmm_samples, dtypes=NUMERIC, method=True, inplace=True, out=True,
           gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (2, 2), (3, 2)), RuntimeError,
                          'mat1 and mat2 shapes cannot be multiplied (2x2 and 3x2)'),
                         (((3,), (2, 2), (2, 2)), RuntimeError,
                          'The expanded size of the tensor (2) must match the existing size (3) '
                          'at non-singleton dimension 1.  Target sizes: [2, 2].  Tensor sizes: '
                          '[3]')])),
    OpInfo('addmv', samples=addmv_samples, dtypes=NUMERIC, method=True, inplace=True, out=True,
           gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2,), (2, 2), (3,)), RuntimeError,
                          'size mismatch, got input (2), mat (2x2), vec (3)')])),
    OpInfo('addr', samples=addr_samples, dtypes=ALL, method=True, inplace=True, out=True,
           gradgrad=True, tol=MATMUL_TOL),
    OpInfo('baddbmm', samples=baddbmm_samples, dtypes=NUMERIC, method=True, inplace=True,
           out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2, 2), (2, 2, 3), (2, 2, 2)), RuntimeError,
                          'Expected size for first two dimensions of batch2 tensor to be: '
                          '[2, 3] but got: [2, 2].')])),
    OpInfo('addbmm', samples=addbmm_samples, dtypes=NUMERIC, method=True, inplace=True,
           out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (2, 2, 3), (3, 3, 2)), RuntimeError,
                          'batch1 and batch2 must have same number of batches, got 2 and 3')])),
    OpInfo('trace', samples=_same(((3, 3),), ((2, 4),), ((0, 2),)), dtypes=NUMERIC, method=True,
           gradgrad=True,
           errors=_errs([(((2, 2, 2),), RuntimeError,
                          'trace: expected a matrix, but got tensor with dim 3')])),
    OpInfo('vdot', samples=_same(((3,), (3,)), ((0,), (0,))), dtypes=NUMERIC, method=True,
           out=True, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (2, 2)), RuntimeError,
                          '1D tensors expected, but got 2D and 2D tensors')])),
    OpInfo('linalg.vecdot', lambda m, *a, **k: m.linalg.vecdot(*a, **k),
           samples=lambda make: [S(make((3,)), make((3,))), S(make((2, 3)), make((3,))),
                                 Sample((make((3, 2)), make((3, 2))), {'dim': 0})],
           dtypes=FLOATS, gradgrad=True, tol=MATMUL_TOL),
    OpInfo('linalg.multi_dot', lambda m, *a, **k: m.linalg.multi_dot(list(a), **k),
           samples=_same(((2, 3), (3, 4)), ((3,), (3, 4), (4, 2)), ((2, 3), (3, 4), (4,)),
                         ((3,), (3, 2), (2, 4), (4,)), ((0, 2), (2, 3))),
           dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL,
           errors=_errs([(((2, 2), (3, 2)), RuntimeError,
                          'multi_dot(): tensors 0 and 1 with shapes [2, 2] and [3, 2] cannot be '
                          'multiplied'),
                         (((2, 2),), RuntimeError,
                          'multi_dot(): expected at least 2 tensors but got 1'),
                         (((2, 2, 2), (2, 2)), RuntimeError,
                          'multi_dot(): the first tensor must be 1D or 2D but got 3D')])),
    OpInfo('chain_matmul', samples=_same(((2, 3), (3, 4)), ((2, 3), (3, 4), (4, 2)), ((2, 3),)),
           dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL),
)


# -- decompositions and solvers (flambeau.linalg) ---------------------------------------------------
import numpy as np  # noqa: E402


def _wc(make, shape):
    """A well-conditioned square matrix (or batch): random plus n * identity."""
    a = make(shape, -1, 1)
    n = shape[-1]
    return np.asarray(a + n * np.eye(n, dtype=a.dtype))


def square_samples(make):
    yield S(_wc(make, (3, 3)))
    yield S(_wc(make, (2, 3, 3)))
    yield S(make((1, 1), 0.5, 2))
    yield S(make((0, 0)))
    yield S(np.ascontiguousarray(_wc(make, (3, 3))).T)


def _spd(m, a):
    """A symmetric positive-definite matrix made from ``a`` (differentiable)."""
    return a @ a.mT + a.shape[-1] * m.eye(a.shape[-1], dtype=a.dtype, device=a.device)


def _sym(m, a):
    return a + a.mT


def rect_samples(make):
    yield S(make((4, 3)))
    yield S(make((3, 3)))
    yield S(make((2, 3, 2)))
    yield S(make((3, 4), noncontig=True))


def solve_samples(make):
    yield S(_wc(make, (3, 3)), make((3, 2)))
    yield S(_wc(make, (3, 3)), make((3,)))
    yield S(_wc(make, (2, 3, 3)), make((2, 3)))
    yield S(_wc(make, (2, 3, 3)), make((3, 1)))
    yield S(_wc(make, (3, 3)), make((2, 3, 2)))
    yield Sample((_wc(make, (3, 3)), make((2, 3))), {'left': False})
    yield S(make((0, 0)), make((0, 2)))


SQUARE_ERRORS = [(((2, 3),), RuntimeError, 'A must be batches of square matrices, but they are '
                  '2 by 3 matrices'),
                 (((3,),), RuntimeError, 'The input tensor A must have at least 2 dimensions.')]


def _square_errors(fn):
    return _errs([(a, e, f'{fn}: {m}') for a, e, m in SQUARE_ERRORS])


def _linalg_errors(fn, matrix, message):
    """The square-shape errors of ``fn`` and torch's LinAlgError on ``matrix``."""
    import torch  # the test-only reference names the exception class

    def errors(make):
        return _square_errors(fn)(make) + [
            ErrorInput(S(np.asarray(matrix, dtype=np.float32)), torch.linalg.LinAlgError,
                       f'{fn}: {message}')]
    return errors


def _eigh_inv(m, a, uplo='L'):
    L, V = m.linalg.eigh(_sym(m, a), UPLO=uplo)
    return L, V * V  # V's columns are defined up to sign


def _svd_inv(m, a, full=False):
    U, S, Vh = m.linalg.svd(a, full_matrices=full)
    k = S.shape[-1]
    return U[..., :k] * U[..., :k], S, Vh[..., :k, :] * Vh[..., :k, :]


register(
    OpInfo('linalg.inv', lambda m, a: m.linalg.inv(a), samples=square_samples, dtypes=FLOAT32_64,
           gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'inverse': lambda m, a: m.inverse(a), 'method': lambda m, a: a.inverse(),
                     'inv_ex': lambda m, a: m.linalg.inv_ex(a)},
           errors=_linalg_errors('linalg.inv', [[0., 0.], [0., 0.]],
                                 'The diagonal element 1 is zero, the inversion could not be '
                                 'completed because the input matrix is singular.')),
    OpInfo('linalg.det', lambda m, a: m.linalg.det(a), samples=square_samples,
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'det': lambda m, a: m.det(a), 'method': lambda m, a: a.det()},
           errors=_square_errors('linalg.det')),
    OpInfo('linalg.slogdet', lambda m, a, **k: m.linalg.slogdet(a, **k), out=True,
           samples=lambda make: list(square_samples(make)) + [S(make((3, 3)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'slogdet': lambda m, a: m.slogdet(a), 'method': lambda m, a: a.slogdet()}),
    OpInfo('logdet', samples=square_samples, dtypes=FLOAT32_64, method=True, gradgrad=True,
           tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.solve', lambda m, *a, **k: m.linalg.solve(*a, **k), samples=solve_samples,
           out=True,
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((2, 2), (3,)), RuntimeError, 'linalg.solve: Incompatible shapes of A '
                          'and B for the equation AX = B (2x2 and 3x1)')])),
    OpInfo('linalg.cholesky', lambda m, a, **k: m.linalg.cholesky(_spd(m, a), **k),
           samples=lambda make: [S(make((3, 3))), S(make((2, 3, 3))), S(make((0, 0))),
                                 Sample((make((3, 3)),), {'upper': True})],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'cholesky': lambda m, a: m.cholesky(_spd(m, a)),
                     'method': lambda m, a: _spd(m, a).cholesky(),
                     'ex': lambda m, a: m.linalg.cholesky_ex(_spd(m, a))}),
    OpInfo('cholesky_solve', lambda m, b, a, **k: m.cholesky_solve(
        b, m.linalg.cholesky(_spd(m, a)), **k),
        samples=lambda make: [S(make((3, 2)), make((3, 3))), S(make((2, 3, 1)), make((3, 3)))],
        dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.qr', lambda m, a, *r, **k: m.linalg.qr(a, *r, **k), out=True,
           samples=lambda make: list(rect_samples(make)) + [
               Sample((make((3, 4)),), {'mode': 'complete'}),
               Sample((make((4, 3)),), {'mode': 'r'}).but(grad=False),
               S(make((0, 2)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((3, 3), 'foo'), RuntimeError, "qr received unrecognized mode 'foo'")])),
    OpInfo('linalg.eigh', _eigh_inv,
           samples=lambda make: [S(make((3, 3))), S(make((2, 3, 3))), S(make((3, 3)), 'U'),
                                 S(make((0, 0)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.eigvalsh', lambda m, a: m.linalg.eigvalsh(_sym(m, a)),
           samples=lambda make: [S(make((3, 3))), S(make((2, 3, 3)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.svd', _svd_inv,
           samples=lambda make: list(rect_samples(make)) + [S(make((4, 3)), True)],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('svd', lambda m, a: (lambda r: (r[0] * r[0], r[1], r[2] * r[2]))(m.svd(a)),
           samples=rect_samples, dtypes=FLOAT32_64, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.svdvals', lambda m, a, **k: m.linalg.svdvals(a, **k), out=True,
           samples=lambda make: list(rect_samples(make)) + [S(make((0, 3)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.pinv', lambda m, a, **k: m.linalg.pinv(a, **k),
           samples=lambda make: list(rect_samples(make)) + [
               Sample((make((3, 3)),), {'rtol': 0.1}).but(gradcheck=False),
               Sample((make((3, 3), 1, 2),), {'atol': 0.1}).but(gradcheck=False)],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'pinverse': lambda m, a, **k: m.pinverse(a) if not k else m.linalg.pinv(
               a, **k)}),
    OpInfo('linalg.pinv_hermitian', lambda m, a: m.linalg.pinv(_sym(m, a), hermitian=True),
           samples=lambda make: [S(make((3, 3))), S(make((2, 2, 2)))],
           dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.lstsq', lambda m, a, b, **k: m.linalg.lstsq(a, b, **k),
           samples=lambda make: [S(_wc(make, (3, 3)), make((3, 2))),
                                 S(make((5, 3)), make((5, 2))),
                                 S(make((2, 4)), make((2, 1))),
                                 S(_wc(make, (2, 3, 3)), make((2, 3, 1))),
                                 S(_wc(make, (3, 3)), make((3,)))],
           dtypes=FLOAT32_64, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.lstsq_gelsd', lambda m, a, b: m.linalg.lstsq(a, b, driver='gelsd')[:2],
           samples=lambda make: [S(make((5, 3)), make((5, 2))), S(_wc(make, (3, 3)),
                                                                  make((3, 2)))],
           dtypes=FLOAT32_64, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.matrix_rank', lambda m, a, **k: m.linalg.matrix_rank(a, **k),
           samples=lambda make: [S(make((4, 3))), S(np.ones((3, 3), make.dtype)),
                                 S(make((2, 3, 3))), Sample((make((3, 3)),), {'atol': 1.0}),
                                 Sample((make((3, 3)),), {'hermitian': True})],
           dtypes=FLOAT32_64, grad=False),
    OpInfo('linalg.matrix_power', lambda m, a, n: m.linalg.matrix_power(a, n),
           samples=lambda make: [S(make((3, 3), -1, 1), 3), S(make((2, 3, 3), -1, 1), 2),
                                 S(make((3, 3)), 0), S(make((3, 3)), 1),
                                 S(_wc(make, (3, 3)), -1), S(_wc(make, (3, 3)), -2)]
           if make.dtype in FLOAT32_64 else [S(make((3, 3), -1, 1), 3), S(make((3, 3)), 1)]
           if make.is_float else [S(make((3, 3), -1, 2), 3), S(make((3, 3)), 0)],
           dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL, grad_tol=LINALG_GRAD_TOL,
           variants={'matrix_power': lambda m, a, n: m.matrix_power(a, n),
                     'method': lambda m, a, n: a.matrix_power(n)},
           errors=_errs([(((2, 3), 2), RuntimeError, 'linalg.matrix_power: A must be batches of '
                          'square matrices, but they are 2 by 3 matrices')])),
)


def matrix_norm_samples(make):
    for o in ('fro', 'nuc', 2, -2, 1, -1, float('inf'), -float('inf')):
        yield S(make((3, 4)), o)
        yield Sample((make((2, 3, 2)), o), {'dim': (0, 2), 'keepdim': True})
    yield S(make((2, 2, 3), noncontig=True))


register(
    OpInfo('linalg.matrix_norm', lambda m, *a, **k: m.linalg.matrix_norm(*a, **k),
           samples=matrix_norm_samples, dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL,
           grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((3, 3), 3), RuntimeError, 'linalg.matrix_norm: Order 3 not '
                          'supported.'),
                         (((3,),), RuntimeError, 'linalg.matrix_norm: The input tensor A must '
                          'have at least 2 dimensions.')])),
    OpInfo('linalg.norm', lambda m, *a, **k: m.linalg.norm(*a, **k),
           samples=lambda make: [S(make((2, 3, 4))), S(make((4,)), 3), S(make((2, 3)), 'nuc'),
                                 Sample((make((2, 3)),), {'dim': 1, 'keepdim': True}),
                                 Sample((make((2, 3, 2)), 1), {'dim': (0, 1)})],
           dtypes=FLOAT32_64, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((3, 3, 3), 2), RuntimeError, 'linalg.norm: If dim is not specified '
                          'but ord is, the input must be 1D or 2D. Got 3D.')])),
    OpInfo('linalg.cond', lambda m, *a: m.linalg.cond(*a),
           samples=lambda make: [S(_wc(make, (3, 3))), S(_wc(make, (2, 3, 3)), -2),
                                 S(make((4, 3)))],
           dtypes=FLOAT32_64, tol=LINALG_TOL, grad_tol=LINALG_GRAD_TOL),
    OpInfo('linalg.diagonal', lambda m, a, **k: m.linalg.diagonal(a, **k),
           samples=lambda make: [S(make((3, 3))), S(make((2, 3, 4))),
                                 Sample((make((3, 4)),), {'offset': 1})]),
)


# -- distances ----------------------------------------------------------------------------------------
def cdist_samples(make):
    for p in (2.0, 1.0, 0.0, 3.0, float('inf')):
        yield Sample((make((3, 4)), make((2, 4))), {'p': p})
    yield S(make((2, 3, 2)), make((1, 4, 2)))
    yield S(make((0, 3)), make((2, 3)))
    yield Sample((make((3, 2)), make((4, 2))), {'compute_mode': 'use_mm_for_euclid_dist'})
    yield Sample((make((3, 2)), make((4, 2))),
                 {'compute_mode': 'donot_use_mm_for_euclid_dist'})


register(
    OpInfo('cdist', samples=cdist_samples, dtypes=FLOAT32_64, gradgrad=True, tol=LINALG_TOL,
           grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((3,), (2, 3)), RuntimeError, 'cdist only supports at least 2D '
                          'tensors, X1 got: 1D'),
                         (((2, 3), (2, 4)), RuntimeError, 'X1 and X2 must have the same number '
                          'of columns. X1: 3 X2: 4')])),
    OpInfo('cosine_similarity',
           samples=lambda make: [S(make((3, 4)), make((3, 4))), S(make((2, 3)), make((3,)), 0),
                                 S(make((2, 3, 2)), make((2, 1, 2)), -1, 0.5),
                                 S(np.zeros((2, 3), make.dtype), make((2, 3))).but(
                                     gradcheck=False, grad=make.dtype in FLOAT32_64)],
           dtypes=FLOATS, gradgrad=True, grad_tol=LINALG_GRAD_TOL),
    OpInfo('pdist',
           samples=lambda make: [Sample((make((4, 3)),), {'p': p})
                                 for p in (2.0, 1.0, 0.0, 3.0, float('inf'))]
           + [S(make((1, 3))), S(make((3, 0))),
              # torch 2.13 segfaults in pdist's backward on zero rows: forward only
              S(make((0, 3))).but(grad=False, gradcheck=False)],
           dtypes=FLOAT32_64, gradgrad=True, grad_tol=LINALG_GRAD_TOL,
           errors=_errs([(((3,),), RuntimeError, 'pdist only supports 2D tensors, got: 1D'),
                         (((2, 3, 4),), RuntimeError, 'pdist only supports 2D tensors, got: 3D')])),
    OpInfo('pairwise_distance',
           samples=lambda make: [S(make((3, 4)), make((3, 4))), S(make((2, 3)), make((3,))),
                                 S(make((4,)), make((4,)), 1.0), S(make((3, 2)), make((3, 2)),
                                                                   3.0, 1e-3, True)],
           dtypes=NUMERIC, gradgrad=True, grad_tol=LINALG_GRAD_TOL),
)


# nn.functional.linear / bilinear (flambeau/ops/linear.py)
def _linear_samples(make):
    yield S(make((2, 3)), make((2, 3)), make((2,)))  # small enough for gradgradcheck
    yield S(make((3, 4)), make((5, 4)), make((5,)))
    yield S(make((3, 4)), make((5, 4)))
    yield S(make((2, 3, 4)), make((5, 4)), make(()))
    yield S(make((4,)), make((5, 4)), make((5,)))
    yield S(make((4, 3), noncontig=True), make((5, 3)), make((5,)))
    yield S(make((0, 4)), make((5, 4)), make((5,)))


def _bilinear_samples(make):
    unit = lambda shape: make(shape, -1, 1)  # noqa: E731  (bfloat16 sums stay close)
    yield S(unit((1, 2)), unit((1, 2)), unit((2, 2, 2)), unit((2,)))  # for gradgradcheck
    yield S(unit((3, 4)), unit((3, 2)), unit((5, 4, 2)), unit((5,)))
    yield S(unit((2, 3, 4)), unit((2, 3, 2)), unit((5, 4, 2)))


register(
    OpInfo('nn.functional.linear', lambda m, *a: m.nn.functional.linear(*a),
           samples=_linear_samples, dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL,
           grad_tol=MATMUL_TOL,
           errors=lambda make: [ErrorInput(S(make((3, 4)), make((5, 3))), RuntimeError,
                                           'mat1 and mat2 shapes cannot be multiplied (3x4 and '
                                           '3x5)')]),
    OpInfo('bilinear', lambda m, *a: m.nn.functional.bilinear(*a), samples=_bilinear_samples,
           dtypes=NUMERIC, gradgrad=True, tol=MATMUL_TOL,
           grad_tol={**MATMUL_TOL, 'bfloat16': (1.5e-1, 1e-1)},  # two roundings deep
           variants={'torch.bilinear': lambda m, *a: m.bilinear(*a)}),
)
