"""flambeau.vision.transforms and flambeau.vision.utils: tensor paths against PyTorch
(interpolate, pad, grid_sample and torchvision's formulas written with torch ops), PIL paths
against Pillow itself, reprs, errors, and reproducibility under manual_seed."""
import colorsys
import io
import sys

import numpy as np
import pytest

torch = pytest.importorskip('torch')

import flambeau
from flambeau.vision import transforms as T
from flambeau.vision.transforms import functional as F
from flambeau.vision.utils import make_grid, save_image

IM = F.InterpolationMode


def rng():
    return np.random.default_rng(0)


def fl(a):
    return flambeau.from_numpy(np.ascontiguousarray(a))


# -- resize ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('shape,out', [((2, 3, 20, 30), (7, 11)), ((3, 8, 8), (16, 20)),
                                       ((1, 10, 13), (10, 5)), ((3, 5, 5), (12, 3))])
@pytest.mark.parametrize('mode,aa', [('bilinear', True), ('bilinear', False), ('bicubic', True),
                                     ('bicubic', False), ('nearest', False),
                                     ('nearest-exact', False)])
def test_resize_tensor_matches_interpolate(shape, out, mode, aa):
    a = rng().random(shape).astype(np.float32)
    t = torch.from_numpy(a)
    t4 = t if t.ndim == 4 else t[None]
    ref = torch.nn.functional.interpolate(
        t4, size=out, mode=mode, antialias=aa,
        align_corners=False if mode in ('bilinear', 'bicubic') else None)
    got = F.resize(fl(a), list(out), IM(mode), antialias=aa)
    assert got.dtype == flambeau.float32 and tuple(got.shape) == tuple(t.shape[:-2]) + out
    np.testing.assert_allclose(got.numpy(), ref.reshape(got.shape).numpy(), atol=1e-5)


def test_resize_uint8_rounds_like_torchvision():
    a = rng().integers(0, 256, (3, 17, 9), dtype=np.uint8)
    for mode in ('bilinear', 'bicubic'):
        f = torch.nn.functional.interpolate(torch.from_numpy(a)[None].float(), size=(6, 4),
                                            mode=mode, antialias=True, align_corners=False)[0]
        ref = f.clamp(0, 255).round().to(torch.uint8) if mode == 'bicubic' else \
            f.round().to(torch.uint8)
        got = F.resize(fl(a), [6, 4], IM(mode))
        assert got.dtype == flambeau.uint8
        assert np.abs(got.numpy().astype(int) - ref.numpy().astype(int)).max() <= 1


def test_resize_sizes_and_errors():
    x = flambeau.zeros(3, 20, 40)
    assert tuple(T.Resize(10)(x).shape) == (3, 10, 20)
    assert tuple(T.Resize([10])(x).shape) == (3, 10, 20)
    assert tuple(T.Resize((5, 7))(x).shape) == (3, 5, 7)
    assert tuple(T.Resize(10, max_size=15)(x).shape) == (3, 7, 15)
    assert tuple(T.Resize(15)(flambeau.zeros(3, 40, 20)).shape) == (3, 30, 15)
    assert T.Resize(20)(x) is x  # already the right size
    with pytest.raises(ValueError, match='strictly greater'):
        T.Resize(10, max_size=10)(x)
    with pytest.raises(TypeError, match='Size should be int or sequence'):
        T.Resize(10.5)
    with pytest.raises(ValueError, match='1 or 2 values'):
        T.Resize((1, 2, 3))
    with pytest.raises(ValueError, match='unsupported with Tensor input'):
        T.Resize(5, interpolation=IM.LANCZOS)(x)
    assert repr(T.Resize(10)) == ('Resize(size=10, interpolation=bilinear, max_size=None, '
                                  'antialias=True)')
    assert T.Resize(4, interpolation=3).interpolation is IM.BICUBIC


# -- pad, crop, flips -----------------------------------------------------------------------------

@pytest.mark.parametrize('mode,tmode', [('constant', 'constant'), ('reflect', 'reflect'),
                                        ('edge', 'replicate')])
