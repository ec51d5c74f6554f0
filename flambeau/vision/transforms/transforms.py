"""Image transforms as callable objects, with ``torchvision.transforms``' constructors, behaviour
and reprs. Each works on PIL images and on tensor images ``(..., C, H, W)``.

Random transforms draw from flambeau's default generator (``flambeau.rand``/``randint``/
``randperm``), so ``flambeau.manual_seed`` makes a pipeline reproducible. (``RandomChoice``
draws from it too, where torchvision uses Python's ``random``.)
"""
import math
import numbers
import warnings
from collections.abc import Sequence

import numpy as np

from ...nn.modules.module import Module
from . import functional as F
from .functional import InterpolationMode, _interpolation_modes_from_int

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ToPILImage', 'ConvertImageDtype', 'Normalize',
           'Resize', 'CenterCrop', 'RandomCrop', 'RandomResizedCrop', 'RandomHorizontalFlip',
           'RandomVerticalFlip', 'RandomRotation', 'ColorJitter', 'Grayscale', 'Pad', 'Lambda',
           'RandomApply', 'RandomChoice', 'RandomTransforms', 'InterpolationMode']


def _rand():
    from ...ops.random import rand
    return rand(1).item()


def _randint(low, high):
    from ...ops.random import randint
    return randint(low, high, size=(1,)).item()


def _uniform(low, high):
    """One float32 draw from U(low, high), as ``torch.empty(1).uniform_(low, high)``."""
    from ...ops.creation import empty
    return empty(1).uniform_(low, high).item()


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else ' or '.join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f'{name} should be a sequence of length {msg}.')
    if len(x) not in req_sizes:
        raise ValueError(f'{name} should be a sequence of length {msg}.')


def _setup_angle(x, name, req_sizes=(2,)):
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f'If {name} is a single number, it must be positive.')
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


class _Transform(Module):
    """Base of the transforms that are ``nn.Module``s in torchvision (so that they go into
    ``nn.Sequential``): ``t(img)`` calls ``t.forward(img)``."""

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class Compose:
    """Chain transforms: ``Compose([t1, t2])(img) == t2(t1(img))``.

    Example::

        >>> transforms.Compose([transforms.CenterCrop(10), transforms.ToTensor()])
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        s = self.__class__.__name__ + '('
        for t in self.transforms:
            s += f'\n    {t}'
        return s + '\n)'


class ToTensor:
    """Convert a PIL image or an ``(H, W, C)`` uint8 NumPy array to a ``(C, H, W)`` float
    tensor in ``[0, 1]`` (see :func:`functional.to_tensor`).

    Example::

        >>> transforms.ToTensor()(numpy.zeros((4, 5, 3), numpy.uint8)).shape
        torch.Size([3, 4, 5])
    """

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class PILToTensor:
    """Convert a PIL image to a ``(C, H, W)`` tensor of the same dtype, without scaling."""

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class ToPILImage:
    """Convert a ``(C, H, W)`` tensor or an ``(H, W, C)`` array to a PIL image of ``mode``
    (inferred when None; see :func:`functional.to_pil_image`)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        s = self.__class__.__name__ + '('
        if self.mode is not None:
            s += f'mode={self.mode}'
        return s + ')'


class ConvertImageDtype(_Transform):
    """Convert a tensor image to ``dtype``, scaling the values accordingly.

    Example::

        >>> to_float = transforms.ConvertImageDtype(flambeau.float32)
        >>> to_float(flambeau.tensor([255], dtype=flambeau.uint8))
        tensor([1.])
    """

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class Normalize(_Transform):
    """Normalize a float tensor image channel-wise: ``(input[c] - mean[c]) / std[c]``; in
    place when ``inplace=True``.

    Example::

        >>> transforms.Normalize((0.5,), (0.5,))(flambeau.ones(1, 2, 2)).flatten()
        tensor([1., 1., 1., 1.])
    """

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f'{self.__class__.__name__}(mean={self.mean}, std={self.std})'


