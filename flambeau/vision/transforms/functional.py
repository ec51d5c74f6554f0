"""Image transforms as functions, on PIL images and on tensors (``(..., C, H, W)``), with the
semantics of ``torchvision.transforms.functional``.

Pillow is optional: it is imported only when a PIL image is made or transformed, and a clear
ImportError says how to install it. Tensor images are worked on as arrays: geometry and colour
functions (``resize``, ``pad``, ``rotate``, ``adjust_*``) compute on the raw array in float32
(float64 for float64 images) as torchvision does, and give a new tensor of the input's dtype and
device; ``crop``, ``hflip``, ``vflip``, ``normalize`` and ``convert_image_dtype`` use tensor ops
and so stay differentiable.
"""
import functools
import math
import numbers
import sys
from enum import Enum

import numpy as np

from ... import dtypes as _dt
from ...tensor import Tensor

__all__ = ['InterpolationMode', 'get_dimensions', 'get_image_size', 'get_image_num_channels',
           'to_tensor', 'pil_to_tensor', 'to_pil_image', 'convert_image_dtype', 'normalize',
           'resize', 'pad', 'crop', 'center_crop', 'resized_crop', 'hflip', 'vflip', 'rotate',
           'adjust_brightness', 'adjust_contrast', 'adjust_saturation', 'adjust_hue',
           'rgb_to_grayscale', 'to_grayscale']


class InterpolationMode(Enum):
    """Interpolation modes of ``resize``, ``rotate`` and the transforms that use them.
    ``BOX``, ``HAMMING`` and ``LANCZOS`` exist for PIL images only."""
    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


# PIL's resampling constants (Image.Resampling.*), spelt as numbers so PIL need not be imported
_PIL_MODES = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0,
              InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
              InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
              InterpolationMode.LANCZOS: 1}
_FROM_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation_modes_from_int(i):
    return _FROM_INT[i]


def _mode(interpolation):
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        interpolation = _FROM_INT[interpolation]
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError('Argument interpolation should be a InterpolationMode or a corresponding '
                        'Pillow integer constant')
    return interpolation


