"""Training: AutoML over PyTorch/torchvision, from dataset entries to an exported ONNX model."""
