"""Op registry entries: shape ops (see opinfo.py for the framework)."""
from opinfo import ErrorInput, OpInfo, S, _many, _shape_errors

OPS = []


def register(*infos):
    OPS.extend(infos)


# shape ops (views)
register(
    OpInfo('view', lambda m, x, *a: x.view(*a),
           samples=_many(((2, 3), 6), ((2, 3), 3, 2), ((2, 3), (-1,)), ((2, 3), [3, -1]),
                         ((), 1), ((1,), ()), ((0, 3), 3, 0), ((2, 3, 4), 2, -1)),
           errors=lambda make: [
               ErrorInput(S(make((2, 3)), 4), RuntimeError,
                          "shape '[4]' is invalid for input of size 6"),
               ErrorInput(S(make((2, 3)), -1, -1), RuntimeError,
                          'only one dimension can be inferred'),
               ErrorInput(S(make((3, 4), noncontig=True), 12), RuntimeError,
                          "view size is not compatible with input tensor's size and stride"),
           ]),
    OpInfo('reshape', samples=_many(((2, 3), (6,)), ((2, 3), (3, 2)), ((2, 3), (-1, 2)),
                                    ((), (1,)), ((3, 4, 'nc'), (12,)), ((3, 4, 'nc'), (4, 3)),
                                    ((0, 3), (3, 0)), ((2, 3), (2, 3))),
           method=lambda m, x, s: x.reshape(*s)),
    OpInfo('t', samples=_many(((2, 3),), ((3,),), ((),), ((3, 4, 'nc'),)), method=True,
           errors=_shape_errors([(((2, 3, 4),), RuntimeError,
                                  't() expects a tensor with <= 2 dimensions, but self is 3D')])),
    OpInfo('transpose', samples=_many(((2, 3), 0, 1), ((2, 3, 4), -1, 0), ((2, 3), 1, 1),
                                      ((), 0, -1), ((3, 4, 'nc'), 0, 1)),
           method=True, gradgrad=True,
           variants={'swapaxes': lambda m, x, a, b: x.swapaxes(a, b),
                     'swapdims': lambda m, x, a, b: m.swapdims(x, a, b)},
           errors=_shape_errors([(((2, 3), 0, 2), IndexError, 'Dimension out of range')])),
    OpInfo('permute', samples=_many(((2, 3, 4), (2, 0, 1)), ((2, 3), (1, 0)), ((), ()),
                                    ((2, 3, 4), (-1, 0, 1))),
           method=lambda m, x, d: x.permute(*d), gradgrad=True,
           errors=_shape_errors([
               (((2, 3), (0,)), RuntimeError,
                'number of dimensions in the tensor input does not match the length of the '
                'desired ordering of dimensions i.e. input.dim() = 2 is not equal to '
                'len(dims) = 1'),
               (((2, 3), (0, 0)), RuntimeError, 'permute(): duplicate dims are not allowed.')])),
    OpInfo('movedim', samples=_many(((2, 3, 4), 0, -1), ((2, 3, 4), (0, 1), (2, 0)),
                                    ((2, 3), 1, 0)), method=True,
           variants={'moveaxis': lambda m, *a: m.moveaxis(*a)}),
    OpInfo('squeeze', samples=_many(((2, 1, 3, 1),), ((2, 1, 3, 1), 1), ((2, 1, 3, 1), 0),
                                    ((2, 1, 3, 1), (1, 3)), ((1,),), ((),), ((), 0),
                                    ((1, 0),)), method=True),
    OpInfo('unsqueeze', samples=_many(((2, 3), 0), ((2, 3), -1), ((2, 3), 1), ((), 0)),
           method=True,
           errors=_shape_errors([(((2, 3), 3), IndexError,
                                  'Dimension out of range (expected to be in range of [-3, 2], but '
                                  'got 3)')])),
    OpInfo('flatten', samples=_many(((2, 3, 4),), ((2, 3, 4), 1), ((2, 3, 4), 0, 1),
                                    ((2, 3, 4), 1, 1), ((),), ((3, 4, 'nc'),)), method=True,
           errors=_shape_errors([(((2, 3, 4), 2, 1), RuntimeError,
                                  'flatten() has invalid args: start_dim cannot come after '
                                  'end_dim')])),
    OpInfo('unflatten', samples=_many(((2, 12), 1, (3, 4)), ((6,), 0, (2, -1)),
                                      ((2, 6), -1, (3, 2))), method=True),
    OpInfo('expand', lambda m, x, *a: x.expand(*a),
           samples=_many(((3, 1), 3, 4), ((3, 1), (2, 3, 4)), ((1,), 5), ((), 2, 3),
                         ((3, 1), -1, 2)),
           gradgrad=True,
           errors=_shape_errors([
               (((3, 2), 3, 4), RuntimeError,
                'The expanded size of the tensor (4) must match the existing size (2) at '
                'non-singleton dimension 1'),
               (((3, 2), 2), RuntimeError,
                'the number of sizes provided (1) must be greater or equal to the number of '
                'dimensions in the tensor (2)')])),
    OpInfo('expand_as', lambda m, x, y: x.expand_as(y),
           samples=lambda make: [S(make((3, 1)), make((2, 3, 4))), S(make(()), make((2,)))]),
    OpInfo('broadcast_to', samples=_many(((3, 1), (2, 3, 4)), ((), (2,))), method=True),
    OpInfo('narrow', samples=_many(((4, 3), 0, 1, 2), ((4, 3), -1, 0, 3), ((4, 3), 1, -2, 1),
                                   ((4, 3), 0, 0, 0)), method=True,
           errors=_shape_errors([(((4, 3), 0, 3, 2), RuntimeError,
                                  'start (3) + length (2) exceeds dimension size (4).')])),
    OpInfo('select', samples=_many(((4, 3), 0, 1), ((4, 3), 1, -1), ((4,), 0, 3)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((4, 3), 0, 4), IndexError,
                                  'select(): index 4 out of range for tensor of size [4, 3] at '
                                  'dimension 0')])),
    OpInfo('unbind', samples=_many(((3, 2),), ((3, 2), 1), ((2, 3, 4), -1), ((0, 2), 1)),
           method=True, gradgrad=True),
    OpInfo('split', samples=_many(((5, 2), 2), ((5, 2), 1, 1), ((5, 2), [1, 4]),
                                  ((5, 2), [2, 0, 3]), ((5, 2), 5), ((5, 2), 7)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((5, 2), [1, 2]), RuntimeError,
                                  'split_with_sizes expects split_sizes to sum exactly to 5')])),
    OpInfo('chunk', samples=_many(((5, 2), 2), ((5, 2), 5), ((5, 2), 7), ((6, 2), 3),
                                  ((5, 2), 1, 1)), method=True,
           errors=_shape_errors([(((5, 2), 0), RuntimeError,
                                  'chunk expects `chunks` to be greater than 0, got: 0')])),
)


