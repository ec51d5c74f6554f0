"""Op registry entries: index ops (see opinfo.py for the framework)."""
import numpy as np

from opinfo import NUMERIC, ErrorInput, OpInfo, S

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
    yield S(make(()), 0, np.array(0))
    yield S(make((3, 4), noncontig=True), 0, make.index((3, 4), 3))
    yield S(make((4,)), 0, np.zeros((0,), np.int64))


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
    yield S(make(()), 0, np.array(0), make(()))
    yield S(make((3, 4), noncontig=True), 1, make.perm_index((3, 2), 1, 4), make((3, 2)))
    # the deprecated reduce= forms: PyTorch has no derivative for them (its backward raises)
    yield S(x, 0, make.index((5, 4), 3), make((5, 4)), reduce='add').but(gradcheck=False)
    yield S(x, 1, make.index((3, 6), 4), make((3, 6)), reduce='multiply').but(gradcheck=False)
    yield S(x, 1, make.index((3, 6), 4), 2, reduce='multiply').but(gradcheck=False)


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
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 5]])), RuntimeError,
                          'index 5 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0, -1]])), RuntimeError,
                          'index -1 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 5), 3)), RuntimeError,
                          'Size does not match at dimension 1 expected index [2, 5] to be no '
                          'larger than self [3, 4] apart from dimension 0'),
           ]),
    OpInfo('scatter', gradgrad=True, samples=scatter_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, make.index((2,), 3), make((2,))), RuntimeError,
                          'Index tensor must have the same number of dimensions as self tensor'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 4), 3).astype(np.int16), 1.0),
                          RuntimeError, 'scatter(): Expected dtype int32/int64 for index'),
               ErrorInput(S(make((3, 4)), 0, np.array([[5, 1]]), 3.0), RuntimeError,
                          'index 5 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 1]]), make((1, 2), dtype='float64')),
                          RuntimeError, 'scatter(): Expected self.dtype to be equal to src.dtype'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 3), 3), make((2, 2))), RuntimeError,
                          'Expected index [2, 3] to be no larger than self [3, 4] apart from '
                          'dimension 0 and to be no larger size than src [2, 2]'),
               ErrorInput(S(make((3, 4)), 0, make.index((2, 5), 3), 1.0), RuntimeError,
                          'Expected index [2, 5] to be no larger than self [3, 4] apart from '
                          'dimension 0'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 1]]), 3.0, reduce='mean'),
                          RuntimeError, 'reduce argument must be either add or multiply.'),
           ]),
    OpInfo('scatter_add', gradgrad=True, samples=scatter_add_samples, method=True, inplace=True),
)


# along a dim: index_select, index_add, index_copy, index_fill, index_reduce
def index_select_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((2,), 3))
    yield S(x, 1, make.index((6,), 4))
    yield S(x, -1, make.index((3,), 4).astype(np.int32))
    yield S(make((5,)), 0, np.array(2))
    yield S(make(()), 0, np.array(0))
    yield S(make(()), 0, np.array([0]))
    yield S(make((3, 4), noncontig=True), 1, make.index((5,), 4))
    yield S(make((0, 3)), 1, make.index((2,), 3))
    yield S(x, 0, np.zeros((0,), np.int64))


def _vector_errors(name):
    def errors(make):
        return [
            ErrorInput(S(make((3, 4)), 0, np.array([[0]])), IndexError,
                       'index_select(): Index is supposed to be a vector'),
            ErrorInput(S(make((3, 4)), 0, np.array([0], np.int16)), RuntimeError,
                       'index_select(): Expected dtype int32 or int64 for index'),
            ErrorInput(S(make((3, 4)), 0, np.array([3])), IndexError, 'index out of range in self'),
            ErrorInput(S(make((3, 4)), 0, np.array([-1])), IndexError,
                       'index out of range in self'),
            ErrorInput(S(make((3, 4)), 2, np.array([0])), IndexError, 'Dimension out of range'),
            ErrorInput(S(make(()), 0, np.array([0, 0])), RuntimeError,
                       'index_select(): Index to scalar can have only 1 value, got 2 value(s)'),
        ]
    return errors


