"""Write ``docs/compat.md``: which PyTorch APIs flambeau provides.

The page is generated so that it cannot drift from the code: the namespaces part compares the
public names of each PyTorch namespace (``torch``, ``torch.Tensor``, ``torch.nn``,
``torch.nn.functional``, ``torch.optim``...) with what flambeau has under the same name; the
op part lists every entry of the test registry (``tests/op_registry.py``), i.e. what is
checked against PyTorch op by op, with its forms, dtypes and gradient checks. The known
differences are kept in this file (``DIFFERENCES``) and copied into the page.

    python docs/gen_compat.py            # rewrite docs/compat.md
    python docs/gen_compat.py --check    # exit 1 if docs/compat.md is stale

It needs PyTorch (the version the tests pin, ``REFERENCE``) to list PyTorch's names;
``tests/test_compat_doc.py`` fails when the page differs from what this script writes.
"""
import argparse
import importlib
import os
import sys
import types
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, 'compat.md')
REFERENCE = '2.13'   # the PyTorch release the tests pin; names are compared against it

# (flambeau module, PyTorch module); the flambeau module may be missing (then: not provided)
NAMESPACES = [
    ('flambeau', 'torch'),
    ('flambeau.Tensor', 'torch.Tensor'),
    ('flambeau.nn', 'torch.nn'),
    ('flambeau.nn.functional', 'torch.nn.functional'),
    ('flambeau.nn.init', 'torch.nn.init'),
    ('flambeau.nn.utils', 'torch.nn.utils'),
    ('flambeau.nn.utils.rnn', 'torch.nn.utils.rnn'),
    ('flambeau.nn.utils.parametrize', 'torch.nn.utils.parametrize'),
    ('flambeau.nn.utils.parametrizations', 'torch.nn.utils.parametrizations'),
    ('flambeau.autograd', 'torch.autograd'),
    ('flambeau.autograd.functional', 'torch.autograd.functional'),
    ('flambeau.linalg', 'torch.linalg'),
    ('flambeau.optim', 'torch.optim'),
    ('flambeau.optim.lr_scheduler', 'torch.optim.lr_scheduler'),
    ('flambeau.optim.swa_utils', 'torch.optim.swa_utils'),
    ('flambeau.utils.data', 'torch.utils.data'),
    ('flambeau.cuda', 'torch.cuda'),
    ('flambeau.distributed', 'torch.distributed'),
    ('flambeau.nn.parallel', 'torch.nn.parallel'),
]
# PyTorch namespaces a beginner may reach for; listed as absent when flambeau has no such module
OTHER_SUBMODULES = ['amp', 'distributions', 'fft', 'func', 'hub', 'jit', 'compile', 'export',
                    'masked', 'nested', 'onnx', 'profiler', 'quantization', 'sparse', 'special',
                    'testing']
# flambeau's counterparts of packages around PyTorch (not compared name by name)
COMPANIONS = [
    ('flambeau.vision.datasets', 'torchvision.datasets'),
    ('flambeau.vision.transforms', 'torchvision.transforms'),
    ('flambeau.vision.utils', 'torchvision.utils'),
    ('flambeau.viz', 'torchviz'),
]

DIFFERENCES = """\
## Known differences

* **Random numbers.** `manual_seed` makes runs reproducible, but flambeau's random streams are
  not PyTorch's: `torch.manual_seed(0); torch.randn(3)` gives other numbers. Code that depends
  on the exact values of random tensors (initial weights, dropout masks, shuffling) gets other,
  equally distributed ones. Everything deterministic matches.
* **dtypes.** bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64.
  No complex dtypes (`complex64`, `view_as_real`, `torch.fft`), no `uint16`/`uint32`/`uint64`,
  no float8 types, no quantized tensors.
* **Devices.** `cpu` (NumPy) and `cuda` (CuPy, with `pip install 'flambeau[cuda]'`). No `mps`,
  `xpu` or other accelerators. bfloat16 tensors stay on the CPU (CuPy has no bfloat16).
* **Not there:** sparse and nested tensors, `torch.compile`/`torch.jit`/`torch.export`,
  `torch.func` (functorch transforms; `torch.autograd.functional` is there), `torch.amp`
  autocast, `torch.distributions`, `torch.special`, `torch.fft`, named tensors, typed storages
  (`tensor.untyped_storage()`), `torch.hub`, ONNX export. The namespace tables below list every
  name one by one.
* **Speed.** Per-op overhead on small tensors is lower than PyTorch eager; large convolutions
  and matrix products are as fast as NumPy's BLAS allows, which on the CPU is usually a little
  behind PyTorch's kernels (see `bench/RESULTS.md`).
* **Errors.** Same exception types and the key part of PyTorch's messages (the test registry's
  error cases check both); C++-level details of some messages (stack traces, dispatch keys)
  are not reproduced.
* **Files.** `flambeau.save` writes PyTorch's checkpoint format and `flambeau.load` reads files
  written by `torch.save`; `load` defaults to `weights_only=True` and never runs code from a file
  unless told `weights_only=False`.
"""


