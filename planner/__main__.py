"""``python -m planner``: the same command line as the ``planner`` script."""

from .cli import run

if __name__ == "__main__":
    run()