def test_pad_tensor_matches_torch(mode, tmode):
    a = rng().random((2, 3, 5, 6)).astype(np.float32)
    ref = torch.nn.functional.pad(torch.from_numpy(a), (1, 2, 3, 4), mode=tmode)
    np.testing.assert_array_equal(F.pad(fl(a), [1, 3, 2, 4], padding_mode=mode).numpy(),
                                  ref.numpy())


def test_pad_variants():
    a = np.arange(12, dtype=np.float32).reshape(1, 3, 4)
    np.testing.assert_array_equal(F.pad(fl(a), 1, fill=7).numpy(),
                                  np.pad(a, ((0, 0), (1, 1), (1, 1)), constant_values=7))
    np.testing.assert_array_equal(F.pad(fl(a), [1, 2], padding_mode='symmetric').numpy(),
                                  np.pad(a, ((0, 0), (2, 2), (1, 1)), mode='symmetric'))
    np.testing.assert_array_equal(F.pad(fl(a), [-1, 0, 1, -1]).numpy(),
                                  np.pad(a[:, :2, 1:], ((0, 0), (0, 0), (0, 1))))
    assert tuple(T.Pad((1, 2))(flambeau.zeros(1, 3, 3)).shape) == (1, 7, 5)
    assert F.pad(fl(a.astype(np.uint8)), 2, padding_mode='reflect').dtype == flambeau.uint8
    assert tuple(F.pad(flambeau.zeros(3, 4), 1).shape) == (5, 6)  # (H, W) image
    with pytest.raises(ValueError, match='1, 2, or 4 element tuple, not a 3 element tuple'):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match='constant, edge, reflect or symmetric'):
        T.Pad(1, padding_mode='wrap')
    with pytest.raises(TypeError, match='inappropriate padding arg'):
        F.pad(fl(a), 'x')
    assert repr(T.Pad(2)) == 'Pad(padding=2, fill=0, padding_mode=constant)'


def test_crop_center_crop_flip():
    x = flambeau.arange(16.).view(1, 4, 4)
    np.testing.assert_array_equal(F.crop(x, 1, 1, 2, 2).numpy(), [[[5., 6.], [9., 10.]]])
    # a box partly outside is zero-filled
    np.testing.assert_array_equal(F.crop(x, -1, 3, 2, 2).numpy(), [[[0., 0.], [3., 0.]]])
    np.testing.assert_array_equal(F.center_crop(x, 2).numpy(), [[[5., 6.], [9., 10.]]])
    c = F.center_crop(x, (6, 5))
    assert tuple(c.shape) == (1, 6, 5) and c.sum().item() == x.sum().item()
    np.testing.assert_array_equal(F.hflip(x).numpy(), x.numpy()[..., ::-1])
    np.testing.assert_array_equal(F.vflip(x).numpy(), x.numpy()[..., ::-1, :])
    assert repr(T.CenterCrop(3)) == 'CenterCrop(size=(3, 3))'
    # crops and flips keep the graph
    y = flambeau.ones(1, 4, 4, requires_grad=True)
    F.hflip(F.crop(y, 0, 0, 2, 3)).sum().backward()
    assert y.grad.sum().item() == 6
    with pytest.raises(TypeError, match='Tensor is not a torch image'):
        F.hflip(flambeau.zeros(3))
    with pytest.raises(TypeError, match='img should be PIL Image or Tensor'):
        F.hflip([1, 2])


def test_random_crop():
    flambeau.manual_seed(0)
    x = flambeau.arange(64.).view(1, 8, 8)
    out = T.RandomCrop(4, padding=2)(x)
    assert tuple(out.shape) == (1, 4, 4)
    assert tuple(T.RandomCrop((10, 12), pad_if_needed=True)(x).shape) == (1, 10, 12)
    assert tuple(T.RandomCrop(8)(x).shape) == (1, 8, 8)
    with pytest.raises(ValueError, match=r'Required crop size \(9, 9\) is larger than input '
                                         r'image size \(8, 8\)'):
        T.RandomCrop(9)(x)
    assert repr(T.RandomCrop(4, padding=2)) == 'RandomCrop(size=(4, 4), padding=2)'
    # the crop is a window of the input
    o = T.RandomCrop(3)(x).numpy()[0]
    i, j = divmod(int(o[0, 0]), 8)
    np.testing.assert_array_equal(o, x.numpy()[0, i:i + 3, j:j + 3])


