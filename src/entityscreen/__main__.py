"""`python -m entityscreen` runs the command line."""

from entityscreen.cli import main

main()
