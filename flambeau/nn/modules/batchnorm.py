"""BatchNorm1d/2d/3d: batch normalization layers with learnable affine parameters and running
statistics (``running_mean``, ``running_var``, ``num_batches_tracked`` buffers)."""
from ... import dtypes as _dt
from ...autograd import grad_mode
from ...ops.creation import empty, ones, tensor, zeros
from ..functional import batch_norm
from ..parameter import Parameter
from .module import Module

__all__ = ['BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d']


class _NormBase(Module):
    """What batch and instance normalization share: ``weight``/``bias`` (when ``affine``),
    the running statistics (when ``track_running_stats``), their reset and the repr."""
    _version = 2  # version 2 added num_batches_tracked

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None, *, bias=True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, device=device, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, device=device, dtype=dtype))
            else:
                self.register_parameter('bias', None)
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)
        if track_running_stats:
            self.register_buffer('running_mean', zeros(num_features, device=device, dtype=dtype))
            self.register_buffer('running_var', ones(num_features, device=device, dtype=dtype))
            self.register_buffer('num_batches_tracked', tensor(0, dtype=_dt.int64, device=device))
        else:
            self.register_buffer('running_mean', None)
            self.register_buffer('running_var', None)
            self.register_buffer('num_batches_tracked', None)
        self.reset_parameters()

    def reset_running_stats(self):
        """Running mean 0, running variance 1, no batch tracked."""
        if self.track_running_stats:
            with grad_mode.no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        """Reset the running statistics, and ``weight`` to 1 and ``bias`` to 0."""
        self.reset_running_stats()
        if self.affine:
            with grad_mode.no_grad():
                self.weight.fill_(1)
                if self.bias is not None:
                    self.bias.zero_()

    def _check_input_dim(self, input):
        raise NotImplementedError  # each subclass states its input dimensions

    def extra_repr(self):
        return (f'{self.num_features}, eps={self.eps}, momentum={self.momentum}, '
                f'affine={self.affine}, bias={self.bias is not None}, '
                f'track_running_stats={self.track_running_stats}')

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = local_metadata.get('version', None)
        if (version is None or version < 2) and self.track_running_stats:
            # checkpoints from before version 2 lack num_batches_tracked: it starts at 0
            key = prefix + 'num_batches_tracked'
            if key not in state_dict:
                state_dict[key] = self.num_batches_tracked if self.num_batches_tracked \
                    is not None else tensor(0, dtype=_dt.int64)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        # in evaluation, batch statistics only when there are no running ones
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return batch_norm(input, self.running_mean if track else None,
                          self.running_var if track else None, self.weight, self.bias,
                          use_batch, factor, self.eps)


def _dims_error(expected, input):
    return ValueError(f'expected {expected} input (got {input.dim()}D input)')


class BatchNorm1d(_BatchNorm):
    r"""Batch normalization over a 2-D ``(N, C)`` or 3-D ``(N, C, L)`` input:

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias``

    with the mean and biased variance of each channel over the batch (and ``L``). In training
    the running statistics are updated with ``momentum`` (the unbiased variance;
    ``momentum=None``: a cumulative average) and used in evaluation (``model.eval()``).

    Args:
        num_features: ``C``. eps: added to the variance. momentum: of the running statistics
        (default 0.1). affine: learnable ``weight`` (ones) and ``bias`` (zeros).
        track_running_stats: keep ``running_mean``/``running_var``/``num_batches_tracked``
        buffers; otherwise batch statistics are used in evaluation too.

    Shape: input ``(N, C)`` or ``(N, C, L)``, output the same.

    Example::

        >>> m = nn.BatchNorm1d(3)
        >>> m(flambeau.randn(8, 3)).shape
        torch.Size([8, 3])
    """

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise _dims_error('2D or 3D', input)


class BatchNorm2d(_BatchNorm):
    r"""Batch normalization over a 4-D ``(N, C, H, W)`` input (statistics per channel over
    ``N``, ``H`` and ``W``); see :class:`BatchNorm1d` for the arguments.

    Example::

        >>> m = nn.BatchNorm2d(3, affine=False)
        >>> m(flambeau.randn(2, 3, 4, 4)).shape
        torch.Size([2, 3, 4, 4])
    """

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise _dims_error('4D', input)


class BatchNorm3d(_BatchNorm):
    r"""Batch normalization over a 5-D ``(N, C, D, H, W)`` input; see :class:`BatchNorm1d`
    for the arguments.

    Example::

        >>> m = nn.BatchNorm3d(3)
        >>> m(flambeau.randn(2, 3, 2, 2, 2)).shape
        torch.Size([2, 3, 2, 2, 2])
    """

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise _dims_error('5D', input)
