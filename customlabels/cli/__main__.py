"""``python -m customlabels.cli``: the same as the ``customlabels`` command."""

import sys

from customlabels.cli import main

sys.exit(main())
