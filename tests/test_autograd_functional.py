"""``autograd.functional``: jacobian, hessian, vjp, jvp, hvp and vhp against PyTorch, with single
tensors and tuples, ``create_graph`` (differentiating the result again), ``strict`` mode and
the errors for bad arguments."""
import pytest

torch = pytest.importorskip('torch')

import flambeau  # noqa: E402,F401  (the library under test, through check())
from core_helpers import check  # noqa: E402


def _in(L, *values):
    ts = tuple(L.tensor(v, dtype=L.float64) for v in values)
    return ts if len(ts) > 1 else ts[0]


FUNCS = {  # name: (function of L returning the function, inputs)
    'square': (lambda L: lambda x: x ** 2, ([1., 2., 3.],)),
    'matrix': (lambda L: lambda x: (x @ x.t()).tanh(), ([[1., 0.5], [-0.3, 2.]],)),
    'scalar_out': (lambda L: lambda x: (x.exp() * x).sum(), ([0.5, -1., 2.],)),
    'two_inputs': (lambda L: lambda x, w: (x * w).sin() + w ** 2, ([1., 2.], [0.5, -1.])),
    'two_outputs': (lambda L: lambda x: (x.exp(), x.sum() * x), ([0.3, 0.7],)),
    'two_in_two_out': (lambda L: lambda x, w: (x @ w, (x * x).sum()),
                       ([[1., 2.], [3., 4.]], [0.5, -1.])),
    'zero_d': (lambda L: lambda x: x * x * x, (2.,)),
}


@pytest.mark.parametrize('name', list(FUNCS))
def test_jacobian(name):
    def run(L):
        make, values = FUNCS[name]
        return L.autograd.functional.jacobian(make(L), _in(L, *values))
    check(run, rtol=1e-10)


@pytest.mark.parametrize('name', ['square', 'two_inputs', 'two_outputs'])
def test_jacobian_create_graph(name):
    def run(L):
        make, values = FUNCS[name]
        inputs = tuple(L.tensor(v, dtype=L.float64, requires_grad=True) for v in values)
        jac = L.autograd.functional.jacobian(make(L), inputs, create_graph=True)
        flat = []
        stack = [jac]
        while stack:
            j = stack.pop()
            if isinstance(j, tuple):
                stack.extend(j)
            else:
                flat.append(j)
        total = sum((j * j).sum() for j in flat)
        return jac, L.autograd.grad(total, inputs)
    check(run, rtol=1e-10)


def test_jacobian_accepts_vectorize_and_forward_mode():
    def run(L):
        f = lambda x: x.sin() * x  # noqa: E731
        x = _in(L, [0.1, 0.2, 0.3])
        J = L.autograd.functional.jacobian
        return (J(f, x, vectorize=True), J(f, x, vectorize=True, strategy='forward-mode'),
                J(f, x).requires_grad)
    check(run, rtol=1e-10)


HESSIAN_FUNCS = {
    'cube_sum': (lambda x: (x ** 3).sum(), ([1., 2.],)),
    'mixed': (lambda x: (x.sin() * x.exp()).sum() * x[0], ([0.3, -0.5, 1.2],)),
    'matrix_in': (lambda x: (x @ x).trace() if hasattr(x, 'trace') else None,
                  ([[1., 2.], [3., 4.]],)),
    'two_inputs': (lambda x, w: (x * w * w).sum() + (x ** 2).sum(), ([1., 2.], [0.5, -1.])),
    'one_element_out': (lambda x: (x * x).sum().reshape(1), ([1., 2.],)),
}


@pytest.mark.parametrize('name', list(HESSIAN_FUNCS))
def test_hessian(name):
    def run(L):
        f, values = HESSIAN_FUNCS[name]
        return L.autograd.functional.hessian(f, _in(L, *values))
    check(run, rtol=1e-10)


def test_hessian_create_graph():
    def run(L):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        H = L.autograd.functional.hessian(lambda t: (t ** 4).sum(), x, create_graph=True)
        return H, L.autograd.grad(H.sum(), x)
    check(run, rtol=1e-10)


PRODUCTS = {  # (function, inputs, v)
    'vec': (lambda x: x ** 3, ([1., 2.],), ([1., -1.],)),
    'scalar_v_none': (lambda x: (x ** 3).sum(), ([1., 2.],), None),
    'two_in_two_out': (lambda x, w: (x * w, (x + w).exp()), ([1., 2.], [0.5, -1.]),
                       (([1., 0.], [0., 2.]))),
}


def _v(L, v):
    if v is None:
        return None
    return tuple(L.tensor(a, dtype=L.float64) for a in v) if len(v) > 1 else \
        L.tensor(v[0], dtype=L.float64)


@pytest.mark.parametrize('name', list(PRODUCTS))
def test_vjp(name):
    def run(L):
        f, values, v = PRODUCTS[name]
        return L.autograd.functional.vjp(f, _in(L, *values), _v(L, v))
    check(run, rtol=1e-10)


