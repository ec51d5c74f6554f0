"""Op registry entries: index ops (see opinfo.py for the framework)."""
import numpy as np

from opinfo import ErrorInput, OpInfo, S

OPS = []


def register(*infos):
    OPS.extend(infos)


# gather / scatter
def gather_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((2, 4), 3))
    yield S(x, 1, make.index((3, 2), 4))
    yield S(x, -1, make.index((2, 3), 4))
    yield S(make((4,)), 0, make.index((6,), 4))
    yield S(x, 1, make.index((3, 0), 4))
    yield S(x, 0, make.index((2, 4), 3).astype(np.int32))


def scatter_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.perm_index((2, 4), 0, 3), make((2, 4)))
    # src larger than index: torch's backward rejects its own src gradient (shape [3, 2]
    # for a [3, 3] src), so only the forward is compared
    yield S(x, 1, make.perm_index((3, 2), 1, 4), make((3, 3))).but(grad=False)
    yield S(x, 1, make.perm_index((2, 3), 1, 4), 1.5)
    yield S(x, -1, make.perm_index((3, 4), 1, 4), make((3, 4)))
    yield S(x, 0, make.perm_index((2, 4), 0, 3).astype(np.int32), make((2, 4)))
    yield S(make((4,)), 0, make.perm_index((2,), 0, 4), make((3,))).but(grad=False)


def scatter_add_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((5, 4), 3), make((5, 4)))
    yield S(x, 1, make.index((3, 6), 4), make((3, 6)))
    yield S(x, 1, make.index((2, 2), 4), make((3, 3))).but(grad=False)  # as in scatter
    yield S(make((4,)), 0, make.index((6,), 4), make((6,)))
    yield S(x, 0, make.index((5, 4), 3).astype(np.int32), make((5, 4)))


register(
    OpInfo('gather', gradgrad=True, samples=gather_samples, method=True, out=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, make.index((2,), 3)), RuntimeError,
                          'Index tensor must have the same number of dimensions as input tensor'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 4), 3).astype(np.int16)),
                          RuntimeError, 'gather(): Expected dtype int32/int64 for index'),
           ]),
    OpInfo('scatter', gradgrad=True, samples=scatter_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, make.index((2,), 3), make((2,))), RuntimeError,
                          'Index tensor must have the same number of dimensions as self tensor'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 4), 3).astype(np.int16), 1.0),
                          RuntimeError, 'scatter(): Expected dtype int32/int64 for index'),
           ]),
    OpInfo('scatter_add', gradgrad=True, samples=scatter_add_samples, method=True, inplace=True),
)


# indexing
def _getitem(m, x, idx):
    """``x[idx]``; index arrays in ``idx`` arrive as tensors, lists stay lists."""
    return x[idx]


def getitem_samples(make):
    x = make((4, 5, 3))
    for idx in (1, -1, slice(1, 3), slice(None, None, 2), slice(-3, None), (1, 2), (1, -2, 0),
                (slice(None), 0), (Ellipsis, 1), (None, 1), (1, None, slice(None, None, 2)),
                (slice(1, 4, 2), Ellipsis, None), slice(5, 9), (slice(None), slice(1, 1)),
                np.array([0, 2, 2]), np.array([[1, 0], [3, 3]]), [0, 3], [[0, 1], [2, 3]],
                (np.array([0, 1]), np.array([2, 4])), (slice(None), np.array([1, 1, 0])),
                (np.array([1, 2]), slice(None), np.array([0, 2])),
                (Ellipsis, [0, 2]), (1, [0, 4], slice(None)), np.array(2),
                make.mask((4,)), make.mask((4, 5)), (slice(None), make.mask((5,))),
                make.mask((4, 5, 3)), np.array([], dtype=np.int64), True, (None, Ellipsis, None),
                np.array([1, 0, 1, 1], dtype=np.uint8), np.array([3, 0], dtype=np.int32),
                (np.array([0, 1], dtype=np.int32), 0)):
        yield S(x, idx)
    yield S(make(()), None)
    yield S(make(()), Ellipsis)
    yield S(make(()), np.array(True))
    yield S(make((3, 4), noncontig=True), (slice(None), 1))


register(
    OpInfo('getitem', _getitem, gradgrad=True, samples=getitem_samples,
           errors=lambda make: [
               ErrorInput(S(make((3,)), 3), IndexError,
                          'index 3 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 2)), (0, 0, 0)), IndexError,
                          'too many indices for tensor of dimension 2'),
               ErrorInput(S(make(()), 0), IndexError, 'invalid index of a 0-dim tensor'),
               ErrorInput(S(make((3,)), make((2,))), IndexError,
                          'tensors used as indices must be long, int, byte or bool tensors'),
           ]),
)


def _setitem(m, x, idx, v):
    """``x[idx] = v`` on a clone of ``x``: the gradient flows into the rest of ``x``
    (CopySlices / IndexPutBackward0) and into ``v``."""
    y = x.clone()
    y[idx] = v
    return y


def setitem_samples(make):
    x = make((4, 3))
    yield S(x, 1, make((3,)))
    yield S(x, 1, 2.5 if make.is_float else 2)
    yield S(x, (slice(1, 3), 0), make((2,)))
    yield S(x, slice(None, None, 2), make((3,)))
    yield S(x, (Ellipsis, -1), make(()))
    yield S(x, np.array([0, 2]), make((2, 3)))
    yield S(x, (np.array([0, 3]), np.array([1, 2])), make((2,)))
    yield S(x, make.mask((4, 3)), 0)
    yield S(x, make.mask((4,)), make((3,)))
    yield S(x, [1, 3], make((1, 3)))
    yield S(x, (slice(None), [0, 2]), make((4, 1)))


register(
    OpInfo('setitem', _setitem, gradgrad=True, samples=setitem_samples,
           errors=lambda make: [
               ErrorInput(S(make((4, 3)), 1, make((2,))), RuntimeError,
                          'The expanded size of the tensor (3) must match the existing size (2)'),
               ErrorInput(S(make((4, 3)), 5, 1.0), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 4'),
           ]),
)


def _write_through_views(m, x, y):
    """In-place ops through views of a non-leaf, one over another (CopySlices chains)."""
    b = x * 1
    b[1].mul_(y)
    b.t()[2].add_(y[:3] * y[:3])
    b[:, 0] = y[1:]
    b[0, 1:3].sub_(b[2, :2] * 2)
    return b


register(
    OpInfo('inplace_on_views', _write_through_views, gradgrad=True,
           samples=lambda make: [S(make((3, 4)), make((4,))),
                                 S(make((3, 4), noncontig=True), make((4,)))]),
)
