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
