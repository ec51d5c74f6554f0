"""Resampling and padding: ``pad`` (constant, reflect, replicate, circular), ``interpolate``
(nearest, nearest-exact, linear, bilinear, trilinear, bicubic, area) and its ``upsample``
aliases, ``grid_sample``, ``affine_grid``, ``pixel_shuffle``/``pixel_unshuffle``.

Non-constant padding and interpolation are separable maps along each spatial dim (an index, and
for the interpolating modes weights, per output position: see ``pooling.separable``): one gather
per dim and per tap forward, one small dense matrix product per dim backward, with flambeau ops,
so double backward works. Reflection and replication pads of host float arrays are copies and
adds of slices instead (Note [Reflection and replication pads by slices]), the maps kept for
double backward. Constant padding's backward is the opposite (cropping) padding.
``grid_sample`` computes its gradients on the arrays (no double backward).
"""
__all__ = ['constant_pad_nd', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle',
           'affine_grid_generator', 'grid_sampler']
import math
import warnings

import numpy as np

from ._common import Node, dtype_title, make, not_implemented, record, state, xp_of
from .pooling import _SeparableBackward, _adaptive_avg, _node_class, separable

# the names ``flambeau.nn.functional`` exports from this module
FUNCTIONAL = ['pad', 'interpolate', 'upsample', 'upsample_nearest', 'upsample_bilinear',
              'grid_sample', 'affine_grid', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle']
# Tensor methods: {name: function}; INPLACE: {name_: out-of-place function}.
METHODS = {}
INPLACE = {}

_FLOATS = ('float16', 'bfloat16', 'float32', 'float64')


# -- pad ------------------------------------------------------------------------------------------
class ConstantPadNdBackward0(Node):
    __slots__ = ('pad',)

    def backward(self, g):
        return constant_pad_nd(g, [-p for p in self.pad])


def constant_pad_nd(input, pad, value=0):
    """Pads the last ``len(pad) // 2`` dims of ``input`` with ``value`` (``pad`` is
    ``(left, right)`` for the last dim, then the one before...); negative amounts crop.

    Example::

        >>> flambeau.constant_pad_nd(flambeau.ones(2), (1, 2))
        tensor([0., 1., 1., 0., 0.])
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError('Padding length must be divisible by 2')
    nd = input.ndim
    if len(pad) // 2 > nd:
        raise RuntimeError(f'Padding length should be less than or equal to two times the input '
                           f'dimension but got padding length {len(pad)} and input of dimension '
                           f'{nd}')
    xp = xp_of(input)
    x = input._data
    shape = list(x.shape)
    src, dst = [slice(None)] * nd, [slice(None)] * nd
    for j in range(len(pad) // 2):
        d = nd - 1 - j
        lo, hi = pad[2 * j], pad[2 * j + 1]
        n = shape[d]
        new = n + lo + hi
        if new < 0:
            raise RuntimeError(f'The input size {n}, plus negative padding {lo} and {hi} resulted '
                               f'in a negative output size, which is invalid. Check dimension {d} '
                               f'of your input.')
        a, b = max(0, -lo), n - max(0, -hi)  # the part of the input that is kept
        if b < a:
            raise RuntimeError('narrow(): length must be non-negative.')
        src[d] = slice(a, b)
        dst[d] = slice(max(0, lo), max(0, lo) + (b - a))
        shape[d] = new
    if value is None:
        value = 0
    out = xp.full(shape, value, x.dtype) if value else xp.zeros(shape, x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    res = make(out, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = ConstantPadNdBackward0()
        node.pad = pad
        record(node, res, input)
    return res


def _pad_map(mode, n, lo, hi):
    """The source index of every padded position of one dim."""
    i = np.arange(-lo, n + hi)
    if mode == 'reflect':
        i = np.abs(i)
        i = np.where(i >= n, 2 * (n - 1) - i, i)
    elif mode == 'replicate':
        i = np.clip(i, 0, n - 1)
    else:  # negative pads crop first; the positive ones wrap around what is kept
        a, m = max(0, -lo), n - max(0, -lo) - max(0, -hi)
        i = a + np.arange(-max(lo, 0), m + max(hi, 0)) % m
    return i[None, :]


_PAD_NAMES = {'reflect': 'ReflectionPad{}DBackward0', 'replicate': 'ReplicationPad{}DBackward0',
              'circular': 'torch::autograd::CopySlices'}


def pad(input, pad, mode='constant', value=None):
    """Pads ``input``: ``pad = (left, right, top, bottom, front, back)`` pads the last dims
    from the last one backwards (``len(pad) // 2`` dims).

    ``mode``: ``'constant'`` (fill with ``value``, default 0; negative pads crop),
    ``'reflect'`` (mirror without the edge), ``'replicate'`` (repeat the edge), ``'circular'``
    (wrap around). Non-constant modes pad the last 1, 2 or 3 dims of a (batched or unbatched)
    input.

    Example::

        >>> F.pad(flambeau.tensor([[1., 2., 3.]]), (2, 1), mode='reflect')
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if mode == 'constant':
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in _PAD_NAMES:
        raise NotImplementedError(f'Unrecognised padding mode {mode}')
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError('Padding length must be divisible by 2')
    k = len(pad) // 2
    nd = input.ndim
    if k > nd:
        raise RuntimeError(f'Padding length should be less than or equal to two times the input '
                           f'dimension but got padding length {len(pad)} and input of dimension '
                           f'{nd}')
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f'Padding size {len(pad)} is not supported for {nd}D input tensor.\nSupported '
            f'combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads '
            f'last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - '
            f'4D or 5D input: padding size = 6 (pads last 3 dimensions)')
    shape = list(input.shape)
    if mode != 'circular' and input._dtype.name == 'bool':
        raise not_implemented(f"{'reflection' if mode == 'reflect' else 'replication'}_pad{k}d",
                              input._dtype)
    if mode != 'circular' and any(s == 0 for s in shape[1 if nd == k + 2 else 0:]):
        raise RuntimeError(f'Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 '
                           f'batch size and other non-zero dimensions for input, but got: '
                           f'{shape}')
    maps = []
    for j in range(k):
        d = nd - 1 - j
        lo, hi = pad[2 * j], pad[2 * j + 1]
        n = shape[d]
        if mode == 'reflect' and (lo >= n or hi >= n):
            raise RuntimeError(f'Argument #4: Padding size should be less than the corresponding '
                               f'input dimension, but got: padding ({lo}, {hi}) at dimension {d} '
                               f'of input {shape}')
        if mode == 'circular' and (lo > n or hi > n):
            raise RuntimeError('Padding value causes wrapping around more than once.')
        maps.append((d, _pad_map(mode, n, lo, hi), None, n))
    name = _PAD_NAMES[mode].format(k)
    edges = [(nd - 1 - j, pad[2 * j], pad[2 * j + 1]) for j in range(k)]
    x = input._data
    if mode != 'circular' and type(x) is np.ndarray and x.dtype.char in 'fd' and \
            min(pad) >= 0:
        res = make(_edge_pad(x, edges, mode), input._dtype, input._device)
        if state.enabled and input._requires_grad:
            node = _node_class(name, _EdgePadBackward)()
            node.maps, node.mode, node.edges = maps[::-1], mode, edges
            record(node, res, input)
        return res
    return separable(input, maps[::-1], name)


# Note [Reflection and replication pads by slices]: a reflection or replication pad of a host
# float array is its input copied into the middle of the output, then each padded dim's edges
# filled from the output itself (mirrored or repeated slices, over the dims already padded),
# and its gradient the middle of the output's gradient with the edges' gradients added back
# by slices (a replicated edge's summed in PyTorch's order, one slice after the other), dim
# after dim: no index maps (two gathers forward, a dense product per dim backward before).
# (32, 16, 32, 32) float32 padded by 2 on each side, forward + backward (alternating, min):
# reflect 2.10 -> 1.02-1.14 ms (PyTorch's ~1.05), replicate 2.06 -> 1.11-1.19 ms. Edges are
# moved one position at a time: a reversed or broadcast slice of the last dim runs NumPy's
# loop once per row on a few elements (reflect 1.6-1.7 ms that way).
def _along(axis, s):
    """The index tuple that takes the slice ``s`` along ``axis``."""
    return (slice(None),) * axis + (s,)


def _edge_pad(x, edges, mode):
    """``x`` reflection- or replication-padded by ``edges`` ``[(axis, lo, hi)]`` (Note
    [Reflection and replication pads by slices])."""
    shape = list(x.shape)
    for axis, lo, hi in edges:
        shape[axis] += lo + hi
    out = np.empty(shape, x.dtype)
    mid = [slice(None)] * x.ndim
    for axis, lo, hi in edges:
        mid[axis] = slice(lo, lo + x.shape[axis])
    out[tuple(mid)] = x
    for axis, lo, hi in edges:
        n = x.shape[axis]
        # along the dims padded before this one the whole output, along the others the middle
        lead = tuple(mid[:axis])
        def at(s):
            return lead + (s,) + tuple(mid[axis + 1:])
        if mode == 'reflect':  # one position at a time: a reversed slice of the last dim
            for j in range(lo):  # is a short strided loop per row
                out[at(slice(j, j + 1))] = out[at(slice(2 * lo - j, 2 * lo - j + 1))]
            for j in range(hi):
                src = lo + n - 2 - j
                out[at(slice(lo + n + j, lo + n + j + 1))] = out[at(slice(src, src + 1))]
        else:
            for j in range(lo):
                out[at(slice(j, j + 1))] = out[at(slice(lo, lo + 1))]
            for j in range(lo + n, lo + n + hi):
                out[at(slice(j, j + 1))] = out[at(slice(lo + n - 1, lo + n))]
        mid[axis] = slice(None)
    return out


def _fold_pad(g, axis, lo, hi, mode):
    """The gradient of one dim's reflection or replication pad: the middle of ``g`` with the
    edges' gradients added back (Note [Reflection and replication pads by slices])."""
    n = g.shape[axis] - lo - hi
    out = g[_along(axis, slice(lo, lo + n))].copy()
    if mode == 'reflect':  # (one position at a time, as in _edge_pad)
        for k in range(1, lo + 1):
            out[_along(axis, slice(k, k + 1))] += g[_along(axis, slice(lo - k, lo - k + 1))]
        for j in range(hi):
            k = n - 2 - j
            out[_along(axis, slice(k, k + 1))] += g[_along(axis, slice(lo + n + j, lo + n + j + 1))]
        return out
    first = _along(axis, slice(0, 1))
    if lo:  # PyTorch's order: the left edge's gradients one after the other, then the middle's
        acc = g[_along(axis, slice(0, 1))].copy()
        for j in range(1, lo):
            acc += g[_along(axis, slice(j, j + 1))]
        out[first] = acc + out[first]
    last = _along(axis, slice(n - 1, n))
    for j in range(lo + n, lo + n + hi):
        out[last] += g[_along(axis, slice(j, j + 1))]
    return out


class _EdgePadBackward(_SeparableBackward):
    """A reflection or replication pad's node: on host float arrays the gradient folded back
    by slices (Note [Reflection and replication pads by slices]), else (``create_graph``)
    through the separable maps. ``edges``: ``[(axis, lo, hi)]``."""
    __slots__ = ('mode', 'edges')

    def backward(self, g):
        ga = g._data
        if not state.enabled and type(ga) is np.ndarray and ga.dtype.char in 'fd':
            for axis, lo, hi in reversed(self.edges):
                ga = _fold_pad(ga, axis, lo, hi, self.mode)
            return make(ga, g._dtype, g._device)
        return _SeparableBackward.backward(self, g)


# -- interpolate ----------------------------------------------------------------------------------
_MODES = ('nearest', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area', 'nearest-exact')
_INTERP_NAMES = {'nearest': 'UpsampleNearest{}DBackward0',
                 'nearest-exact': 'UpsampleNearestExact{}DBackward0',
                 'linear': 'UpsampleLinear1DBackward0', 'bilinear': 'UpsampleBilinear2DBackward0',
                 'trilinear': 'UpsampleTrilinear3DBackward0',
                 'bicubic': 'UpsampleBicubic2DBackward0'}
_NEEDS = {'linear': 3, 'bilinear': 4, 'trilinear': 5, 'bicubic': 4}


def _nearest_map(n, out, scale, exact):
    o = np.arange(out)
    if out == n:
        return o[None, :]
    if out == 2 * n and not exact:
        return (o >> 1)[None, :]
    s = np.float32(1.0 / scale) if scale is not None and scale > 0 else \
        np.float32(n) / np.float32(out)
    of = o.astype(np.float32) + (np.float32(0.5) if exact else np.float32(0))
    return np.minimum(np.floor(of * s).astype(np.int64), n - 1)[None, :]


def _cubic_weights(t, A=-0.75):
    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    return np.stack([c2(t + 1), c1(t), c1(1 - t), c2(2 - t)])


def _linear_map(n, out, scale, align, cubic, ft):
    """Indices (T, O) and weights (T, O) of linear (2 taps) or cubic (4 taps) interpolation,
    computed in ``ft`` as PyTorch does."""
    o = np.arange(out).astype(ft)
    if align:
        s = ft(n - 1) / ft(out - 1) if out > 1 else ft(0)
        src = s * o
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n) / ft(out)
        src = s * (o + ft(0.5)) - ft(0.5)
    if cubic:
        i0 = np.floor(src)
        t = src - i0
        i0 = i0.astype(np.int64)
        idx = np.clip(i0[None, :] + np.arange(-1, 3)[:, None], 0, n - 1)
        return idx, _cubic_weights(t)
    src = np.maximum(src, ft(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n - 1)
    l1 = src - i0.astype(ft)
    return np.stack([i0, i1]), np.stack([ft(1) - l1, l1])


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Down/up-samples ``input`` ``(N, C, *spatial)`` (1 to 3 spatial dims) to ``size`` or by
    ``scale_factor``.

    ``mode``: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``
    and ``'bicubic'`` (4-D), ``'trilinear'`` (5-D), ``'area'`` (adaptive average pooling).
    ``align_corners=True`` aligns the centres of the corner pixels (interpolating modes only).
    With ``recompute_scale_factor=True`` the kernel uses ``input / output`` sizes rather than
    the given factor. ``antialias`` is not supported (only ``False``).

    Example::

        >>> x = flambeau.tensor([[[1., 2.]]])
        >>> F.interpolate(x, scale_factor=2, mode='linear')
        tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError('align_corners option can only be set with the interpolating modes: '
                             'linear | bilinear | bicubic | trilinear')
    elif align_corners is None:
        align_corners = False
    nd = input.ndim
    dim = nd - 2
    sp = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError('only one of size or scale_factor should be defined')
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f'Input and output must have the same number of spatial '
                                 f'dimensions, but got input with spatial dimensions of {sp} and '
                                 f'output size of {size}. Please provide input tensor in (N, C, '
                                 f'd1, d2, ...,dK) format and output size in (o1, o2, ...,oK) '
                                 f'format.')
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f'Input and scale_factor must have the same number of spatial '
                                 f'dimensions, but got input with spatial dimensions of {sp} and '
                                 f'scale_factor of shape {scale_factor}. Please provide input '
                                 f'tensor in (N, C, d1, d2, ...,dK) format and scale_factor in '
                                 f'(s1, s2, ...,sK) format.')
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        out = None
    else:
        raise ValueError('either size or scale_factor should be defined')
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError('recompute_scale_factor is not meaningful with an explicit size.')
    if mode == 'area' and out is None:
        recompute_scale_factor = True
    if out is None:
        out = [int(math.floor(float(n) * s)) for n, s in zip(sp, scales)]
        if recompute_scale_factor:
            scales = None
    if antialias:
        raise ValueError('Anti-alias option is restricted to bilinear, bicubic, and lanczos modes '
                         'and requires a 4-D tensor as input')
    if mode in _NEEDS and nd != _NEEDS[mode] and nd in (3, 4, 5):
        raise NotImplementedError(f'Got {nd}D input, but {mode} mode needs {_NEEDS[mode]}D input')
    if nd not in (3, 4, 5) or mode not in _MODES:
        raise NotImplementedError(f'Input Error: Only 3D, 4D and 5D input Tensors supported (got '
                                  f'{nd}D) for the modes: nearest | linear | bilinear | bicubic | '
                                  f'trilinear | lanczos | area | nearest-exact (got {mode})')
    if mode == 'area':
        if dim == 1:
            from .pooling import adaptive_avg_pool1d
            return adaptive_avg_pool1d(input, out)
        return _adaptive_avg(input, out, dim)
    dname = input._dtype.name
    if dname not in _FLOATS and (dname != 'uint8' or mode in ('linear', 'trilinear')):
        kind = {'nearest': f'upsample_nearest{dim}d', 'nearest-exact':
                f'_upsample_nearest_exact{dim}d', 'bilinear': 'upsample_bilinear2d',
                'bicubic': 'compute_indices_weights_cubic'}.get(
                    mode, 'compute_indices_weights_linear')
        raise not_implemented(kind, input._dtype)
    ft = np.float64 if dname == 'float64' else np.float32
    maps = []
    for j, (n, o) in enumerate(zip(sp, out)):
        scale = scales[j] if scales is not None else None
        if mode in ('nearest', 'nearest-exact'):
            maps.append((2 + j, _nearest_map(n, o, scale, mode == 'nearest-exact'), None, n))
        else:
            idx, w = _linear_map(n, o, scale, align_corners, mode == 'bicubic', ft)
            maps.append((2 + j, idx, w, n))
    return separable(input, maps, _INTERP_NAMES[mode].format(dim))


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    """Deprecated alias of ``interpolate``.

    Example::

        >>> F.upsample(flambeau.ones(1, 1, 2), scale_factor=2).shape
        flambeau.Size([1, 1, 4])
    """
    warnings.warn('nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.',
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``.

    Example::

        >>> F.upsample_nearest(flambeau.ones(1, 1, 2, 2), scale_factor=2).shape
        flambeau.Size([1, 1, 4, 4])
    """
    warnings.warn('nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate '
                  'instead.', stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``.

    Example::

        >>> F.upsample_bilinear(flambeau.ones(1, 1, 2, 2), scale_factor=2).shape
        flambeau.Size([1, 1, 4, 4])
    """
    warnings.warn('nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate '
                  'instead.', stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)


# -- pixel shuffle --------------------------------------------------------------------------------
class PixelShuffleBackward0(Node):
    __slots__ = ('r',)

    def backward(self, g):
        return pixel_unshuffle(g, self.r)


class PixelUnshuffleBackward0(Node):
    __slots__ = ('r',)

    def backward(self, g):
        return pixel_shuffle(g, self.r)


def pixel_shuffle(input, upscale_factor):
    """Rearranges ``(*, C * r^2, H, W)`` into ``(*, C, H * r, W * r)`` (``r =
    upscale_factor``): sub-pixel convolution's upsampling.

    Example::

        >>> F.pixel_shuffle(flambeau.arange(4.).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    r = int(upscale_factor)
    nd = input.ndim
    if nd < 3:
        raise RuntimeError(f'pixel_shuffle expects input to have at least 3 dimensions, but got '
                           f'input with {nd} dimension(s)')
    if r <= 0:
        raise RuntimeError(f'pixel_shuffle expects a positive upscale_factor, but got {r}')
    *lead, C, H, W = input.shape
    if C % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={C} "
                           f"is not divisible by {r * r}")
    lead = tuple(lead)
    c = C // (r * r)
    x = input._data.reshape(lead + (c, r, r, H, W))
    k = len(lead)
    perm = tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2)
    y = x.transpose(perm).copy().reshape(lead + (c, H * r, W * r))
    out = make(y, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = PixelShuffleBackward0()
        node.r = r
        record(node, out, input)
    return out


def pixel_unshuffle(input, downscale_factor):
    """Reverses ``pixel_shuffle``: ``(*, C, H * r, W * r)`` into ``(*, C * r^2, H, W)``.

    Example::

        >>> F.pixel_unshuffle(flambeau.arange(4.).reshape(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    r = int(downscale_factor)
    nd = input.ndim
    if nd < 3:
        raise RuntimeError(f'pixel_unshuffle expects input to have at least 3 dimensions, but got '
                           f'input with {nd} dimension(s)')
    if r <= 0:
        raise RuntimeError(f'pixel_unshuffle expects a positive downscale_factor, but got {r}')
    *lead, C, H, W = input.shape
    if H % r:
        raise RuntimeError(f'pixel_unshuffle expects height to be divisible by downscale_factor, '
                           f'but input.size(-2)={H} is not divisible by {r}')
    if W % r:
        raise RuntimeError(f'pixel_unshuffle expects width to be divisible by downscale_factor, '
                           f'but input.size(-1)={W} is not divisible by {r}')
    lead = tuple(lead)
    h, w = H // r, W // r
    x = input._data.reshape(lead + (C, h, r, w, r))
    k = len(lead)
    perm = tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3)
    y = x.transpose(perm).copy().reshape(lead + (C * r * r, h, w))
    out = make(y, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = PixelUnshuffleBackward0()
        node.r = r
        record(node, out, input)
    return out


class ChannelShuffleBackward0(Node):
    """Shuffling C channels in g groups is undone by shuffling them in C / g groups."""
    __slots__ = ('inverse_groups',)

    def backward(self, g):
        return channel_shuffle(g, self.inverse_groups)


def channel_shuffle(input, groups):
    """Divides the ``C`` channels of ``(N, C, *)`` into ``groups`` groups and interleaves them
    (ShuffleNet's shuffle): output channel ``k * groups + j`` is input channel
    ``j * (C / groups) + k``.

    Example::

        >>> F.channel_shuffle(flambeau.arange(4.).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    shape = tuple(input.shape)
    if len(shape) <= 2:
        raise RuntimeError(f'channel_shuffle expects input with > 2 dims, but got input with '
                           f'sizes {list(shape)}')
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f'Number of groups to divide channels in must be positive. Value of '
                           f'groups:{g}')
    n, c = shape[0], shape[1]
    if c % g:
        raise RuntimeError(f'Number of channels must be divisible by groups. Got {c} channels '
                           f'and {g} groups.')
    x = input._data.reshape((n, g, c // g) + shape[2:])
    y = x.swapaxes(1, 2).copy().reshape(shape)
    out = make(y, input._dtype, input._device)
    if state.enabled and input._requires_grad:
        node = ChannelShuffleBackward0()
        node.inverse_groups = c // g
        record(node, out, input)
    return out


# -- affine_grid ----------------------------------------------------------------------------------
def _base_grid(xp, sizes, align, dt):
    """``(*sizes, k + 1)``: the normalised coordinates (x first) and a column of ones."""
    axes = []
    for n in sizes:
        v = np.linspace(-1, 1, n) if n > 1 else np.zeros(n)
        if not align and n > 0:
            v = v * (n - 1) / n
        axes.append(v)
    grids = np.meshgrid(*axes, indexing='ij')
    base = np.stack(list(grids[::-1]) + [np.ones(tuple(sizes))], -1)
    return xp.asarray(base.astype(dt))


class AffineGridGeneratorBackward0(Node):
    __slots__ = ('base',)

    def backward(self, g):
        from .linalg import matmul
        base = self.base
        k1 = base.shape[-1]
        N = g.shape[0]
        b = make(base.reshape(-1, k1), g._dtype, g._device)
        return matmul(g.reshape(N, -1, k1 - 1).transpose(1, 2), b)


def affine_grid_generator(theta, size, align_corners):
    """``affine_grid`` without its argument checks."""
    xp = xp_of(theta)
    sizes = [int(s) for s in size[2:]]
    base = _base_grid(xp, sizes, align_corners, theta._data.dtype)
    k1 = base.shape[-1]
    N = theta.shape[0]
    grid = (base.reshape(1, -1, k1) @ theta._data.swapaxes(1, 2)).astype(base.dtype, copy=False)
    out = make(xp.ascontiguousarray(grid.reshape((N,) + tuple(sizes) + (k1 - 1,))),
               theta._dtype, theta._device)
    if state.enabled and theta._requires_grad:
        node = AffineGridGeneratorBackward0()
        node.base = base
        record(node, out, theta)
    return out


_ALIGN_WARNING = ('Default grid_sample and affine_grid behavior has changed to '
                  'align_corners=False since 1.3.0. Please specify align_corners=True if the old '
                  'behavior is desired. See the documentation of grid_sample for details.')


def affine_grid(theta, size, align_corners=None):
    """Generates a 2D (or 3D) flow field of sampling locations from a batch of affine matrices
    ``theta`` ``(N, 2, 3)`` (or ``(N, 3, 4)``) for an output of ``size`` ``(N, C, H, W)`` (or
    ``(N, C, D, H, W)``): the result ``(N, H, W, 2)`` holds ``theta @ (x, y, 1)`` for the
    normalised coordinates ``x, y`` in ``[-1, 1]`` of every output pixel. Use with
    ``grid_sample``.

    Example::

        >>> theta = flambeau.tensor([[[1., 0., 0.], [0., 1., 0.]]])
        >>> F.affine_grid(theta, (1, 1, 1, 2), align_corners=False)
        tensor([[[[-0.5000,  0.0000],
                  [ 0.5000,  0.0000]]]])
    """
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f'Expected theta to have floating point type, but got {theta.dtype}')
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f'Expected a batch of 2D affine matrices of shape Nx2x3 for size '
                             f'{size}. Got {theta.shape}.')
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f'Expected a batch of 3D affine matrices of shape Nx3x4 for size '
                             f'{size}. Got {theta.shape}.')
        spatial = size[-3:]
    else:
        raise NotImplementedError(f'affine_grid only supports 4D and 5D sizes, for 2D and 3D '
                                  f'affine transforms, respectively. Got size {size}.')
    if min(size) <= 0:
        raise ValueError(f'Expected non-zero, positive output size. Got {size}')
    if theta.shape[0] != size[0]:
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                           f'[{size[0]}, {theta.shape[-1]}] but got: [{theta.shape[0]}, '
                           f'{theta.shape[-1]}].')
    del spatial
    return affine_grid_generator(theta, size, align_corners)


# -- grid_sample ----------------------------------------------------------------------------------
def _unnormalize(c, n, align):
    return (c + 1) / 2 * (n - 1) if align else ((c + 1) * n - 1) / 2


def _reflect(xp, c, lo2, hi2):
    """Reflect coordinates ``c`` into ``[lo2 / 2, hi2 / 2]``; also d(result)/d(c) (+-1)."""
    if lo2 == hi2:
        return xp.zeros_like(c), xp.zeros_like(c)
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    c2 = xp.abs(c - mn)
    sign = xp.where(c - mn < 0, -1.0, 1.0)
    extra = xp.fmod(c2, span)
    flips = xp.floor(c2 / span)
    even = (flips % 2) == 0
    out = xp.where(even, extra + mn, span - extra + mn)
    return out, xp.where(even, sign, -sign)


def _source(xp, c, n, align, padding_mode):
    """Pixel coordinates for normalised ``c`` and their derivative d(pixel)/d(c)."""
    px = _unnormalize(c, n, align)
    dpx = xp.full(c.shape, (n - 1) / 2 if align else n / 2, c.dtype)
    if padding_mode == 'border':
        inside = (px > 0) & (px < n - 1)
        px = xp.clip(px, 0, n - 1)
        dpx = dpx * inside
    elif padding_mode == 'reflection':
        if align:
            px, d = _reflect(xp, px, 0, 2 * (n - 1))
        else:
            px, d = _reflect(xp, px, -1, 2 * n - 1)
        dpx = dpx * d
        inside = (px > 0) & (px < n - 1)
        px = xp.clip(px, 0, n - 1)
        dpx = dpx * inside
    return px, dpx


class GridSampler2DBackward0(Node):
    __slots__ = ('args',)

    def backward(self, g):
        input, grid = self.saved_tensors
        gi, gg = _grid_sample_backward(input, grid, g, *self.args,
                                       self.next_functions[0][0] is not None)
        return gi, gg


def _corners(xp, px, py, H, W):
    x0 = xp.floor(px)
    y0 = xp.floor(py)
    out = []
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            wx = (px - x0) if dx else (x0 + 1 - px)
            wy = (py - y0) if dy else (y0 + 1 - py)
            valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
            xc = xp.clip(xi, 0, W - 1).astype(np.int64)
            yc = xp.clip(yi, 0, H - 1).astype(np.int64)
            out.append((xc, yc, wx, wy, valid, dx, dy))
    return out


def _gather(xp, x, yc, xc):
    """``x[n, :, yc[n, h, w], xc[n, h, w]]`` as ``(N, C, Ho, Wo)``."""
    N = x.shape[0]
    nidx = xp.arange(N).reshape(N, 1, 1)
    return x[nidx, :, yc, xc].transpose(0, 3, 1, 2)


def _grid_sample_forward(xp, x, grid, mode, padding_mode, align):
    N, C, H, W = x.shape
    px, dpx = _source(xp, grid[..., 0], W, align, padding_mode)
    py, dpy = _source(xp, grid[..., 1], H, align, padding_mode)
    if mode == 'nearest':
        xi, yi = xp.rint(px), xp.rint(py)
        valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
        v = _gather(xp, x, xp.clip(yi, 0, H - 1).astype(np.int64),
                    xp.clip(xi, 0, W - 1).astype(np.int64))
        return v * valid[:, None].astype(x.dtype)
    out = xp.zeros((N, C) + grid.shape[1:3], x.dtype)
    for xc, yc, wx, wy, valid, _, _ in _corners(xp, px, py, H, W):
        out += _gather(xp, x, yc, xc) * (wx * wy * valid)[:, None]
    return out


def _grid_sample_backward(input, grid, g, mode, padding_mode, align, need_input):
    xp = xp_of(input)
    x, gr, ga = input._data, grid._data, g._data
    N, C, H, W = x.shape
    px, dpx = _source(xp, gr[..., 0], W, align, padding_mode)
    py, dpy = _source(xp, gr[..., 1], H, align, padding_mode)
    gx = xp.zeros(N * C * H * W, np.float64) if need_input else None
    ggrid = xp.zeros(gr.shape, x.dtype)
    base = (xp.arange(N)[:, None] * C + xp.arange(C)[None, :]) * (H * W)  # (N, C)
    if mode == 'nearest':
        if need_input:
            xi, yi = xp.rint(px), xp.rint(py)
            valid = (xi >= 0) & (xi <= W - 1) & (yi >= 0) & (yi <= H - 1)
            pos = (xp.clip(yi, 0, H - 1) * W + xp.clip(xi, 0, W - 1)).astype(np.int64)
            flat = (base[:, :, None, None] + pos[:, None]).ravel()
            gx += xp.bincount(flat, (ga * valid[:, None]).ravel().astype(np.float64),
                              minlength=gx.size)
    else:
        for xc, yc, wx, wy, valid, dx, dy in _corners(xp, px, py, H, W):
            if need_input:
                pos = yc * W + xc
                flat = (base[:, :, None, None] + pos[:, None]).ravel()
                wts = (ga * (wx * wy * valid)[:, None]).ravel().astype(np.float64)
                gx += xp.bincount(flat, wts, minlength=gx.size)
            v = (_gather(xp, x, yc, xc) * ga).sum(1) * valid  # (N, Ho, Wo)
            ggrid[..., 0] += v * wy * (1 if dx else -1)
            ggrid[..., 1] += v * wx * (1 if dy else -1)
        ggrid[..., 0] *= dpx
        ggrid[..., 1] *= dpy
    gi = make(gx.reshape(x.shape).astype(x.dtype), input._dtype, input._device) \
        if need_input else None
    return gi, make(ggrid, grid._dtype, grid._device)


_GS_MODES = {'bilinear': 0, 'nearest': 1}
_GS_PADDING = {'zeros': 0, 'border': 1, 'reflection': 2}


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """``grid_sample`` with integer mode codes (``0`` bilinear, ``1`` nearest; padding ``0``
    zeros, ``1`` border, ``2`` reflection)."""
    return grid_sample(input, grid, ('bilinear', 'nearest')[interpolation_mode],
                       ('zeros', 'border', 'reflection')[padding_mode], align_corners)


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Samples ``input`` ``(N, C, H, W)`` at the locations of ``grid`` ``(N, H_out, W_out, 2)``
    (normalised ``(x, y)`` in ``[-1, 1]``, e.g. from ``affine_grid``): ``(N, C, H_out, W_out)``.

    ``mode``: ``'bilinear'`` or ``'nearest'``; ``padding_mode`` for locations outside the
    input: ``'zeros'``, ``'border'`` or ``'reflection'``. 4-D inputs only; the gradients of
    both arguments are supported, not double backward.

    Example::

        >>> x = flambeau.arange(4.).reshape(1, 1, 2, 2)
        >>> grid = flambeau.zeros(1, 1, 1, 2)
        >>> F.grid_sample(x, grid, align_corners=False)
        tensor([[[[1.5000]]]])
    """
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in _GS_PADDING:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if input._dtype is not grid._dtype:
        raise RuntimeError(f'expected scalar type {dtype_title(input._dtype)} but found '
                           f'{dtype_title(grid._dtype)}')
    if input.ndim != grid.ndim:
        raise RuntimeError(f'grid_sampler(): expected grid to have size {input.ndim - 2} in last '
                           f'dimension, but got grid with sizes {list(grid.shape)}')
    if input.ndim != 4 or mode == 'bicubic':
        raise NotImplementedError('flambeau grid_sample supports 4-D input with the bilinear and '
                                  'nearest modes')
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(f'grid_sampler(): expected grid and input to have same batch size, but '
                           f'got input with sizes {list(input.shape)} and grid with sizes '
                           f'{list(grid.shape)}')
    if grid.shape[-1] != 2:
        raise RuntimeError(f'grid_sampler(): expected grid to have size 2 in last dimension, but '
                           f'got grid with sizes {list(grid.shape)}')
    if input._dtype.name not in _FLOATS:
        raise not_implemented('grid_sampler_2d_cpu_kernel_impl', input._dtype)
    xp = xp_of(input)
    x, gr = input._data, grid._data
    half = x.dtype.kind == 'V' or x.dtype.itemsize == 2
    if half:
        x, gr = x.astype(np.float32), gr.astype(np.float32)
    res = _grid_sample_forward(xp, x, gr, mode, padding_mode, align_corners)
    out = make(res.astype(input._data.dtype, copy=False), input._dtype, input._device)
    if state.enabled and (input._requires_grad or grid._requires_grad):
        node = GridSampler2DBackward0()
        node.args = (mode, padding_mode, align_corners)
        node.save(input, grid)
        record(node, out, input, grid)
    return out