def cat_samples(make):
    yield S([make((2, 3)), make((1, 3)), make((0, 3))])
    yield S([make((2, 3)), make((2, 1))], 1)
    yield S([make((2, 3)), make((2, 2))], dim=-1)
    yield S([make((2,))])
    yield S([make((0,)), make((2, 3))]).but(desc='legacy empty 1-d')
    yield S((make((3, 4), noncontig=True), make((1, 4))))


def stack_samples(make):
    yield S([make((2, 3)), make((2, 3))])
    yield S([make((2, 3)), make((2, 3)), make((2, 3))], 1)
    yield S([make((2, 3)), make((2, 3))], dim=-1)
    yield S([make(()), make(())])
    yield S([make((0, 2))])


register(
    OpInfo('cat', gradgrad=True, samples=cat_samples, out=True,
           variants={'concat': lambda m, *a, **k: m.concat(*a, **k)},
           errors=lambda make: [
               ErrorInput(S([make((2, 3)), make((2, 2))]), RuntimeError,
                          'Sizes of tensors must match except in dimension 0. Expected size 3 but '
                          'got size 2 for tensor number 1 in the list.'),
               ErrorInput(S([make(())]), RuntimeError,
                          'zero-dimensional tensor (at position 0) cannot be concatenated'),
               ErrorInput(S([make((2, 3)), make((2,))]), RuntimeError,
                          'Tensors must have same number of dimensions: got 2 and 1'),
               ErrorInput(S([]), ValueError, 'expected a non-empty list of Tensors'),
           ]),
    OpInfo('stack', gradgrad=True, samples=stack_samples, out=True,
           errors=lambda make: [
               ErrorInput(S([make((2, 3)), make((3, 2))]), RuntimeError,
                          'stack expects each tensor to be equal size, but got [2, 3] at entry 0 '
                          'and [3, 2] at entry 1'),
               ErrorInput(S([]), RuntimeError, 'stack expects a non-empty TensorList'),
           ]),
)