def test_random_resized_crop():
    flambeau.manual_seed(0)
    x = flambeau.rand(3, 32, 24)
    for _ in range(5):
        i, j, h, w = T.RandomResizedCrop.get_params(x, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i <= 32 - h and 0 <= j <= 24 - w and h > 0 and w > 0
    assert tuple(T.RandomResizedCrop(8)(x).shape) == (3, 8, 8)
    assert tuple(T.RandomResizedCrop((5, 7))(x).shape) == (3, 5, 7)
    # impossible ratio: the fallback is a central crop
    assert T.RandomResizedCrop.get_params(flambeau.zeros(1, 10, 100), (0.99, 1.0),
                                          (1.0, 1.0)) == (0, 45, 10, 10)
    assert repr(T.RandomResizedCrop(8)) == (
        'RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), ratio=(0.75, 1.3333), '
        'interpolation=bilinear, antialias=True)')
    with pytest.warns(UserWarning, match='Scale and ratio should be of kind'):
        T.RandomResizedCrop(8, scale=(1.0, 0.5))


def test_random_flips_and_apply_reproducible():
    x = flambeau.arange(6.).view(1, 2, 3)
    pipe = T.Compose([T.RandomHorizontalFlip(), T.RandomVerticalFlip(),
                      T.RandomApply([T.Lambda(lambda t: t + 100)], p=0.5),
                      T.RandomChoice([T.Lambda(lambda t: t * 2), T.Lambda(lambda t: -t)])])

    def run():
        flambeau.manual_seed(123)
        return [pipe(x).numpy() for _ in range(8)]
    a, b = run(), run()
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert len({u.tobytes() for u in a}) > 1
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x).numpy(), x.numpy()[..., ::-1])
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=0.0)(x).numpy(), x.numpy())
    assert repr(T.RandomHorizontalFlip()) == 'RandomHorizontalFlip(p=0.5)'
    assert repr(T.RandomApply([T.Pad(1)], p=0.3)) == \
        'RandomApply(\n    p=0.3\n    Pad(padding=1, fill=0, padding_mode=constant)\n)'
    assert repr(T.RandomChoice([T.ToTensor()])) == 'RandomChoice(\n    ToTensor()\n)(p=None)'
    assert T.RandomChoice([T.Lambda(lambda t: 1), T.Lambda(lambda t: 2)], p=[0, 1])(x) == 2
    with pytest.raises(TypeError, match='Argument transforms should be a sequence'):
        T.RandomChoice(T.ToTensor())
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


# -- rotation -------------------------------------------------------------------------------------

def _torch_rotate(x, angle, mode):
    h, w = x.shape[-2:]
    m = F._get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    theta = torch.tensor([[m[0], m[1] * h / w, m[2] * 2 / w],
                          [m[3] * w / h, m[4], m[5] * 2 / h]], dtype=torch.float32)[None]
    grid = torch.nn.functional.affine_grid(theta, (1, 1, h, w), align_corners=False)
    return torch.nn.functional.grid_sample(x, grid, mode=mode, padding_mode='zeros',
                                           align_corners=False)


@pytest.mark.parametrize('angle', [33.0, -12.5, 90.0])
@pytest.mark.parametrize('mode', ['nearest', 'bilinear'])
def test_rotate_tensor_matches_grid_sample(angle, mode):
    a = rng().random((1, 3, 7, 9)).astype(np.float32)
    ref = _torch_rotate(torch.from_numpy(a), angle, mode)
    np.testing.assert_allclose(F.rotate(fl(a), angle, IM(mode)).numpy(), ref.numpy(),
                               atol=1e-5)


