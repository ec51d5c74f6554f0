"""The machinery behind ``flambeau.save`` / ``flambeau.load`` (see ``flambeau/serialization.py``):
``pickler`` writes PyTorch's pickle stream and collects storages, ``unpickler`` reads one
back through an allow-list and rebuilds tensors, ``container`` reads and writes the zip
archive and the legacy (pre-1.6) stream."""