def index_add_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.index((5,), 3), make((5, 4)))
    yield S(x, 1, make.index((2,), 4), make((3, 2)), alpha=2)
    yield S(x, -1, make.index((6,), 4).astype(np.int32), make((3, 6)))
    yield S(make(()), 0, np.array([0]), make(()))
    yield S(make((3, 4), noncontig=True), 0, make.index((4,), 3), make((4, 4), noncontig=True))
    yield S(make((4,)), 0, np.array(1), make((1,)))
    yield S(x, 0, np.zeros((0,), np.int64), make((0, 4)))


def index_copy_samples(make):
    x = make((3, 4))
    yield S(x, 0, make.perm_index((2,), 0, 3), make((2, 4)))
    yield S(x, 1, make.perm_index((4,), 0, 4), make((3, 4)))
    yield S(x, -1, make.perm_index((1,), 0, 4), make((3, 1)))
    yield S(make(()), 0, np.array([0]), make(()))
    yield S(make((3, 4), noncontig=True), 0, make.perm_index((3,), 0, 3),
            make((3, 4), noncontig=True))
    yield S(make((4,)), 0, np.array(2), make((1,)))


def index_fill_samples(make):
    x = make((3, 4))
    v = 2.5 if make.is_float else 3
    yield S(x, 1, make.index((2,), 4), v)
    yield S(x, 0, np.array([-1, 0, 0]), -1)
    yield S(x, -1, make.index((3,), 4), make(()))
    yield S(x, 0, np.array(1), make(()))
    yield S(make(()), 0, np.array([0]), v)
    yield S(make((3, 4), noncontig=True), 1, make.index((2,), 4), make(()))
    yield S(x, 1, np.zeros((0,), np.int64), v)


def index_reduce_samples(make):
    x = make((3, 4), exclude_zero=True)
    for reduce in ('prod', 'mean', 'amax', 'amin'):
        for include_self in (True, False):
            yield S(x, 0, make.index((5,), 3), make((5, 4), exclude_zero=True), reduce,
                    include_self=include_self)
    yield S(x, 1, make.index((2,), 4), make((3, 2)), 'mean')
    yield S(make((3, 4), noncontig=True), -1, make.index((6,), 4), make((3, 6)), 'amax')
    yield S(make(()), 0, np.array([0]), make(()), 'prod')


