"""Planning: parcels -> batches -> checked and priced options -> the solver -> the Plan.

``pipeline.run`` wires the stages in order; every other module is one stage or a tool of one
(``capacity``: the one capacity ledger every stage uses).
"""
