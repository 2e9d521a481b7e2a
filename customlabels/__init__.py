"""customlabels: a self-hosted Amazon Rekognition Custom Labels."""

# ``customlabels.client(endpoint_url=...)`` is the function, not the submodule of the same name:
# importing it here rebinds the package attribute once, after the submodule has loaded.
from customlabels.client import client

__version__ = "0.1.0"
__all__ = ["client"]
