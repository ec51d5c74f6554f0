"""InstanceNorm1d/2d/3d: each sample's channels normalized on their own."""
import warnings

from ..functional import instance_norm
from .batchnorm import _dims_error, _NormBase

__all__ = ['InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d']


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _apply_instance_norm(self, input):
        return instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                             self.training or not self.track_running_stats,
                             self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input):
        self._check_input_dim(input)
        feature_dim = input.dim() - self._no_batch_dim
        if input.size(feature_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={feature_dim} to match "
                                 f'num_features ({self.num_features}), but got: '
                                 f'{input.size(feature_dim)}.')
            warnings.warn(f"input's size at dim={feature_dim} does not match num_features. You "
                          f'can silence this warning by not passing in num_features, which is '
                          f'not used because affine=False', stacklevel=2)
        if input.dim() == self._no_batch_dim:  # unbatched: a batch of one
            return self._apply_instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._apply_instance_norm(input)


class InstanceNorm1d(_InstanceNorm):
    r"""Instance normalization over a ``(N, C, L)`` or unbatched ``(C, L)`` input: each
    ``input[n, c]`` normalized with its own mean and biased variance, then (``affine=True``)
    scaled and shifted per channel. With ``track_running_stats=True`` running statistics are
    kept in training and used in evaluation.

    Args:
        num_features: ``C``. eps: added to the variance. momentum: of the running statistics.
        affine: learnable ``weight``/``bias`` (default False). track_running_stats: (default
        False).

    Example::

        >>> nn.InstanceNorm1d(3)(flambeau.randn(2, 3, 5)).shape
        torch.Size([2, 3, 5])
    """
    _no_batch_dim = 2

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise _dims_error('2D or 3D', input)


class InstanceNorm2d(_InstanceNorm):
    r"""Instance normalization over a ``(N, C, H, W)`` or unbatched ``(C, H, W)`` input; see
    :class:`InstanceNorm1d`.

    Example::

        >>> nn.InstanceNorm2d(3, affine=True)(flambeau.randn(2, 3, 4, 4)).shape
        torch.Size([2, 3, 4, 4])
    """
    _no_batch_dim = 3

    def _check_input_dim(self, input):
        if input.dim() not in (3, 4):
            raise _dims_error('3D or 4D', input)


class InstanceNorm3d(_InstanceNorm):
    r"""Instance normalization over a ``(N, C, D, H, W)`` or unbatched ``(C, D, H, W)``
    input; see :class:`InstanceNorm1d`.

    Example::

        >>> nn.InstanceNorm3d(3)(flambeau.randn(2, 3, 2, 2, 2)).shape
        torch.Size([2, 3, 2, 2, 2])
    """
    _no_batch_dim = 4

    def _check_input_dim(self, input):
        if input.dim() not in (4, 5):
            raise _dims_error('4D or 5D', input)