register(
    OpInfo('index_select', gradgrad=True, samples=index_select_samples, method=True, out=True,
           errors=_vector_errors('index_select')),
    OpInfo('index_add', gradgrad=True, samples=index_add_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, np.array([0, 2]), make((2, 4), dtype='float64')),
                          RuntimeError, 'index_add_(): self (Float) and source (Double) must '
                                        'have the same scalar type'),
               ErrorInput(S(make((3, 4)), 0, np.array([0, 2]), make((3, 4))), RuntimeError,
                          'index_add_(): Number of indices (2) should be equal to '
                          'source.size(dim): (3), for dim: 0'),
               ErrorInput(S(make((3, 4)), 0, np.array([0]), make((1, 3))), RuntimeError,
                          'source tensor shape must match self tensor shape, excluding the '
                          'specified dimension. Got self.shape = [3, 4] source.shape = [1, 3]'),
               ErrorInput(S(make((3, 4)), 0, np.array([7, 0]), make((2, 4))), RuntimeError,
                          'index 7 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, np.array([0], np.int16), make((1, 4))),
                          RuntimeError, 'index_add_(): Expected dtype int32/int64 for index but '
                                        'got: Short'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0]]), make((1, 4))), IndexError,
                          'index_add_(): Index is supposed to be a vector, but got dim: 2 with '
                          'type: Long and size: [1, 1]'),
           ]),
    OpInfo('index_copy', gradgrad=True, samples=index_copy_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, np.array([0], np.int32), make((1, 4))),
                          RuntimeError, 'index_copy_(): Expected a long tensor for index, but '
                                        'got Int'),
               ErrorInput(S(make((3, 4)), 0, np.array([0, 2]), make((2, 4), dtype='int64')),
                          RuntimeError, 'index_copy_(): self and source expected to have the '
                                        'same dtype, but got (self) Float and (source) Long'),
               ErrorInput(S(make((3, 4)), 0, np.array([0, 2]), make((3, 4))), IndexError,
                          'index_copy_(): Number of indices (2) should be equal to '
                          'source.size(dim) (3)'),
               ErrorInput(S(make((3, 4)), 0, np.array([3]), make((1, 4))), IndexError,
                          'index_copy_(): index 3 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, np.array([0]), make((1, 3))), RuntimeError,
                          'index_copy_(): Source/destination tensor must have same slice shapes. '
                          'Destination slice shape: 4 at dimension 0 and source slice shape: 3 '
                          'at dimension 0.'),
           ]),
    OpInfo('index_fill', gradgrad=True, samples=index_fill_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, np.array([0], np.int32), 1.0), IndexError,
                          'index_fill_(): Expected dtype int64 for index.'),
               ErrorInput(S(make((3, 4)), 1, np.array([0]), make((1,))), RuntimeError,
                          'index_fill_ only supports a 0-dimensional value tensor, but got '
                          'tensor with 1 dimension(s).'),
               ErrorInput(S(make((3, 4)), 0, np.array([3]), 1.0), IndexError,
                          'index 3 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0]]), 1.0), RuntimeError,
                          'Index has to be a vector/scalar'),
           ]),
    OpInfo('index_reduce', gradgrad=True, samples=index_reduce_samples, method=True,
           inplace=True, dtypes=NUMERIC,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, np.array([0]), make((1, 4)), 'sum'), RuntimeError,
                          'index_reduce(): Expected reduce to be one of prod, mean, amax or amin '
                          'but got sum.'),
               ErrorInput(S(make((3, 4)), 0, np.array([5]), make((1, 4)), 'amax'), IndexError,
                          'index out of range in self'),
               ErrorInput(S(make((3, 4)), 0, np.array([-1]), make((1, 4)), 'amax'), IndexError,
                          'index out of range in self'),
               ErrorInput(S(make((3, 4)), 0, np.array([0], np.int16), make((1, 4)), 'amax'),
                          RuntimeError, 'index_reduce_(): Expected dtype int32/int64 for index '
                                        'but got: Short'),
               ErrorInput(S(make((3, 4)), 0, np.array([0]), make((1, 4), dtype='float64'),
                            'amax'),
                          RuntimeError, 'index_reduce_(): self (Float) and source (Double) must '
                                        'have the same scalar type'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0]]), make((1, 4)), 'amax'), IndexError,
                          'index_reduce_(): Index is supposed to be a vector, but got dim: 2 '
                          'with type: Long and size: [1, 1]'),
               ErrorInput(S(make((3, 4)), 0, np.array([0, 1]), make((1, 4)), 'amax'),
                          RuntimeError, 'index_reduce_(): Number of indices (2) should be equal '
                                        'to source.size(dim): (1), for dim: 0'),
           ]),
)


# scatter_reduce
def scatter_reduce_samples(make):
    x = make((3, 4), exclude_zero=True)
    for reduce in ('sum', 'prod', 'mean', 'amax', 'amin'):
        for include_self in (True, False):
            yield S(x, 0, make.index((5, 4), 3), make((5, 4), exclude_zero=True), reduce,
                    include_self=include_self)
    yield S(x, 1, make.index((3, 6), 4), make((3, 6)), 'sum')
    yield S(make((3, 4), noncontig=True), -1, make.index((3, 2), 4), make((3, 2)), 'amin')
    yield S(make((5,)), 0, make.index((7,), 5), make((7,)), 'mean', include_self=False)
    yield S(make(()), 0, np.array(0), make(()), 'prod')
    yield S(x, 0, make.index((2, 4), 3).astype(np.int32), make((2, 4)), 'amax')


register(
    OpInfo('scatter_reduce', gradgrad=True, samples=scatter_reduce_samples, method=True,
           inplace=True, dtypes=NUMERIC,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 1]]), make((1, 2)), 'foo'),
                          RuntimeError, 'reduce argument must be either sum, prod, mean, amax '
                                        'or amin, got foo'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 1]]), make((1, 2), dtype='float64'),
                             'sum'),
                          RuntimeError, 'scatter(): Expected self.dtype to be equal to '
                                        'src.dtype'),
               ErrorInput(S(make((3, 4)), 0, np.array([[0, 3]]), make((1, 2)), 'sum'),
                          RuntimeError, 'index 3 is out of bounds for dimension 0 with size 3'),
           ]),
)


