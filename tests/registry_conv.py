"""Op registry entries: convolution, pooling, padding and resampling ops (see opinfo.py for the
framework). The ``torch.nn.functional`` forms are reached through ``m.nn.functional``."""
import numpy as np

import flambeau.nn.functional  # noqa: F401  (``m.nn`` below: flambeau/__init__ does not import nn)
from opinfo import ALL, FLOATS, INTS, ErrorInput, OpInfo, S

OPS = []


def register(*infos):
    OPS.extend(infos)


def F(name):
    """The ``torch.nn.functional.<name>`` form, as a registry op."""
    return lambda m, *a, **k: getattr(m.nn.functional, name)(*a, **k)


NOBOOL = INTS + FLOATS
CONV_TOL = {'float16': (1e-2, 1e-2), 'bfloat16': (5e-2, 1e-1)}
CONV_GRAD_TOL = {'float16': (2e-2, 5e-2), 'bfloat16': (1e-1, 2e-1)}


def _w(make, shape):
    """Small weights keep integer convolutions inside int8."""
    return make(shape, -2, 3) if not make.is_float else make(shape)


# -- convolutions --------------------------------------------------------------------------------
def conv2d_samples(make):
    yield S(make((1, 1, 3, 3)), _w(make, (1, 1, 2, 2)), make((1,)))  # tiny: gradgradcheck
    yield S(make((1, 2, 3, 3)), _w(make, (2, 2, 2, 2)), make((2,)))
    yield S(make((2, 3, 5, 6)), _w(make, (4, 3, 3, 2)), make((4,)), stride=2, padding=1)
    yield S(make((1, 4, 5, 5)), _w(make, (4, 2, 2, 2)), None, 1, (1, 0), (2, 1), 2).but(
        desc='dilation, groups')
    yield S(make((1, 2, 4, 4)), _w(make, (2, 2, 2, 3)), padding='same')
    yield S(make((1, 2, 4, 4)), _w(make, (2, 2, 3, 3)), padding='valid')
    yield S(make((2, 4, 4)), _w(make, (3, 2, 2, 2))).but(desc='unbatched')
    yield S(make((2, 4, 4), noncontig=True), _w(make, (2, 2, 2, 2))).but(desc='noncontig')
    yield S(make((0, 2, 4, 4)), _w(make, (3, 2, 2, 2)), make((3,))).but(desc='empty batch')


def conv1d_samples(make):
    yield S(make((1, 2, 5)), _w(make, (3, 2, 2)), make((3,)))
    yield S(make((1, 2, 3)), _w(make, (2, 2, 2)), make((2,)), 2, 1)
    yield S(make((2, 4, 9)), _w(make, (4, 2, 3)), make((4,)), 2, 1, 2, 2)
    yield S(make((2, 7)), _w(make, (3, 2, 3)), padding='same').but(desc='unbatched')
    yield S(make((3, 5), noncontig=True), _w(make, (2, 3, 2)), stride=3)


def conv3d_samples(make):
    yield S(make((1, 1, 2, 2, 2)), _w(make, (1, 1, 2, 1, 2)), make((1,)))
    yield S(make((1, 1, 3, 3, 3)), _w(make, (2, 1, 2, 2, 2)), make((2,)))
    yield S(make((1, 2, 4, 3, 5)), _w(make, (2, 1, 2, 2, 3)), None, (1, 2, 1), 1, 1, 2)


def conv_transpose2d_samples(make):
    yield S(make((1, 1, 2, 2)), _w(make, (1, 1, 2, 2)), make((1,)), 2)
    yield S(make((1, 2, 2, 2)), _w(make, (2, 2, 2, 2)), make((2,)))
    yield S(make((2, 4, 3, 3)), _w(make, (4, 3, 3, 2)), make((6,)), 2, 1, 1, 2).but(
        desc='stride, output_padding, groups')
    yield S(make((1, 2, 3, 4)), _w(make, (2, 2, 2, 2)), None, (2, 1), 0, (1, 0), 1, 2).but(
        desc='dilation')
    yield S(make((2, 3, 3)), _w(make, (2, 3, 2, 2))).but(desc='unbatched')


