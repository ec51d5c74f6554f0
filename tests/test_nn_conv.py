"""``flambeau.nn`` convolution, pooling, padding, pixel-shuffle and upsampling layers against
PyTorch: same outputs and gradients (weights copied from torch), constructor checks, reprs,
state_dict names and initialisation bounds."""
import math

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
import flambeau.nn as fnn  # noqa: E402
from nn_helpers import check_module  # noqa: E402

tnn = torch.nn
RNG = np.random.default_rng(0)


def x(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


LAYERS = [
    ('Conv1d', (3, 4, 3), {'stride': 2, 'padding': 1}, (2, 3, 9)),
    ('Conv1d', (3, 4, 3), {'padding': 'same', 'padding_mode': 'circular'}, (2, 3, 7)),
    ('Conv2d', (3, 6, 3), {'padding': 1}, (2, 3, 6, 5)),
    ('Conv2d', (4, 6, (3, 2)), {'stride': (2, 1), 'dilation': (1, 2), 'groups': 2,
                                'bias': False}, (2, 4, 7, 6)),
    ('Conv2d', (3, 4, 3), {'padding': 2, 'padding_mode': 'reflect'}, (1, 3, 5, 5)),
    ('Conv2d', (3, 4, 2), {'padding': (1, 2), 'padding_mode': 'replicate'}, (3, 5, 5)),
    ('Conv2d', (3, 4, 4), {'padding': 'same'}, (1, 3, 6, 6)),
    ('Conv3d', (2, 3, 2), {'padding': 1}, (1, 2, 3, 4, 3)),
    ('ConvTranspose1d', (3, 4, 3), {'stride': 2, 'output_padding': 1}, (2, 3, 5)),
    ('ConvTranspose2d', (4, 6, 3), {'stride': 2, 'padding': 1, 'groups': 2}, (2, 4, 3, 4)),
    ('MaxPool1d', (3,), {'stride': 2, 'padding': 1}, (2, 3, 9)),
    ('MaxPool2d', (3, 2), {'ceil_mode': True}, (2, 3, 7, 8)),
    ('AvgPool1d', (3,), {'count_include_pad': False, 'padding': 1}, (2, 3, 8)),
    ('AvgPool2d', (2,), {'divisor_override': 3}, (2, 3, 6, 6)),
    ('AdaptiveAvgPool1d', (4,), {}, (2, 3, 9)),
    ('AdaptiveAvgPool2d', ((3, None),), {}, (2, 3, 7, 5)),
    ('AdaptiveMaxPool2d', (3,), {}, (2, 3, 7, 5)),
    ('LPPool2d', (2, 2), {}, (1, 2, 4, 4)),
    ('PixelShuffle', (2,), {}, (1, 8, 3, 3)),
    ('PixelUnshuffle', (2,), {}, (1, 2, 4, 6)),
    ('ChannelShuffle', (3,), {}, (2, 6, 2, 2)),
    ('Unfold', ((2, 3),), {'stride': 2, 'padding': 1}, (2, 3, 5, 6)),
    ('Fold', ((4, 5), (2, 2)), {'padding': (1, 0)}, (2, 12, 20)),
    ('Upsample', (), {'scale_factor': 2, 'mode': 'bilinear'}, (1, 2, 3, 4)),
    ('Upsample', ((5, 7),), {'mode': 'bicubic', 'align_corners': True}, (1, 2, 3, 4)),
    ('UpsamplingNearest2d', (), {'scale_factor': 3}, (1, 2, 3, 4)),
    ('UpsamplingBilinear2d', ((6, 5),), {}, (1, 2, 3, 4)),
    ('ZeroPad2d', ((1, 2, 0, 1),), {}, (1, 2, 3, 4)),
    ('ConstantPad1d', (2, 1.5), {}, (2, 3, 4)),
    ('ConstantPad2d', ((1, 0, 2, 1), -1.0), {}, (2, 3, 4)),
    ('ReflectionPad1d', (2,), {}, (2, 3, 4)),
    ('ReflectionPad2d', ((1, 2, 2, 1),), {}, (1, 2, 3, 4)),
    ('ReplicationPad1d', ((3, 1),), {}, (2, 3, 4)),
    ('ReplicationPad2d', (2,), {}, (1, 2, 3, 4)),
    ('CircularPad2d', (1,), {}, (1, 2, 3, 4)),
]


@pytest.mark.parametrize('name,args,kwargs,shape', LAYERS,
                         ids=[f'{n}-{i}' for i, (n, *_) in enumerate(LAYERS)])
def test_layer_matches_torch(name, args, kwargs, shape):
    t = getattr(tnn, name)(*args, **kwargs)
    f = getattr(fnn, name)(*args, **kwargs)
    assert repr(f) == repr(t)
    assert list(f.state_dict()) == list(t.state_dict())
    check_module(t, f, x(*shape), atol=1e-4)


def test_max_pool_unpool_roundtrip():
    tp, fp = tnn.MaxPool2d(2, return_indices=True), fnn.MaxPool2d(2, return_indices=True)
    a = x(2, 3, 4, 6)
    (to, ti), (_, fi) = tp(torch.from_numpy(a)), fp(flambeau.tensor(a))
    assert np.array_equal(fi.numpy(), ti.numpy())
    check_module(tnn.MaxUnpool2d(2), fnn.MaxUnpool2d(2), to.numpy(), ti)
    check_module(tnn.MaxUnpool2d(2), fnn.MaxUnpool2d(2), to.numpy(), ti,
                 kwargs={'output_size': (5, 7)})


def test_max_pool_ties_and_nans_pick_torchs_index():
    """Ties (a ReLU's zeros) go to the first maximum, NaN wins and the last NaN is picked, with
    and without padding, overlapping windows and dilation."""
    a = np.maximum(x(2, 3, 9, 9), 0)
    a[0, 0, 1, 1] = a[0, 0, 2, 2] = a[1, 2, 4, 4] = np.nan
    for kw in ({'kernel_size': 2}, {'kernel_size': 3, 'stride': 2, 'padding': 1},
               {'kernel_size': 3, 'stride': 1, 'dilation': 2, 'ceil_mode': True}):
        to, ti = torch.nn.functional.max_pool2d(torch.from_numpy(a), return_indices=True, **kw)
        fo, fi = flambeau.nn.functional.max_pool2d(flambeau.tensor(a), return_indices=True, **kw)
        assert np.array_equal(fo.numpy(), to.numpy(), equal_nan=True)
        assert np.array_equal(fi.numpy(), ti.numpy())


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int64'])
@pytest.mark.parametrize('shape,kernel', [((4, 6, 28, 28), 2), ((3, 5, 29, 31), 2),
                                          ((2, 4, 30, 27), 3), ((6, 26, 33), (2, 3)),
                                          ((3, 5, 28, 28), (1, 2))])
def test_window_major_max_pool_matches_torch_bit_for_bit(shape, kernel, dtype):
    """Pools whose windows tile the input (Note [Window-major max pooling]), cropped where the
    size is not a multiple, unbatched, integer: the values, the indices and the input gradient
    as PyTorch's, bit for bit; ties (a ReLU's zeros) go to the first maximum, a NaN window
    to its last NaN, infinities included."""
    rng = np.random.default_rng(8)
    a = rng.standard_normal(shape) * 10
    if dtype == 'int64':
        a = np.maximum(np.round(a), 0).astype(dtype)
    else:
        a = np.maximum(a, 0).astype(dtype)
        flat = a.reshape(-1)
        flat[[3, 100, 101, 640, 2001]] = [np.nan, np.nan, np.nan, np.inf, -np.inf]
        flat[[57, 58]] = -0.0
    n = a.size // (a.shape[-1] * a.shape[-2])
    got, want = [], []
    for m, out in ((flambeau, got), (torch, want)):
        t = m.tensor(a, requires_grad=dtype != 'int64')
        y, i = m.nn.functional.max_pool2d(t, kernel, return_indices=True)
        out += [y.detach().numpy(), i.numpy()]
        if dtype != 'int64':
            gy = np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype)
            gy.reshape(-1)[:3] = [np.inf, -0.0, np.nan]
            y.backward(m.tensor(gy))
            out.append(t.grad.numpy())
            t2 = m.tensor(a, requires_grad=True)  # the plain pool (no indices asked for)
            m.nn.functional.max_pool2d(t2, kernel).backward(m.tensor(gy))
            out.append(t2.grad.numpy())
    assert n and len(got) == len(want)
    for f, t in zip(got, want):
        assert f.dtype == t.dtype and f.shape == t.shape
        assert f.view(f'u{f.itemsize}').tolist() == t.view(f'u{t.itemsize}').tolist()


