"""How tensors print: ``repr(t)`` and ``str(t)``, identical to PyTorch's.

A tensor prints as ``tensor(<values>, <suffixes>)``. The values are laid out like nested
Python lists, every element right-aligned to one common width. How a floating point
element is written is decided once for the whole tensor by :class:`_Formatter`:

* integer mode (every finite value is a whole number): ``1.``, ``-3.``
* fixed mode: ``1.5000`` (``precision`` digits after the point)
* scientific mode (values span more than 3 decades, or are huge or tiny): ``1.5000e+09``

Tensors with more than ``threshold`` elements are summarized: only ``edgeitems`` items
at each end of each dimension are shown, with ``...`` in between. The suffixes tell
what the values alone do not: device, a dtype other than the defaults, the size of an
empty tensor, and autograd state.
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import dtypes

__all__ = ['tensor_repr', 'set_printoptions', 'get_printoptions', 'printoptions']


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: 'bool | None' = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    'default': dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    'short': dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    'full': dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing. Items shamelessly taken from NumPy.

    Args:
        precision: Number of digits of precision for floating point output (default = 4).
        threshold: Total number of array elements which trigger summarization rather
            than full ``repr`` (default = 1000).
        edgeitems: Number of array items in summary at beginning and end of each
            dimension (default = 3).
        linewidth: The number of characters per line for the purpose of inserting line
            breaks (default = 80). Thresholded matrices will ignore this parameter.
        profile: Sane defaults for pretty printing, applied before the other arguments:
            ``'default'``, ``'short'`` or ``'full'``.
        sci_mode: Enable (True) or disable (False) scientific notation. If None (the
            default), it is chosen automatically from the values. Note that every call
            sets it, so a call without ``sci_mode`` switches it back to automatic.

    Example::

        >>> torch.set_printoptions(precision=2)
        >>> torch.tensor([1.12345])
        tensor([1.12])
        >>> torch.set_printoptions(threshold=5)
        >>> torch.arange(10)
        tensor([0, 1, 2,  ..., 7, 8, 9])
        >>> torch.set_printoptions(profile='default')
        >>> torch.tensor([1.12345])
        tensor([1.1235])
    """
    # PyTorch silently ignores an unknown profile name; so do we.
    for name, value in _PROFILES.get(profile, {}).items():
        setattr(PRINT_OPTS, name, value)
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                 linewidth=linewidth)
    for name, value in given.items():
        if value is not None:
            setattr(PRINT_OPTS, name, value)
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options, as a dictionary that can be passed as ``**kwargs`` to
    :func:`set_printoptions`.

    Example::

        >>> get_printoptions()
        {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that temporarily changes the print options. Accepts the same
    arguments as :func:`set_printoptions`.

    Example::

        >>> with torch.printoptions(precision=2):
        ...     print(torch.tensor([1.12345]))
        tensor([1.12])
    """
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Decides how every element of one tensor is written, and the common width.

    ``values`` is the data that will be shown (already summarized), as float64 for
    floating point tensors so that float16 and bfloat16 print their exact values.
    """

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if values.size == 0:
            return
        if not floating:
            # For integers and bools the widest text is that of the minimum or maximum.
            extremes = (values.min().item(), values.max().item())
            self.max_width = max(1, *(len(str(v)) for v in extremes))
            return

        # Zeros, nan and inf take part in no decision (and in no width).
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            return
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        magnitudes = np.abs(finite)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # Rounding keeps the order of magnitudes, so the longest text (most integer digits,
        # or the widest exponent) comes from an extreme value of one sign.
        widths = [len(self._text(v)) for v in _signed_extremes(finite)]
        self.max_width = max(self.max_width, *widths)

    def _text(self, value):
        """``value`` written in this formatter's mode, unpadded (width: with the point)."""
        if self.sci_mode:
            return f'{value:.{PRINT_OPTS.precision}e}'
        if self.int_mode:
            return f'{value:.0f}.'
        return f'{value:.{PRINT_OPTS.precision}f}'

    def width(self):
        return self.max_width

    def format(self, value):
        """One element (a Python float, int or bool), padded to the common width."""
        if not self.floating:
            text = str(value)
        elif self.int_mode and not self.sci_mode and not math.isfinite(value):
            text = f'{value:.0f}'  # 'nan', 'inf': no trailing point
        else:
            text = self._text(value)
        return text.rjust(self.max_width)


def _signed_extremes(values):
    """The smallest and largest magnitude among the positive and among the negative values."""
    extremes = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            extremes += [float(part.min()), float(part.max())]
    return extremes


def _summarized(data):
    """The part of ``data`` that summarization shows: ``edgeitems`` items at each end of
    every dimension longer than twice that."""
    edge = PRINT_OPTS.edgeitems
    if not edge:
        # Nothing is shown but '...', except for a 0-d tensor.
        return data if data.ndim <= 1 else data[(slice(0, 0),) * data.ndim]
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            keep = np.r_[0:edge, size - edge:size]
            data = np.take(data, keep, axis=axis)
    return data


def _to_python(data, floating):
    """A NumPy array (or a part of one) as Python numbers, floats widened to float64."""
    if floating:
        data = data.astype(np.float64)
    return data.tolist()


def _vector_str(row, indent, summarize, formatter, floating):
    """A 1-d row: elements separated by ', ', wrapped to fit in ``linewidth``."""
    edge = PRINT_OPTS.edgeitems
    element_length = formatter.width() + 2  # the element and its ', '
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def texts(part):
        return [formatter.format(v) for v in _to_python(part, floating)]

    if summarize and not edge:
        items = ['...']
    elif summarize and len(row) > 2 * edge:
        items = texts(row[:edge]) + [' ...'] + texts(row[-edge:])
    else:
        items = texts(row)
    lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'


def _nested_str(data, indent, summarize, formatter, floating):
    """``data`` as nested brackets; sub-tensors of rank k are separated by k blank lines
    less one, and indented one column per level of nesting."""
    if data.ndim == 0:
        return formatter.format(_to_python(data, floating))
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, formatter, floating)

    def rendered(indices):
        return [_nested_str(data[i], indent + 1, summarize, formatter, floating)
                for i in indices]

    edge, size = PRINT_OPTS.edgeitems, len(data)
    if summarize and size > 2 * edge:
        parts = rendered(range(edge)) + ['...'] + rendered(range(size - edge, size))
    else:
        parts = rendered(range(size))
    separator = ',' + '\n' * (data.ndim - 1) + ' ' * (indent + 1)
    return '[' + separator.join(parts) + ']'


