"""`python -m marsad.cli` runs the command line."""

from marsad.cli import main

main()
