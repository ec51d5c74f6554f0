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
