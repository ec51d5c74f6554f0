"""``docs/compat.md`` is generated (``docs/gen_compat.py``) from flambeau's namespaces, PyTorch's
and the op registry: this test fails when the page is stale, i.e. when an op, a module or a
registry entry was added or removed without regenerating it (``python docs/gen_compat.py``)."""
import difflib
import importlib.util
import os

import pytest

torch = pytest.importorskip('torch')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, 'docs', 'gen_compat.py')


def _generator():
    spec = importlib.util.spec_from_file_location('gen_compat', SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_compat_doc_is_up_to_date():
    gen = _generator()
    if not torch.__version__.startswith(gen.REFERENCE + '.'):
        pytest.skip(f'docs/compat.md is generated against PyTorch {gen.REFERENCE}, '
                    f'this is {torch.__version__}')
    expected = gen.generate()
    with open(gen.OUT, encoding='utf-8') as f:
        actual = f.read()
    if actual != expected:
        diff = ''.join(list(difflib.unified_diff(
            actual.splitlines(True), expected.splitlines(True), 'docs/compat.md (on disk)',
            'docs/compat.md (generated)', n=0))[:60])
        pytest.fail('docs/compat.md is stale: run `python docs/gen_compat.py`\n' + diff)


def test_compat_doc_covers_the_registry_and_the_differences():
    gen = _generator()
    with open(gen.OUT, encoding='utf-8') as f:
        text = f.read()
    assert '## Known differences' in text and '## Ops checked against PyTorch' in text
    for needle in ('| `torch.nn` | `flambeau.nn` |', '| `torch.optim` | `flambeau.optim` |',
                   '`torchvision.datasets`', '| `exp` | fn method _ out= |'):
        assert needle in text