def conv_transpose1d_samples(make):
    yield S(make((1, 1, 3)), _w(make, (1, 2, 2)), make((2,)), 2)
    yield S(make((1, 2, 4)), _w(make, (2, 3, 2)), make((3,)), 2)
    yield S(make((2, 4, 5)), _w(make, (4, 1, 3)), None, 3, 1, 2, 2)
    yield S(make((2, 5)), _w(make, (2, 2, 3))).but(desc='unbatched')


def conv_errors(make):
    x, w = make((1, 4, 8, 8)), make((16, 3, 3, 3))
    return [
        ErrorInput(S(make((2, 3)), w), RuntimeError, 'Expected 3D (unbatched) or 4D (batched) '
                   'input to conv2d, but got input of size: [2, 3]'),
        ErrorInput(S(x, w), RuntimeError, 'Given groups=1, weight of size [16, 3, 3, 3], '
                   'expected input[1, 4, 8, 8] to have 3 channels, but got 4 channels instead'),
        ErrorInput(S(make((1, 3, 2, 2)), w), RuntimeError, "Calculated padded input size per "
                   "channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater"),
        ErrorInput(S(make((1, 3, 8, 8)), w, make((3,))), RuntimeError, 'expected bias to be '
                   '1-dimensional with 16 elements, but got bias of size [3] instead'),
        ErrorInput(S(make((1, 3, 8, 8)), w, stride=0), RuntimeError,
                   'non-positive stride is not supported'),
        ErrorInput(S(make((1, 3, 8, 8)), w, padding=-1), RuntimeError,
                   'negative padding is not supported'),
        ErrorInput(S(make((1, 3, 8, 8)), w, stride=2, padding='same'), RuntimeError,
                   "padding='same' is not supported for strided convolutions"),
        ErrorInput(S(make((1, 3, 8, 8)), w, padding='foo'), RuntimeError,
                   "Invalid padding string: 'foo'"),
        ErrorInput(S(make((1, 4, 8, 8)), make((3, 2, 3, 3)), groups=2), RuntimeError,
                   'Given groups=2, expected weight to be divisible by 2 at dimension 0'),
        ErrorInput(S(make((1, 3, 8, 8)), w, stride=(1, 2, 3)), RuntimeError,
                   'expected stride to be a single integer value or a list of 2 values'),
        ErrorInput(S(make((1, 3, 8, 8)), make((16, 3, 3, 3), dtype='float64')), RuntimeError,
                   'expected scalar type Float but found Double'),
    ]


def conv_transpose_errors(make):
    x = make((1, 3, 8, 8))
    return [
        ErrorInput(S(x, make((2, 1, 3, 3))), RuntimeError, 'Given transposed=1, weight of size '
                   '[2, 1, 3, 3], expected input[1, 3, 8, 8] to have 2 channels, but got 3 '
                   'channels instead'),
        ErrorInput(S(x, make((3, 1, 3, 3)), output_padding=1), RuntimeError,
                   'output padding must be smaller than either stride or dilation, but got '
                   'output_padding_height: 1 output_padding_width: 1 stride_height: 1'),
        ErrorInput(S(make((3, 8)), make((3, 1, 3, 3))), RuntimeError,
                   'Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d'),
        ErrorInput(S(make((1, 3, 2, 2)), make((3, 1, 3, 3)), padding=3), RuntimeError,
                   'Given input size per channel: (2 x 2). Calculated output size per channel: '
                   '(-2 x -2). Output size is too small'),
    ]