def test_window_major_max_pool_double_backward():
    """The window-major pool's backward with create_graph makes the flat indices and scatters
    through them: differentiable again, as PyTorch's."""
    rng = np.random.default_rng(9)
    a = rng.standard_normal((2, 3, 32, 32))
    res = []
    for m in (flambeau, torch):
        t = m.tensor(a, requires_grad=True)
        y = m.nn.functional.max_pool2d(t, 2)
        g = m.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape)), requires_grad=True)
        gx, = m.autograd.grad(y, t, g, create_graph=True)
        gg, = m.autograd.grad((gx * gx).sum(), g)
        res.append((gx.detach().numpy(), gg.numpy()))
    for f, t in zip(*res):
        np.testing.assert_allclose(f, t, rtol=1e-12, atol=0)


def test_conv_grads_with_non_finite_values_match_torch():
    """Stride-1 kernels use flat columns whose extra entries meet zeros (Note [Flat columns]):
    an inf in the input or the weight must not turn them into NaNs that PyTorch has not."""
    a, w = x(2, 3, 7, 7).astype(np.float64), x(4, 3, 3, 3).astype(np.float64)
    a[0, 1, 3, 0] = np.inf
    w[1, 2, 0, 2] = -np.inf
    grads = []
    for m in (torch, flambeau):
        xt, wt = m.tensor(a, requires_grad=True), m.tensor(w, requires_grad=True)
        y = m.nn.functional.conv2d(xt, wt, padding=(0, 1), dilation=(1, 2))
        g = m.ones_like(y)
        g[..., 0, :] = 0
        y.backward(g)
        grads.append((xt.grad.numpy(), wt.grad.numpy()))
    for t, f in zip(*grads):
        assert np.allclose(f, t, equal_nan=True)


