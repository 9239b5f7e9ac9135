"""``python -m amino_async``: the ``amino-async`` command line (see ``amino-async --help``)."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