# -- more checks of the view ops above -------------------------------------------------------
register(
    OpInfo('swapaxes', samples=_many(((2, 3), 0, 1), ((2, 3, 4), -1, 0), ((), 0, 0),
                                     ((3, 4, 'nc'), 1, 0)), method=True, gradgrad=True),
    OpInfo('squeeze_dims', lambda m, x, d: m.squeeze(x, d),
           samples=_many(((2, 1, 3, 1), (1, 3)), ((2, 1, 3, 1), [-1]), ((2, 1, 3, 1), ()),
                         ((1, 1), (0, 1)), ((), (0,)), ((2, 1, 3, 1), (0, 1))),
           errors=_shape_errors([(((2, 1), (1, 1)), RuntimeError,
                                  'dim 1 appears multiple times in the list of dims'),
                                 (((2, 1), (2,)), IndexError, 'Dimension out of range')])),
    OpInfo('movedim_errors', lambda m, x, s, d: m.movedim(x, s, d),
           samples=_many(((2, 3, 4), (0, -1), (-1, 0)), ((2, 3, 4), (), ()),
                         ((3, 4, 'nc'), 1, 0)),
           errors=_shape_errors([
               (((2, 3, 4), (0, -3), (1, 2)), RuntimeError,
                'movedim: repeated dim in `source` ([0, -3])'),
               (((2, 3, 4), (0, 1), (1, 1)), RuntimeError,
                'movedim: repeated dim in `destination` ([1, 1])'),
               (((2, 3, 4), (0, 1), (1,)), RuntimeError,
                'movedim: Invalid source or destination dims: source ([0, 1] dims) should contain '
                'the same number of dims as destination ([1] dims)')])),
    OpInfo('narrow_more', lambda m, *a: m.narrow(*a),
           samples=_many(((4, 3), 0, -2, 2), ((4, 3), 1, 3, 0), ((4, 3), 0, -4, 4),
                         ((3, 4, 'nc'), 1, 1, 2)),
           errors=_shape_errors([
               (((4, 3), 0, 5, 0), IndexError,
                'start out of range (expected to be in range of [-4, 4], but got 5)'),
               (((4, 3), 0, -5, 1), IndexError,
                'start out of range (expected to be in range of [-4, 4], but got -5)'),
               (((4, 3), 0, 0, -1), RuntimeError, 'narrow(): length must be non-negative.'),
               (((), 0, 0, 1), RuntimeError, 'narrow() cannot be applied to a 0-dim tensor.')])),
    OpInfo('split_more', lambda m, *a: m.split(*a),
           samples=_many(((0, 3), 0), ((5, 2), (2, 3)), ((3, 4, 'nc'), 2, 1), ((5, 2), [5])),
           errors=_shape_errors([
               (((5, 2), -1), RuntimeError,
                'split expects split_size be non-negative, but got split_size=-1'),
               (((5, 2), 0), RuntimeError,
                'split_size can only be 0 if dimension size is 0, but got dimension size of 5'),
               (((5, 2), [-1, 6]), RuntimeError,
                'split_with_sizes expects split_sizes have only non-negative entries, but got '
                'split_sizes=[-1, 6]'),
               (((), 1), RuntimeError, 'split expects at least a 1-dimensional tensor')])),
    OpInfo('chunk_more', lambda m, *a: m.chunk(*a),
           samples=_many(((6, 2), 4), ((0, 2), 3), ((3, 4, 'nc'), 2, 1)),
           errors=_shape_errors([(((), 1), RuntimeError,
                                  'chunk expects at least a 1-dimensional tensor')])),
    OpInfo('unbind_more', lambda m, *a: m.unbind(*a),
           samples=_many(((3, 4, 'nc'), 1), ((2, 0), 0)),
           errors=_shape_errors([(((),), IndexError,
                                  'Dimension specified as 0 but tensor has no dimensions')])),
    OpInfo('view_as', lambda m, x, y: x.view_as(y),
           samples=lambda make: [S(make((2, 3)), make((6,))), S(make(()), make((1,))),
                                 S(make((2, 3)), make((3, 1, 2))), S(make((0, 3)), make((3, 0)))],
           errors=lambda make: [ErrorInput(S(make((2, 3)), make((4,))), RuntimeError,
                                           "shape '[4]' is invalid for input of size 6")]),
    OpInfo('reshape_as', lambda m, x, y: x.reshape_as(y),
           samples=lambda make: [S(make((2, 3)), make((6,))), S(make(()), make((1,))),
                                 S(make((3, 4), noncontig=True), make((12,))),
                                 S(make((2, 3)), make((2, 3)))]),
    OpInfo('ravel', samples=_many(((2, 3),), ((),), ((3, 4, 'nc'),), ((0, 3),), ((2, 3, 4),)),
           method=True, gradgrad=True),
)