LONG_FLOATS = ('int64',) + FLOATS
register(
    OpInfo('conv2d', samples=conv2d_samples, dtypes=LONG_FLOATS, gradgrad=True, errors=conv_errors,
           tol=CONV_TOL, grad_tol=CONV_GRAD_TOL, variants={'F': F('conv2d')}),
    OpInfo('conv1d', samples=conv1d_samples, dtypes=LONG_FLOATS, gradgrad=True, tol=CONV_TOL,
           grad_tol=CONV_GRAD_TOL, variants={'F': F('conv1d')}),
    OpInfo('conv3d', samples=conv3d_samples, dtypes=NOBOOL, gradgrad=True, tol=CONV_TOL,
           grad_tol=CONV_GRAD_TOL),
    OpInfo('conv_transpose2d', samples=conv_transpose2d_samples, dtypes=LONG_FLOATS, gradgrad=True,
           errors=conv_transpose_errors, tol=CONV_TOL, grad_tol=CONV_GRAD_TOL),
    OpInfo('conv_transpose1d', samples=conv_transpose1d_samples, dtypes=LONG_FLOATS, gradgrad=True,
           tol=CONV_TOL, grad_tol=CONV_GRAD_TOL),
)


# -- unfold / fold ---------------------------------------------------------------------------------
def unfold_samples(make):
    yield S(make((1, 1, 3, 3)), 2)
    yield S(make((1, 2, 3, 3)), 2)
    yield S(make((2, 3, 5, 6)), (2, 3), (1, 2), 1, (2, 1))
    yield S(make((2, 4, 4)), 3, padding=1).but(desc='unbatched')
    yield S(make((2, 1, 5, 4), noncontig=True), 2)


def fold_samples(make):
    yield S(make((1, 4, 2)), (2, 3), 2)
    yield S(make((1, 8, 4)), (3, 3), 2)
    yield S(make((2, 18, 12)), (5, 6), (2, 3), (1, 2), 1, (2, 1))
    yield S(make((4, 9)), 4, 2).but(desc='unbatched')


def unfold_errors(make):
    return [ErrorInput(S(make((1, 3, 2, 2)), 3), RuntimeError, 'calculated shape of the array '
                       'of sliding blocks as (0, 0), but its components must be at least one.'),
            ErrorInput(S(make((1, 1, 1, 2, 2)), 2), RuntimeError,
                       'Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and '
                       'other non-zero dimensions for input, but got: [1, 1, 1, 2, 2]'),
            ErrorInput(S(make((2, 2)), 2), IndexError,
                       'Dimension out of range (expected to be in range of [-2, 1], but got 2)')]


def fold_errors(make):
    return [ErrorInput(S(make((1, 12, 5)), (4, 4), 2), RuntimeError,
                       'expected size of input\'s dimension 2 to match the calculated number of '
                       'sliding blocks 3 * 3 = 9, but got input.size(2)=5.'),
            ErrorInput(S(make((1, 13, 9)), (4, 4), 2), RuntimeError,
                       "Expected size of input's dimension 1 to be divisible by the product of "
                       "kernel_size, but got input.size(1)=13 and kernel_size=(2, 2)."),
            ErrorInput(S(make((1, 1, 4, 1)), (2, 2), 1), RuntimeError,
                       'Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch '
                       'size and non-zero dimensions for input, but got: [1, 1, 4, 1]')]


register(
    OpInfo('nn_unfold', F('unfold'), samples=unfold_samples, dtypes=('bool',) + FLOATS,
           gradgrad=True,
           errors=unfold_errors),
    OpInfo('nn_fold', F('fold'), samples=fold_samples, dtypes=('bool',) + FLOATS, gradgrad=True,
           errors=fold_errors),
)


# -- pooling ---------------------------------------------------------------------------------------
def max_pool2d_samples(make):
    yield S(make((1, 2, 4, 4)), 2)
    yield S(make((2, 3, 7, 8)), 3, 2, 1, (1, 2), True).but(desc='ceil, dilation, padding')
    yield S(make((2, 5, 6)), (2, 3), return_indices=True).but(desc='unbatched, indices')
    yield S(make((1, 2, 4, 5), noncontig=True), 2, 1)
    yield S(make((0, 2, 4, 4)), 2).but(desc='empty batch')


def max_pool1d_samples(make):
    yield S(make((1, 2, 6)), 2)
    yield S(make((2, 3, 9)), 3, 2, 1, 1, True)
    yield S(make((3, 8)), 3, 2, 1, 2).but(desc='unbatched, dilation')
    yield S(make((2, 3, 7)), 2, return_indices=True)


