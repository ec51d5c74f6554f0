"""``default_collate`` (samples -> batch) and ``default_convert`` (NumPy -> tensors), and the
extensible ``collate(batch, collate_fn_map=...)`` they are built on.

Element type -> batch type, as PyTorch's:

* Tensor -> Tensor stacked along a new first dimension
* NumPy array -> Tensor (stacked); NumPy scalar -> Tensor
* float -> float64 Tensor; int -> int64 Tensor (bool -> bool Tensor)
* str, bytes -> unchanged (the list of them)
* Mapping -> same mapping type, each value collated
* namedtuple -> same namedtuple type, each field collated
* tuple -> list of collated fields; other Sequence -> same sequence type when it can be
  rebuilt, else a list
"""
import collections.abc
import copy
import re

import numpy as np

from ....dtypes import float64
from ....ops.creation import as_tensor, tensor
from ....ops.shape import stack
from ....tensor import Tensor

__all__ = ['collate', 'default_collate', 'default_convert', 'default_collate_fn_map',
           'collate_tensor_fn', 'collate_numpy_array_fn', 'collate_numpy_scalar_fn',
           'collate_float_fn', 'collate_int_fn', 'collate_str_fn']

np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = ('default_collate: batch must contain tensors, numpy arrays, '
                                  'numbers, dicts or lists; found {}')


def default_convert(data):
    """Convert NumPy arrays and scalars in ``data`` to tensors, recursing into mappings,
    namedtuples, tuples (which become lists) and sequences; everything else is returned as is.
    The ``collate_fn`` of a ``DataLoader`` without batching (``batch_size=None``).

    Example::

        >>> default_convert(np.array([0, 1]))
        tensor([0, 1])
        >>> default_convert((np.float64(1.5), 'a'))
        [tensor(1.5000, dtype=torch.float64), 'a']
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_'):
        if elem_type is np.ndarray and np_str_obj_array_pattern.search(data.dtype.str):
            return data  # arrays of strings or objects stay arrays
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)  # keeps the mapping's own attributes
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:  # a mapping that can't be copied or built from a dict
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, '_fields'):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:  # e.g. range
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map=None):
    """Collate a list of samples into a batch, dispatching on the type of ``batch[0]``:
    ``collate_fn_map`` maps a type (or tuple of types) to a function
    ``fn(batch, *, collate_fn_map)``; an exact type match wins, then the first ``isinstance``
    match; mappings, namedtuples and sequences are collated field by field.

    Example::

        >>> def collate_str(batch, *, collate_fn_map=None):
        ...     return ''.join(batch)
        >>> collate([('a', 1), ('b', 2)], collate_fn_map={str: collate_str, int: collate_int_fn})
        ['ab', tensor([1, 2])]
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(elem_type)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                              for key in elem})
                return clone
            return elem_type({key: collate([d[key] for d in batch],
                                           collate_fn_map=collate_fn_map) for key in elem})
        except TypeError:
            return {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                    for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if any(len(e) != elem_size for e in batch):
            raise RuntimeError('each element in list of batch should be of equal size')
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = collate(samples, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(samples, collate_fn_map=collate_fn_map)
                              for samples in transposed])
        except TypeError:
            return [collate(samples, collate_fn_map=collate_fn_map) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Stack a list of tensors along a new first dimension."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """Stack a list of NumPy arrays into a tensor (arrays of strings/objects are an error)."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """A list of NumPy scalars -> a 1-d tensor of their dtype."""
    return as_tensor(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    """A list of Python floats -> a float64 tensor."""
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """A list of Python ints (or bools) -> an int64 (or bool) tensor."""
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """A list of strings (or bytes) stays a list."""
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Put a list of samples together into a batch with a new first dimension of size
    ``len(batch)``; the ``collate_fn`` of a batching ``DataLoader``. See the module docstring
    for the type mapping.

    Example::

        >>> default_collate([0, 1, 2, 3])
        tensor([0, 1, 2, 3])
        >>> default_collate(['a', 'b', 'c'])
        ['a', 'b', 'c']
        >>> default_collate([{'A': 0, 'B': 1}, {'A': 100, 'B': 100}])
        {'A': tensor([  0, 100]), 'B': tensor([  1, 100])}
        >>> default_collate([(0, 1), (2, 3)])
        [tensor([0, 2]), tensor([1, 3])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