# -- diagonal, as_strided, unfold: views ---------------------------------------------------------
register(
    OpInfo('diagonal', samples=_many(((3, 3),), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4), 0, 0, 2),
                                     ((2, 3, 4), 1, -1, 0), ((3, 4), 5), ((0, 3),),
                                     ((4, 3, 'nc'),), ((2, 3, 4), -1, 2, 1), ((3, 4), -3)),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((3, 3), 0, 1, -1), RuntimeError, 'diagonal dimensions cannot be identical 1, -1'),
               (((3,),), IndexError,
                'Dimension out of range (expected to be in range of [-1, 0], but got 1)'),
               (((3, 3), 0, 0, 2), IndexError, 'Dimension out of range')])),
    OpInfo('as_strided',
           samples=_many(((3, 4), (2, 2), (1, 2)), ((3, 4), (2, 2), (4, 1), 1), ((3, 4), (3,), (5,)),
                         ((2, 3), (2, 3), (3, 1)), ((6,), (3, 2), (1, 1)),
                         ((3, 4, 'nc'), (2, 2), (1, 2)), ((3, 4), (0,), (1,), 100),
                         ((3, 4), (2, 3), (0, 1)), ((3, 4), (), (), 5), ((4,), (2,), (1,), 0)),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((3, 4), (20,), (1,)), RuntimeError,
                'setStorage: sizes [20], strides [1], storage offset 0, and itemsize 4 requiring '
                'a storage size of 80 are out of bounds for storage of size 48'),
               (((3, 4), (2,), (-1,)), RuntimeError,
                'as_strided: Negative strides are not supported at the moment, got strides: '
                '[-1]'),
               (((3, 4), (2, 2), (1,)), RuntimeError, 'mismatch in length of strides and shape')])),
    OpInfo('unfold', lambda m, x, *a: x.unfold(*a),
           samples=_many(((5,), 0, 2, 1), ((5,), 0, 2, 2), ((3, 6), 1, 3, 2), ((3, 6), -2, 2, 1),
                         ((), 0, 1, 1), ((3, 4, 'nc'), 0, 2, 1), ((3, 5), 1, 0, 1),
                         ((2, 5), 1, 5, 3), ((4, 0), 0, 2, 1)),
           gradgrad=True,
           errors=_shape_errors([
               (((3, 4), 1, 5, 1), RuntimeError,
                'maximum size for tensor at dimension 1 is 4 but size is 5'),
               (((3, 4), 1, 2, 0), RuntimeError, 'step is 0 but must be > 0'),
               (((3, 4), 1, -1, 1), RuntimeError, 'size is -1 but must be >= 0')])),
)


# -- tensor_split and the directional splits: views ----------------------------------------------
def tensor_split_samples(make):
    yield S(make((7,)), 3)
    yield S(make((7,)), [1, 5])
    yield S(make((4, 6)), 2, 1)
    yield S(make((4, 6)), [3, 1], 0).but(desc='decreasing indices')
    yield S(make((4, 6)), (-1,), 1)
    yield S(make((4, 6)), [10])
    yield S(make((0, 3)), 2)
    yield S(make((3, 4), noncontig=True), 2, dim=1)
    yield S(make((5,)), 7)
    yield S(make((7,)), make.index((), 4, 1)).but(desc='0-d tensor sections')
    yield S(make((7, 2)), make.index((2,), 7)).but(desc='1-d tensor indices')