def test_rotate_variants():
    x = flambeau.arange(4.).view(1, 2, 2)
    np.testing.assert_array_equal(F.rotate(x, 90).numpy(), [[[1., 3.], [0., 2.]]])
    a = rng().random((3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(F.rotate(fl(a), 90).numpy(), np.rot90(a, 1, (-2, -1)))
    assert tuple(F.rotate(flambeau.ones(1, 10, 20), 90, expand=True).shape) == (1, 20, 10)
    assert tuple(F.rotate(flambeau.ones(1, 10, 10), 45, expand=True).shape) == (1, 16, 16)
    out = F.rotate(flambeau.ones(3, 8, 8), 45, fill=[0.5, 0.5, 0.5])
    assert out[0, 0, 0].item() == 0.5 and out[0, 4, 4].item() == 1.0
    u8 = F.rotate(flambeau.full((1, 8, 8), 200, dtype=flambeau.uint8), 30, IM.BILINEAR, fill=[0])
    assert u8.dtype == flambeau.uint8 and u8[0, 4, 4].item() == 200
    flambeau.manual_seed(0)
    r = T.RandomRotation((10, 20))
    a1 = r.get_params(r.degrees)
    assert 10 <= a1 <= 20
    assert repr(T.RandomRotation(30)) == ('RandomRotation(degrees=[-30.0, 30.0], '
                                          'interpolation=nearest, expand=False, fill=0)')
    assert tuple(T.RandomRotation(30, expand=True)(flambeau.ones(3, 8, 8)).shape)[0] == 3
    with pytest.raises(ValueError, match='If degrees is a single number, it must be positive.'):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match='degrees should be a sequence of length 2.'):
        T.RandomRotation((1, 2, 3))
    with pytest.raises(ValueError, match="number of elements in 'fill' cannot broadcast"):
        F.rotate(flambeau.ones(3, 4, 4), 10, fill=[1.0, 2.0])


# -- colour ---------------------------------------------------------------------------------------

def _t_gray(t):
    return (0.2989 * t[..., 0, :, :] + 0.587 * t[..., 1, :, :] + 0.114 * t[..., 2, :, :]).to(
        t.dtype).unsqueeze(-3)


def _t_blend(a, b, r):
    bound = 1.0 if a.is_floating_point() else 255.0
    return (r * a + (1.0 - r) * b).clamp(0, bound).to(a.dtype)


@pytest.mark.parametrize('dtype', ['float32', 'uint8'])
def test_color_adjustments_match_torchvision_formulas(dtype):
    g = rng()
    a = (g.random((2, 3, 5, 6)).astype(np.float32) if dtype == 'float32'
         else g.integers(0, 256, (2, 3, 5, 6), dtype=np.uint8))
    t = torch.from_numpy(a)
    np.testing.assert_allclose(F.adjust_brightness(fl(a), 1.3).numpy(),
                               _t_blend(t, torch.zeros_like(t), 1.3).numpy(), atol=1e-6)
    mean = _t_gray(t).float().mean(dim=(-3, -2, -1), keepdim=True)
    np.testing.assert_allclose(F.adjust_contrast(fl(a), 0.6).numpy(),
                               _t_blend(t, mean, 0.6).numpy(), atol=1e-6)
    np.testing.assert_allclose(F.adjust_saturation(fl(a), 1.7).numpy(),
                               _t_blend(t, _t_gray(t), 1.7).numpy(), atol=1e-6)
    np.testing.assert_allclose(F.rgb_to_grayscale(fl(a)).numpy(), _t_gray(t).numpy(), atol=1e-6)
    g3 = F.rgb_to_grayscale(fl(a), 3)
    assert tuple(g3.shape) == a.shape and g3.dtype == fl(a).dtype


def test_adjust_hue_matches_colorsys():
    a = rng().random((3, 4, 5)).astype(np.float32)
    out = F.adjust_hue(fl(a), 0.2).numpy()
    for y in range(4):
        for x in range(5):
            h, s, v = colorsys.rgb_to_hsv(*a[:, y, x].astype(np.float64))
            ref = colorsys.hsv_to_rgb((h + 0.2) % 1.0, s, v)
            np.testing.assert_allclose(out[:, y, x], ref, atol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(fl(a), 0.0).numpy(), a, atol=1e-5)
    red = flambeau.tensor([1., 0., 0.]).view(3, 1, 1)
    np.testing.assert_allclose(F.adjust_hue(red, 1 / 3).flatten().numpy(), [0, 1, 0], atol=1e-6)
    u8 = F.adjust_hue(flambeau.full((3, 2, 2), 128, dtype=flambeau.uint8), 0.3)
    assert u8.dtype == flambeau.uint8
    with pytest.raises(ValueError, match=r'hue_factor \(0.7\) is not in \[-0.5, 0.5\].'):
        F.adjust_hue(red, 0.7)


def test_color_jitter_and_grayscale():
    with pytest.raises(ValueError, match='brightness_factor \\(-1\\) is not non-negative.'):
        F.adjust_brightness(flambeau.rand(3, 2, 2), -1)
    with pytest.raises(TypeError, match='permitted channel values are \\[1, 3\\], but found 2'):
        F.adjust_brightness(flambeau.rand(2, 2, 2), 1.0)
    cj = T.ColorJitter(brightness=0.5, contrast=(0.5, 1.5), saturation=0.2, hue=0.1)
    assert repr(cj) == ('ColorJitter(brightness=(0.5, 1.5), contrast=(0.5, 1.5), '
                        'saturation=(0.8, 1.2), hue=(-0.1, 0.1))')
    assert repr(T.ColorJitter()) == ('ColorJitter(brightness=None, contrast=None, '
                                     'saturation=None, hue=None)')
    x = flambeau.rand(3, 6, 6)
    flambeau.manual_seed(5)
    a = cj(x)
    flambeau.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), cj(x).numpy())
    assert float(a.min()) >= 0 and float(a.max()) <= 1
    with pytest.raises(ValueError, match=r'hue values should be between \(-0.5, 0.5\)'):
        T.ColorJitter(hue=0.6)
    with pytest.raises(ValueError, match='If brightness is a single number, it must be non '
                                         'negative.'):
        T.ColorJitter(brightness=-1)
    with pytest.raises(TypeError, match='contrast should be a single number or a list/tuple'):
        T.ColorJitter(contrast=(1, 2, 3))
    assert tuple(T.Grayscale(3)(x).shape) == (3, 6, 6)
    assert repr(T.Grayscale()) == 'Grayscale(num_output_channels=1)'


