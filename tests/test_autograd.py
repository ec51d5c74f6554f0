"""Autograd: backward (scalars, ``gradient=``, accumulation, retain_graph), grad modes, graph
structure, the errors PyTorch raises, hooks and retain_grad, ``autograd.grad`` with higher-order
derivatives, custom ``Function``s, in-place ops on non-leaves and on their views (CopySlices),
long chains, and gradcheck/gradgradcheck. Every case runs the same code in torch and flambeau."""
import copy
import warnings

import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402
from core_helpers import assert_same, check, outcome  # noqa: E402


def leaf(L, values, dtype=None, requires_grad=True):
    return L.tensor(values, dtype=dtype if dtype is None else getattr(L, dtype),
                    requires_grad=requires_grad)


# -- backward ----------------------------------------------------------------------------
def test_backward_of_scalar():
    def run(L):
        x = leaf(L, [1., -2., 3.])
        y = (x * x * 3 + x.exp()).sum()
        r = y.backward()
        return r, x.grad, y.requires_grad, y.is_leaf
    check(run, rtol=1e-5)


def test_backward_of_0d_and_1_element():
    def run(L):
        x = leaf(L, 2.)
        (x ** 3).backward()
        w = leaf(L, [[1.5]])
        (w * 4).backward()  # one element, not 0-d: still implicit
        return x.grad, w.grad
    check(run)


def test_backward_of_non_scalar_with_gradient():
    def run(L):
        x = leaf(L, [[1., 2.], [3., 4.]])
        y = x * x
        y.backward(gradient=L.tensor([[1., 0.5], [-1., 2.]]))
        z = x.sum(0) * 2
        z.backward(L.ones(2))
        return x.grad
    check(run)


def test_backward_errors():
    check(lambda L: (leaf(L, [1., 2.]) * 2).backward())
    check(lambda L: L.ones(2).sum().backward())
    check(lambda L: (leaf(L, [1., 2.]) * 2).backward(L.ones(3)))
    check(lambda L: (leaf(L, [1., 2.]) * 2).backward(L.ones(2, 1)))
    check(lambda L: L.autograd.backward([(leaf(L, [1.]) * 2).sum(), L.ones(1).sum()]))


def test_autograd_backward_function():
    def run(L):
        x = leaf(L, [1., 2.])
        a, b = x * 2, (x * x).sum()
        L.autograd.backward([a, b], [L.ones(2), None])
        return x.grad
    check(run)

    def run_inputs(L):
        x, w = leaf(L, [1., 2.]), leaf(L, [3., 4.])
        (x * w).sum().backward(inputs=[w])
        return x.grad, w.grad
    check(run_inputs)


def test_grad_accumulates_and_keeps_identity():
    def run(L):
        x = leaf(L, [1., 2.])
        (x * 3).sum().backward()
        g = x.grad
        first = g.clone()
        (x * x).sum().backward()
        return first, x.grad, x.grad is g, g._version > 0 if L is torch else True
    f, t = check(run)
    assert f[2] is t[2] is True


def test_grad_after_zeroing_and_none():
    def run(L):
        x = leaf(L, [1., 2.])
        (x * 3).sum().backward()
        x.grad.zero_()
        (x * 2).sum().backward()
        a = x.grad.clone()
        x.grad = None
        (x * 5).sum().backward()
        return a, x.grad
    check(run)


def test_grad_broadcast_and_dtypes():
    def run(L):
        x = leaf(L, [[1., 2., 3.]], 'float64')
        b = leaf(L, [2.], 'float64')
        y = (x * b + x.float() * 2).sum()  # float32 + float64 mix
        y.backward()
        return x.grad, b.grad, y.dtype
    check(run)


def test_retain_graph():
    def run(L):
        x = leaf(L, [1., 2.])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad
    check(run)

    def twice(L):
        x = leaf(L, [1., 2.])
        y = (x * x).sum()
        y.backward()
        y.backward()
    check(twice)

    def twice_exp(L):
        x = leaf(L, [1., 2.])
        y = x.exp().sum()
        y.backward()
        y.backward()
    check(twice_exp)


def test_backward_twice_through_graph_without_saved_tensors():
    def run(L):  # nothing saved: a second backward works, in torch too
        x = leaf(L, [1., 2.])
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    check(run)


def test_backward_diamond_and_reuse():
    def run(L):
        x = leaf(L, [0.5, -1.5])
        a = x.sin()
        b = a * x
        c = a + b * a
        d = (c * b).sum() + (a ** 2).sum()
        d.backward()
        return x.grad
    check(run, rtol=1e-5)


def test_backward_into_several_leaves_and_non_requiring():
    def run(L):
        x, w = leaf(L, [1., 2.]), leaf(L, [3., 4.])
        c = L.tensor([5., 6.])
        ((x * w + c) * c).sum().backward()
        return x.grad, w.grad, c.grad
    check(run)


def test_backward_long_chain_no_recursion_error():
    x = flambeau.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    tx = torch.tensor([1.0], requires_grad=True)
    ty = tx
    for _ in range(1000):
        ty = ty * 1.0 + 0.0
    ty.sum().backward()
    y = x
    for _ in range(1000):
        y = y * 1.0 + 0.0
    x.grad = None
    y.sum().backward()
    assert_same(x.grad, tx.grad)


