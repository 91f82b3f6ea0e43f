"""`python -m bot` is the same as the `qabot` command."""

import sys

from .cli import main

sys.exit(main())
