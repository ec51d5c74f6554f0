"""Memory: a backward pass frees what the graph saved, so a training loop does not grow.

A two-layer model written with raw tensors (two weight matrices, tanh, a mean squared error)
is trained by hand for 10 000 iterations (updates under ``no_grad``, gradients zeroed in
place). The live objects of each type (``gc.get_objects``) and the memory traced by
``tracemalloc`` are measured after 1 000 and after 10 000 iterations: they must not grow.
"""
import gc
import tracemalloc
from collections import Counter

import flambeau


def _model():
    g = flambeau.Generator().manual_seed(0)
    x = flambeau.randn(32, 4, generator=g)
    y = (x[:, :1] * 2 - x[:, 1:2]).tanh()
    w1 = (flambeau.randn(4, 16, generator=g) * 0.5).requires_grad_()
    w2 = (flambeau.randn(16, 1, generator=g) * 0.5).requires_grad_()
    return x, y, w1, w2


def _step(x, y, w1, w2, lr=0.05):
    h = (x @ w1).tanh()
    loss = ((h @ w2 - y) ** 2).mean()
    loss.backward()
    with flambeau.no_grad():
        w1 -= lr * w1.grad
        w2 -= lr * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
    return loss


def _live_counts():
    """Live gc-tracked objects by type: flambeau's own (tensors, nodes...) by name, the rest
    (containers of any library, this test's own bookkeeping) in one total."""
    gc.collect()
    counts = Counter()
    for o in gc.get_objects():
        cls = type(o)
        mod = cls.__dict__.get('__module__')  # (a descriptor on some builtin types)
        counts[cls.__name__ if isinstance(mod, str) and mod.startswith('flambeau')
               else 'other'] += 1
    return counts


def test_training_loop_does_not_grow():
    x, y, w1, w2 = _model()
    for _ in range(1000):
        first = _step(x, y, w1, w2).item()
    counts_1k = _live_counts()
    tracemalloc.start()  # from here on: what is allocated and still alive at the end
    try:
        for _ in range(9000):
            last = _step(x, y, w1, w2).item()
        counts_10k = _live_counts()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert last < first  # it trained
    other = counts_10k.pop('other') - counts_1k.pop('other')
    assert counts_10k == counts_1k, f'flambeau objects alive: {counts_1k} -> {counts_10k}'
    assert other < 100, f'{other} more live objects after 9000 more iterations'
    assert kept < 32 * 1024, f'{kept} bytes allocated by 9000 iterations still alive'


def test_backward_frees_saved_tensors_and_graph():
    x, y, w1, w2 = _model()
    h = (x @ w1).tanh()
    loss = ((h @ w2 - y) ** 2).mean()
    node = loss.grad_fn
    loss.backward()
    # every node below the loss has dropped what it saved
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if n is None or n in seen:
            continue
        seen.add(n)
        assert getattr(n, '_saved', None) in (None, ()), n.name()
        assert getattr(n, '_out', None) is None, n.name()
        stack.extend(f for f, _ in n.next_functions)
    assert len(seen) > 5


def test_graph_is_freed_without_gc():
    """The graph holds no reference cycles: dropping the loss frees it at once."""
    import weakref
    x, y, w1, w2 = _model()
    gc.disable()
    try:
        h = (x @ w1).tanh()
        loss = ((h @ w2 - y) ** 2).mean()
        ref = weakref.ref(loss.grad_fn)
        loss.backward()
        del h, loss
        assert ref() is None
        h = (x @ w1).tanh()
        loss = ((h @ w2 - y) ** 2).mean()
        ref = weakref.ref(loss.grad_fn)
        del h, loss  # never backpropagated: still no cycle
        assert ref() is None
    finally:
        gc.enable()