def pool_errors(make):
    x = make((1, 3, 5, 5))
    return [
        ErrorInput(S(x, 3, padding=2), RuntimeError, 'pad should be at most half of effective '
                   'kernel size, but got pad=2, kernel_size=3 and dilation=1'),
        ErrorInput(S(make((1, 3, 2, 2)), 3), RuntimeError, 'Given input size: (3x2x2). '
                   'Calculated output size: (3x0x0). Output size is too small'),
        ErrorInput(S(x, 2, stride=0), RuntimeError, 'stride should not be zero'),
    ]


def avg_pool2d_samples(make):
    yield S(make((1, 1, 3, 4)), 2, 1)
    yield S(make((1, 2, 4, 4)), 2)
    yield S(make((2, 3, 7, 8)), 3, 2, 1, True).but(desc='ceil, padding')
    yield S(make((2, 3, 7, 8)), 3, 2, 1, True, False).but(desc='count_include_pad=False')
    yield S(make((2, 5, 6)), (2, 3), divisor_override=4).but(desc='unbatched, divisor')
    yield S(make((1, 2, 4, 5), noncontig=True), 2, 1)


def avg_pool1d_samples(make):
    yield S(make((1, 2, 6)), 2)
    yield S(make((2, 3, 9)), 3, 2, 1, True, False)
    yield S(make((3, 8)), 3, 2, 1).but(desc='unbatched')


def adaptive_samples(make):
    yield S(make((1, 1, 3, 4)), (2, 3))
    yield S(make((1, 2, 4, 4)), 2)
    yield S(make((2, 3, 7, 9)), (3, 4))
    yield S(make((3, 5, 6)), (None, 4)).but(desc='unbatched, None')
    yield S(make((1, 2, 5, 4), noncontig=True), (3, 2))
    # windows that tile the input (Note [Uniform adaptive windows])
    yield S(make((2, 3, 8, 6)), 1).but(desc='global average')
    yield S(make((3, 6, 4)), (None, 2)).but(desc='uniform, unbatched, None')
    yield S(make((1, 2, 6, 4), noncontig=True), (3, 2)).but(desc='uniform, noncontig')
    yield S(make((1, 2, 4, 2)), (2, 1)).but(desc='uniform, small')


def adaptive1d_samples(make):
    yield S(make((1, 2, 5)), 3)
    yield S(make((2, 3, 9)), 4)
    yield S(make((3, 7)), 7).but(desc='unbatched')
    yield S(make((2, 3, 8)), 1).but(desc='global average')


def adaptive3d_samples(make):
    yield S(make((1, 1, 2, 2, 3)), (1, 2, 3)).but(desc='small')
    yield S(make((1, 1, 2, 2, 3)), (1, 1, 3)).but(desc='uniform, small')
    yield S(make((1, 2, 3, 4, 5)), (2, 3, 4))
    yield S(make((2, 2, 4, 6, 2)), (2, 3, 1)).but(desc='uniform')
    yield S(make((2, 4, 4, 3)), 1).but(desc='global average, unbatched')


def adaptive_max_samples(make):
    for s in adaptive_samples(make):
        yield s
    yield S(make((2, 3, 7, 9)), (3, 4), True).but(desc='indices')


def unpool_samples(make):
    import torch
    rng = np.random.default_rng(0)
    for shape, k, kw in [((1, 2, 4, 4), 2, {}), ((2, 3, 5, 6), 2, {'output_size': (5, 6)}),
                         ((3, 4, 4), 2, {})]:
        x = torch.from_numpy(rng.permutation(np.prod(shape)).reshape(shape).astype(np.float64))
        _, idx = torch.nn.functional.max_pool2d(x, k, return_indices=True)
        yield S(make(tuple(idx.shape)), idx.numpy(), k, **kw)