def _public(obj, with_dir=False):
    """The public names of a module or class, as PyTorch declares them (``__all__`` when the
    module has one, plus the other public names of ``dir()`` with ``with_dir``), without
    submodules and names re-exported from ``typing``."""
    names = {n for n in dir(obj) if not n.startswith('_')}
    if isinstance(obj, types.ModuleType) and hasattr(obj, '__all__'):
        names = set(obj.__all__) | names if with_dir else set(obj.__all__)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # deprecated aliases warn when touched
        for n in names:
            try:
                v = getattr(obj, n)
            except Exception:    # noqa: BLE001  (lazy attributes that fail to load: absent)
                continue
            if isinstance(v, types.ModuleType) or getattr(v, '__module__', None) in (
                    'typing', 'typing_extensions', 'collections.abc'):
                continue
            out.append(n)
    return sorted(out)


def _resolve(path):
    """``flambeau.Tensor`` -> the class; ``flambeau.nn`` -> the module; None if absent."""
    try:
        return importlib.import_module(path)
    except ImportError:
        mod, _, attr = path.rpartition('.')
        try:
            return getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError):
            return None


def _names(names):
    return ', '.join(f'`{n}`' for n in names) if names else '—'


def _namespace_section():
    lines = ['## Namespaces', '',
             'For each PyTorch namespace: how many of its public names flambeau has under the '
             'same name (a name being there means it is implemented, not a stub), then the '
             'names themselves.', '',
             '| PyTorch | flambeau | provided |', '|---|---|---:|']
    details = []
    for fl_path, th_path in NAMESPACES:
        # torch.__all__ leaves out public functions (unique, set_grad_enabled...): add dir()'s
        theirs = _public(_resolve(th_path), with_dir=th_path == 'torch')
        ours = _resolve(fl_path)
        have = [n for n in theirs if ours is not None and hasattr(ours, n)]
        missing = [n for n in theirs if n not in have]
        shown = f'`{fl_path}`' if ours is not None else 'not provided'
        lines.append(f'| `{th_path}` | {shown} | {len(have)} / {len(theirs)} |')
        details += [f'### `{th_path}`', '']
        if ours is None:
            details += [f'No `{fl_path}` yet.', '']
            continue
        details += [f'<details><summary>provided ({len(have)})</summary>', '',
                    _names(have), '', '</details>', '',
                    f'<details><summary>not provided ({len(missing)})</summary>', '',
                    _names(missing), '', '</details>', '']
    fl = importlib.import_module('flambeau')
    absent = [m for m in OTHER_SUBMODULES if not hasattr(fl, m)]
    lines += ['', f'Other PyTorch namespaces with no flambeau counterpart: {_names(absent)}.', '']
    lines += ['Around PyTorch:', '', '| package | flambeau | names |', '|---|---|---|']
    for fl_path, other in COMPANIONS:
        mod = _resolve(fl_path)
        names = _public(mod) if mod is not None else []
        lines.append(f'| `{other}` | `{fl_path}` | {_names(names)} |')
    return lines + [''] + details


_DTYPE_SETS = [('all', 'ALL'), ('numeric', 'NUMERIC'), ('floats', 'FLOATS'), ('ints', 'INTS'),
               ('bool', 'BOOL')]