def _pil():
    """PIL.Image, imported on first use."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError('this transform needs Pillow for PIL images; install it with '
                          "`pip install pillow` (or `pip install flambeau[vision]`)") from None
    return Image


def _is_pil_image(img):
    mod = sys.modules.get('PIL.Image')
    return mod is not None and isinstance(img, mod.Image)


def _check_image(img):
    if isinstance(img, Tensor):
        if img.ndim < 2:
            raise TypeError('Tensor is not a torch image.')
        return True
    if not _is_pil_image(img):
        raise TypeError(f'img should be PIL Image or Tensor. Got {type(img)}')
    return False


def get_dimensions(img):
    """``[channels, height, width]`` of a tensor image or a PIL image.

    Example::

        >>> F.get_dimensions(flambeau.zeros(3, 4, 5))
        [3, 4, 5]
    """
    if _check_image(img):
        c = 1 if img.ndim == 2 else img.shape[-3]
        return [c, img.shape[-2], img.shape[-1]]
    w, h = img.size
    return [len(img.getbands()), h, w]


def get_image_size(img):
    """``[width, height]`` of an image."""
    c, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    """The number of channels of an image."""
    return get_dimensions(img)[0]


# -- raw-array helpers for tensor images ----------------------------------------------------------

def _wrap(arr, like, dtype=None):
    """A tensor holding NumPy array ``arr`` on ``like``'s device (dtype ``dtype`` or like's)."""
    from ...ops.creation import from_numpy
    dt = like.dtype if dtype is None else dtype
    arr = np.ascontiguousarray(arr, dtype=dt.numpy if hasattr(dt, 'numpy') else None)
    t = from_numpy(arr)
    if t.dtype != dt:
        t = t.to(dt)
    return t if like.device.type == 'cpu' else t.to(like.device)


def _work_dtype(arr):
    return arr.dtype if arr.dtype in (np.float32, np.float64) else np.dtype(np.float32)


def _max_value(dtype):
    if dtype.is_floating_point:
        return 1.0
    if dtype == _dt.bool:
        return 1
    return _dt.iinfo(dtype).max


def _cast_back(out, dtype, clamp=False):
    """Float results back to an image dtype: integer images are rounded (and clamped)."""
    if dtype.is_floating_point:
        return out.astype(dtype.numpy, copy=False)
    if clamp:
        out = np.clip(out, 0, _max_value(dtype))
    return np.round(out).astype(dtype.numpy)


# -- conversions ----------------------------------------------------------------------------------

def to_tensor(pic):
    """Convert a PIL image or an ``(H, W, C)`` / ``(H, W)`` NumPy array to a ``(C, H, W)``
    tensor. uint8 data (and PIL modes other than ``I``, ``I;16`` and ``F``) is scaled to
    ``[0, 1]`` in the default float dtype; other arrays keep their dtype.

    Example::

        >>> F.to_tensor(numpy.full((2, 2, 3), 255, numpy.uint8)).shape
        torch.Size([3, 2, 2])
    """
    from ...ops.creation import from_numpy
    is_np = isinstance(pic, np.ndarray)
    if not (is_np or _is_pil_image(pic)):
        raise TypeError(f'pic should be PIL Image or ndarray. Got {type(pic)}')
    if is_np:
        if pic.ndim not in (2, 3):
            raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
        if pic.ndim == 2:
            pic = pic[:, :, None]
        arr = np.ascontiguousarray(pic.transpose(2, 0, 1))
    else:
        nptype = {'I': np.int32, 'I;16': np.int16, 'I;16B': np.int16,
                  'F': np.float32}.get(pic.mode, np.uint8)
        arr = np.array(pic, nptype, copy=True)
        if pic.mode == '1':
            arr = arr * np.uint8(255)
        w, h = pic.size
        arr = np.ascontiguousarray(arr.reshape(h, w, len(pic.getbands())).transpose(2, 0, 1))
    if arr.dtype == np.uint8:
        dt = _dt.get_default_dtype()
        return from_numpy((arr / 255).astype(dt.numpy) if dt != _dt.float32
                          else arr.astype(np.float32) / np.float32(255))
    return from_numpy(arr)


def pil_to_tensor(pic):
    """Convert a PIL image to a ``(C, H, W)`` tensor of the same type, without scaling.

    Example::

        >>> F.pil_to_tensor(PIL.Image.new('RGB', (4, 2))).dtype
        torch.uint8
    """
    from ...ops.creation import from_numpy
    if not _is_pil_image(pic):
        raise TypeError(f'pic should be PIL Image. Got {type(pic)}')
    arr = np.array(pic, copy=True)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _fromarray(arr, mode):
    Image = _pil()
    natural = {'L': np.uint8, 'LA': np.uint8, 'RGB': np.uint8, 'RGBA': np.uint8,
               'I': np.int32, 'F': np.float32}
    if mode in natural and arr.dtype == natural[mode]:
        return Image.fromarray(np.ascontiguousarray(arr))
    if mode in ('I;16', 'I;16B'):
        h, w = arr.shape[:2]
        return Image.frombytes(mode, (w, h), np.ascontiguousarray(arr).tobytes())
    # 3- and 4-channel modes other than RGB/RGBA (HSV, YCbCr, CMYK, RGBX) share their byte layout
    h, w = arr.shape[:2]
    return Image.frombytes(mode, (w, h), np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


def to_pil_image(pic, mode=None):
    """Convert a ``(C, H, W)`` tensor or an ``(H, W, C)`` NumPy array to a PIL image.
    Float tensors are taken to be in ``[0, 1]`` and scaled to uint8 (unless ``mode='F'``);
    ``mode`` is inferred from the number of channels and dtype when not given.

    Example::

        >>> F.to_pil_image(flambeau.zeros(3, 2, 4)).size
        (4, 2)
    """
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.shape[-3] > 4:
            raise ValueError(f'pic should not have > 4 channels. Got {pic.shape[-3]} channels.')
        if pic.is_floating_point() and mode != 'F':
            pic = pic.detach().mul(255).to(_dt.uint8)
        npimg = np.transpose(pic.detach()._host(), (1, 2, 0))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
        if pic.ndim == 2:
            pic = np.expand_dims(pic, 2)
        if pic.shape[-1] > 4:
            raise ValueError(f'pic should not have > 4 channels. Got {pic.shape[-1]} channels.')
        npimg = pic
    else:
        raise TypeError(f'pic should be Tensor or ndarray. Got {type(pic)}.')

    c = npimg.shape[2]
    if c == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): 'L', np.dtype(np.int16): 'I;16',
                    np.dtype(np.int32): 'I', np.dtype(np.float32): 'F'}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f'Incorrect mode ({mode}) supplied for input type {np.dtype}. '
                             f'Should be {expected}')
        mode = expected
    else:
        permitted = {2: ['LA'], 3: ['RGB', 'YCbCr', 'HSV'], 4: ['RGBA', 'CMYK', 'RGBX']}[c]
        if mode is not None and mode not in permitted:
            raise ValueError(f'Only modes {permitted} are supported for {c}D inputs')
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f'Input type {npimg.dtype} is not supported')
    return _fromarray(npimg, mode)


def convert_image_dtype(image, dtype=_dt.float32):
    """Convert a tensor image to ``dtype``, rescaling values: floats are in ``[0, 1]``,
    integers in ``[0, MAX]`` of their type.

    Example::

        >>> F.convert_image_dtype(flambeau.tensor([0, 255], dtype=flambeau.uint8))
        tensor([0., 1.])
    """
    if not isinstance(image, Tensor):
        raise TypeError('Input img should be Tensor Image')
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if ((image.dtype == _dt.float32 and dtype in (_dt.int32, _dt.int64))
                or (image.dtype == _dt.float64 and dtype == _dt.int64)):
            raise RuntimeError(f'The cast from {image.dtype} to {dtype} cannot be performed '
                               'safely.')
        # 1 - eps spreads [0, 1] evenly over the integers; only exactly 1.0 maps to MAX
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return image.div(factor, rounding_mode='floor').to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def normalize(tensor, mean, std, inplace=False):
    """Normalize a float tensor image ``(..., C, H, W)`` channel-wise:
    ``out[c] = (input[c] - mean[c]) / std[c]``.

    Example::

        >>> F.normalize(flambeau.ones(3, 1, 1), [0.5] * 3, [0.5] * 3).flatten()
        tensor([1., 1., 1.])
    """
    from ...ops.creation import as_tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(tensor)}')
    if not tensor.is_floating_point():
        raise TypeError(f'Input tensor should be a float tensor. Got {tensor.dtype}.')
    if tensor.ndim < 3:
        raise ValueError('Expected tensor to be a tensor image of size (..., C, H, W). Got '
                         f'tensor.size() = {tensor.size()}')
    if not inplace:
        tensor = tensor.clone()
    dtype = tensor.dtype
    mean = as_tensor(mean, dtype=dtype, device=tensor.device)
    std = as_tensor(std, dtype=dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f'std evaluated to zero after conversion to {dtype}, leading to '
                         'division by zero.')
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


# -- resize ---------------------------------------------------------------------------------------

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        new_short, new_long = int(max_size * short / long), max_size
    else:
        requested = size if isinstance(size, int) else size[0]
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f'max_size = {max_size} must be strictly greater than the '
                                 f'requested size for the smaller edge size = {size}')
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _cubic(x, a):
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


@functools.lru_cache(maxsize=64)  # a data pipeline resizes the same sizes over and over
def _resample_matrix(n_in, n_out, mode, antialias):
    """The ``(n_out, n_in)`` matrix of one axis of ``interpolate(..., align_corners=False)``
    (shared through the cache: callers must not write into it)."""
    scale = n_in / n_out
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode in ('nearest', 'nearest-exact'):
        off = np.float32(0.5) if mode == 'nearest-exact' else np.float32(0)
        src = np.floor((rows.astype(np.float32) + off) * np.float32(scale)).astype(np.int64)
        m[rows, np.minimum(src, n_in - 1)] = 1.0
        return m
    if antialias:
        # PIL's separable filter, which torch's antialiased kernels reproduce: a tent (bilinear)
        # or a cubic with a = -0.5, stretched by the scale when downsampling, renormalised.
        half = 1.0 if mode == 'bilinear' else 2.0
        support = half * scale if scale >= 1.0 else half
        invscale = 1.0 / scale if scale >= 1.0 else 1.0
        for i in range(n_out):
            center = scale * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)
            hi = min(int(center + support + 0.5), n_in)
            x = (np.arange(lo, hi) - center + 0.5) * invscale
            w = np.maximum(1 - np.abs(x), 0.0) if mode == 'bilinear' else _cubic(x, -0.5)
            tot = w.sum()
            m[i, lo:hi] = w / tot if tot != 0 else 0.0
        return m
    src = scale * (rows + 0.5) - 0.5
    if mode == 'bilinear':
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        i0 = np.minimum(i0, n_in - 1)
        lam = src - i0
        i1 = np.minimum(i0 + 1, n_in - 1)
        np.add.at(m, (rows, i0), 1 - lam)
        np.add.at(m, (rows, i1), lam)
        return m
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    for k in range(-1, 3):
        np.add.at(m, (rows, np.clip(i0 + k, 0, n_in - 1)), _cubic(t - k, -0.75))
    return m


def _resize_array(arr, out_h, out_w, mode, antialias):
    """Resize the last two axes of ``arr`` (already in the working float dtype)."""
    h, w = arr.shape[-2:]
    aa = antialias and mode in ('bilinear', 'bicubic')
    if (out_h, out_w) != (h, w) or aa or mode != 'bilinear':
        mh = _resample_matrix(h, out_h, mode, aa).astype(arr.dtype)
        mw = _resample_matrix(w, out_w, mode, aa).astype(arr.dtype)
        arr = mh @ arr @ mw.T
    return arr


def _resize_tensor(img, out_h, out_w, mode, antialias):
    if mode not in ('nearest', 'nearest-exact', 'bilinear', 'bicubic'):
        raise ValueError('This interpolation mode is unsupported with Tensor input')
    arr = img.detach()._host()
    wd = _work_dtype(arr)
    out = _resize_array(arr.astype(wd, copy=False), out_h, out_w, mode, antialias)
    if not img.is_floating_point():
        if mode in ('nearest', 'nearest-exact'):
            return _wrap(out.astype(img.dtype.numpy), img)
        return _wrap(_cast_back(out, img.dtype, clamp=mode == 'bicubic'), img)
    return _wrap(out, img)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize an image. An int ``size`` (or a one-element sequence) is the length of the
    smaller edge, keeping the aspect ratio (the longer edge is capped at ``max_size``); a pair
    is ``(h, w)``. PIL images are always antialiased; tensors are when ``antialias`` is true
    and the mode is bilinear or bicubic.

    Example::

        >>> F.resize(flambeau.zeros(3, 20, 40), 10).shape
        torch.Size([3, 10, 20])
    """
    interpolation = _mode(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError('Size must be an int or a 1 or 2 element tuple/list, not a '
                             f'{len(size)} element tuple/list')
        if max_size is not None and len(size) != 1:
            raise ValueError('max_size should only be passed if size specifies the length of '
                             'the smaller edge, i.e. size should be an int or a sequence of '
                             'length 1 in torchscript mode.')
    elif size is None:
        if not isinstance(max_size, int):
            raise ValueError('If size is None, then max_size must be an integer.')
    elif not isinstance(size, int):
        raise TypeError(f'Size should be int or sequence. Got {type(size)}')
    is_tensor = _check_image(img)
    _, h, w = get_dimensions(img)
    if isinstance(size, (list, tuple)) and len(size) == 2:
        out = [size[0], size[1]]
    else:
        out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == out:
        return img
    if not is_tensor:
        return img.resize((out[1], out[0]), _PIL_MODES[interpolation])
    return _resize_tensor(img, out[0], out[1], interpolation.value, bool(antialias))


# -- padding and cropping -------------------------------------------------------------------------

def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        p = [int(padding)] * 4
    elif len(padding) == 1:
        p = [padding[0]] * 4
    elif len(padding) == 2:
        p = [padding[0], padding[1], padding[0], padding[1]]
    else:
        p = list(padding)
    return p  # left, top, right, bottom


def _pad_array(arr, ltrb, fill, mode):
    """Pad (or, for negative amounts, crop) the last two axes of ``arr``."""
    left, top, right, bottom = ltrb
    h, w = arr.shape[-2:]
    arr = arr[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    widths = [(0, 0)] * (arr.ndim - 2) + [(max(top, 0), max(bottom, 0)),
                                          (max(left, 0), max(right, 0))]
    if mode == 'constant':
        return np.pad(arr, widths, mode='constant', constant_values=fill)
    return np.pad(arr, widths, mode=mode)


def pad(img, padding, fill=0, padding_mode='constant'):
    """Pad an image on all sides. ``padding`` is an int (all sides), ``(lr, tb)`` or
    ``(left, top, right, bottom)``; ``padding_mode`` is ``'constant'`` (with ``fill``),
    ``'edge'``, ``'reflect'`` or ``'symmetric'``. Negative padding crops.

    Example::

        >>> F.pad(flambeau.ones(1, 2, 2), 1).shape
        torch.Size([1, 4, 4])
    """
    is_tensor = _check_image(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if not isinstance(fill, (numbers.Number, tuple, list)) and not (fill is None
                                                                     and is_tensor):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                         f'{len(padding)} element tuple')
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    p = _parse_padding(padding)
    if is_tensor:
        if fill is None:
            fill = 0
        if not isinstance(fill, (int, float)):
            raise TypeError('Got inappropriate fill arg')
        arr = img.detach()._host()
        squeeze = arr.ndim == 2
        if squeeze:
            arr = arr[None]
        if padding_mode == 'reflect':
            h, w = arr.shape[-2:]
            if max(p[0], p[2]) >= w or max(p[1], p[3]) >= h:
                raise RuntimeError('Padding size should be less than the corresponding input '
                                   f'dimension, but got: padding ({p[0]}, {p[2]}) at dimension '
                                   f'{arr.ndim - 1} of input {list(arr.shape)}')
        if padding_mode == 'constant':
            out = _pad_array(arr, p, fill, 'constant')
        else:
            out = _pad_array(arr, p, 0, padding_mode)
        return _wrap(out[0] if squeeze else out, img)

    _pil()
    if padding_mode == 'constant':
        opts = _parse_fill(fill, img, name='fill')
        if img.mode == 'P':
            res = _pil_like(_pad_array(np.asarray(img), p, opts['fill'], 'constant'), img)
            res.putpalette(img.getpalette())
            return res
        arr = np.asarray(img)
        fillv = opts['fill']
        if arr.ndim == 3:
            out = np.stack([_pad_array(arr[..., c], p, fillv[c] if isinstance(fillv, tuple)
                                       else fillv, 'constant') for c in range(arr.shape[2])], -1)
        else:
            out = _pad_array(arr, p, fillv[0] if isinstance(fillv, tuple) else fillv,
                             'constant')
        return _pil_like(out, img)
    arr = np.asarray(img)
    if arr.ndim == 3:
        arr = np.moveaxis(arr, -1, 0)
        out = np.moveaxis(_pad_array(arr, p, 0, padding_mode), 0, -1)
    else:
        out = _pad_array(arr, p, 0, padding_mode)
    res = _pil_like(out, img)
    if img.mode == 'P':
        res.putpalette(img.getpalette())
    return res


def _pil_like(arr, img):
    """A PIL image of ``img``'s mode holding ``arr``."""
    Image = _pil()
    h, w = arr.shape[:2]
    if img.mode == '1':
        return Image.fromarray(np.ascontiguousarray(arr.astype(np.uint8) * 255)).convert('1')
    return Image.frombytes(img.mode, (w, h), np.ascontiguousarray(arr).tobytes())


def _parse_fill(fill, img, name='fillcolor'):
    num_channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and num_channels > 1:
        fill = tuple([fill] * num_channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = fill * num_channels
        elif len(fill) != num_channels:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f'channels of the image ({len(fill)} != {num_channels})')
        fill = tuple(fill)
    if img.mode != 'F':
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def crop(img, top, left, height, width):
    """Crop the box with top-left corner ``(top, left)`` and size ``(height, width)``; the part
    of the box outside the image is zero-filled.

    Example::

        >>> F.crop(flambeau.arange(16.).view(1, 4, 4), 1, 1, 2, 2)
        tensor([[[ 5.,  6.],
                 [ 9., 10.]]])
    """
    if not _check_image(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], ltrb, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """Crop the center of an image to ``output_size`` (int or ``(h, w)``); an image smaller
    than that is zero-padded first.

    Example::

        >>> F.center_crop(flambeau.zeros(3, 10, 10), 4).shape
        torch.Size([3, 4, 4])
    """
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, ih, iw = get_dimensions(img)
    ch, cw = output_size
    if cw > iw or ch > ih:
        ltrb = [(cw - iw) // 2 if cw > iw else 0, (ch - ih) // 2 if ch > ih else 0,
                (cw - iw + 1) // 2 if cw > iw else 0, (ch - ih + 1) // 2 if ch > ih else 0]
        img = pad(img, ltrb, fill=0)
        _, ih, iw = get_dimensions(img)
        if cw == iw and ch == ih:
            return img
    top = int(round((ih - ch) / 2.0))
    left = int(round((iw - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    """``crop`` then ``resize`` to ``size``."""
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Flip an image left to right."""
    if _check_image(img):
        return img.flip(-1)
    return img.transpose(0)  # Image.Transpose.FLIP_LEFT_RIGHT


def vflip(img):
    """Flip an image top to bottom."""
    if _check_image(img):
        return img.flip(-2)
    return img.transpose(1)  # Image.Transpose.FLIP_TOP_BOTTOM


# -- rotation -------------------------------------------------------------------------------------

def _get_inverse_affine_matrix(center, angle, translate, scale, shear):
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _affine_output_size(m, w, h):
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], np.float32)
    theta = np.array(m, np.float32).reshape(2, 3)
    new = pts @ theta.T
    lo = new.min(0) + np.array([w * 0.5, h * 0.5], np.float32)
    hi = new.max(0) + np.array([w * 0.5, h * 0.5], np.float32)
    tol = np.float32(1e-4)  # so that 1e-15 above an integer is not ceiled up
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def _grid_sample(arr, sx, sy, mode):
    """Sample ``arr`` (..., H, W) at pixel coordinates ``sx``, ``sy`` (oh, ow), zero outside."""
    h, w = arr.shape[-2:]
    lead = arr.shape[:-2]
    if mode == 'nearest':
        ix, iy = np.rint(sx).astype(np.int64), np.rint(sy).astype(np.int64)
        ok = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out = arr[..., np.where(ok, iy, 0), np.where(ok, ix, 0)]
        return out * ok.astype(arr.dtype)
    x0, y0 = np.floor(sx), np.floor(sy)
    out = np.zeros(lead + sx.shape, arr.dtype)
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            wgt = (1 - np.abs(sx - xi)) * (1 - np.abs(sy - yi))
            ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            xi = np.where(ok, xi, 0).astype(np.int64)
            yi = np.where(ok, yi, 0).astype(np.int64)
            out += arr[..., yi, xi] * (wgt * ok).astype(arr.dtype)
    return out


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate an image by ``angle`` degrees counter-clockwise about ``center`` (default: the
    image center). ``expand=True`` grows the output to hold the whole rotated image; pixels
    from outside the input get ``fill`` (default 0).

    Example::

        >>> F.rotate(flambeau.arange(4.).view(1, 2, 2), 90)
        tensor([[[1., 3.],
                 [0., 2.]]])
    """
    interpolation = _mode(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError('Argument angle should be int or float')
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError('Argument center should be a sequence')
    if not _check_image(img):
        return img.rotate(angle, _PIL_MODES[interpolation], expand, center,
                          **_parse_fill(fill, img))
    mode = interpolation.value
    if mode not in ('nearest', 'bilinear'):
        raise ValueError(f"Interpolation mode '{mode}' is unsupported with Tensor input")
    c, h, w = get_dimensions(img)
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != c:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f'of channels of the image ({len(fill)} != {c})')
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (cc - s * 0.5) for cc, s in zip(center, [w, h])]
    m = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ow, oh = _affine_output_size(m, w, h) if expand else (w, h)
    arr = img.detach()._host()
    wd = _work_dtype(arr)
    arr = arr.astype(wd, copy=False)
    th = np.array(m, wd)
    xs = np.arange(ow, dtype=wd) - wd.type(ow * 0.5) + wd.type(0.5)
    ys = (np.arange(oh, dtype=wd) - wd.type(oh * 0.5) + wd.type(0.5))[:, None]
    sx = th[0] * xs + th[1] * ys + th[2] + wd.type(w * 0.5 - 0.5)
    sy = th[3] * xs + th[4] * ys + th[5] + wd.type(h * 0.5 - 0.5)
    out = _grid_sample(arr, sx, sy, mode)
    if fill is not None:
        mask = _grid_sample(np.ones((h, w), wd), sx, sy, mode)
        fl = np.array(fill if isinstance(fill, (tuple, list)) else [float(fill)], wd)
        fl = fl.reshape(-1, 1, 1) if img.ndim >= 3 else fl.reshape(1, 1)
        if mode == 'nearest':
            out = np.where(mask < 0.5, fl, out)
        else:
            out = out * mask + (1.0 - mask) * fl
    if not img.is_floating_point():
        return _wrap(_cast_back(out, img.dtype), img)
    return _wrap(out, img)


# -- colour ---------------------------------------------------------------------------------------

def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f'Input image tensor permitted channel values are {permitted}, but '
                        f'found {c}')


def _blend(a, b, ratio, dtype):
    bound = float(_max_value(dtype))
    out = np.clip(ratio * a + (1.0 - ratio) * b, 0, bound)
    return out.astype(dtype.numpy)  # integer images truncate, as a tensor .to() does


def _gray(arr):
    r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
    return (0.2989 * r + 0.587 * g + 0.114 * b)[..., None, :, :]


def _float_view(img):
    arr = img.detach()._host()
    return arr.astype(_work_dtype(arr), copy=False)


def _pil_enhance(img, kind, factor):
    from PIL import ImageEnhance
    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    """Scale the brightness: 0 gives black, 1 the original image.

    Example::

        >>> F.adjust_brightness(flambeau.full((3, 1, 1), 0.4), 2.0).flatten()
        tensor([0.8000, 0.8000, 0.8000])
    """
    if brightness_factor < 0:
        raise ValueError(f'brightness_factor ({brightness_factor}) is not non-negative.')
    if not _check_image(img):
        return _pil_enhance(img, 'Brightness', brightness_factor)
    _assert_channels(img, [1, 3])
    arr = _float_view(img)
    return _wrap(_blend(arr, 0.0, float(brightness_factor), img.dtype), img)


def adjust_contrast(img, contrast_factor):
    """Scale the contrast about the mean grey level: 0 gives a solid grey image, 1 the
    original.

    Example::

        >>> F.adjust_contrast(flambeau.tensor([[[0., 1.]]]), 0.0)
        tensor([[[0.5000, 0.5000]]])
    """
    if contrast_factor < 0:
        raise ValueError(f'contrast_factor ({contrast_factor}) is not non-negative.')
    if not _check_image(img):
        return _pil_enhance(img, 'Contrast', contrast_factor)
    _assert_channels(img, [3, 1])
    arr = _float_view(img)
    if arr.shape[-3] == 3:
        g = _gray(arr)
        if not img.is_floating_point():
            g = np.trunc(g)  # torchvision casts the grey image to the integer dtype first
        mean = g.mean(axis=(-3, -2, -1), keepdims=True)
    else:
        mean = arr.mean(axis=(-3, -2, -1), keepdims=True)
    return _wrap(_blend(arr, mean, float(contrast_factor), img.dtype), img)


def adjust_saturation(img, saturation_factor):
    """Scale the colour saturation: 0 gives a grey image, 1 the original.

    Example::

        >>> F.adjust_saturation(flambeau.rand(3, 2, 2), 1.0).shape
        torch.Size([3, 2, 2])
    """
    if saturation_factor < 0:
        raise ValueError(f'saturation_factor ({saturation_factor}) is not non-negative.')
    if not _check_image(img):
        return _pil_enhance(img, 'Color', saturation_factor)
    _assert_channels(img, [1, 3])
    if img.shape[-3] == 1:
        return img
    arr = _float_view(img)
    g = _gray(arr)
    if not img.is_floating_point():
        g = np.trunc(g)
    return _wrap(_blend(arr, g, float(saturation_factor), img.dtype), img)


def _rgb2hsv(arr):
    r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
    maxc, minc = arr.max(axis=-3), arr.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    s = cr / np.where(eqc, 1, maxc)
    crd = np.where(eqc, 1, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return h.astype(arr.dtype), s, maxc


def _hsv2rgb(h, s, v):
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    choices = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))
    return np.stack([np.choose(i, ch) for ch in choices], axis=-3)


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (in ``[-0.5, 0.5]``, a fraction of the colour wheel).

    Example::

        >>> F.adjust_hue(flambeau.tensor([1., 0., 0.]).view(3, 1, 1), 1 / 3).flatten()
        tensor([0., 1., 0.])
    """
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f'hue_factor ({hue_factor}) is not in [-0.5, 0.5].')
    if not _check_image(img):
        if img.mode in ('L', '1', 'I', 'F'):
            return img
        mode = img.mode
        h, s, v = img.convert('HSV').split()
        np_h = np.array(h, dtype=np.uint8)
        # uint8 addition wraps around, which is what a hue rotation needs
        np_h = (np_h.astype(np.int64) + int(np.int64(np.float64(hue_factor * 255)))) % 256
        h = _fromarray(np_h.astype(np.uint8), 'L')
        return _pil().merge('HSV', (h, s, v)).convert(mode)
    _assert_channels(img, [1, 3])
    if img.shape[-3] == 1:
        return img
    arr = img.detach()._host()
    if img.dtype == _dt.uint8:
        arr = arr.astype(np.float32) / np.float32(255)
    elif not img.is_floating_point():
        arr = arr.astype(np.float32) / np.float32(_max_value(img.dtype))
    h, s, v = _rgb2hsv(arr)
    h = np.fmod(h + h.dtype.type(hue_factor), 1.0)
    h = np.where(h < 0, h + 1.0, h).astype(arr.dtype)  # torch's % is a floor modulo
    out = _hsv2rgb(h, s, v).astype(arr.dtype)
    if img.is_floating_point():
        return _wrap(out, img)
    return _wrap((out * (float(_max_value(img.dtype)) + 1.0 - 1e-3)).astype(img.dtype.numpy),
                 img)


def rgb_to_grayscale(img, num_output_channels=1):
    """Convert an RGB image to greyscale (``0.2989 R + 0.587 G + 0.114 B``), with 1 or 3
    identical output channels.

    Example::

        >>> F.rgb_to_grayscale(flambeau.ones(3, 2, 2)).shape
        torch.Size([1, 2, 2])
    """
    if not _check_image(img):
        return to_grayscale(img, num_output_channels)
    if img.ndim < 3:
        raise TypeError('Input image tensor should have at least 3 dimensions, but found '
                        f'{img.ndim}')
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError('num_output_channels should be either 1 or 3')
    if img.shape[-3] == 3:
        g = _gray(_float_view(img)).astype(img.dtype.numpy)
    else:
        g = img.detach()._host().copy()
    if num_output_channels == 3:
        g = np.broadcast_to(g, g.shape[:-3] + (3,) + g.shape[-2:])
    return _wrap(g, img)


def to_grayscale(img, num_output_channels=1):
    """Convert a PIL image to greyscale (mode ``L``, or ``RGB`` with three equal channels)."""
    if not _is_pil_image(img):
        raise TypeError(f'img should be PIL Image. Got {type(img)}')
    if num_output_channels == 1:
        return img.convert('L')
    if num_output_channels == 3:
        arr = np.array(img.convert('L'), dtype=np.uint8)
        return _fromarray(np.dstack([arr, arr, arr]), 'RGB')
    raise ValueError('num_output_channels should be either 1 or 3')
