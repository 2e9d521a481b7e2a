"""LocalStack Lambda executor that runs Python functions as processes on the host (no Docker).

Importing this package must stay cheap: plux imports ``plugins`` while LocalStack starts, and the
runtime script next to it runs under another interpreter. The heavy parts live in ``executor``.
"""

PLUGIN_NAME = "customlabels-host"
"""The value of LocalStack's LAMBDA_RUNTIME_EXECUTOR that selects this executor."""

LAMBDA_PYTHON_ENV = "CUSTOMLABELS_LAMBDA_PYTHON"
"""Names the interpreter (the project's venv) that runs the handlers; set by the launcher."""

INFO_PATH = "/_customlabels/executor"
"""Route answering whether a running LocalStack has this executor selected."""
