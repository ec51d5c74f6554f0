"""``make_grid`` and ``save_image``: lay a batch of images out in a grid, and write it to a
file (the latter needs Pillow)."""
import math

from ..tensor import Tensor

__all__ = ['make_grid', 'save_image']


def _norm_ip(img, low, high):
    img.clamp_(min=low, max=high)
    img.sub_(low).div_(max(high - low, 1e-5))


def _norm_range(t, value_range):
    if value_range is not None:
        _norm_ip(t, value_range[0], value_range[1])
    else:
        _norm_ip(t, float(t.min()), float(t.max()))


def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
              pad_value=0.0):
    """Arrange a mini-batch of images ``(B, C, H, W)`` (or a list of ``(C, H, W)`` images) in
    a grid of ``nrow`` images per row, ``padding`` pixels of ``pad_value`` between them.
    One-channel images become three-channel. With ``normalize=True`` the values are shifted
    to ``[0, 1]`` using ``value_range`` (default: the min and max of the images, or of each
    image when ``scale_each=True``).

    Returns a ``(C, H', W')`` tensor.

    Example::

        >>> make_grid(flambeau.zeros(4, 3, 8, 8), nrow=2).shape
        torch.Size([3, 22, 22])
    """
    from ..ops.shape import cat, stack
    if not isinstance(tensor, Tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not isinstance(t, Tensor):
                    raise TypeError('tensor or list of tensors expected, got a list containing '
                                    f'{type(t)}')
        else:
            raise TypeError(f'tensor or list of tensors expected, got {type(tensor)}')
    if isinstance(tensor, list):
        tensor = stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()  # the caller's tensor is not changed
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError('value_range has to be a tuple (min, max) if specified. min and max '
                            'are numbers')
        if scale_each is True:
            for t in tensor:
                _norm_range(t, value_range)
        else:
            _norm_range(tensor, value_range)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding),
                           pad_value)
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            grid.narrow(1, y * height + padding, height - padding).narrow(
                2, x * width + padding, width - padding).copy_(tensor[k])
            k += 1
    return grid


def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or a mini-batch, laid out with :func:`make_grid` and its ``kwargs``) as
    an image file; values in ``[0, 1]`` are rounded to 8 bits. ``format`` overrides the
    format guessed from the file name; ``fp`` may be a path or a file object.

    Example::

        >>> save_image(flambeau.rand(4, 3, 8, 8), 'grid.png', nrow=2)
    """
    from .. import dtypes as _dt
    from .transforms.functional import _pil
    Image = _pil()
    grid = make_grid(tensor, **kwargs)
    # add 0.5 after scaling to [0, 255] to round to the nearest integer
    ndarr = grid.detach().mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(
        'cpu', _dt.uint8).numpy()
    Image.fromarray(ndarr).save(fp, format=format)