def test_long_chain_with_create_graph():
    x = flambeau.tensor(1.5, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + x * 0.0
    g, = flambeau.autograd.grad(y, x, create_graph=True)
    assert g.item() == pytest.approx(1.0)


# -- grad modes --------------------------------------------------------------------------
def test_no_grad_context():
    def run(L):
        x = leaf(L, [1., 2.])
        with L.no_grad():
            y = x * 2
            inner = L.is_grad_enabled()
        return y.requires_grad, y.grad_fn, inner, L.is_grad_enabled()
    check(run)


def test_grad_mode_decorators():
    def run(L):
        x = leaf(L, [1., 2.])

        @L.no_grad()
        def f(t):
            return t * 2

        @L.no_grad
        def f_bare(t):
            return t * 2

        @L.enable_grad()
        def g(t):
            return t * 2

        @L.set_grad_enabled(False)
        def h(t):
            return t * 2

        @L.inference_mode()
        def i(t):
            return t * 2, L.is_grad_enabled()

        with L.no_grad():
            gy = g(x)
        return (f(x).requires_grad, f_bare(x).requires_grad, gy.requires_grad,
                h(x).requires_grad, L.is_grad_enabled(), i(x)[0].requires_grad, i(x)[1],
                f.__name__, f_bare.__name__)
    check(run)


def test_set_grad_enabled_as_function_and_context():
    def run(L):
        x = leaf(L, [1.])
        seen = []
        L.set_grad_enabled(False)
        seen.append((L.is_grad_enabled(), (x * 2).requires_grad))
        L.set_grad_enabled(True)
        seen.append((L.is_grad_enabled(), (x * 2).requires_grad))
        with L.set_grad_enabled(False):
            seen.append(L.is_grad_enabled())
            with L.set_grad_enabled(True):
                seen.append((x * 2).requires_grad)
            seen.append(L.is_grad_enabled())
        seen.append(L.is_grad_enabled())
        with L.no_grad():
            with L.enable_grad():
                seen.append((x * 2).requires_grad)
            seen.append((x * 2).requires_grad)
        return seen
    check(run)


def test_grad_mode_restored_after_exception():
    def run(L):
        for ctx in (L.no_grad, L.enable_grad, lambda: L.set_grad_enabled(False),
                    L.inference_mode):
            try:
                with ctx():
                    raise ValueError
            except ValueError:
                pass
        return L.is_grad_enabled()
    check(run)

    def deco(L):
        @L.no_grad()
        def f():
            raise KeyError

        try:
            f()
        except KeyError:
            pass
        return L.is_grad_enabled()
    check(deco)


def test_inference_mode():
    def run(L):
        x = leaf(L, [1., 2.])
        with L.inference_mode():
            y = x * 2
            a = (L.is_grad_enabled(), L.is_inference_mode_enabled())
        with L.inference_mode(False):
            z = x * 2
            b = (L.is_grad_enabled(), L.is_inference_mode_enabled())
        return y.requires_grad, z.requires_grad, a, b, L.is_inference_mode_enabled()
    check(run)


def test_no_grad_inplace_on_leaf_allowed():
    def run(L):
        w = leaf(L, [1., 2.])
        (w * w).sum().backward()
        with L.no_grad():
            w -= 0.1 * w.grad
            w.add_(1)
            w[0] = 5
        return w, w.requires_grad, w.is_leaf, w._version
    check(run)


# -- graph structure --------------------------------------------------------------------------
def structure(fn, seen=None):
    """The graph below ``fn`` as nested (name, children) tuples; leaves as AccumulateGrad."""
    if fn is None:
        return None
    name = fn.name() if hasattr(fn, 'name') else type(fn).__name__
    name = name.rsplit('::', 1)[-1]
    if name == 'AccumulateGrad':
        return (name, tuple(fn.variable.shape))
    return (name, tuple((structure(n), nr) for n, nr in fn.next_functions))


GRAPHS = {
    'arith': lambda L, x, w: (x * w + x.exp() - w / x).sum(),
    'mean_pow': lambda L, x, w: ((x - w) ** 2).mean(),
    'matmul': lambda L, x, w: (x.view(2, 2) @ w.view(2, 2)).relu().sum(),
    'shape': lambda L, x, w: (x.reshape(2, 2).t() * w.unsqueeze(0).view(2, 2)).sum(1).max(),
    'index': lambda L, x, w: (x[1:] * w[:3]).sum() + x[0],
    'neg_sig': lambda L, x, w: (-x).sigmoid().sum() + w.tanh().sum(),
    'cat': lambda L, x, w: L.cat([x, w]).sum(),
    # (left out: stack, which flambeau builds from unsqueeze and cat)
    'clone_to': lambda L, x, w: x.clone().double().sum() + w.sum(),
    'inplace': lambda L, x, w: (x * 2).add_(w).exp_().sum(),
    'scalar_ops': lambda L, x, w: (x * 2 + 3 - w / 4).sum(),
}


@pytest.mark.parametrize('graph', list(GRAPHS))
def test_next_functions_structure(graph):
    def run(L):
        x = leaf(L, [1., 2., 3., 4.])
        w = leaf(L, [0.5, -1., 2., 1.5])
        out = GRAPHS[graph](L, x, w)
        return structure(out.grad_fn)
    fs, ts = run(flambeau), run(torch)
    assert fs == ts


def test_accumulate_grad_node():
    def run(L):
        x = leaf(L, [1., 2.])
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        return acc.name(), acc.variable is x, y.grad_fn.next_functions[0][1], acc.next_functions
    check(run)


def test_grad_fn_of_leaf_and_no_grad():
    check(lambda L: (leaf(L, [1.]).grad_fn, L.ones(1).grad_fn, leaf(L, [1.]).is_leaf))
    check(lambda L: ((L.ones(2) * 2).is_leaf, (L.ones(2) * 2).requires_grad))
    check(lambda L: ((leaf(L, [1.]) * 2).is_leaf, (leaf(L, [1.]) * 2).requires_grad))


# -- errors ----------------------------------------------------------------------------------
ERRORS = {
    'inplace_leaf': lambda L: leaf(L, [1., 2.]).add_(1),
    'inplace_leaf_setitem': lambda L: leaf(L, [1., 2.]).__setitem__(0, 1.),
    'inplace_leaf_fill': lambda L: leaf(L, [1., 2.]).fill_(1.),
    'inplace_leaf_zero': lambda L: leaf(L, [1., 2.]).zero_(),
    'inplace_leaf_iadd': lambda L: leaf(L, [1., 2.]).__iadd__(1),
    'inplace_leaf_exp': lambda L: leaf(L, [1., 2.]).exp_(),
    'inplace_leaf_copy': lambda L: leaf(L, [1., 2.]).copy_(L.ones(2)),
    'inplace_view_of_leaf': lambda L: leaf(L, [1., 2.])[1:].mul_(2),
    'inplace_view_of_leaf_t': lambda L: leaf(L, [[1., 2.]]).t().add_(1),
    'inplace_view_of_leaf_setitem': lambda L: leaf(L, [[1., 2.]])[0].__setitem__(0, 3.),
    'backward_no_grad': lambda L: L.ones(2).sum().backward(),
    'backward_no_grad_result': lambda L: (L.ones(2) * 2).sum().backward(),
    'backward_under_no_grad': lambda L: _under_no_grad(L),
    'requires_grad_int': lambda L: L.tensor([1, 2]).requires_grad_(),
    'requires_grad_bool': lambda L: L.tensor([True]).requires_grad_(),
    'requires_grad_attr_int': lambda L: setattr(L.tensor([1, 2]), 'requires_grad', True),
    'requires_grad_false_nonleaf': lambda L: (leaf(L, [1.]) * 2).requires_grad_(False),
    'retain_grad_no_grad': lambda L: L.ones(2).retain_grad(),
    'hook_no_grad': lambda L: L.ones(2).register_hook(lambda g: g),
    'grad_not_requiring': lambda L: L.autograd.grad((leaf(L, [1.]) * 2).sum(), L.ones(1)),
    'grad_unused': lambda L: L.autograd.grad((leaf(L, [1.]) * 2).sum(), leaf(L, [1.])),
    'grad_non_scalar': lambda L: L.autograd.grad(leaf(L, [1., 2.]) * 2, leaf(L, [1.])),
    'grad_assign_shape': lambda L: setattr(leaf(L, [1., 2.]), 'grad', L.ones(3)),
    'grad_assign_dtype': lambda L: setattr(leaf(L, [1., 2.]), 'grad', L.ones(2, dtype=L.float64)),
    'grad_assign_type': lambda L: setattr(leaf(L, [1., 2.]), 'grad', [1., 2.]),
    'numpy_requires_grad': lambda L: leaf(L, [1.]).numpy(),
    'deepcopy_nonleaf': lambda L: copy.deepcopy(leaf(L, [1.]) * 2),
}


def _under_no_grad(L):
    x = leaf(L, [1.])
    with L.no_grad():
        y = x * 2
    y.backward()


@pytest.mark.parametrize('case', list(ERRORS))
def test_autograd_errors(case):
    check(ERRORS[case])


def test_saved_tensor_modified_inplace():
    def run(L):
        x = leaf(L, [1., 2.])
        y = x * 2
        z = y * y  # saves y
        y.add_(1)
        z.sum().backward()
    check(run)

    def output_saved(L):
        x = leaf(L, [1., 2.])
        y = x.exp()  # saves its output
        y.mul_(2)
        y.sum().backward()
    check(output_saved)

    def through_view(L):
        x = leaf(L, [1., 2., 3.])
        y = x * 1
        z = (y * y).sum()
        y[1:].zero_()  # a write through a view bumps y's version too
        z.backward()
    check(through_view)

    def sigmoid_no_grad(L):
        x = leaf(L, [1., 2.])
        y = x.sigmoid()
        with L.no_grad():
            y.mul_(2)
        y.sum().backward()
    check(sigmoid_no_grad)

    def not_saved_is_fine(L):
        x = leaf(L, [1., 2.])
        y = x * 2
        z = y + 1  # add saves nothing
        y.add_(1)
        z.sum().backward()
        return x.grad
    check(not_saved_is_fine)


# -- hooks, retain_grad, the non-leaf .grad warning ----------------------------------------
def test_hooks_on_leaf_and_non_leaf():
    def run(L):
        x = leaf(L, [1., 2., 3.])
        seen = []
        x.register_hook(lambda g: seen.append(('x', g.clone())))
        y = x * 2
        y.register_hook(lambda g: seen.append(('y', g.clone())))
        y.register_hook(lambda g: g * 10)  # replaces the gradient
        y.register_hook(lambda g: seen.append(('y2', g.clone())))
        (y * y).sum().backward()
        return seen, x.grad
    f, t = check(run)


def test_hook_modifies_leaf_grad_and_removal():
    def run(L):
        x = leaf(L, [1., 2.])
        h = x.register_hook(lambda g: g * 2)
        (x * 3).sum().backward()
        a = x.grad.clone()
        h.remove()
        (x * 3).sum().backward()
        return a, x.grad
    check(run)

    def remove_non_leaf(L):
        x = leaf(L, [1., 2.])
        y = x * 1
        h = y.register_hook(lambda g: g + 100)
        h.remove()
        y.sum().backward()
        return x.grad
    check(remove_non_leaf)


def test_retain_grad():
    def run(L):
        x = leaf(L, [1., 2.])
        y = x * 3
        y.retain_grad()
        z = y * y
        z.retain_grad()
        z.sum().backward()
        first = y.grad.clone()
        z.sum().backward  # noqa: B018
        return y.grad, z.grad, first, y.retains_grad, x.retains_grad, z.is_leaf
    check(run)

    def accumulate(L):
        x = leaf(L, [1., 2.])
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        (y * 2).sum().backward()
        return y.grad

    check(accumulate)

    def with_hooks(L):
        x = leaf(L, [1., 2.])
        y = x * 3
        y.retain_grad()
        y.register_hook(lambda g: g * 5)  # retain_grad sees the hooked gradient, as in torch
        y.sum().backward()
        return y.grad, x.grad
    check(with_hooks)

    def on_leaf(L):
        x = leaf(L, [1., 2.])
        x.retain_grad()  # a no-op on leaves
        x.sum().backward()
        return x.grad, x.retains_grad
    check(on_leaf)


def test_non_leaf_grad_warning():
    for lib in (torch, flambeau):
        y = leaf(lib, [1., 2.]) * 2
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter('always')
            assert y.grad is None
        if lib is torch:  # (torch adds where in its C++ sources the warning was raised)
            expected = [str(w.message).split(' (Triggered internally')[0] for w in rec]
        else:
            got = [str(w.message) for w in rec]
            assert [w.category for w in rec] == [UserWarning]
    assert got == expected
    y = leaf(flambeau, [1., 2.]) * 2
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert y.grad is None


def test_node_hooks():
    def run(L):
        x = leaf(L, [1., 2.])
        y = x * 2
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append(('post', len(gi), len(go))))
        y.grad_fn.register_prehook(lambda go: seen.append(('pre', len(go))))
        y.sum().backward()
        return seen, x.grad
    check(run)