# -- conversions and normalize --------------------------------------------------------------------

def test_to_tensor_ndarray():
    a = rng().integers(0, 256, (4, 5, 3), dtype=np.uint8)
    t = T.ToTensor()(a)
    assert t.dtype == flambeau.float32 and tuple(t.shape) == (3, 4, 5)
    np.testing.assert_allclose(t.numpy(), torch.from_numpy(a).permute(2, 0, 1).float()
                               .div(255).numpy())
    f = T.ToTensor()(np.ones((2, 3), np.float64))
    assert f.dtype == flambeau.float64 and tuple(f.shape) == (1, 2, 3)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([1])
    with pytest.raises(ValueError, match='pic should be 2/3 dimensional. Got 1 dimensions.'):
        T.ToTensor()(np.zeros(3))
    flambeau.set_default_dtype(flambeau.float64)
    try:
        assert T.ToTensor()(a).dtype == flambeau.float64
    finally:
        flambeau.set_default_dtype(flambeau.float32)


def test_convert_image_dtype():
    u8 = np.array([0, 1, 127, 255], np.uint8).reshape(1, 1, 4)
    f = np.array([0.0, 0.2, 0.5, 1.0], np.float32).reshape(1, 1, 4)
    out = F.convert_image_dtype(fl(u8), flambeau.float32)
    np.testing.assert_allclose(out.numpy(), u8 / np.float32(255))
    np.testing.assert_array_equal(F.convert_image_dtype(fl(f), flambeau.uint8).numpy(),
                                  torch.from_numpy(f).mul(255.999).to(torch.uint8).numpy())
    np.testing.assert_array_equal(F.convert_image_dtype(fl(u8), flambeau.int16).numpy(),
                                  u8.astype(np.int16) * 128)
    i32 = np.array([0, 2 ** 31 - 1], np.int32)
    np.testing.assert_array_equal(F.convert_image_dtype(fl(i32), flambeau.uint8).numpy(),
                                  [0, 255])
    assert F.convert_image_dtype(fl(f), flambeau.float64).dtype == flambeau.float64
    x = fl(f)
    assert F.convert_image_dtype(x, flambeau.float32) is x
    with pytest.raises(RuntimeError, match='The cast from torch.float32 to torch.int32 cannot be '
                                           'performed safely.'):
        F.convert_image_dtype(fl(f), flambeau.int32)
    with pytest.raises(TypeError, match='Input img should be Tensor Image'):
        F.convert_image_dtype(f)
    assert repr(T.ConvertImageDtype(flambeau.float32)) == 'ConvertImageDtype()'


