"""The op registry: every ``OpInfo`` of the ``registry_<family>.py`` files, in one list
(``OPS``) that test_ops.py runs. The framework (``OpInfo``, ``Sample``, ``Maker``, sample
generators) is in ``opinfo.py``; add an op to its family's file.
"""
import importlib

from opinfo import (ALL, BOOL, DEFAULT_GRAD_TOL, DEFAULT_TOL, FLOATS, INTS, NUMERIC,  # noqa: F401
                    Maker, OpInfo, _ModuleAttr, np_dtype, takes_kwargs)

FAMILIES = ('elementwise', 'activation', 'linalg', 'reduce', 'shape', 'index', 'convert',
            'compare', 'loss', 'conv', 'norm', 'attention', 'rnn')
OPS = []
for _family in FAMILIES:
    OPS += importlib.import_module(f'registry_{_family}').OPS

OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), 'duplicate OpInfo names'
