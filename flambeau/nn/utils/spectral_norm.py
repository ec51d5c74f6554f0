r"""Spectral normalization (Miyato et al., https://arxiv.org/abs/1802.05957), the hook-based
form: ``weight = weight_orig / sigma(weight_orig)``, the largest singular value ``sigma``
estimated by power iteration with the buffers ``weight_u`` and ``weight_v``.

Note [spectral norm u and v]: in training mode each forward runs the power iteration under
``no_grad`` and writes the new ``u`` and ``v`` *into* the buffers (so that every holder of the
buffers sees the update), then uses clones of them for ``sigma = u . (W v)``: the graph of a
first forward must not see the buffers changed by a second one (a GAN's
``D(real) - D(fake)``). In eval mode the stored ``u`` and ``v`` are used as they are. The
invariant after each training forward is ``u = normalize(W v)``.

:func:`flambeau.nn.utils.parametrizations.spectral_norm` is the newer form of the same thing.
"""
from ...autograd import grad_mode
from ...ops.linalg import dot, multi_dot, mv
from ...ops.normalization import normalize
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..parameter import Parameter

__all__ = ['SpectralNorm', 'SpectralNormLoadStateDictPreHook', 'SpectralNormStateDictHook',
           'spectral_norm', 'remove_spectral_norm']


class SpectralNorm:
    """The forward pre-hook that :func:`spectral_norm` registers: it recomputes
    ``module.<name>`` from ``<name>_orig``, ``<name>_u`` and ``<name>_v`` before each forward
    (see Note [spectral norm u and v])."""
    # version 1: the normalized weight is no longer a buffer, ``v`` is, and eval mode uses
    # ``W_orig / (u . W_orig v)`` rather than a stored weight
    _version = 1

    def __init__(self, name='weight', n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but got '
                             f'n_power_iterations={n_power_iterations}')
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight):
        """``weight`` as a matrix: dimension ``dim`` first, the others flattened."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.dim()) if d != self.dim])
        return weight.reshape(weight.size(0), -1)

    def compute_weight(self, module, do_power_iteration):
        """The normalized weight; with ``do_power_iteration`` the buffers ``u`` and ``v`` are
        first updated in place by ``n_power_iterations`` steps."""
        weight = getattr(module, self.name + '_orig')
        u = getattr(module, self.name + '_u')
        v = getattr(module, self.name + '_v')
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with grad_mode.no_grad():
                for _ in range(self.n_power_iterations):
                    v = normalize(mv(weight_mat.t(), u), dim=0, eps=self.eps, out=v)
                    u = normalize(mv(weight_mat, v), dim=0, eps=self.eps, out=u)
                u = u.clone()
                v = v.clone()
        sigma = dot(u, mv(weight_mat, v))
        return weight / sigma

    def remove(self, module):
        """Put back ``module.<name>`` as a plain parameter holding the normalized weight."""
        with grad_mode.no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + '_u')
        delattr(module, self.name + '_v')
        delattr(module, self.name + '_orig')
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    def _solve_v_and_rescale(self, weight_mat, u, target_sigma):
        # a ``v`` with ``u = normalize(W v)`` and ``u . W v = sigma`` (pinverse in case
        # ``W^T W`` is singular)
        v = multi_dot([weight_mat.t().mm(weight_mat).pinverse(), weight_mat.t(),
                       u.unsqueeze(1)]).squeeze(1)
        return v.mul_(target_sigma / dot(u, mv(weight_mat, v)))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        """Set up spectral normalization of parameter ``name`` of ``module`` and register the
        hooks; returns the forward pre-hook."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two spectral_norm hooks on the same '
                                   f'parameter {name}')
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f'`SpectralNorm` cannot be applied as parameter `{name}` is None')
        with grad_mode.no_grad():
            h, w = fn.reshape_weight_to_matrix(weight).size()
            u = normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + '_orig', weight)
        # ``module.<name>`` stays readable (initializers may use it) as a plain attribute
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + '_u', u)
        module.register_buffer(fn.name + '_v', v)
        module.register_forward_pre_hook(fn)
        module.register_state_dict_post_hook(SpectralNormStateDictHook(fn))
        module.register_load_state_dict_pre_hook(SpectralNormLoadStateDictPreHook(fn))
        return fn