def _dtypes(op, registry):
    got = set(op.dtypes)
    for label, attr in _DTYPE_SETS:
        if got == set(getattr(registry, attr)):
            return label
    floats = set(registry.FLOATS)
    if got < floats:
        return ', '.join(d for d in registry.FLOATS if d in got)
    if got > floats:
        extra = [d for d in registry.ALL if d in got and d not in floats]
        return 'floats, ' + ', '.join(extra)
    return ', '.join(d for d in registry.ALL if d in got)


def _registry_section():
    sys.path.insert(0, os.path.join(ROOT, 'tests'))
    try:
        registry = importlib.import_module('op_registry')
    finally:
        sys.path.pop(0)
    lines = ['## Ops checked against PyTorch', '',
             f'The {len(registry.OPS)} entries of the op registry (`tests/registry_<family>.py`). '
             '`tests/test_ops.py` runs each against PyTorch: values, shapes and dtypes of every '
             'form over every dtype listed, the dtypes left out raise as in PyTorch, gradients '
             'against PyTorch\'s, float64 `gradcheck` (and `gradgradcheck` where marked), '
             'in-place and `out=` forms, error cases. An entry is named after the function it '
             'tests (`F.` is `torch.nn.functional`, `linalg.` is `torch.linalg`); a suffix in '
             'parentheses or after `_` marks a variant (an argument, an operator form).', '',
             'Forms: `fn` `torch.name(...)`, `method` `x.name(...)`, `_` the in-place method, '
             '`out=`, others are operators or aliases. Gradients: `grad` compared with '
             'PyTorch, `gc` float64 gradcheck, `gg` gradgradcheck.', '']
    for family in registry.FAMILIES:
        ops = importlib.import_module(f'registry_{family}').OPS
        lines += [f'### {family} ({len(ops)})', '', '| entry | forms | dtypes | gradients |',
                  '|---|---|---|---|']
        for op in ops:
            forms = list(op.forms)
            forms += ['_' if k == 'method' else k for k in op.inplace_forms]
            if op.out:
                forms.append('out=')
            grads = [g for g, on in (('grad', op.grad), ('gc', op.gradcheck),
                                     ('gg', op.gradgrad)) if on]
            lines.append(f'| `{op.name}` | {" ".join(forms)} | {_dtypes(op, registry)} | '
                         f'{" ".join(grads) or "—"} |')
        lines.append('')
    return lines


def generate():
    """The text of ``docs/compat.md``."""
    import torch
    if not torch.__version__.startswith(REFERENCE + '.'):
        raise RuntimeError(f'docs/compat.md compares with PyTorch {REFERENCE}; this is '
                           f'{torch.__version__}')
    sys.path.insert(0, ROOT)
    try:
        lines = ['# flambeau and PyTorch: what is there', '',
                 '<!-- Generated by docs/gen_compat.py from flambeau\'s namespaces and the op '
                 'registry; do not edit by hand: run `python docs/gen_compat.py`. -->', '',
                 f'Compared with PyTorch {torch.__version__.split("+")[0]}. '
                 'Write `import flambeau as torch`; what is listed as provided behaves as in '
                 'PyTorch (values, dtypes, gradients, printing, errors), except for the '
                 'differences below.', '']
        lines += DIFFERENCES.splitlines() + ['']
        lines += _namespace_section()
        lines += _registry_section()
    finally:
        sys.path.remove(ROOT)
    return '\n'.join(lines).rstrip('\n') + '\n'


def main():
    parser = argparse.ArgumentParser(description='Write docs/compat.md.')
    parser.add_argument('--check', action='store_true', help='exit 1 if compat.md is stale')
    args = parser.parse_args()
    text = generate()
    if args.check:
        with open(OUT, encoding='utf-8') as f:
            stale = f.read() != text
        if stale:
            print('docs/compat.md is stale: run python docs/gen_compat.py', file=sys.stderr)
        sys.exit(1 if stale else 0)
    with open(OUT, 'w', encoding='utf-8') as f:
        f.write(text)
    print(f'wrote {OUT}')


if __name__ == '__main__':
    main()
