"""customlabels: a self-hosted Amazon Rekognition Custom Labels."""

__version__ = "0.1.0"
