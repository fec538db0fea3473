"""Reading and validating every input: network, rules, returns, scenario and its overrides.

Bad input raises ``optimizer.errors.InputError`` carrying every problem found (file, row or YAML
path, field, what is wrong); nothing here writes a file.
"""

from optimizer.inputs.network import load_lanes, load_ports
from optimizer.inputs.returns import load_returns
from optimizer.inputs.rules import load_rules
from optimizer.inputs.scenario import load_scenario, read_scenario_doc

__all__ = ["load_lanes", "load_ports", "load_returns", "load_rules", "load_scenario",
           "read_scenario_doc"]