def unpool_errors(make):
    idx = np.array([[[[0, 3], [8, 100]]]], np.int64)
    return [ErrorInput(S(make((1, 1, 2, 2)), idx, 2), RuntimeError,
                       'Found an invalid max index: 100 (output volumes are of size 4x4'),
            ErrorInput(S(make((1, 1, 2, 2)), idx[:, :, :1], 2), RuntimeError,
                       'Expected shape of indices to be same as that of the input tensor')]


register(
    OpInfo('max_pool2d', F('max_pool2d'), samples=max_pool2d_samples, dtypes=NOBOOL,
           gradgrad=True, errors=pool_errors),
    OpInfo('max_pool1d', F('max_pool1d'), samples=max_pool1d_samples, dtypes=FLOATS,
           gradgrad=True),
    OpInfo('avg_pool2d', F('avg_pool2d'), samples=avg_pool2d_samples,
           dtypes=('int64',) + FLOATS, gradgrad=True, errors=pool_errors),
    OpInfo('avg_pool1d', samples=avg_pool1d_samples, dtypes=('int64',) + FLOATS, gradgrad=True),
    OpInfo('adaptive_avg_pool2d', F('adaptive_avg_pool2d'), samples=adaptive_samples,
           dtypes=FLOATS, gradgrad=True),
    OpInfo('adaptive_avg_pool1d', samples=adaptive1d_samples, dtypes=FLOATS, gradgrad=True),
    OpInfo('adaptive_avg_pool3d', F('adaptive_avg_pool3d'), samples=adaptive3d_samples,
           dtypes=FLOATS, gradgrad=True),
    OpInfo('adaptive_max_pool2d', F('adaptive_max_pool2d'), samples=adaptive_max_samples,
           dtypes=FLOATS, gradgrad=True),
    OpInfo('adaptive_max_pool1d', F('adaptive_max_pool1d'), samples=adaptive1d_samples,
           dtypes=FLOATS, gradgrad=True),
    OpInfo('max_unpool2d', F('max_unpool2d'), samples=unpool_samples, dtypes=FLOATS,
           gradgrad=True, errors=unpool_errors),
    OpInfo('lp_pool2d', F('lp_pool2d'), dtypes=('bool', 'int64') + FLOATS,
           samples=lambda make: [S(make((1, 2, 4, 4), 0.5, 2), 2, 2),
                                 S(make((2, 3, 5, 6), 0.5, 2), 3.0, (2, 3), 2)]),
)


# -- padding ---------------------------------------------------------------------------------------
def pad_constant_samples(make):
    yield S(make((2, 3)), (1, 2))
    yield S(make((2, 3, 4)), (1, 0, 2, 1), value=1.5 if make.is_float else 2)
    yield S(make((2, 3, 4)), (-1, 2, 0, -1)).but(desc='negative')
    yield S(make(()), ())
    yield S(make((0, 3)), (1, 1, 0, 2))
    yield S(make((4, 3), noncontig=True), (2, 1))


def pad_mode_samples(mode):
    def samples(make):
        yield S(make((1, 3)), (1, 2), mode)
        yield S(make((2, 3, 4)), (2, 1), mode=mode)
        yield S(make((1, 2, 3, 4)), (1, 2, 2, 0), mode=mode)
        yield S(make((2, 3, 3)), (1, 2, 2, 1), mode=mode).but(desc='unbatched 2d')
        yield S(make((1, 1, 2, 3, 3)), (1, 1, 0, 1, 1, 1), mode=mode)
        yield S(make((5, 4, 2), noncontig=True), (1, 1), mode=mode)
    return samples