def test_conv_transpose_output_size():
    t, f = tnn.ConvTranspose2d(3, 2, 3, stride=2), fnn.ConvTranspose2d(3, 2, 3, stride=2)
    check_module(t, f, x(1, 3, 4, 4), kwargs={'output_size': (10, 10)})


@pytest.mark.parametrize('cls,args', [('Conv2d', (6, 8, 3)), ('Conv1d', (4, 2, 5)),
                                      ('ConvTranspose2d', (6, 4, 3))])
def test_conv_init_bounds(cls, args):
    m = getattr(fnn, cls)(*args)
    w = m.weight.detach().numpy()
    fan_in = w.shape[1] * math.prod(w.shape[2:])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    assert np.abs(w).max() <= bound + 1e-6 and np.abs(w).max() > bound / 2
    assert np.abs(m.bias.detach().numpy()).max() <= bound + 1e-6
    assert m.weight.requires_grad and m.weight.is_leaf


def test_conv_dtype_kwarg():
    m = fnn.Conv2d(2, 3, 3, dtype=flambeau.float64)
    assert m.weight.dtype is flambeau.float64 and m.bias.dtype is flambeau.float64


@pytest.mark.parametrize('call,exc,match', [
    (lambda nn: nn.Conv2d(3, 4, 3, groups=2), ValueError, 'in_channels must be divisible by '
     'groups'),
    (lambda nn: nn.Conv2d(4, 3, 3, groups=2), ValueError, 'out_channels must be divisible by '
     'groups'),
    (lambda nn: nn.Conv2d(3, 4, 3, padding='foo'), ValueError, "Invalid padding string 'foo'"),
    (lambda nn: nn.Conv2d(3, 4, 3, stride=2, padding='same'), ValueError,
     "padding='same' is not supported for strided convolutions"),
    (lambda nn: nn.Conv2d(3, 4, 3, padding_mode='foo'), ValueError,
     "but got padding_mode='foo'"),
    (lambda nn: nn.ConvTranspose2d(3, 4, 3, padding_mode='reflect'), ValueError,
     'Only "zeros" padding mode is supported for ConvTranspose2d'),
])
def test_constructor_errors(call, exc, match):
    with pytest.raises(exc) as t:
        call(tnn)
    assert match in str(t.value)
    with pytest.raises(exc) as f:
        call(fnn)
    assert match in str(f.value)


def test_small_cnn_trains_like_torch():
    """Conv -> ReLU -> MaxPool -> Conv -> AdaptiveAvgPool -> flatten -> Linear: outputs and
    every gradient match after copying torch's weights."""
    def build(nn):
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 4, 3, stride=2, padding=1), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(4, 2))
    check_module(build(tnn), build(fnn), x(4, 3, 8, 8), atol=1e-4)


