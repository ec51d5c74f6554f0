"""``ChannelShuffle``."""
from ...ops.resample import channel_shuffle
from .module import Module

__all__ = ['ChannelShuffle']


class ChannelShuffle(Module):
    """Divides the channels of ``(N, C, *)`` into ``groups`` groups and interleaves them
    (ShuffleNet), see :func:`flambeau.nn.functional.channel_shuffle`.

    Example::

        >>> flambeau.nn.ChannelShuffle(2)(flambeau.arange(4.).reshape(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """
    __constants__ = ['groups']

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f'groups={self.groups}'
