"""A character-level transformer language model (a tiny GPT) on "The Zen of Python", with
``import flambeau as torch``.

Same text and task as ``char_lstm.py``, with ``nn.TransformerEncoder`` layers instead of an
LSTM: characters and positions are embedded, causal self-attention (each position sees only
the ones before it: ``nn.Transformer.generate_square_subsequent_mask``) predicts the next
character, and generation feeds back the last ``--context`` characters at every step.

    python examples/char_transformer.py [--steps N] [--device cuda] [--quick]   # ~30 s on 2 cores
"""
import argparse
import codecs
import contextlib
import io
import time

import flambeau as torch
from flambeau import nn


def zen_of_python():
    """The text of ``import this`` (stored ROT13-encoded in the module), without printing it."""
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, 'rot13')


class TinyGPT(nn.Module):
    """Token + position embeddings -> pre-norm transformer layers with a causal mask -> logits."""

    def __init__(self, vocab_size, context, d_model=64, heads=4, layers=2, dropout=0.1):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(context, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=dropout,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok(idx) + self.pos(torch.arange(t, device=idx.device))
        mask = nn.Transformer.generate_square_subsequent_mask(t, device=idx.device)
        return self.head(self.norm(self.blocks(x, mask=mask, is_causal=True)))


def main():
    parser = argparse.ArgumentParser(description='A character-level transformer language model.')
    parser.add_argument('--steps', type=int, default=500)
    parser.add_argument('--context', type=int, default=64, help='characters the model sees')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--lr', type=float, default=3e-3)
    parser.add_argument('--sample', type=int, default=300, help='characters to generate')
    parser.add_argument('--device', default=None,
                        help="'cpu' or 'cuda' (default: cuda if available)")
    parser.add_argument('--quick', action='store_true', help='a few steps (for tests)')
    args = parser.parse_args()
    if args.quick:
        args.steps, args.sample = 10, 40

    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    torch.manual_seed(0)
    text = zen_of_python()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    print(f'{len(text)} characters, vocabulary of {len(chars)}, on {device}')

    model = TinyGPT(len(chars), args.context).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr,
                                                    total_steps=args.steps)
    print(f'{sum(p.numel() for p in model.parameters())} parameters')

    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        ix = torch.randint(len(data) - args.context - 1, (args.batch_size,)).tolist()
        x = torch.stack([data[i:i + args.context] for i in ix]).to(device)
        y = torch.stack([data[i + 1:i + 1 + args.context] for i in ix]).to(device)
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if step % 100 == 0 or step == args.steps:
            print(f'step {step:4d}  loss {loss.item():.3f}  ({time.perf_counter() - start:.1f} s)')

    model.eval()
    prompt = 'Beautiful is'
    idx = torch.tensor([[stoi[c] for c in prompt]], device=device)
    with torch.no_grad():
        for _ in range(args.sample):
            logits = model(idx[:, -args.context:])
            probs = torch.softmax(logits[0, -1] / 0.8, dim=-1)   # temperature 0.8
            nxt = torch.multinomial(probs, 1)
            idx = torch.cat([idx, nxt.view(1, 1)], dim=1)
    print('--- sample ---')
    print(''.join(chars[i] for i in idx[0].tolist()))


if __name__ == '__main__':
    main()
