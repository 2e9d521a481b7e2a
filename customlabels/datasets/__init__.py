"""Dataset operations and the steps of the dataset pipeline."""