# -- autograd.grad ---------------------------------------------------------------------------
def test_autograd_grad_basic():
    def run(L):
        x, w = leaf(L, [1., 2.]), leaf(L, [3., -1.])
        y = (x * w).sum()
        gx, gw = L.autograd.grad(y, (x, w))
        return gx, gw, x.grad, w.grad, gx.requires_grad
    check(run)

    def outputs_list(L):
        x = leaf(L, [1., 2.])
        return L.autograd.grad([x * 2, x * x], [x], [L.ones(2), L.tensor([1., -1.])])
    check(outputs_list)


def test_autograd_grad_allow_unused_and_materialize():
    def run(L):
        x, u = leaf(L, [1., 2.]), leaf(L, [3.])
        y = (x * 2).sum()
        return L.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
    check(run)

    def mat(L):
        x, u = leaf(L, [1., 2.]), leaf(L, [3.])
        return L.autograd.grad((x * 2).sum(), [x, u], materialize_grads=True)
    check(mat)


def _nth(L, fn, x, n):
    out = []
    y = fn(x)
    for _ in range(n):
        y, = L.autograd.grad(y, x, create_graph=True)
        out.append(y)
    return out


HIGHER = {
    'cube': lambda x: x ** 3,
    'sin': lambda x: x.sin(),
    'exp_mul': lambda x: x.exp() * x,
    'tanh': lambda x: x.tanh(),
    'sigmoid': lambda x: x.sigmoid(),
    'div': lambda x: 1 / (x * x + 1),
    'sqrt_log': lambda x: (x * x + 1).sqrt().log(),
    'cos_pow': lambda x: x.cos() ** 2,
}


@pytest.mark.parametrize('fn', list(HIGHER))
def test_higher_order_derivatives(fn):
    def run(L):
        x = L.tensor(0.7, dtype=L.float64, requires_grad=True)
        ds = _nth(L, HIGHER[fn], x, 3)
        return ds, [d.requires_grad for d in ds]
    check(run, rtol=1e-10)


