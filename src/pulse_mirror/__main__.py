"""``python -m pulse_mirror`` is the same as ``pulse``."""

from pulse_mirror.cli.main import main

if __name__ == "__main__":
    main()
