"""`python -m momentmap` works like the `momentmap` command."""

from momentmap.cli import main

if __name__ == "__main__":
    main(prog_name="momentmap")