def test_normalize():
    a = rng().random((2, 3, 4, 4)).astype(np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    ref = (torch.from_numpy(a) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(
        -1, 1, 1)
    x = fl(a.copy())
    out = T.Normalize(mean, std)(x)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), a)  # not in place
    y = fl(a.copy())
    assert T.Normalize(mean, std, inplace=True)(y) is y
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-6)
    g = flambeau.ones(3, 2, 2, requires_grad=True)
    T.Normalize(mean, std)(g).sum().backward()
    np.testing.assert_allclose(g.grad[:, 0, 0].numpy(), 1 / np.array(std, np.float32))
    assert repr(T.Normalize((0.5,), (0.5,))) == 'Normalize(mean=(0.5,), std=(0.5,))'
    with pytest.raises(TypeError, match='Input tensor should be a float tensor. Got '
                                        'torch.uint8.'):
        F.normalize(flambeau.zeros(3, 2, 2, dtype=flambeau.uint8), mean, std)
    with pytest.raises(ValueError, match=r'Got tensor.size\(\) = torch.Size\(\[2, 2\]\)'):
        F.normalize(flambeau.zeros(2, 2), mean, std)
    with pytest.raises(ValueError, match='std evaluated to zero after conversion to '
                                         'torch.float32'):
        F.normalize(flambeau.zeros(3, 2, 2), mean, (1.0, 0.0, 1.0))


def test_compose_and_reprs():
    c = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    assert repr(c) == 'Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)'
    out = c(np.full((2, 2), 255, np.uint8))
    np.testing.assert_array_equal(out.numpy(), np.ones((1, 2, 2), np.float32))
    assert repr(T.PILToTensor()) == 'PILToTensor()'
    assert repr(T.ToPILImage()) == 'ToPILImage()'
    assert repr(T.ToPILImage(mode='RGB')) == 'ToPILImage(mode=RGB)'
    assert repr(T.Lambda(abs)) == 'Lambda()'


# -- PIL images -----------------------------------------------------------------------------------

@pytest.fixture
def Image():
    return pytest.importorskip('PIL.Image')


