"""``python -m privtune``: the same command line as the ``privtune`` script."""

from privtune.cli import main

if __name__ == "__main__":
    main()
