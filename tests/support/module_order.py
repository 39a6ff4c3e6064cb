"""The order in which the parallel tier's workers are handed the test modules: costliest first.

`make test` sends each module whole to one worker, in the order collected. A costly module
collected last (the chaos tests of tests/reliability/) then ran at the end while the other
workers had nothing left: about 100 s of a 700 s tier with one worker of four busy. Handed
out costliest first, the cheap modules fill in at the end.

The costs are the seconds each module took on its worker in the last parallel run written
to `tests/module_costs.json` (`make test-costs`). A module not in it counts as a middling
end-to-end one when it starts processes, and as free when it does not.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

COSTS = Path(__file__).parents[1] / "module_costs.json"
UNMEASURED_E2E_SECONDS = 30.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--module-costs",
        metavar="PATH",
        help="write the seconds each test module took into PATH, as tests/module_costs.json",
    )


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(trylast=True)  # once the tiers are marked and the selection made
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    costs = json.loads(COSTS.read_text())
    e2e = {module_of(item.nodeid) for item in items if item.get_closest_marker("e2e")}

    def cost(item: pytest.Item) -> float:
        module = module_of(item.nodeid)
        return costs.get(module, UNMEASURED_E2E_SECONDS if module in e2e else 0.0)

    items.sort(key=cost, reverse=True)  # stable: a module's own tests keep their order


class CostRecorder:
    """Adds up each module's set-up, call and tear-down seconds, as the workers report
    them, and writes them out once the run has passed."""

    def __init__(self, path: Path):
        self.path, self.seconds = path, Counter[str]()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.seconds[module_of(report.nodeid)] += report.duration

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        if exitstatus == pytest.ExitCode.OK:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            costs = {module: round(s, 1) for module, s in self.seconds.most_common()}
            self.path.write_text(json.dumps(costs, indent=1) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    # Where the run's reports arrive: in the only process, or in xdist's controller.
    if (path := config.getoption("module_costs")) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(CostRecorder(Path(path)), "module-costs")
