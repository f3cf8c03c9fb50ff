"""``python -m bot`` is the same as ``pulse``."""

from bot.cli import main

if __name__ == "__main__":
    main()