# masks
def masked_fill_samples(make):
    x = make((3, 4))
    v = 2.5 if make.is_float else 3
    yield S(x, make.mask((3, 4)), v)
    yield S(x, make.mask((4,)), -1)
    yield S(make((4,)), make.mask((3, 4)), v)
    yield S(x, make.mask((3, 1)), make(()))
    yield S(make(()), np.array(True), v)
    yield S(make(()), np.array(False), make(()))
    yield S(make((3, 4), noncontig=True), make.mask((3, 4)), True)
    yield S(make((0, 3)), make.mask((0, 3)), v)
    yield S(x, make.mask((3, 4)), make((), dtype='float64')).but(grad=(0,))


def masked_select_samples(make):
    x = make((3, 4))
    yield S(x, make.mask((3, 4)))
    yield S(x, make.mask((4,)))
    yield S(make((4,)), make.mask((3, 4)))
    yield S(make(()), np.array(True))
    yield S(make(()), make.mask((2,)))
    yield S(make((3, 4), noncontig=True), make.mask((3, 4)))
    yield S(make((0, 3)), make.mask((0, 3)))
    yield S(x, np.zeros((3, 4), bool))


def masked_scatter_samples(make):
    x = make((3, 4))
    yield S(x, make.mask((3, 4)), make((12,)))
    yield S(x, make.mask((4,)), make((3, 5)))
    yield S(make((4,)), make.mask((2, 4)), make((8,)))
    yield S(make(()), np.array(True), make((2,)))
    yield S(make((3, 4), noncontig=True), make.mask((3, 4)), make((4, 3), noncontig=True))
    yield S(x, np.zeros((3, 4), bool), make((0,)))


register(
    OpInfo('masked_fill', gradgrad=True, samples=masked_fill_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), make((3, 4)), 1.0), RuntimeError,
                          'masked_fill_ only supports boolean masks, but got mask with dtype '
                          'float'),
               ErrorInput(S(make((3, 4)), make.mask((3, 4)).astype(np.uint8), 1.0),
                          RuntimeError, 'masked_fill_ only supports boolean masks, but got mask '
                                        'with dtype unsigned char'),
               ErrorInput(S(make((3, 4)), make.mask((3, 4)), make((1,))), RuntimeError,
                          'masked_fill_ only supports a 0-dimensional value tensor, but got '
                          'tensor with 1 dimension(s).'),
               ErrorInput(S(make((3, 4)), make.mask((2, 4)), 1.0), RuntimeError,
                          'The size of tensor a (2) must match the size of tensor b (3) at '
                          'non-singleton dimension 0'),
               ErrorInput(S(make((4,)), make.mask((3, 4)), 1.0), RuntimeError,
                          "output with shape [4] doesn't match the broadcast shape [3, 4]",
                          op=lambda m, x, *a: x.masked_fill_(*a)),
           ]),
    OpInfo('masked_select', gradgrad=True, samples=masked_select_samples, method=True, out=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), make((3, 4))), RuntimeError,
                          'masked_select: expected BoolTensor for mask'),
           ]),
    OpInfo('masked_scatter', gradgrad=True, samples=masked_scatter_samples, method=True,
           inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), np.ones((3, 4), bool), make((12,), dtype='float64')),
                          RuntimeError, 'masked_scatter: expected self and source to have same '
                                        'dtypes but gotFloat and Double'),
               ErrorInput(S(make((3, 4)), np.ones((3, 4), bool), make((3,))), RuntimeError,
                          'Number of elements of source < number of ones in mask'),
               ErrorInput(S(make((3, 4)), make((3, 4)), make((12,))), RuntimeError,
                          'masked_scatter_ only supports boolean masks, but got mask with dtype '
                          'Float'),
           ]),
)


# flat positions: take, put; take_along_dim
def take_samples(make):
    x = make((3, 4))
    yield S(x, make.index((5,), 12, low=-12))
    yield S(x, make.index((2, 3), 12))
    yield S(make(()), np.array(0))
    yield S(make(()), np.array([0, -1, 0]))
    yield S(make((3, 4), noncontig=True), make.index((6,), 12))
    yield S(x, np.zeros((0,), np.int64))
    yield S(make((40,)), make.index((64,), 40))  # many repeats: a bincount backward