class Resize(_Transform):
    """Resize to ``size``: an int resizes the smaller edge (keeping the aspect ratio, the longer
    edge capped by ``max_size``), ``(h, w)`` resizes exactly.

    Example::

        >>> transforms.Resize(8)(flambeau.zeros(3, 16, 32)).shape
        torch.Size([3, 8, 16])
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f'Size should be int or sequence. Got {type(size)}')
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError('If size is a sequence, it should have 1 or 2 values')
        self.size = size
        self.max_size = max_size
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'interpolation={self.interpolation.value}, max_size={self.max_size}, '
                f'antialias={self.antialias})')


class CenterCrop(_Transform):
    """Crop the center of the image to ``size`` (int or ``(h, w)``), zero-padding a smaller
    image."""

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, 'Please provide only two dimensions (h, w) for size.')

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size})'


class Pad(_Transform):
    """Pad the image on all sides (see :func:`functional.pad`).

    Example::

        >>> transforms.Pad((1, 2))(flambeau.zeros(1, 3, 3)).shape
        torch.Size([1, 7, 5])
    """

    def __init__(self, padding, fill=0, padding_mode='constant'):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate padding arg')
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate fill arg')
        if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
            raise ValueError('Padding mode should be either constant, edge, reflect or '
                             'symmetric')
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                             f'{len(padding)} element tuple')
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return (f'{self.__class__.__name__}(padding={self.padding}, fill={self.fill}, '
                f'padding_mode={self.padding_mode})')


class Lambda:
    """Apply a user function as a transform.

    Example::

        >>> transforms.Lambda(lambda x: x * 2)(flambeau.ones(1))
        tensor([2.])
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f'Argument lambd should be callable, got {repr(type(lambd).__name__)}')
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f'{self.__class__.__name__}()'


class RandomTransforms:
    """Base of the transforms that apply a random choice of a list of transforms."""

    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence')
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError(f'{self.__class__.__name__} is an abstract base class')

    def __repr__(self):
        s = self.__class__.__name__ + '('
        for t in self.transforms:
            s += f'\n    {t}'
        return s + '\n)'


class RandomApply(_Transform):
    """Apply the list of ``transforms`` with probability ``p``.

    Example::

        >>> transforms.RandomApply([transforms.Pad(1)], p=1.0)(flambeau.zeros(1, 2, 2)).shape
        torch.Size([1, 4, 4])
    """

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        if self.p < _rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        s = self.__class__.__name__ + '(' + f'\n    p={self.p}'
        for t in self.transforms:
            s += f'\n    {t}'
        return s + '\n)'


class RandomChoice(RandomTransforms):
    """Apply one transform picked at random from ``transforms`` (weighted by ``p``)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError('Argument p should be a sequence')
        self.p = p

    def __call__(self, *args):
        n = len(self.transforms)
        if self.p is None:
            k = _randint(0, n)
        else:
            if len(self.p) != n:
                raise ValueError('The number of weights does not match the population')
            cum = np.cumsum(np.asarray(self.p, dtype=np.float64))
            if not cum[-1] > 0:
                raise ValueError('Total of weights must be greater than zero')
            k = min(int(np.searchsorted(cum, _rand() * cum[-1], side='right')), n - 1)
        return self.transforms[k](*args)

    def __repr__(self):
        return f'{super().__repr__()}(p={self.p})'


class RandomCrop(_Transform):
    """Crop at a random position. ``padding`` pads first (see :class:`Pad`); with
    ``pad_if_needed`` an image smaller than ``size`` is padded up to it.

    Example::

        >>> transforms.RandomCrop(4, padding=2)(flambeau.zeros(3, 8, 8)).shape
        torch.Size([3, 4, 4])
    """

    @staticmethod
    def get_params(img, output_size):
        """``(top, left, h, w)`` of a random crop of ``output_size``."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f'Required crop size {(th, tw)} is larger than input image size '
                             f'{(h, w)}')
        if w == tw and h == th:
            return 0, 0, h, w
        i = _randint(0, h - th + 1)
        j = _randint(0, w - tw + 1)
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        super().__init__()
        self.size = tuple(_setup_size(size, 'Please provide only two dimensions (h, w) for '
                                      'size.'))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f'{self.__class__.__name__}(size={self.size}, padding={self.padding})'


