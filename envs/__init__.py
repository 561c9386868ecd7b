"""Tasks, Gymnasium environments and reward shaping."""
