"""A variational autoencoder on scikit-learn's 8x8 handwritten digits, with
``import flambeau as torch``.

The encoder maps an image to the mean and log-variance of a Gaussian over a small latent space;
a latent vector drawn from it with the reparameterisation trick (``mu + eps * std``, so that
gradients flow through the draw) is decoded back into pixel probabilities. The loss is the
binary cross-entropy of the reconstruction plus the KL divergence from the standard normal
prior. After training, the script reports the held-out loss, and draws new digits from the
prior and reconstructions into a PNG (with matplotlib).

    pip install '.[examples]'            # scikit-learn (the data) and matplotlib (the picture)
    python examples/vae.py [--epochs N] [--latent 8] [--out DIR] [--device cuda] [--quick]
"""
import argparse
import os
import sys

import flambeau as torch
from flambeau import nn
from flambeau.nn import functional as F


class VAE(nn.Module):
    """64 pixels -> hidden -> (mu, logvar) of ``latent`` dims -> hidden -> 64 pixel logits."""

    def __init__(self, latent=8, hidden=256):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 64))

    def encode(self, x):
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return mu + torch.randn_like(std) * std

    def forward(self, x):
        mu, logvar = self.encode(x)
        return self.decoder(self.reparameterize(mu, logvar)), mu, logvar


def vae_loss(logits, x, mu, logvar):
    """Negative evidence lower bound, summed over pixels and latents, averaged over the batch."""
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction='sum')
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return (rec + kl) / x.shape[0]


def main():
    parser = argparse.ArgumentParser(description='A VAE on the 8x8 digits.')
    parser.add_argument('--epochs', type=int, default=40)
    parser.add_argument('--latent', type=int, default=8)
    parser.add_argument('--out', default='vae_out', help='folder for the picture')
    parser.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (default: cuda if available)")
    parser.add_argument('--quick', action='store_true', help='two epochs (for tests)')
    args = parser.parse_args()
    if args.quick:
        args.epochs = 2
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("this example needs scikit-learn: pip install 'flambeau[examples]'")

    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    torch.manual_seed(0)
    images = torch.tensor(load_digits().data / 16.0, dtype=torch.float32)   # (1797, 64) in [0, 1]
    perm = torch.randperm(len(images))
    train, test = images[perm[:1500]].to(device), images[perm[1500:]].to(device)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train), batch_size=64,
                                         shuffle=True)

    model = VAE(args.latent).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(1, args.epochs + 1):
        model.train()
        for (x,) in loader:
            logits, mu, logvar = model(x)
            loss = vae_loss(logits, x, mu, logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epoch % 10 == 0 or epoch == args.epochs:
            model.eval()
            with torch.no_grad():
                logits, mu, logvar = model(test)
                test_loss = vae_loss(logits, test, mu, logvar).item()
            print(f'epoch {epoch:3d}  train loss {loss.item():7.2f}  '
                  f'held-out loss {test_loss:7.2f}')

    # new digits from the prior, and reconstructions of held-out ones
    model.eval()
    with torch.no_grad():
        samples = torch.sigmoid(model.decoder(torch.randn(10, args.latent, device=device)))
        recon = torch.sigmoid(model.decoder(model.encode(test[:10])[0]))
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('picture: skipped (pip install matplotlib)')
        return
    os.makedirs(args.out, exist_ok=True)
    fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
    rows = [('held out', test[:10]), ('reconstructed', recon), ('sampled', samples)]
    for r, (name, imgs) in enumerate(rows):
        for c in range(10):
            axes[r, c].imshow(imgs[c].cpu().reshape(8, 8).numpy(), cmap='gray_r', vmin=0, vmax=1)
            axes[r, c].axis('off')
        axes[r, 0].set_title(name, fontsize=8, loc='left')
    fig.tight_layout()
    path = os.path.join(args.out, 'vae_digits.png')
    fig.savefig(path, dpi=100)
    print(f'picture: {path}')


if __name__ == '__main__':
    main()