class RandomResizedCrop(_Transform):
    """Crop a random area (fraction ``scale`` of the image, aspect ratio in ``ratio``) and
    resize it to ``size``.

    Example::

        >>> transforms.RandomResizedCrop(8)(flambeau.zeros(3, 32, 32)).shape
        torch.Size([3, 8, 8])
    """

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.size = _setup_size(size, 'Please provide only two dimensions (h, w) for size.')
        if not isinstance(scale, Sequence):
            raise TypeError('Scale should be a sequence')
        if not isinstance(ratio, Sequence):
            raise TypeError('Ratio should be a sequence')
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn('Scale and ratio should be of kind (min, max)')
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.interpolation = interpolation
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio):
        """``(top, left, h, w)`` of a random sized crop."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = np.log(np.asarray(ratio, dtype=np.float32))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect_ratio = float(np.exp(np.float32(_uniform(float(log_ratio[0]),
                                                            float(log_ratio[1])))))
            w = int(round(math.sqrt(target_area * aspect_ratio)))
            h = int(round(math.sqrt(target_area / aspect_ratio)))
            if 0 < w <= width and 0 < h <= height:
                i = _randint(0, height - h + 1)
                j = _randint(0, width - w + 1)
                return i, j, h, w
        # fall back to a central crop
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = int(round(w / min(ratio)))
        elif in_ratio > max(ratio):
            h = height
            w = int(round(h * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation,
                              antialias=self.antialias)

    def __repr__(self):
        return (f'{self.__class__.__name__}(size={self.size}'
                f', scale={tuple(round(s, 4) for s in self.scale)}'
                f', ratio={tuple(round(r, 4) for r in self.ratio)}'
                f', interpolation={self.interpolation.value}, antialias={self.antialias})')


class RandomHorizontalFlip(_Transform):
    """Flip the image left to right with probability ``p``."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        if _rand() < self.p:
            return F.hflip(img)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


class RandomVerticalFlip(_Transform):
    """Flip the image top to bottom with probability ``p``."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        if _rand() < self.p:
            return F.vflip(img)
        return img

    def __repr__(self):
        return f'{self.__class__.__name__}(p={self.p})'


class RandomRotation(_Transform):
    """Rotate by a random angle in ``degrees`` (a number d means ``(-d, d)``); see
    :func:`functional.rotate` for ``interpolation``, ``expand``, ``center`` and ``fill``.

    Example::

        >>> transforms.RandomRotation(30)(flambeau.zeros(3, 8, 8)).shape
        torch.Size([3, 8, 8])
    """

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0):
        super().__init__()
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center
        self.interpolation = interpolation
        self.expand = expand
        if fill is None:
            fill = 0
        elif not isinstance(fill, (Sequence, numbers.Number)):
            raise TypeError('Fill should be either a sequence or a number.')
        self.fill = fill

    @staticmethod
    def get_params(degrees):
        """A random angle in ``[degrees[0], degrees[1]]``."""
        return float(_uniform(float(degrees[0]), float(degrees[1])))

    def forward(self, img):
        fill = self.fill
        channels, _, _ = F.get_dimensions(img)
        if F._check_image(img):
            fill = ([float(fill)] * channels if isinstance(fill, (int, float))
                    else [float(f) for f in fill])
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        s = (f'{self.__class__.__name__}(degrees={self.degrees}'
             f', interpolation={self.interpolation.value}, expand={self.expand}')
        if self.center is not None:
            s += f', center={self.center}'
        if self.fill is not None:
            s += f', fill={self.fill}'
        return s + ')'


class ColorJitter(_Transform):
    """Randomly change brightness, contrast, saturation and hue, in a random order. Each
    argument is a max deviation ``v`` (factor drawn from ``[max(0, 1 - v), 1 + v]``; hue from
    ``[-v, v]``, ``v <= 0.5``) or a ``(min, max)`` pair.

    Example::

        >>> transforms.ColorJitter(brightness=0.5)(flambeau.rand(3, 4, 4)).shape
        torch.Size([3, 4, 4])
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self.brightness = self._check_input(brightness, 'brightness')
        self.contrast = self._check_input(contrast, 'contrast')
        self.saturation = self._check_input(saturation, 'saturation')
        self.hue = self._check_input(hue, 'hue', center=0, bound=(-0.5, 0.5),
                                     clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float('inf')), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f'If {name} is a single number, it must be non negative.')
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f'{name} should be a single number or a list/tuple with length 2.')
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f'{name} values should be between {bound}, but got {value}.')
        if value[0] == value[1] == center:
            return None
        return tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """The order of the four adjustments and their factors (None: not applied)."""
        from ...ops.random import randperm
        fn_idx = randperm(4)
        b = None if brightness is None else float(_uniform(brightness[0], brightness[1]))
        c = None if contrast is None else float(_uniform(contrast[0], contrast[1]))
        s = None if saturation is None else float(_uniform(saturation[0], saturation[1]))
        h = None if hue is None else float(_uniform(hue[0], hue[1]))
        return fn_idx, b, c, s, h

    def forward(self, img):
        fn_idx, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation,
                                             self.hue)
        for fn_id in fn_idx.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self):
        return (f'{self.__class__.__name__}(brightness={self.brightness}'
                f', contrast={self.contrast}, saturation={self.saturation}, hue={self.hue})')


class Grayscale(_Transform):
    """Convert the image to greyscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels=1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f'{self.__class__.__name__}(num_output_channels={self.num_output_channels})'