def _rgb(Image, h=12, w=16):
    return Image.fromarray(rng().integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_pil_conversions(Image):
    img = _rgb(Image)
    arr = np.asarray(img)
    t = T.ToTensor()(img)
    assert t.dtype == flambeau.float32 and tuple(t.shape) == (3, 12, 16)
    np.testing.assert_allclose(t.numpy(), arr.transpose(2, 0, 1) / np.float32(255))
    p = T.PILToTensor()(img)
    assert p.dtype == flambeau.uint8
    np.testing.assert_array_equal(p.numpy(), arr.transpose(2, 0, 1))
    back = T.ToPILImage()(p)
    assert back.mode == 'RGB' and np.array_equal(np.asarray(back), arr)
    assert np.array_equal(np.asarray(T.ToPILImage()(t)), arr)  # float -> *255 -> uint8
    assert T.ToPILImage()(flambeau.zeros(1, 2, 3)).mode == 'L'
    assert T.ToPILImage()(flambeau.zeros(4, 2, 3)).mode == 'RGBA'
    assert T.ToPILImage()(np.zeros((2, 3, 2), np.uint8)).mode == 'LA'
    assert T.ToPILImage(mode='F')(flambeau.rand(1, 2, 3)).mode == 'F'
    assert T.ToPILImage()(flambeau.zeros(1, 2, 3, dtype=flambeau.int32)).mode == 'I'
    assert T.ToPILImage(mode='HSV')(flambeau.zeros(3, 2, 2)).mode == 'HSV'
    # mode-specific ToTensor dtypes
    assert T.ToTensor()(Image.new('I', (2, 2))).dtype == flambeau.int32
    assert T.ToTensor()(Image.new('F', (2, 2))).dtype == flambeau.float32
    one = T.ToTensor()(Image.new('1', (2, 2), 1))
    assert one.dtype == flambeau.float32 and one.min().item() == 1.0
    gray = T.ToTensor()(img.convert('L'))
    assert tuple(gray.shape) == (1, 12, 16)
    with pytest.raises(ValueError, match='pic should not have > 4 channels. Got 5 channels.'):
        T.ToPILImage()(flambeau.zeros(5, 2, 2))
    with pytest.raises(ValueError, match=r"Only modes \['RGB', 'YCbCr', 'HSV'\] are supported "
                                         'for 3D inputs'):
        T.ToPILImage(mode='RGBA')(flambeau.zeros(3, 2, 2))
    with pytest.raises(TypeError, match='Input type float64 is not supported'):
        T.ToPILImage()(np.zeros((2, 2, 3)))
    with pytest.raises(TypeError, match="pic should be PIL Image. Got <class 'numpy.ndarray'>"):
        T.PILToTensor()(np.zeros((2, 2, 3), np.uint8))


def test_pil_geometry(Image):
    img = _rgb(Image)
    r = T.Resize(6)(img)
    assert r.size == (8, 6)
    ref = img.resize((8, 6), Image.BILINEAR)
    assert np.array_equal(np.asarray(r), np.asarray(ref))
    assert T.Resize((5, 7), interpolation=IM.LANCZOS)(img).size == (7, 5)
    assert T.CenterCrop(4)(img).size == (4, 4)
    assert np.array_equal(np.asarray(T.CenterCrop(4)(img)), np.asarray(img)[4:8, 6:10])
    assert T.CenterCrop(20)(img).size == (20, 20)
    flambeau.manual_seed(0)
    assert T.RandomCrop(5, padding=3, fill=(1, 2, 3))(img).size == (5, 5)
    assert T.RandomCrop(20, pad_if_needed=True, padding_mode='reflect')(img).size == (20, 20)
    assert T.RandomResizedCrop(8)(img).size == (8, 8)
    assert np.array_equal(np.asarray(T.RandomHorizontalFlip(1.0)(img)),
                          np.asarray(img)[:, ::-1])
    assert np.array_equal(np.asarray(T.RandomVerticalFlip(1.0)(img)), np.asarray(img)[::-1])
    p = T.Pad((1, 2, 3, 4), fill=(9, 8, 7))(img)
    pa = np.asarray(p)
    assert p.size == (20, 18) and p.mode == 'RGB' and tuple(pa[0, 0]) == (9, 8, 7)
    assert np.array_equal(pa[2:14, 1:17], np.asarray(img))
    for mode in ('edge', 'reflect', 'symmetric'):
        out = np.asarray(F.pad(img, [2, 1], padding_mode=mode))
        npm = {'edge': 'edge', 'reflect': 'reflect', 'symmetric': 'symmetric'}[mode]
        assert np.array_equal(out, np.pad(np.asarray(img), ((1, 1), (2, 2), (0, 0)), mode=npm))
    pal = img.convert('P')
    assert F.pad(pal, 1).mode == 'P'
    rot = T.RandomRotation((90, 90))(img)
    assert np.array_equal(np.asarray(rot), np.asarray(img.rotate(90)))
    assert F.rotate(img, 45, expand=True).size == img.rotate(45, expand=True).size


def test_pil_color(Image):
    img = _rgb(Image)
    from PIL import ImageEnhance
    assert np.array_equal(np.asarray(F.adjust_brightness(img, 1.5)),
                          np.asarray(ImageEnhance.Brightness(img).enhance(1.5)))
    assert np.array_equal(np.asarray(F.adjust_contrast(img, 0.5)),
                          np.asarray(ImageEnhance.Contrast(img).enhance(0.5)))
    assert np.array_equal(np.asarray(F.adjust_saturation(img, 0.0)),
                          np.asarray(ImageEnhance.Color(img).enhance(0.0)))
    h = F.adjust_hue(img, 0.25)
    assert h.mode == 'RGB' and h.size == img.size
    assert np.array_equal(np.asarray(F.adjust_hue(img.convert('L'), 0.3)),
                          np.asarray(img.convert('L')))
    g = T.Grayscale(3)(img)
    assert g.mode == 'RGB' and np.array_equal(np.asarray(g)[..., 0], np.asarray(img.convert('L')))
    assert T.Grayscale()(img).mode == 'L'
    flambeau.manual_seed(1)
    assert T.ColorJitter(0.4, 0.4, 0.4, 0.1)(img).size == img.size


def test_pil_missing_gives_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, 'PIL', None)
    monkeypatch.setitem(sys.modules, 'PIL.Image', None)
    with pytest.raises(ImportError, match='pip install pillow'):
        T.ToPILImage()(flambeau.zeros(3, 2, 2))
    # tensor transforms need no PIL
    assert tuple(T.Compose([T.Resize(4), T.RandomCrop(3)])(flambeau.zeros(3, 8, 8)).shape) == \
        (3, 3, 3)


