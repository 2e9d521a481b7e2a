"""LocalStack on this machine: ``launcher`` (install, start, stop) and ``executor/`` (the plugin that
runs Lambda handlers as host processes, installed into LocalStack's own venv)."""