JVP = {
    'vec': (lambda x: x ** 3, ([1., 2.],), ([1., -1.],)),
    'one_element_v_none': (lambda x: x.exp() * 2, ([0.5],), None),
    'two_in_two_out': (lambda x, w: (x * w, (x + w).exp().sum()), ([1., 2.], [0.5, -1.]),
                       ([1., 0.], [0., 2.])),
    'matrix': (lambda x: x @ x, ([[1., 2.], [3., 4.]],), ([[0., 1.], [1., 0.]],)),
}


@pytest.mark.parametrize('name', list(JVP))
def test_jvp(name):
    def run(L):
        f, values, v = JVP[name]
        return L.autograd.functional.jvp(f, _in(L, *values), _v(L, v))
    check(run, rtol=1e-10)


HVP = {
    'one': (lambda x: (x ** 3).sum() * x[1], ([1., 2.],), ([1., -1.],)),
    'two': (lambda x, w: (x * x * w).sum() + w.sin().sum(), ([1., 2.], [0.5, -1.]),
            ([1., 0.], [0., 2.])),
    'v_none': (lambda x: (x ** 4).sum(), ([1.5],), None),
}


@pytest.mark.parametrize('which', ['hvp', 'vhp'])
@pytest.mark.parametrize('name', list(HVP))
def test_hvp_vhp(which, name):
    def run(L):
        f, values, v = HVP[name]
        return getattr(L.autograd.functional, which)(f, _in(L, *values), _v(L, v))
    check(run, rtol=1e-10)


def test_products_create_graph():
    def run(L):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        v = L.tensor([1., -1.], dtype=L.float64)
        fn = L.autograd.functional
        cube = lambda t: (t ** 3).sum()  # noqa: E731
        results = [fn.vjp(lambda t: t ** 3, x, v, create_graph=True)[1],
                   fn.jvp(lambda t: t ** 3, x, v, create_graph=True)[1],
                   fn.hvp(cube, x, v, create_graph=True)[1],
                   fn.vhp(cube, x, v, create_graph=True)[1]]
        return [(r, L.autograd.grad(r.sum(), x)) for r in results]
    check(run, rtol=1e-10)


def test_inputs_are_not_modified_and_results_detached():
    def run(L):
        x = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        out, g = L.autograd.functional.vjp(lambda t: t * t, x, L.ones(2, dtype=L.float64))
        J = L.autograd.functional.jacobian(lambda t: t * t, x)
        return out.requires_grad, g.requires_grad, J.requires_grad, x.grad, x.is_leaf
    check(run)


ERRORS = {
    'jacobian_list_input': lambda L: L.autograd.functional.jacobian(lambda x: x, [1.]),
    'jacobian_non_tensor_input': lambda L: L.autograd.functional.jacobian(lambda x: x, 3.),
    'jacobian_bad_output': lambda L: L.autograd.functional.jacobian(lambda x: 3, L.ones(2)),
    'jacobian_strategy': lambda L: L.autograd.functional.jacobian(lambda x: x, L.ones(2),
                                                                  strategy='sideways'),
    'jacobian_forward_create_graph': lambda L: L.autograd.functional.jacobian(
        lambda x: x, L.ones(2), create_graph=True, strategy='forward-mode', vectorize=True),
    'jacobian_strict_vectorize': lambda L: L.autograd.functional.jacobian(
        lambda x: x, L.ones(2), strict=True, vectorize=True),
    'jacobian_strict_independent': lambda L: L.autograd.functional.jacobian(
        lambda x, w: x * 2, (L.ones(2), L.ones(2)), strict=True),
    'jacobian_strict_no_grad_output': lambda L: L.autograd.functional.jacobian(
        lambda x: L.ones(2), L.ones(2), strict=True),
    'jacobian_independent_zeros': lambda L: L.autograd.functional.jacobian(
        lambda x, w: x * 2, (L.ones(2), L.ones(2))),
    'vjp_v_none_non_scalar': lambda L: L.autograd.functional.vjp(lambda x: x * 2, L.ones(2)),
    'vjp_v_wrong_size': lambda L: L.autograd.functional.vjp(lambda x: x * 2, L.ones(2),
                                                            L.ones(3)),
    'vjp_v_wrong_count': lambda L: L.autograd.functional.vjp(lambda x: (x, x), L.ones(2),
                                                             (L.ones(2),)),
    'jvp_v_none_non_scalar': lambda L: L.autograd.functional.jvp(lambda x: x * 2, L.ones(2)),
    'hessian_tuple_output': lambda L: L.autograd.functional.hessian(lambda x: (x.sum(),),
                                                                    L.ones(2)),
    'hessian_non_scalar': lambda L: L.autograd.functional.hessian(lambda x: x * 2, L.ones(2)),
    'hessian_strict_linear': lambda L: L.autograd.functional.hessian(lambda x: x.sum() * 2,
                                                                     L.ones(2), strict=True),
    'hessian_linear_zeros': lambda L: L.autograd.functional.hessian(lambda x: x.sum() * 2,
                                                                    L.ones(2)),
    'hvp_non_scalar': lambda L: L.autograd.functional.hvp(lambda x: x * 2, L.ones(2), L.ones(2)),
}


@pytest.mark.parametrize('case', list(ERRORS))
def test_errors(case):
    check(ERRORS[case])