@pytest.mark.parametrize('groups', [1, 2])
def test_conv_weight_grad_over_many_columns_matches_torch(groups):
    """Few channels over many positions: the weight gradient is summed in column blocks
    (Note [Small products over long columns]); LeNet's first layer, batch 24."""
    for m_shape, w_shape in (((24, 2, 28, 28), (6, 2 // groups, 5, 5)),):
        a, w = x(*m_shape).astype(np.float64), x(*w_shape).astype(np.float64)
        grads = []
        for m in (torch, flambeau):
            xt, wt = m.tensor(a, requires_grad=True), m.tensor(w, requires_grad=True)
            y = m.nn.functional.conv2d(xt, wt, padding=2, groups=groups)
            y.backward(m.tensor(np.cos(np.arange(y.numel())).reshape(tuple(y.shape))))
            grads.append((xt.grad.numpy(), wt.grad.numpy()))
        for t, f in zip(*grads):
            assert np.allclose(f, t, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('kernel,padding', [(1, 0), (3, 1)])
def test_conv_chunks_reuse_their_columns_without_touching_the_input(monkeypatch, kernel, padding):
    """One image per chunk (Note [Reused column buffer]): each chunk's columns go into the
    previous chunk's buffer, never into the input, which a 1x1 kernel's columns can alias."""
    from flambeau.ops import conv
    monkeypatch.setattr(conv, '_CHUNK_BYTES', 64)
    x = np.random.default_rng(0).standard_normal((5, 1, 6, 7)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((3, 1, kernel, kernel)).astype(np.float32)
    before = x.copy()
    xt = flambeau.from_numpy(x).requires_grad_()
    wt = flambeau.tensor(w, requires_grad=True)
    y = flambeau.nn.functional.conv2d(xt, wt, padding=padding)
    y.backward(flambeau.ones_like(y))
    tx, tw = torch.tensor(before, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, tw, padding=padding)
    ty.backward(torch.ones_like(ty))
    assert np.array_equal(x, before)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(wt.grad.numpy(), tw.grad.numpy(), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def _conv_case(seed, x_shape, out_channels, kernel, bias, dt):
    """Input, weight, bias (or None) of a convolution test, and the conv function of its
    dimension in flambeau and in PyTorch."""
    rng = np.random.default_rng(seed)
    nd = len(x_shape) - 2
    k = kernel if isinstance(kernel, tuple) else (kernel,) * nd
    x = rng.standard_normal(x_shape).astype(dt)
    w = rng.standard_normal((out_channels, x_shape[1]) + k).astype(dt) * 0.2
    b = rng.standard_normal(out_channels).astype(dt) if bias else None
    return (x, w, b, getattr(flambeau.nn.functional, f'conv{nd}d'),
            getattr(torch.nn.functional, f'conv{nd}d'))


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('nd,kernel,padding,dilation,bias', [
    (2, 3, 1, 1, True), (2, 3, 0, 2, False), (2, (3, 2), (2, 0), 1, True), (1, 5, 2, 1, True),
    (3, 2, 1, 1, False)])
def test_direct_conv_over_many_channels_matches_torch(nd, kernel, padding, dilation, bias, dt):
    """Stride 1, one group, 20 input channels: the forward by accumulating GEMMs without im2col
    (Note [Direct convolution by accumulating GEMMs]); gradients through the usual kernels."""
    sp = {1: (11,), 2: (9, 8), 3: (5, 6, 4)}[nd]
    x, w, b, fconv, tconv = _conv_case(0, (3, 20) + sp, 7, kernel, bias, dt)
    xt = flambeau.tensor(x, requires_grad=True)
    y = fconv(xt, flambeau.tensor(w), None if b is None else flambeau.tensor(b),
              padding=padding, dilation=dilation)
    ty = tconv(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b),
               padding=padding, dilation=dilation)
    tol = dict(rtol=1e-5, atol=1e-5) if dt == 'float32' else dict(rtol=1e-10, atol=1e-10)
    assert y.shape == tuple(ty.shape) and y.dtype is getattr(flambeau, dt)
    np.testing.assert_allclose(y.detach().numpy(), ty.numpy(), **tol)
    y.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tconv(tx, torch.tensor(w), None if b is None else torch.tensor(b), padding=padding,
          dilation=dilation).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), **tol)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('nd,sp,kernel,padding,dilation,bias', [
    (2, (14, 14), 5, 0, 1, True), (2, (9, 8), (3, 4), (1, 2), 1, False),
    (2, (10, 9), 3, 1, 2, True), (3, (5, 6, 4), 3, 1, 1, False)])
def test_batch_last_conv_matches_torch(monkeypatch, nd, sp, kernel, padding, dilation, bias, dt):
    """Stride 1, one group, 6 input channels, small images: forward, weight and input
    gradients by batch-last columns (Note [Batch-last columns]; never in 1-D, where flat
    columns are the outputs), each kernel checked to run;
    values, and gradients, as PyTorch's."""
    from flambeau.ops import conv
    monkeypatch.setattr(conv, '_ROW_SHIFT_MIN_ROWS', 10 ** 9)  # not row-shifted
    names = ['_conv_batch_last', '_conv_t_batch_last', '_conv_w_batch_last']
    _check_conv_kernels(monkeypatch, names, _conv_case(4, (5, 6) + sp, 4, kernel, bias, dt),
                        padding, dilation, dt, 1e-5)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('nd,sp,kernel,padding,dilation,bias,chunk', [
    (2, (14, 14), 5, 0, 1, True, None), (2, (9, 8), (3, 4), (1, 2), 1, False, None),
    (2, (10, 9), 3, 1, 2, True, 4096), (3, (5, 6, 4), 3, 1, 1, False, None),
    (3, (7, 6, 5), (2, 3, 3), 'same', 1, True, 8192)])
def test_row_shifted_conv_matches_torch(monkeypatch, nd, sp, kernel, padding, dilation, bias,
                                        chunk, dt):
    """Stride 1, one group, 6 input channels, small images: forward, weight and input
    gradients by row-shifted batch-last columns (Note [Row-shifted batch-last columns]), with
    dilation, asymmetric padding ('same' with an even kernel) and in several chunks of images,
    each kernel checked to run; values and gradients as PyTorch's."""
    from flambeau.ops import conv
    monkeypatch.setattr(conv, '_ROW_SHIFT_MIN_COLS_BYTES', 0)
    if chunk:
        monkeypatch.setattr(conv, '_CHUNK_BYTES', chunk)
    names = ['_conv_row_shifted', '_conv_t_row_shifted', '_conv_w_row_shifted']
    # (weight gradients up to ~200 here: float32 sums in another order differ by ~4e-5)
    _check_conv_kernels(monkeypatch, names, _conv_case(4, (5, 6) + sp, 4, kernel, bias, dt),
                        padding, dilation, dt, 1e-4)


def test_row_shifted_columns_where_they_measured_faster():
    """Note [Row-shifted batch-last columns]: LeNet's second layer takes them in all three
    kernels; one input channel, small images, or many output channels for the weight gradient
    do not."""
    from flambeau.ops.conv import _row_shifted_fits
    lenet = (64, 6, 16, (5, 5), (10, 10), np.float32)
    assert all(_row_shifted_fits(k, *lenet) for k in ('conv', 't', 'w'))
    assert not any(_row_shifted_fits(k, 64, 1, 16, (5, 5), (10, 10), np.float32)
                   for k in ('conv', 't', 'w'))
    small = (64, 6, 16, (3, 3), (4, 4), np.float32)
    assert _row_shifted_fits('t', *small) and not _row_shifted_fits('conv', *small) and \
        not _row_shifted_fits('w', *small)
    assert not _row_shifted_fits('w', 64, 6, 64, (5, 5), (10, 10), np.float32)
    assert not _row_shifted_fits('conv', 64, 6, 16, (5,), (10,), np.float32)
    assert not _row_shifted_fits('conv', 64, 6, 16, (5, 5), (10, 10), np.int64)


def _check_conv_kernels(monkeypatch, names, case, padding, dilation, dt, atol32):
    """Run ``case`` (``_conv_case``'s) forward and backward in flambeau and PyTorch: values
    and the input and weight gradients agree, and each host kernel of ``names`` ran."""
    from flambeau.ops import conv
    ran = []
    for name in names:
        fn = getattr(conv, name)
        monkeypatch.setattr(conv, name, lambda *a, _fn=fn, _n=name: (ran.append(_n), _fn(*a))[1])
    x, w, b, fconv, tconv = case
    xt, wt = flambeau.tensor(x, requires_grad=True), flambeau.tensor(w, requires_grad=True)
    y = fconv(xt, wt, None if b is None else flambeau.tensor(b), padding=padding,
              dilation=dilation)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = tconv(tx, tw, None if b is None else torch.tensor(b), padding=padding, dilation=dilation)
    tol = dict(rtol=1e-5, atol=atol32) if dt == 'float32' else dict(rtol=1e-10, atol=1e-10)
    assert y.shape == tuple(ty.shape) and y.dtype is getattr(flambeau, dt)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol)
    g = np.random.default_rng(4).standard_normal(tuple(ty.shape)).astype(dt)
    y.backward(flambeau.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), **tol)
    np.testing.assert_allclose(wt.grad.numpy(), tw.grad.numpy(), **tol)
    assert sorted(set(ran)) == sorted(names)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('nd,sp,kernel,padding,dilation,bias,chunk', [
    (2, (28, 28), 5, 2, 1, True, None), (2, (19, 17), (3, 4), (1, 2), 1, False, 4096),
    (2, (20, 19), 3, 1, 2, True, None), (1, (60,), 5, 2, 1, True, 2048)])
def test_image_major_conv_matches_torch(monkeypatch, nd, sp, kernel, padding, dilation, bias,
                                        chunk, dt):
    """Stride 1, one group, 3 input and 5 output channels on larger images: forward and weight
    gradient by image-major columns (Note [Image-major columns]), in one chunk of images or
    several (``chunk``: bytes of columns per chunk), each kernel checked to run; values and
    gradients as PyTorch's."""
    from flambeau.ops import conv
    if chunk:
        monkeypatch.setattr(conv, '_CHUNK_BYTES', chunk)
    _check_conv_kernels(monkeypatch, ['_conv_image_major', '_conv_w_image_major'],
                        _conv_case(6, (5, 3) + sp, 5, kernel, bias, dt), padding, dilation, dt,
                        1e-4)


@pytest.mark.parametrize('x_shape,w_shape', [((2, 3, 7, 6), (2, 3, 4, 4)),
                                           ((2, 2, 12, 11), (3, 2, 3, 3))])
def test_small_channel_conv_layouts_pass_gradcheck(x_shape, w_shape):
    """The batch-last kernels (Note [Batch-last columns]; small images) and the image-major
    ones (Note [Image-major columns]; larger) under float64 gradcheck and gradgradcheck (their
    double backward runs through them again)."""
    rng = np.random.default_rng(5)
    x = flambeau.tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = flambeau.tensor(rng.standard_normal(w_shape) * 0.3, requires_grad=True)
    b = flambeau.tensor(rng.standard_normal(w_shape[0]), requires_grad=True)

    def f(x, w, b):
        return flambeau.nn.functional.conv2d(x, w, b, padding=1)
    assert flambeau.autograd.gradcheck(f, (x, w, b))
    assert flambeau.autograd.gradgradcheck(f, (x, w, b))


def test_row_shifted_conv_passes_gradcheck(monkeypatch):
    """The row-shifted batch-last kernels (Note [Row-shifted batch-last columns]) under float64
    gradcheck and gradgradcheck, their double backward running through them again."""
    from flambeau.ops import conv
    monkeypatch.setattr(conv, '_ROW_SHIFT_MIN_COLS_BYTES', 0)
    ran = set()
    for name in ('_conv_row_shifted', '_conv_t_row_shifted', '_conv_w_row_shifted'):
        fn = getattr(conv, name)
        monkeypatch.setattr(conv, name, lambda *a, _fn=fn, _n=name: (ran.add(_n), _fn(*a))[1])
    rng = np.random.default_rng(6)
    x = flambeau.tensor(rng.standard_normal((2, 6, 7, 6)), requires_grad=True)
    w = flambeau.tensor(rng.standard_normal((3, 6, 4, 3)) * 0.3, requires_grad=True)
    b = flambeau.tensor(rng.standard_normal(3), requires_grad=True)

    def f(x, w, b):
        return flambeau.nn.functional.conv2d(x, w, b)
    assert flambeau.autograd.gradcheck(f, (x, w, b))
    assert flambeau.autograd.gradgradcheck(f, (x, w, b))
    assert len(ran) == 3


def _run_strided(monkeypatch, x, w, b, stride, padding, names=()):
    """A strided convolution of arrays ``x``, ``w``, ``b`` forward and backward in flambeau and
    PyTorch: (flambeau output and gradients, PyTorch's, the kernels of ``names`` that ran)."""
    from flambeau.ops import conv
    ran = set()
    for name in names:
        fn = getattr(conv, name)
        monkeypatch.setattr(conv, name, lambda *a, _fn=fn, _n=name: (ran.add(_n), _fn(*a))[1])
    nd = x.ndim - 2
    fconv = getattr(flambeau.nn.functional, f'conv{nd}d')
    tconv = getattr(torch.nn.functional, f'conv{nd}d')
    fa = [flambeau.tensor(a, requires_grad=True) for a in (x, w, b)]
    ta = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = fconv(*fa, stride=stride, padding=padding)
    ty = tconv(*ta, stride=stride, padding=padding)
    g = np.random.default_rng(7).standard_normal(tuple(ty.shape)).astype(x.dtype)
    y.backward(flambeau.tensor(g))
    ty.backward(torch.tensor(g))
    return ([y.detach().numpy()] + [t.grad.numpy() for t in fa],
            [ty.detach().numpy()] + [t.grad.numpy() for t in ta], ran)


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('sp,kernel,stride,padding', [
    ((9, 8), 3, 2, 1), ((10, 11), 3, 2, 0), ((9, 9), (4, 3), (2, 3), (1, 2)),
    ((7, 9), 3, (1, 2), 1), ((7, 9), 3, (2, 1), 1), ((19,), 4, 3, 1), ((5, 6, 7), 3, 2, 1)])
def test_strided_conv_by_phases_matches_torch(monkeypatch, sp, kernel, stride, padding, dt):
    """A strided convolution over 17 input and 16 output channels by the input's phases
    (Note [Strided convolution by phases]): forward and input gradient, each kernel checked to
    run; values and gradients (the weight's by im2col) as PyTorch's."""
    rng = np.random.default_rng(3)
    k = kernel if isinstance(kernel, tuple) else (kernel,) * len(sp)
    x = rng.standard_normal((3, 17) + sp).astype(dt)
    w = rng.standard_normal((16, 17) + k).astype(dt) * 0.2
    b = rng.standard_normal(16).astype(dt)
    names = ('_conv_direct', '_conv_t_phases')
    got, want, ran = _run_strided(monkeypatch, x, w, b, stride, padding, names)
    tol = dict(rtol=1e-5, atol=1e-4) if dt == 'float32' else dict(rtol=1e-10, atol=1e-10)
    for a, e, what in zip(got, want, ('output', 'x', 'w', 'b')):
        assert a.shape == e.shape, what
        np.testing.assert_allclose(a, e, err_msg=what, **tol)
    assert ran == set(names)


def test_strided_conv_with_non_finite_values_keeps_to_im2col(monkeypatch):
    """An inf in the weight would meet the zeros of the input gradient's flat columns: it takes
    im2col's path, and NaN and inf land where PyTorch's do (the forward keeps its phases)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 16, 9, 9)).astype(np.float32)
    w = rng.standard_normal((16, 16, 3, 3)).astype(np.float32) * 0.2
    b = np.zeros(16, np.float32)
    x[1, 3, 4, 4] = np.inf
    w[2, 5, 1, 1] = np.inf
    names = ('_conv_t_phases',)
    got, want, ran = _run_strided(monkeypatch, x, w, b, 2, 1, names)
    for a, e in zip(got, want):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-4)
    assert not ran


def test_strided_conv_by_phases_passes_gradcheck(monkeypatch):
    """The phase kernels (forward, input gradient) under float64 gradcheck and gradgradcheck
    (the double backward runs through them again)."""
    from flambeau.ops import conv
    monkeypatch.setattr(conv, '_DIRECT_MIN_C', 2)
    ran = set()
    for name in ('_conv_direct', '_conv_t_phases'):
        fn = getattr(conv, name)
        monkeypatch.setattr(conv, name, lambda *a, _fn=fn, _n=name: (ran.add(_n), _fn(*a))[1])
    rng = np.random.default_rng(5)
    x = flambeau.tensor(rng.standard_normal((1, 2, 5, 4)), requires_grad=True)
    w = flambeau.tensor(rng.standard_normal((2, 2, 3, 2)) * 0.3, requires_grad=True)

    def f(x, w):
        return flambeau.nn.functional.conv2d(x, w, stride=2, padding=1)
    assert flambeau.autograd.gradcheck(f, (x, w))
    assert flambeau.autograd.gradgradcheck(f, (x, w))
    assert len(ran) == 2


@pytest.mark.parametrize('dt', ['float32', 'float64'])
@pytest.mark.parametrize('padding,dilation', [(1, 1), (0, 2), ((2, 0), 1)])
def test_direct_conv_input_gradient_over_many_channels_matches_torch(padding, dilation, dt):
    """Stride 1, one group, 20 input and 18 output channels: the input gradient accumulated per
    kernel offset into the padded result (Note [Direct convolution by accumulating GEMMs])."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 20, 9, 8)).astype(dt)
    w = rng.standard_normal((18, 20, 3, 3)).astype(dt) * 0.2
    g = rng.standard_normal((3, 18) + tuple(
        torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=padding,
                                   dilation=dilation).shape[2:])).astype(dt)
    xt = flambeau.tensor(x, requires_grad=True)
    wt = flambeau.tensor(w, requires_grad=True)
    flambeau.nn.functional.conv2d(xt, wt, padding=padding, dilation=dilation).backward(
        flambeau.tensor(g))
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    torch.nn.functional.conv2d(tx, tw, padding=padding, dilation=dilation).backward(
        torch.tensor(g))
    tol = dict(rtol=1e-5, atol=1e-5) if dt == 'float32' else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), **tol)
    np.testing.assert_allclose(wt.grad.numpy(), tw.grad.numpy(), **tol)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('kw', [{'kernel_size': 2}, {'kernel_size': 3, 'stride': 2, 'padding': 1},
                                {'kernel_size': 3, 'stride': 1, 'padding': 1,
                                 'count_include_pad': False},
                                {'kernel_size': (2, 3), 'stride': (1, 2), 'ceil_mode': True},
                                {'kernel_size': 3, 'divisor_override': 7}])