register(
    OpInfo('tensor_split', samples=tensor_split_samples, method=True, gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((4,)), 0), RuntimeError,
                          'number of sections must be larger than 0, got 0'),
               ErrorInput(S(make(()), 1), RuntimeError,
                          'tensor_split expected at least a 1-dimensional tensor, but got a tensor '
                          'with 0 dims'),
               ErrorInput(S(make((4,)), make((1,))), RuntimeError,
                          'tensor_split expected tensor_indices_or_sections to have dtype of long, '
                          'but got Float'),
               ErrorInput(S(make((4,)), make.index((1, 1), 2)), RuntimeError,
                          'tensor_split expected tensor_indices_or_sections to be a '
                          'zero-dimensional or one-dimensional tensor, but got a tensor with 2 '
                          'dims')]),
    OpInfo('hsplit', samples=_many(((4, 6), 2), ((4, 6), [1, 4]), ((6,), 3), ((2, 4, 3), (1,)),
                                   ((3, 4, 'nc'), 2)), method=True, gradgrad=True,
           errors=_shape_errors([
               (((3, 4), 3), RuntimeError,
                'torch.hsplit attempted to split along dimension 1, but the size of the dimension '
                '4 is not divisible by the split_size 3!'),
               (((), 1), RuntimeError,
                'torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 '
                'dimensions!')])),
    OpInfo('vsplit', samples=_many(((4, 6), 2), ((4, 6), [1, 3]), ((4, 3, 2), 4),
                                   ((4, 3, 'nc'), [2])), method=True, gradgrad=True,
           errors=_shape_errors([
               (((3, 4), 2), RuntimeError,
                'torch.vsplit attempted to split along dimension 0, but the size of the dimension '
                '3 is not divisible by the split_size 2!'),
               (((4,), 1), RuntimeError,
                'torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with 1 '
                'dimensions!')])),
    OpInfo('dsplit', samples=_many(((2, 3, 4), 2), ((2, 3, 4), [1, 3]), ((1, 2, 3), 3)),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((2, 3, 5), 2), RuntimeError,
                'torch.dsplit attempted to split along dimension 2, but the size of the dimension '
                '5 is not divisible by the split_size 2!'),
               (((2, 3), 1), RuntimeError,
                'torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with 2 '
                'dimensions!')])),
)


# -- broadcasting, grids and at-least-n-d views ----------------------------------------------------
def broadcast_tensors_samples(make):
    yield S(make((3, 1)), make((1, 4)))
    yield S(make((2, 3)), make((3,)))
    yield S(make(()), make((2,)))
    yield S(make((2, 3)))
    yield S(make((0, 3)), make((1, 3)))
    yield S(make((2, 3)), make((2, 3))).but(desc='already that shape: returned as is')
    yield S(make((3, 4), noncontig=True), make((4,)), make((2, 1, 1)))


def meshgrid_samples(make):
    yield S(make((3,)), make((2,)), indexing='ij')
    yield S(make((3,)), make((2,)), indexing='xy')
    yield S(make((2,)), make((3,)), make((4,)), indexing='xy')
    yield S(make(()), make((2,)), indexing='ij')
    yield S(make((3,)), indexing='xy')
    yield S([make((2,)), make((3,))], indexing='ij').but(desc='list form')
    yield S(make((0,)), make((2,)), indexing='ij')


def atleast_samples(make):
    for shape in [(), (3,), (2, 3), (2, 3, 4), (0,), (1, 2, 3, 1)]:
        yield S(make(shape))
    yield S(make((3, 4), noncontig=True))
    yield S([make(()), make((2,))]).but(desc='sequence')
    yield S(make(()), make((2, 3))).but(desc='several')


