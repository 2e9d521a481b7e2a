"""Model hosting: StartProjectVersion/StopProjectVersion carried out, and models served while RUNNING.

Modules, from the control plane inwards: ``request`` (the hosting state machine's input),
``steps`` (its steps: load the model, provision and release inference units, record the status),
``capacity`` (inference units as provisioned concurrency on AWS, recorded on LocalStack),
``metering`` (running hours and units as CloudWatch metrics), ``models`` (finding a RUNNING model
and loading it for serving), ``detection`` (the detection function's request and response),
``labeler`` (batch labeling with running models), ``deployment`` (all of it wired to a
deployment's settings) and ``errors``.

Only ``models``, ``detection``, ``labeler`` and the LoadModel step load onnxruntime; the API
imports ``request`` and ``capacity`` alone.
"""
