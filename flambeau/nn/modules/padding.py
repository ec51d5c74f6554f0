"""Padding layers: constant (and zero), reflection, replication and circular padding."""
from .module import Module
from ...ops.resample import pad

__all__ = ['ConstantPad1d', 'ConstantPad2d', 'ConstantPad3d', 'ZeroPad1d', 'ZeroPad2d',
           'ZeroPad3d', 'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d',
           'ReplicationPad1d', 'ReplicationPad2d', 'ReplicationPad3d', 'CircularPad1d',
           'CircularPad2d', 'CircularPad3d']


def _padding(p, n):
    if isinstance(p, (list, tuple)):
        p = tuple(p)
        if len(p) != 2 * n:
            raise ValueError(f'Padding must be an int or a {2 * n}-element tuple, got {p}')
        return p
    return (p,) * (2 * n)


class _PadNd(Module):
    _n = 1
    _mode = 'constant'

    def __init__(self, padding):
        super().__init__()
        self.padding = _padding(padding, self._n)

    def forward(self, input):
        return pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f'{self.padding}'


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return pad(input, self.padding, 'constant', self.value)

    def extra_repr(self):
        return f'padding={self.padding}, value={self.value}'


_DOC = """Pads the last {n} dim(s) of the input {how}.

    ``padding``: an int (the same on every side) or a {k}-tuple ``({sides})``.

    Example::

        >>> flambeau.nn.{name}({ex_pad}{extra})(flambeau.arange(3.).reshape(1, 1, 3)).shape
        flambeau.Size([1, 1, {ex_out}])
    """


def _doc(name, n, how, extra=''):
    sides = ', '.join(('left', 'right', 'top', 'bottom', 'front', 'back')[:2 * n])
    return _DOC.format(n=n, how=how, k=2 * n, sides=sides, name=name,
                       ex_pad='2' if n == 1 else '(2, 1' + ', 0' * (2 * n - 2) + ')',
                       extra=extra, ex_out='7' if n == 1 else '6')


class ConstantPad1d(_ConstantPadNd):
    __doc__ = _doc('ConstantPad1d', 1, 'with a constant ``value``', ', 3.5')
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    __doc__ = _doc('ConstantPad2d', 2, 'with a constant ``value``', ', 3.5')
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    __doc__ = _doc('ConstantPad3d', 3, 'with a constant ``value``', ', 3.5').replace(
        'reshape(1, 1, 3)', 'reshape(1, 1, 1, 3)').replace('[1, 1, 6]', '[1, 1, 1, 1, 6]')
    _n = 3


class _ZeroPad(_ConstantPadNd):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f'{self.padding}'


class ZeroPad1d(_ZeroPad):
    __doc__ = _doc('ZeroPad1d', 1, 'with zeros')
    _n = 1


class ZeroPad2d(_ZeroPad):
    __doc__ = _doc('ZeroPad2d', 2, 'with zeros')
    _n = 2


class ZeroPad3d(_ZeroPad):
    __doc__ = _doc('ZeroPad3d', 3, 'with zeros').replace(
        'reshape(1, 1, 3)', 'reshape(1, 1, 1, 3)').replace('[1, 1, 6]', '[1, 1, 1, 1, 6]')
    _n = 3


class ReflectionPad1d(_PadNd):
    __doc__ = _doc('ReflectionPad1d', 1, 'with its reflection (the edge not repeated)')
    _n, _mode = 1, 'reflect'


class ReflectionPad2d(_PadNd):
    __doc__ = _doc('ReflectionPad2d', 2, 'with its reflection (the edge not repeated)')
    _n, _mode = 2, 'reflect'


class ReflectionPad3d(_PadNd):
    __doc__ = _doc('ReflectionPad3d', 3, 'with its reflection').replace(
        'reshape(1, 1, 3)', 'reshape(1, 1, 1, 3)').replace('[1, 1, 6]', '[1, 1, 1, 1, 6]')
    _n, _mode = 3, 'reflect'


class ReplicationPad1d(_PadNd):
    __doc__ = _doc('ReplicationPad1d', 1, 'by repeating its edge')
    _n, _mode = 1, 'replicate'


class ReplicationPad2d(_PadNd):
    __doc__ = _doc('ReplicationPad2d', 2, 'by repeating its edge')
    _n, _mode = 2, 'replicate'


class ReplicationPad3d(_PadNd):
    __doc__ = _doc('ReplicationPad3d', 3, 'by repeating its edge').replace(
        'reshape(1, 1, 3)', 'reshape(1, 1, 1, 3)').replace('[1, 1, 6]', '[1, 1, 1, 1, 6]')
    _n, _mode = 3, 'replicate'


class CircularPad1d(_PadNd):
    __doc__ = _doc('CircularPad1d', 1, 'by wrapping around')
    _n, _mode = 1, 'circular'


class CircularPad2d(_PadNd):
    __doc__ = _doc('CircularPad2d', 2, 'by wrapping around')
    _n, _mode = 2, 'circular'


class CircularPad3d(_PadNd):
    __doc__ = _doc('CircularPad3d', 3, 'by wrapping around').replace(
        'reshape(1, 1, 3)', 'reshape(1, 1, 1, 3)').replace('[1, 1, 6]', '[1, 1, 1, 1, 6]')
    _n, _mode = 3, 'circular'