def put_samples(make):
    x = make((3, 4))
    yield S(x, make.perm_index((5,), 0, 12), make((5,)))
    yield S(x, make.perm_index((6,), 0, 12).reshape(2, 3), make((6,)))
    yield S(x, make.index((7,), 12), make((7,)), accumulate=True)
    yield S(x, make.index((2, 2), 12, low=-12), make((4,)), True)
    yield S(make(()), np.array([0]), make((1,)))
    yield S(make((3, 4), noncontig=True), np.array([-1, 5, 0]), make((3,)))


def take_along_dim_samples(make):
    x = make((3, 4))
    yield S(x, make.index((3, 2), 4), 1)
    yield S(x, make.index((2, 4), 3), 0)
    yield S(x, make.index((1, 5), 4), -1)
    yield S(x, make.index((5,), 12))
    yield S(make((1, 4)), make.index((3, 2), 4), 1)
    yield S(make((3, 4), noncontig=True), make.index((3, 4), 3), 0)
    yield S(make(()), np.array([0, 0]))


register(
    OpInfo('take', gradgrad=True, samples=take_samples, method=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), np.array([1], np.int32)), RuntimeError,
                          'take(): Expected a long tensor for index, but got Int'),
               ErrorInput(S(make((3, 4)), np.array([12])), IndexError,
                          'out of range: tried to access index 12 on a tensor of 12 elements.'),
               ErrorInput(S(make((3, 4)), np.array([0, -13])), IndexError,
                          'out of range: tried to access index -13 on a tensor of 12 elements.'),
           ]),
    OpInfo('put', gradgrad=True, samples=put_samples, method=True, inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), np.array([1], np.int32), make((1,))), RuntimeError,
                          'put_(): Expected a long tensor for index, but got Int'),
               ErrorInput(S(make((3, 4)), np.array([1, 2]), make((2,), dtype='float64')),
                          RuntimeError, 'put_(): self and source expected to have the same '
                                        'dtype, but got self.dtype = Float and source.dtype = '
                                        'Double'),
               ErrorInput(S(make((3, 4)), np.array([1, 2]), make((3,))), IndexError,
                          'put_(): Expected source and index to have the same number of '
                          'elements, but got source.numel() = 3, index.numel() = 2'),
               ErrorInput(S(make((3, 4)), np.array([13, 2]), make((2,))), IndexError,
                          'out of range: tried to access index 13 on a tensor of 12 elements.'),
           ]),
    OpInfo('take_along_dim', gradgrad=True, samples=take_along_dim_samples, method=True,
           out=True,
           errors=lambda make: [
               ErrorInput(S(make((3, 4)), np.array([[0]], np.int32), 1), RuntimeError,
                          'torch.take_along_dim(): dtype of indices should be Long but got Int'),
               ErrorInput(S(make((3, 4)), np.array([0]), 1), RuntimeError,
                          'torch.take_along_dim(): input and indices should have the same number '
                          'of dimensions, but got 2 dimensions for input, and 1 dimensions for '
                          'indices'),
               ErrorInput(S(make((3, 4)), np.array([[0, 1]]), 0), RuntimeError,
                          'The size of tensor a (4) must match the size of tensor b (2) at '
                          'non-singleton dimension 1'),
               ErrorInput(S(make(()), np.array(0), 0), IndexError,
                          'Dimension specified as 0 but tensor has no dimensions'),
           ]),
)


# index_put
def _index_put(m, x, indices, values, *args, **kwargs):
    return m.index_put(x, indices, values, *args, **kwargs)


def index_put_samples(make):
    x = make((4, 3))
    yield S(x, (make.perm_index((2,), 0, 4),), make((2, 3)))
    yield S(x, (make.index((5,), 4),), make((3,)), accumulate=True)
    yield S(x, (make.index((6,), 4), make.index((6,), 3)), make((6,)), True)
    yield S(x, (make.perm_index((3,), 0, 4), np.array([0, 2, 1])), make(()))
    yield S(x, (make.mask((4, 3)),), make(()))
    yield S(x, (make.mask((4,)),), make((1, 3)), accumulate=True)
    yield S(x, (np.array(1), make.index((2,), 3)), make((2,)), accumulate=True)
    yield S(make((3, 4), noncontig=True), (np.array([0, 2]),), make((2, 4)))
    yield S(make((2,)), (np.array(True),), make(())).but(grad=False)  # torch's backward asserts