def pad_errors(make):
    x = make((1, 2, 3))
    return [
        ErrorInput(S(x, (1,)), RuntimeError, 'Padding length must be divisible by 2'),
        ErrorInput(S(x, (1, 1) * 4), RuntimeError, 'Padding length should be less than or equal '
                   'to two times the input dimension but got padding length 8'),
        ErrorInput(S(x, (3, 3), 'reflect'), RuntimeError, 'Padding size should be less than the '
                   'corresponding input dimension, but got: padding (3, 3) at dimension 2 of '
                   'input [1, 2, 3]'),
        ErrorInput(S(make((3, 3, 3)), (1, 1, 1, 1, 1, 1), 'reflect'), NotImplementedError,
                   'Padding size 6 is not supported for 3D input tensor.'),
        ErrorInput(S(x, (4, 4), 'circular'), RuntimeError,
                   'Padding value causes wrapping around more than once.'),
        ErrorInput(S(x, (1, 1), 'foo'), NotImplementedError, 'Unrecognised padding mode foo'),
    ]


register(
    OpInfo('pad', F('pad'), samples=pad_constant_samples, dtypes=ALL, gradgrad=True,
           errors=pad_errors, variants={'constant_pad_nd': lambda m, x, p, value=0:
                                        m.constant_pad_nd(x, p, value)}),
    *[OpInfo(f'pad_{mode}', F('pad'), samples=pad_mode_samples(mode),
             dtypes=ALL if mode == 'circular' else NOBOOL, gradgrad=True)
      for mode in ('reflect', 'replicate', 'circular')],
)


# -- interpolate -----------------------------------------------------------------------------------
def interp_samples(mode, shape):
    def samples(make):
        yield S(make((1, 1) + (2, 3, 2)[:len(shape) - 2]), scale_factor=2, mode=mode).but(
            desc='small')
        yield S(make(shape), scale_factor=2, mode=mode)
        yield S(make(shape), scale_factor=1.7, mode=mode)
        yield S(make(shape), size=tuple(s + 1 for s in shape[2:]), mode=mode)
        yield S(make(shape), scale_factor=0.6, mode=mode, recompute_scale_factor=True)
        if mode not in ('nearest', 'nearest-exact', 'area'):
            yield S(make(shape), scale_factor=1.3, mode=mode, align_corners=True)
            yield S(make(shape), size=tuple(2 * s + 1 for s in shape[2:]), mode=mode,
                    align_corners=True)
        if len(shape) == 4:
            yield S(make(shape[::-1], noncontig=True), scale_factor=1.5, mode=mode)
    return samples


def interp_errors(make):
    y = make((1, 2, 4, 4))
    return [
        ErrorInput(S(y, size=2, scale_factor=2), ValueError,
                   'only one of size or scale_factor should be defined'),
        ErrorInput(S(y), ValueError, 'either size or scale_factor should be defined'),
        ErrorInput(S(y, scale_factor=2, align_corners=True), ValueError,
                   'align_corners option can only be set with the interpolating modes'),
        ErrorInput(S(y, size=(2,)), ValueError,
                   'Input and output must have the same number of spatial dimensions'),
        ErrorInput(S(y, scale_factor=2, mode='linear'), NotImplementedError,
                   'Got 4D input, but linear mode needs 3D input'),
        ErrorInput(S(make((2, 3)), scale_factor=2), NotImplementedError,
                   'Input Error: Only 3D, 4D and 5D input Tensors supported (got 2D)'),
    ]


_INTERP = [('nearest', (1, 2, 3, 4), ('uint8',) + FLOATS),
           ('nearest-exact', (1, 2, 3, 4), ('uint8',) + FLOATS),
           ('bilinear', (2, 2, 3, 4), ('uint8',) + FLOATS),
           ('bicubic', (1, 2, 3, 4), ('uint8',) + FLOATS),
           ('area', (1, 2, 3, 4), FLOATS),
           ('linear', (2, 2, 5), FLOATS),
           ('trilinear', (1, 1, 2, 3, 2), FLOATS)]
register(*[
    OpInfo(f'interpolate_{mode}', F('interpolate'), samples=interp_samples(mode, shape),
           dtypes=dtypes, gradgrad=True, errors=interp_errors if mode == 'nearest' else None,
           # PyTorch interpolates uint8 images in fixed point: the rounding may differ by one
           tol={'uint8': (0, 1), 'float16': (5e-3, 5e-3)})
    for mode, shape, dtypes in _INTERP])


