"""``python -m aligner`` runs the command line."""

from aligner.cli import main

raise SystemExit(main())