register(
    OpInfo('index_put', _index_put, gradgrad=True, samples=index_put_samples,
           method=lambda m, x, *a, **k: x.index_put(*a, **k), inplace=True,
           errors=lambda make: [
               ErrorInput(S(make((3,)), (np.array([0, 1]),), make((), dtype='float64')),
                          RuntimeError, 'Index put requires the source and destination dtypes '
                                        'match, got Float for the destination and Double for '
                                        'the source.'),
               ErrorInput(S(make(()), (np.array(True),), make(())), IndexError,
                          'too many indices for tensor of dimension 0 (got 1)'),
               ErrorInput(S(make((3,)), np.array([0, 1]), make(())), TypeError,
                          "index_put(): argument 'indices' (position 2) must be tuple of "
                          'Tensors, not Tensor'),
               ErrorInput(S(make((3,)), (np.array([0, 0, 2]),), make((2,))), RuntimeError,
                          'shape mismatch: value tensor of shape [2] cannot be broadcast to '
                          'indexing result of shape [3]'),
               ErrorInput(S(make((3,)), (np.array([0, 5]),), make(())), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 3'),
           ]),
)


# finding elements: nonzero, argwhere, searchsorted, bucketize
def _with_zeros(make, shape, noncontig=False):
    a = make(shape, noncontig=noncontig)
    a[make.mask(shape)] = 0
    return a


def nonzero_samples(make):
    for shape in ((3, 4), (5,), (), (0, 3), (2, 3, 2)):
        yield S(_with_zeros(make, shape))
    yield S(_with_zeros(make, (3, 4), noncontig=True))
    yield S(np.zeros((), make(()).dtype))


def _sorted(make, shape):
    return np.sort(make(shape), axis=-1)


def searchsorted_samples(make):
    seq = _sorted(make, (6,))
    yield S(seq, make((3, 4)))
    yield S(seq, make((3, 4)), right=True)
    yield S(seq, seq.copy(), side='right')
    yield S(seq, seq.copy())
    yield S(seq, make((5,)), out_int32=True)
    yield S(_sorted(make, (2, 5)), make((2, 3)))
    yield S(_sorted(make, (2, 3, 4)), make((2, 3, 2)), right=True)
    yield S(seq, 2)
    yield S(seq, make(()))
    yield S(seq, make((0,)))
    unsorted = make((6,))
    yield S(unsorted, make((4,)), sorter=np.argsort(unsorted, kind='stable'))
    yield S(seq, make((3, 4), noncontig=True))


def bucketize_samples(make):
    bnd = np.unique(make((6,)))
    yield S(make((3, 4)), bnd)
    yield S(make((3, 4)), bnd, right=True)
    yield S(bnd.copy(), bnd)
    yield S(bnd.copy(), bnd, right=True, out_int32=True)
    yield S(make(()), bnd)
    yield S(2, bnd)
    yield S(make((0, 2)), bnd)
    yield S(make((3, 4), noncontig=True), bnd)


register(
    OpInfo('nonzero', samples=nonzero_samples, grad=False, method=True, out=True),
    OpInfo('nonzero_as_tuple', lambda m, x: m.nonzero(x, as_tuple=True), samples=nonzero_samples,
           grad=False, method=lambda m, x: x.nonzero(as_tuple=True)),
    OpInfo('argwhere', samples=nonzero_samples, grad=False, method=True),
    OpInfo('searchsorted', samples=searchsorted_samples, grad=False, out=True, dtypes=NUMERIC,
           errors=lambda make: [
               ErrorInput(S(np.sort(make((3,))), make((2,)), side='left', right=True),
                          RuntimeError, "torch.searchsorted(): side and right can't be set to "
                                        'opposites, got side of left while right was True'),
               ErrorInput(S(np.sort(make((3,))), make((2,)), side='foo'), RuntimeError,
                          "torch.searchsorted(): side can only be 'left' or 'right' but got foo"),
               ErrorInput(S(make((2, 3)), make((3, 1))), RuntimeError,
                          'torch.searchsorted(): boundaries tensor should be 1 dimension or the '
                          'first N-1 dimensions of boundaries tensor and input value tensor must '
                          'match, but we got boundaries tensor [2, 3] and input value tensor '
                          '[3, 1]'),
               ErrorInput(S(make(()), make((3,))), RuntimeError,
                          'torch.searchsorted(): boundaries tensor should have positive '
                          'dimension, but got 0 dimension'),
               ErrorInput(S(make((3,)), make((2,)), sorter=np.array([0, 1, 2], np.int32)),
                          RuntimeError, 'torch.searchsorted(): sorter must be a tensor of long '
                                        'dtype but got dtype Int'),
               ErrorInput(S(make((3,)), make((2,)), sorter=np.array([0, 1])), RuntimeError,
                          'torch.searchsorted(): boundary and sorter must have the same size, '
                          'but got boundary tensor [3]and got sorter tensor [2]'),
           ]),
    OpInfo('bucketize', samples=bucketize_samples, grad=False, out=True, dtypes=NUMERIC,
           errors=lambda make: [
               ErrorInput(S(make((3,)), make((2, 3))), RuntimeError,
                          'boundaries tensor must be 1 dimension, but got dim(2)'),
               ErrorInput(S(make((3,)), make(())), RuntimeError,
                          'boundaries tensor must be 1 dimension, but got dim(0)'),
           ]),
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
                (np.array([0, 1], dtype=np.int32), 0),
                # ints among advanced indices select first (unlike NumPy)
                (0, slice(None), [0, 2]), (0, None, np.array([0, 1])), ([0, 1], None, [0, 2]),
                (-1, np.array([[0, 1], [2, 2]]), slice(None)), (1, make.mask((5,))),
                (np.array([0, 1]), slice(None), 1), (Ellipsis, np.array([0, 2]), 0),
                (slice(None), make.mask((5, 3))), np.array(False), [True, False, True, True],
                (slice(1, None, 2), [[0], [3]], [1, 2])):
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
    yield S(x, -1, make((1, 3)))
    yield S(x, (None, 1), make((3,)))
    yield S(x, Ellipsis, make((1, 3)))
    yield S(x, True, make((3,)))
    yield S(x, np.array(False), 1)
    yield S(x, (1, [0, 2]), make((2,)))
    yield S(x, (np.array([0, 3]), slice(None)), make(()))
    yield S(x, (slice(None), make.mask((3,))), 3)
    yield S(x, 1, make((3,), dtype='float64'))
    yield S(x, (slice(1, None, 2), [2, 0]), make((2, 1)))
    yield S(x, (np.array(2), Ellipsis), make((3,)))
    m = make.mask((4, 3))
    yield S(x, m, make((int(m.sum()),)))
    yield S(make((3, 4), noncontig=True), (slice(None), 1), make((3,)))
    yield S(make(()), Ellipsis, make(()))
    yield S(make(()), None, 2)


register(
    OpInfo('setitem', _setitem, gradgrad=True, samples=setitem_samples,
           errors=lambda make: [
               ErrorInput(S(make((4, 3)), 1, make((2,))), RuntimeError,
                          'The expanded size of the tensor (3) must match the existing size (2)'),
               ErrorInput(S(make((4, 3)), 5, 1.0), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 4'),
               ErrorInput(S(make((3,)), 5, 1.0), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3,)), np.array([0, 1, 2]), make((2,))), RuntimeError,
                          'shape mismatch: value tensor of shape [2] cannot be broadcast to '
                          'indexing result of shape [3]'),
               ErrorInput(S(make((3,)), np.array([0, 5]), 1.0), IndexError,
                          'index 5 is out of bounds for dimension 0 with size 3'),
               ErrorInput(S(make((3,)), make((2,)), 1.0), IndexError,
                          'tensors used as indices must be long, int, byte or bool tensors'),
               ErrorInput(S(make((3, 2)), (0, 0, 0), 1.0), IndexError,
                          'too many indices for tensor of dimension 2'),
               ErrorInput(S(make((3,)), slice(0, 3), [1.0, 2.0, 3.0]), TypeError,
                          "can't assign a list to a torch.FloatTensor"),
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