register(
    OpInfo('broadcast_tensors', samples=broadcast_tensors_samples, gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((3, 4, 5)), make((2,))), RuntimeError,
                                           'The size of tensor a (5) must match the size of tensor '
                                           'b (2) at non-singleton dimension 2')]),
    OpInfo('broadcast_shapes', lambda m, *a: repr(m.broadcast_shapes(*a)), grad=False,
           samples=lambda make: [S((2,), (3, 1)), S(2, (3, 1), (1, 1, 1)), S(), S([3, 1]),
                                 S((0, 1), (3,)), S((5, 1, 2), (1, 4, 1))],
           errors=lambda make: [
               ErrorInput(S((2, 3), (4,)), RuntimeError,
                          'Attempting to broadcast a dimension of length 4 at -1! Mismatching '
                          'argument at index 1 had (4,); but expected shape should be '
                          'broadcastable to [2, 3]'),
               ErrorInput(S((-1,)), ValueError,
                          'Attempting to broadcast a dimension with negative length!')]),
    OpInfo('meshgrid', samples=meshgrid_samples, gradgrad=True,
           errors=lambda make: [
               ErrorInput(S(make((2, 2)), make((2,)), indexing='ij'), RuntimeError,
                          'torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got'),
               ErrorInput(S(make((2,)), make((2,)), indexing='foo'), RuntimeError,
                          'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                          'foo'),
               ErrorInput(S(make((2,)), make((2,), dtype='int64'), indexing='ij'), RuntimeError,
                          'meshgrid expects all tensors to have the same dtype'),
               ErrorInput(S(indexing='ij'), RuntimeError,
                          'meshgrid expects a non-empty TensorList')]),
    OpInfo('atleast_1d', samples=atleast_samples, gradgrad=True),
    OpInfo('atleast_2d', samples=atleast_samples, gradgrad=True),
    OpInfo('atleast_3d', samples=atleast_samples, gradgrad=True),
)


# -- shape ops that copy (rearrange.py) --------------------------------------------------------
register(
    OpInfo('repeat', lambda m, x, *a: x.repeat(*a),
           samples=_many(((2, 3), 2, 1), ((2, 3), (1, 2, 2)), ((), 3), ((), ()), ((0, 3), 2, 2),
                         ((3, 4, 'nc'), 2, 1), ((2, 1), 1, 3, 2), ((2, 3), 0, 1)),
           gradgrad=True,
           errors=_shape_errors([
               (((2, 3), 2), RuntimeError,
                'Number of dimensions of repeat dims can not be smaller than number of dimensions '
                'of tensor'),
               (((2, 3), 1, -2), RuntimeError,
                'Trying to create tensor with negative dimension -6: [2, -6]')])),
    OpInfo('tile', samples=_many(((2, 3), (2,)), ((2, 3), (2, 1, 2)), ((), (3,)), ((), ()),
                                 ((0, 3), (2, 2)), ((3, 4, 'nc'), (1, 2))),
           method=lambda m, x, d: x.tile(d), variants={'varargs': lambda m, x, d: x.tile(*d)},
           gradgrad=True,
           errors=_shape_errors([(((2, 3), 2), TypeError,
                                  "tile(): argument 'dims' (position 2) must be tuple of ints, "
                                  "not int")])),
)


def repeat_interleave_samples(make):
    yield S(make((2, 3)), 2)
    yield S(make((2, 3)), 2, 1)
    yield S(make((2, 3)), 3, dim=-1)
    yield S(make(()), 3)
    yield S(make((0, 3)), 2, 0)
    yield S(make((3, 4), noncontig=True), 2, 0)
    yield S(make((2, 3)), 0, 1)
    yield S(make((2, 3)), 2, 0, output_size=4)
    yield S(make((3, 2)), make.index((3,), 3), 0).but(desc='tensor repeats')
    yield S(make((3, 2)), make.index((1,), 3, 1), 1).but(desc='one tensor repeat')
    yield S(make((2, 2)), make.index((), 3, 1)).but(desc='0-d tensor repeats, flattened')
    yield S(make((3, 2)), make.index((3,), 3), 0, output_size=None)
    yield S(make((2, 2)), make.index((2,), 3, 1), dim=1)


def repeat_interleave_errors(make):
    idx = make.index
    return [
        ErrorInput(S(make((2, 3)), -1), RuntimeError, 'Repeats must be non-negative'),
        ErrorInput(S(make((3, 2)), idx((3,), 0, -1), 0), RuntimeError,
                   'repeats can not be negative'),
        ErrorInput(S(make((3, 2)), idx((2,), 2), 0), RuntimeError,
                   'repeats must have the same size as input along dim, but got repeats.size(0) = '
                   '2 and input.size(0) = 3'),
        ErrorInput(S(make((3, 2)), idx((1, 1), 2), 0), RuntimeError,
                   'repeats must be 0-dim or 1-dim tensor'),
        ErrorInput(S(make((3, 2)), make((3,)), 0), NotImplementedError,
                   '"repeat_interleave_cpu" not implemented for \'Float\''),
        ErrorInput(S(make((2, 3)), 2, 0, output_size=5), RuntimeError,
                   'repeat_interleave: Invalid output_size, expected 4 but got 5'),
        ErrorInput(S(make(()), 3, 0), IndexError,
                   'Dimension out of range (expected to be in range of [-1, 0], but got 1)'),
    ]