def test_avg_pool_window_sums_bit_for_bit(kw, dtype):
    """avg_pool2d / avg_pool3d as sums of one strided view per kernel offset, added in the
    window's row-major order: PyTorch's values bit for bit, and its gradients."""
    rng = np.random.default_rng(17)
    a = rng.standard_normal((4, 3, 11, 13)).astype(dtype)
    a3 = rng.standard_normal((2, 3, 6, 7, 8)).astype(dtype)
    res = []
    for m in (flambeau, torch):
        x, x3 = m.tensor(a, requires_grad=True), m.tensor(a3, requires_grad=True)
        y = m.nn.functional.avg_pool2d(x, **kw)
        kw3 = {k: v[0] if isinstance(v, tuple) else v for k, v in kw.items()}
        y3 = m.nn.functional.avg_pool3d(x3, **kw3)
        (y.square().sum() + y3.square().sum()).backward()
        res.append([y.detach().numpy(), y3.detach().numpy(), x.grad.numpy(), x3.grad.numpy()])
    for i, (got, want) in enumerate(zip(*res)):
        assert got.shape == want.shape and got.dtype == want.dtype
        if i < 2:
            assert got.tobytes() == want.tobytes()
        else:
            tol = 1e-5 if dtype == 'float32' else 1e-12
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('mode', ['reflect', 'replicate'])
def test_edge_pads_by_slices_match_torch(dtype, mode):
    """Reflection and replication pads of host float arrays by slices (Note [Reflection and
    replication pads by slices]), 1-D to 3-D, batched and not, pads of 0 up to the dim's size
    less one, edges that fold onto one element: PyTorch's output (bit for bit), gradient and
    node name; double backward through the separable maps."""
    rng = np.random.default_rng(6)
    cases = [((2, 3, 7), (2, 3)), ((3, 9), (0, 8)), ((2, 3, 6, 5), (1, 2, 3, 4)),
             ((3, 6, 5), (4, 0, 5, 1)), ((2, 2, 4, 5, 6), (1, 2, 3, 1, 2, 3)),
             ((2, 3, 3, 3), (2, 2, 2, 2)), ((1, 2, 1, 4), (3, 1, 0, 0))]
    for shape, pad in cases:
        if mode == 'reflect' and any(p >= shape[-1 - i // 2] for i, p in enumerate(pad)):
            continue
        a = rng.standard_normal(shape).astype(dtype)
        res = []
        for m in (flambeau, torch):
            t = m.tensor(a, requires_grad=True)
            y = m.nn.functional.pad(t, pad, mode=mode)
            g = np.cos(np.arange(y.numel())).reshape(tuple(y.shape)).astype(dtype)
            y.backward(m.tensor(g))
            res.append((y.detach().numpy(), t.grad.numpy(), type(y.grad_fn).__name__))
        (fy, fg, fn), (ty, tg, tn) = res
        assert fy.shape == ty.shape and (fy == ty).all(), (shape, pad)
        assert fn == tn
        np.testing.assert_allclose(fg, tg, rtol=1e-6, atol=1e-5 if dtype == 'float32' else 1e-12)
    t = flambeau.tensor(rng.standard_normal((2, 3, 4, 5)), requires_grad=True)
    assert flambeau.autograd.gradgradcheck(
        lambda v: flambeau.nn.functional.pad(v, (1, 2, 2, 1), mode=mode), (t,))