# -- pixel shuffle, affine_grid, grid_sample -------------------------------------------------------
register(
    OpInfo('pixel_shuffle', samples=lambda make: [S(make((1, 4, 2, 3)), 2),
                                                  S(make((2, 3, 18, 1, 2)), 3),
                                                  S(make((1, 1, 4), noncontig=True), 1)],
           gradgrad=True, variants={'F': F('pixel_shuffle')},
           errors=lambda make: [ErrorInput(S(make((5, 2, 2)), 2), RuntimeError,
                                           "input.size(-3)=5 is not divisible by 4")]),
    OpInfo('pixel_unshuffle', samples=lambda make: [S(make((1, 1, 2, 2)), 2),
                                                    S(make((1, 1, 4, 6)), 2),
                                                    S(make((2, 3, 2, 3, 6)), 3),
                                                    S(make((2, 4, 6), noncontig=True), 2)],
           gradgrad=True,
           errors=lambda make: [ErrorInput(S(make((1, 5, 3)), 2), RuntimeError,
                                           'input.size(-2)=5 is not divisible by 2')]),
    OpInfo('channel_shuffle', samples=lambda make: [S(make((2, 6, 3)), 3), S(make((1, 4, 2, 2)), 2),
                                                    S(make((2, 4, 3), noncontig=True), 4),
                                                    S(make((0, 2, 1, 1, 2)), 1)],
           gradgrad=True, variants={'F': F('channel_shuffle')},
           errors=lambda make: [ErrorInput(S(make((2, 6, 3)), 4), RuntimeError,
                                           'Got 6 channels and 4 groups'),
                                ErrorInput(S(make((2, 6, 3)), 0), RuntimeError,
                                           'must be positive. Value of groups:0'),
                                ErrorInput(S(make((2, 6)), 2), RuntimeError,
                                           'expects input with > 2 dims')]),
    OpInfo('affine_grid', F('affine_grid'), dtypes=FLOATS, gradgrad=True,
           samples=lambda make: [S(make((1, 2, 3)), (1, 3, 2, 3), align_corners=False),
                                 S(make((2, 2, 3)), (2, 1, 4, 5), align_corners=True),
                                 S(make((1, 3, 4)), (1, 1, 2, 2, 3), align_corners=False)],
           errors=lambda make: [ErrorInput(S(make((1, 3, 3)), (1, 3, 4, 5), align_corners=False),
                                           ValueError, 'Expected a batch of 2D affine matrices '
                                           'of shape Nx2x3 for size (1, 3, 4, 5)')]),
)


def grid_sample_samples(make):
    def grid(shape):
        # away from pixel centres and edges, where the bilinear weights have kinks
        return make(shape, -1.2, 1.2)
    yield S(make((1, 1, 2, 3)), grid((1, 2, 2, 2)), align_corners=False)
    for mode in ('bilinear', 'nearest'):
        if mode == 'nearest' and make.dtype in ('float16', 'bfloat16'):
            continue  # half-precision coordinates round to other pixels than PyTorch's
        for pm in ('zeros', 'border', 'reflection'):
            for ac in (False, True):
                yield S(make((2, 3, 4, 5)), grid((2, 3, 2, 2)), mode=mode, padding_mode=pm,
                        align_corners=ac).but(gradcheck=mode == 'bilinear' and pm == 'zeros')


register(
    OpInfo('grid_sample', F('grid_sample'), samples=grid_sample_samples, dtypes=FLOATS,
           tol={'float16': (1e-2, 1e-2), 'bfloat16': (5e-2, 5e-2)},
           grad_tol={'float16': (5e-2, 5e-2), 'bfloat16': (2e-1, 2e-1)},
           errors=lambda make: [
               ErrorInput(S(make((1, 2, 4, 4)), make((2, 2, 2, 2)), align_corners=False),
                          RuntimeError, 'expected grid and input to have same batch size'),
               ErrorInput(S(make((1, 2, 4, 4)), make((1, 2, 2, 2)), mode='foo',
                            align_corners=False), ValueError,
                          "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: "
                          "'foo'")]),
)