def test_higher_order_vector_and_backward_create_graph():
    def run(L):
        x = L.tensor([0.5, -1.2, 2.], dtype=L.float64, requires_grad=True)
        y = (x ** 3 * x.sin()).sum()
        g, = L.autograd.grad(y, x, create_graph=True)
        h, = L.autograd.grad(g.sum(), x, create_graph=True)
        t, = L.autograd.grad((h * h).sum(), x)
        return g, h, t
    check(run, rtol=1e-10)

    def bwd(L):
        x = L.tensor([0.5, 2.], dtype=L.float64, requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        gfn = g.grad_fn is not None
        x.grad = None
        g.sum().backward()
        return gfn, x.grad
    check(bwd)


def test_grad_of_grad_mixed_terms():
    def run(L):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        w = L.tensor([3., -1.], dtype=L.float64, requires_grad=True)
        y = (x * x * w).sum()
        gx, = L.autograd.grad(y, x, create_graph=True)
        gw, = L.autograd.grad(gx.sum(), w)
        return gx, gw
    check(run)


# -- custom Functions ------------------------------------------------------------------------
def _functions(L):
    class MyExp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class MulConst(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.k = k
            ctx.save_for_backward(x, w)
            ctx.flags = ctx.needs_input_grad
            return x * w * k

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            gx = g * w * ctx.k if ctx.needs_input_grad[0] else None
            gw = g * x * ctx.k if ctx.needs_input_grad[2] else None
            return gx, None, gw

    class SplitTwo(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb * 3

    class AddOneInplace(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class SortLike(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = L.tensor([1, 0])
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(idx)
            return x.flip(0) if hasattr(x, 'flip') else x[idx], idx

        @staticmethod
        def backward(ctx, g, gidx):
            idx, = ctx.saved_tensors
            return g[idx]

    class NoMaterialize(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, ga, gb):
            ctx.seen = (ga is None, gb is None)
            r = x_zero = None
            for g, k in ((ga, 1), (gb, 2)):
                if g is not None:
                    r = g * k if r is None else r + g * k
            return r if r is not None else x_zero

    class WrongGrad(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x  # wrong: should be 2 * x

    class Identity(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Once(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @L.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2 * x

    return dict(MyExp=MyExp, MulConst=MulConst, SplitTwo=SplitTwo, AddOneInplace=AddOneInplace,
                SortLike=SortLike, NoMaterialize=NoMaterialize, WrongGrad=WrongGrad,
                Identity=Identity, Once=Once)


def test_custom_function_basic():
    def run(L):
        F = _functions(L)
        x = leaf(L, [0., 1., 2.])
        y = F['MyExp'].apply(x)
        y.sum().backward()
        return y, x.grad, y.grad_fn.name(), repr(y).split('grad_fn=')[1], y.requires_grad
    check(run, rtol=1e-6)


def test_custom_function_non_tensor_args_and_needs_input_grad():
    def run(L):
        F = _functions(L)
        x, w = leaf(L, [1., 2.]), L.tensor([3., 4.])
        y = F['MulConst'].apply(x, 2.5, w)
        flags = y.grad_fn.flags if hasattr(y.grad_fn, 'flags') else None
        y.sum().backward()
        with L.no_grad():
            z = F['MulConst'].apply(x, 2.5, w)
        return x.grad, w.grad, flags, y.grad_fn.needs_input_grad, z.requires_grad, z.grad_fn
    check(run)


def test_custom_function_multiple_outputs():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        a, b = F['SplitTwo'].apply(x)
        (a * b).sum().backward()
        g1 = x.grad.clone()
        x.grad = None
        a, b = F['SplitTwo'].apply(x)
        b.sum().backward()  # the other output's gradient is materialised as zeros
        return g1, x.grad, a.grad_fn is b.grad_fn, a.output_nr, b.output_nr
    check(run)


def test_custom_function_mark_dirty():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        y = x * 1
        v = y._version
        z = F['AddOneInplace'].apply(y)
        r = (z is y, y._version - v, z.grad_fn.name())
        (z * z).sum().backward()
        return r, x.grad, y
    check(run)

    def on_leaf(L):
        F = _functions(L)
        F['AddOneInplace'].apply(leaf(L, [1., 2.]))
    check(on_leaf)


def test_custom_function_mark_non_differentiable():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        y, idx = F['SortLike'].apply(x)
        (y * L.tensor([1., 10.])).sum().backward()
        return y, idx.requires_grad, idx.grad_fn, x.grad
    check(run)


def test_custom_function_set_materialize_grads():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        a, b = F['NoMaterialize'].apply(x)
        b.sum().backward()
        return x.grad, a.grad_fn.seen
    check(run)


def test_custom_function_returning_input():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        y = F['Identity'].apply(x)
        y.sum().backward()
        return y is x, y.is_leaf, x.grad, y.grad_fn.name()
    check(run)


def test_custom_function_once_differentiable():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        y = F['Once'].apply(x)
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        return g, g.requires_grad
    check(run)


def test_custom_function_saved_tensor_version_check():
    def run(L):
        F = _functions(L)
        x = leaf(L, [1., 2.])
        h = x * 1
        y = F['MulConst'].apply(h, 2.0, L.ones(2))
        h.mul_(3)
        y.sum().backward()
    check(run, match_prefix=True)


def test_custom_function_wrong_gradient_count():
    def run(L):
        class TooMany(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g, g

        TooMany.apply(leaf(L, [1.])).sum().backward()
    check(run)


def test_custom_function_in_a_bigger_graph():
    def run(L):
        F = _functions(L)
        x = leaf(L, [0.5, 1.5])
        y = F['MyExp'].apply(x * 2) * x
        (y.sin()).sum().backward()
        return x.grad
    check(run, rtol=1e-5)


# -- in-place on non-leaves and their views (CopySlices) --------------------------------------
INPLACE_GRAPHS = {
    'setitem_of_product': lambda L, x, w: _setitem_product(L, x, w),
    'clone_column_mul': lambda L, x, w: _clone_column(L, x, w),
    'zeros_setitem': lambda L, x, w: _zeros_setitem(L, x, w),
    'chain_inplace': lambda L, x, w: _chain(L, x, w),
    'view_mul_by_tensor': lambda L, x, w: _view_mul(L, x, w),
    'transpose_view_add': lambda L, x, w: _transpose_add(L, x, w),
    'nested_views': lambda L, x, w: _nested(L, x, w),
    'copy_into_slice': lambda L, x, w: _copy_into(L, x, w),
    'view_then_use_view': lambda L, x, w: _view_then_use(L, x, w),
    'two_writes_same_base': lambda L, x, w: _two_writes(L, x, w),
    'setitem_mask': lambda L, x, w: _setitem_mask(L, x, w),
    'setitem_index_tensor': lambda L, x, w: _setitem_index(L, x, w),
    'fill_view_with_tensor': lambda L, x, w: _fill_view(L, x, w),
    'inplace_on_unsqueeze_view': lambda L, x, w: _unsqueeze_view(L, x, w),
    'detach_then_inplace': lambda L, x, w: _detached(L, x, w),
}


def _setitem_product(L, x, w):
    y = x * 1
    y[0] = w[0] * 2
    return y, (y * y).sum()


def _clone_column(L, x, w):
    y = x.view(2, 3).clone()
    y[:, 1].mul_(3)
    return y, (y * y).sum()


def _zeros_setitem(L, x, w):
    z = L.zeros(3)
    z[1] = w[1]
    info = (z.is_leaf, z.requires_grad)
    return (z, info), (z * z * x[:3]).sum()


def _chain(L, x, w):
    y = x * 2
    y.add_(w)
    y.exp_()
    y.mul_(x)
    return y, y.sum()


def _view_mul(L, x, w):
    y = x * 2
    y[1:].mul_(w[1:])
    return y, (y * x).sum()


def _transpose_add(L, x, w):
    y = x.view(2, 3).clone()
    y.t()[0].add_(w[:2])
    return y, (y ** 2).sum()


def _nested(L, x, w):
    y = x * 1
    v = y.view(2, 3)[1]
    v[1:].mul_(w[:2])
    return y, (y * y).sum()


def _copy_into(L, x, w):
    y = L.zeros(2, 3)
    y[0].copy_(w[:3])
    y[1] = x[3:]
    return y, (y * y).sum()


def _view_then_use(L, x, w):
    y = x * 1
    v = y[2:]
    v.mul_(2)
    return (y, v), (v * w[2:]).sum() + y.sum()


def _two_writes(L, x, w):
    y = x.clone()
    y[0] = w[0]
    y[2:4] = w[1:3] * w[1:3]
    return y, (y * x).sum()


def _setitem_mask(L, x, w):
    y = x * 1
    y[x > 2] = w[:4] if False else w[y.detach() > 2] * 3
    return y, (y * y).sum()


def _setitem_index(L, x, w):
    y = x * 1
    y[L.tensor([0, 5])] = w[:2] * 2
    return y, (y * y).sum()


def _fill_view(L, x, w):
    y = x * 1
    y[1:3].fill_(w[0])
    return y, (y * y).sum()


def _unsqueeze_view(L, x, w):
    y = x * 1
    y.unsqueeze(0)[0, 2].mul_(w[2])
    return y, (y * y).sum()


def _detached(L, x, w):
    y = x * 1
    d = y.detach()
    d.add_(1)  # shares y's data: y's value changes, its graph does not
    return y, (y * w).sum()


@pytest.mark.parametrize('case', list(INPLACE_GRAPHS))
def test_inplace_gradients_vs_torch(case):
    def run(L):
        x = leaf(L, [1., 2., 3., 4., 5., 6.])
        w = leaf(L, [0.5, -1., 2., 1.5, 3., -2.])
        values, loss = INPLACE_GRAPHS[case](L, x, w)
        loss.backward()
        return values, x.grad, w.grad
    check(run, rtol=1e-6)


def test_inplace_grad_fn_names():
    def run(L):
        x = leaf(L, [1., 2., 3.])
        y = x * 1
        names = [y.grad_fn.name()]
        y.add_(1)
        names.append(y.grad_fn.name())
        y.exp_()
        names.append(y.grad_fn.name())
        y[0] = 2.
        names.append(y.grad_fn.name())
        z = L.zeros(3)
        z[1:] = x[1:]
        names.append(z.grad_fn.name())
        return names, y.is_leaf, z.is_leaf, z.requires_grad
    check(run)


def test_inplace_on_non_leaf_versions():
    def run(L):
        x = leaf(L, [1., 2.])
        y = x * 1
        v = y[1:]
        out = [y._version, v._version]
        v.mul_(2)
        out += [y._version, v._version]
        y.add_(1)
        out += [y._version, v._version]
        return out
    check(run)


# -- gradcheck / gradgradcheck ---------------------------------------------------------------
def _double(L, *values):
    return tuple(L.tensor(v, dtype=L.float64, requires_grad=True) for v in values)


def test_gradcheck_passes_on_correct_gradients():
    ga = flambeau.autograd.gradcheck
    x, w = _double(flambeau, [0.3, -1.2, 2.0], [1.5, 0.5, -0.7])
    assert ga(lambda a, b: (a * b).sin() + a.exp() / (b * b + 1), (x, w))
    assert ga(lambda a: (a ** 3).sum(), (x,))
    F = _functions(flambeau)
    assert ga(F['MyExp'].apply, (x,))
    assert ga(lambda a, b: F['MulConst'].apply(a, 2.0, b), (x, w))
    assert flambeau.autograd.gradgradcheck(lambda a, b: (a * a * b).sin(), (x, w))
    assert flambeau.autograd.gradgradcheck(F['MyExp'].apply, (x,))


def test_gradcheck_fails_on_wrong_backward():
    for L in (torch, flambeau):
        F = _functions(L)
        x, = _double(L, [0.3, -1.2, 2.0])
        kind, msg = outcome(lambda: L.autograd.gradcheck(F['WrongGrad'].apply, (x,)))
        assert issubclass(kind, RuntimeError), (L, kind, msg)
        assert 'Jacobian mismatch' in msg
        assert L.autograd.gradcheck(F['WrongGrad'].apply, (x,), raise_exception=False) is False


def test_gradgradcheck_fails_on_wrong_double_backward():
    for L in (torch, flambeau):
        class BadSecond(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 3 * x.detach() ** 2  # right value, but detached: wrong second order

        x, = _double(L, [0.3, -1.2, 2.0])
        assert L.autograd.gradcheck(BadSecond.apply, (x,))
        kind, msg = outcome(lambda: L.autograd.gradgradcheck(BadSecond.apply, (x,)))
        assert issubclass(kind, RuntimeError), (L, kind, msg)
        assert L.autograd.gradgradcheck(BadSecond.apply, (x,), raise_exception=False) is False


def test_gradcheck_skips_non_requiring_inputs_and_warns_on_float32():
    x = flambeau.tensor([1., 2.], dtype=flambeau.float64, requires_grad=True)
    c = flambeau.tensor([3., 4.], dtype=flambeau.float64)
    assert flambeau.autograd.gradcheck(lambda a, b: a * b, (x, c))
    y = flambeau.tensor([1., 2.], requires_grad=True)
    with pytest.warns(UserWarning, match='double precision'):
        flambeau.autograd.gradcheck(lambda a: a * 2, (y,), raise_exception=False)


# -- assorted backward semantics ------------------------------------------------------------


def _hook_on_leaf_used_twice(L):
    x = L.tensor([1., 2.], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.clone()))
    y = x * 2 + x * x
    y.sum().backward()
    return calls, x.grad


def _grad_twice_frees_graph(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * x
    L.autograd.grad(y.sum(), x)
    L.autograd.grad(y.sum(), x)


def _grad_of_output_itself(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    return L.autograd.grad(y, y, L.ones(2))


def _grad_wrt_intermediate_and_leaf(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x.exp()
    z = y.sum()
    g = L.autograd.grad(z, [y, x])
    return g


def _unbind_one_piece(L):
    x = L.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    a, b = x.unbind(0)
    (a * 2).sum().backward()
    return x.grad


def _detached_copy_as_new_leaf(L):
    x = L.tensor([1., 2., 3.], requires_grad=True)
    y = x.detach().requires_grad_()
    z = (y * x).sum()
    z.backward()
    return x.grad, y.grad


def _preset_grad_accumulates(L):
    x = L.tensor([1., 2.], requires_grad=True)
    with L.no_grad():
        x.grad = L.ones(2)
    (x * 2).sum().backward()
    return x.grad


def _backward_create_graph_replaces_grad(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = (x * 2).sum()
    y.backward(create_graph=True)
    g = x.grad
    (x * 3).sum().backward(create_graph=True)
    return x.grad, x.grad is g, x.grad.requires_grad


def _gradient_argument_0d(L):
    x = L.tensor(3., requires_grad=True)
    y = x * x
    y.backward(L.tensor(2.))
    y2 = x ** 2
    y2.backward(L.tensor(2.))
    return x.grad


def _backward_of_index(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x[0]
    y.backward()
    return x.grad


def _iterate_and_sum(L):
    x = L.tensor([1., 2., 3.], requires_grad=True)
    out = [t * 2 for t in x]
    sum(out).backward()
    return x.grad


def _manual_sgd_loop(L):
    w = L.tensor([1., 2.], requires_grad=True)
    for _ in range(3):
        loss = (w * w).sum()
        loss.backward()
        with L.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    return w, w.grad


def _retain_grad_on_view(L):
    x = L.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y2 = y.view(2)
    y2.retain_grad()
    (y2 * 3).sum().backward()
    return y.grad, y2.grad


def _number_as_gradient(L):
    (L.tensor([1., 2.], requires_grad=True) * 2).sum().backward(2.)


def _leaf_backward(L):
    x = L.tensor([3., 1.], requires_grad=True)
    x.backward(L.tensor([1., 2.]))
    s = L.tensor(3., requires_grad=True)
    s.backward()
    return x.grad, s.grad


def _view_of_modified_base_as_root(L):
    x = L.tensor([3., 1.], requires_grad=True)
    y = x * 1
    y.mul_(2)
    y[1].backward()
    return x.grad


def _backward_twice(L):
    x = L.tensor([3., 1.], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    first = x.grad.clone()
    y.backward()
    return first


MISC = {
    'number_as_gradient': _number_as_gradient,
    'leaf_backward': _leaf_backward,
    'view_of_modified_base_as_root': _view_of_modified_base_as_root,
    'backward_twice': _backward_twice,
    'hook_on_leaf_used_twice': _hook_on_leaf_used_twice,
    'grad_twice_frees_graph': _grad_twice_frees_graph,
    'grad_of_output_itself': _grad_of_output_itself,
    'grad_wrt_intermediate_and_leaf': _grad_wrt_intermediate_and_leaf,
    'unbind_one_piece': _unbind_one_piece,
    'detached_copy_as_new_leaf': _detached_copy_as_new_leaf,
    'preset_grad_accumulates': _preset_grad_accumulates,
    'backward_create_graph_replaces_grad': _backward_create_graph_replaces_grad,
    'gradient_argument_0d': _gradient_argument_0d,
    'backward_of_index': _backward_of_index,
    'iterate_and_sum': _iterate_and_sum,
    'manual_sgd_loop': _manual_sgd_loop,
    'retain_grad_on_view': _retain_grad_on_view,
}


@pytest.mark.parametrize('case', list(MISC))
def test_backward_semantics(case):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # torch's reference-cycle warning for create_graph
        check(MISC[case])


# -- autograd.grad: arguments and errors -------------------------------------------------------
def _x(L, values=(1., 2.), dtype=None):
    return L.tensor(list(values), dtype=getattr(L, dtype) if dtype else None, requires_grad=True)


GRAD_API = {
    'grad_outputs': lambda L: L.autograd.grad(_x(L) * _x(L), _x(L), L.tensor([1., 3.]),
                                              allow_unused=True),
    'grad_outputs_weighted': lambda L: (lambda x: L.autograd.grad(x * x, x,
                                                                  L.tensor([1., 3.])))(_x(L)),
    'grad_outputs_none_for_scalar': lambda L: (lambda x: L.autograd.grad((x * x).sum(), x,
                                                                         [None]))(_x(L)),
    'grad_outputs_other_dtype': lambda L: (lambda x: L.autograd.grad(
        x * x, x, L.ones(2, dtype=L.float64)))(_x(L)),
    'grad_outputs_too_few': lambda L: (lambda x: L.autograd.grad(
        [x.sum(), (x * 2).sum()], x, [L.tensor(1.)]))(_x(L)),
    'grad_outputs_extra_ignored': lambda L: (lambda x: L.autograd.grad(
        x * x, x, [L.ones(2), L.ones(2)]))(_x(L)),
    'grad_outputs_number': lambda L: (lambda x: L.autograd.grad(x * x, x, [3.]))(_x(L)),
    'grad_outputs_shape': lambda L: (lambda x: L.autograd.grad(x * x, x, L.ones(3)))(_x(L)),
    'grad_non_scalar_implicit': lambda L: (lambda x: L.autograd.grad(x * x, [x, x]))(_x(L)),
    'grad_empty_inputs': lambda L: (lambda x: L.autograd.grad((x * x).sum(), []))(_x(L)),
    'grad_output_not_requiring': lambda L: L.autograd.grad(L.ones(1).sum(), L.ones(1)),
    'grad_unused': lambda L: (lambda x, z: L.autograd.grad((x * x).sum(), [x, z]))(
        _x(L), _x(L, [1.])),
    'grad_allow_unused': lambda L: (lambda x, z: L.autograd.grad((x * x).sum(), [x, z],
                                                                  allow_unused=True))(
        _x(L), _x(L, [1.])),
    'grad_materialize': lambda L: (lambda x, z: L.autograd.grad((x * x).sum(), [x, z],
                                                                 materialize_grads=True))(
        _x(L), _x(L, [1.])),
    'grad_materialize_allow_unused_false': lambda L: (lambda x: L.autograd.grad(
        (x * x).sum(), x, allow_unused=False, materialize_grads=True))(_x(L)),
    'grad_wrt_unrelated_non_leaf': lambda L: (lambda x: L.autograd.grad(
        x.sum(), [x * 2], allow_unused=True))(_x(L)),
    'grad_wrt_unrelated_non_leaf_error': lambda L: (lambda x: L.autograd.grad(
        x.sum(), [x * 2]))(_x(L)),
    'grad_retain_graph': lambda L: _grad_retained(L),
    'grad_second_call_frees': lambda L: _grad_second_call(L),
}


def _grad_retained(L):
    x = _x(L)
    y = (x.exp() * x).sum()
    a = L.autograd.grad(y, x, retain_graph=True)
    return a, L.autograd.grad(y, x)


def _grad_second_call(L):
    x = _x(L)
    y = (x.exp() * x).sum()
    L.autograd.grad(y, x)
    L.autograd.grad(y, x)


@pytest.mark.parametrize('case', list(GRAD_API))
def test_grad_arguments_and_errors(case):
    check(GRAD_API[case])


def test_grad_only_inputs_false_warns():
    for L in (torch, flambeau):
        x = _x(L)
        with pytest.warns(FutureWarning, match='only_inputs argument is deprecated'):
            L.autograd.grad(x.sum(), x, only_inputs=False)


HIGHER = {
    'mix': lambda L, x, w: ((x.sin() * x.exp() + x ** 3 / (x + 1)).tanh() * w).sum(),
    'matmul_relu': lambda L, x, w: ((x.view(2, 2) @ w.view(2, 2)).sigmoid() ** 2).sum(),
    'reductions': lambda L, x, w: (x * w).mean() * (x ** 2).sum() + (x - w).abs().max(),
    'broadcast': lambda L, x, w: (x.view(4, 1) * w.view(1, 4)).log1p().sum(),
}


@pytest.mark.parametrize('name', list(HIGHER))
def test_third_order_gradients_through_mixed_ops(name):
    def run(L):
        x = L.tensor([0.5, 1.5, -0.3, 2.0], dtype=L.float64, requires_grad=True)
        w = L.tensor([0.2, -0.7, 1.1, 0.4], dtype=L.float64, requires_grad=True)
        y = HIGHER[name](L, x, w)
        g1x, g1w = L.autograd.grad(y, [x, w], create_graph=True)
        g2, = L.autograd.grad((g1x * g1w).sum(), x, create_graph=True)
        g3 = L.autograd.grad(g2.sum(), [x, w], allow_unused=True, materialize_grads=True)
        return g1x, g1w, g2, g3
    check(run, rtol=1e-9, atol=1e-10)


# -- backward(inputs=...) ---------------------------------------------------------------------
BACKWARD_INPUTS = {
    'leaf_only': lambda L: _bw_inputs(L, lambda x, w, y: [x]),
    'both_leaves': lambda L: _bw_inputs(L, lambda x, w, y: (x, w)),
    'single_tensor': lambda L: _bw_inputs(L, lambda x, w, y: w),
    'non_leaf': lambda L: _bw_inputs(L, lambda x, w, y: [y]),
    'non_leaf_and_leaf': lambda L: _bw_inputs(L, lambda x, w, y: [y, x]),
    'function_form': lambda L: _bw_inputs(L, lambda x, w, y: [w], fn=True),
    'empty': lambda L: _bw_inputs(L, lambda x, w, y: []),
    'not_requiring': lambda L: _bw_inputs(L, lambda x, w, y: [L.ones(2)]),
    'unused_leaf': lambda L: _bw_inputs(L, lambda x, w, y: [L.ones(1, requires_grad=True)]),
}


def _bw_inputs(L, pick, fn=False):
    x = _x(L)
    w = _x(L, [3., -1.])
    y = x * w
    loss = (y * y).sum()
    inputs = pick(x, w, y)
    if fn:
        L.autograd.backward(loss, inputs=inputs)
    else:
        loss.backward(inputs=inputs)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return x.grad, w.grad, y.grad


@pytest.mark.parametrize('case', list(BACKWARD_INPUTS))
def test_backward_inputs(case):
    check(BACKWARD_INPUTS[case])


def test_backward_inputs_accumulates():
    def run(L):
        x = _x(L)
        (x * x).sum().backward(inputs=[x])
        (x * 3).sum().backward(inputs=[x])
        return x.grad
    check(run)


# -- hooks -------------------------------------------------------------------------------------
def test_hook_order_tensor_hooks_retain_grad_node_prehook():
    def run(L):
        x = _x(L)
        y = x * 2
        calls = []
        y.register_hook(lambda g: calls.append('t1') or g * 10)
        y.retain_grad()
        y.register_hook(lambda g: calls.append('t2') or g * 3)
        y.grad_fn.register_prehook(lambda gs: calls.append('pre') or (gs[0] * 1000,))
        (y * y).sum().backward()
        return calls, y.grad, x.grad
    check(run)


def test_hooks_apply_to_captured_gradients():
    def run(L):
        x = _x(L)
        x.register_hook(lambda g: g * 10)
        y = x * 2
        y.register_hook(lambda g: g * 100)
        y.retain_grad()
        y.grad_fn.register_prehook(lambda gs: (gs[0] * 1000,))
        z = (y * y).sum()
        gx = L.autograd.grad(z, [x], retain_graph=True)
        gy = L.autograd.grad(z, [y])
        return gx, gy, y.grad
    check(run)


def test_hook_handle_removal_and_replacement():
    def run(L):
        x = _x(L)
        h1 = x.register_hook(lambda g: g * 2)
        h2 = x.register_hook(lambda g: g + 1)
        (x * x).sum().backward()
        first = x.grad.clone()
        h1.remove()
        h1.remove()  # removing twice is harmless
        x.grad = None
        (x * x).sum().backward()
        h2.remove()
        second = x.grad.clone()
        x.grad = None
        (x * x).sum().backward()
        return first, second, x.grad
    check(run)


def test_post_accumulate_grad_hook():
    def run(L):
        x = _x(L)
        seen = []
        h = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (x * x).sum().backward()
        (x * 3).sum().backward()
        L.autograd.grad((x * 5).sum(), x)  # no accumulation, no hook
        h.remove()
        (x * 3).sum().backward()
        return seen, x.grad
    check(run)


def test_post_accumulate_grad_hook_steps_in_place():
    def run(L):
        w = _x(L)

        def sgd(p):
            with L.no_grad():
                p -= 0.1 * p.grad
            p.grad = None
        w.register_post_accumulate_grad_hook(sgd)
        for _ in range(3):
            (w * w).sum().backward()
        return w, w.grad
    check(run)


POST_HOOK_ERRORS = {
    'non_leaf': lambda L: (_x(L) * 2).register_post_accumulate_grad_hook(lambda p: None),
    'no_grad': lambda L: L.ones(2).register_post_accumulate_grad_hook(lambda p: None),
}


@pytest.mark.parametrize('case', list(POST_HOOK_ERRORS))
def test_post_accumulate_grad_hook_errors(case):
    check(POST_HOOK_ERRORS[case])


def test_grad_fn_inspection_and_node_hooks():
    def run(L):
        x = _x(L)
        w = _x(L, [0.5, 4.])
        y = (x * w).exp()
        mul, nr = y.grad_fn.next_functions[0]
        accs = mul.next_functions
        seen = []
        h = mul.register_hook(lambda gi, go: seen.append((gi, go)))
        mul.register_prehook(lambda go: (go[0] * 2,))
        y.sum().backward()
        h.remove()
        return (y.grad_fn.name(), mul.name(), nr, [a.name() for a, _ in accs],
                accs[0][0].variable is x, accs[1][0].variable is w, [n for _, n in accs],
                seen, x.grad, w.grad)
    check(run)


# -- custom Function: setup_context, vjp, saved outputs ---------------------------------------
def test_function_setup_context_style():
    def run(L):
        class Cube(L.autograd.Function):
            @staticmethod
            def forward(x, k):
                return x ** 3 * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, k = inputs
                ctx.save_for_backward(x, output)
                ctx.k = k
                ctx.nig = ctx.needs_input_grad

            @staticmethod
            def backward(ctx, g):
                x, out = ctx.saved_tensors
                return g * 3 * x * x * ctx.k, None

        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        y = Cube.apply(x, 2.)
        g, = L.autograd.grad(y.sum(), x, create_graph=True)
        g2, = L.autograd.grad(g.sum(), x)
        return y, g, g2, y.grad_fn.nig, type(y.grad_fn).__name__
    check(run)


def test_function_vjp_instead_of_backward():
    def run(L):
        class Double(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def vjp(ctx, g):
                return g * 2

        x = _x(L)
        Double.apply(x).sum().backward()
        F = L.autograd.Function
        return x.grad, F.vjp is F.backward, hasattr(F, 'jvp')
    check(run)


FUNCTION_ERRORS = {
    'both_backward_and_vjp': lambda L: _both(L),
    'instance_call': lambda L: _instance_call(L),
    'saved_output_modified': lambda L: _saved_output_modified(L),
    'saved_input_inference': lambda L: _saved_inference(L),
}


def _both(L):
    class F(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g

        @staticmethod
        def vjp(ctx, g):
            return g

    F.apply(_x(L)).sum().backward()


def _instance_call(L):
    class F(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

    return F()(L.ones(1))


def _saved_output_modified(L):
    class Exp(L.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    x = _x(L)
    y = Exp.apply(x)
    y.mul_(2)
    y.sum().backward()


def _saved_inference(L):
    class Mul(L.autograd.Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(c)
            return x * c

        @staticmethod
        def backward(ctx, g):
            c, = ctx.saved_tensors
            return g * c, None

    with L.inference_mode():
        c = L.ones(2)
    return Mul.apply(_x(L), c)


@pytest.mark.parametrize('case', list(FUNCTION_ERRORS))
def test_function_errors(case):
    check(FUNCTION_ERRORS[case])


def test_function_saved_output_frees_with_graph():
    """A saved output is held without a reference cycle: the graph dies with its tensors."""
    import gc
    import weakref

    class Exp(flambeau.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    x = _x(flambeau)
    gc.disable()
    try:
        y = Exp.apply(x)
        ref = weakref.ref(y.grad_fn)
        del y
        assert ref() is None
    finally:
        gc.enable()
    y = Exp.apply(x)
    y.sum().backward()
    assert flambeau.allclose(x.grad, x.exp().detach())


# -- in-place writes and views (CopySlices, stale view grad_fns) ------------------------------
VIEW_CASES = {
    'setitem_from_other': lambda L, x, z: _vc_setitem(L, x, z),
    'view_mul_': lambda L, x, z: _vc_view_mul(L, x, z),
    'view_used_after_base_inplace': lambda L, x, z: _vc_stale(L, x, z),
    'nested_view_after_base_inplace': lambda L, x, z: _vc_nested(L, x, z),
    'sibling_view_after_view_inplace': lambda L, x, z: _vc_sibling(L, x, z),
    'transpose_view_after_base_setitem': lambda L, x, z: _vc_transpose(L, x, z),
    'view_as_root_after_base_inplace': lambda L, x, z: _vc_root(L, x, z),
    'saved_base_written_through_view': lambda L, x, z: _vc_saved_base(L, x, z),
    'saved_view_base_written': lambda L, x, z: _vc_saved_view(L, x, z),
    'saved_view_sibling_written': lambda L, x, z: _vc_saved_sibling(L, x, z),
    'saved_view_written_itself': lambda L, x, z: _vc_saved_self(L, x, z),
    'saved_output_written_through_view': lambda L, x, z: _vc_saved_output(L, x, z),
}


def _vc_setitem(L, x, z):
    y = x * 1
    y[0] = z
    return y, (y * y).sum()


def _vc_view_mul(L, x, z):
    y = x * 1
    y.view(-1).mul_(z)
    return y, (y * y).sum()


def _vc_stale(L, x, z):
    y = x * 1
    v = y[1:]
    y.mul_(z)
    return v, (v * v).sum()


def _vc_nested(L, x, z):
    y = x * 1
    v = y[1:][1:]
    y[0] = z
    y.exp_()
    return v, (v * 3).sum()


def _vc_sibling(L, x, z):
    y = x * 1
    a, b = y[:2], y[1:]
    b.mul_(z)
    return (a, b), (a * a).sum() + b.sum()


def _vc_transpose(L, x, z):
    y = (x * 1).view(3, 1)
    t = y.t()
    y[1, 0] = z * 5
    return t, (t * t).sum()


def _vc_root(L, x, z):
    y = x * 1
    v = y[2]
    y.mul_(z)
    return v, v


def _vc_saved_base(L, x, z):
    y = x * 1
    w = y.exp()
    y[1:].mul_(z)
    return y, w.sum()


def _vc_saved_view(L, x, z):
    y = x * 1
    v = y[1:]
    w = v * v
    y.mul_(z)
    return y, w.sum()


def _vc_saved_sibling(L, x, z):
    y = x * 1
    v = y[1:]
    w = y[:2] * y[:2]
    v.mul_(z)
    return y, w.sum()


def _vc_saved_self(L, x, z):
    y = x * 1
    v = y[1:]
    w = v * v
    v.mul_(z)
    return y, w.sum()


def _vc_saved_output(L, x, z):
    y = x.exp()
    y[0:1].mul_(z)
    return y, y.sum()


@pytest.mark.parametrize('case', list(VIEW_CASES))
def test_inplace_through_views_vs_torch(case):
    def run(L):
        x = L.tensor([1., 2., 3.], requires_grad=True)
        z = L.tensor(5., requires_grad=True)
        values, loss = VIEW_CASES[case](L, x, z)
        loss.backward()
        return values, x.grad, z.grad
    check(run)


# -- inference mode ----------------------------------------------------------------------------
def test_inference_tensors():
    def run(L):
        x = _x(L)
        with L.inference_mode():
            a = L.ones(2)
            b = x * 2
            inside = L.is_inference_mode_enabled(), L.is_grad_enabled()
            with L.inference_mode(False):
                nested = (L.ones(1).is_inference(), L.is_inference_mode_enabled(),
                          L.is_grad_enabled())
            a.add_(1)  # in place inside inference mode is fine
        return (a.is_inference(), b.is_inference(), b.requires_grad, x.is_inference(),
                a[0:1].is_inference(), a.detach().is_inference(), a.clone().is_inference(),
                inside, nested, L.is_inference_mode_enabled(), a, b)
    check(run)


def test_inference_mode_decorator():
    def run(L):
        @L.inference_mode()
        def f(t):
            return t * 2, L.is_inference_mode_enabled()

        @L.inference_mode
        def g(t):
            return t * 3

        y, on = f(_x(L))
        return y.is_inference(), on, g(_x(L)).is_inference(), L.is_inference_mode_enabled()
    check(run)


INFERENCE_ERRORS = {
    'saved_for_backward': lambda L: (_inference_tensor(L) * _x(L)).sum(),
    'saved_by_other_op': lambda L: _x(L).exp() * _inference_tensor(L),
    'not_saved_is_fine': lambda L: (_inference_tensor(L) + _x(L)).sum(),
    'inplace_outside': lambda L: _inference_tensor(L).add_(1),
    'inplace_outside_no_grad': lambda L: _no_grad_inplace(L),
    'version': lambda L: _inference_tensor(L)._version,
    'requires_grad_outside': lambda L: _inference_tensor(L).requires_grad_(),
    'requires_grad_false_ok': lambda L: _inference_tensor(L).requires_grad_(False),
    'clone_is_normal': lambda L: (lambda c: ((c * _x(L)).sum(), c.is_inference()))(
        _inference_tensor(L).clone()),
}


def _inference_tensor(L):
    with L.inference_mode():
        return L.ones(2) * 3


def _no_grad_inplace(L):
    a = _inference_tensor(L)
    with L.no_grad():
        a.mul_(2)


@pytest.mark.parametrize('case', list(INFERENCE_ERRORS))
def test_inference_tensor_errors(case):
    check(INFERENCE_ERRORS[case])


# -- anomaly mode ------------------------------------------------------------------------------
def _anomaly_run(L):
    x = L.tensor([0., 1.], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with L.autograd.detect_anomaly():
            y = x.sqrt()  # the forward line the warning names
            kind, msg = outcome(lambda: (y * 0).sum().backward())
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return kind, msg, texts


def test_detect_anomaly_nan_error_and_forward_traceback():
    (tk, tm, tw), (fk, fm, fw) = _anomaly_run(torch), _anomaly_run(flambeau)
    assert (fk, fm) == (tk, tm)
    assert fw[0] == tw[0]  # "Anomaly Detection has been enabled. ..."
    head = 'Error detected in SqrtBackward0. Traceback of forward call that caused the error:\n'
    assert tw[1].startswith(head) and fw[1].startswith(head)
    assert 'y = x.sqrt()  # the forward line the warning names' in fw[1]
    assert __file__ in fw[1] and 'flambeau/' not in fw[1].replace(__file__, '')
    assert not flambeau.autograd.is_anomaly_enabled()


def test_anomaly_warns_on_backward_error_of_custom_function():
    for L in (torch, flambeau):
        class Boom(L.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                raise ValueError('boom')

        x = _x(L)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            with L.autograd.set_detect_anomaly(True):
                y = Boom.apply(x)
                with pytest.raises(ValueError, match='boom'):
                    y.sum().backward()
        msgs = [str(w.message) for w in caught]
        assert any(m.startswith('Error detected in BoomBackward. Traceback of forward call')
                   and 'y = Boom.apply(x)' in m for m in msgs), msgs


def test_anomaly_flags():
    def run(L):
        enabled = L.is_anomaly_enabled if L is torch else L.autograd.is_anomaly_enabled
        check_nan = L.is_anomaly_check_nan_enabled if L is torch else \
            L.autograd.is_anomaly_check_nan_enabled
        out = [enabled()]
        L.autograd.set_detect_anomaly(True)
        out.append((enabled(), check_nan()))
        L.autograd.set_detect_anomaly(False)
        out.append(enabled())
        with L.autograd.set_detect_anomaly(True, check_nan=False):
            out.append((enabled(), check_nan()))
            x = L.tensor([0., 1.], requires_grad=True)
            (x.sqrt() * 0).sum().backward()  # no NaN check
            out.append(x.grad)
        out.append(enabled())
        return out
    check(run)


# -- gradcheck arguments -----------------------------------------------------------------------
def test_gradcheck_argument_errors_and_checks():
    for L in (torch, flambeau):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        kind, msg = outcome(lambda: L.autograd.gradcheck(lambda a: a * 2,
                                                         (L.ones(2, dtype=L.float64),)))
        assert kind is ValueError and 'at least one input tensor to require gradient' in msg
        kind, msg = outcome(lambda: L.autograd.gradcheck(lambda a: (a * 2).float(), (x,),
                                                         check_grad_dtypes=True))
        assert issubclass(kind, RuntimeError), (L, kind, msg)

        class Noisy(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2 + g * L.rand(g.shape, dtype=g.dtype) * 1e-3

        kind, msg = outcome(lambda: L.autograd.gradcheck(Noisy.apply, (x,), atol=1e-2))
        assert issubclass(kind, RuntimeError) and 'not reentrant' in msg, (L, kind, msg)
        assert L.autograd.gradcheck(Noisy.apply, (x,), atol=1e-2, nondet_tol=1e-2)

        class IgnoresUndefined(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.set_materialize_grads(False)
                return a * 2, a * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3  # fails when one of them is None

        kind, msg = outcome(lambda: L.autograd.gradcheck(IgnoresUndefined.apply, (x,)))
        assert kind is TypeError and "for *: 'NoneType' and 'int'" in msg, (L, msg)
        kind, msg = outcome(lambda: L.autograd.gradcheck(lambda a: a * 2, (x,),
                                                         check_backward_ad=False))
        assert kind is AssertionError and 'check_backward_ad to be True' in msg

        class NotTimesGrad(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2 + 1e-9  # right Jacobian within tolerance, not linear in g

        kind, msg = outcome(lambda: L.autograd.gradcheck(NotTimesGrad.apply, (x,)))
        assert issubclass(kind, RuntimeError), (L, kind, msg)
        assert 'backward not multiplied by grad_output' in msg, (L, msg)


@pytest.mark.parametrize('name,fn', [('x*2', lambda x: x * 2), ('x/2', lambda x: x / 2),
                                     ('2*x', lambda x: 2 * x), ('x+2', lambda x: x + 2),
                                     ('2/x', lambda x: 2 / x), ('x-1', lambda x: x - 1)])
def test_second_backward_through_scalar_ops_as_torch(name, fn):
    """PyTorch saves the number of ``x * 2`` and ``x / 2`` (a wrapped tensor): backward a second
    time through them raises; ``x + 2`` saves nothing and does not."""
    outcome = {}
    for m in (torch, flambeau):
        y = fn(m.ones(3, requires_grad=True)).sum()
        y.backward()
        try:
            y.backward()
            outcome[m] = 'ok'
        except RuntimeError as e:
            assert 'backward through the graph a second time' in str(e)
            outcome[m] = 'raises'
    assert outcome[flambeau] == outcome[torch], name


def test_queue_callback_runs_after_the_whole_backward():
    """A callback queued from a hook runs once, after every leaf has its gradient (what
    DistributedDataParallel relies on); outside a backward pass it raises as PyTorch does."""
    from flambeau.autograd.engine import queue_callback
    a = flambeau.ones(2, requires_grad=True)
    b = flambeau.ones(2, requires_grad=True)
    seen = []

    def hook(p):
        if not seen:
            queue_callback(lambda: seen.append((a.grad is not None, b.grad is not None)))
        seen.append('hook')
    a.register_post_accumulate_grad_hook(hook)
    b.register_post_accumulate_grad_hook(hook)
    ((a * 2).sum() + (b * 3).sum()).backward()
    assert seen == ['hook', 'hook', (True, True)]
    with pytest.raises(RuntimeError, match='Final callbacks can only be installed during backward'):
        queue_callback(lambda: None)
