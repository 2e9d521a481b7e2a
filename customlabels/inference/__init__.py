"""Serving trained models: DetectCustomLabels on ONNX Runtime.

Modules, from the request inwards: ``detect`` (the operation's semantics), ``images`` (the
guide's image limits and decoding), ``cache`` (model files in /tmp, one loaded model per
process), ``predictor`` (the ONNX Runtime session), ``preprocess`` (image to tensor),
``artifact`` (the model.json contract) and ``errors``. ``optimize`` is for the training side:
it prepares an exported model.onnx for serving and needs the ``onnx`` package.

Nothing is imported here on purpose: ``customlabels.inference.errors`` must stay importable
without pulling onnxruntime into functions that never run a model.
"""