# -- make_grid / save_image -----------------------------------------------------------------------

def _grid_ref(b, nrow, padding, pad_value):
    n, c, h, w = b.shape
    xm = min(nrow, n)
    ym = -(-n // xm)
    g = np.full((c, (h + padding) * ym + padding, (w + padding) * xm + padding), pad_value,
                b.dtype)
    for k in range(n):
        y, x = divmod(k, xm)
        g[:, y * (h + padding) + padding:(y + 1) * (h + padding),
          x * (w + padding) + padding:(x + 1) * (w + padding)] = b[k]
    return g


def test_make_grid():
    b = rng().random((5, 3, 4, 6)).astype(np.float32)
    np.testing.assert_array_equal(make_grid(fl(b), nrow=2, padding=1, pad_value=0.5).numpy(),
                                  _grid_ref(b, 2, 1, 0.5))
    np.testing.assert_array_equal(make_grid(fl(b)).numpy(), _grid_ref(b, 8, 2, 0.0))
    assert tuple(make_grid(flambeau.zeros(4, 3, 8, 8), nrow=2).shape) == (3, 22, 22)
    one = make_grid(fl(b[:1]))
    np.testing.assert_array_equal(one.numpy(), b[0])
    gray = make_grid(flambeau.zeros(2, 1, 3, 3), padding=0)
    assert tuple(gray.shape) == (3, 3, 6)
    assert tuple(make_grid([fl(b[0]), fl(b[1])]).shape) == (3, 8, 18)
    n = make_grid(fl(b * 4 - 2), normalize=True, padding=0, nrow=5)
    assert abs(n.min().item()) < 1e-6 and abs(n.max().item() - 1) < 1e-6
    v = make_grid(fl(b), normalize=True, value_range=(0.25, 0.75), padding=0)
    np.testing.assert_allclose(v.numpy(), _grid_ref(np.clip((b - 0.25) / 0.5, 0, 1), 8, 0, 0.),
                               atol=1e-6)
    each = make_grid(fl(b * np.arange(1, 6, dtype=np.float32)[:, None, None, None]),
                     normalize=True, scale_each=True, padding=0, nrow=1)
    for k in range(5):
        part = each[:, 4 * k:4 * k + 4]
        assert abs(part.max().item() - 1) < 1e-6
    x = fl(b.copy())
    make_grid(x, normalize=True)
    np.testing.assert_array_equal(x.numpy(), b)  # input untouched
    with pytest.raises(TypeError, match='value_range has to be a tuple'):
        make_grid(fl(b), normalize=True, value_range=[0, 1])
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'int'>"):
        make_grid(3)
    with pytest.raises(TypeError, match='got a list containing'):
        make_grid([fl(b[0]), 3])


def test_save_image(Image, tmp_path):
    b = rng().random((4, 3, 5, 5)).astype(np.float32)
    path = tmp_path / 'grid.png'
    save_image(fl(b), str(path), nrow=2, padding=1)
    got = np.asarray(Image.open(path))
    ref = (np.clip(_grid_ref(b, 2, 1, 0.0) * 255 + 0.5, 0, 255)).astype(np.uint8)
    np.testing.assert_array_equal(got, ref.transpose(1, 2, 0))
    buf = io.BytesIO()
    save_image(fl(b[0]), buf, format='png')
    assert Image.open(io.BytesIO(buf.getvalue())).size == (5, 5)


def test_module_transforms_compose_in_sequential():
    """As in torchvision, the tensor transforms are nn.Modules: nn.Sequential chains them."""
    import flambeau.nn as nn
    from flambeau.vision import transforms as T
    seq = nn.Sequential(T.Normalize((0.5,), (0.5,)), T.CenterCrop(2))
    assert all(isinstance(t, nn.Module) for t in seq)
    out = seq(flambeau.ones(1, 4, 4))
    assert out.shape == (1, 2, 2) and bool((out == 1).all())
    assert not isinstance(T.Compose([]), nn.Module)  # Compose is a plain callable in torchvision
