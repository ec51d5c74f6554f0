"""Recurrent cells as fused ops: ``rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell``,
``gru_cell``, each one graph node with its derivative beside it."""
__all__ = []
FUNCTIONAL = []
METHODS = {}
INPLACE = {}