class SpectralNormLoadStateDictPreHook:
    """Upgrades a ``state_dict`` saved before version 1 (which stored the normalized
    ``<name>`` and no ``<name>_v``) when it is loaded: ``v`` is solved from ``W_orig``, ``u``
    and the stored weight."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata, strict, missing_keys,
                 unexpected_keys, error_msgs):
        fn = self.fn
        version = local_metadata.get('spectral_norm', {}).get(fn.name + '.version', None)
        if version is not None and version >= 1:
            return
        weight_key = prefix + fn.name
        if (version is None and weight_key not in state_dict
                and all(weight_key + s in state_dict for s in ('_orig', '_u', '_v'))):
            # a current state_dict that lost its metadata (e.g. built by hand)
            return
        has_missing_keys = False
        for suffix in ('_orig', '', '_u'):
            key = weight_key + suffix
            if key not in state_dict:
                has_missing_keys = True
                if strict:
                    missing_keys.append(key)
        if has_missing_keys:
            return
        with grad_mode.no_grad():
            weight_orig = state_dict[weight_key + '_orig']
            weight = state_dict.pop(weight_key)
            sigma = (weight_orig / weight).mean()
            weight_mat = fn.reshape_weight_to_matrix(weight_orig)
            u = state_dict[weight_key + '_u']
            state_dict[weight_key + '_v'] = fn._solve_v_and_rescale(weight_mat, u, sigma)


class SpectralNormStateDictHook:
    """Records the spectral norm version in the ``state_dict`` metadata
    (``metadata['spectral_norm']['<name>.version']``)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, module, state_dict, prefix, local_metadata):
        meta = local_metadata.setdefault('spectral_norm', {})
        key = self.fn.name + '.version'
        if key in meta:
            raise RuntimeError(f"Unexpected key in metadata['spectral_norm']: {key}")
        meta[key] = self.fn._version


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    r"""Apply spectral normalization to parameter ``name`` of ``module``:

    .. math:: \mathbf{W}_{SN} = \dfrac{\mathbf{W}}{\sigma(\mathbf{W})}

    where :math:`\sigma(\mathbf{W})` is the largest singular value of the weight seen as a
    matrix (dimension ``dim`` first, the others flattened), estimated by power iteration. The
    parameter becomes ``<name>_orig``; the vectors ``<name>_u`` and ``<name>_v`` are buffers,
    updated by ``n_power_iterations`` steps at every forward in training mode only; a forward
    pre-hook recomputes ``module.<name>`` before every forward. This stabilizes the
    discriminator of a GAN.

    Args:
        module (Module): the module holding the parameter.
        name (str, optional): name of the weight parameter. Default: ``'weight'``
        n_power_iterations (int, optional): power iterations per forward. Default: ``1``
        eps (float, optional): epsilon for numerical stability when normalizing.
            Default: ``1e-12``
        dim (int, optional): the dimension of the output channels: ``1`` for
            ``ConvTranspose{1,2,3}d``, ``0`` for other modules (the default ``None``).

    Returns:
        ``module``, with the spectral norm hook.

    Example::

        >>> m = spectral_norm(flambeau.nn.Linear(20, 40))
        >>> m
        Linear(in_features=20, out_features=40, bias=True)
        >>> m.weight_u.size()
        torch.Size([40])
    """
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name='weight'):
    """Remove the spectral normalization of parameter ``name`` from ``module``: ``<name>`` is
    a plain parameter again, holding the normalized weight computed with the stored ``u`` and
    ``v``. ``ValueError`` if ``module`` has no spectral norm on ``name``.

    Example::

        >>> m = remove_spectral_norm(spectral_norm(flambeau.nn.Linear(2, 3)))
        >>> list(m.state_dict())
        ['bias', 'weight']
    """
    hooks = module._forward_pre_hooks
    for k, hook in hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del hooks[k]
            break
    else:
        raise ValueError(f"spectral_norm of '{name}' not found in {module}")
    for hooks, cls in ((module._state_dict_hooks, SpectralNormStateDictHook),
                       (module._load_state_dict_pre_hooks, SpectralNormLoadStateDictPreHook)):
        for k, hook in hooks.items():
            if isinstance(hook, cls) and hook.fn.name == name:
                del hooks[k]
                break
    return module