def _values_str(data, floating, indent):
    """The bracketed values of a non-empty host array."""
    summarize = data.size > PRINT_OPTS.threshold
    shown = _summarized(data) if summarize else data
    if floating:
        shown = shown.astype(np.float64)
    formatter = _Formatter(shown, floating)
    return _nested_str(data, indent, summarize, formatter, floating)


def _add_suffixes(text, suffixes, indent):
    """Append ', suffix' for each suffix, starting a new line when it would not fit."""
    pieces = [text]
    # PyTorch's count (two more than the last line's length, or one more after a newline).
    last_line_len = len(text) - text.rfind('\n') + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            pieces.append(',\n' + ' ' * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(', ' + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(')')
    return ''.join(pieces)


def _grad_suffix(t):
    """'grad_fn=<MulBackward0>' for a result of a differentiable op, 'requires_grad=True'
    for a leaf that requires grad, else None."""
    if t.grad_fn is not None:
        return f"grad_fn=<{t.grad_fn.name().rsplit('::', 1)[-1]}>"
    if t.requires_grad:
        return 'requires_grad=True'
    return None


def tensor_repr(t):
    """The text of ``repr(t)`` (and ``str(t)``): ``tensor(...)`` with its suffixes.

    The dtype is shown unless it is the default floating point dtype, ``int64`` or
    ``bool`` (which the values themselves reveal); an empty tensor shows any dtype but
    the default one, and its size when it is not 1-d.

    Example::

        >>> torch.tensor([1, 2], dtype=torch.int32)
        tensor([1, 2], dtype=torch.int32)
        >>> torch.tensor([[1.5, 2.0]], requires_grad=True) * 2
        tensor([[3., 4.]], grad_fn=<MulBackward0>)
        >>> torch.zeros(0, 3)
        tensor([], size=(0, 3))
    """
    prefix = 'tensor('
    indent = len(prefix)
    shape = tuple(int(n) for n in t.shape)
    size_suffix = f'size={shape}'
    dtype_suffix = f'dtype={t.dtype}'
    default_dtype = dtypes.get_default_dtype()
    suffixes = []

    if t.device.type != 'cpu':
        suffixes.append(f"device='{t.device}'")
    if t.device.type == 'meta':
        # A meta tensor has a shape but no values.
        body = '...'
        suffixes.append(size_suffix)
        if t.dtype != default_dtype:
            suffixes.append(dtype_suffix)
    elif math.prod(shape) == 0:
        body = '[]'
        if len(shape) != 1:
            suffixes.append(size_suffix)
        # No values to tell an int64 or bool tensor apart from a float one.
        if t.dtype != default_dtype:
            suffixes.append(dtype_suffix)
    else:
        body = _values_str(np.asarray(t._host()), t.dtype.is_floating_point, indent)
        if not PRINT_OPTS.edgeitems:
            suffixes.append(size_suffix)
        if t.dtype not in (default_dtype, dtypes.int64, dtypes.bool):
            suffixes.append(dtype_suffix)

    grad = _grad_suffix(t)
    if grad is not None:
        suffixes.append(grad)
    return _add_suffixes(prefix + body, suffixes, indent)
