"""`python -m cli`: the same program as the `qa-learner` console script."""

from cli.app import main

if __name__ == "__main__":
    main()
