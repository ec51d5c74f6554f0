"""L-BFGS, with an optional strong-Wolfe line search.

The algorithm works on one flat vector holding every parameter's gradient; the history
(``old_dirs``, ``old_stps``) and the direction are kept in ``state`` as flambeau tensors, the
arithmetic is done on their arrays.
"""
from .. import dtypes as _dt
from ..autograd import grad_mode
from ..tensor import Tensor
from .optimizer import Optimizer, _check_lr, _make, _to_scalar

__all__ = ['LBFGS']


def _float(loss):
    """The closure's loss as a Python float (detached: no warning about grad)."""
    return float(loss.detach()) if isinstance(loss, Tensor) else float(loss)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimizer of the cubic interpolating (x1, f1, g1) and (x2, f2, g2), within bounds."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = d2_square ** 0.5
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Line search along ``d`` from step ``t`` satisfying the strong Wolfe conditions
    (Nocedal and Wright, Algorithm 3.5/3.6). Arrays in, ``(f_new, g_new, t, evals)`` out."""
    d_norm = abs(d).max()
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    # bracketing phase
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                               bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: the bracket holds a point satisfying the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # don't let the new point get too close to the ends of the bracket
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos] = bracket[low_pos]
                bracket_f[high_pos] = bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    r"""The L-BFGS algorithm (limited-memory BFGS; after Mark Schmidt's minFunc).

    ``step(closure)`` runs up to ``max_iter`` iterations, each calling ``closure`` (which
    clears the gradients, computes the loss, calls ``backward()`` and returns the loss) at
    least once. All parameters form a single group and are treated as one flat vector.

    Args:
        params (iterable): tensors to optimize (one group only).
        lr (float, Tensor, optional): learning rate (default: 1).
        max_iter (int, optional): iterations per ``step`` (default: 20).
        max_eval (int, optional): function evaluations per ``step`` (default: max_iter * 1.25).
        tolerance_grad (float, optional): stop when the largest gradient element is below it
            (default: 1e-7).
        tolerance_change (float, optional): stop when the change of the loss or of the
            parameters is below it (default: 1e-9).
        history_size (int, optional): number of curvature pairs kept (default: 100).
        line_search_fn (str, optional): ``None`` or ``'strong_wolfe'``.

    Example::

        >>> optimizer = flambeau.optim.LBFGS(model.parameters(), line_search_fn='strong_wolfe')
        >>> def closure():
        ...     optimizer.zero_grad()
        ...     loss = loss_fn(model(x), y)
        ...     loss.backward()
        ...     return loss
        >>> optimizer.step(closure)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        _check_lr(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]['params']
        self._numel_cache = None

    def __setstate__(self, state):
        super().__setstate__(state)
        self._params = self.param_groups[0]['params']
        self._numel_cache = None

    def _xp(self):
        return self._params[0]._device._backend.xp

    def _gather_flat_grad(self):
        xp = self._xp()
        views = []
        for p in self._params:
            if p._grad is None:
                views.append(xp.zeros(p._data.size, p._data.dtype))
            else:
                views.append(p._grad._data.reshape(-1))
        return xp.concatenate(views)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += step_size * update[offset:offset + n].reshape(p._data.shape)
            p._vc[0] += 1
            offset += n

    def _clone_param(self):
        return [p._data.copy() for p in self._params]

    def _set_param(self, params_data):
        for p, pdata in zip(self._params, params_data):
            p._data[...] = pdata
            p._vc[0] += 1

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = _float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def _wrap(self, a):
        """A flambeau tensor viewing array ``a`` (for ``state``)."""
        p = self._params[0]
        return _make(a, _dt.from_numpy_dtype(a.dtype), p._device)

    @staticmethod
    def _unwrap(v):
        return v._data if hasattr(v, '_data') else v

    def step(self, closure):
        """Perform one optimization step (up to ``max_iter`` iterations).

        Args:
            closure (Callable): re-evaluates the model and returns the loss (required).
        """
        group = self.param_groups[0]
        lr = _to_scalar(group['lr'])
        max_iter, max_eval = group['max_iter'], group['max_eval']
        tolerance_grad, tolerance_change = group['tolerance_grad'], group['tolerance_change']
        line_search_fn, history_size = group['line_search_fn'], group['history_size']

        def eval_closure():
            with grad_mode.enable_grad():
                return closure()

        with grad_mode.no_grad():
            state = self.state[self._params[0]]
            state.setdefault('func_evals', 0)
            state.setdefault('n_iter', 0)

            orig_loss = eval_closure()
            loss = _float(orig_loss)
            current_evals = 1
            state['func_evals'] += 1
            flat_grad = self._gather_flat_grad()
            if abs(flat_grad).max() <= tolerance_grad:
                return orig_loss

            unwrap = self._unwrap
            d = unwrap(state.get('d'))
            t = state.get('t')
            old_dirs = [unwrap(v) for v in state.get('old_dirs') or []]
            old_stps = [unwrap(v) for v in state.get('old_stps') or []]
            ro = list(state.get('ro') or [])
            H_diag = state.get('H_diag')
            prev_flat_grad = unwrap(state.get('prev_flat_grad'))
            prev_loss = state.get('prev_loss')

            n_iter = 0
            while n_iter < max_iter:
                n_iter += 1
                state['n_iter'] += 1
                # the direction: steepest descent first, then the two-loop recursion
                if state['n_iter'] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    H_diag = 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = y.dot(s)
                    if ys > 1e-10:
                        if len(old_dirs) == history_size:
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        H_diag = ys / y.dot(y)
                    num_old = len(old_dirs)
                    al = [None] * history_size
                    q = -flat_grad
                    for i in range(num_old - 1, -1, -1):
                        al[i] = old_stps[i].dot(q) * ro[i]
                        q += -al[i] * old_dirs[i]
                    d = r = q * H_diag
                    for i in range(num_old):
                        be_i = old_dirs[i].dot(r) * ro[i]
                        r += (al[i] - be_i) * old_stps[i]

                if prev_flat_grad is None:
                    prev_flat_grad = flat_grad.copy()
                else:
                    prev_flat_grad[...] = flat_grad
                prev_loss = loss

                # the step length
                if state['n_iter'] == 1:
                    t = min(1.0, 1.0 / abs(flat_grad).sum()) * lr
                else:
                    t = lr
                gtd = flat_grad.dot(d)
                if gtd > -tolerance_change:
                    break

                ls_func_evals = 0
                if line_search_fn is not None:
                    if line_search_fn != 'strong_wolfe':
                        raise RuntimeError("only 'strong_wolfe' is supported")
                    x_init = self._clone_param()

                    def obj_func(x, t, d):
                        return self._directional_evaluate(eval_closure, x, t, d)

                    loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                        obj_func, x_init, t, d, loss, flat_grad, gtd,
                        max_ls=max_eval - current_evals)
                    self._add_grad(t, d)
                    opt_cond = abs(flat_grad).max() <= tolerance_grad
                else:
                    self._add_grad(t, d)
                    opt_cond = False
                    if n_iter != max_iter:
                        loss = _float(eval_closure())
                        flat_grad = self._gather_flat_grad()
                        opt_cond = abs(flat_grad).max() <= tolerance_grad
                        ls_func_evals = 1
                current_evals += ls_func_evals
                state['func_evals'] += ls_func_evals

                if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                    break
                if abs(d * t).max() <= tolerance_change:
                    break
                if abs(loss - prev_loss) < tolerance_change:
                    break

            wrap = self._wrap
            state['d'] = wrap(d)
            state['t'] = float(t)
            state['old_dirs'] = [wrap(v) for v in old_dirs]
            state['old_stps'] = [wrap(v) for v in old_stps]
            state['ro'] = ro
            state['H_diag'] = H_diag
            state['prev_flat_grad'] = wrap(prev_flat_grad)
            state['prev_loss'] = prev_loss
        return orig_loss
