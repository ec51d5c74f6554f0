"""``flambeau.linalg``: PyTorch's ``torch.linalg`` namespace. The ops live in
``flambeau/ops/decomp.py`` and ``flambeau/ops/linalg.py``; this module only names them."""
