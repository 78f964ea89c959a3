"""``python -m helpers.audit path/to/file.py:function_name``: runs :func:`helpers.audit.cli.main`.

>>> from helpers.audit import cli
>>> main is cli.main
True
"""

import sys

from helpers.audit.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