register(
    OpInfo('repeat_interleave', samples=repeat_interleave_samples, method=True, gradgrad=True,
           errors=repeat_interleave_errors),
    OpInfo('repeat_interleave_index', lambda m, r, **k: m.repeat_interleave(r, **k),
           dtypes=('int32', 'int64'), grad=False,
           samples=lambda make: [S(make((3,), 0, 4)), S(make((0,))),
                                 S(make((4,), 0, 3), output_size=None)],
           errors=lambda make: [ErrorInput(S(make.index((), 3)), RuntimeError,
                                           'repeat_interleave only accept 1D vector as repeat')]),
)


register(
    OpInfo('flip', samples=_many(((2, 3), (0,)), ((2, 3), (0, 1)), ((2, 3, 4), (-1, 0)), ((), ()),
                                 ((0, 3), (1,)), ((3, 4, 'nc'), (1,)), ((2, 3), [])),
           method=lambda m, x, d: x.flip(d), variants={'varargs': lambda m, x, d: x.flip(*d)},
           gradgrad=True,
           errors=_shape_errors([
               (((2, 3), (0, 0)), RuntimeError, 'dim 0 appears multiple times in the list of dims'),
               (((2, 3), (0, -2)), RuntimeError, 'dim 0 appears multiple times in the list of dims'),
               (((2, 3), (2,)), IndexError,
                'Dimension out of range (expected to be in range of [-2, 1], but got 2)'),
               (((2, 3), 0), TypeError,
                "flip(): argument 'dims' (position 2) must be tuple of ints, not int")])),
    OpInfo('fliplr', samples=_many(((2, 3),), ((2, 3, 4),), ((3, 4, 'nc'),), ((0, 3),)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((3,),), RuntimeError, 'Input must be >= 2-d.')])),
    OpInfo('flipud', samples=_many(((2, 3),), ((5,),), ((3, 4, 'nc'),), ((0, 3),)),
           method=True, gradgrad=True,
           errors=_shape_errors([(((),), RuntimeError, 'Input must be >= 1-d.')])),
    OpInfo('roll', samples=_many(((2, 3), 1), ((2, 3), -1, 0), ((2, 3), (1, 2), (0, 1)),
                                 ((2, 3, 4), 5, -1), ((), 1), ((0, 3), 1, 1), ((3, 4, 'nc'), 2),
                                 ((2, 3), (1,), (1,)), ((2, 3), (1, 1), (1, 1))),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((2, 3), (1, 2), (0,)), RuntimeError,
                'shifts and dimensions must align. shifts: 2, dims:1'),
               (((2, 3), (1, 2)), RuntimeError,
                'shifts and dimensions must align. shifts: 2, dims:0'),
               (((), 1, 0), IndexError, 'Dimension specified as 0 but tensor has no dimensions'),
               (((2, 3), (), ()), RuntimeError, '`shifts` required')])),
    OpInfo('rot90', samples=_many(((2, 3),), ((2, 3), 1, (0, 1)), ((2, 3), 2), ((2, 3), 3),
                                  ((2, 3), -1), ((2, 3, 4), 1, (2, 0)), ((2, 3), 0),
                                  ((2, 3), 5, (1, 0)), ((3, 4, 'nc'), 1), ((0, 3), 1),
                                  ((2, 3, 4), -2, [-1, -2])),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((2, 3), 1, (0,)), RuntimeError,
                'expected total rotation dims == 2, but got dims = 1'),
               (((2, 3), 1, (0, 0)), RuntimeError,
                'expected rotation dims to be different, but got dim0 = 0 and dim1 = 0'),
               (((2, 3), 1, (0, -2)), RuntimeError,
                'expected rotation dims to be different, but got dim0 = 0 and dim1 = -2'),
               (((3,), 1, (0, 1)), RuntimeError,
                'expected total dims >= 2, but got total dims = 1'),
               (((2, 3), 1, (0, 2)), IndexError, 'Dimension out of range')])),
)


TRI_SAMPLES = _many(((3, 3),), ((3, 4), 1), ((3, 4), -1), ((2, 3, 4),), ((2, 3, 4), 2),
                    ((0, 3),), ((4, 3, 'nc'),), ((3, 3), 10), ((3, 3), -10), ((2, 0, 3), 1))

