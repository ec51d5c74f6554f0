"""bench.ab, the alternating comparison of flambeau with itself at another revision."""
import os
import shutil
import subprocess

import pytest

from bench import ab


def test_alternate_times_every_call_and_flips_the_order():
    seen = []
    fns = {'base': lambda: seen.append('b'), 'new': lambda: seen.append('n')}
    res = ab.alternate(fns, rounds=3, calls=2, pause=0)
    assert seen == list('bbnn' 'nnbb' 'bbnn')
    assert {k: len(v) for k, v in res.items()} == {'base': 6, 'new': 6}
    assert all(v == sorted(v) for v in res.values())


def _in_git_checkout():
    root = os.path.dirname(os.path.dirname(os.path.abspath(ab.__file__)))
    return shutil.which('git') is not None and subprocess.run(
        ['git', '-C', root, 'rev-parse', 'HEAD'], capture_output=True).returncode == 0


@pytest.mark.skipif(not _in_git_checkout(), reason='needs git and a checkout of the repository')
def test_a_revision_imports_beside_the_working_tree():
    base = ab.import_revision('HEAD', name='flbase_test')
    assert base.__name__ == 'flbase_test'
    assert base.tensor([1.0, 2.0]).sum().item() == 3.0
