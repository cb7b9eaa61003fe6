"""``python -m avatar_worker``: see :mod:`avatar_worker.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
