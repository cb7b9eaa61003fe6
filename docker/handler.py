"""RunPod worker entry point (the file RunPod users and the Hub look for).

All logic lives in the ``avatar_worker`` package; this launcher only makes the package importable
when the file is run as a script (``python handler.py``, ``--rp_serve_api`` local testing) and
starts ``serve``: volume check, one pipeline load, then ``runpod.serverless.start``. The SDK reads
its own flags (``--rp_serve_api``, ``--rp_api_port``, ``--test_input``) from ``sys.argv``.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from avatar_worker.serve import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