register(
    OpInfo('tril', samples=TRI_SAMPLES, method=True, inplace=True, out=True, gradgrad=True,
           errors=_shape_errors([(((3,),), RuntimeError,
                                  'tril: input tensor must have at least 2 dimensions')])),
    OpInfo('triu', samples=TRI_SAMPLES, method=True, inplace=True, out=True, gradgrad=True,
           errors=_shape_errors([(((),), RuntimeError,
                                  'triu: input tensor must have at least 2 dimensions')])),
    OpInfo('diag', samples=_many(((3,),), ((3,), 1), ((3,), -2), ((3, 4),), ((3, 4), 1),
                                 ((3, 4), -2), ((3, 4), 5), ((0,),), ((4, 3, 'nc'),), ((2, 2), -5)),
           method=True, out=True, gradgrad=True,
           errors=_shape_errors([
               (((2, 3, 4),), RuntimeError, 'diag(): Supports 1D or 2D tensors. Got 3D'),
               (((),), RuntimeError, 'diag(): Supports 1D or 2D tensors. Got 0D')])),
    OpInfo('diag_embed', samples=_many(((3,),), ((2, 3),), ((2, 3), 1), ((2, 3), -1, 0, 2),
                                       ((2, 3), 0, -1, 0), ((0,),), ((4, 3, 'nc'),),
                                       ((2, 3), 1, 1, 0), ((2, 0),)),
           method=True, gradgrad=True,
           errors=_shape_errors([
               (((2, 3), 0, 0, 0), RuntimeError, 'diagonal dimensions cannot be identical 0, 0'),
               (((2, 3), 0, 0, 3), IndexError,
                'Dimension out of range (expected to be in range of [-3, 2], but got 3)'),
               (((),), IndexError,
                'Dimension out of range (expected to be in range of [-1, 0], but got -2)')])),
    OpInfo('diagflat', samples=_many(((3,),), ((2, 2),), ((),), ((2, 2), 1), ((3,), -2), ((0,),),
                                     ((3, 4, 'nc'),)),
           method=True, gradgrad=True),
)


def stack_family_samples(make):
    yield S([make((2, 3)), make((2, 1))])
    yield S([make((3,)), make((2,))])
    yield S([make(()), make(())])
    yield S([make((2, 3, 4)), make((2, 1, 4))])
    yield S((make((3, 4), noncontig=True), make((3, 2))))
    yield S([make((2, 3))])


def vstack_samples(make):
    yield S([make((3,)), make((3,))])
    yield S([make((2, 3)), make((1, 3))])
    yield S([make(()), make(())])
    yield S([make((3, 4), noncontig=True), make((1, 4))])
    yield S([make((2, 3, 4)), make((1, 3, 4))])
    yield S([make((3,)), make((2, 3))])


def dstack_samples(make):
    yield S([make((3,)), make((3,))])
    yield S([make((2, 3)), make((2, 3))])
    yield S([make((2, 3, 1)), make((2, 3, 2))])
    yield S([make(()), make(())])
    yield S([make((3, 4), noncontig=True), make((3, 4))])


def column_stack_samples(make):
    yield S([make((3,)), make((3,))])
    yield S([make((3,)), make((3, 2))])
    yield S([make(()), make(())])
    yield S([make((3, 2)), make((3,))])
    yield S([make((3, 4), noncontig=True), make((3, 1))])
    yield S([make((0,)), make((0, 2))])


def _empty_list_error(name):
    return lambda make: [ErrorInput(S([]), RuntimeError, f'{name} expects a non-empty TensorList')]


register(
    OpInfo('hstack', samples=stack_family_samples, out=True, gradgrad=True,
           errors=_empty_list_error('hstack')),
    OpInfo('vstack', samples=vstack_samples, out=True, gradgrad=True,
           errors=_empty_list_error('vstack')),
    OpInfo('row_stack', samples=vstack_samples, out=True,
           errors=_empty_list_error('vstack')),
    OpInfo('dstack', samples=dstack_samples, out=True, gradgrad=True,
           errors=_empty_list_error('dstack')),
    OpInfo('column_stack', samples=column_stack_samples, out=True, gradgrad=True,
           errors=_empty_list_error('column_stack')),
)
