"""`python -m bench.datagen`: build one store in a child process (see `ensure_store`)."""

import sys

from bench.datagen.store import main

sys.exit(main())
